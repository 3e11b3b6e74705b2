"""Benchmark: one GPAW relaxation with threads pinned (1 BLAS/OpenMP thread per MPI rank) vs unpinned.

    python benchmarks/dft_threads.py [--ranks 2] [--steps 3] [--out benchmarks/results/dft_threads.json]

Li(100) slab, 2x2 in-plane, 4 layers (16 atoms, bottom 2 fixed), the `quick` preset
(300 eV, k-point density 2.5 /Å, Fermi–Dirac 0.1 eV), a fixed number of BFGS steps. Each
variant runs in a fresh process under mpiexec; "unpinned" removes OMP/OPENBLAS/MKL_NUM_THREADS
so that the libraries take every core for each rank.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JOB = r"""
import sys, time, yaml
from anodeflow.interfaces import structures
from anodeflow.dft.calculators import gpaw_calculator
from anodeflow.dft.relax import relax
p = yaml.safe_load(open(sys.argv[1]))["presets"]["quick"]
slab = structures.metal_slab("Li", (1, 0, 0), 3.43, 4, 2, 6.0, 15.0)
t = time.time()
res = relax(slab, gpaw_calculator(p, "PBE", slab, txt=None), 1e-6, int(sys.argv[2]), sys.argv[3], logfile=None)
from gpaw.mpi import world
if world.rank == 0:
    print("RESULT", time.time() - t, res.steps, res.energy_eV, flush=True)
"""


def run(pinned: bool, ranks: int, steps: int) -> dict:
    env = dict(os.environ, GPAW_MPI_BACKEND="cgpaw")
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        if pinned:
            env[v] = "1"
        else:
            env.pop(v, None)
    with tempfile.TemporaryDirectory() as wd:
        script = Path(wd) / "job.py"
        script.write_text(JOB)
        t = time.time()
        out = subprocess.run(
            [
                "mpiexec",
                "-n",
                str(ranks),
                sys.executable,
                str(script),
                str(ROOT / "config" / "config.yaml"),
                str(steps),
                str(Path(wd) / "work"),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    line = next(row for row in out.splitlines() if row.startswith("RESULT")).split()
    return {
        "pinned": pinned,
        "wall_s": time.time() - t,
        "relax_s": float(line[1]),
        "steps": int(line[2]),
        "energy_eV": float(line[3]),
        "loadavg_before": os.getloadavg(),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "dft_threads.json"))
    args = ap.parse_args()
    rows = [run(True, args.ranks, args.steps), run(False, args.ranks, args.steps)]
    res = {
        "benchmark": "GPAW relaxation, threads pinned vs unpinned",
        "machine": {
            "node": platform.node(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "processor": platform.processor(),
        },
        "settings": {
            "system": "Li(100) 2x2x4, 16 atoms",
            "preset": "quick",
            "mpi_ranks": args.ranks,
            "bfgs_steps": args.steps,
        },
        "runs": rows,
        "unpinned_over_pinned": rows[1]["relax_s"] / rows[0]["relax_s"],
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    Path(args.out).write_text(json.dumps(res, indent=2))
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
