"""One grain-selection growth run in physical units: metal, current density, temperature and the grains'
E_s, E_a -> deposition velocity, L_q, kappa_q, g_q (:mod:`.calibration`) -> a stable time step -> the film.

The run follows the settings of the config section ``phasefield`` (grid, film, dt and its stability
handling, sampling); the model and its discretisation are in :mod:`.model`, the compiled solver in
:mod:`.solver`.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from . import calibration as calib
from .model import (
    EQUAL_ODDS,
    ORIENTATIONS,
    GrowthParams,
    check_stability,
    gradient_coefficient,
    make_setup,
    seed_layer_draw,
    stability_bound,
)
from .solver import FastSolver
from .texture import fractions_by_row, orientation_fractions, winning_texture


def stable_time_step(pf: dict, setup) -> tuple[float, float]:
    """(dt, bound): the explicit-Euler bound over every order parameter (grains at L_q + L_f, the
    electrolyte at L_e). phasefield.dt_s null: dt = dt_safety x bound (3 significant digits); a given dt_s
    is used if stable, else lowered to dt_safety x bound with dt_auto and refused without."""
    p = setup.params
    L, kappa, g = setup.all_L_max(), setup.all_kappa(), setup.all_g()
    bound = stability_bound(L, kappa, p.dx, p.w, p.gamma_max, p.stability, g)
    dt = pf["dt_s"]
    if dt is None or (dt > bound and pf["dt_auto"]):
        x = pf["dt_safety"] * bound
        dt = float(f"{x:.3g}")
        if dt > x:
            dt = float(f"{x * 0.999:.3g}")
    check_stability(dt, L, kappa, p.dx, p.w, p.gamma_max, p.stability, g)
    return dt, bound


def prepare(
    pf: dict,
    metal: str,
    E_s: dict,
    E_a: dict,
    T_K: float,
    current_density_mA_cm2: float,
    *,
    grid: dict | None = None,
    orientation_weights=EQUAL_ODDS,
    seed: int | None = None,
):
    """Calibrated set-up of a run (no time step yet): returns (setup, calibration dict)."""
    v = calib.deposition_velocity_um_s(metal, current_density_mA_cm2)
    params = GrowthParams.from_config(
        pf, grid=grid, seed=seed, orientation_weights=orientation_weights, deposition_velocity=v
    )
    _, _, ori = seed_layer_draw(params)
    cal = calib.calibrate(
        metal,
        E_s,
        E_a,
        T_K,
        current_density_mA_cm2,
        pf["film"],
        w=params.w,
        dmu=params.deposition_drive,
        front_speed_ratio=pf["front_speed_ratio"],
        present=ori,
        strain=pf["strain_drive"],
    )
    setup = make_setup(
        params,
        cal["L_by_orientation"],
        E_s_by_orientation=[E_s[o] for o in ORIENTATIONS],
        g_by_orientation=cal["dg_by_orientation"],
        L_front=cal["L_front_per_w0_s"],
    )
    return setup, cal


def run_growth(
    pf: dict,
    metal: str,
    E_s: dict,
    E_a: dict,
    T_K: float,
    current_density_mA_cm2: float,
    *,
    keep_frames: bool = True,
    grid: dict | None = None,
    orientation_weights=EQUAL_ODDS,
) -> dict:
    """One grain-selection run of ``metal`` at ``T_K`` and ``current_density_mA_cm2`` with E_s (J/m^2) and
    E_a (eV) per orientation; ``grid`` overrides keys of ``phasefield.grid``. Runs until the domain is
    filled (the last row activated, then ``top_rows`` row periods) unless ``phasefield.t_end_s`` is set.
    Returns time series, final map, frames (with ``keep_frames``), the calibration and what made them."""
    setup, cal = prepare(
        pf, metal, E_s, E_a, T_K, current_density_mA_cm2, grid=grid, orientation_weights=orientation_weights
    )
    dt, bound = stable_time_step(pf, setup)
    params = setup.params = replace(setup.params, dt=dt)
    row_period = params.dx / params.deposition_velocity
    t_end = pf["t_end_s"] or (params.ny - setup.rows0 + pf["top_rows"]) * row_period
    n_steps = int(math.ceil(t_end / dt - 1e-9))
    every = max(1, int(round(pf["sample_every_rows"] * row_period / dt)))
    solver = FastSolver(setup)
    times, heights, fracs, frames, front, front_h, metal_um = [], [], [], [], [], [], []

    def sample(s):
        g = s.grain_map()
        times.append(s.step_index * dt)
        heights.append(s.active_rows() * params.dx)
        fracs.append(orientation_fractions(g, setup.orientation))
        w = winning_texture(g, setup.orientation, pf["top_rows"])
        front.append([w["top_fractions"][o] for o in ORIENTATIONS])
        filled = np.nonzero((g >= 0).sum(axis=1) >= 0.5 * params.nx)[0]
        front_h.append((filled.max() + 1) * params.dx if filled.size else 0.0)
        metal_um.append(float(s.grains.sum()) * params.dx / params.nx)  # mean film thickness (um)
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
    E_0 = cal["E_0_J_m2"]
    kappa_all = {o: float(gradient_coefficient(E_s[o], E_0)) for o in ORIENTATIONS}
    cal["row_period_s"] = row_period
    cal["ratios"] = calib.ratios(
        cal, kappa_all, params.w, params.gamma, params.dx, seed_radius_um=0.5 * params.nx * params.dx / params.n_nuclei
    )
    return {
        "params": params,
        "setup": setup,
        "dt": dt,
        "dt_bound": bound,
        "n_steps": n_steps,
        "wall_s": wall,
        "times": np.array(times),
        "heights": np.array(heights),
        "metal_um": np.array(metal_um),
        "fractions": np.array(fracs),
        "front_fractions": np.array(front),
        "front_um": np.array(front_h),
        "frames": np.array(frames) if keep_frames else None,
        "final_map": g,
        "by_row": fractions_by_row(g, setup.orientation),
        "winner": winning_texture(g, setup.orientation, pf["top_rows"]),
        "L": {o: cal["orientations"][o]["L_per_w0_s"] for o in ORIENTATIONS},
        "kappa": kappa_o,
        "g": g_o,
        "L_e": float(setup.L_e),
        "kappa_e": float(setup.kappa_e),
        "L_front": float(setup.L_front),
        "E_0_J_m2": E_0,
        "calibration": cal,
        "nuclei": {o: int(np.sum(setup.orientation == k)) for k, o in enumerate(ORIENTATIONS)},
    }
