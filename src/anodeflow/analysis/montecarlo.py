"""Lattice Monte Carlo of the surface-vacancy lattice gas (methods §6, "beyond the reference").

The regular-solution model of thermo gives the mean-field critical temperature
T_c = z <omega> / (4 k_B).  Mean field overestimates it; here the same pair
energies drive a Monte Carlo simulation of the lattice gas on the real surface
lattice, and the transition temperature comes from the crossing of Binder
cumulants of two lattice sizes.

Lattice gas -> Ising.  With n_i = 1 for a vacancy, H = -sum_<ij> omega_ij n_i n_j
- mu sum_i n_i (omega > 0: the pair attracts, as in thermo's omega_ij).  With
n = (1 + s)/2 this is an Ising model with J_ij = omega_ij / 4 at the coexistence
field (h = 0 on a lattice where every site has the same coordination), so the
demixing critical point is the Ising Curie point of J_ij = omega_ij / 4.
Check: the square lattice (z = 4) has k_B T_c = 2 J / ln(1 + sqrt 2)
(Onsager, Phys. Rev. 65, 117 (1944)) = 0.5673 omega, against the mean-field omega.

Sampling uses Wolff single-cluster updates (Wolff, Phys. Rev. Lett. 62, 361
(1989)) on an arbitrary graph with ferromagnetic bonds, compiled with numba; a
type with <omega> <= 0 has no miscibility gap (T_c = 0 K, as in mean field).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from ..constants import KB_EV_PER_K

#: k_B T_c / J of the square-lattice Ising model, 2 / ln(1 + sqrt(2)) (Onsager 1944)
ONSAGER_SQUARE_KTC_OVER_J = 2.0 / math.log(1.0 + math.sqrt(2.0))


# ----------------------------------------------------------------------------- graphs
@dataclass
class Graph:
    """Sites with padded neighbour lists: ``nbr[i, k]`` (-1 = none) and couplings ``J[i, k]`` (eV)."""

    nbr: np.ndarray
    J: np.ndarray

    @property
    def n(self) -> int:
        return self.nbr.shape[0]

    @property
    def degree(self) -> np.ndarray:
        return (self.nbr >= 0).sum(axis=1)


def graph_from_bonds(n: int, i: np.ndarray, j: np.ndarray, J: np.ndarray) -> Graph:
    """Graph of ``n`` sites from undirected bonds listed in both directions (i->j and j->i)."""
    i = np.asarray(i, dtype=np.int64)
    j = np.asarray(j, dtype=np.int64)
    J = np.asarray(J, dtype=np.float64)
    deg = np.bincount(i, minlength=n)
    maxdeg = int(deg.max()) if len(i) else 0
    nbr = -np.ones((n, max(maxdeg, 1)), dtype=np.int64)
    cpl = np.zeros((n, max(maxdeg, 1)), dtype=np.float64)
    fill = np.zeros(n, dtype=np.int64)
    for a, b, c in zip(i, j, J):
        nbr[a, fill[a]] = b
        cpl[a, fill[a]] = c
        fill[a] += 1
    return Graph(nbr, cpl)


def square_lattice(L: int, J: float) -> Graph:
    """Periodic L x L square lattice with coupling J (eV) on every nearest-neighbour bond."""
    idx = np.arange(L * L).reshape(L, L)
    ii, jj = [], []
    for shift in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        ii.append(idx.ravel())
        jj.append(np.roll(idx, shift, axis=(0, 1)).ravel())
    i = np.concatenate(ii)
    j = np.concatenate(jj)
    return graph_from_bonds(L * L, i, j, np.full(len(i), J))


def nearest_bonds(
    pos_a: np.ndarray, pos_b: np.ndarray, cell: np.ndarray, rel_tol: float = 0.1, inplane_only: bool = False
):
    """Nearest (a, b) site pairs under in-plane periodicity.

    ``pos_a`` and ``pos_b`` are Cartesian positions (Å) of two site sets (the same
    array for pairs within one plane), ``cell`` the 3x3 cell with vectors 0 and 1 in
    plane.  A pair is nearest when its distance is within ``rel_tol`` of the shortest
    a-b distance; with ``inplane_only`` distances use x, y only ("nearest within the
    plane", methods §6).  Returns (ia, ib, shift, d): ``shift`` the integer in-plane
    lattice translation of b.
    """
    pos_a = np.asarray(pos_a, float)
    pos_b = np.asarray(pos_b, float)
    cell = np.asarray(cell, float)
    same = pos_a is pos_b or (pos_a.shape == pos_b.shape and np.allclose(pos_a, pos_b))
    rows = []
    rng = range(-2, 3)
    for n1 in rng:
        for n2 in rng:
            t = n1 * cell[0] + n2 * cell[1]
            d = pos_b[None, :, :] + t[None, None, :] - pos_a[:, None, :]
            if inplane_only:
                d = d[..., :2]
            r = np.linalg.norm(d, axis=-1)
            for ia, ib in zip(*np.nonzero(r > 1e-6)):
                rows.append((ia, ib, n1, n2, r[ia, ib]))
    if not rows:
        raise ValueError("no site pairs found")
    rows = np.array(rows)
    dmin = rows[:, 4].min()
    keep = rows[rows[:, 4] <= dmin * (1.0 + rel_tol)]
    del same
    return (keep[:, 0].astype(int), keep[:, 1].astype(int), keep[:, 2:4].astype(int), keep[:, 4])


def supercell_graph(n_a: int, n_b: int, ia, ib, shift, J: float, reps: int, bipartite: bool) -> Graph:
    """Replicate a periodic cell's bonds ``reps x reps`` times into a graph.

    Sites of set a are numbered ``(c * n_a + ia)`` for cell c; for a bipartite
    graph (two different site sets) the b sites follow after all a sites and
    every bond is added in both directions.
    """
    ia = np.asarray(ia)
    ib = np.asarray(ib)
    shift = np.asarray(shift)
    ncell = reps * reps
    n_total = ncell * n_a + (ncell * n_b if bipartite else 0)
    src, dst = [], []
    for c1 in range(reps):
        for c2 in range(reps):
            c = c1 * reps + c2
            t1 = (c1 + shift[:, 0]) % reps
            t2 = (c2 + shift[:, 1]) % reps
            ct = t1 * reps + t2
            a = c * n_a + ia
            if bipartite:
                b = ncell * n_a + ct * n_b + ib
                src += [a, b]
                dst += [b, a]
            else:
                b = ct * n_a + ib
                src.append(a)
                dst.append(b)
    src = np.concatenate(src)
    dst = np.concatenate(dst)
    # a small supercell can map two distinct bonds onto one pair: keep each directed pair once
    pairs = np.unique(np.stack([src, dst], axis=1), axis=0)
    return graph_from_bonds(n_total, pairs[:, 0], pairs[:, 1], np.full(len(pairs), J))


# ----------------------------------------------------------------------------- sampling
@numba.njit(cache=True)
def _wolff_run(nbr, J, beta, s, n_therm, n_meas, seed):
    np.random.seed(seed)
    n = s.shape[0]
    maxdeg = nbr.shape[1]
    padd = np.zeros_like(J)
    for i in range(n):
        for k in range(maxdeg):
            if nbr[i, k] >= 0 and J[i, k] > 0.0:
                padd[i, k] = 1.0 - math.exp(-2.0 * beta * J[i, k])
    stack = np.empty(n, dtype=np.int64)
    m2 = 0.0
    m4 = 0.0
    mabs = 0.0
    e1 = 0.0
    e2 = 0.0
    for it in range(n_therm + n_meas):
        # one "sweep": clusters until about n spins were flipped
        flipped = 0
        while flipped < n:
            seed_site = np.random.randint(n)
            sign = s[seed_site]
            s[seed_site] = -sign
            top = 0
            stack[top] = seed_site
            top += 1
            flipped += 1
            while top > 0:
                top -= 1
                i = stack[top]
                for k in range(maxdeg):
                    j = nbr[i, k]
                    if j < 0:
                        break
                    if s[j] == sign and np.random.random() < padd[i, k]:
                        s[j] = -sign
                        stack[top] = j
                        top += 1
                        flipped += 1
        if it >= n_therm:
            m = 0.0
            for i in range(n):
                m += s[i]
            m /= n
            e = 0.0
            for i in range(n):
                for k in range(maxdeg):
                    j = nbr[i, k]
                    if j < 0:
                        break
                    e -= 0.5 * J[i, k] * s[i] * s[j]
            e /= n
            m2 += m * m
            m4 += m * m * m * m
            mabs += abs(m)
            e1 += e
            e2 += e * e
    return m2 / n_meas, m4 / n_meas, mabs / n_meas, e1 / n_meas, e2 / n_meas


def sample(graph: Graph, T_K: float, n_therm: int = 200, n_meas: int = 2000, seed: int = 0) -> dict:
    """Wolff sampling of the Ising model on ``graph`` at temperature ``T_K``.

    Returns per-site moments: ``m2``, ``m4``, ``mabs``, energy ``e`` (eV/site),
    the Binder cumulant ``U = 1 - <m^4>/(3<m^2>^2)``, and the specific heat per
    site ``c`` (in k_B).
    """
    if np.any(graph.J[graph.nbr >= 0] < 0):
        raise ValueError("Wolff updates need ferromagnetic couplings (omega > 0)")
    beta = 1.0 / (KB_EV_PER_K * T_K)
    s = np.ones(graph.n, dtype=np.int64)
    m2, m4, mabs, e1, e2 = _wolff_run(graph.nbr, graph.J, beta, s, n_therm, n_meas, seed)
    return {
        "T_K": T_K,
        "m2": m2,
        "m4": m4,
        "mabs": mabs,
        "e": e1,
        "U": 1.0 - m4 / (3.0 * m2 * m2),
        "c": graph.n * beta**2 * (e2 - e1**2),
    }


def _crossing(T, Ua, Ub):
    """Highest temperature where U_a - U_b changes sign (linear interpolation), or None.

    Scanning down from the top avoids the ordered phase, where both cumulants sit
    at 2/3 and their difference is noise."""
    d = np.asarray(Ua) - np.asarray(Ub)
    for k in range(len(T) - 2, -1, -1):
        if d[k + 1] == 0:
            return float(T[k + 1])
        if d[k] * d[k + 1] < 0:
            return float(T[k] + (T[k + 1] - T[k]) * d[k] / (d[k] - d[k + 1]))
    return None


def binder_crossing(
    graphs: list[Graph],
    T_grid,
    n_therm: int = 200,
    n_meas: int = 2000,
    seed: int = 0,
    refine: int = 1,
    refine_points: int = 7,
) -> dict:
    """Transition temperature from the crossing of the Binder cumulants of two graphs.

    ``graphs`` = [small, large] lattices of the same kind.  A first scan over
    ``T_grid`` brackets the crossing; ``refine`` further scans on a finer grid
    around it.  Returns ``T_c_K`` (None when the cumulants do not cross in the
    grid), the scans and sizes.
    """
    if len(graphs) != 2:
        raise ValueError("give two lattice sizes")
    scans = []
    T = np.asarray(T_grid, float)
    Tc = None
    for level in range(refine + 1):
        U = [
            [sample(g, t, n_therm, n_meas, seed + 7919 * k + 104729 * level).get("U") for t in T]
            for k, g in enumerate(graphs)
        ]
        scans.append({"T_K": T.tolist(), "U_small": U[0], "U_large": U[1]})
        Tc = _crossing(T, U[1], U[0])  # large above small below T_c, below above
        if Tc is None:
            break
        if level < refine:
            dT = T[1] - T[0]
            T = np.linspace(Tc - dT, Tc + dT, refine_points)
    return {"T_c_K": Tc, "sizes": [g.n for g in graphs], "scans": scans}


# ----------------------------------------------------------------------------- surface lattices
def site_graphs(
    pos1, pos2, cell, omega_eV: float, pair_type: str, n_small: int = 64, n_large: int = 256, rel_tol: float = 0.1
):
    """Small and large periodic lattices of one pair type from the surface's site positions.

    ``pos1``/``pos2`` are the tag1 / tag2 positions (Å) in the interface cell.
    Type ``"11"``: tag1 sites, bonds to the nearest tag1 sites within the plane.
    Type ``"12"``: tag1 and tag2 sites, bonds from each tag1 site to its nearest
    tag2 sites.  Each bond carries J = omega / 4.  The cell is repeated so that
    the lattices hold about ``n_small`` and ``n_large`` sites.  Returns
    (small, large, z) with z the coordination of a tag1 site in that type.
    """
    J = omega_eV / 4.0
    if pair_type == "11":
        ia, ib, shift, _ = nearest_bonds(pos1, pos1, cell, rel_tol, inplane_only=True)
        n_a, n_b, bip = len(pos1), 0, False
        per_cell = len(pos1)
    elif pair_type == "12":
        ia, ib, shift, _ = nearest_bonds(pos1, pos2, cell, rel_tol)
        n_a, n_b, bip = len(pos1), len(pos2), True
        per_cell = len(pos1) + len(pos2)
    else:
        raise ValueError(f"pair type must be '11' or '12', got {pair_type!r}")
    z = len(ia) / len(pos1)
    out = []
    for target in (n_small, n_large):
        reps = max(2, int(round(math.sqrt(target / per_cell))))
        out.append(supercell_graph(n_a, n_b, ia, ib, shift, J, reps, bip))
    if out[0].n == out[1].n:
        out[1] = supercell_graph(n_a, n_b, ia, ib, shift, J, int(round(math.sqrt(out[0].n / per_cell))) * 2, bip)
    return out[0], out[1], z


def lattice_tc(
    pos1,
    pos2,
    cell,
    omega_eV: float,
    pair_type: str,
    n_small: int = 64,
    n_large: int = 256,
    n_T: int = 9,
    n_therm: int = 200,
    n_meas: int = 2000,
    seed: int = 0,
    refine: int = 1,
) -> dict:
    """Monte Carlo transition temperature of one pair type next to its mean-field value.

    The scan runs from 0.3 to 1.05 of the mean-field T_c = z omega / (4 k_B).
    A type with omega <= 0 has no miscibility gap: T_c = 0 K in both.
    """
    small, large, z = site_graphs(pos1, pos2, cell, omega_eV, pair_type, n_small, n_large)
    tmf = z * omega_eV / (4.0 * KB_EV_PER_K)
    res = {
        "pair_type": pair_type,
        "omega_eV": omega_eV,
        "z": z,
        "T_c_meanfield_K": max(tmf, 0.0),
        "sizes": [small.n, large.n],
    }
    if omega_eV <= 0:
        res.update({"T_c_MC_K": 0.0, "note": "omega <= 0: no miscibility gap", "scans": []})
        return res
    cr = binder_crossing([small, large], np.linspace(0.3, 1.05, n_T) * tmf, n_therm, n_meas, seed, refine)
    res["T_c_MC_K"] = cr["T_c_K"]
    res["scans"] = cr["scans"]
    res["ratio_MC_over_MF"] = None if cr["T_c_K"] is None else cr["T_c_K"] / tmf
    if cr["T_c_K"] is None:
        res["note"] = "Binder cumulants did not cross within 0.3-1.05 T_c(MF)"
    return res
