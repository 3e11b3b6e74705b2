"""Command-line entry of the CFT rules (workflow/rules/cft.smk):  python -m anodeflow.cft.jobs <verb> ...

Verbs: ``ribbon-stiffness`` (the capillary analysis of one ribbon of the MD stage -> JSON) and
``stiffness-table`` (all ribbons -> results/cft/stiffness.csv and the stiffness plot). ``--config`` is the
JSON of the part of the validated config the job reads (schema defaults filled).
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import pandas as pd

from anodeflow.cft import solid, state_point
from anodeflow.cft import step as afstep
from anodeflow.io import provenance, read_json, save_figure, write_csv, write_json
from anodeflow.md.settings import T_label, cft_settings


def cft_job(
    metal: str, facet: str, T_K: float, b: int, config: dict, flat_npz, rough_npz, out_json, liquid_csv
) -> dict:
    """Equilibrium verdict of one (metal, facet, b, T) from its flat and rough ribbon files
    (:func:`anodeflow.cft.state_point.state_point`) -> JSON.

    ``liquid_csv``: the bulk-liquid MSD rates of the metal (md_thermal_expansion), the reference of the solid test.
    """
    cc = cft_settings(metal, config)
    liquid_rate = solid.liquid_rate_at(pd.read_csv(liquid_csv).to_dict("records"), T_K)
    recs = [
        state_point.start_record(name, np.load(path), cc, liquid_rate)
        for name, path in (("flat", flat_npz), ("rough", rough_npz))
    ]
    row = state_point.state_point(recs, cc, T_K)
    row.update(
        metal=metal,
        facet=facet,
        T_K=T_K,
        b_spacings=int(b),
        liquid_msd_rate_A2_per_ps=liquid_rate,
        provenance=provenance({"cft": cc}, [flat_npz, rough_npz, liquid_csv]),
    )
    write_json(out_json, row)
    return row


STIFFNESS_COLUMNS = [
    "metal",
    "facet",
    "b_spacings",
    "T_K",
    "stiffness_J_m2",
    "stderr_J_m2",
    "status",
    "tau1_ps",
    "tau1_resolved",
    "run_ps",
    "two_start_agree",
]


def gather_stiffness(jsons, out_csv, out_png, config: dict) -> pd.DataFrame:
    """The per-state-point results -> results/cft/stiffness.csv (sorted by metal, facet, b, T) and the plot."""
    rows = []
    for j in jsons:
        r = read_json(j)
        ps = r.get("per_start", {})
        rows.append(
            {
                **{k: r.get(k) for k in STIFFNESS_COLUMNS},
                "fluctuating": r.get("fluctuating"),
                "needed_ps": r.get("needed_ps"),
                "tau1_required_ps": r.get("tau1_required_ps"),
                "t_equil_ps": r.get("t_equil_ps"),
                "max_z": r.get("max_z"),
                "n_modes": r.get("n_modes"),
                "solid": r.get("solid"),
                "b_A": r.get("b_A"),
                "W_A": r.get("W_A"),
                "natoms": r.get("natoms"),
                "msd_interior_max_A2": max((v["msd_interior_max_A2"] for v in ps.values()), default=None),
                "msd_rate_over_liquid": max((v.get("msd_rate_over_liquid", np.nan) for v in ps.values()), default=None),
                "prod_ps_flat": ps.get("flat", {}).get("prod_ps"),
                "prod_ps_rough": ps.get("rough", {}).get("prod_ps"),
                "imposed_amplitude_A": ps.get("rough", {}).get("imposed_amplitude_A"),
                "liquid_surface_tension_J_m2": r.get("liquid_surface_tension_J_m2"),
                "liquid_surface_tension_stderr_J_m2": r.get("liquid_surface_tension_stderr_J_m2"),
            }
        )
    df = pd.DataFrame(rows).sort_values(["metal", "facet", "b_spacings", "T_K"]).reset_index(drop=True)
    write_csv(out_csv, df, provenance({"cft": config["cft"]}, jsons))
    plot_stiffness(df, out_png)
    return df


def plot_vs_T(df: pd.DataFrame, out_png, groups: list[str], value: str, error: str, label, ylabel: str) -> None:
    """One panel per metal, one series per ``groups`` key: equilibrated values (``value`` +- ``error``) against
    T; state points without a number (not equilibrated, starts disagree, no signal, melted) as crosses on
    the T axis. ``label(key)`` names a series."""
    import matplotlib.pyplot as plt

    metals = sorted(df["metal"].unique()) or ["-"]
    fig, axes = plt.subplots(1, len(metals), figsize=(4.8 * len(metals), 3.8), squeeze=False)
    for ax, m in zip(axes[0], metals):
        for key, g in df[df.metal == m].groupby(groups):
            ok = g[g.status == "equilibrated"]
            line = ax.errorbar(
                ok.T_K, pd.to_numeric(ok[value]), yerr=pd.to_numeric(ok[error]), marker="o", capsize=3, label=label(key)
            )
            bad = g[g.status != "equilibrated"]
            if len(bad):
                ax.plot(
                    bad.T_K,
                    np.full(len(bad), 0.04),
                    "x",
                    color=line[0].get_color(),
                    ms=8,
                    transform=ax.get_xaxis_transform(),
                    label=f"{label(key)}: no number",
                )
        ax.set_xlabel("T (K)")
        ax.set_ylabel(ylabel)
        ax.set_title(m)
        ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, out_png)


def plot_stiffness(df: pd.DataFrame, out_png) -> None:
    """Stiffness against T per metal, one series per (facet, b)."""
    plot_vs_T(
        df,
        out_png,
        ["facet", "b_spacings"],
        "stiffness_J_m2",
        "stderr_J_m2",
        lambda k: f"({k[0]}) b={k[1]}",
        "stiffness (J/m$^2$)",
    )


def step_job(metal: str, facet: str, direction: str, T_K: float, config: dict, steps_npz, out_json) -> dict:
    """Step stiffness of one stripe island (anodeflow.cft.step.step_analysis) -> JSON."""
    cc = cft_settings(metal, config)["steps"]
    z = np.load(steps_npz)
    row = afstep.step_analysis(z["top_xyz"], z["cell_A"], float(z["dt_ps"]), T_K, float(z["a_A"]), int(z["n_bins"]), cc)
    row = {k: v for k, v in row.items() if k not in ("starts",)}
    row.update(
        metal=metal,
        facet=facet,
        direction=direction,
        T_K=T_K,
        L_A=float(z["L_A"]),
        natoms=int(z["natoms"]),
        n_island=int(z["n_island"]),
        prod_ps=float(z["prod_ps"]),
        chunks=int(z["chunks"]),
        provenance=provenance({"cft_steps": cc}, [steps_npz]),
    )
    row.setdefault("step_stiffness_meV_per_A", None)
    row.setdefault("stderr_meV_per_A", None)
    write_json(out_json, row)
    return row


STEP_COLUMNS = [
    "metal",
    "facet",
    "direction",
    "T_K",
    "step_stiffness_meV_per_A",
    "stderr_meV_per_A",
    "status",
    "tau1_ps",
    "tau1_resolved",
    "run_ps",
    "prod_ps",
    "L_A",
    "natoms",
]


def gather_steps(jsons, out_csv, out_png, config: dict) -> pd.DataFrame:
    """Per-island results -> results/cft/step_stiffness.csv and the plot (beta~ against T per facet and step)."""
    rows = [{k: read_json(j).get(k) for k in STEP_COLUMNS} for j in jsons]
    df = (
        pd.DataFrame(rows, columns=STEP_COLUMNS)
        .sort_values(["metal", "facet", "direction", "T_K"])
        .reset_index(drop=True)
    )
    write_csv(out_csv, df, provenance({"cft": config["cft"]}, jsons))
    plot_vs_T(
        df,
        out_png,
        ["facet", "direction"],
        "step_stiffness_meV_per_A",
        "stderr_meV_per_A",
        lambda k: f"({k[0]}) step [{k[1]}]",
        "step stiffness (meV/Å)",
    )
    return df


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m anodeflow.cft.jobs", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="verb", required=True)
    p = sub.add_parser("ribbon-stiffness", help="equilibrium verdict of one state point from its two starts -> JSON")
    p.add_argument("--metal", required=True)
    p.add_argument("--facet", required=True)
    p.add_argument("--T", type=float, required=True, help="ribbon temperature (K)")
    p.add_argument("--b", type=int, required=True, help="ribbon thickness (lattice spacings along y)")
    p.add_argument("--config", required=True, help="JSON: {cft: the metal's cft settings} (validated config)")
    p.add_argument("--flat", required=True, help="ribbon npz of the flat start")
    p.add_argument("--rough", required=True, help="ribbon npz of the rough start")
    p.add_argument("--liquid", required=True, help="liquid_msd.csv of the metal (bulk-liquid MSD rates)")
    p.add_argument("--out", required=True)
    p = sub.add_parser("stiffness-table", help="every ribbon's JSON -> stiffness.csv + stiffness.png")
    p.add_argument("--config", required=True, help="JSON: {cft: the cft section} (validated config)")
    p.add_argument("--out-csv", required=True)
    p.add_argument("--out-png", required=True)
    p.add_argument("results", nargs="+", help="per-ribbon JSON files of ribbon-stiffness")
    p = sub.add_parser("step-stiffness", help="step profiles and step stiffness of one stripe island npz -> JSON")
    p.add_argument("--metal", required=True)
    p.add_argument("--facet", required=True)
    p.add_argument("--direction", required=True)
    p.add_argument("--T", type=float, required=True)
    p.add_argument("--config", required=True, help="JSON: {cft: {steps: ...}} (validated config)")
    p.add_argument("--steps", required=True, help="stripe-island npz of the MD stage (md.jobs steps)")
    p.add_argument("--out", required=True)
    p = sub.add_parser("step-table", help="every island's JSON -> step_stiffness.csv + png")
    p.add_argument("--config", required=True)
    p.add_argument("--out-csv", required=True)
    p.add_argument("--out-png", required=True)
    p.add_argument("results", nargs="+")
    return ap


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    cfg = json.loads(args.config)
    if args.verb == "ribbon-stiffness":
        r = cft_job(args.metal, args.facet, args.T, args.b, cfg, args.flat, args.rough, args.out, args.liquid)
        print(
            f"{args.metal} ({args.facet}) b={args.b} at {T_label(args.T)} K: {r['status']}, "
            f"stiffness={r['stiffness_J_m2']} +- {r['stderr_J_m2']} J/m^2, tau1={r['tau1_ps']} ps, "
            f"run={r['run_ps']} ps, starts agree={r['two_start_agree']}",
            flush=True,
        )
    elif args.verb == "step-stiffness":
        r = step_job(args.metal, args.facet, args.direction, args.T, cfg, args.steps, args.out)
        print(
            f"{args.metal} ({args.facet}) step [{args.direction}] at {T_label(args.T)} K: {r.get('status')}, "
            f"beta~ = {r['step_stiffness_meV_per_A']} +- {r['stderr_meV_per_A']} meV/A, tau1 = {r.get('tau1_ps')} ps",
            flush=True,
        )
    elif args.verb == "step-table":
        df = gather_steps(args.results, args.out_csv, args.out_png, cfg)
        print(df.to_string(index=False), flush=True)
    elif args.verb == "stiffness-table":
        df = gather_stiffness(args.results, args.out_csv, args.out_png, cfg)
        print(df[STIFFNESS_COLUMNS].to_string(index=False), flush=True)


if __name__ == "__main__":
    main()
