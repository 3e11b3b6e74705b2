"""The grain-selection stage: inputs (E_s, E_a) -> growth runs -> texture, figures, sweeps.

Inputs per metal and orientation (001)/(101)/(111), resolved by :func:`resolve_inputs`:
``phasefield.inputs.<metal>.E_a_eV.<o>`` and ``phasefield.inputs.<metal>.E_s_J_m2.<condition>.<o>``
(literature or user values) take precedence; every value not given there is read from the
workflow's own results (``results/surfaces/<metal>/surface_energies.csv`` at the condition's
strain, ``results/barriers/<metal>/barriers.csv``). Conditions map to a biaxial strain of
the slabs (``phasefield.conditions``: liquid = 0, solid = the strained E_s).
"""
from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .. import constants as C
from ..io import atomic_path, provenance, write_csv, write_json
from .analysis import (crossovers, delta_U, fractions_by_row, orientation_fractions,
                       winning_texture)
from .model import (ORIENTATIONS, GrowthParams, check_stability, grain_map, make_setup,
                    mobility, stability_bound)
from .solver import FastSolver

COLORS = {"001": "#d62728", "101": "#1f77b4", "111": "#2ca02c"}


# ------------------------------------------------------------------------------ inputs


def _strain_of(pf: dict, condition: str) -> float:
    return float(pf["conditions"][condition])


def needed_inputs(config: dict, metal: str, conditions=None) -> dict:
    """Which workflow results a metal's runs need: {'surfaces': bool, 'barriers': bool}."""
    pf = config["phasefield"]
    ov = pf.get("inputs", {}).get(metal, {})
    conds = conditions or list(pf["conditions"])
    need_b = any(o not in ov.get("E_a_eV", {}) for o in ORIENTATIONS)
    need_s = any(o not in ov.get("E_s_J_m2", {}).get(c, {}) for c in conds for o in ORIENTATIONS)
    return {"surfaces": need_s, "barriers": need_b}


def surfaces_csv(metal: str) -> str:
    return f"results/surfaces/{metal}/surface_energies.csv"


def barriers_csv(metal: str) -> str:
    return f"results/barriers/{metal}/barriers.csv"


def resolve_inputs(config: dict, metal: str, condition: str, surfaces: str | None = None,
                   barriers: str | None = None) -> dict:
    """E_s (J/m^2) and E_a (eV) per orientation, with the source of each value."""
    pf = config["phasefield"]
    ov = pf.get("inputs", {}).get(metal, {})
    strain = _strain_of(pf, condition)
    E_s, E_a, src = {}, {}, {}
    s_tab = pd.read_csv(surfaces) if surfaces and Path(surfaces).exists() else None
    b_tab = pd.read_csv(barriers) if barriers and Path(barriers).exists() else None
    for o in ORIENTATIONS:
        slab = C.PF_SLAB_FACET[o]
        given = ov.get("E_s_J_m2", {}).get(condition, {})
        if o in given:
            E_s[o], src[f"E_s_{o}"] = float(given[o]), "config phasefield.inputs"
        else:
            if s_tab is None:
                raise FileNotFoundError(f"E_s of {metal}({slab}) at strain {strain:+g} needs {surfaces_csv(metal)} "
                                        f"or phasefield.inputs.{metal}.E_s_J_m2.{condition}.'{o}'")
            row = s_tab[(s_tab.facet.astype(str).str.zfill(3) == slab) & (np.abs(s_tab.strain - strain) < 1e-9)]
            if row.empty:
                raise KeyError(f"{surfaces}: no row for facet {slab} at strain {strain:+g} "
                               f"(phasefield.conditions.{condition}); add the strain to surfaces.strains")
            E_s[o], src[f"E_s_{o}"] = float(row.E_s_J_m2.iloc[0]), str(surfaces)
        if o in ov.get("E_a_eV", {}):
            E_a[o], src[f"E_a_{o}"] = float(ov["E_a_eV"][o]), "config phasefield.inputs"
        else:
            if b_tab is None:
                raise FileNotFoundError(f"E_a of {metal}({slab}) needs {barriers_csv(metal)} "
                                        f"or phasefield.inputs.{metal}.E_a_eV.'{o}'")
            row = b_tab[b_tab.facet.astype(str).str.zfill(3) == slab]
            if row.empty:
                raise KeyError(f"{barriers}: no barrier for facet {slab}")
            E_a[o], src[f"E_a_{o}"] = float(row.E_a_eV.min()), str(barriers)
    return {"metal": metal, "condition": condition, "strain": strain, "E_s_J_m2": E_s,
            "E_a_eV": E_a, "sources": src}


