"""Figures of the phase field: grain-map snapshots and animation, dU(T), the phase map."""

from __future__ import annotations

import os

import numpy as np

from ..io import atomic_path
from .model import ORIENTATIONS

COLORS = {"001": "#d62728", "101": "#1f77b4", "111": "#2ca02c"}


def _cmap():
    from matplotlib.colors import ListedColormap

    return ListedColormap(["#f2f2f2", "#7f7f7f"] + [COLORS[o] for o in ORIENTATIONS])


def _rgb_index(gmap, orientation, substrate):
    """0 empty, 1 substrate, 2.. orientation."""
    out = np.where(gmap >= 0, orientation[np.maximum(gmap, 0)] + 2, 0)
    j = np.arange(gmap.shape[0])[:, None]
    out[j < substrate[None, :]] = 1
    return out


def _save_png(fig, path, tight: bool = True) -> None:
    """Write the figure (atomically); ``tight=False`` keeps a layout the caller has made (e.g. room for a
    figure legend)."""
    import matplotlib.pyplot as plt

    if tight:
        fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    plt.close(fig)


def plot_snapshots(res: dict, path, title: str) -> None:
    """Four grain maps of a run (growth result of :func:`.growth.run_growth`), coloured by orientation."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    frames, times = res["frames"], res["times"]
    st, p = res["setup"], res["params"]
    pick = np.unique(np.linspace(0, len(frames) - 1, 4).round().astype(int))
    fig, axes = plt.subplots(len(pick), 1, figsize=(7, 1.2 + 1.3 * len(pick)), sharex=True)
    ext = [0, p.nx * p.dx, 0, p.ny * p.dx]
    for ax, k in zip(np.atleast_1d(axes), pick):
        ax.imshow(
            _rgb_index(frames[k], st.orientation, st.substrate),
            origin="lower",
            cmap=_cmap(),
            vmin=0,
            vmax=4,
            extent=ext,
            interpolation="nearest",
        )
        ax.set_ylabel("z (um)")
        ax.set_title(f"t = {times[k]:.0f} s", fontsize=9)
    np.atleast_1d(axes)[-1].set_xlabel("x (um)")
    fig.legend(
        handles=[Patch(color=COLORS[o], label=f"({o})") for o in ORIENTATIONS], loc="upper right", ncol=3, fontsize=8
    )
    fig.suptitle(title, fontsize=10, x=0.35)
    _save_png(fig, path)


def write_animation(res: dict, path, title: str) -> None:
    """Every sampled grain map of a run as an animated GIF (12 frames/s)."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter

    frames, times = res["frames"], res["times"]
    st, p = res["setup"], res["params"]
    fig, ax = plt.subplots(figsize=(7, 3))
    ext = [0, p.nx * p.dx, 0, p.ny * p.dx]
    im = ax.imshow(
        _rgb_index(frames[0], st.orientation, st.substrate),
        origin="lower",
        cmap=_cmap(),
        vmin=0,
        vmax=4,
        extent=ext,
        interpolation="nearest",
    )
    ax.set_xlabel("x (um)")
    ax.set_ylabel("z (um)")

    def upd(k):
        im.set_data(_rgb_index(frames[k], st.orientation, st.substrate))
        ax.set_title(f"{title}   t = {times[k]:.0f} s", fontsize=9)
        return (im,)

    anim = FuncAnimation(fig, upd, frames=len(frames), blit=False)
    with atomic_path(path) as tmp:
        gif = str(tmp) + ".gif"  # Pillow picks the format from the suffix
        try:
            anim.save(gif, writer=PillowWriter(fps=12))
            os.replace(gif, tmp)
        finally:
            if os.path.exists(gif):
                os.unlink(gif)
    plt.close(fig)


def plot_temperature_analysis(df, crossovers: dict, points: list, runs, path) -> None:
    """dU(T) per metal, condition and current density (kJ/m^3; ``runs``/``crossovers`` keyed
    "metal condition j") with its crossover temperatures; one panel per current density."""
    import matplotlib.pyplot as plt

    js = sorted({float(k.rsplit(" ", 1)[1]) for k in runs})
    fig, axes = plt.subplots(1, len(js), figsize=(5.5 * len(js), 4.5), squeeze=False)
    styles = {"liquid": "-", "solid": "--"}
    for ax, jd in zip(axes[0], js):
        for key in runs:
            metal, cond, jk = key.split(" ")
            if float(jk) != jd:
                continue
            m = df[
                (df.metal == metal) & (df.condition == cond) & (df.source == "dU") & (df.current_density_mA_cm2 == jd)
            ]
            (line,) = ax.plot(m.T_K, m.dU_J_m3 / 1e3, styles.get(cond, ":"), label=f"{metal} {cond}")
            for tc in crossovers.get(key, []):
                ax.axvline(tc, color=line.get_color(), ls=":", lw=1)
                ax.annotate(f"{tc:.0f} K", (tc, 0), color=line.get_color(), fontsize=8, rotation=90, va="bottom")
        ax.axhline(0, color="k", lw=0.8)
        ax.set_xlabel("T (K)")
        ax.set_ylabel("dU_12 = U(001) - U(101) (kJ/m^3);  > 0: (101) favoured")
        ax.set_title(f"{jd:g} mA/cm^2", fontsize=9)
        ax.legend(fontsize=7)
    _save_png(fig, path)


