"""Vacancy sites, nearest pairs and coordination numbers of the tag1/tag2 surface lattice.

Everything here works on the *built* (unrelaxed) structure, so the enumeration is cheap and
deterministic and can run before any DFT job (the vacancy jobs then start from the relaxed
pristine geometry, with the same atom indices).

Definitions (methods.md §6):

* tag1 = metal atoms of the top metal plane, tag2 = those of the second plane;
* a type-11 pair is a pair of tag1 sites at the smallest tag1–tag1 distance *within the plane*;
  a type-12 pair joins a tag1 site to a tag2 site at the smallest tag1–tag2 distance;
* z_11 (z_12) = number of such nearest sites around one tag1 site, periodic images included.

Hand-derived values for ideal bcc slabs (lattice constant a), checked in tests:

=======  ==================================  ====  ==================================  ====
facet    nearest in-plane (11) neighbours     z_11  nearest second-plane (12)            z_12
=======  ==================================  ====  ==================================  ====
(100)    square net, ±a x, ±a y (bulk 2nd nn)  4     (±a/2, ±a/2, −a/2): bulk 1st nn      4
(110)    (a/2)(1,−1,±1), (a/2)(−1,1,±1)        4     (a/2)(−1,−1,±1): bulk 1st nn         2
(111)    triangular net, 6 at a√2              6     3 bulk 1st nn, a/(2√3) below         3
=======  ==================================  ====  ==================================  ====
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ase import Atoms

from .structures import BuildError

SHELL_TOL_A = 0.15  # distances within this of the shortest belong to the nearest shell
SYMPREC_A = 0.05  # spglib tolerance on the built (ideal) structure


class SingleImageError(BuildError):
    """The in-plane cell is too small for every vacancy pair to be bonded through one periodic image."""


@dataclass
class Enumeration:
    sites: list = field(default_factory=list)  # {index, tag, multiplicity, orbit}
    pairs: list = field(default_factory=list)  # {i, j, type, multiplicity, distance_A}
    z_11: float = 0.0
    z_12: float = 0.0
    d_11_A: float = 0.0
    d_12_A: float = 0.0
    n_symmetry_ops: int = 1
    single_image: dict = field(default_factory=dict)  # the single-image check (check_single_image)
    # None: full enumeration; else the sample drawn by ``sample_pairs`` (pairs then carry ``draws``)
    sampling: dict | None = None

    def n_full_configurations(self) -> int:
        """Configurations of the full enumeration: pristine, every distinct site, every distinct pair."""
        return 1 + len(self.sites) + len(self.pairs)

    def configurations(self) -> list[dict]:
        """Every DFT configuration the system needs: pristine, single vacancies, divacancies. When the
        pairs were sampled, only the drawn pairs and the sites they rest on."""
        pairs = [p for p in self.pairs if self.sampling is None or p.get("draws", 0) > 0]
        rep = {a: s["index"] for s in self.sites for a in s["orbit"]}
        needed = {rep[k] for p in pairs for k in (p["i"], p["j"])}
        out = [{"id": "pristine", "removed": []}]
        out += [
            {"id": f"v_{s['index']}", "removed": [s["index"]]}
            for s in self.sites
            if self.sampling is None or s["index"] in needed
        ]
        out += [{"id": f"vv_{p['i']}_{p['j']}", "removed": [p["i"], p["j"]]} for p in pairs]
        return out

    def to_dict(self) -> dict:
        return {
            "sites": self.sites,
            "pairs": self.pairs,
            "z_11": self.z_11,
            "z_12": self.z_12,
            "d_11_A": self.d_11_A,
            "d_12_A": self.d_12_A,
            "n_symmetry_ops": self.n_symmetry_ops,
            "single_image": self.single_image,
            "n_full_configurations": self.n_full_configurations(),
            "sampling": self.sampling,
            "configurations": self.configurations(),
        }


def inplane_symmetry_permutations(atoms: Atoms, symprec: float = SYMPREC_A) -> np.ndarray:
    """Atom permutations of the symmetry operations that keep the surface normal (+z) and the
    slab's height: the 2D (layer) group of the slab. Shape (n_ops, n_atoms)."""
    import spglib

    cell = (atoms.cell.array, atoms.get_scaled_positions(), atoms.numbers)
    ds = spglib.get_symmetry(cell, symprec=symprec)
    frac = atoms.get_scaled_positions()
    perms = []
    for R, t in zip(ds["rotations"], ds["translations"]):
        if not (R[2] == [0, 0, 1]).all() or abs(t[2] - round(t[2])) > 1e-3:
            continue
        new = frac @ R.T + t
        d = new[:, None, :] - frac[None, :, :]
        d -= np.round(d)
        dist = np.linalg.norm(d @ atoms.cell.array, axis=2)
        perm = dist.argmin(axis=1)
        if dist[np.arange(len(atoms)), perm].max() > 2 * symprec or len(set(perm)) != len(atoms):
            continue
        perms.append(perm)
    if not perms:
        perms = [np.arange(len(atoms))]
    return np.unique(np.array(perms), axis=0)