# ------------------------------------------------------------------------------ runs


def growth_params(pf: dict, **over) -> GrowthParams:
    g = {**pf["grid"], **over.pop("grid", {})}
    return GrowthParams(nx=g["nx"], ny=g["ny"], dx=g["dx_um"], dt=pf["dt_s"], n_nuclei=g["n_nuclei"],
                        w=pf["w"], gamma=pf["gamma"], deposition_velocity=pf["deposition_velocity_um_s"],
                        roughness_cells=g["roughness_cells"], nucleus_radius_cells=g["nucleus_radius_cells"],
                        prune=pf["prune"], stability=pf["stability"], seed=over.pop("seed", pf["seed"]),
                        orientation_weights=tuple(over.pop("orientation_weights", (1.0, 1.0, 1.0))))


def choose_dt(pf: dict, setup) -> tuple[float, float]:
    """(dt, bound): dt = phasefield.dt_s if stable; with dt_auto the largest stable dt below it
    (dt_safety x bound, 3 significant digits); without dt_auto an unstable dt is refused."""
    p = setup.params
    bound = stability_bound(setup.L, setup.kappa, p.dx, p.w, p.gamma, p.stability)
    dt = pf["dt_s"]
    if dt > bound and pf.get("dt_auto", True):
        x = pf.get("dt_safety", 0.9) * bound
        dt = float(f"{x:.3g}")
        if dt > x:
            dt = float(f"{x * 0.999:.3g}")
    check_stability(dt, setup.L, setup.kappa, p.dx, p.w, p.gamma, p.stability)
    return dt, bound


def run_growth(pf: dict, E_s: dict, E_a: dict, T_K: float, *, sample_every_s: float | None = None,
               keep_frames: bool = True, **over) -> dict:
    """One grain-selection run; returns time series, final map, frames and what made them."""
    params = growth_params(pf, **over)
    L_o = mobility([E_a[o] for o in ORIENTATIONS], T_K)
    setup = make_setup(params, L_o, E_s_by_orientation=[E_s[o] for o in ORIENTATIONS])
    dt, bound = choose_dt(pf, setup)
    params.dt = dt
    n_steps = int(math.ceil(pf["t_end_s"] / dt - 1e-9))
    every = max(1, int(round((sample_every_s or pf["sample_every_s"]) / dt)))
    solver = FastSolver(setup)
    times, heights, fracs, frames = [], [], [], []

    def sample(s):
        g = grain_map(s.phi)
        times.append(s.step_index * dt)
        heights.append(s.active_rows() * params.dx)
        fracs.append(orientation_fractions(g, setup.orientation))
        if keep_frames:
            frames.append(g.astype(np.int16))

    sample(solver)
    t0 = time.perf_counter()
    solver.run(n_steps, callback=sample, every=every)
    wall = time.perf_counter() - t0
    if solver.step_index % every:
        sample(solver)
    g = grain_map(solver.phi)
    kappa_o = {o: float(setup.kappa[setup.orientation == k][0]) if np.any(setup.orientation == k) else None
               for k, o in enumerate(ORIENTATIONS)}
    return {
        "params": params, "setup": setup, "dt": dt, "dt_bound": bound, "n_steps": n_steps,
        "wall_s": wall, "times": np.array(times), "heights": np.array(heights),
        "fractions": np.array(fracs), "frames": np.array(frames) if keep_frames else None,
        "final_map": g, "by_row": fractions_by_row(g, setup.orientation),
        "winner": winning_texture(g, setup.orientation, pf["top_rows"]),
        "L": {o: float(x) for o, x in zip(ORIENTATIONS, L_o)}, "kappa": kappa_o,
        "E_0_J_m2": float(np.mean([E_s[ORIENTATIONS[k]] for k in setup.orientation])),
        "nuclei": {o: int(np.sum(setup.orientation == k)) for k, o in enumerate(ORIENTATIONS)},
    }


def _cmap():
    from matplotlib.colors import ListedColormap
    return ListedColormap(["#f2f2f2", "#7f7f7f"] + [COLORS[o] for o in ORIENTATIONS])


def _rgb_index(gmap, orientation, substrate):
    """0 empty, 1 substrate, 2.. orientation."""
    out = np.where(gmap >= 0, orientation[np.maximum(gmap, 0)] + 2, 0)
    j = np.arange(gmap.shape[0])[:, None]
    out[j < substrate[None, :]] = 1
    return out


