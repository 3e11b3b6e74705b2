"""Figures of the phase-field inputs: E_s against biaxial strain per facet, energy along the NEB bands."""

from __future__ import annotations

import numpy as np

from ..io import atomic_path

FACET_COLORS = {"100": "#d62728", "110": "#1f77b4", "111": "#2ca02c"}


def _save(fig, path) -> None:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    plt.close(fig)


def plot_surface_energies(table, path, title: str) -> None:
    """E_s (J/m^2) against in-plane strain (%) per facet: relaxed top face (filled, joined) and the
    unrelaxed (bulk-terminated) value (open)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.6))
    for facet, rows in table.groupby("facet", sort=True):
        rows = rows.sort_values("strain")
        c = FACET_COLORS.get(str(facet))
        (line,) = ax.plot(100 * rows.strain, rows.E_s_J_m2, "o-", color=c, label=f"({facet}) relaxed")
        ax.plot(
            100 * rows.strain,
            rows.E_s_unrelaxed_J_m2,
            "o",
            mfc="none",
            color=line.get_color(),
            label=f"({facet}) unrelaxed",
        )
    ax.set_xlabel("biaxial in-plane strain (%)")
    ax.set_ylabel("E_s (J/m^2)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, ncol=2)
    _save(fig, path)


def plot_neb_profiles(results, path, title: str) -> None:
    """Energy along each facet's relaxed band (eV, relative to the initial state) against the
    image index scaled to 0..1, with E_a = max - E_initial in the legend; with both mechanisms (DFT
    results), the hop solid and the exchange dashed."""
    import matplotlib.pyplot as plt

    style = {"hop": "o-", "exchange": "s--"}
    fig, ax = plt.subplots(figsize=(5, 3.6))
    for r in sorted(results, key=lambda r: r["facet"]):
        bands = r.get("mechanisms") or {r.get("mechanism", "hop"): r}
        for name, band in bands.items():
            E = np.asarray(band["energies_eV"], float)
            x = np.linspace(0.0, 1.0, E.size)
            ok = "" if band["converged"] else ", not converged"
            label = f"({r['facet']}) {name}: E_a = {band['E_a_eV']:.3f} eV{ok}"
            ax.plot(x, E, style.get(name, "o-"), color=FACET_COLORS.get(r["facet"]), label=label)
    ax.axhline(0.0, color="k", lw=0.6)
    ax.set_xlabel("reaction coordinate (image / (n_images + 1))")
    ax.set_ylabel("E - E_initial (eV)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    _save(fig, path)