def plot_winners(win, path) -> None:
    """Per metal and condition (rows of panels) and current density (columns): at each temperature the
    orientation dU favours (open square, left), the phase-field winner (filled circle, right, with its
    top-layer share) and the orientation selected between (001) and (101) from seed layer to top (triangle, with
    the change of (001)'s pair share in points; a dash for a tie), coloured by orientation."""
    import matplotlib.pyplot as plt

    keys = sorted({(r.metal, r.condition) for r in win.itertuples()})
    js = sorted(set(win.current_density_mA_cm2))
    fig, axes = plt.subplots(len(keys), len(js), figsize=(3.6 * len(js), 1.8 + 1.1 * len(keys)), squeeze=False)
    for a, (metal, cond) in enumerate(keys):
        for b, jd in enumerate(js):
            ax = axes[a][b]
            w = win[(win.metal == metal) & (win.condition == cond) & (win.current_density_mA_cm2 == jd)]
            for r in w.itertuples():
                ax.scatter(
                    [r.T_K - 6],
                    [0],
                    marker="s",
                    s=70,
                    facecolors="none",
                    edgecolors=COLORS[r.dU_favoured],
                    linewidths=2,
                )
                sel = getattr(r, "pf_selected", None)
                d = getattr(r, "d_share_001", float("nan"))
                if isinstance(sel, str):
                    ax.scatter([r.T_K + 6], [-0.45], marker="^", s=40, color=COLORS[sel])
                elif np.isfinite(d):
                    ax.scatter([r.T_K + 6], [-0.45], marker="_", s=60, color="0.4")
                if np.isfinite(d):
                    ax.annotate(
                        f"{100 * d:+.0f}",
                        (r.T_K + 6, -0.45),
                        textcoords="offset points",
                        xytext=(0, -10),
                        ha="center",
                        fontsize=6,
                    )
                if r.pf_winner:
                    ax.scatter([r.T_K + 6], [0], marker="o", s=70, color=COLORS[r.pf_winner])
                    share = getattr(r, f"frac_{r.pf_winner}")
                    ax.annotate(
                        f"{share:.0%}",
                        (r.T_K + 6, 0),
                        textcoords="offset points",
                        xytext=(0, 7),
                        ha="center",
                        fontsize=6,
                    )
            ax.set_yticks([])
            ax.set_ylim(-1, 1)
            ax.set_xlim(min(win.T_K) - 25, max(win.T_K) + 25)
            ax.set_xticks(sorted(set(win.T_K)))
            ax.set_title(f"{metal} {cond}, {jd:g} mA/cm^2", fontsize=8)
            if a == len(keys) - 1:
                ax.set_xlabel("T (K)")
    handles = [plt.Line2D([], [], marker="o", ls="", color=COLORS[o], label=f"({o})") for o in ORIENTATIONS]
    handles += [
        plt.Line2D([], [], marker="s", ls="", mfc="none", mec="k", label="favoured by dU"),
        plt.Line2D([], [], marker="o", ls="", color="k", label="phase-field winner"),
        plt.Line2D([], [], marker="^", ls="", color="k", label="selected: change of the (001)/(101) share (points)"),
        plt.Line2D([], [], marker="_", ls="", color="0.4", label="tie (< one nucleus)"),
    ]
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=7)
    _save_png(fig, path, tight=False)


def plot_phase_map(df, markers: dict, path) -> None:
    """Top-layer fraction (101) - (001) over anisotropy x E_a(101), the zero contour, the winner per
    point, and the real metals/conditions (``markers``: {label: (anisotropy, E_a_101)})."""
    import matplotlib.pyplot as plt

    A, B = sorted(df.anisotropy.unique()), sorted(df.E_a_101_eV.unique())
    Z = np.full((len(B), len(A)), np.nan)
    for _, r in df.iterrows():
        Z[B.index(r.E_a_101_eV), A.index(r.anisotropy)] = r.frac_101 - r.frac_001
    fig, ax = plt.subplots(figsize=(6, 4.5))
    im = ax.pcolormesh(A, B, Z, cmap="RdBu", vmin=-1, vmax=1, shading="nearest")
    if len(A) > 1 and len(B) > 1:
        ax.contour(A, B, Z, levels=[0.0], colors="k", linewidths=1)
    fig.colorbar(im, ax=ax, label="top-layer fraction (101) - (001)")
    for _, r in df.iterrows():
        ax.text(r.anisotropy, r.E_a_101_eV, f"({r.winner})", ha="center", va="center", fontsize=6)
    for lab, (a, e) in markers.items():
        ax.plot([a], [e], "k*", ms=9)
        ax.annotate(lab, (a, e), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.set_xlabel("surface-energy anisotropy  E_s(001)/E_s(101) - 1")
    ax.set_ylabel("E_a (101) (eV)")
    ax.set_title("blue: (101) strain-energy minimising wins;  red: (001) surface-energy minimising", fontsize=8)
    _save_png(fig, path)
