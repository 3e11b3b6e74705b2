"""How far a preset's cutoff is from converged forces on F: a NaF(100) bilayer at several cutoffs, each at its
unrelaxed geometry and rigidly shifted along z by fractions (0, 1/4, 1/2) of a grid spacing.

In exact theory a rigid shift changes no force (and the forces on a neutral slab sum to zero); the change
under the shift measures the real-space grid's error (egg-box), the distance from the highest cutoff the
basis error. 4 atoms, 1x1 surface cell, PBE, the workflow's slab calculator (dipole correction) at the
``--preset``'s other settings; or any extxyz (``--structure``, e.g. an hBN sheet). Writes one JSON: per case the
grid, the energy, the forces per atom, their sum, the largest |F| and the CPU time.

    source scripts/env.sh
    python benchmarks/net_force.py --ecut 250 350 500 700 --out benchmarks/results/net_force_NaF.json
    python benchmarks/net_force.py --ecut 250 --h 0.15 --out benchmarks/results/net_force_NaF_h015.json
    python benchmarks/net_force.py --ecut 500 --h 0.15 --out benchmarks/results/net_force_NaF_500_h015.json
    python -c "from ase.build import graphene; graphene('BN', a=2.51, vacuum=7.5).write('/tmp/hBN.extxyz')"
    python benchmarks/net_force.py --structure /tmp/hBN.extxyz --ecut 350 500 700 \
        --out benchmarks/results/net_force_hBN.json   (graphene: graphene("C2", a=2.46, ...), net_force_graphene.json)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from workflow_run import machine  # noqa: E402

from anodeflow.dft import mpi  # noqa: E402
from anodeflow.dft.calculators import gpaw_parameters  # noqa: E402

#: NaF lattice constant (Å): experiment, 4.63 A (rock salt); PBE gives ~1 % more. Used only to build the probe.
A_NAF = 4.63


def naf_bilayer(vacuum: float = 15.0):
    from ase import Atoms

    s = A_NAF / np.sqrt(2.0)  # (100) surface cell of rock salt: a / sqrt 2, one Na and one F per layer
    d = A_NAF / 2.0
    pos = [(0, 0, 0), (s / 2, s / 2, 0), (s / 2, s / 2, d), (0, 0, d)]
    at = Atoms("NaFNaF", positions=pos, cell=[s, s, d + vacuum], pbc=[True, True, False])
    at.center(axis=2)
    return at


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", default="validation")
    ap.add_argument("--ecut", type=float, nargs="+", default=[250.0, 500.0])
    ap.add_argument("--shifts", type=float, nargs="+", default=[0.0, 0.25, 0.5], help="rigid z shifts, grid spacings")
    ap.add_argument(
        "--h", type=float, nargs="+", default=[0.0], help="real-space grid spacings (A; 0: GPAW's from ecut)"
    )
    ap.add_argument("--structure", default=None, help="an extxyz instead of the NaF bilayer")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    world = mpi.world(need_gpaw=True)
    from ase.io import read
    from gpaw import GPAW

    preset = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["presets"][a.preset]
    base = read(a.structure) if a.structure else naf_bilayer()
    load0 = os.getloadavg()
    cases = []
    for ecut, h_grid, sh in [(e, h, sh) for e in a.ecut for h in a.h for sh in a.shifts]:
        at = base.copy()
        p = gpaw_parameters({**preset, "ecut_eV": ecut}, "PBE", at, slab=True)
        if h_grid:
            p["h"] = h_grid
        calc = GPAW(txt=None, **p)
        at.calc = calc
        t0 = time.process_time()
        at.get_potential_energy()
        h = at.cell[2, 2] / calc.wfs.gd.N_c[2]
        if sh:
            at.positions[:, 2] += sh * h
        f = at.get_forces(apply_constraint=False)
        cases.append(
            {
                "ecut_eV": ecut,
                "h_asked_A": h_grid or None,
                "grid": [int(n) for n in calc.wfs.gd.N_c],
                "shift_grid_spacings": sh,
                "grid_spacing_z_A": float(h),
                "energy_eV": float(at.get_potential_energy()),
                "forces_eV_A": f.round(5).tolist(),
                "sum_F_eV_A": f.sum(axis=0).round(5).tolist(),
                "max_abs_F_eV_A": float(np.abs(f).max()),
                "cpu_s": time.process_time() - t0,
            }
        )
        if world.rank == 0:
            c = cases[-1]
            print(
                f"ecut {ecut:5.0f} h {h_grid} shift {sh:4.2f} sum F {c['sum_F_eV_A']}  max|F| {c['max_abs_F_eV_A']:.3f}"
            )
    if world.rank == 0:
        doc = {
            "what": "sum of forces on a neutral slab (zero in exact theory): the grid's force error",
            "system": a.structure or f"NaF(100) bilayer, 1x1, a {A_NAF} A, 15 A vacuum",
            "preset": a.preset,
            "machine": machine(),
            "loadavg_start": load0,
            "loadavg_end": os.getloadavg(),
            "cases": cases,
        }
        Path(a.out).write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
