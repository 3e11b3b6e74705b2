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

SHELL_TOL_A = 0.15   # distances within this of the shortest belong to the nearest shell
SYMPREC_A = 0.05     # spglib tolerance on the built (ideal) structure


@dataclass
class Enumeration:
    sites: list = field(default_factory=list)   # {index, tag, multiplicity, orbit}
    pairs: list = field(default_factory=list)   # {i, j, type, multiplicity, distance_A}
    z_11: float = 0.0
    z_12: float = 0.0
    d_11_A: float = 0.0
    d_12_A: float = 0.0
    n_symmetry_ops: int = 1

    def configurations(self) -> list[dict]:
        """Every DFT configuration the system needs: pristine, single vacancies, divacancies."""
        out = [{"id": "pristine", "removed": []}]
        out += [{"id": f"v_{s['index']}", "removed": [s["index"]]} for s in self.sites]
        out += [{"id": f"vv_{p['i']}_{p['j']}", "removed": [p["i"], p["j"]]} for p in self.pairs]
        return out

    def to_dict(self) -> dict:
        return {"sites": self.sites, "pairs": self.pairs, "z_11": self.z_11, "z_12": self.z_12,
                "d_11_A": self.d_11_A, "d_12_A": self.d_12_A, "n_symmetry_ops": self.n_symmetry_ops,
                "configurations": self.configurations()}


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


def _image_distances(atoms: Atoms, i: int, j_idx: np.ndarray, nrep: int = 2) -> np.ndarray:
    """Distances from atom i to atoms j over in-plane periodic images, shape (len(j), n_images)."""
    cell = atoms.cell.array
    shifts = np.array([a * cell[0] + b * cell[1] for a in range(-nrep, nrep + 1) for b in range(-nrep, nrep + 1)])
    d = atoms.positions[j_idx][:, None, :] + shifts[None, :, :] - atoms.positions[i]
    return np.linalg.norm(d, axis=2)


def enumerate_vacancies(atoms: Atoms, max_sites: int | None = None) -> Enumeration:
    """Symmetry-distinct tag1/tag2 vacancy sites and nearest (11)/(12) pairs of a built slab."""
    tags = atoms.get_tags()
    t1 = np.flatnonzero(tags == 1)
    t2 = np.flatnonzero(tags == 2)
    if len(t1) == 0 or len(t2) == 0:
        raise ValueError("structure has no tag1/tag2 atoms; build it with anodeflow.interfaces.structures")
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
        if max_sites is not None and len(orbits) > max_sites:
            raise ValueError(f"{len(orbits)} symmetry-distinct tag{tag} sites exceed max_vacancy_sites={max_sites}")
        for orb in orbits:
            enum.sites.append({"index": orb[0], "tag": tag, "multiplicity": len(orb), "orbit": orb})

    # --- nearest shells, counted with periodic images
    def shell(members_j, exclude_self):
        dmin = np.inf
        for i in t1:
            d = _image_distances(atoms, i, members_j)
            if exclude_self:
                d[members_j == i, (d.shape[1] - 1) // 2] = np.inf  # the atom itself, zero shift
            dmin = min(dmin, d.min())
        counts = []
        for i in t1:
            d = _image_distances(atoms, i, members_j)
            if exclude_self:
                d[members_j == i, (d.shape[1] - 1) // 2] = np.inf
            counts.append(int((d <= dmin + SHELL_TOL_A).sum()))
        return float(dmin), counts

    enum.d_11_A, c11 = shell(t1, True)
    enum.d_12_A, c12 = shell(t2, False)
    enum.z_11 = float(np.mean(c11))
    enum.z_12 = float(np.mean(c12))

    # --- distinct nearest pairs
    for ptype, members_j, dshell in (("11", t1, enum.d_11_A), ("12", t2, enum.d_12_A)):
        seen_pairs: set = set()
        for i in t1:
            d = _image_distances(atoms, i, members_j).min(axis=1)
            for j, dij in zip(members_j, d):
                if j == i or dij > dshell + SHELL_TOL_A:
                    continue
                key = _pair_key(ptype, i, j)
                if key in seen_pairs:
                    continue
                orbit = {_pair_key(ptype, int(p[i]), int(p[j])) for p in perms}
                seen_pairs |= orbit
                rep = min(orbit)
                enum.pairs.append({"i": rep[0], "j": rep[1], "type": ptype, "multiplicity": len(orbit),
                                   "distance_A": float(dij)})
    return enum


def _pair_key(ptype: str, i: int, j: int) -> tuple[int, int]:
    i, j = int(i), int(j)
    return (min(i, j), max(i, j)) if ptype == "11" else (i, j)
