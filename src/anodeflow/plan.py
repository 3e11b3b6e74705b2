"""The cost plan: what a campaign's DFT will cost, before any job runs.

    python -m anodeflow.plan                                   # the reference campaign (config/config.yaml)
    python -m anodeflow.plan --configfile config/quick.yaml    # overlays deep-merge as in snakemake
    make plan                                                  # the same, through the Makefile

Every system of the config is built (pymatgen match, single-image repeat, enumeration of its vacancy
configurations; no DFT) with the workflow's bulk lattice constants where they exist under
``results/bulk/``, else the config's starting ones (``metals.<El>.a0_A``, ``coatings.<name>.a_A``).
Its cost follows from the problem size of each configuration and the cost model of
``anodeflow.dft.cost`` (``resources/dft_cost_model.json``, fitted on this workflow's own jobs;
``--refit`` refits it on ``results/dft/*/*/result.json``). For every system the plan gives atoms,
k-points, configurations and core-hours for the full enumeration and for the sampled estimate that
fits the campaign within ``--budget-core-h``, with the expected sampling error on each T_c. The phase
field's DFT inputs are priced with the same law: every E_s job (metal x facet x strain at
``surfaces.precision``) and, with ``barriers.method: dft``, every NEB barrier job (hop and exchange; the
band's step count is an assumption until a measured band replaces it, ``NEB_STEPS``).

Writes ``results/plan/cost_plan.csv`` (one row per system), ``pfinputs_cost.csv`` (one row per E_s or
barrier job), ``cost_plan.json`` (the totals, the model, the settings) and prints the table.
"""

from __future__ import annotations

import argparse
import copy
import glob
import json
import math
import sys
from pathlib import Path

import numpy as np

from . import systems as afsystems
from .config import ConfigError, cutoff_note, load
from .constants import KB_EV_PER_K
from .dft import cost

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "resources" / "dft_cost_model.json"
MD_THROUGHPUT = Path(__file__).resolve().parents[2] / "resources" / "md_throughput.json"


def valence_electrons(symbols, setups: dict | None = None) -> float:
    """Valence electrons of GPAW's datasets for these atoms (``setups``: the preset's element -> name)."""
    from gpaw.setup_data import SetupData

    setups = setups or {}
    cache: dict = {}
    total = 0.0
    for s in symbols:
        if s not in cache:
            cache[s] = float(SetupData(s, "PBE", str(setups.get(s, "paw"))).Nv)
        total += cache[s]
    return total


def problem_size(atoms, preset: dict) -> dict:
    """The plane-wave problem of a slab/interface job at ``preset`` (as GPAW will set it up)."""
    from .dft.calculators import kpoint_grid
    from .dft.ranks import irreducible_slab_kpoints

    kpts = kpoint_grid(atoms.cell, preset["kpt_density"], slab=True)
    ne = valence_electrons(atoms.get_chemical_symbols(), preset.get("setups"))
    npw = cost.n_planewaves(abs(np.linalg.det(atoms.cell.array)), float(preset["ecut_eV"]))
    nb = cost.n_bands(ne)
    nk = irreducible_slab_kpoints(atoms.cell, preset["kpt_density"])
    return {
        "natoms": len(atoms),
        "kpts": "x".join(map(str, kpts)),
        "n_ibz_kpts": nk,
        "n_valence": ne,
        "n_bands": nb,
        "n_planewaves": round(npw),
    }


def _seconds_per_iteration(model: cost.CostModel, size: dict, xc: str) -> float:
    """Core-seconds of one SCF iteration of a job of ``size`` (:func:`problem_size`) under the cost model."""
    return model.seconds_per_iteration(size["n_ibz_kpts"], size["n_bands"], size["n_planewaves"], xc)


def _bulk_constants(config: dict, spec) -> dict:
    """Lattice constants a system is built from: the workflow's bulk results, else the config's."""
    out = {}
    for phase_xc in spec.bulk_phases:
        phase = phase_xc.split("_")[0]
        path = Path("results/bulk") / f"{phase_xc}.json"
        if path.exists():
            out[phase] = {"a_A": json.loads(path.read_text())["a_A"], "source": str(path)}
        elif phase in config["metals"]:
            out[phase] = {"a_A": config["metals"][phase]["a0_A"], "source": f"metals.{phase}.a0_A"}
        else:
            out[phase] = {"a_A": config["coatings"][phase]["a_A"], "source": f"coatings.{phase}.a_A"}
    return out


