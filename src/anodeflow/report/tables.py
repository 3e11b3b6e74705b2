"""Campaign tables as HTML for the Snakemake report (one small page per CSV)."""
from __future__ import annotations

import html

import pandas as pd

from ..io import atomic_path

#: what each table of the campaign holds (shown under its title in the report)
TABLE_DESCRIPTIONS = {
    "critical_temperatures": "Mean-field T_c of both pair types, Ω, ⟨ω⟩, z and the 300 K classification per system, "
                             "the number of pairs each ⟨ω⟩ rests on (n_pairs_11, n_pairs_12) and of pairs left out "
                             "because a configuration they rest on did not converge or relocated (n_pairs_excluded), "
                             "with the interface descriptors (a_m, Δχ_max, strain, area).",
    "montecarlo_tc": "Lattice Monte Carlo transition temperature next to the mean-field T_c per system and pair type.",
    "beef_uncertainty": "BEEF-vdW ensemble standard deviations of ⟨ω⟩, Ω and T_c (same seed and size for every "
                        "energy, so the ensembles stay correlated). PBE systems: no ensemble exists, stated per row.",
    "stiffness": "Capillary stiffness γ̃ per metal, facet and temperature with its fit error (results/cft/), or the "
                 "flag of a facet without measurable fluctuations; see the stiffness figure.",
    "adhesion": "Adhesion energy W_ad = (E_metal + E_coating − E_interface)/A with both slabs in the interface's "
                "own strained cell (positive: bound).",
}


def describe(name: str) -> str:
    """The sentence shown under a table's title (empty for tables without one)."""
    return TABLE_DESCRIPTIONS.get(name, "")


def csv_to_html(csv_path, html_path, title: str, description: str, float_format: str) -> None:
    """One HTML page of a CSV table (``float_format``: config ``report.float_format``)."""
    df = pd.read_csv(csv_path)
    body = df.to_html(index=False, na_rep="–", float_format=lambda x: float_format.format(x), border=0,
                      classes="anodeflow-table")
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;font-size:13px}} table{{border-collapse:collapse}}
td,th{{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}} th{{background:#f0f0f0}}</style>
</head><body><h3>{html.escape(title)}</h3><p>{html.escape(description)}</p>{body}
<p style="color:#666">{len(df)} rows; source: {html.escape(str(csv_path))}</p></body></html>
"""
    with atomic_path(html_path) as tmp:
        tmp.write_text(page)
