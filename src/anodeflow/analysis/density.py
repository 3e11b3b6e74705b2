"""Planar maps of the electron density at the interface (methods §6).

The all-electron density is integrated along z between the tag2/tag1 mid-plane and the
tag1/coating mid-plane (for an isolated slab: tag1 plus half the tag2-tag1 spacing), giving
n(x, y) in e/Å^2; the map shows log10 of it with tag1/tag2 sites and per-pair omega on top.
"""

from __future__ import annotations

import numpy as np


def window(positions, tags, is_metal) -> tuple[float, float]:
    """(z_low, z_high) in Å: the tag2/tag1 and tag1/coating mid-planes."""
    z = np.asarray(positions)[:, 2]
    tags = np.asarray(tags)
    is_metal = np.asarray(is_metal, bool)
    z1 = z[tags == 1].mean()
    z2 = z[tags == 2].mean()
    lo = 0.5 * (z1 + z2)
    coat = z[~is_metal]
    coat = coat[coat > z1]
    hi = 0.5 * (z1 + coat.min()) if len(coat) else z1 + 0.5 * (z1 - z2)
    return float(lo), float(hi)


def planar_integral(rho, cell, z_lo: float, z_hi: float) -> np.ndarray:
    """Integral of rho (e/Å^3, grid over the cell, cell[2] along z) over z in [z_lo, z_hi] (e/Å^2)."""
    rho = np.asarray(rho, float)
    cell = np.asarray(cell, float)
    if abs(cell[2, 0]) > 1e-6 or abs(cell[2, 1]) > 1e-6:
        raise ValueError("the third cell vector must be along z")
    nz = rho.shape[2]
    dz = cell[2, 2] / nz
    z = np.arange(nz) * dz
    w = np.clip(np.minimum(z + dz / 2, z_hi) - np.maximum(z - dz / 2, z_lo), 0.0, None)
    return np.tensordot(rho, w, axes=([2], [0]))


def plot_map(nxy, cell, positions, tags, pairs, path, title: str = "", z_window=None) -> None:
    """log10 n(x, y) with tag1 (filled) and tag2 (open) sites and pair lines coloured by omega."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import cm, colors

    cell = np.asarray(cell, float)
    reps = 2  # the cell repeated 2 x 2 so that pairs across the boundary stay in view
    tiled = np.tile(nxy, (reps, reps))
    n1, n2 = tiled.shape
    f1 = reps * np.arange(n1 + 1) / n1
    f2 = reps * np.arange(n2 + 1) / n2
    F1, F2 = np.meshgrid(f1, f2, indexing="ij")
    X = F1 * cell[0, 0] + F2 * cell[1, 0]
    Y = F1 * cell[0, 1] + F2 * cell[1, 1]
    fig, ax = plt.subplots(figsize=(6, 5))
    pc = ax.pcolormesh(X, Y, np.log10(np.clip(tiled, 1e-6, None)), cmap="viridis", shading="flat")
    fig.colorbar(pc, ax=ax, label="log$_{10}$ n (e/Å$^2$)")
    pos = np.asarray(positions, float)
    tags = np.asarray(tags)
    frac = np.linalg.solve(cell[:2, :2].T, pos[:, :2].T).T % 1.0
    xy = frac @ cell[:2, :2]
    images = [a * cell[0, :2] + b * cell[1, :2] for a in range(reps) for b in range(reps)]
    for k, s in enumerate(images):
        ax.scatter(
            *(xy[tags == 2] + s).T,
            s=40,
            facecolors="none",
            edgecolors="w",
            linewidths=1.2,
            label="tag2" if k == 0 else None,
        )
        ax.scatter(
            *(xy[tags == 1] + s).T, s=40, c="r", edgecolors="k", linewidths=0.6, label="tag1" if k == 0 else None
        )
    if pairs is not None and len(pairs):
        om = np.array([p["omega_eV"] for p in pairs], float)
        lim = max(np.nanmax(np.abs(om)), 1e-3) if np.isfinite(om).any() else 1.0
        norm = colors.TwoSlopeNorm(vcenter=0.0, vmin=-lim, vmax=lim)
        cmap = plt.get_cmap("coolwarm")
        shifts = [a * cell[0, :2] + b * cell[1, :2] for a in (-1, 0, 1) for b in (-1, 0, 1)]
        centre = 0.5 * reps * (cell[0, :2] + cell[1, :2])
        for p, w in zip(pairs, om):
            i, j = int(p["i"]), int(p["j"])
            # the image of site i nearest the centre of the view, then the nearest image of j
            pi = min(
                (xy[i] + s for s in shifts + [sh + cell[0, :2] + cell[1, :2] for sh in shifts]),
                key=lambda q: np.linalg.norm(q - centre),
            )
            pj = min((xy[j] + s + (pi - xy[i]) for s in shifts), key=lambda q: np.linalg.norm(q - pi))
            ax.plot(
                [pi[0], pj[0]], [pi[1], pj[1]], color=cmap(norm(w)), lw=3, ls="-" if str(p["type"]) == "11" else "--"
            )
            mid = 0.5 * (pi + pj)
            ax.annotate(f"{w * 1000:.0f}", mid, color="w", fontsize=7, ha="center")
        fig.colorbar(cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, label="ω (eV): solid 11, dashed 12")
    ax.set_aspect("equal")
    ax.set_xlabel("x (Å)")
    ax.set_ylabel("y (Å)")
    zt = "" if z_window is None else f"\nz in [{z_window[0]:.2f}, {z_window[1]:.2f}] Å; ω labels in meV"
    ax.set_title(title + zt, fontsize=9)
    ax.legend(loc="upper right", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