def plot_snapshots(res: dict, path, title: str) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    frames, times = res["frames"], res["times"]
    st, p = res["setup"], res["params"]
    pick = np.unique(np.linspace(0, len(frames) - 1, 4).round().astype(int))
    fig, axes = plt.subplots(len(pick), 1, figsize=(7, 1.2 + 1.3 * len(pick)), sharex=True)
    ext = [0, p.nx * p.dx, 0, p.ny * p.dx]
    for ax, k in zip(np.atleast_1d(axes), pick):
        ax.imshow(_rgb_index(frames[k], st.orientation, st.substrate), origin="lower", cmap=_cmap(),
                  vmin=0, vmax=4, extent=ext, interpolation="nearest")
        ax.set_ylabel("z (um)")
        ax.set_title(f"t = {times[k]:.0f} s", fontsize=9)
    np.atleast_1d(axes)[-1].set_xlabel("x (um)")
    fig.legend(handles=[Patch(color=COLORS[o], label=f"({o})") for o in ORIENTATIONS], loc="upper right",
               ncol=3, fontsize=8)
    fig.suptitle(title, fontsize=10, x=0.35)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    plt.close(fig)


def write_animation(res: dict, path, title: str) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter

    frames, times = res["frames"], res["times"]
    st, p = res["setup"], res["params"]
    fig, ax = plt.subplots(figsize=(7, 3))
    ext = [0, p.nx * p.dx, 0, p.ny * p.dx]
    im = ax.imshow(_rgb_index(frames[0], st.orientation, st.substrate), origin="lower", cmap=_cmap(), vmin=0,
                   vmax=4, extent=ext, interpolation="nearest")
    ax.set_xlabel("x (um)")
    ax.set_ylabel("z (um)")

    def upd(k):
        im.set_data(_rgb_index(frames[k], st.orientation, st.substrate))
        ax.set_title(f"{title}   t = {times[k]:.0f} s", fontsize=9)
        return (im,)

    anim = FuncAnimation(fig, upd, frames=len(frames), blit=False)
    import os
    with atomic_path(path) as tmp:
        gif = str(tmp) + ".gif"          # Pillow picks the format from the suffix
        try:
            anim.save(gif, writer=PillowWriter(fps=12))
            os.replace(gif, tmp)
        finally:
            if os.path.exists(gif):
                os.unlink(gif)
    plt.close(fig)


def grain_selection(config: dict, metal: str, condition: str, outdir, surfaces=None, barriers=None) -> dict:
    """The stage job for one metal and condition: runs and writes texture.csv/json, figures."""
    pf = config["phasefield"]
    inp = resolve_inputs(config, metal, condition, surfaces, barriers)
    T = float(pf["temperature_K"])
    res = run_growth(pf, inp["E_s_J_m2"], inp["E_a_eV"], T)
    outdir = Path(outdir)
    prov = provenance({"phasefield": pf}, [x for x in (surfaces, barriers) if x])
    t_rows = pd.DataFrame({"axis": "time", "value": res["times"], "unit": "s",
                           "front_um": res["heights"]})
    h = (np.arange(res["params"].ny) + 0.5) * res["params"].dx
    h_rows = pd.DataFrame({"axis": "height", "value": h, "unit": "um", "front_um": np.nan})
    for k, o in enumerate(ORIENTATIONS):
        t_rows[f"frac_{o}"] = res["fractions"][:, k]
        h_rows[f"frac_{o}"] = res["by_row"][:, k]
    write_csv(outdir / "texture.csv", pd.concat([t_rows, h_rows], ignore_index=True), prov)
    title = f"{metal} {condition}, T = {T:g} K"
    plot_snapshots(res, outdir / "snapshots.png", title)
    write_animation(res, outdir / "animation.gif", title)
    with atomic_path(outdir / "frames.npz") as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, frames=res["frames"], times=res["times"],
                                orientation=res["setup"].orientation, substrate=res["setup"].substrate)
    summary = {
        "metal": metal, "condition": condition, "temperature_K": T, "strain": inp["strain"],
        "winner": res["winner"]["winner"], "top_fractions": res["winner"]["top_fractions"],
        "top_rows": res["winner"]["top_rows"],
        "film_fractions": dict(zip(ORIENTATIONS, map(float, orientation_fractions(res["final_map"],
                                                                                 res["setup"].orientation)))),
        "nuclei": res["nuclei"],
        "inputs": {"E_s_J_m2": inp["E_s_J_m2"], "E_a_eV": inp["E_a_eV"], "sources": inp["sources"]},
        "L_per_w0_s": res["L"], "kappa_w0_um2": res["kappa"], "E_0_J_m2": res["E_0_J_m2"],
        "dt_s": res["dt"], "dt_bound_s": res["dt_bound"], "dt_requested_s": pf["dt_s"],
        "n_steps": res["n_steps"], "solver_wall_s": res["wall_s"],
        "params": res["params"].to_dict(), "provenance": prov,
    }
    write_json(outdir / "texture.json", summary)
    return summary