def build_for_plan(config: dict, system_id: str):
    """(atoms, descriptors, full enumeration, lattice-constant sources) of one system, or the refusal."""
    from .interfaces import sites
    from .interfaces.build import build_system

    spec = afsystems.build_job_spec(config, system_id)
    spec["sampling"] = {"max_configurations": None}  # the plan sizes the full enumeration
    bulk = _bulk_constants(config, afsystems.system(config, system_id))
    atoms, desc, enum = build_system(spec, bulk)
    assert enum.sampling is None and isinstance(enum, sites.Enumeration)
    return atoms, desc, enum, {k: v["source"] for k, v in bulk.items()}


def sampled_counts(enum, max_configurations: int | None, seed: int = 0) -> dict:
    """Configurations and draws per pair type when the pairs are sampled within ``max_configurations``,
    exactly as the build job samples them; ``refused`` when that budget cannot hold the minimum draws
    (the build job would refuse the system)."""
    from .interfaces import sites

    try:
        e = sites.sample_pairs(copy.deepcopy(enum), max_configurations, seed)
    except sites.BuildError:
        return {"n_configurations": None, "n_draws_11": None, "n_draws_12": None, "sampled": None, "refused": True}
    if e.sampling is None:
        n11 = sum(1 for p in e.pairs if p["type"] == "11")
        n12 = sum(1 for p in e.pairs if p["type"] == "12")
        return {
            "n_configurations": len(e.configurations()),
            "n_draws_11": n11,
            "n_draws_12": n12,
            "sampled": False,
            "refused": False,
        }
    d = e.sampling["n_draws"]
    return {
        "n_configurations": len(e.configurations()),
        "n_draws_11": d.get("11", 0),
        "n_draws_12": d.get("12", 0),
        "sampled": True,
        "refused": False,
    }


def tc_sampling_error(z: float, sigma_omega_eV: float, n_draws: int | None) -> float | None:
    """Expected standard error of T_c = z⟨ω⟩/(4k_B) from ``n_draws`` draws of pairs whose ω scatter by
    ``sigma_omega_eV`` (methods §6; the Hansen–Hurwitz standard error σ/√n)."""
    if not n_draws:
        return None
    return z * sigma_omega_eV / (4 * KB_EV_PER_K * math.sqrt(n_draws))


def plan_rows(config: dict, model: cost.CostModel, path: str) -> list[dict]:
    """One row per system: size, configurations, core-hours of the full enumeration (or the refusal)."""
    from .interfaces.structures import BuildError

    preset = afsystems.preset(config)
    rows = []
    for sid, s in afsystems.systems(config).items():
        row = {"system": sid, "xc": s.xc, "kind": "interface" if s.is_interface else "isolated"}
        # 'ok', or the coating element a demonstration preset runs below its dft.min_ecut_eV
        row["cutoff"] = cutoff_note(config, s.coating)
        try:
            atoms, desc, enum, sources = build_for_plan(config, sid)
        except BuildError as exc:
            row.update({"status": "refused", "reason": str(exc)})
            rows.append(row)
            print(f"[plan] {sid}: refused: {exc}", file=sys.stderr, flush=True)
            continue
        size = problem_size(atoms, afsystems.system_preset(config, sid))
        per_conf_s = _seconds_per_iteration(model, size, s.xc) * model.relaxation_iterations(path, row["kind"])
        n_full = enum.n_full_configurations()
        row.update(
            {
                "status": "ok",
                **size,
                "area_A2": desc.get("area_A2"),
                "repeat": desc.get("repeat"),
                "area_bound_extended": bool(desc.get("area_bound_extended", False)),
                "n_sites": len(enum.sites),
                "n_pairs_11": sum(p["type"] == "11" for p in enum.pairs),
                "n_pairs_12": sum(p["type"] == "12" for p in enum.pairs),
                "z_11": enum.z_11,
                "z_12": enum.z_12,
                "n_configurations_full": n_full,
                "core_h_per_configuration": per_conf_s / 3600.0,
                "core_h_full": per_conf_s * n_full / 3600.0,
                "ranks_per_job": preset["ntasks"],
                "lattice_from": ";".join(f"{k}:{v}" for k, v in sources.items()),
            }
        )
        row["_enum"] = enum
        rows.append(row)
        print(
            f"[plan] {sid}: {size['natoms']} atoms, k {size['kpts']}, {n_full} configurations, "
            f"{row['core_h_full']:.0f} core-h (full)",
            file=sys.stderr,
            flush=True,
        )
    return rows


