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
    "with the interface descriptors (a_m, the O-lattice descriptor ρ_O and its angle, Δχ_max, "
    "strain, area). The columns 'T_c,11 (K)' and 'T_c,12 (K)' show T_c with its error bars: "
    "± the BEEF-vdW ensemble standard deviation (BEEF) where that functional is used, and ± "
    "the spread over the largest settings of the convergence study (conv) where "
    "convergence.systems lists the system, and ± the sampling error (sample) where the "
    "system's pairs were sampled within dft.max_configurations (sampled, n_draws_11, "
    "n_draws_12). 'relaxed' says whether the configurations relaxed: 'none (unrelaxed "
    "energies ...)' marks a row whose every configuration met fmax at its start (the quick "
    "preset's fmax 0.2 eV/Å), so its ω are unrelaxed energy differences. 'cutoff' is 'ok', or names the "
    "coating element that a demonstration preset (quick, test) runs below its dft.min_ecut_eV: that "
    "row's forces, and so its relaxed ω, are not converged.",
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


def _fmt_tc(value, errors: dict) -> str:
    """ "412 ± 30 (BEEF) ± 12 (conv)": T_c (K) with the error bars that exist; "–" when undefined."""
    if value is None or pd.isna(value):
        return "–"
    out = f"{value:.0f}"
    for label, e in errors.items():
        if e is not None and not pd.isna(e) and not (label == "sample" and e == 0):
            out += f" ± {e:.0f} ({label})"
    return out


def with_error_bars(df: pd.DataFrame) -> pd.DataFrame:
    """The T_c table with 'T_c,11 (K)' and 'T_c,12 (K)' columns that show each T_c with its error bars
    (BEEF-vdW ensemble: Tc_t_err_K; convergence spread: Tc_t_conv_err_K), placed after the system and
    status columns. Other tables are returned unchanged."""
    if "Tc_11_K" not in df.columns:
        return df
    df = df.copy()
    shown = {}
    for t in ("11", "12"):
        errs = [
            (lab, f"Tc_{t}_{col}")
            for lab, col in (("BEEF", "err_K"), ("conv", "conv_err_K"), ("sample", "sample_err_K"))
            if f"Tc_{t}_{col}" in df.columns
        ]
        shown[f"T_c,{t} (K)"] = [
            _fmt_tc(row[f"Tc_{t}_K"], {lab: row[c] for lab, c in errs}) for _, row in df.iterrows()
        ]
    at = 1 + int("status" in df.columns)
    for k, (name, col) in enumerate(shown.items()):
        df.insert(at + k, name, col)
    return df


def csv_to_html(csv_path, html_path, title: str, description: str, float_format: str) -> None:
    """One HTML page of a CSV table (``float_format``: config ``report.float_format``); the T_c table
    shows its error bars next to each T_c (:func:`with_error_bars`)."""
    df = with_error_bars(pd.read_csv(csv_path))
    body = df.to_html(
        index=False, na_rep="–", float_format=lambda x: float_format.format(x), border=0, classes="anodeflow-table"
    )
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;font-size:13px}} table{{border-collapse:collapse}}
td,th{{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}} th{{background:#f0f0f0}}</style>
</head><body><h3>{html.escape(title)}</h3><p>{html.escape(description)}</p>{body}
<p style="color:#666">{len(df)} rows; source: {html.escape(str(csv_path))}</p></body></html>
"""
    with atomic_path(html_path) as tmp:
        tmp.write_text(page)
