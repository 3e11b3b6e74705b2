"""Command-line entry of the thermo stage (one verb per rule): ``python -m anodeflow.thermo.jobs <verb> ...``

- ``vacancy``: one system's relaxed energies -> ω per pair, E_f per site, Ω, T_c, binodal (tc.json, CSVs, plot)
- ``table``: the campaign's T_c table from every tc.json and descriptors.json
- ``convergence``: ω_11, ω_12 of a system against supercell, thickness and k-points
"""

from __future__ import annotations

import argparse
import json

import pandas as pd

from ..io import provenance, read_json, run_verb, write_csv, write_json
from . import convergence, plots, vacancies


def cmd_vacancy(a) -> dict:
    thermo_cfg = json.loads(a.config)["thermo"]
    enum = read_json(a.configurations)
    prov = provenance(thermo_cfg, [a.configurations, a.bulk, *a.results])
    system = enum["system"]
    if enum.get("status") == "failed":
        summary = vacancies.failed_summary(system, enum["reason"])
        pairs = pd.DataFrame(columns=["i", "j", "type", "multiplicity", "omega_eV"])
        sites = pd.DataFrame(columns=["site", "tag", "multiplicity", "E_form_eV"])
        plots.text_plot(a.plot, f"{system}: {enum['reason']}")
    else:
        results = [read_json(p) for p in a.results]
        energies = {r["config_id"]: r["energy_eV"] for r in results}
        mu = read_json(a.bulk)["energy_per_atom_eV"]
        flags = vacancies.configuration_flags(results)
        summary, pairs, sites = vacancies.system_thermo(
            enum,
            energies,
            mu,
            thermo_cfg["classification_T_K"],
            thermo_cfg["tc_flag_K"],
            flagged=set(flags["not_converged"]) | set(flags["relocated"]),
            include_flagged=thermo_cfg.get("include_flagged", False),
        )
        summary.update({"system": system, "status": "ok", **flags})
        plots.plot_binodal(summary, a.plot, system)
    summary["provenance"] = prov
    write_csv(a.pairs, pairs, prov)
    write_csv(a.sites, sites, prov)
    write_json(a.tc, summary)
    return summary


def cmd_table(a) -> None:
    cfg = json.loads(a.config)
    df = vacancies.critical_temperature_table(
        [read_json(p) for p in a.tc],
        [read_json(p) for p in a.descriptors],
        [read_json(p) for p in a.beef],
        [read_json(p) for p in a.conv],
    )
    # 'ok', or the element a demonstration preset runs below its dft.min_ecut_eV (forces not converged)
    df["cutoff"] = df["system"].map(cfg.get("cutoff") or {}).fillna("ok")
    write_csv(a.out, df, provenance(cfg, [*a.tc, *a.descriptors, *a.beef, *a.conv]))


def cmd_convergence(a) -> None:
    spec = json.loads(a.spec)
    variants = [tuple(v) for v in spec["variants"]]
    df = convergence.table(
        a.system, variants, [read_json(p) for p in a.variants], [read_json(p) for p in a.descriptors], spec["preset"]
    )
    write_csv(
        a.csv,
        df,
        provenance({"preset": spec["preset"], "variants": [list(v) for v in variants]}, [a.base, *a.variants]),
    )
    convergence.plot(df, a.plot, a.system)
    if a.spread:
        bd = read_json(a.base_descriptors) if a.base_descriptors else {}
        spread = convergence.tc_spread(
            df,
            read_json(a.base),
            spec["preset"],
            spec.get("spread_settings", 2),
            convergence.built_cell(bd.get("natoms"), bd.get("area_A2")),
        )
        spread.update({"system": a.system, "provenance": provenance(spec, [a.base, *a.variants])})
        write_json(a.spread, spread)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m anodeflow.thermo.jobs")
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("vacancy", help="ω, Ω, T_c and binodal of one system")
    for opt in ("--config", "--configurations", "--bulk", "--tc", "--pairs", "--sites", "--plot"):
        p.add_argument(opt, required=True)
    p.add_argument("--results", nargs="*", default=[], help="result.json of every configuration")
    p.set_defaults(fn=cmd_vacancy)

    p = sub.add_parser("table", help="the campaign's T_c table")
    p.add_argument("--config", required=True, help='JSON {"systems": [ids in campaign order]}')
    p.add_argument("--tc", nargs="+", required=True)
    p.add_argument("--descriptors", nargs="+", required=True)
    p.add_argument("--beef", nargs="*", default=[], help="beef.json of every system (T_c error bars)")
    p.add_argument(
        "--conv",
        nargs="*",
        default=[],
        help="tc_spread.json of the systems with a convergence study (convergence.systems)",
    )
    p.add_argument("--out", required=True)
    p.set_defaults(fn=cmd_table)

    p = sub.add_parser("convergence", help="ω against supercell, thickness and k-points")
    for opt in ("--system", "--spec", "--base", "--csv", "--plot"):
        p.add_argument(opt, required=True)
    p.add_argument("--variants", nargs="*", default=[], help="tc.json of every variant, in --spec order")
    p.add_argument("--descriptors", nargs="*", default=[], help="descriptors.json of every variant")
    p.add_argument("--spread", help="tc_spread.json: the T_c convergence error (spread over the largest settings)")
    p.add_argument(
        "--base-descriptors",
        help="descriptors.json of the base system (its built cell: settings of "
        "a geometry parameter that built the same cell count once)",
    )
    p.set_defaults(fn=cmd_convergence)

    a = ap.parse_args(argv)
    run_verb("anodeflow.thermo.jobs", a.cmd, a.fn, a)


if __name__ == "__main__":
    main()
