"""Figures of the interface analyses (one function per figure; matplotlib, Agg)."""

from __future__ import annotations

import numpy as np

CLASS_COLOURS = {"resistant": "tab:green", "partially resistant": "tab:orange", "prone": "tab:red"}
METAL_MARKERS = {"Li": "o", "Na": "s", "K": "^"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def finish(fig, ax, path, xlabel: str, ylabel: str, title: str = "", legend_size: int = 7) -> None:
    """Label the axes, add the title and legend, save at 120 dpi and close the figure."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=legend_size)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    _plt().close(fig)


def _class_key(c) -> str:
    c = str(c or "")
    for k in ("partially resistant", "resistant", "prone"):
        if c.startswith(k):
            return k
    return "undetermined"


def descriptor_map(table, path, T_K: float = 300.0) -> None:
    """Δχ_max against a_m for every interface, coloured by the classification at T_K,
    one marker per metal. ``table``: DataFrame with system, a_m, dchi_max_eV, classification, metal."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    df = table.dropna(subset=["a_m", "dchi_max_eV"])
    seen = set()
    for _, r in df.iterrows():
        ck = _class_key(r.get("classification"))
        metal = str(r.get("metal") or r["system"].split("-")[0])
        lab = f"{metal}, {ck}"
        ax.scatter(
            r["a_m"],
            r["dchi_max_eV"],
            s=70,
            marker=METAL_MARKERS.get(metal, "D"),
            c=CLASS_COLOURS.get(ck, "0.6"),
            edgecolors="k",
            label=None if lab in seen else lab,
        )
        seen.add(lab)
        ax.annotate(r["system"], (r["a_m"], r["dchi_max_eV"]), fontsize=6, xytext=(4, 3), textcoords="offset points")
    if df.empty:
        ax.text(0.5, 0.5, "no interface with descriptors", transform=ax.transAxes, ha="center")
    ax.set_xlabel("area-mismatch coefficient a$_m$")
    ax.set_ylabel("Δχ$_{max}$ (eV)")
    ax.set_title(f"Descriptor map; colour: classification at {T_K:.0f} K; marker: metal", fontsize=9)
    if seen:
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def bader_vs_height(z, charge, labels, path, title: str = "", nna=()) -> None:
    """Bader net charge (e) of every atom against its height z (Å), one colour per group; non-nuclear
    attractors (their electrons are in the nearest atom's charge) as crosses at -N."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    labels = np.asarray(labels)
    for lab in dict.fromkeys(labels):
        m = labels == lab
        ax.scatter(np.asarray(z)[m], np.asarray(charge)[m], s=22, label=lab)
    if len(nna):
        ax.scatter(
            [n["position_A"][2] for n in nna],
            [-n["electrons"] for n in nna],
            marker="x",
            c="k",
            label="non-nuclear attractor (-N, counted in nearest atom)",
        )
    ax.axhline(0, color="0.5", lw=0.8)
    finish(fig, ax, path, "z (Å)", "Bader charge q = Z - N (e)", title)


def site_resolved(sites, pairs, charge_of, path, title: str = "") -> None:
    """Left: vacancy formation energy per site against the site's Bader charge; right: ω per
    pair against the mean Bader charge of its two sites (markers: pair type)."""
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(8, 3.5))
    for tag, mk in ((1, "o"), (2, "s")):
        s = [r for r in sites if int(r["tag"]) == tag]
        if s:
            a1.scatter(
                [charge_of[int(r["site"])] for r in s],
                [r["E_form_eV"] for r in s],
                marker=mk,
                s=[12 + 6 * int(r["multiplicity"]) for r in s],
                label=f"tag{tag}",
            )
    a1.set_xlabel("Bader charge of the site (e)")
    a1.set_ylabel("E$_f$ = E$_i$ - E$_0$ + μ (eV)")
    a1.legend(fontsize=7)
    for t, mk in (("11", "o"), ("12", "^")):
        p = [r for r in pairs if str(r["type"]) == t]
        if p:
            x = [0.5 * (charge_of[int(r["i"])] + charge_of[int(r["j"])]) for r in p]
            y = [r["omega_eV"] for r in p]
            err = [r.get("omega_std_eV") for r in p]
            if all(e is not None and np.isfinite(e) for e in err):
                a2.errorbar(x, y, yerr=err, fmt=mk, label=f"({t}) ± BEEF")
            else:
                a2.scatter(x, y, marker=mk, label=f"({t})")
    a2.axhline(0, color="0.5", lw=0.8)
    a2.set_xlabel("mean Bader charge of the pair (e)")
    a2.set_ylabel("ω$_{ij}$ (eV)")
    a2.legend(fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def montecarlo_cumulants(results: list[dict], path, title: str = "") -> None:
    """Binder cumulants of the two lattice sizes per pair type, with MC and mean-field T_c."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    any_scan = False
    for r, c in zip(results, ("C0", "C3")):
        for scan in r.get("scans", []):
            ax.plot(scan["T_K"], scan["U_small"], c + "o-", ms=3, lw=0.8)
            ax.plot(scan["T_K"], scan["U_large"], c + "s--", ms=3, lw=0.8)
            any_scan = True
        if r.get("T_c_MC_K"):
            ax.axvline(
                r["T_c_MC_K"], color=c, lw=1.5, label=f"({r['pair_type']}) MC {r['T_c_MC_K']:.0f} K, N={r['sizes']}"
            )
        if r.get("T_c_meanfield_K"):
            ax.axvline(
                r["T_c_meanfield_K"],
                color=c,
                ls=":",
                lw=1.5,
                label=f"({r['pair_type']}) mean field {r['T_c_meanfield_K']:.0f} K",
            )
    if not any_scan:
        ax.text(0.5, 0.5, "no attractive pair type: no miscibility gap", transform=ax.transAxes, ha="center")
    finish(fig, ax, path, "T (K)", "Binder cumulant U$_4$ (o small, s large lattice)", title, legend_size=6)


def text_figure(text: str, path) -> None:
    """A figure that states why there is no plot (failed system, no ensemble)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 1.6))
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True, fontsize=8)
    fig.savefig(path, dpi=100)
    plt.close(fig)
