"""Surface self-diffusion barriers E_a from nudged-elastic-band runs of an adatom hop.

Per metal and facet: an adatom on the bulk-continuation hollow site of a slab (the site the
next atomic plane would occupy: the four-fold hollow on bcc(100), the pseudo-three-fold
hollow on bcc(110), the three-fold hollow on bcc(111)) hops to the nearest equivalent site,
i.e. by the shortest in-plane lattice vector of the surface, a lattice translation of the whole
slab. The band is interpolated (IDPP) and relaxed with a climbing image (Henkelman et al.,
J. Chem. Phys. 113, 9901 (2000)); E_a = max_i E_i - E_0.

End points (:func:`relaxed_endpoints`): a slab built at bulk positions is a symmetric stationary
point, and a relaxation that keeps the symmetry can stop on a saddle of it. With the Na EAM the free
layers of (100) and (110) slabs of >= 5 layers have lower states (top planes 0.4-0.6 A further out;
benchmarks/neb_layers.py): relaxed from bulk positions, the end points sat up to 0.12 eV above an
image of their own band, and end points relaxed one by one could land in different states (bands
of 4-26 eV). So the initial state is relaxed from a seeded random displacement of the free atoms
(symmetry broken), the final state is that state translated by the hop vector (atoms renumbered),
i.e. the same state by symmetry, and when a band still finds an image lower than its end points by
more than ``tol_eV``, that image is relaxed and the band rebuilt from it (up to ``max_restarts``).

Energies come from the MD potentials (config ``potentials``, through LAMMPS and ASE's
``LAMMPSlib``), so the barriers are consistent with the MD stage.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import miller
from ..interfaces.structures import metal_slab, plane_index

#: columns of results/barriers/{metal}/barriers.csv
TABLE_COLUMNS = ("metal", "facet", "E_a_eV", "E_a_reverse_eV", "hop_length_A", "n_atoms", "converged", "method", "a_A")


@dataclass(frozen=True)
class NEBSettings:
    """Slab and band of an adatom-hop NEB (config section ``barriers``)."""

    layers: int  # atomic planes of the slab
    fixed_layers: int  # bottom planes held at bulk positions
    inplane_min_length_A: float  # in-plane cell vectors at least this long
    vacuum_A: float
    n_images: int  # interior images of the band
    fmax: float  # eV/Å, end points and band
    max_steps: int
    climb: bool  # climbing image
    rattle_A: float = 0.03  # std. dev. of the seeded displacement of the free atoms before relaxing
    seed: int = 0
    tol_eV: float = 0.005  # an image this far below the end points restarts the band from it
    max_restarts: int = 3

    @classmethod
    def from_config(cls, barriers: dict) -> NEBSettings:
        return cls(
            layers=barriers["layers"],
            fixed_layers=barriers["fixed_layers"],
            inplane_min_length_A=barriers["inplane_min_length_A"],
            vacuum_A=barriers["vacuum_A"],
            n_images=barriers["n_images"],
            fmax=barriers["fmax"],
            max_steps=barriers["max_steps"],
            climb=barriers["climb"],
        )


def lammps_calculator(metal: str, config: dict, log: str | None = None):
    """ASE calculator of the metal's MD potential (LAMMPSlib, one LAMMPS instance)."""
    from ase.calculators.lammpslib import LAMMPSlib

    from .. import potentials as afpot
    from ..md.runtime import preload_mpi

    preload_mpi()
    pot = afpot.resolve(metal, config)
    return LAMMPSlib(
        lmpcmds=pot.lammps_commands(),
        atom_types={metal: 1},
        atom_type_masses={metal: pot.mass_amu},
        log_file=log,
        keep_alive=True,
    )


def hop_endpoints(slab):
    """Initial and final adatom positions (Å) of the hop on ``slab`` (top = highest plane)."""
    z = slab.positions[:, 2]
    planes = plane_index(z)
    top = planes.max()
    t_idx = np.nonzero(planes == top)[0]
    s_idx = np.nonzero(planes == top - 1)[0]
    t = slab.positions[t_idx[0]]
    # second-plane atom closest to t (minimum image in-plane)
    d = slab.positions[s_idx] - t
    cell = slab.cell.array
    frac = np.linalg.solve(cell[:2, :2].T, d[:, :2].T).T
    frac -= np.round(frac)
    d[:, :2] = frac @ cell[:2, :2]
    b = d[np.argmin(np.linalg.norm(d, axis=1))]
    site = t - b  # bulk continuation: t + (t - b)
    # shortest in-plane vector between top-plane atoms (periodic)
    dt = slab.positions[t_idx] - t
    best = None
    for i1 in (-1, 0, 1):
        for i2 in (-1, 0, 1):
            v = dt[:, :2] + i1 * cell[0, :2] + i2 * cell[1, :2]
            n = np.linalg.norm(v, axis=1)
            n[n < 1e-6] = np.inf
            k = np.argmin(n)
            if best is None or n[k] < np.linalg.norm(best):
                best = v[k]
    hop = np.array([best[0], best[1], 0.0])
    return site, site + hop, float(np.linalg.norm(best))