# ------------------------------------------------------------------------ temperature


def temperature_point(config: dict, metal: str, T_K: float, out, surfaces=None, barriers=None) -> dict:
    """Phase-field run of one metal at one temperature (liquid condition by default) -> JSON."""
    pf = config["phasefield"]
    ta = pf["temperature_analysis"]
    inp = resolve_inputs(config, metal, ta["condition"], surfaces, barriers)
    res = run_growth(pf, inp["E_s_J_m2"], inp["E_a_eV"], T_K, keep_frames=False,
                     grid=ta.get("grid", {}))
    d = {"metal": metal, "T_K": T_K, "condition": ta["condition"], "winner": res["winner"]["winner"],
         "top_fractions": res["winner"]["top_fractions"], "dt_s": res["dt"], "n_steps": res["n_steps"],
         "inputs": inp, "L": res["L"], "kappa": res["kappa"],
         "provenance": provenance({"phasefield": pf}, [x for x in (surfaces, barriers) if x])}
    write_json(out, d)
    return d


def temperature_analysis(config: dict, metal_inputs: dict, point_jsons, out_csv, out_png) -> pd.DataFrame:
    """Delta U(T) between (001) and (101) (methods.md section 8) per metal, plus the phase-field
    winners at the sampled temperatures; crossover temperatures in the provenance file and plot."""
    ta = config["phasefield"]["temperature_analysis"]
    T = np.linspace(ta["T_min_K"], ta["T_max_K"], int(ta["n_T"]))
    rows, cross = [], {}
    for metal, inp in metal_inputs.items():
        Es, Ea = inp["E_s_J_m2"], inp["E_a_eV"]
        d = delta_U(T, Es["001"], Es["101"], Ea["001"], Ea["101"], L_m=ta["L_um"] * 1e-6,
                    h_m=ta["h_um"] * 1e-6, R_m_s=ta["R_um_s"] * 1e-6, sigma_y_Pa=ta["sigma_y_MPa"] * 1e6,
                    eps_T_minus_c=ta["eps_T_minus_c"], D0_m2_s=ta["D0_m2_s"], beta=ta["beta"])
        cross[metal] = crossovers(T, d["dU_J_m3"])
        for k in range(T.size):
            rows.append({"metal": metal, "T_K": T[k], "dGamma_J_m3": d["dGamma_J_m3"][k],
                         "dF_strain_J_m3": d["dF_strain_J_m3"][k], "dU_J_m3": d["dU_J_m3"][k],
                         "favoured": "101" if d["dU_J_m3"][k] > 0 else "001", "source": "dU"})
    pts = []
    from ..io import read_json
    for pj in point_jsons:
        j = read_json(pj)
        pts.append(j)
        rows.append({"metal": j["metal"], "T_K": j["T_K"], "favoured": j["winner"], "source": "phasefield",
                     **{f"frac_{o}": j["top_fractions"][o] for o in ORIENTATIONS}})
    df = pd.DataFrame(rows)
    prov = provenance({"temperature_analysis": ta, "inputs": metal_inputs}, point_jsons)
    prov["crossover_T_K"] = cross
    write_csv(out_csv, df, prov)

    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    for metal in metal_inputs:
        m = df[(df.metal == metal) & (df.source == "dU")]
        line, = ax.plot(m.T_K, m.dU_J_m3 / 1e3, label=f"{metal}: dU(001->101)")
        for tc in cross[metal]:
            ax.axvline(tc, color=line.get_color(), ls=":", lw=1)
            ax.annotate(f"{tc:.0f} K", (tc, 0), color=line.get_color(), fontsize=8, rotation=90,
                        va="bottom")
        for j in pts:
            if j["metal"] == metal:
                ax.annotate(f"({j['winner']})", (j["T_K"], 0), textcoords="offset points",
                            xytext=(0, -14), ha="center", fontsize=7, color=line.get_color())
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xlabel("T (K)")
    ax.set_ylabel("dU_12 (kJ/m^3);  > 0: (101) favoured")
    ax.legend(fontsize=8)
    fig.tight_layout()
    with atomic_path(out_png) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    plt.close(fig)
    return df


