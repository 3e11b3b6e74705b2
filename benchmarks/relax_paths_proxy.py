"""Relaxation paths on a small isolated Li(100) vacancy, GPAW directly (no workflow): the proxy used to
choose the path before the interface benchmark (benchmarks/relax_paths.py).

    mpiexec -n 2 gpaw python benchmarks/relax_paths_proxy.py pristine          # relax the pristine slab once
    [FMAX=0.01 TAG=_tight] mpiexec -n N gpaw python benchmarks/relax_paths_proxy.py ARM MU

3x3x4 Li(100) (36 atoms, bottom layer fixed, 8 A vacuum each side), PW 200 eV, 2x2x1 k-points,
Fermi-Dirac 0.1 eV, dipole layer, density 1e-4 and eigenstates 1e-6; one top-layer atom removed from
the relaxed pristine slab. ARM: bfgs70 (plain BFGS, ASE defaults alpha 70 eV/A^2, maxstep 0.2),
bfgsP (BFGS with the Exp preconditioner at stiffness MU as initial Hessian, fixed atoms decoupled),
bfgs20, plbfgs (ASE's PreconLBFGS with Armijo line search; not completed in the logged run).
Each run prints one JSON line (steps, extrapolated energy E, wall) and writes ARM[TAG].log (the BFGS
log: free energy and fmax per step) and ARM[TAG].txt (GPAW). The logged runs are in
benchmarks/results/relax_paths_proxy/.
"""

import json
import os
import sys
import time

import numpy as np
from ase.build import bcc100
from ase.constraints import FixAtoms
from ase.io import read, write
from ase.optimize import BFGS
from ase.optimize.precon import Exp, PreconLBFGS
from ase.parallel import parprint, world
from gpaw import GPAW

TAG = os.environ.get("TAG", "")


def calculator(txt):
    return GPAW(
        mode={"name": "pw", "ecut": 200},
        xc="PBE",
        kpts={"size": (2, 2, 1), "gamma": True},
        occupations={"name": "fermi-dirac", "width": 0.1},
        poissonsolver={"dipolelayer": "xy"},
        symmetry={"point_group": False, "time_reversal": True},
        txt=txt,
        convergence={"density": 1e-4, "eigenstates": 1e-6},
    )


def fix_bottom(atoms):
    z = atoms.positions[:, 2]
    atoms.set_constraint(FixAtoms(mask=z < z.min() + 0.5))
    return atoms


def main():
    arm = sys.argv[1]
    if arm == "pristine":
        slab = fix_bottom(bcc100("Li", (3, 3, 4), a=3.44, vacuum=8.0))
        slab.calc = calculator("pristine.txt")
        BFGS(slab, logfile="pristine.log").run(fmax=0.05, steps=100)
        if world.rank == 0:
            write("pristine.extxyz", slab)
        return
    atoms = fix_bottom(read("pristine.extxyz"))
    z = atoms.positions[:, 2]
    top = np.flatnonzero(z > z.max() - 0.3)
    del atoms[int(top[4])]
    fix_bottom(atoms)
    atoms.calc = calculator(f"{arm}{TAG}.txt")
    mu = float(sys.argv[2]) if len(sys.argv) > 2 else None
    log = f"{arm}{TAG}.log"
    t0 = time.time()
    if arm == "bfgs70":
        opt = BFGS(atoms, logfile=log)
    elif arm == "bfgs20":
        opt = BFGS(atoms, logfile=log, alpha=20, maxstep=0.3)
    elif arm.startswith("bfgsP"):
        opt = BFGS(atoms, logfile=log)
        pc = Exp(A=3.0, mu=mu)
        pc.make_precon(atoms)
        hessian = pc.P.toarray() if hasattr(pc.P, "toarray") else np.asarray(pc.P)
        fixed = np.zeros(len(atoms), bool)
        fixed[atoms.constraints[0].index] = True
        held = np.repeat(fixed, 3)
        hessian[held, :] = 0
        hessian[:, held] = 0
        hessian[held, held] = mu
        opt.H0 = hessian
    elif arm == "plbfgs":
        opt = PreconLBFGS(atoms, precon=Exp(A=3.0, mu=mu), logfile=log)
    else:
        raise SystemExit(f"unknown arm {arm}")
    opt.run(fmax=float(os.environ.get("FMAX", 0.05)), steps=200)
    if world.rank == 0:
        write(f"{arm}_final.extxyz", atoms)
    energy = atoms.get_potential_energy()
    parprint(json.dumps({"arm": arm, "steps": opt.nsteps, "E": energy, "wall": time.time() - t0}))


if __name__ == "__main__":
    main()