def translation_permutation(slab, shift) -> tuple[np.ndarray, np.ndarray]:
    """For an in-plane lattice translation ``shift`` (Å) of ``slab`` (at lattice positions): ``perm``
    with slab.positions[j] + shift == slab.positions[perm[j]] + lattice vector ``lat[j]`` (Å)."""
    cell = slab.cell.array
    pos = slab.positions
    moved = pos + shift
    perm = np.empty(len(slab), np.int64)
    lat = np.zeros((len(slab), 3))
    for j, r in enumerate(moved):
        d = r - pos
        frac = np.linalg.solve(cell[:2, :2].T, d[:, :2].T).T
        n = np.round(frac)
        d[:, :2] -= n @ cell[:2, :2]
        k = int(np.argmin(np.linalg.norm(d, axis=1)))
        if np.linalg.norm(d[k]) > 1e-3:
            raise ValueError(f"the shift {shift} is not a lattice translation of the slab (atom {j})")
        perm[j] = k
        lat[j, :2] = n[k] @ cell[:2, :2]
    if len(set(perm.tolist())) != len(slab):
        raise ValueError("the translation does not map the slab onto itself one to one")
    return perm, lat


def translated_state(state, ideal_slab, shift):
    """``state`` (slab + adatom last) moved by the lattice translation ``shift``, substrate atoms
    renumbered so that each keeps the index of the lattice site it now occupies (the adatom is moved
    the short way, not wrapped)."""
    n = len(ideal_slab)
    perm, lat = translation_permutation(ideal_slab, shift)
    out = state.copy()
    out.set_constraint(state.constraints)
    pos = out.positions.copy()
    pos[perm] = state.positions[:n] + shift - lat
    pos[n:] = state.positions[n:] + shift
    out.set_positions(pos, apply_constraint=False)
    return out


def _free_mask(atoms) -> np.ndarray:
    from ase.constraints import FixAtoms

    free = np.ones(len(atoms), bool)
    for c in atoms.constraints:
        if isinstance(c, FixAtoms):
            free[c.index] = False
    return free


def _relax(atoms, calc_factory, settings: NEBSettings, rattle: bool = True):
    from ase.optimize import BFGS

    at = atoms.copy()
    at.set_constraint(atoms.constraints)
    if rattle and settings.rattle_A > 0:
        rng = np.random.default_rng(settings.seed)
        free = _free_mask(at)
        pos = at.positions.copy()
        pos[free] += rng.normal(scale=settings.rattle_A, size=(int(free.sum()), 3))
        at.set_positions(pos, apply_constraint=False)
    at.calc = calc_factory()
    BFGS(at, logfile=None).run(fmax=settings.fmax, steps=settings.max_steps)
    return at


def adatom_images(metal: str, facet, a: float, settings: NEBSettings):
    """Initial and final states of the hop (slab + adatom, at lattice positions) and the hop length (Å)."""
    from ase import Atom

    s = settings
    slab = metal_slab(metal, miller(facet), a, s.layers, s.fixed_layers, s.inplane_min_length_A, s.vacuum_A)
    slab.pbc = True  # periodic along z with the vacuum gap (LAMMPS 'p p p')
    p0, p1, hop = hop_endpoints(slab)
    ini, fin = slab.copy(), slab.copy()
    ini.append(Atom(metal, p0))
    fin.append(Atom(metal, p1))
    for at in (ini, fin):  # not wrapped: the hop must stay the short way, not across the cell
        at.set_constraint(slab.constraints)
    return ini, fin, hop


def relaxed_endpoints(ideal_state, shift, calc_factory, settings: NEBSettings, start=None):
    """Relaxed initial state, from ``start`` or else from ``ideal_state`` (slab at lattice positions +
    adatom) displaced at random by ``rattle_A``, and the final state: its translation by ``shift``."""
    ini = _relax(ideal_state if start is None else start, calc_factory, settings, rattle=start is None)
    fin = translated_state(ini, ideal_state[:-1], shift)
    fin.calc = calc_factory()
    return ini, fin


