"""Benchmark of the grain-selection phase-field solvers on the reference-size problem.

    python benchmarks/phasefield_bench.py --steps N --json [--dense-steps M] [--out FILE]

Runs the reference problem (200 x 70 cells, dx = 0.5 um, dt = 0.01 s, 75 nuclei on a rough
bottom, rows activated one by one at the deposition velocity exactly as in a full run) for N
steps with the fast (numba) solver, then the dense NumPy reference formulation over the
first M steps (default M = N) of the same run, from the same seed, and prints one JSON object:
``steps``, ``wall_s``, ``steps_per_s`` (fast solver, compilation excluded and reported as
``jit_s``), ``dense`` (the same for the reference), ``speedup`` (dense wall / fast wall over
the same M steps), ``max_abs_diff`` between the two solutions after M steps, the machine,
the load average before and after, and the inputs.

Inputs: the grid, dt, seed and model settings of the reference config (config/config.yaml, section
phasefield: electrolyte order parameter, deposition drive, anchored seed layer, seed relaxation);
L_q, kappa_q and the surface-drive offsets of g_q are given explicitly (below) so that the reference
step dt = 0.01 s is stable (the stage itself derives them from E_a, E_s and T and lowers dt when the
explicit-Euler bound requires it). The dense formulation is the same discrete model in NumPy
(every order parameter, electrolyte included, over every activated row). Run the timing you report
under ``flock /tmp/anodeflow-bench.lock``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from anodeflow import config as afconfig
from anodeflow.phasefield.model import GrowthParams, make_setup, stability_bound
from anodeflow.phasefield.solver import DenseSolver, FastSolver

REFERENCE_CONFIG = Path(__file__).resolve().parents[1] / "config" / "config.yaml"

# (001), (101), (111): mobilities 1/(w0 s) and gradient coefficients w0 um^2 of the benchmark
BENCH_L = (1.0, 1.5, 0.7)
BENCH_KAPPA = (1.0, 0.8, 1.3)
BENCH_DGAMMA = (0.0, -0.003, 0.004)  # w0: surface drive of (001), (101), (111)


def machine() -> dict:
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "host": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": __import__("numba").__version__,
    }


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=40000, help="steps of the fast solver (N)")
    ap.add_argument(
        "--dense-steps", type=int, default=None, help="steps of the dense reference (M <= N; default N; 0 skips it)"
    )
    ap.add_argument(
        "--dense-start",
        type=int,
        default=0,
        help="the dense reference starts from the fast solver's state at this step (K) and runs "
        "M steps; both are timed over steps K..K+M (default 0)",
    )
    ap.add_argument("--seed", type=int, default=None, help="default: phasefield.seed of the reference config")
    ap.add_argument("--json", action="store_true", help="print the result as one JSON object")
    ap.add_argument("--out", help="also write the JSON to this file")
    args = ap.parse_args(argv)
    n_dense = args.steps if args.dense_steps is None else min(args.dense_steps, args.steps)
    k0 = min(args.dense_start, args.steps - n_dense)

    params = GrowthParams.from_config(afconfig.load(REFERENCE_CONFIG)["phasefield"], seed=args.seed)
    setup = make_setup(params, BENCH_L, BENCH_KAPPA, g_by_orientation=BENCH_DGAMMA)
    load_before = os.getloadavg()

    t0 = time.perf_counter()
    warm = FastSolver(setup)
    warm.run(2)  # numba compilation (cached on disk after the first run)
    jit_s = time.perf_counter() - t0

    fast = FastSolver(setup)
    marks = {}
    phi_k0 = fast.phi.copy()
    c0 = time.process_time()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        if fast.step_index == k0:
            marks["k0"] = time.perf_counter() - t0
            marks["c0"] = time.process_time() - c0
            phi_k0 = fast.phi.copy()
            state_k0 = (fast._na_filled, fast.owner.copy())
        fast.step()
        if fast.step_index == k0 + n_dense:
            marks["k1"] = time.perf_counter() - t0
            marks["c1"] = time.process_time() - c0
            phi_fast_m = fast.phi.copy() if n_dense else None
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    owner = fast.grain_map()
    front_fractions = np.bincount(setup.orientation[owner[owner >= 0]], minlength=3) / max(1, int((owner >= 0).sum()))
    res = {
        "steps": args.steps,
        "wall_s": wall,
        "steps_per_s": args.steps / wall,
        "cpu_s": cpu,  # process CPU time: less sensitive than wall_s to other users' load
        "jit_s": jit_s,
        "solver": "fast (numba, per-order-parameter bounding boxes)",
        "grid": [params.nx, params.ny],
        "dx_um": params.dx,
        "dt_s": params.dt,
        "n_nuclei": params.n_nuclei,
        "rows_active_end": fast.active_rows(),
        "steps_per_row": params.steps_per_row,
        "box_cells_end": fast.box_cells(),
        "grains_alive_end": int(np.sum(fast.cw[:-1] > 0)),
        "front_fractions_end": {o: float(x) for o, x in zip(("001", "101", "111"), front_fractions)},
        "L": BENCH_L,
        "kappa": BENCH_KAPPA,
        "dGamma": BENCH_DGAMMA,
        "L_e": setup.L_e,
        "kappa_e": setup.kappa_e,
        "deposition_drive": params.deposition_drive,
        "anchor_seeds": params.anchor_seeds,
        "seed_relax_s": params.seed_relax_s,
        "seed": params.seed,
        "dt_bound_s": stability_bound(
            setup.all_L(), setup.all_kappa(), params.dx, params.w, params.gamma_max, params.stability, setup.all_g()
        ),
    }
    if n_dense:
        dense = DenseSolver(setup)
        dense.phi[...] = phi_k0
        dense.step_index = k0
        if k0:  # rows handed over and anchors held at step k0, as in the fast run
            dense._na_filled, own = state_k0
            dense.owner[...] = own
            dense._owner_changed()
        c0 = time.process_time()
        t0 = time.perf_counter()
        dense.run(n_dense)
        dwall = time.perf_counter() - t0
        dcpu = time.process_time() - c0
        fwin = marks["k1"] - marks.get("k0", 0.0)
        res["dense"] = {
            "steps": n_dense,
            "from_step": k0,
            "wall_s": dwall,
            "cpu_s": dcpu,
            "steps_per_s": n_dense / dwall,
            "solver": "dense NumPy (all order parameters, activated rows; slices, in place)",
        }
        res["fast_wall_s_same_steps"] = fwin
        res["speedup"] = dwall / fwin
        res["speedup_cpu"] = dcpu / (marks["c1"] - marks.get("c0", 0.0))
        res["max_abs_diff"] = float(np.max(np.abs(dense.phi - phi_fast_m)))
    res["loadavg_before"] = load_before
    res["loadavg_after"] = os.getloadavg()
    res["machine"] = machine()
    res["command"] = " ".join([os.path.basename(sys.argv[0])] + (argv if argv is not None else sys.argv[1:]))
    text = json.dumps(res, indent=None if args.json else 2)
    print(text)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as fh:
            fh.write(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    main()