def _image_shifts(atoms: Atoms, nrep=2, radius: float | None = None) -> np.ndarray:
    """In-plane lattice translations a*a1 + b*a2, |a| <= n1, |b| <= n2, the zero shift in the middle.

    With ``radius`` (Å), n_k is large enough that every image of every atom of the (wrapped) cell
    within ``radius`` of any atom of the cell is included, however oblique the cell."""
    cell = atoms.cell.array
    if radius is None:
        n1 = n2 = int(nrep)
    else:
        area = float(np.linalg.norm(np.cross(cell[0], cell[1])))
        # spacing of the lattice lines along a2 (counted by the a1 index) and along a1
        h1, h2 = area / np.linalg.norm(cell[1]), area / np.linalg.norm(cell[0])
        n1, n2 = int(np.ceil(radius / h1)) + 1, int(np.ceil(radius / h2)) + 1
    return np.array([a * cell[0] + b * cell[1] for a in range(-n1, n1 + 1) for b in range(-n2, n2 + 1)])


def _image_distances(atoms: Atoms, i: int, j_idx: np.ndarray, nrep: int = 2, radius: float | None = None) -> np.ndarray:
    """Distances from atom i to atoms j over in-plane periodic images, shape (len(j), n_images);
    column (n_images - 1) // 2 is the zero shift."""
    shifts = _image_shifts(atoms, nrep, radius)
    d = atoms.positions[j_idx][:, None, :] + shifts[None, :, :] - atoms.positions[i]
    return np.linalg.norm(d, axis=2)


# ----------------------------------------------------------------------------- single-image rule (methods §6)


def reduced_inplane_basis(v1, v2) -> tuple[np.ndarray, np.ndarray]:
    """Lagrange–Gauss reduced basis of the 2D lattice spanned by ``v1``, ``v2``: the first vector is
    a shortest nonzero lattice vector, the second the shortest one independent of it."""
    a, b = np.asarray(v1, float), np.asarray(v2, float)
    if a @ a > b @ b:
        a, b = b, a
    while True:
        b = b - np.round((a @ b) / (a @ a)) * a
        if b @ b >= a @ a - 1e-12:
            return a, b
        a, b = b, a


def shortest_inplane_vector(v1, v2) -> float:
    """Length (Å) of the shortest nonzero vector of the 2D lattice spanned by ``v1``, ``v2``."""
    return float(np.linalg.norm(reduced_inplane_basis(v1, v2)[0]))


def single_image_length(d_max: float) -> float:
    """Every in-plane lattice vector must be longer than this (Å): 2 (d_max + SHELL_TOL_A).

    Two images of j, at r_j + T and r_j + T', both within the pair cutoff d_max + tol of i would
    need |T - T'| <= 2 (d_max + tol); T - T' is a lattice vector, so a cell whose shortest lattice
    vector is longer than that bonds every pair through exactly one image (methods §6)."""
    return 2.0 * (float(d_max) + SHELL_TOL_A)