def fit_budget(rows: list[dict], budget_core_h: float, seed: int = 0) -> tuple[int | None, bool]:
    """The largest per-system budget B (dft.max_configurations) whose campaign total fits ``budget_core_h``,
    searched from the smallest B that every system can sample (two draws per pair type) up to the largest
    full enumeration; systems whose full enumeration fits B stay full. Returns (B, fits): (None, True)
    when the full campaign fits; (smallest workable B, False) when even that exceeds the budget."""
    from .interfaces import sites

    ok = [r for r in rows if r.get("status") == "ok"]
    if sum(r["core_h_full"] for r in ok) <= budget_core_h:
        return None, True

    def total(B):
        return sum(sampled_counts(r["_enum"], B, seed)["n_configurations"] * r["core_h_per_configuration"] for r in ok)

    lo = max(sites.smallest_sample_budget(r["_enum"]) for r in ok)
    hi = max(r["n_configurations_full"] for r in ok)
    if total(lo) > budget_core_h:
        return lo, False
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if total(mid) <= budget_core_h else (lo, mid)
    return lo, True


def campaign_plan(
    config: dict,
    model: cost.CostModel,
    path: str,
    budget_core_h: float,
    cores: int,
    sigma_omega_eV: float,
    seed: int = 0,
) -> tuple[list[dict], dict]:
    rows = plan_rows(config, model, path)
    budget, fits = fit_budget(rows, budget_core_h, seed)
    configured = config["dft"].get("max_configurations")
    for r in rows:
        enum = r.pop("_enum", None)
        if enum is None:
            continue
        for label, B in (("config", configured), ("budget", budget)):
            c = sampled_counts(enum, B, seed)
            r[f"n_configurations_{label}"] = c["n_configurations"]
            r[f"refused_{label}"] = c["refused"]
            r[f"sampled_{label}"] = c.get("sampled")
            r[f"core_h_{label}"] = (
                c["n_configurations"] * r["core_h_per_configuration"] if c["n_configurations"] is not None else None
            )
            for t in ("11", "12"):
                r[f"n_draws_{t}_{label}"] = c[f"n_draws_{t}"]
                r[f"Tc_{t}_sample_err_K_{label}"] = (
                    tc_sampling_error(r[f"z_{t}"], sigma_omega_eV, c[f"n_draws_{t}"]) if c.get("sampled") else 0.0
                )
    ok = [r for r in rows if r.get("status") == "ok"]

    def tot(key):
        vals = [r[key] for r in ok if r.get(key) is not None]
        return float(sum(vals)) if len(vals) == len(ok) else None

    totals = {
        "n_systems": len(rows),
        "n_built": len(ok),
        "n_refused": len(rows) - len(ok),
        "core_h_full": tot("core_h_full"),
        "core_h_config": tot("core_h_config"),
        "core_h_budget": tot("core_h_budget"),
        "budget_core_h": budget_core_h,
        "max_configurations_for_budget": budget,
        "budget_fits": fits,
        "cores": cores,
        "path": path,
        "sigma_omega_eV": sigma_omega_eV,
    }
    for key in ("full", "config", "budget"):
        t = totals[f"core_h_{key}"]
        totals[f"wall_h_{key}_on_{cores}_cores"] = None if t is None else t / cores
    return rows, totals


#: a DFT NEB band's work (docs/phasefield.md, "What it costs"): optimiser steps of one band and SCF iterations per
#: force evaluation after the first (a warm-started SCF). Measured at the quick preset with 3 images: the Na (110)
#: hop 24 steps (26 force evaluations) at 4.9 iterations; the Li (100) hop > 24 steps at ~7 (benchmarks/README.md,
#: 2026-12-08). Kept at 100 for the reference bands (5 images, climbing image from a longer band) until one is run.
NEB_STEPS, NEB_SCF_PER_STEP = 100, 6


