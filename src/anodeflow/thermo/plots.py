"""Figures of the thermo stage: the miscibility gap (binodal) of a system, and ω against settings."""

from __future__ import annotations

import numpy as np

from . import pair_model


def plot_binodal(summary: dict, path, title: str = "") -> None:
    """Miscibility gap x_V(T) for both pair types (the vacancy-poor and -rich branches)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 3.5))
    tmax = max([summary.get(f"Tc_{t}_K") or 0 for t in ("11", "12")] + [400.0]) * 1.1
    T = np.linspace(1, tmax, 400)
    for t, c in (("11", "C0"), ("12", "C3")):
        om = summary.get(f"Omega_{t}_eV")
        if om is None:
            continue
        x = pair_model.binodal(om, T)
        lab = f"({t}) T$_c$ = {summary[f'Tc_{t}_K']:.0f} K"
        ax.plot(x, T, c, label=lab)
        ax.plot(1 - x, T, c)
    ax.axhline(summary.get("classification_T_K", 300), color="0.5", ls=":", lw=1)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, tmax)
    ax.set_xlabel("vacancy fraction $x_V$")
    ax.set_ylabel("T (K)")
    ax.set_title(title + f"\n{summary.get('classification', '')}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def text_plot(path, text):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 2))
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True, fontsize=8)
    fig.savefig(path, dpi=100)
    plt.close(fig)