def single_image_repeats(
    v1, v2, d_max: float, min_length: float = 0.0, min_repeats: int = 1, max_area: float | None = None
) -> tuple[int, int] | None:
    """Smallest repeat (n1, n2) of the in-plane cell (v1, v2) for the single-image rule.

    Every vector of the repeated lattice (the shortest vector of its reduced cell, so oblique cells
    are covered) must be longer than :func:`single_image_length` (``d_max``); besides, n_k |v_k| >=
    ``min_length`` and n_k >= ``min_repeats``. Smallest means fewest cells (n1 n2), then the longest
    shortest vector, then the smaller n1. None when no repeat fits within ``max_area`` (Å^2)."""
    v1, v2 = np.asarray(v1, float), np.asarray(v2, float)
    need = single_image_length(d_max)
    area = float(np.linalg.norm(np.cross(v1, v2)))
    target = max(need, min_length)
    # a vector k1 n1 v1 + k2 n2 v2 with k2 != 0 is at least n2 * area/|v1| long (and vice versa), so
    # these bounds contain every admissible minimal repeat
    nmax = [
        int(np.ceil(target / min(np.linalg.norm(v), area / np.linalg.norm(w)))) + 1 for v, w in ((v1, v2), (v2, v1))
    ]
    best = None
    for n1 in range(max(1, min_repeats), max(nmax[0], min_repeats) + 1):
        for n2 in range(max(1, min_repeats), max(nmax[1], min_repeats) + 1):
            if max_area is not None and n1 * n2 * area > max_area + 1e-6:
                continue
            if n1 * np.linalg.norm(v1) < min_length - 1e-9 or n2 * np.linalg.norm(v2) < min_length - 1e-9:
                continue
            L = shortest_inplane_vector(n1 * v1, n2 * v2)
            if L <= need:
                continue
            key = (n1 * n2, -round(L, 6), n1)
            if best is None or key < best[0]:
                best = (key, (n1, n2))
    return None if best is None else best[1]