def _metal_lattice(config: dict, metal: str, xc: str) -> tuple[float, str]:
    """The lattice constant the E_s and barrier jobs start from: the workflow's bulk result, else the config's."""
    path = Path("results/bulk") / f"{metal}_{xc}.json"
    if path.exists():
        return float(json.loads(path.read_text())["a_A"]), str(path)
    return float(config["metals"][metal]["a0_A"]), f"metals.{metal}.a0_A"


def pfinputs_rows(config: dict, model: cost.CostModel) -> list[dict]:
    """The phase-field inputs' DFT jobs, priced with the same cost law as the vacancy relaxations: one row per
    E_s job (surfaces: metal x facet x strain at surfaces.precision; a strained bulk SCF, the unrelaxed slab's
    SCF and the slab's relaxation) and, with barriers.method dft, one per barrier job (metal x facet: the
    initial state's relaxation and one NEB band per mechanism of n_images x NEB_STEPS x NEB_SCF_PER_STEP SCF
    iterations). Both jobs relax with plain BFGS (not dft.optimizer), so the model's bfgs iterations price them;
    those were measured on vacancy jobs that start relaxed, a lower bound for a bulk-terminated slab. The bulk
    SCF is sized with the slab's k-point grid (the job's 3D grid has a few points along z: a small term)."""
    from .config import miller
    from .interfaces.structures import metal_slab
    from .pfinputs import barriers as pfb
    from .pfinputs.surfaces import oriented_bulk

    path = "bfgs"
    it = model.iteration_counts(path, "isolated")
    first_scf = it["first_scf"] if it else float("nan")
    rows = []
    sc, sp = config["surfaces"], afsystems.surface_energy_preset(config)
    for metal in sc["metals"]:
        a, source = _metal_lattice(config, metal, sc["xc"])
        for facet in sc["facets"]:
            for strain in sc["strains"]:
                slab = metal_slab(
                    metal,
                    miller(facet),
                    a,
                    sp["metal_layers"],
                    sp["fixed_layers"],
                    sp["inplane_min_length_A"],
                    sp["vacuum_A"],
                    strain=strain,
                )
                size = problem_size(slab, sp)
                bsize = problem_size(oriented_bulk(metal, facet, a, strain), sp)
                per_it, per_it_bulk = (_seconds_per_iteration(model, z, sc["xc"]) for z in (size, bsize))
                iters = first_scf + (model.relaxation_iterations(path, "isolated") if sc["relax"] else 0.0)
                rows.append(
                    {
                        "job": "surface_energy",
                        "metal": metal,
                        "facet": str(facet),
                        "strain": float(strain),
                        "precision": sc["precision"] or config["precision"],
                        **size,
                        "scf_iterations": iters + first_scf,
                        "core_h": (per_it * iters + per_it_bulk * first_scf) / 3600.0,
                        "lattice_from": source,
                    }
                )
    b = config["barriers"]
    if b["method"] == "dft":
        bp, d = afsystems.barrier_preset(config), b["dft"]
        for metal in b["metals"]:
            a, source = _metal_lattice(config, metal, d["xc"])
            for facet in b["facets"]:
                ini, _, _ = pfb.adatom_images(metal, facet, a, pfb.dft_settings(d, facet, a))
                size = problem_size(ini, bp)
                per_it = _seconds_per_iteration(model, size, d["xc"])
                band = d["n_images"] * NEB_STEPS * NEB_SCF_PER_STEP
                iters = model.relaxation_iterations(path, "isolated") + len(d["mechanisms"]) * band
                rows.append(
                    {
                        "job": "adatom_barrier_dft",
                        "metal": metal,
                        "facet": str(facet),
                        "precision": d["precision"] or config["precision"],
                        **size,
                        "scf_iterations": iters,
                        "core_h": per_it * iters / 3600.0,
                        "lattice_from": source,
                    }
                )
    for r in rows:
        print(
            f"[plan] {r['job']} {r['metal']}({r['facet']})"
            + (f" strain {r['strain']:+.3f}" if "strain" in r else "")
            + f": {r['natoms']} atoms, k {r['kpts']}, {r['core_h']:.1f} core-h",
            file=sys.stderr,
            flush=True,
        )
    return rows


