"""One grain-selection growth run: E_s, E_a and T -> L_q, kappa_q -> a stable time step -> the film.

The run follows the settings of the config section ``phasefield`` (grid, t_end_s, dt_s and its
stability handling, sampling); the model and its discretisation are in :mod:`.model`, the
compiled solver in :mod:`.solver`.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from .model import EQUAL_ODDS, ORIENTATIONS, GrowthParams, check_stability, make_setup, mobility, stability_bound
from .solver import FastSolver
from .texture import fractions_by_row, orientation_fractions, winning_texture


def stable_time_step(pf: dict, setup) -> tuple[float, float]:
    """(dt, bound): dt = phasefield.dt_s if stable; with dt_auto the largest stable dt below it
    (dt_safety x bound, 3 significant digits); without dt_auto an unstable dt is refused."""
    p = setup.params
    L, kappa, g = setup.all_L(), setup.all_kappa(), setup.all_g()
    bound = stability_bound(L, kappa, p.dx, p.w, p.gamma_max, p.stability, g)
    dt = pf["dt_s"]
    if dt > bound and pf["dt_auto"]:
        x = pf["dt_safety"] * bound
        dt = float(f"{x:.3g}")
        if dt > x:
            dt = float(f"{x * 0.999:.3g}")
    check_stability(dt, L, kappa, p.dx, p.w, p.gamma_max, p.stability, g)
    return dt, bound


def run_growth(
    pf: dict,
    E_s: dict,
    E_a: dict,
    T_K: float,
    *,
    keep_frames: bool = True,
    grid: dict | None = None,
    orientation_weights=EQUAL_ODDS,
) -> dict:
    """One grain-selection run at temperature ``T_K`` with E_s (J/m^2) and E_a (eV) per orientation;
    ``grid`` overrides keys of ``phasefield.grid``. Returns time series, final map, frames (with
    ``keep_frames``) and what made them."""
    params = GrowthParams.from_config(pf, grid=grid, orientation_weights=orientation_weights)
    L_o = mobility([E_a[o] for o in ORIENTATIONS], T_K)
    setup = make_setup(params, L_o, E_s_by_orientation=[E_s[o] for o in ORIENTATIONS])
    dt, bound = stable_time_step(pf, setup)
    params = setup.params = replace(params, dt=dt)
    n_steps = int(math.ceil(pf["t_end_s"] / dt - 1e-9))
    every = max(1, int(round(pf["sample_every_s"] / dt)))
    solver = FastSolver(setup)
    times, heights, fracs, frames, front, front_h = [], [], [], [], [], []

    def sample(s):
        g = s.grain_map()
        times.append(s.step_index * dt)
        heights.append(s.active_rows() * params.dx)
        fracs.append(orientation_fractions(g, setup.orientation))
        w = winning_texture(g, setup.orientation, pf["top_rows"])
        front.append([w["top_fractions"][o] for o in ORIENTATIONS])
        filled = np.nonzero((g >= 0).sum(axis=1) >= 0.5 * params.nx)[0]
        front_h.append((filled.max() + 1) * params.dx if filled.size else 0.0)
        if keep_frames:
            frames.append(g.astype(np.int16))

    sample(solver)
    t0 = time.perf_counter()
    solver.run(n_steps, callback=sample, every=every)
    wall = time.perf_counter() - t0
    if solver.step_index % every:
        sample(solver)
    g = solver.grain_map()

    def per_o(x):
        return {
            o: float(x[setup.orientation == k][0]) if np.any(setup.orientation == k) else None
            for k, o in enumerate(ORIENTATIONS)
        }

    kappa_o, g_o = per_o(setup.kappa), per_o(setup.g)
    return {
        "params": params,
        "setup": setup,
        "dt": dt,
        "dt_bound": bound,
        "n_steps": n_steps,
        "wall_s": wall,
        "times": np.array(times),
        "heights": np.array(heights),
        "fractions": np.array(fracs),
        "front_fractions": np.array(front),
        "front_um": np.array(front_h),
        "frames": np.array(frames) if keep_frames else None,
        "final_map": g,
        "by_row": fractions_by_row(g, setup.orientation),
        "winner": winning_texture(g, setup.orientation, pf["top_rows"]),
        "L": {o: float(x) for o, x in zip(ORIENTATIONS, L_o)},
        "kappa": kappa_o,
        "g": g_o,
        "L_e": float(setup.L_e),
        "kappa_e": float(setup.kappa_e),
        "E_0_J_m2": float(np.mean([E_s[ORIENTATIONS[k]] for k in setup.orientation])),
        "nuclei": {o: int(np.sum(setup.orientation == k)) for k, o in enumerate(ORIENTATIONS)},
    }