# -------------------------------------------------------------------------- phase map


def phase_map_axes(config: dict) -> tuple[list, list]:
    pm = config["phasefield"]["phase_map"]
    return [float(a) for a in pm["anisotropy"]], [float(e) for e in pm["E_a_101_eV"]]


def phase_map_point(config: dict, i: int, j: int, out, surfaces=None, barriers=None) -> dict:
    """One phase-map point: surface-energy anisotropy a_i and (101) barrier E_a_j.

    E_s,(101) = E_ref, E_s,(001) = E_ref (1 + a), E_s,(111) = E_ref (1 + f |a|) with
    f = phase_map.anisotropy_111_factor; a = E_s,(001)/E_s,(101) - 1 (a > 0: (101) has the lower
    surface energy). E_ref = E_s,(101) and E_a of (001) and (111) come from the inputs of
    phasefield.phase_map.metal under phasefield.phase_map.condition."""
    pf = config["phasefield"]
    pm = pf["phase_map"]
    A, B = phase_map_axes(config)
    a, ea = A[i], B[j]
    inp = resolve_inputs(config, pm["metal"], pm["condition"], surfaces, barriers)
    ref = inp["E_s_J_m2"]["101"]
    E_s = {"001": ref * (1 + a), "101": ref, "111": ref * (1 + pm.get("anisotropy_111_factor", 1.5) * abs(a))}
    E_a = dict(inp["E_a_eV"])
    E_a["101"] = ea
    res = run_growth(pf, E_s, E_a, float(pf["temperature_K"]), keep_frames=False,
                     grid=pm.get("grid", {}), orientation_weights=pm.get("orientation_weights", (1, 1, 1)))
    d = {"i": i, "j": j, "anisotropy": a, "E_a_101_eV": ea, "E_s_J_m2": E_s, "E_a_eV": E_a,
         "winner": res["winner"]["winner"], "top_fractions": res["winner"]["top_fractions"],
         "dt_s": res["dt"], "n_steps": res["n_steps"], "wall_s": res["wall_s"],
         "provenance": provenance({"phase_map": pm}, [x for x in (surfaces, barriers) if x])}
    write_json(out, d)
    return d


def phase_map(config: dict, point_jsons, out_csv, out_png, markers: dict | None = None) -> pd.DataFrame:
    """Gather the phase-map points into phase_map.csv and draw the (101)/(001) regions.

    ``markers``: {label: (anisotropy, E_a_101)} of the real metals/conditions to overlay."""
    from ..io import read_json

    pts = [read_json(p) for p in point_jsons]
    df = pd.DataFrame([{"anisotropy": p["anisotropy"], "E_a_101_eV": p["E_a_101_eV"], "winner": p["winner"],
                        **{f"frac_{o}": p["top_fractions"][o] for o in ORIENTATIONS}} for p in pts])
    df = df.sort_values(["anisotropy", "E_a_101_eV"]).reset_index(drop=True)
    prov = provenance({"phase_map": config["phasefield"]["phase_map"]}, point_jsons)
    prov["markers"] = markers or {}
    write_csv(out_csv, df, prov)

    import matplotlib.pyplot as plt
    A, B = sorted(df.anisotropy.unique()), sorted(df.E_a_101_eV.unique())
    Z = np.full((len(B), len(A)), np.nan)
    for _, r in df.iterrows():
        Z[B.index(r.E_a_101_eV), A.index(r.anisotropy)] = r.frac_101 - r.frac_001
    fig, ax = plt.subplots(figsize=(6, 4.5))
    im = ax.pcolormesh(A, B, Z, cmap="RdBu", vmin=-1, vmax=1, shading="nearest")
    if len(A) > 1 and len(B) > 1:
        ax.contour(A, B, Z, levels=[0.0], colors="k", linewidths=1)
    fig.colorbar(im, ax=ax, label="top-layer fraction (101) - (001)")
    for _, r in df.iterrows():
        ax.text(r.anisotropy, r.E_a_101_eV, f"({r.winner})", ha="center", va="center", fontsize=6)
    for lab, (a, e) in (markers or {}).items():
        ax.plot([a], [e], "k*", ms=9)
        ax.annotate(lab, (a, e), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.set_xlabel("surface-energy anisotropy  E_s(001)/E_s(101) - 1")
    ax.set_ylabel("E_a (101) (eV)")
    ax.set_title("blue: (101) strain-energy minimising wins;  red: (001) surface-energy minimising",
                 fontsize=8)
    fig.tight_layout()
    with atomic_path(out_png) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    plt.close(fig)
    return df
