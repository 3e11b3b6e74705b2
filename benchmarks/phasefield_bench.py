"""Benchmark of the grain-selection phase-field solvers on the reference-size problem.

    python benchmarks/phasefield_bench.py --steps N --json [--dense-steps M] [--out FILE]
        [--metal Li --temperature 300 --current-density 1.0]
    python benchmarks/phasefield_bench.py --full ...      (N = the steps of the whole reference run)

Runs the reference problem (200 x 70 cells, dx = 0.5 um, 75 nuclei on a rough bottom, rows activated one
by one at the deposition velocity v = j V_m/(z F) exactly as in a full run, physical units: the stage's
own calibration and time step, dt = dt_safety x the explicit-Euler bound) for N steps with the fast
(numba) solver, then the dense NumPy reference formulation over M steps (default M = N) of the same
run, from the same seed, and prints one JSON object:
``steps``, ``wall_s``, ``steps_per_s`` (fast solver, compilation excluded and reported as
``jit_s``), ``dense`` (the same for the reference), ``speedup`` (dense wall / fast wall over
the same M steps), ``max_abs_diff`` between the two solutions after M steps, the machine,
the load average before and after, and the inputs; ``front_fractions_end`` and, every 10 rows,
``history_every_10_rows`` (step, rows active, grains alive, ``front_fractions``). Despite the key's name
(kept from earlier result files) these fractions are the whole film's: the grain map over every filled
cell, not the top rows that decide a run's winner. ``--prune`` overrides the config's prune level (the
model's, used by both solvers).

Inputs: the grid, seed and model settings of the reference config (config/config.yaml, section
phasefield: electrolyte order parameter, deposition drive, anchored seed layer, seed relaxation, film);
E_s and E_a of the grains are given below (Li, unstrained: the workflow's PBE slabs of
tests/configs/pf_check.yaml and the literature / MD-potential barriers there), from which
anodeflow.phasefield.growth.prepare computes L_q, kappa_q, g_q and the front mobility exactly as the
stage does. The dense formulation is the same discrete model in NumPy
(every order parameter, electrolyte included, over every activated row). Run the timing you report
under ``flock /tmp/anodeflow-bench.lock``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from workflow_run import machine  # benchmarks/ is on sys.path when run as a script

from anodeflow import config as afconfig
from anodeflow.phasefield.growth import prepare, stable_time_step
from anodeflow.phasefield.model import ORIENTATIONS
from anodeflow.phasefield.solver import DenseSolver, FastSolver
from anodeflow.phasefield.texture import orientation_fractions

REFERENCE_CONFIG = Path(__file__).resolve().parents[1] / "config" / "config.yaml"

# (001), (101), (111) of Li, unstrained: E_s (J/m^2) from the workflow's PBE slabs (quick preset), E_a (eV)
# (001)/(101) literature (methods.md 8), (111) the workflow's NEB with the MD potential (tests/configs/pf_check.yaml)
BENCH_E_S = {"001": 0.472, "101": 0.467, "111": 0.592}
BENCH_E_A = {"001": 0.14, "101": 0.02, "111": 0.301}


def front_state(fast, setup) -> dict:
    """The whole film's orientation fractions (grain map over every filled cell) and the grains alive, at the
    solver's step."""
    frac = orientation_fractions(fast.grain_map(), setup.orientation)
    return {
        "step": int(fast.step_index),
        "rows_active": int(fast.active_rows()),
        "grains_alive": int(np.sum(fast.cw[:-1] > 0)),
        "front_fractions": {o: float(x) for o, x in zip(ORIENTATIONS, frac)},
    }


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=40000, help="steps of the fast solver (N)")
    ap.add_argument("--full", action="store_true", help="N = the steps of the whole reference run (overrides --steps)")
    ap.add_argument("--metal", default="Li", help="the E_s, E_a above are Li's; the metal sets V_m, z, Omega")
    ap.add_argument("--temperature", type=float, default=300.0, help="K")
    ap.add_argument("--current-density", type=float, default=1.0, help="mA/cm^2")
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
    ap.add_argument(
        "--prune", type=float, default=None, help="order parameters below this are set to 0 (default: the config's)"
    )
    ap.add_argument("--json", action="store_true", help="print the result as one JSON object")
    ap.add_argument("--out", help="also write the JSON to this file")
    args = ap.parse_args(argv)
    pf = afconfig.load(REFERENCE_CONFIG)["phasefield"]
    if args.prune is not None:
        pf["prune"] = args.prune
    setup, cal = prepare(pf, args.metal, BENCH_E_S, BENCH_E_A, args.temperature, args.current_density, seed=args.seed)
    dt, bound = stable_time_step(pf, setup)
    params = setup.params = replace(setup.params, dt=dt)
    full_steps = (params.ny - setup.rows0 + pf["top_rows"]) * params.steps_per_row
    if args.full:
        args.steps = full_steps
    n_dense = args.steps if args.dense_steps is None else min(args.dense_steps, args.steps)
    k0 = min(args.dense_start, args.steps - n_dense)
    load_before = os.getloadavg()

    t0 = time.perf_counter()
    warm = FastSolver(setup)
    warm.run(2)  # numba compilation (cached on disk after the first run)
    jit_s = time.perf_counter() - t0

    fast = FastSolver(setup)
    marks = {}
    phi_k0 = fast.phi.copy()
    history = []  # every 10 rows: the orientation fractions of the growth front and the grains alive
    c0 = time.process_time()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        if fast.step_index == k0:
            marks["k0"] = time.perf_counter() - t0
            marks["c0"] = time.process_time() - c0
            phi_k0 = fast.phi.copy()
            state_k0 = (fast._na_filled, fast.owner.copy())
        fast.step()
        if fast.step_index % (10 * params.steps_per_row) == 0:
            history.append(front_state(fast, setup))
        if fast.step_index == k0 + n_dense:
            marks["k1"] = time.perf_counter() - t0
            marks["c1"] = time.process_time() - c0
            phi_fast_m = fast.phi.copy() if n_dense else None
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    end = front_state(fast, setup)
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
        "steps_full_run": full_steps,
        "box_cells_end": fast.box_cells(),
        "grains_alive_end": end["grains_alive"],
        "front_fractions_end": end["front_fractions"],
        "history_every_10_rows": history,
        "metal": args.metal,
        "temperature_K": args.temperature,
        "current_density_mA_cm2": args.current_density,
        "deposition_velocity_um_s": cal["deposition_velocity_um_s"],
        "E_s_J_m2": BENCH_E_S,
        "E_a_eV": BENCH_E_A,
        "L_by_orientation": cal["L_by_orientation"],
        "dg_by_orientation": cal["dg_by_orientation"],
        "L_front": setup.L_front,
        "L_e": setup.L_e,
        "kappa_e": setup.kappa_e,
        "deposition_drive": params.deposition_drive,
        "anchor_seeds": params.anchor_seeds,
        "seed_relax_steps": params.seed_relax_steps,
        "prune": params.prune,
        "seed": params.seed,
        "dt_bound_s": bound,
        "simulated_s": args.steps * dt,
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
    res["machine"] = machine(numpy=np.__version__, numba=__import__("numba").__version__)
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
