"""One SCF of a structure at a preset with a given GPAW density mixer: iterations, energy, CPU time.

Used to ask whether the first SCF of an interface (the slowest of its relaxation) is the mixer's fault:
the calculator is the workflow's own (``anodeflow.dft.calculators.gpaw_parameters``), only ``mixer`` and
``maxiter`` added. GPAW's text log (``TAG.txt``) holds the iterations; the JSON line on stdout the result.

    source scripts/env.sh
    python benchmarks/scf_mixer.py --structure results/interfaces/Na-100__NaF-100/initial.extxyz \
        --preset validation --tag pulay05 --mixer '{"backend": "pulay", "beta": 0.05, "nmaxold": 5, "weight": 50}'
    python benchmarks/scf_mixer.py ... --tag default --mixer '{}'
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import yaml
from ase.io import read

from anodeflow.dft import mpi
from anodeflow.dft.calculators import gpaw_parameters

ROOT = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--structure", required=True, help="an extxyz (a workflow interface's initial.extxyz)")
    ap.add_argument("--preset", default="validation", help="a preset of config/config.yaml")
    ap.add_argument("--xc", default="PBE")
    ap.add_argument("--tag", required=True, help="name of the GPAW log (TAG.txt in --outdir)")
    ap.add_argument("--mixer", default="{}", help="GPAW mixer keywords as JSON ({} = GPAW's default)")
    ap.add_argument("--maxiter", type=int, default=90)
    ap.add_argument("--outdir", default=".")
    a = ap.parse_args()
    from gpaw import GPAW

    # GPAW's MPI world before ASE's first parallel call (ase.io.read): ASE then takes GPAW's world, so the
    # script runs on N ranks under `python -m anodeflow.launch N --`, as the workflow's jobs do
    world = mpi.world(need_gpaw=True)

    preset = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["presets"][a.preset]
    atoms = read(a.structure)
    p = gpaw_parameters(preset, a.xc, atoms, slab=True)
    mixer = json.loads(a.mixer)
    if mixer:
        p["mixer"] = mixer
    p["maxiter"] = a.maxiter
    atoms.calc = GPAW(txt=str(Path(a.outdir) / f"{a.tag}.txt"), **p)
    t0, c0 = time.time(), time.process_time()
    from gpaw import KohnShamConvergenceError

    try:
        e, converged, error = atoms.get_potential_energy(), True, None
    except KohnShamConvergenceError as ex:  # not converged within maxiter
        e, converged, error = None, False, repr(ex)[:200]
    wall, cpu = time.time() - t0, time.process_time() - c0
    out = {"tag": a.tag, "ranks": world.size, "mixer": mixer, "energy": e, "converged": converged, "error": error}
    out.update(wall=wall, cpu=cpu)
    if world.rank == 0:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
