"""Surface self-diffusion barriers E_a from nudged-elastic-band runs of an adatom.

Per metal and facet: an adatom on the bulk-continuation hollow site of a slab (the site the
next atomic plane would occupy: the four-fold hollow on bcc(100), the pseudo-three-fold
hollow on bcc(110), the three-fold hollow on bcc(111)) moves to an equivalent site by one of
two mechanisms (:class:`Mechanism`):

* hop: over the bridge to the nearest equivalent site, i.e. by the shortest in-plane lattice
  vector of the surface, a lattice translation of the whole slab;
* exchange: the adatom takes the lattice site of a top-plane atom next to its hollow and pushes
  that atom out onto the equivalent hollow on the far side (the site nearest the mirror image of
  the initial hollow through the surface atom; on bcc(100) and (110) the mirror image itself).
  The final state is again an adatom on a hollow of the same kind: the initial state translated
  by a lattice vector with the two atoms' roles swapped -- the same state by symmetry, different atoms.

The band is interpolated (IDPP) and relaxed with a climbing image (Henkelman et al., J. Chem.
Phys. 113, 9901 (2000)); E_a = max_i E_i - E_0. Both mechanisms start from the same relaxed initial
state; the lower barrier is kept (``E_a_eV``, ``mechanism``) and both are reported.

End points (:func:`relaxed_endpoints`): a slab built at bulk positions is a symmetric stationary
point, and a relaxation that keeps the symmetry can stop on a saddle of it. With the Na EAM the free
layers of (100) and (110) slabs of >= 5 layers have lower states (top planes 0.4-0.6 A further out;
benchmarks/neb_layers.py): relaxed from bulk positions, the end points sat up to 0.12 eV above an
image of their own band, and end points relaxed one by one could land in different states (bands
of 4-26 eV). So the initial state is relaxed from a seeded random displacement of the free atoms
(symmetry broken), the final state is built from it by the mechanism's symmetry operation (atoms
renumbered), i.e. the same state by symmetry, and when a band still finds an image lower than its
end points by more than ``tol_eV``, that image is relaxed and the band rebuilt from it (up to
``max_restarts``).

Energies: ``barriers.method: md`` -- the MD potentials (config ``potentials``, through LAMMPS and
ASE's ``LAMMPSlib``; the hop only), consistent with the MD stage; ``method: dft`` -- GPAW at a
precision preset (:func:`dft_settings`: slab thickness in Å, the number of planes from the
interplanar spacing; in-plane cell lengths >= ``min_image_distance_A``; vacuum and dipole
correction as every DFT slab), both mechanisms, resumable from a work folder (:func:`dft_barriers`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import miller
from ..interfaces.structures import metal_slab, plane_index

#: columns of results/barriers/{metal}/barriers.csv: E_a_eV is the lower of the mechanisms computed
#: (``mechanism``); a mechanism not computed (the MD path computes the hop only) is empty
TABLE_COLUMNS = (
    "metal",
    "facet",
    "E_a_eV",
    "mechanism",
    "E_a_hop_eV",
    "E_a_exchange_eV",
    "E_a_reverse_eV",
    "hop_length_A",
    "n_atoms",
    "layers",
    "converged",
    "method",
    "a_A",
)

MECHANISMS = ("hop", "exchange")


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
    periodic_z: bool = True  # LAMMPS: 'p p p' with the vacuum gap; GPAW: False (dipole correction along z)

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


def _rattled(atoms, settings: NEBSettings):
    """A copy of ``atoms`` (constraints kept) with the free atoms displaced at random (seeded)."""
    at = atoms.copy()
    at.set_constraint(atoms.constraints)
    if settings.rattle_A > 0:
        rng = np.random.default_rng(settings.seed)
        free = _free_mask(at)
        pos = at.positions.copy()
        pos[free] += rng.normal(scale=settings.rattle_A, size=(int(free.sum()), 3))
        at.set_positions(pos, apply_constraint=False)
    return at


def _relax(atoms, calc_factory, settings: NEBSettings, rattle: bool = True):
    from ase.optimize import BFGS

    if rattle:
        at = _rattled(atoms, settings)
    else:
        at = atoms.copy()
        at.set_constraint(atoms.constraints)
    at.calc = calc_factory()
    BFGS(at, logfile=None).run(fmax=settings.fmax, steps=settings.max_steps)
    return at


def adatom_images(metal: str, facet, a: float, settings: NEBSettings):
    """Initial and final states of the hop (slab + adatom, at lattice positions) and the hop length (Å)."""
    from ase import Atom

    s = settings
    slab = metal_slab(metal, miller(facet), a, s.layers, s.fixed_layers, s.inplane_min_length_A, s.vacuum_A)
    # periodic along z with the vacuum gap (LAMMPS 'p p p'), or not (GPAW with the dipole correction)
    slab.pbc = (True, True, s.periodic_z)
    p0, p1, hop = hop_endpoints(slab)
    ini, fin = slab.copy(), slab.copy()
    ini.append(Atom(metal, p0))
    fin.append(Atom(metal, p1))
    for at in (ini, fin):  # not wrapped: the hop must stay the short way, not across the cell
        at.set_constraint(slab.constraints)
    return ini, fin, hop


# ----------------------------------------------------------------------------- mechanisms


class Mechanism:
    """How the final state of a mechanism follows from the initial one (slab + adatom last): a lattice
    translation ``shift`` of the slab (Å, in-plane) and, for the exchange, the swap of the adatom with
    the top-plane atom ``swap`` (index), whose site the adatom takes; ``image`` (Å, a cell vector) is
    the periodic image of that atom next to the hollow. ``forward`` and ``backward`` map initial
    states to final ones and back (exact inverses); both are symmetry operations of the slab with
    identical atoms, so E(final) = E(initial) for any calculator."""

    def __init__(self, name: str, ideal_slab, shift, swap: int | None = None, image=None):
        self.name = name
        self.ideal_slab = ideal_slab
        self.shift = np.asarray(shift, float)
        self.swap = swap
        self.image = np.zeros(3) if image is None else np.asarray(image, float)

    def _swapped(self, state):
        if self.swap is None:
            return state
        out = state.copy()
        out.set_constraint(state.constraints)
        pos = out.positions.copy()
        pos[-1] = state.positions[self.swap] + self.image
        pos[self.swap] = state.positions[-1] - self.image
        out.set_positions(pos, apply_constraint=False)
        return out

    def forward(self, state):
        return self._swapped(translated_state(state, self.ideal_slab, self.shift))

    def backward(self, state):
        return translated_state(self._swapped(state), self.ideal_slab, -self.shift)


def _surface_lattice(slab):
    """In-plane lattice translations of the slab (Å, z = 0) up to one cell length: the top-plane atoms'
    positions relative to one of them, over the neighbouring periodic images (each plane of a
    bulk-terminated bcc slab has one atom per primitive surface cell)."""
    planes = plane_index(slab.positions[:, 2])
    top = slab.positions[planes == planes.max()]
    cell = slab.cell.array
    out = []
    for i1 in (-1, 0, 1):
        for i2 in (-1, 0, 1):
            d = top[:, :2] - top[0, :2] + i1 * cell[0, :2] + i2 * cell[1, :2]
            out.append(d)
    vec = np.concatenate(out)
    return np.column_stack([vec, np.zeros(len(vec))])


def mechanism(name: str, ideal_state) -> Mechanism:
    """The ``hop`` or ``exchange`` of the adatom (last atom of ``ideal_state``, on its hollow, the slab at
    lattice positions): the hop by the shortest surface lattice vector; the exchange with the top-plane
    atom nearest the hollow, pushed onto the equivalent hollow nearest the mirror image of the initial
    one through it (ties: the shortest translation)."""
    slab = ideal_state[:-1]
    h = ideal_state.positions[-1]
    if name == "hop":
        _, p1, _ = hop_endpoints(slab)
        return Mechanism("hop", slab, p1 - h)
    if name != "exchange":
        raise ValueError(f"unknown NEB mechanism {name!r}; allowed: {list(MECHANISMS)}")
    planes = plane_index(slab.positions[:, 2])
    top = np.nonzero(planes == planes.max())[0]
    cell = slab.cell.array
    best = None
    for j in top:  # the top-plane atom nearest the hollow, as its periodic image next to it
        for i1 in (-1, 0, 1):
            for i2 in (-1, 0, 1):
                image = i1 * cell[0] + i2 * cell[1]
                r = np.linalg.norm((slab.positions[j] + image - h)[:2])
                if best is None or r < best[0] - 1e-6:
                    best = (r, int(j), image)
    _, s, image = best
    mirror = 2 * (slab.positions[s] + image) - h
    lat = _surface_lattice(slab)
    lat = lat[np.linalg.norm(lat, axis=1) > 1e-6]
    miss = np.linalg.norm((h + lat - mirror)[:, :2], axis=1)
    cand = np.nonzero(miss < miss.min() + 1e-6)[0]
    shift = lat[cand[np.argmin(np.linalg.norm(lat[cand], axis=1))]]
    return Mechanism("exchange", slab, shift, swap=s, image=image)


def relaxed_endpoints(ideal_state, mech: Mechanism, calc_factory, settings: NEBSettings, start=None):
    """Relaxed initial state, from ``start`` or else from ``ideal_state`` (slab at lattice positions +
    adatom) displaced at random by ``rattle_A``, and the final state: its image under ``mech``."""
    ini = _relax(ideal_state if start is None else start, calc_factory, settings, rattle=start is None)
    fin = mech.forward(ini)
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
        r.pop("initial_state")
        tries.append({k: r[k] for k in ("E_a_eV", "converged", "restarts", "neb_steps")})
        if r["converged"]:
            break
    r["attempts"] = tries
    r.update({"E_a_hop_eV": r["E_a_eV"], "E_a_exchange_eV": None, "layers": settings.layers})
    return r


def _neb_once(
    metal: str,
    facet,
    a: float,
    calc_factory,
    settings: NEBSettings,
    mechanism_name: str = "hop",
    initial=None,
    store=None,
) -> dict:
    """One band of ``mechanism_name`` from the relaxed ``initial`` state (else relaxed here), restarted
    from a lower image when the band finds one. ``store`` (a :class:`_BandStore`, DFT jobs) saves the
    band as it relaxes and starts from a saved one."""
    from ase.mep import NEB
    from ase.optimize import FIRE

    s = settings
    t0 = time.time()
    ideal, _, hop = adatom_images(metal, facet, a, s)
    mech = mechanism(mechanism_name, ideal)
    start, restarts, history = None, 0, []
    while True:
        if initial is not None and start is None:
            ini = initial
            fin = mech.forward(ini)
            fin.calc = calc_factory()
        else:
            ini, fin = relaxed_endpoints(ideal, mech, calc_factory, s, start)
        images = [ini] + [ini.copy() for _ in range(s.n_images)] + [fin]
        for im in images[1:-1]:
            im.calc = calc_factory()
            im.set_constraint(ini.constraints)
        neb = NEB(images, climb=False, method="improvedtangent", allow_shared_calculator=False)
        saved = store.load_band(mech.name, len(ini), s.n_images) if store is not None else None
        if saved is None:
            neb.interpolate(method="idpp", mic=True)
        else:
            for im, pos in zip(images[1:-1], saved):
                im.set_positions(pos, apply_constraint=False)
        # two stages: the band without climbing to 0.1 eV/A, then the climbing image with short FIRE
        # steps (climbing from the start with FIRE's defaults diverged on Na bands: 7-26 eV "barriers")
        opt = FIRE(neb, logfile=None)
        if store is not None:
            opt.attach(store.save_band, store.every, mech.name, images)
        opt.run(fmax=max(0.1, s.fmax), steps=s.max_steps)
        plain_steps = int(opt.nsteps)
        neb.climb = s.climb
        opt = FIRE(neb, logfile=None, maxstep=0.05, dt=0.05)
        if store is not None:
            opt.attach(store.save_band, store.every, mech.name, images)
        converged = opt.run(fmax=s.fmax, steps=s.max_steps)
        E = np.array([im.get_potential_energy() for im in images])
        history.append(
            {
                "E0_eV": float(E[0]),
                "E_min_interior_eV": float(E[1:-1].min()),
                "neb_steps": int(opt.nsteps),  # the climbing stage's
                "neb_steps_no_climb": plain_steps,
            }
        )
        k = int(np.argmin(E))
        if E[k] > E[0] - s.tol_eV or restarts >= s.max_restarts:
            break
        # the band found a lower state than its end points: relax that image (no new displacement)
        # and rebuild the band from it; if its adatom sits past the midpoint, it belongs to the final state
        low = images[k].copy()
        low.set_constraint(ini.constraints)
        if k > (len(images) - 1) / 2:
            low = mech.backward(low)
        start, restarts = low, restarts + 1
        if store is not None:
            store.drop_band(mech.name)
    ideal_disp = np.linalg.norm(mech.forward(ideal).positions[-1] - ideal.positions[-1])
    disp = np.linalg.norm(fin.positions[-1] - ini.positions[-1])
    if disp > 1.5 * ideal_disp:
        raise RuntimeError(
            f"{metal}({facet}) {mech.name}: the adatom moved {disp:.2f} A where the ideal path is "
            f"{ideal_disp:.2f} A: the band does not describe the nearest-neighbour {mech.name}"
        )
    end_is_min = bool(E[1:-1].min() > E[0] - s.tol_eV)
    return {
        "metal": metal,
        "facet": "".join(map(str, miller(facet))),
        "mechanism": mech.name,
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
        "initial_state": ini,
    }


# ----------------------------------------------------------------------------- DFT barriers


def interplanar_spacing(facet, a: float) -> float:
    """Spacing of the (hkl) atomic planes of bcc (Å): a / sqrt(h^2 + k^2 + l^2), halved when h + k + l is
    odd (the body-centre atom then lies on a plane in between): a/2, a/sqrt(2), a/(2 sqrt(3)) for
    (100), (110), (111)."""
    h = np.asarray(miller(facet), int)
    d = a / float(np.sqrt((h**2).sum()))
    return d / 2 if int(h.sum()) % 2 else d


def slab_layers(facet, a: float, min_thickness_A: float, free_thickness_A: float) -> tuple[int, int]:
    """(planes, fixed planes) of a slab at least ``min_thickness_A`` thick (planes x spacing, the bulk
    thickness the planes stand for) whose top planes, at least ``free_thickness_A`` of them, relax."""
    d = interplanar_spacing(facet, a)
    layers = max(2, int(np.ceil(min_thickness_A / d - 1e-9)))
    free = max(1, int(np.ceil(free_thickness_A / d - 1e-9)))
    if free >= layers:
        raise ValueError(
            f"config key 'barriers.dft.free_thickness_A': {free_thickness_A} A is {free} "
            f"({''.join(map(str, miller(facet)))}) planes, not fewer than the slab's {layers} "
            f"(barriers.dft.min_thickness_A = {min_thickness_A} A): "
            "no plane would be held at bulk positions"
        )
    return layers, layers - free


def dft_settings(dft: dict, facet, a: float) -> NEBSettings:
    """Slab and band of a DFT NEB (config ``barriers.dft``) on ``facet`` at lattice constant ``a`` (Å)."""
    layers, fixed = slab_layers(facet, a, dft["min_thickness_A"], dft["free_thickness_A"])
    return NEBSettings(
        layers=layers,
        fixed_layers=fixed,
        inplane_min_length_A=dft["min_image_distance_A"],
        vacuum_A=dft["vacuum_A"],
        n_images=dft["n_images"],
        fmax=dft["fmax"],
        max_steps=dft["max_steps"],
        climb=dft["climb"],
        max_restarts=dft["max_restarts"],
        periodic_z=False,
    )


class _BandStore:
    """A DFT barrier's resumable state in ``workdir``: the relaxed initial state (``initial.traj``), each
    band's images as they relax (``<mechanism>_band.traj``, every ``every`` optimiser steps) and each
    finished mechanism's result (``<mechanism>.json``); ``state.sha256`` ties them to one job (a state
    left by another job is discarded). Under MPI rank 0 writes, every rank reads."""

    def __init__(self, workdir, fingerprint: str, every: int = 1):
        from ase.parallel import barrier, world

        self.work = Path(workdir)
        self.every = every
        self.rank = world.rank
        self.work.mkdir(parents=True, exist_ok=True)
        fp = self.work / "state.sha256"
        old = fp.read_text().strip() if fp.exists() else None
        barrier()
        if old != fingerprint:
            if self.rank == 0:
                for f in self.work.iterdir():
                    if f.is_file() and f.suffix in (".traj", ".json", ".sha256"):
                        f.unlink()
                fp.write_text(fingerprint)
            barrier()

    def _write_images(self, path: Path, images) -> None:
        from ase.io import write

        tmp = path.with_suffix(".part.traj")
        write(tmp, images, format="traj")  # ASE writes on rank 0 only
        if self.rank == 0:
            tmp.replace(path)
        from ase.parallel import barrier

        barrier()

    def load_initial(self, n_atoms: int):
        from ase.io import read

        path = self.work / "initial.traj"
        if not path.exists():
            return None
        at = read(path)
        return at if len(at) == n_atoms else None

    def save_initial(self, atoms) -> None:
        self._write_images(self.work / "initial.traj", [atoms.copy()])  # positions and constraints, no results

    def load_band(self, name: str, n_atoms: int, n_images: int):
        from ase.io import read

        path = self.work / f"{name}_band.traj"
        if not path.exists():
            return None
        frames = read(path, index=":")
        if len(frames) != n_images + 2 or any(len(f) != n_atoms for f in frames):
            return None
        return [f.positions for f in frames[1:-1]]

    def save_band(self, name: str, images) -> None:
        self._write_images(self.work / f"{name}_band.traj", [im.copy() for im in images])

    def drop_band(self, name: str) -> None:
        from ase.parallel import barrier

        if self.rank == 0:
            (self.work / f"{name}_band.traj").unlink(missing_ok=True)
        barrier()

    def load_result(self, name: str):
        path = self.work / f"{name}.json"
        return json.loads(path.read_text()) if path.exists() else None

    def save_result(self, name: str, result: dict) -> None:
        from ase.parallel import barrier

        if self.rank == 0:
            from ..io import write_json

            write_json(self.work / f"{name}.json", result)
        barrier()


def dft_barriers(
    metal: str,
    facet,
    a: float,
    calc_factory,
    settings: NEBSettings,
    mechanisms=MECHANISMS,
    workdir=None,
    fingerprint: str = "",
) -> dict:
    """E_a of each mechanism (eV) from one relaxed initial state, the lower kept. ``calc_factory()`` makes
    one calculator per image (GPAW in the job, anything ASE in tests). With ``workdir`` the job resumes:
    the relaxed initial state, the bands as they relax and the finished mechanisms are kept there.

    ``converged`` is true when every mechanism's band converged with its end points as minima: an
    unconverged band's maximum bounds its barrier neither way, so which mechanism is lower is not known."""
    t0 = time.time()
    store = _BandStore(workdir, fingerprint) if workdir is not None else None
    ideal, _, hop = adatom_images(metal, facet, a, settings)
    initial = store.load_initial(len(ideal)) if store is not None else None
    if initial is not None:
        initial.set_constraint(ideal.constraints)
    else:
        initial = _relax(ideal, calc_factory, settings)
        if store is not None:
            store.save_initial(initial)
    per = {}
    for name in mechanisms:
        r = store.load_result(name) if store is not None else None
        if r is None:
            if initial.calc is None:  # read back from the work folder: its energy is computed again
                initial.calc = calc_factory()
            r = _neb_once(metal, facet, a, calc_factory, settings, name, initial=initial, store=store)
            initial = r.pop("initial_state")  # a band restarted from a lower state moves the initial state
            if store is not None:
                store.save_initial(initial)
                store.save_result(name, r)
        per[name] = r
    low = min(per, key=lambda k: per[k]["E_a_eV"])
    best = per[low]
    return {
        "metal": metal,
        "facet": "".join(map(str, miller(facet))),
        "E_a_eV": best["E_a_eV"],
        "mechanism": low,
        **{f"E_a_{m}_eV": (per[m]["E_a_eV"] if m in per else None) for m in MECHANISMS},
        "E_a_reverse_eV": best["E_a_reverse_eV"],
        "energies_eV": best["energies_eV"],
        "hop_length_A": hop,
        "n_atoms": len(ideal),
        "layers": settings.layers,
        "fixed_layers": settings.fixed_layers,
        "thickness_A": settings.layers * interplanar_spacing(facet, a),
        "inplane_lengths_A": [float(np.linalg.norm(ideal.cell[i])) for i in (0, 1)],
        "n_images": settings.n_images,
        "converged": all(r["converged"] for r in per.values()),
        "neb_steps": sum(r["neb_steps"] for r in per.values()),
        "mechanisms": per,
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
    """A metal's barriers, one row per facet and method (job results; a hop-only result without the
    per-mechanism keys is a hop)."""
    rows = []
    for r in results:
        hop_only = {"mechanism": "hop", "E_a_hop_eV": r["E_a_eV"], "E_a_exchange_eV": None, "layers": None}
        rows.append({k: r[k] if k in r else hop_only[k] for k in TABLE_COLUMNS})
    return pd.DataFrame(rows)
