"""Figures of the MD stage: melting ramps (energy vs set-point T) and thermal expansion a(T)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from anodeflow.io import read_json, save_figure


def _finish(fig, ax, out_png, xlabel: str, ylabel: str, title: str) -> None:
    """Label, legend and write a figure atomically (PNG, 120 dpi), then close it."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, out_png)


def plot_melting(npz, melting_json, out_png) -> None:
    """Potential energy per atom against set-point T on heating and cooling, with T+, T-, Tm and experiment."""
    import matplotlib.pyplot as plt

    z, m = np.load(npz), read_json(melting_json)
    runs = m.get("coexistence_runs") or []
    if runs:
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
        cmap = plt.get_cmap("coolwarm")
        Ts = [r["T_K"] for r in runs]
        lo, hi = min(Ts), max(Ts) + 1e-9
        for i, r in enumerate(runs):
            if f"coex{i}_t_ps" not in z.files:
                continue
            pe_s, L = r.get("pe_solid_eV"), r["latent_eV_per_atom"]
            f = 1.0 - (z[f"coex{i}_pe"] - pe_s) / L if pe_s is not None else z[f"coex{i}_pe"]
            ax2.plot(
                z[f"coex{i}_t_ps"],
                f,
                lw=0.8,
                color=cmap((r["T_K"] - lo) / (hi - lo)),
                label=f"{r['T_K']:g} K: {r['rate_per_ps']:+.4f}/ps",
            )
        ax2.set_xlabel("time (ps)")
        ax2.set_ylabel("solid fraction (from the energy)")
        tm = m.get("Tm_coexistence_K")
        ax2.set_title(
            "coexistence: " + (f"Tm = {tm:.0f} ± {m['Tm_coexistence_err_K']:.0f} K" if tm else "no bracket"), fontsize=9
        )
        ax2.legend(fontsize=6)
    else:
        fig, ax = plt.subplots(figsize=(5, 3.5))
    if m.get("Tm_coexistence_K"):
        ax.axvspan(
            m["Tm_coexistence_K"] - m["Tm_coexistence_err_K"],
            m["Tm_coexistence_K"] + m["Tm_coexistence_err_K"],
            color="g",
            alpha=0.2,
            label=f"coexistence Tm = {m['Tm_coexistence_K']:.0f} K",
        )
    ax.plot(z["heat_T_set"], z["heat_pe"], lw=0.8, label="heating")
    ax.plot(z["cool_T_set"], z["cool_pe"], lw=0.8, label="cooling")
    for key, name, ls in (("T_plus_K", "T+", "--"), ("T_minus_K", "T-", ":"), ("Tm_K", "Tm", "-")):
        if m.get(key):
            ax.axvline(m[key], color="k", ls=ls, lw=0.8, label=f"{name} = {m[key]:.0f} K")
    ax.axvline(m["Tm_experiment_K"], color="r", lw=0.8, label=f"expt {m['Tm_experiment_K']:.0f} K")
    _finish(fig, ax, out_png, "set-point T (K)", "potential energy (eV/atom)", f"{m['metal']}: NPT heating/cooling")


def linear_expansion_coefficient(T_K, a_A) -> float | None:
    """Mean linear thermal-expansion coefficient (1/K): slope of a straight line through a(T), divided by
    the mean a. None for fewer than two temperatures."""
    T, a = np.asarray(T_K, float), np.asarray(a_A, float)
    if len(np.unique(T)) < 2:
        return None
    return float(np.polyfit(T, a, 1)[0] / a.mean())


def plot_thermal_expansion(expansion_csv, out_png) -> None:
    """Lattice constant a(T) of the NPT bulk runs with its block standard error, and a straight-line fit."""
    import matplotlib.pyplot as plt

    df = pd.read_csv(expansion_csv).sort_values("T_K")
    metal = str(df["metal"].iloc[0]) if len(df) else "?"
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.errorbar(
        df.T_K, df.a_A, yerr=df.a_stderr_A, marker="o", ms=4, capsize=3, lw=0.8, label="NPT, P = 0 (mean ± block s.e.)"
    )
    alpha = linear_expansion_coefficient(df.T_K, df.a_A)
    if alpha is not None:
        p = np.polyfit(df.T_K, df.a_A, 1)
        ax.plot(df.T_K, np.polyval(p, df.T_K), "k--", lw=0.7, label=f"linear fit, α = {alpha:.2e} 1/K")
    _finish(fig, ax, out_png, "T (K)", "lattice constant a (Å)", f"{metal}: thermal expansion")
