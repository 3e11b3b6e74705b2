"""Command-line entry of the analysis stage: ``python -m anodeflow.analysis.jobs <verb> ...``.

Each command is one Snakemake job; the science is in the sibling modules, this file only
reads the inputs, calls them, and writes artifacts (atomically, with provenance).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..io import provenance, read_json, run_verb, write_csv, write_json
from . import plots


def _read_atoms(path):
    from ase.io import read

    return read(str(path), format="extxyz")


def _arrays(atoms):
    tags = atoms.get_tags()
    is_metal = atoms.arrays.get("is_metal", np.ones(len(atoms), bool)).astype(bool)
    return tags, is_metal


def group_labels(atoms) -> list[str]:
    tags, is_metal = _arrays(atoms)
    sym = atoms.get_chemical_symbols()
    out = []
    for t, m, s in zip(tags, is_metal, sym):
        out.append(f"tag{t}" if t in (1, 2) else ("metal (rest)" if m else f"coating {s}"))
    return out


# ----------------------------------------------------------------------------- electronic structure
def cmd_electronic(args) -> None:
    """Bader charges (csv + plot vs height), PDOS per group (csv + plot) and the planar density."""
    from . import bader, density, pdos

    cfg = json.loads(args.config)["analysis"]["bader"]
    atoms_final = _read_atoms(args.structure)
    atoms, rho = bader.all_electron_density(args.gpw, cfg["gridrefinement"])
    tags, is_metal = _arrays(atoms_final)
    settings = {key: cfg[key] for key in ("gridrefinement", "vacuum_density_e_per_A3")}
    prov = provenance(settings, [args.gpw, args.structure])
    # --- Bader
    res = bader.bader_charges(atoms, rho, cfg["vacuum_density_e_per_A3"])
    labels = group_labels(atoms_final)
    df = pd.DataFrame(
        {
            "atom": np.arange(len(atoms)),
            "symbol": atoms.get_chemical_symbols(),
            "tag": tags,
            "is_metal": is_metal,
            "group": labels,
            "z_A": atoms.positions[:, 2],
            "electrons": res["electrons"],
            "charge_e": res["charge"],
            "volume_A3": res["volume_A3"],
        }
    )
    write_csv(
        args.bader_csv,
        df,
        {
            **prov,
            "vacuum_electrons": res["vacuum_electrons"],
            "total_electrons": res["total_electrons"],
            "method": res["method"],
            "non_nuclear_attractors": res["nna"],
        },
    )
    plots.bader_vs_height(
        df.z_A,
        df.charge_e,
        labels,
        args.bader_plot,
        f"{args.system}: Bader charges (all-electron density, {res['method']})",
        nna=res["nna"],
    )
    # --- density between the mid-planes
    lo, hi = density.window(atoms.positions, tags, is_metal)
    nxy = density.planar_integral(rho, atoms.cell, lo, hi)
    tmp = Path(args.density_npz).with_suffix(".tmp.npz")
    np.savez_compressed(
        tmp,
        n_xy=nxy,
        cell=atoms.cell.array,
        z_window=[lo, hi],
        positions=atoms.positions,
        tags=tags,
        provenance=json.dumps(prov),
    )
    tmp.replace(args.density_npz)
    # --- PDOS
    groups = pdos.atom_groups(atoms.get_chemical_symbols(), tags, is_metal)
    p = pdos.group_pdos(args.gpw, groups)
    write_csv(
        args.pdos_csv,
        pd.DataFrame({k: v for k, v in p.items()}),
        {
            **prov,
            "groups": groups,
            "width_eV": pdos.DEFAULT_WIDTH_EV,
            "units": "states/eV summed over the group's atoms; energy relative to E_F",
        },
    )
    pdos.plot_pdos(p, groups, args.pdos_plot, f"{args.system}: PDOS per atom group")


def cmd_density_map(args) -> None:
    from . import density

    d = np.load(args.density_npz)
    pairs = pd.read_csv(args.pairs).to_dict("records") if Path(args.pairs).stat().st_size else []
    density.plot_map(
        d["n_xy"],
        d["cell"],
        d["positions"],
        d["tags"],
        pairs,
        args.plot,
        f"{args.system}: log10 n, tag2/tag1 to tag1/coating mid-plane",
        z_window=tuple(d["z_window"]),
    )


def cmd_sites(args) -> None:
    b = pd.read_csv(args.bader)
    charge_of = dict(zip(b.atom.astype(int), b.charge_e))
    sites = pd.read_csv(args.sites)
    pairs = pd.read_csv(args.pairs)
    if args.beef and Path(args.beef).exists():
        bj = read_json(args.beef)
        std = {(int(r["i"]), int(r["j"])): r["omega_std_eV"] for r in bj.get("pairs", [])}
        pairs["omega_std_eV"] = [std.get((int(i), int(j))) for i, j in zip(pairs.i, pairs.j)]
    sites["bader_charge_e"] = [charge_of[int(s)] for s in sites.site]
    pairs["bader_i_e"] = [charge_of[int(i)] for i in pairs.i]
    pairs["bader_j_e"] = [charge_of[int(j)] for j in pairs.j]
    prov = provenance({}, [args.bader, args.sites, args.pairs])
    write_csv(args.site_table, sites, prov)
    write_csv(args.pair_table, pairs, prov)
    plots.site_resolved(
        sites.to_dict("records"),
        pairs.to_dict("records"),
        charge_of,
        args.plot,
        f"{args.system}: site-resolved vacancy energetics against Bader charge",
    )


# ----------------------------------------------------------------------------- Monte Carlo
def cmd_montecarlo(args) -> None:
    from . import montecarlo as mc

    cfg = json.loads(args.config)["analysis"]["montecarlo"]
    tc = read_json(args.tc)
    out = {"system": args.system, "status": tc.get("status", "ok"), "settings": cfg, "types": []}
    if tc.get("status") == "failed":
        out["reason"] = tc.get("reason")
        plots.text_figure(f"{args.system}: no interface ({tc.get('reason')})", args.plot)
    else:
        atoms = _read_atoms(args.structure)
        tags, _ = _arrays(atoms)
        pos1 = atoms.positions[tags == 1]
        pos2 = atoms.positions[tags == 2]
        for t in ("11", "12"):
            om = tc.get(f"mean_omega_{t}_eV")
            if om is None:
                continue
            r = mc.lattice_tc(
                pos1,
                pos2,
                atoms.cell.array,
                float(om),
                t,
                cfg["n_small"],
                cfg["n_large"],
                cfg["n_T"],
                cfg["n_therm"],
                cfg["n_meas"],
                cfg["seed"],
                cfg["refine"],
            )
            r["z_thermo"] = tc.get(f"z_{t}")
            r["T_c_thermo_K"] = tc.get(f"Tc_{t}_K")
            out["types"].append(r)
        plots.montecarlo_cumulants(out["types"], args.plot, f"{args.system}: lattice Monte Carlo vs mean field")
    out["provenance"] = provenance(cfg, [args.tc, args.structure])
    write_json(args.out, out)


# ----------------------------------------------------------------------------- BEEF ensemble
def cmd_beef(args) -> None:
    from . import beef

    cfg = json.loads(args.config)["analysis"]["beef"]
    tc = read_json(args.tc)
    prov = provenance(cfg, [args.configurations, args.tc, args.pairs, *args.results])
    out = {"system": args.system, "xc": args.xc, "ensemble": None, "provenance": prov}
    if args.xc != "BEEF-vdW":
        out["note"] = f"{args.xc}: no BEEF ensemble exists for this functional; no error bars"
        write_json(args.out, out)
        return
    if tc.get("status") == "failed":
        out["note"] = f"no interface: {tc.get('reason')}"
        write_json(args.out, out)
        return
    results = {}
    for p in args.results:
        r = read_json(p)
        results[r["config_id"]] = r
    enum = read_json(args.configurations)
    rep = {m: s["index"] for s in enum["sites"] for m in s["orbit"]}
    pairs = pd.read_csv(args.pairs).to_dict("records")
    size, seed = int(cfg["size"]), int(cfg["seed"])
    ens = {}
    rows = []
    for p in pairs:
        i, j = int(p["i"]), int(p["j"])
        # single-vacancy energies come from the representative of each site's orbit, as in thermo
        e = {
            "pristine": results["pristine"],
            f"v_{i}": results[f"v_{rep[i]}"],
            f"v_{j}": results[f"v_{rep[j]}"],
            f"vv_{i}_{j}": results[f"vv_{i}_{j}"],
        }
        ens[(i, j)] = beef.pair_binding_ensemble(e, i, j, size, seed)
        rows.append(
            {
                "i": i,
                "j": j,
                "type": str(p["type"]),
                "omega_eV": p["omega_eV"],
                "omega_std_eV": beef.summarize(ens[(i, j)])["std"],
            }
        )
    z = {"11": tc.get("z_11"), "12": tc.get("z_12")}
    # the same pairs as ⟨ω⟩ in tc.json: those resting on a flagged configuration are left out there
    used = [{**p, "type": str(p["type"])} for p in pairs if not bool(p.get("excluded", False))]
    prop = beef.propagate(used, z, ens)
    types = {}
    for t, d in prop.items():
        types[t] = {k: beef.summarize(v) for k, v in d.items()}
        types[t]["Tc_K"]["selfconsistent"] = tc.get(f"Tc_{t}_K")
        types[t]["Omega_eV"]["selfconsistent"] = tc.get(f"Omega_{t}_eV")
        types[t]["omega_mean_eV"]["selfconsistent"] = tc.get(f"mean_omega_{t}_eV")
    out.update(
        {"ensemble": {"size": size, "seed": seed, "source": "ase.dft.bee.BEEFEnsemble"}, "pairs": rows, "types": types}
    )
    write_json(args.out, out)


# ----------------------------------------------------------------------------- adhesion
def cmd_adhesion(args) -> None:
    from . import adhesion

    desc = read_json(args.descriptors)
    inter, met, coat = read_json(args.interface), read_json(args.metal), read_json(args.coating)
    area = adhesion.interface_area(_read_atoms(args.structure).cell)
    out = adhesion.system_adhesion(inter, met, coat, area)
    out["zsl_area_A2"] = desc.get("zsl_area_A2")
    out["provenance"] = provenance({}, [args.interface, args.metal, args.coating, args.structure])
    write_json(args.out, out)


# ----------------------------------------------------------------------------- campaign level
def cmd_database(args) -> None:
    from .database import build_database

    key_descriptions = {
        "system": ("System", "campaign system id", ""),
        "configuration": ("Configuration", "pristine, v_i, vv_i_j, adhesion_*", ""),
        "functional": ("Functional", "exchange-correlation", ""),
        "fmax": ("fmax", "largest force at the end", "eV/Ang"),
        "converged": ("Converged", "fmax below target", ""),
    }
    n = build_database(
        args.results, args.out, {"title": "anodeflow DFT calculations", "key_descriptions": key_descriptions}
    )
    write_json(args.summary, {"rows": n, "database": args.out, "provenance": provenance({}, args.results)})


def cmd_tables(args) -> None:
    """Monte Carlo vs mean field, BEEF error bars, adhesion; descriptor map."""
    tct = pd.read_csv(args.tc_table)
    rows = []
    for p in args.montecarlo:
        m = read_json(p)
        for r in m.get("types", []):
            rows.append(
                {
                    "system": m["system"],
                    "pair_type": r["pair_type"],
                    "z": r["z"],
                    "mean_omega_eV": r["omega_eV"],
                    "T_c_meanfield_K": r["T_c_meanfield_K"],
                    "T_c_MC_K": r["T_c_MC_K"],
                    "ratio_MC_over_MF": r.get("ratio_MC_over_MF"),
                    "lattice_sites": "/".join(map(str, r["sizes"])),
                    "note": r.get("note", ""),
                }
            )
    prov = provenance({}, [args.tc_table, *args.montecarlo, *args.beef, *args.adhesion])
    write_csv(
        args.mc_table,
        pd.DataFrame(
            rows,
            columns=[
                "system",
                "pair_type",
                "z",
                "mean_omega_eV",
                "T_c_meanfield_K",
                "T_c_MC_K",
                "ratio_MC_over_MF",
                "lattice_sites",
                "note",
            ],
        ),
        prov,
    )
    rows = []
    for p in args.beef:
        b = read_json(p)
        base = {"system": b["system"], "xc": b["xc"]}
        if not b.get("types"):
            rows.append({**base, "note": b.get("note", "")})
            continue
        for t, d in b["types"].items():
            rows.append(
                {
                    **base,
                    "pair_type": t,
                    "mean_omega_eV": d["omega_mean_eV"]["selfconsistent"],
                    "mean_omega_std_eV": d["omega_mean_eV"]["std"],
                    "Omega_eV": d["Omega_eV"]["selfconsistent"],
                    "Omega_std_eV": d["Omega_eV"]["std"],
                    "Tc_K": d["Tc_K"]["selfconsistent"],
                    "Tc_std_K": d["Tc_K"]["std"],
                    "ensemble": f"{b['ensemble']['size']} members, seed {b['ensemble']['seed']}",
                    "note": "",
                }
            )
    write_csv(
        args.beef_table,
        pd.DataFrame(
            rows,
            columns=[
                "system",
                "xc",
                "pair_type",
                "mean_omega_eV",
                "mean_omega_std_eV",
                "Omega_eV",
                "Omega_std_eV",
                "Tc_K",
                "Tc_std_K",
                "ensemble",
                "note",
            ],
        ),
        prov,
    )
    rows = [{k: v for k, v in read_json(p).items() if k != "provenance"} for p in args.adhesion]
    write_csv(
        args.adhesion_table,
        pd.DataFrame(
            rows,
            columns=[
                "system",
                "xc",
                "W_ad_J_per_m2",
                "W_ad_eV_per_A2",
                "area_A2",
                "E_interface_eV",
                "E_metal_slab_eV",
                "E_coating_slab_eV",
                "all_converged",
            ],
        ),
        prov,
    )
    tct["metal"] = [s.split("-")[0] for s in tct.system]
    plots.descriptor_map(tct, args.descriptor_map, json.loads(args.config)["thermo"]["classification_T_K"])


def cmd_figures(args) -> None:
    """The index of every per-system figure (so that one target asks for all of them)."""
    write_json(args.out, {"figures": list(args.figures), "provenance": provenance({}, [])})


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m anodeflow.analysis.jobs")
    sub = ap.add_subparsers(dest="cmd", required=True)

    def add(name, fn, *required, **optional):
        """A verb whose options --<key> (key with underscores as hyphens: bader_csv is --bader-csv) are the
        names in ``required`` and the keys of ``optional`` (their defaults)."""
        p = sub.add_parser(name)
        for key in required:
            p.add_argument("--" + key.replace("_", "-"), required=True)
        for key, default in optional.items():
            p.add_argument("--" + key.replace("_", "-"), default=default)
        p.set_defaults(fn=fn)
        return p

    add(
        "electronic",
        cmd_electronic,
        "system",
        "gpw",
        "structure",
        "bader_csv",
        "bader_plot",
        "pdos_csv",
        "pdos_plot",
        "density_npz",
        "config",
    )
    add("density-map", cmd_density_map, "system", "density_npz", "pairs", "plot")
    add("sites", cmd_sites, "system", "bader", "sites", "pairs", "site_table", "pair_table", "plot", beef=None)
    add("montecarlo", cmd_montecarlo, "system", "structure", "tc", "config", "out", "plot")
    b = add("beef", cmd_beef, "system", "xc", "configurations", "tc", "pairs", "config", "out")
    b.add_argument("--results", nargs="*", default=[])
    add("adhesion", cmd_adhesion, "descriptors", "structure", "interface", "metal", "coating", "out")
    d = add("database", cmd_database, "out", "summary")
    d.add_argument("--results", nargs="+", required=True)
    t = add("tables", cmd_tables, "tc_table", "mc_table", "beef_table", "adhesion_table", "descriptor_map", "config")
    for x in ("montecarlo", "beef", "adhesion"):
        t.add_argument(f"--{x}", nargs="*", default=[])
    f = add("figures", cmd_figures, "out")
    f.add_argument("--figures", nargs="*", default=[])
    args = ap.parse_args(argv)
    run_verb("anodeflow.analysis.jobs", args.cmd, args.fn, args)


if __name__ == "__main__":
    main()
