"""Height profiles of the two free surfaces of a ribbon, from atom positions (methods.md section 7.3).

A ribbon has length ``W`` along x (periodic), thickness ``b`` along y (periodic) and free surfaces
normal to z. The height profile of one surface is sampled on ``N`` native bins of width W/N at
x_j = (j + 1/2) W / N, from the solid-like atoms only (enough neighbours, :func:`coordination`), so
adatoms and vapour do not define the surface. The spectrum of these profiles is analysed in
:mod:`anodeflow.cft.spectrum`.
"""

from __future__ import annotations

import numpy as np


def surface_heights(
    pos: np.ndarray, solid: np.ndarray, Lx: float, nbins: int, z_mid: float, Lz: float, n_top: int = 1, x0: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Height profiles of the upper and lower surface of a slab, on ``nbins`` native x bins.

    ``pos`` (n, 3) positions in Angstrom, ``solid`` (n,) mask of solid-like atoms. z is
    unwrapped about ``z_mid`` (periodic length ``Lz``) so a slab crossing the boundary is
    handled. In each bin, h_top is the mean z of the ``n_top`` highest solid-like atoms above
    ``z_mid``, h_bot the mean of the ``n_top`` lowest below it (both as z - z_mid; h_bot is
    negative). Empty bins are NaN.
    """
    x = np.mod(pos[:, 0] - x0, Lx)
    dz = pos[:, 2] - z_mid
    dz -= Lz * np.round(dz / Lz)
    ib = np.minimum((x / Lx * nbins).astype(int), nbins - 1)
    h_top = np.full(nbins, np.nan)
    h_bot = np.full(nbins, np.nan)
    keep = np.asarray(solid, bool)
    ib, dz = ib[keep], dz[keep]
    order = np.lexsort((dz, ib))  # by bin, then by height
    ib, dz = ib[order], dz[order]
    starts = np.searchsorted(ib, np.arange(nbins))
    ends = np.searchsorted(ib, np.arange(nbins), side="right")
    for j in range(nbins):
        col = dz[starts[j] : ends[j]]
        up, lo = col[col > 0], col[col <= 0]
        if len(up):
            h_top[j] = up[-n_top:].mean()
        if len(lo):
            h_bot[j] = lo[:n_top].mean()
    return h_top, h_bot


def coordination(pos: np.ndarray, box: np.ndarray, cutoff: float) -> np.ndarray:
    """Number of neighbours within ``cutoff`` of each atom in an orthogonal periodic box
    (lengths ``box``; positions are wrapped into it)."""
    from scipy.spatial import cKDTree

    box = np.asarray(box, float)
    p = np.mod(pos, box)
    tree = cKDTree(p, boxsize=box)
    return np.array([len(n) - 1 for n in tree.query_ball_point(p, cutoff)])