def neb_barrier(metal: str, facet, a: float, calc_factory, settings: NEBSettings, attempts: int = 3) -> dict:
    """E_a (eV) of the adatom hop on ``facet`` with calculators from ``calc_factory()``. A band that
    does not converge is started again from another random displacement of the end point (seed + 1,
    ...), up to ``attempts`` times; the result records every attempt."""
    from dataclasses import replace

    tries = []
    for i in range(attempts):
        r = _neb_once(metal, facet, a, calc_factory, replace(settings, seed=settings.seed + i))
        tries.append({k: r[k] for k in ("E_a_eV", "converged", "restarts", "neb_steps")})
        if r["converged"]:
            break
    r["attempts"] = tries
    return r


def _neb_once(metal: str, facet, a: float, calc_factory, settings: NEBSettings) -> dict:
    from ase.mep import NEB
    from ase.optimize import FIRE

    s = settings
    t0 = time.time()
    ideal, ideal_fin, hop = adatom_images(metal, facet, a, s)
    shift = ideal_fin.positions[-1] - ideal.positions[-1]
    start, restarts, history = None, 0, []
    while True:
        ini, fin = relaxed_endpoints(ideal, shift, calc_factory, s, start)
        images = [ini] + [ini.copy() for _ in range(s.n_images)] + [fin]
        for im in images[1:-1]:
            im.calc = calc_factory()
            im.set_constraint(ini.constraints)
        neb = NEB(images, climb=False, method="improvedtangent", allow_shared_calculator=False)
        neb.interpolate(method="idpp", mic=True)
        # two stages: the band without climbing to 0.1 eV/A, then the climbing image with short FIRE
        # steps (climbing from the start with FIRE's defaults diverged on Na bands: 7-26 eV "barriers")
        opt = FIRE(neb, logfile=None)
        opt.run(fmax=max(0.1, s.fmax), steps=s.max_steps)
        neb.climb = s.climb
        opt = FIRE(neb, logfile=None, maxstep=0.05, dt=0.05)
        converged = opt.run(fmax=s.fmax, steps=s.max_steps)
        E = np.array([im.get_potential_energy() for im in images])
        history.append({"E0_eV": float(E[0]), "E_min_interior_eV": float(E[1:-1].min()), "neb_steps": int(opt.nsteps)})
        k = int(np.argmin(E))
        if E[k] > E[0] - s.tol_eV or restarts >= s.max_restarts:
            break
        # the band found a lower state than its end points: relax that image (no new displacement)
        # and rebuild the band from it; if its adatom sits past the midpoint, it belongs to the final site
        low = images[k].copy()
        low.set_constraint(ini.constraints)
        if k > (len(images) - 1) / 2:
            low = translated_state(low, ideal[:-1], -shift)
        start, restarts = low, restarts + 1
    disp = np.linalg.norm(fin.positions[-1] - ini.positions[-1])
    if disp > 1.5 * hop:
        raise RuntimeError(
            f"{metal}({facet}): the adatom moved {disp:.2f} A for a {hop:.2f} A hop: the band "
            "does not describe the nearest-neighbour hop"
        )
    end_is_min = bool(E[1:-1].min() > E[0] - s.tol_eV)
    return {
        "metal": metal,
        "facet": "".join(map(str, miller(facet))),
        "E_a_eV": float(E.max() - E[0]),
        "E_a_reverse_eV": float(E.max() - E[-1]),
        "energies_eV": (E - E[0]).tolist(),
        "hop_length_A": hop,
        "adatom_displacement_A": float(disp),
        "n_atoms": len(ini),
        "n_images": s.n_images,
        "converged": bool(converged) and end_is_min,
        "band_converged": bool(converged),
        "endpoints_are_minima": end_is_min,
        "restarts": restarts,
        "bands": history,
        "neb_steps": int(opt.nsteps),
        "wall_s": time.time() - t0,
    }


def lattice_constant(metal: str, a0_A: float, calc_factory) -> float:
    """Equilibrium bcc lattice constant of the potential (Å): energy minimum of a cubic cell,
    searched within +-10 % of ``a0_A``."""
    from ase.build import bulk
    from scipy.optimize import minimize_scalar

    calc = calc_factory()

    def e(a):
        at = bulk(metal, "bcc", a=a, cubic=True).repeat(3)
        at.calc = calc
        return at.get_potential_energy() / len(at)

    r = minimize_scalar(e, bounds=(0.9 * a0_A, 1.1 * a0_A), method="bounded", options={"xatol": 1e-5})
    return float(r.x)


def barrier_table(results) -> pd.DataFrame:
    """A metal's barriers, one row per facet (job results)."""
    return pd.DataFrame([{k: r[k] for k in TABLE_COLUMNS} for r in results])
