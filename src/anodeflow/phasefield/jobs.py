"""Job entry points of the phase-field stage (each verb is one Snakemake job).

    python -m anodeflow.phasefield.jobs grain-selection --config JSON --metal Li --condition liquid
        --csv CSV --json JSON --snapshots PNG --animation GIF --frames NPZ [TABLES]
    python -m anodeflow.phasefield.jobs temperature-point --config JSON --metal Li --condition solid --temperature 300
        --current-density 0.1 --out JSON [TABLES]
    python -m anodeflow.phasefield.jobs temperature-analysis --config JSON --points JSON... --out CSV --plot PNG
        [--winners CSV --winners-plot PNG] [TABLES]
    python -m anodeflow.phasefield.jobs phase-map-point --config JSON --i 0 --j 1 --out JSON [TABLES]
    python -m anodeflow.phasefield.jobs phase-map --config JSON --points JSON... --out CSV --plot PNG [TABLES]

``--config`` is JSON of the validated ``phasefield`` section (schema defaults filled), as
``{"phasefield": ...}``. TABLES: ``--surfaces METAL=CSV ...`` and ``--barriers METAL=CSV ...``, the
workflow's E_s and E_a tables of the metals whose inputs the config does not give
(:mod:`.inputs`).
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import pandas as pd

from ..io import atomic_path, provenance, read_json, write_csv, write_json
from . import phase_map as pmap
from . import plots
from . import winners as pfwinners
from .calibration import deposition_velocity_um_s
from .energy_balance import FilmConditions, delta_U_table
from .growth import run_growth
from .inputs import resolve_inputs
from .model import ORIENTATIONS
from .plan import ta_conditions
from .texture import front_series, orientation_fractions, selection_at


def _used(*tables) -> list[str]:
    return [x for x in tables if x]


def _front(res: dict) -> list[dict]:
    return front_series(res["times"], res["front_um"], res["front_fractions"])


def _run_record(res: dict) -> dict:
    """What every run's JSON carries: the calibration (physical units, the dimensionless ratios), the
    model coefficients and the time step with its bound."""
    return {
        "calibration": res["calibration"],
        "ratios": res["calibration"]["ratios"],
        "L_per_w0_s": res["L"],
        "kappa_w0_um2": res["kappa"],
        "g_w0": res["g"],
        "L_e": res["L_e"],
        "kappa_e": res["kappa_e"],
        "L_front": res["L_front"],
        "E_0_J_m2": res["E_0_J_m2"],
        "dt_s": res["dt"],
        "dt_bound_s": res["dt_bound"],
        "n_steps": res["n_steps"],
        "solver_wall_s": res["wall_s"],
        "nuclei": res["nuclei"],
    }


def grain_selection(
    config: dict,
    metal: str,
    condition: str,
    *,
    csv,
    json_out,
    snapshots,
    animation,
    frames,
    surfaces=None,
    barriers=None,
) -> dict:
    """One growth run of ``metal`` under ``condition`` on the reference grid at phasefield.temperature_K and
    phasefield.current_density_mA_cm2: orientation fractions against time and height (``csv``), the winning
    texture, the calibration and everything that made it (``json_out``), snapshots, animation and the
    sampled grain maps (``frames``, npz)."""
    pf = config["phasefield"]
    inp = resolve_inputs(config, metal, condition, surfaces, barriers)
    T, j = float(pf["temperature_K"]), float(pf["current_density_mA_cm2"])
    res = run_growth(pf, metal, inp["E_s_J_m2"], inp["E_a_eV"], T, j)
    prov = provenance({"phasefield": pf}, _used(surfaces, barriers))
    t_rows = pd.DataFrame(
        {"axis": "time", "value": res["times"], "unit": "s", "front_um": res["heights"], "film_um": res["metal_um"]}
    )
    f_rows = pd.DataFrame({"axis": "front", "value": res["times"], "unit": "s", "front_um": res["front_um"]})
    h = (np.arange(res["params"].ny) + 0.5) * res["params"].dx
    h_rows = pd.DataFrame({"axis": "height", "value": h, "unit": "um", "front_um": np.nan})
    for k, o in enumerate(ORIENTATIONS):
        t_rows[f"frac_{o}"] = res["fractions"][:, k]
        h_rows[f"frac_{o}"] = res["by_row"][:, k]
        f_rows[f"frac_{o}"] = res["front_fractions"][:, k]
    write_csv(csv, pd.concat([t_rows, h_rows, f_rows], ignore_index=True), prov)
    title = f"{metal} {condition}, T = {T:g} K, {j:g} mA/cm^2"
    plots.plot_snapshots(res, snapshots, title)
    plots.write_animation(res, animation, title)
    with atomic_path(frames) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(
                fh,
                frames=res["frames"],
                times=res["times"],
                orientation=res["setup"].orientation,
                substrate=res["setup"].substrate,
            )
    front = _front(res)
    summary = {
        "metal": metal,
        "condition": condition,
        "temperature_K": T,
        "current_density_mA_cm2": j,
        "strain": inp["strain"],
        "winner": res["winner"]["winner"],
        "top_fractions": res["winner"]["top_fractions"],
        "top_rows": res["winner"]["top_rows"],
        "film_fractions": dict(
            zip(ORIENTATIONS, map(float, orientation_fractions(res["final_map"], res["setup"].orientation)))
        ),
        "inputs": {
            "E_s_J_m2": inp["E_s_J_m2"],
            "E_a_eV": inp["E_a_eV"],
            "sources": inp["sources"],
            **({"methods": inp["methods"]} if inp.get("methods") else {}),
        },
        "front": front,
        "selection_at_10pct": (selection_at(front, res["winner"]["winner"]) if res["winner"]["winner"] else None),
        **_run_record(res),
        "dt_requested_s": pf["dt_s"],
        "params": res["params"].to_dict(),
        "provenance": prov,
    }
    write_json(json_out, summary)
    return summary


def temperature_point(
    config: dict,
    metal: str,
    T_K: float,
    out,
    surfaces=None,
    barriers=None,
    condition: str = "liquid",
    current_density_mA_cm2: float | None = None,
) -> dict:
    """Growth run of one metal under one condition at one temperature and current density (the sweep of
    phasefield.temperature_analysis) -> JSON with the winner, the front against height and the calibration."""
    pf = config["phasefield"]
    ta = pf["temperature_analysis"]
    j = float(pf["current_density_mA_cm2"] if current_density_mA_cm2 is None else current_density_mA_cm2)
    inp = resolve_inputs(config, metal, condition, surfaces, barriers)
    res = run_growth(pf, metal, inp["E_s_J_m2"], inp["E_a_eV"], T_K, j, keep_frames=False, grid=ta["grid"])
    d = {
        "metal": metal,
        "T_K": T_K,
        "condition": condition,
        "current_density_mA_cm2": j,
        "winner": res["winner"]["winner"],
        "top_fractions": res["winner"]["top_fractions"],
        "front": _front(res),
        "inputs": inp,
        **_run_record(res),
        "provenance": provenance({"phasefield": pf}, _used(surfaces, barriers)),
    }
    write_json(out, d)
    return d


def temperature_analysis(
    config: dict, point_jsons, out_csv, out_png, surfaces=None, barriers=None, winners_csv=None, winners_png=None
) -> pd.DataFrame:
    """dU(T) between (001) and (101) per metal, condition (liquid: unstrained E_s, solid: E_s under the
    solid-electrolyte strain) and current density of phasefield.temperature_analysis, plus the phase-field
    winners of the sweep's runs; crossover temperatures per "metal condition j" in the provenance file and
    the plot. ``winners_csv``/``winners_png``: the phase-field winner next to the sign of dU at every run.
    ``surfaces``/``barriers``: {metal: CSV} where the config does not give the inputs."""
    pf = config["phasefield"]
    ta = pf["temperature_analysis"]
    surfaces, barriers = surfaces or {}, barriers or {}
    T = np.linspace(ta["T_min_K"], ta["T_max_K"], int(ta["n_T"]))
    rows, cross, metal_inputs = [], {}, {}
    for c in ta_conditions(pf):
        inp = {m: resolve_inputs(config, m, c, surfaces.get(m), barriers.get(m)) for m in ta["metals"]}
        for jd in ta["current_densities_mA_cm2"]:
            for m in ta["metals"]:
                film = FilmConditions.from_config(pf["film"], deposition_velocity_um_s(m, jd), pf["strain_drive"])
                r, x = delta_U_table(T, film, {m: inp[m]})
                for row in r:
                    row.update({"condition": c, "current_density_mA_cm2": jd})
                rows += r
                cross[f"{m} {c} {jd:g}"] = x[m]
                metal_inputs[f"{m} {c} {jd:g}"] = inp[m]
    pts = [read_json(pj) for pj in point_jsons]
    for j in pts:
        rows.append(
            {
                "metal": j["metal"],
                "condition": j["condition"],
                "T_K": j["T_K"],
                "current_density_mA_cm2": j["current_density_mA_cm2"],
                "favoured": j["winner"],
                "source": "phasefield",
                **{f"frac_{o}": j["top_fractions"][o] for o in ORIENTATIONS},
            }
        )
    df = pd.DataFrame(rows)
    prov = provenance({"temperature_analysis": ta, "film": pf["film"], "inputs": metal_inputs}, point_jsons)
    prov["crossover_T_K"] = cross
    win = pfwinners.winners_table(pts)
    prov["phasefield_winners"] = {f"{r.metal} {r.condition} {r.current_density_mA_cm2:g}": {} for r in win.itertuples()}
    for r in win.itertuples():
        prov["phasefield_winners"][f"{r.metal} {r.condition} {r.current_density_mA_cm2:g}"][f"{r.T_K:g}"] = r.pf_winner
    write_csv(out_csv, df, prov)
    plots.plot_temperature_analysis(df, cross, pts, metal_inputs, out_png)
    if winners_csv:
        write_csv(winners_csv, win, provenance({"temperature_analysis": ta, "film": pf["film"]}, point_jsons))
    if winners_png:
        plots.plot_winners(win, winners_png)
    return df


def phase_map_point(config: dict, i: int, j: int, out, surfaces=None, barriers=None) -> dict:
    """One phase-map point: anisotropy index ``i``, (101)-barrier index ``j`` (:mod:`.phase_map`), at
    phasefield.temperature_K and current_density_mA_cm2."""
    pf = config["phasefield"]
    pm = pf["phase_map"]
    inp = resolve_inputs(config, pm["metal"], pm["condition"], surfaces, barriers)
    a, ea, E_s, E_a = pmap.point_inputs(pm, inp, i, j)
    res = run_growth(
        pf,
        pm["metal"],
        E_s,
        E_a,
        float(pf["temperature_K"]),
        float(pf["current_density_mA_cm2"]),
        keep_frames=False,
        grid=pm["grid"],
        orientation_weights=pm["orientation_weights"],
    )
    d = {
        "i": i,
        "j": j,
        "anisotropy": a,
        "E_a_101_eV": ea,
        "E_s_J_m2": E_s,
        "E_a_eV": E_a,
        "winner": res["winner"]["winner"],
        "top_fractions": res["winner"]["top_fractions"],
        "dt_s": res["dt"],
        "n_steps": res["n_steps"],
        "wall_s": res["wall_s"],
        "ratios": res["calibration"]["ratios"],
        "provenance": provenance({"phase_map": pm}, _used(surfaces, barriers)),
    }
    write_json(out, d)
    return d


def phase_map(config: dict, point_jsons, out_csv, out_png, surfaces=None, barriers=None) -> pd.DataFrame:
    """Gather the phase-map points into a CSV and draw the (101)/(001) regions, with every
    phasefield.metals x phasefield.conditions marked at its own inputs. ``surfaces``/``barriers``:
    {metal: CSV} where the config does not give the inputs."""
    pf = config["phasefield"]
    surfaces, barriers = surfaces or {}, barriers or {}
    markers = {
        f"{m} {c}": pmap.marker(resolve_inputs(config, m, c, surfaces.get(m), barriers.get(m)))
        for m in pf["metals"]
        for c in pf["conditions"]
    }
    df = pmap.phase_map_table([read_json(p) for p in point_jsons])
    prov = provenance({"phase_map": pf["phase_map"]}, point_jsons)
    prov["markers"] = markers
    write_csv(out_csv, df, prov)
    plots.plot_phase_map(df, markers, out_png)
    return df


# ----------------------------------------------------------------------------- command line


def _tables(pairs) -> dict:
    """['Li=path', ...] -> {'Li': 'path', ...}."""
    out = {}
    for p in pairs or ():
        metal, sep, path = p.partition("=")
        if not sep or not metal or not path:
            raise SystemExit(f"expected METAL=CSV, got {p!r}")
        out[metal] = path
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m anodeflow.phasefield.jobs", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="verb", required=True)

    def add(verb, help):
        p = sub.add_parser(verb, help=help)
        p.add_argument("--config", required=True, help='JSON {"phasefield": <validated section>}')
        p.add_argument("--surfaces", nargs="+", metavar="METAL=CSV", help="E_s tables (results/surfaces)")
        p.add_argument("--barriers", nargs="+", metavar="METAL=CSV", help="E_a tables (results/barriers)")
        return p

    p = add("grain-selection", "growth run of a metal under a condition: texture, snapshots, animation")
    p.add_argument("--metal", required=True)
    p.add_argument("--condition", required=True)
    for opt in ("--csv", "--json", "--snapshots", "--animation", "--frames"):
        p.add_argument(opt, required=True)
    p = add("temperature-point", "growth run of a metal under a condition at one temperature")
    p.add_argument("--metal", required=True)
    p.add_argument("--condition", default="liquid")
    p.add_argument("--temperature", type=float, required=True, help="K")
    p.add_argument("--current-density", type=float, default=None, help="mA/cm^2 (default: phasefield's)")
    p.add_argument("--out", required=True)
    p = add("phase-map-point", "growth run at one point of the phase map")
    p.add_argument("--i", type=int, required=True, help="index into phase_map.anisotropy")
    p.add_argument("--j", type=int, required=True, help="index into phase_map.E_a_101_eV")
    p.add_argument("--out", required=True)
    for verb, what in (
        ("temperature-analysis", "dU(T) with the temperature points"),
        ("phase-map", "gather the phase-map points"),
    ):
        p = add(verb, what)
        p.add_argument("--points", nargs="+", required=True, help="the point JSONs")
        p.add_argument("--out", required=True, help="CSV")
        p.add_argument("--plot", required=True, help="PNG")
        if verb == "temperature-analysis":
            p.add_argument("--winners", help="CSV: phase-field winner next to the sign of dU per run")
            p.add_argument("--winners-plot", help="PNG of the same")

    a = ap.parse_args(argv)
    cfg = json.loads(a.config)
    surfaces, barriers = _tables(a.surfaces), _tables(a.barriers)
    if a.verb == "grain-selection":
        d = grain_selection(
            cfg,
            a.metal,
            a.condition,
            csv=a.csv,
            json_out=a.json,
            snapshots=a.snapshots,
            animation=a.animation,
            frames=a.frames,
            surfaces=surfaces.get(a.metal),
            barriers=barriers.get(a.metal),
        )
        print(
            f"{a.metal} {a.condition}: winner ({d['winner']}), top fractions {d['top_fractions']}; "
            f"dt {d['dt_s']:g} s (bound {d['dt_bound_s']:.4g} s), {d['n_steps']} steps, "
            f"solver {d['solver_wall_s']:.1f} s"
        )
    elif a.verb == "temperature-point":
        d = temperature_point(
            cfg,
            a.metal,
            a.temperature,
            a.out,
            surfaces.get(a.metal),
            barriers.get(a.metal),
            condition=a.condition,
            current_density_mA_cm2=a.current_density,
        )
        print(
            f"{a.metal} {a.condition} at {a.temperature:g} K, {d['current_density_mA_cm2']:g} mA/cm^2: winner "
            f"({d['winner']}); dt {d['dt_s']:g} s, {d['n_steps']} steps, flat-boundary/deposition speed "
            f"{d['ratios']['flat_001_101']:.3g}"
        )
    elif a.verb == "phase-map-point":
        m = cfg["phasefield"]["phase_map"]["metal"]
        d = phase_map_point(cfg, a.i, a.j, a.out, surfaces.get(m), barriers.get(m))
        print(
            f"anisotropy {d['anisotropy']:g}, E_a(101) {d['E_a_101_eV']:g} eV: winner ({d['winner']}); "
            f"dt {d['dt_s']:g} s, {d['n_steps']} steps, solver {d['wall_s']:.1f} s"
        )
    elif a.verb == "temperature-analysis":
        df = temperature_analysis(cfg, a.points, a.out, a.plot, surfaces, barriers, a.winners, a.winners_plot)
        print(f"{a.out}: {len(df)} rows; crossovers and phase-field winners in {a.out}.provenance.json")
    elif a.verb == "phase-map":
        df = phase_map(cfg, a.points, a.out, a.plot, surfaces, barriers)
        print(f"{a.out}: {len(df)} points, winners {df.winner.value_counts().to_dict()}")


if __name__ == "__main__":
    main(sys.argv[1:])
