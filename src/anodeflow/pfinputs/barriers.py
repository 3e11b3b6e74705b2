"""Surface self-diffusion barriers E_a from nudged-elastic-band runs of an adatom hop.

Per metal and facet: an adatom on the bulk-continuation hollow site of a slab (the site the
next atomic plane would occupy: the four-fold hollow on bcc(100), the pseudo-three-fold
hollow on bcc(110), the three-fold hollow on bcc(111)) hops to the nearest equivalent site,
i.e. by the shortest in-plane lattice vector of the surface. Both end points are relaxed
(bottom ``fixed_layers`` held at bulk positions), the band is interpolated (IDPP) and
relaxed with a climbing image (Henkelman et al., J. Chem. Phys. 113, 9901 (2000)).
E_a = max_i E_i - min_i E_i (the lowest point of the band, see :func:`neb_barrier`).

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
TABLE_COLUMNS = ("metal", "facet", "E_a_eV", "E_a_reverse_eV", "hop_length_A", "n_atoms", "converged", "method",
                 "a_A")


@dataclass(frozen=True)
class NEBSettings:
    """Slab and band of an adatom-hop NEB (config section ``barriers``)."""

    layers: int                   # atomic planes of the slab
    fixed_layers: int             # bottom planes held at bulk positions
    inplane_min_length_A: float   # in-plane cell vectors at least this long
    vacuum_A: float
    n_images: int                 # interior images of the band
    fmax: float                   # eV/Å, end points and band
    max_steps: int
    climb: bool                   # climbing image

    @classmethod
    def from_config(cls, barriers: dict) -> "NEBSettings":
        return cls(layers=barriers["layers"], fixed_layers=barriers["fixed_layers"],
                   inplane_min_length_A=barriers["inplane_min_length_A"], vacuum_A=barriers["vacuum_A"],
                   n_images=barriers["n_images"], fmax=barriers["fmax"], max_steps=barriers["max_steps"],
                   climb=barriers["climb"])


def lammps_calculator(metal: str, config: dict, log: str | None = None):
    """ASE calculator of the metal's MD potential (LAMMPSlib, one LAMMPS instance)."""
    from ase.calculators.lammpslib import LAMMPSlib

    from .. import potentials as afpot
    from ..md.runtime import preload_mpi

    preload_mpi()
    pot = afpot.resolve(metal, config)
    return LAMMPSlib(lmpcmds=pot.lammps_commands(), atom_types={metal: 1},
                     atom_type_masses={metal: pot.mass_amu}, log_file=log, keep_alive=True)


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
    site = t - b                              # bulk continuation: t + (t - b)
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


def adatom_images(metal: str, facet, a: float, settings: NEBSettings):
    """Initial and final states of the hop (slab + adatom) and the hop length (Å)."""
    from ase import Atom

    s = settings
    slab = metal_slab(metal, miller(facet), a, s.layers, s.fixed_layers, s.inplane_min_length_A, s.vacuum_A)
    slab.pbc = True                           # periodic along z with the vacuum gap (LAMMPS 'p p p')
    p0, p1, hop = hop_endpoints(slab)
    ini, fin = slab.copy(), slab.copy()
    ini.append(Atom(metal, p0))
    fin.append(Atom(metal, p1))
    for at in (ini, fin):      # not wrapped: the hop must stay the short way, not across the cell
        at.set_constraint(slab.constraints)
    return ini, fin, hop


def neb_barrier(metal: str, facet, a: float, calc_factory, settings: NEBSettings) -> dict:
    """E_a (eV) of the adatom hop on ``facet`` with calculators from ``calc_factory()``."""
    from ase.mep import NEB
    from ase.optimize import BFGS, FIRE

    s = settings
    t0 = time.time()
    ini, fin, hop = adatom_images(metal, facet, a, s)
    for at in (ini, fin):
        at.calc = calc_factory()
        BFGS(at, logfile=None).run(fmax=s.fmax, steps=s.max_steps)
    images = [ini] + [ini.copy() for _ in range(s.n_images)] + [fin]
    for im in images[1:-1]:
        im.calc = calc_factory()
        im.set_constraint(ini.constraints)
    neb = NEB(images, climb=s.climb, method="improvedtangent", allow_shared_calculator=False)
    neb.interpolate(method="idpp", mic=True)
    opt = FIRE(neb, logfile=None)
    converged = opt.run(fmax=s.fmax, steps=s.max_steps)
    E = np.array([im.get_potential_energy() for im in images])
    disp = np.linalg.norm(fin.positions[-1] - ini.positions[-1])
    if disp > 1.5 * hop:
        raise RuntimeError(f"{metal}({facet}): the adatom moved {disp:.2f} A for a {hop:.2f} A hop: the band "
                           "does not describe the nearest-neighbour hop")
    # E_a from the lowest point of the band: the image next to an end point can lie lower when
    # the relaxed end point is shallow (seen on Na(100) with the EAM)
    return {"metal": metal, "facet": "".join(map(str, miller(facet))), "E_a_eV": float(E.max() - E.min()),
            "E_a_from_initial_eV": float(E.max() - E[0]),
            "E_a_reverse_eV": float(E.max() - E[-1]), "energies_eV": (E - E[0]).tolist(),
            "hop_length_A": hop, "adatom_displacement_A": float(disp), "n_atoms": len(ini),
            "n_images": s.n_images, "converged": bool(converged), "neb_steps": int(opt.nsteps),
            "wall_s": time.time() - t0}


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
