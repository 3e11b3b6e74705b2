"""Surface self-diffusion barriers E_a from nudged-elastic-band runs of an adatom hop.

Per metal and facet: an adatom on the bulk-continuation hollow site of a slab (the site the
next atomic plane would occupy: the four-fold hollow on bcc(100), the pseudo-three-fold
hollow on bcc(110), the three-fold hollow on bcc(111)) hops to the nearest equivalent site,
i.e. by the shortest in-plane lattice vector of the surface. Both end points are relaxed
(bottom ``fixed_layers`` held at bulk positions), the band is interpolated (IDPP) and
relaxed with a climbing image (Henkelman et al., J. Chem. Phys. 113, 9901 (2000)).
E_a = max_i E_i - E_initial.

Energies come from the MD potentials (config ``potentials``, through LAMMPS and ASE's
``LAMMPSlib``), so the barriers are consistent with the MD stage.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from .config import miller
from .io import provenance, read_json, write_csv, write_json
from .structures import metal_slab, plane_index


def lammps_calculator(metal: str, config: dict, log: str | None = None):
    """ASE calculator of the metal's MD potential (LAMMPSlib, one LAMMPS instance)."""
    from ase.calculators.lammpslib import LAMMPSlib

    from . import potentials as afpot
    from .md.runtime import preload_mpi

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


def adatom_images(metal, facet, a, layers, fixed_layers, min_length, vacuum):
    from ase import Atom

    slab = metal_slab(metal, miller(facet), a, layers, fixed_layers, min_length, vacuum)
    slab.pbc = True                           # periodic along z with the vacuum gap (LAMMPS 'p p p')
    p0, p1, hop = hop_endpoints(slab)
    ini, fin = slab.copy(), slab.copy()
    ini.append(Atom(metal, p0))
    fin.append(Atom(metal, p1))
    for at in (ini, fin):      # not wrapped: the hop must stay the short way, not across the cell
        at.set_constraint(slab.constraints)
    return ini, fin, hop


def neb_barrier(metal: str, facet, a: float, calc_factory, *, layers=6, fixed_layers=2,
                min_length=12.0, vacuum=12.0, n_images=7, fmax=0.02, max_steps=1000, climb=True) -> dict:
    """E_a (eV) of the adatom hop on ``facet`` with calculators from ``calc_factory()``."""
    from ase.mep import NEB
    from ase.optimize import BFGS, FIRE

    t0 = time.time()
    ini, fin, hop = adatom_images(metal, facet, a, layers, fixed_layers, min_length, vacuum)
    for at in (ini, fin):
        at.calc = calc_factory()
        BFGS(at, logfile=None).run(fmax=fmax, steps=max_steps)
    images = [ini] + [ini.copy() for _ in range(n_images)] + [fin]
    for im in images[1:-1]:
        im.calc = calc_factory()
        im.set_constraint(ini.constraints)
    neb = NEB(images, climb=climb, method="improvedtangent", allow_shared_calculator=False)
    neb.interpolate(method="idpp", mic=True)
    opt = FIRE(neb, logfile=None)
    converged = opt.run(fmax=fmax, steps=max_steps)
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
            "n_images": n_images, "converged": bool(converged), "neb_steps": int(opt.nsteps),
            "wall_s": time.time() - t0}


def lattice_constant(metal: str, config: dict, calc_factory) -> float:
    """Equilibrium bcc lattice constant of the potential (Å): energy minimum of a cubic cell."""
    from ase.build import bulk
    from scipy.optimize import minimize_scalar

    a0 = config["metals"][metal]["a0_A"]
    calc = calc_factory()

    def e(a):
        at = bulk(metal, "bcc", a=a, cubic=True).repeat(3)
        at.calc = calc
        return at.get_potential_energy() / len(at)

    r = minimize_scalar(e, bounds=(0.9 * a0, 1.1 * a0), method="bounded", options={"xatol": 1e-5})
    return float(r.x)


def barrier_job(config: dict, metal: str, facet: str, out, log=None) -> dict:
    """One Snakemake job: the NEB barrier of ``metal`` on ``facet`` with its MD potential."""
    b = config["barriers"]
    factory = lambda: lammps_calculator(metal, config, log)  # noqa: E731
    a = lattice_constant(metal, config, factory)
    res = neb_barrier(metal, facet, a, factory, layers=b["layers"], fixed_layers=b["fixed_layers"],
                      min_length=b["inplane_min_length_A"], vacuum=b["vacuum_A"], n_images=b["n_images"],
                      fmax=b["fmax"], max_steps=b["max_steps"], climb=b["climb"])
    from . import potentials as afpot
    pot = afpot.resolve(metal, config)
    res.update({"method": "NEB/" + pot.pair_style, "a_A": a, "potential": pot.citation,
                "provenance": provenance({"barriers": b, "potential": pot.as_dict()}, [str(f) for f in pot.files])})
    write_json(out, res)
    return res


def gather(jsons, out_csv) -> pd.DataFrame:
    rows = [read_json(j) for j in jsons]
    df = pd.DataFrame([{k: r[k] for k in ("metal", "facet", "E_a_eV", "E_a_reverse_eV", "hop_length_A",
                                          "n_atoms", "converged", "method", "a_A")} for r in rows])
    write_csv(out_csv, df, provenance({}, jsons))
    return df