def nearest_pair_distances(atoms: Atoms) -> tuple[float, float]:
    """(d_11, d_12) in Å: the shortest tag1–tag1 (in-plane) and tag1–tag2 distances, periodic images
    included. They are properties of the surface lattice, the same in any supercell of it."""
    tags = atoms.get_tags()
    t1, t2 = np.flatnonzero(tags == 1), np.flatnonzero(tags == 2)
    if len(t1) == 0 or len(t2) == 0:
        raise ValueError("structure has no tag1/tag2 atoms; build it with anodeflow.interfaces.structures")
    z = atoms.positions[:, 2]
    # the nearest tag1 neighbour is at most the shortest lattice vector away, the nearest tag2 one at
    # most the cell's diagonal plus the plane spacing
    radius = float(np.linalg.norm(atoms.cell[0]) + np.linalg.norm(atoms.cell[1]) + np.ptp(z[np.r_[t1, t2]]))
    out = []
    for members, self_pairs in ((t1, True), (t2, False)):
        dmin = np.inf
        for i in t1:
            d = _image_distances(atoms, i, members, radius=radius)
            if self_pairs:
                d[members == i, (d.shape[1] - 1) // 2] = np.inf  # the atom itself, zero shift
            dmin = min(dmin, float(d.min()))
        out.append(dmin)
    return out[0], out[1]


def bonding_images(atoms: Atoms, i: int, j: int, cutoff: float) -> int:
    """Number of periodic images of atom j within ``cutoff`` (Å) of atom i (i's own zero-shift copy
    excluded when j == i). A vacancy pair is a pair only if this is 1 (methods §6)."""
    d = _image_distances(atoms, i, np.array([j]), radius=cutoff)[0]
    if i == j:
        d[(len(d) - 1) // 2] = np.inf
    return int((d <= cutoff).sum())


def check_single_image(atoms: Atoms, name: str = "structure") -> dict:
    """The single-image rule on a built slab/interface: its shortest in-plane lattice vector must be
    longer than 2 (d_max + tol), d_max = max(d_11, d_12). Returns the numbers; raises
    :class:`SingleImageError` naming ``name`` otherwise."""
    d11, d12 = nearest_pair_distances(atoms)
    d_max = max(d11, d12)
    L = shortest_inplane_vector(atoms.cell[0], atoms.cell[1])
    need = single_image_length(d_max)
    if L <= need:
        raise SingleImageError(
            f"{name}: in-plane cell too small for the single-image rule: shortest lattice vector "
            f"{L:.3f} A <= 2 (d_max {d_max:.3f} + {SHELL_TOL_A}) = {need:.3f} A (a vacancy pair would be "
            f"bonded through more than one periodic image)"
        )
    return {"d_11_A": d11, "d_12_A": d12, "d_max_A": d_max, "shortest_vector_A": L, "required_length_A": need}


def single_image_supercell(
    atoms: Atoms,
    name: str,
    min_length: float = 0.0,
    min_repeats: int = 1,
    max_area: float | None = None,
    d_max: float | None = None,
) -> tuple[Atoms, tuple]:
    """Repeat a built (tagged) slab/interface in-plane by the smallest (n1, n2) of
    :func:`single_image_repeats`. ``d_max`` defaults to the cell's own nearest-pair distances.
    Raises :class:`SingleImageError` naming ``name`` when no repeat fits within ``max_area``."""
    from .structures import apply_fixed

    if d_max is None:
        d_max = max(nearest_pair_distances(atoms))
    cell = atoms.cell.array
    rep = single_image_repeats(cell[0], cell[1], d_max, min_length, min_repeats, max_area)
    if rep is None:
        need = single_image_length(d_max)
        rep_free = single_image_repeats(cell[0], cell[1], d_max, min_length, min_repeats)
        area = float(np.linalg.norm(np.cross(cell[0], cell[1])))
        raise SingleImageError(
            f"{name}: no in-plane repeat within max_area_A2 = {max_area:.0f} A^2 makes every lattice vector "
            f"longer than 2 (d_max {d_max:.3f} + {SHELL_TOL_A}) = {need:.3f} A; it needs {rep_free[0]}x"
            f"{rep_free[1]} of the {area:.1f} A^2 cell = {rep_free[0] * rep_free[1] * area:.0f} A^2"
        )
    out = atoms.repeat((*rep, 1))
    apply_fixed(out)
    return out, tuple(int(n) for n in rep)


# ----------------------------------------------------------------------------- enumeration


def enumerate_vacancies(atoms: Atoms, name: str = "structure") -> Enumeration:
    """Symmetry-distinct tag1/tag2 vacancy sites and nearest (11)/(12) pairs of a built slab.

    Refuses (:class:`BuildError` naming ``name``) a cell that breaks the single-image rule. Every
    distinct site and pair is listed, however many (methods §6); ``sample_pairs`` draws a subset when
    a budget asks for one."""
    tags = atoms.get_tags()
    t1 = np.flatnonzero(tags == 1)
    t2 = np.flatnonzero(tags == 2)
    if len(t1) == 0 or len(t2) == 0:
        raise ValueError("structure has no tag1/tag2 atoms; build it with anodeflow.interfaces.structures")
    rule = check_single_image(atoms, name)
    perms = inplane_symmetry_permutations(atoms)
    enum = Enumeration(n_symmetry_ops=len(perms))

    # --- sites
    for tag, members in ((1, t1), (2, t2)):
        seen: set[int] = set()
        orbits = []
        for a in members:
            if a in seen:
                continue
            orb = sorted(set(int(p[a]) for p in perms))
            seen.update(orb)
            orbits.append(orb)
        for orb in orbits:
            enum.sites.append({"index": orb[0], "tag": tag, "multiplicity": len(orb), "orbit": orb})

    # --- nearest shells, counted with periodic images
    enum.d_11_A, enum.d_12_A = rule["d_11_A"], rule["d_12_A"]

    def shell_counts(members_j, dshell, exclude_self):
        counts = []
        for i in t1:
            d = _image_distances(atoms, i, members_j, radius=dshell + SHELL_TOL_A)
            if exclude_self:
                d[members_j == i, (d.shape[1] - 1) // 2] = np.inf
            counts.append(int((d <= dshell + SHELL_TOL_A).sum()))
        return counts

    enum.z_11 = float(np.mean(shell_counts(t1, enum.d_11_A, True)))
    enum.z_12 = float(np.mean(shell_counts(t2, enum.d_12_A, False)))

    # --- distinct nearest pairs
    for ptype, members_j, dshell in (("11", t1, enum.d_11_A), ("12", t2, enum.d_12_A)):
        cutoff = dshell + SHELL_TOL_A
        seen_pairs: set = set()
        for i in t1:
            d = _image_distances(atoms, i, members_j, radius=cutoff).min(axis=1)
            for j, dij in zip(members_j, d):
                if j == i or dij > cutoff:
                    continue
                key = _pair_key(ptype, i, j)
                if key in seen_pairs:
                    continue
                orbit = {_pair_key(ptype, int(p[i]), int(p[j])) for p in perms}
                seen_pairs |= orbit
                rep = min(orbit)
                n_img = bonding_images(atoms, rep[0], rep[1], cutoff)
                if n_img != 1:  # cannot happen once check_single_image passed; kept as the invariant
                    raise SingleImageError(
                        f"{name}: pair ({rep[0]}, {rep[1]}) is bonded through {n_img} periodic images"
                    )
                enum.pairs.append(
                    {
                        "i": rep[0],
                        "j": rep[1],
                        "type": ptype,
                        "multiplicity": len(orbit),
                        "distance_A": float(dij),
                        "bonding_images": n_img,
                    }
                )
    enum.single_image = rule
    return enum


#: fewest draws per pair type of a sampled estimate (a standard error needs two)
MIN_DRAWS = 2


def smallest_sample_budget(enum: Enumeration) -> int:
    """The smallest dft.max_configurations that ``sample_pairs`` accepts for this enumeration: its full
    enumeration, or the budget whose fixed number of draws, (budget - 1) // (3 x pair types), reaches
    ``MIN_DRAWS``, whichever is smaller."""
    types = {p["type"] for p in enum.pairs}
    return min(enum.n_full_configurations(), 1 + 3 * len(types) * MIN_DRAWS)


def sample_pairs(
    enum: Enumeration, max_configurations: int | None, seed: int = 0, name: str = "structure"
) -> Enumeration:
    """Draw vacancy pairs when the full enumeration exceeds ``max_configurations`` (dft.max_configurations).

    ⟨ω⟩_t is the multiplicity-weighted mean over the distinct pairs of type t (methods §6). Drawing pairs
    of each type with replacement, with probability proportional to their multiplicity, makes the plain
    mean of ω over the draws an unbiased estimate of ⟨ω⟩_t (Hansen–Hurwitz), with standard error
    s/√n from the n draws. n is fixed per type before drawing, from the budget alone: (budget − 1) //
    (3 × pair types), since a draw needs at most a new pair and two new sites, so the configurations
    (pristine, the drawn pairs, the sites they rest on) always fit; the draws follow ``seed``. (Drawing
    until the budget is spent would make n depend on the draws and bias the mean towards the pairs
    already computed, whose re-draws cost nothing.) Each pair records its ``draws``; a pair drawn twice
    is computed once, so repeats leave part of the budget unused. Full enumeration (unchanged) when it
    fits or when ``max_configurations`` is None.

    Raises :class:`BuildError` naming the key when the budget cannot hold ``MIN_DRAWS`` draws per type."""
    full = enum.n_full_configurations()
    if max_configurations is None or full <= max_configurations:
        return enum
    rng = np.random.default_rng(seed)
    rep = {a: s["index"] for s in enum.sites for a in s["orbit"]}
    by_type = {t: [k for k, p in enumerate(enum.pairs) if p["type"] == t] for t in ("11", "12")}
    by_type = {t: ks for t, ks in by_type.items() if ks}
    probs = {t: np.array([enum.pairs[k]["multiplicity"] for k in ks], float) for t, ks in by_type.items()}
    draws = {k: 0 for k in range(len(enum.pairs))}
    sites_needed: set[int] = set()
    pairs_needed: set[int] = set()
    n_draws = {t: 0 for t in by_type}
    # the number of draws per type is fixed before drawing, from the budget alone: each draw may need a new
    # pair and two new sites (3 configurations), so n = (budget - 1) // (3 x types) always fits. A number
    # of draws that depends on the draws (e.g. drawing until the budget is spent) biases the estimate:
    # re-draws of pairs already computed cost nothing, so such a rule favours them.
    n_per_type = (max_configurations - 1) // (3 * len(by_type))
    for t, ks in by_type.items():
        for _ in range(n_per_type):
            k = int(ks[rng.choice(len(ks), p=probs[t] / probs[t].sum())])
            p = enum.pairs[k]
            sites_needed |= {rep[p["i"]], rep[p["j"]]}
            pairs_needed.add(k)
            draws[k] += 1
            n_draws[t] += 1
    short = {t: n for t, n in n_draws.items() if n < MIN_DRAWS}
    if short:
        raise BuildError(
            f"{name}: dft.max_configurations = {max_configurations} holds only "
            + ", ".join(f"{n} draw(s) of ({t}) pairs" for t, n in short.items())
            + f"; a sampled estimate needs >= {MIN_DRAWS} per type (the full enumeration has {full} "
            "configurations): raise dft.max_configurations or set it to null"
        )
    for k, p in enumerate(enum.pairs):
        p["draws"] = draws[k]
    enum.sampling = {
        "max_configurations": int(max_configurations),
        "seed": int(seed),
        "n_full_configurations": full,
        "n_draws": {t: int(n) for t, n in n_draws.items()},
        "n_distinct_pairs_drawn": {t: int(sum(draws[k] > 0 for k in ks)) for t, ks in by_type.items()},
        "n_distinct_pairs": {t: len(ks) for t, ks in by_type.items()},
        "estimator": "Hansen-Hurwitz: draws with replacement, probability proportional to "
        "multiplicity; <omega> = mean over draws, standard error s/sqrt(n)",
    }
    return enum


def _pair_key(ptype: str, i: int, j: int) -> tuple[int, int]:
    i, j = int(i), int(j)
    return (min(i, j), max(i, j)) if ptype == "11" else (i, j)