def _ribbon_core_h(natoms: int, ps: float, dt_fs: float, rate: float | None) -> float | None:
    """Core-hours of a state point's two starts of ``natoms`` over ``ps`` each at ``rate`` atom-steps per core-s."""
    return 2 * natoms * ps * 1000.0 / dt_fs / rate / 3600.0 if rate else None


def cft_rows(config: dict, throughput: dict) -> list[dict]:
    """The CFT ribbons of the campaign, priced before any MD: per metal x facet x b (every ribbon temperature
    costs the same), the width W (``anodeflow.cft.width.ribbon_width`` at the starting lattice constant), atoms,
    the predicted tau_1(W), the run each start needs (23 tau_1, ``TAU_MULTIPLE``; the paired pass holds both starts
    to it) capped at ``cft.max_prod_ps``, and the core-hours of the two starts (``throughput``: atom-steps per
    core-s per pair_style, resources/md_throughput.json), with the upper bound of both starts at the cap. The width
    rule picks W so that 23 tau_1 fits the cap; ``fits_cap`` is None without the rule (no tau_1 predicted)."""
    from .cft.spectrum import n_fit_modes
    from .cft.width import TAU_MULTIPLE, ribbon_width
    from .md.lattice import spacing_factors
    from .md.ribbon import ribbon_geometry
    from .md.settings import a0, cft_settings, uses_Tm

    if "cft" not in config:
        return []
    rows = []
    for m in config["md"]["metals"]:
        cc = cft_settings(m, config)
        a = a0(m, config)
        style = config["potentials"][m]["pair_style"]
        rate = throughput["atom_steps_per_core_s"].get(style)
        Ts = [f"{f:g} Tm" for f in cc["T_over_Tm"]] if uses_Tm(config) else [f"{t:g} K" for t in cc["T_K"].get(m, [])]
        for facet in config["cft"]["facets"]:
            sf = spacing_factors(facet, cc.get("orientations"))
            try:
                w = ribbon_width(m, facet, a, float(sf[0]) * a, cc)
            except ConfigError as exc:
                rows.append({"metal": m, "facet": facet, "status": f"refused: {exc}"})
                continue
            for b in cc["b_spacings"]:
                g = ribbon_geometry(a, facet, w["W_A"], int(b), cc["slab_A"], cc.get("orientations"))
                natoms = int(round(2 * g["nx"] * g["ny"] * g["nz"] * float(np.prod(sf))))
                tau1 = w.get("tau1_ps")
                run = min(cc["max_prod_ps"], TAU_MULTIPLE * tau1) if tau1 is not None else cc["max_prod_ps"]
                dt_fs = config["md"]["timestep_fs"][m]
                core_h = _ribbon_core_h(natoms, cc["equil_ps"] + run, dt_fs, rate)
                rows.append(
                    {
                        "metal": m,
                        "facet": facet,
                        "b_spacings": int(b),
                        "temperatures": ", ".join(Ts),
                        "status": "planned" if rate else f"unpriced: no throughput for pair_style {style}",
                        "W_A": g["W_A"],
                        "n_modes": n_fit_modes(g["W_A"], cc["min_wavelength_spacings"] * a, cc["max_modes"]),
                        "natoms": natoms,
                        "tau1_predicted_ps": tau1,
                        "run_per_start_ps": run,
                        "fits_cap": None if tau1 is None else bool(TAU_MULTIPLE * tau1 <= cc["max_prod_ps"]),
                        "pair_style": style,
                        "core_h_per_state_point": core_h,
                        # a start that never stops (a white flat start, a stuck rough one, a colder T than the
                        # tau_1 reference's) runs to the cap: the upper bound
                        "core_h_per_state_point_at_cap": _ribbon_core_h(
                            natoms, cc["equil_ps"] + cc["max_prod_ps"], dt_fs, rate
                        ),
                        "n_state_points": len(Ts),
                        "core_h": core_h * len(Ts) if core_h is not None else None,
                    }
                )
    return rows


def load_model(path=DEFAULT_MODEL) -> cost.CostModel:
    return cost.CostModel.from_dict(json.loads(Path(path).read_text()))


def refit_model(base: cost.CostModel, pattern="results/dft/*/*/result.json") -> cost.CostModel:
    """The cost law refitted on this workflow's finished jobs (iterations and steps too)."""
    recs = [r for r in (cost.job_record(json.loads(Path(p).read_text())) for p in sorted(glob.glob(pattern))) if r]
    if len(recs) < 2:
        raise SystemExit(f"--refit: {len(recs)} finished jobs with GPAW statistics under {pattern}; need >= 2")
    a, b = cost.fit_cost_law(recs, base.beef_factor)

    def kind(r):
        return "interface" if "__" in r["label"].split("/")[0] else "isolated"

    return cost.CostModel(
        a,
        b,
        base.beef_factor,
        {**base.iterations, **cost.iteration_table(recs, kind)},
        [r["label"] for r in recs],
        f"refitted on {len(recs)} jobs under {pattern}",
    )


COLUMNS = [
    "system",
    "status",
    "xc",
    "cutoff",
    "natoms",
    "kpts",
    "n_ibz_kpts",
    "n_bands",
    "n_planewaves",
    "area_A2",
    "area_bound_extended",
    "n_sites",
    "n_pairs_11",
    "n_pairs_12",
    "n_configurations_full",
    "core_h_per_configuration",
    "core_h_full",
    "n_configurations_budget",
    "n_draws_11_budget",
    "n_draws_12_budget",
    "core_h_budget",
    "Tc_11_sample_err_K_budget",
    "Tc_12_sample_err_K_budget",
    "n_configurations_config",
    "core_h_config",
    "reason",
]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m anodeflow.plan", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--configfile", nargs="*", default=[], help="overlays on config/config.yaml, in order")
    ap.add_argument("--base", default="config/config.yaml")
    ap.add_argument("--out-dir", default="results/plan")
    ap.add_argument("--model", default=str(DEFAULT_MODEL))
    ap.add_argument("--refit", action="store_true", help="refit the model on results/dft/*/*/result.json")
    ap.add_argument("--cores", type=int, default=64, help="cores of the allocation for the wall-time line")
    ap.add_argument("--budget-core-h", type=float, default=100_000.0)
    ap.add_argument(
        "--sigma-omega",
        type=float,
        default=0.05,
        help="expected scatter of omega between pairs of one type (eV) for the sampling error",
    )
    args = ap.parse_args(argv)
    config = load(args.base, *[f for f in args.configfile if f != args.base])
    model = load_model(args.model)
    if args.refit:
        model = refit_model(model)
    path = config["dft"].get("optimizer", "precon")
    rows, totals = campaign_plan(
        config, model, path, args.budget_core_h, args.cores, args.sigma_omega, config["dft"].get("sampling_seed", 0)
    )
    pf = pfinputs_rows(config, model)
    cft = cft_rows(config, json.loads(MD_THROUGHPUT.read_text()))
    totals["core_h_cft"] = float(sum(r["core_h"] for r in cft if r["status"] == "planned"))
    totals["core_h_cft_at_cap"] = float(
        sum(r["core_h_per_state_point_at_cap"] * r["n_state_points"] for r in cft if r["status"] == "planned")
    )
    totals["cft_unpriced"] = [f"{r['metal']} ({r['facet']})" for r in cft if r["status"] != "planned"]
    for job, key in (("surface_energy", "core_h_surfaces"), ("adatom_barrier_dft", "core_h_barriers_dft")):
        totals[key] = float(sum(r["core_h"] for r in pf if r["job"] == job))
    import pandas as pd

    from .io import provenance, write_csv, write_json

    out = Path(args.out_dir)
    df = pd.DataFrame(rows)
    df = df[[c for c in COLUMNS if c in df.columns] + [c for c in df.columns if c not in COLUMNS]]
    prov = provenance(
        {"configfiles": [args.base, *args.configfile], "model": model.to_dict(), "precision": config["precision"]}
    )
    write_csv(out / "cost_plan.csv", df, prov)
    write_csv(out / "pfinputs_cost.csv", pd.DataFrame(pf), prov)
    write_csv(out / "cft_cost.csv", pd.DataFrame(cft), prov)
    write_json(out / "cost_plan.json", {"totals": totals, "model": model.to_dict(), "provenance": prov})
    show = [
        "system",
        "status",
        "natoms",
        "kpts",
        "n_configurations_full",
        "core_h_full",
        "n_configurations_budget",
        "core_h_budget",
        "Tc_11_sample_err_K_budget",
        "Tc_12_sample_err_K_budget",
    ]
    with pd.option_context("display.width", 200, "display.max_rows", 500, "display.float_format", "{:.1f}".format):
        print(df[[c for c in show if c in df.columns]].to_string(index=False))
    low = df[df["cutoff"] != "ok"] if "cutoff" in df.columns else df.iloc[:0]
    for _, r in low.iterrows():
        print(f"{r['system']}: {r['cutoff']} (a demonstration preset)")
    print(
        f"\nprecision {config['precision']}, relaxation path {path}: {totals['n_built']} systems built, "
        f"{totals['n_refused']} refused"
    )
    print(
        f"full enumeration: {totals['core_h_full'] or float('nan'):.0f} core-h "
        f"(~{(totals['core_h_full'] or float('nan')) / args.cores:.1f} h on {args.cores} cores)"
    )
    if totals["max_configurations_for_budget"] is not None and totals["core_h_budget"] is not None:
        verdict = "within" if totals["budget_fits"] else "NOT within (the smallest workable sample exceeds it)"
        print(
            f"{verdict} {args.budget_core_h:.0f} core-h: dft.max_configurations = "
            f"{totals['max_configurations_for_budget']} -> {totals['core_h_budget']:.0f} core-h "
            f"(~{totals['core_h_budget'] / args.cores:.0f} h on {args.cores} cores); sampling errors assume "
            f"omega scatters by {args.sigma_omega} eV between pairs"
        )
    n_es = sum(r["job"] == "surface_energy" for r in pf)
    print(
        f"phase-field inputs: {n_es} E_s jobs (surfaces.precision {config['surfaces']['precision'] or 'active'}) "
        f"{totals['core_h_surfaces']:.0f} core-h; "
        + (
            f"{len(pf) - n_es} DFT barrier jobs (hop + exchange) {totals['core_h_barriers_dft']:.0f} core-h, "
            f"assuming {NEB_STEPS} optimiser steps x {NEB_SCF_PER_STEP} SCF iterations per image and band"
            if config["barriers"]["method"] == "dft"
            else "barriers from the MD potentials (barriers.method md: minutes, not priced)"
        )
    )
    if cft:
        show_cft = ["metal", "facet", "b_spacings", "W_A", "natoms", "tau1_predicted_ps", "run_per_start_ps"]
        show_cft += ["core_h_per_state_point", "core_h_per_state_point_at_cap", "n_state_points", "status"]
        with pd.option_context("display.width", 200, "display.float_format", "{:.3g}".format):
            print("\nCFT ribbons (two starts per state point, each to 23 tau_1 predicted or cft.max_prod_ps):")
            print(pd.DataFrame(cft).reindex(columns=show_cft).to_string(index=False))
        print(
            f"CFT: {totals['core_h_cft']:.1f} core-h at the predicted tau_1, {totals['core_h_cft_at_cap']:.1f} if "
            f"every start runs to cft.max_prod_ps (MD throughput: {MD_THROUGHPUT.name})"
            + (f"; not priced: {', '.join(totals['cft_unpriced'])}" if totals["cft_unpriced"] else "")
        )
    for kind in ("isolated", "interface"):
        it = model.iteration_counts(path, kind)
        if it:
            print(
                f"per {kind} relaxation ({path}): {it['first_scf']:.0f} SCF iterations first + "
                f"{it['steps']:.1f} steps x {it['later_scf']:.1f} (from {model.note or 'the model file'})"
            )
    written = ", ".join(str(out / f) for f in ("cost_plan.csv", "pfinputs_cost.csv", "cft_cost.csv"))
    print(f"wrote {written} and {out / 'cost_plan.json'}")


if __name__ == "__main__":
    main()
