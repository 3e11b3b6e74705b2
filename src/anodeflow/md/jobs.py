"""Command-line entry of the MD rules (workflow/rules/md.smk):  python -m anodeflow.md.jobs <verb> ...

Verbs: ``melting``, ``melting-plot``, ``expansion``, ``expansion-plot``, ``ribbon``, ``fetch-potential``.
``--config`` is the JSON of the part of the validated config the job reads (schema defaults filled;
:func:`anodeflow.md.settings.job_config`). The LAMMPS jobs (melting, expansion, ribbon) may run on several
MPI ranks (``python -m anodeflow.launch --md N -- python -m anodeflow.md.jobs ribbon ...``): LAMMPS
decomposes the domain and rank 0 writes the outputs.

Resumable state lives in the job's work folder ``work/md/...`` (LAMMPS restart files, samples so far, and
LAMMPS's own log ``lammps.log``); the declared outputs under ``results/`` are written once, at the end,
atomically and with provenance. The job's own messages go to stdout (the rule's log).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from anodeflow import potentials as afpot
from anodeflow.cft import solid as cftsolid
from anodeflow.cft.step import step_analysis
from anodeflow.io import atomic_path, provenance, write_csv, write_json
from anodeflow.md import bulk, coexistence, plots, ribbon, steps
from anodeflow.md.runtime import world_rank
from anodeflow.md.settings import (
    T_label,
    Tm_for_cft,
    a0,
    cft_settings,
    cft_temperatures,
    expansion_temperatures,
    md_subset,
    ribbon_seed,
    ribbon_settings,
)

#: LAMMPS's own log, in the work folder of each LAMMPS run
LAMMPS_LOG = "lammps.log"


def _lammps_log(workdir) -> Path:
    Path(workdir).mkdir(parents=True, exist_ok=True)
    return Path(workdir) / LAMMPS_LOG


def _coexistence(metal: str, config: dict, pot, hy: dict, Tm_hyst, workdir) -> tuple[dict, dict]:
    """Coexistence T_m (methods.md 7.4) around the hysteresis estimate: (fields of melting.json, npz arrays)."""
    s = coexistence.CoexistenceSettings.from_config(config["md"], metal)
    # centre of the scan: the hysteresis Tm, else whichever of T+ / T- was seen, else the middle of the ramp
    ref = next(
        (t for t in (Tm_hyst, hy["T_plus_K"], hy["T_minus_K"]) if t is not None),
        0.5 * sum(config["md"]["melting"]["T_range_K"][metal]),
    )
    sol, liq = np.asarray(hy["solid_fit"]), np.asarray(hy["liquid_fit"])
    # latent heat of the hysteresis lines; a floor keeps tiny test runs (crossed lines) finite
    latent = lambda T: max(float(np.polyval(liq, T) - np.polyval(sol, T)), 1e-3)  # noqa: E731
    r = coexistence.coexistence_melting_point(
        pot, a0(metal, config), ref, latent, s, Path(workdir) / "coexistence", log_of=_lammps_log, say=_say
    )
    runs, arrays = [], {}
    for i, run in enumerate(r["runs"]):
        tr = run.pop("trace")
        runs.append(run)
        arrays.update(
            {
                f"coex{i}_t_ps": tr["t_ps"],
                f"coex{i}_pe": tr["pe"],
                f"coex{i}_bcc": tr["bcc"],
                f"coex{i}_T_K": np.asarray(run["T_K"]),
            }
        )
    fields = {
        "Tm_coexistence_K": r["Tm_K"],
        "Tm_coexistence_err_K": r["Tm_err_K"],
        "coexistence_bracket_K": r["bracket_K"],
        "coexistence_consistent": r["consistent"],
        "coexistence_note": r["note"],
        "coexistence_reference_K": ref,
        "coexistence_undecided_K": r["undecided_K"],
        "coexistence_method": (
            f"two-phase bcc/liquid box, ({s.facet}) interfaces, NPT P = 0 (x, y coupled), scan "
            "and bisection of the temperature where the solid fraction (from the "
            "potential energy) neither grows nor shrinks; error = half the bracket"
        ),
        "coexistence_runs": runs,
        "coexistence_settings": {k: v for k, v in s.__dict__.items()},
    }
    return fields, arrays


def melting_job(metal: str, config: dict, out_json, out_npz, workdir) -> dict:
    """Melting point by NPT heating/cooling hysteresis (methods.md 7.1), then by solid-liquid coexistence
    (7.4, :mod:`anodeflow.md.coexistence`): melting.json and the ramps and coexistence traces (npz)."""
    md = config["md"]
    mc = md["melting"]
    pot = afpot.resolve(metal, config)
    dt = md["timestep_fs"][metal]
    r = bulk.melting_run(
        pot, a0(metal, config), bulk.MeltingRamp.from_config(md, metal), workdir, log=_lammps_log(workdir)
    )
    h, c = r["heat"], r["cool"]
    hy = bulk.hysteresis_temperatures(h["T_set"], h["pe"], c["T_set"], c["pe"], mc["fit_fraction"])
    tm = bulk.melting_temperature(hy["T_plus_K"], hy["T_minus_K"])
    res = {
        "metal": metal,
        "Tm_K": tm,
        "T_plus_K": hy["T_plus_K"],
        "T_minus_K": hy["T_minus_K"],
        "Tm_experiment_K": bulk.EXPERIMENT_TM_K.get(metal),
        "note": None
        if tm is not None
        else (
            "no melting seen on heating: raise T_max"
            if hy["T_plus_K"] is None
            else "no crystallisation seen on cooling: slow the cooling ramp "
            "(md.melting.cool_rate_K_per_ps) or enlarge the cell"
        ),
        "method": "Tm = T+ + T- - sqrt(T+ T-) (Luo, Strachan, Swift, J. Chem. Phys. 120, 11640 (2004))",
        "latent_heat_eV_per_atom": hy["latent_heat_eV_per_atom"],
        "solid_fit": hy["solid_fit"],
        "liquid_fit": hy["liquid_fit"],
        "natoms": r["natoms"],
        "timestep_fs": dt,
        "provenance": provenance(md_subset(metal, config, "melting", "coexistence"), pot.files),
    }
    fields, arrays = _coexistence(metal, config, pot, hy, tm, workdir)
    res.update(fields)
    if world_rank() != 0:
        return res
    with atomic_path(out_npz) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(
                fh,
                **{f"heat_{k}": v for k, v in h.items()},
                **{f"cool_{k}": v for k, v in c.items()},
                **arrays,
                provenance=np.array(json.dumps(res["provenance"], default=str)),
            )
    write_json(out_json, res)
    return res


def expansion_job(metal: str, config: dict, out_csv, workdir, melting_json=None, out_liquid=None) -> pd.DataFrame:
    """a(T) from NPT bulk runs at md.expansion.T_K plus every ribbon temperature (methods.md 7.2); with
    ``cft.T_over_Tm`` the ribbon temperatures come from the metal's ``melting_json``. With ``out_liquid``, also
    the bulk liquid at every ribbon temperature T (md.liquid; run at max(T, T_m) when T_m is known,
    anodeflow.md.bulk.LiquidRun): its MSD rate, the reference of the ribbons' solid test (anodeflow.cft.solid)
    -> liquid_msd.csv."""
    md = config["md"]
    ec = md["expansion"]
    pot = afpot.resolve(metal, config)
    rows = []
    melting = json.loads(Path(melting_json).read_text()) if melting_json else None
    for T in expansion_temperatures(metal, config, melting):
        wd = Path(workdir) / f"T{T_label(T)}"
        r = bulk.expansion_run(pot, a0(metal, config), bulk.NPTRun.from_config(md, metal, T), wd, log=_lammps_log(wd))
        a, da = bulk.lattice_constant(r["vol"])
        rows.append(
            {
                "metal": metal,
                "T_K": T,
                "a_A": a,
                "a_stderr_A": da,
                "T_mean_K": float(np.mean(r["T"])),
                "pe_eV_per_atom": float(np.mean(r["pe"])),
                "natoms": 2 * ec["cells"] ** 3,
            }
        )
    df = pd.DataFrame(rows)
    liquid = []
    if out_liquid is not None:
        for T in cft_temperatures(metal, config, melting):
            wd = Path(workdir) / f"liquid_T{T_label(T)}"
            run = bulk.LiquidRun.from_config(md, metal, T, Tm_for_cft(melting)[0] if melting else None)
            r = bulk.liquid_run(pot, a0(metal, config), run, wd, log=_lammps_log(wd))
            rate = cftsolid.msd_rate(r["msd_xz_A2"], float(r["t_ps"][1] - r["t_ps"][0]))
            liquid.append(
                {
                    "metal": metal,
                    "T_K": T,
                    "T_liquid_K": run.T_K,
                    "msd_rate_xz_A2_per_ps": rate,
                    "D_A2_per_ps": rate / 4,
                    "bcc_fraction": float(np.mean(r["bcc"][len(r["bcc"]) // 2 :])),
                    "T_mean_K": float(np.mean(r["T"])),
                    "T_melt_K": run.T_melt_K,
                    "prod_ps": run.prod_ps,
                    "natoms": 2 * run.cells**3,
                }
            )
    if world_rank() != 0:
        return df
    write_csv(out_csv, df, provenance(md_subset(metal, config, "expansion"), pot.files))
    if out_liquid is not None:
        write_csv(
            out_liquid,
            pd.DataFrame(liquid, columns=LIQUID_COLUMNS),
            provenance(md_subset(metal, config, "liquid"), pot.files),
        )
    return df


#: columns of results/md/<metal>/liquid_msd.csv
LIQUID_COLUMNS = [
    "metal",
    "T_K",
    "T_liquid_K",
    "msd_rate_xz_A2_per_ps",
    "D_A2_per_ps",
    "bcc_fraction",
    "T_mean_K",
    "T_melt_K",
    "prod_ps",
    "natoms",
]


def partner_tau1(npz) -> float | None:
    """tau_1 (ps) of a finished start, from the analysis its ribbon npz holds, for the paired pass of the other
    start. None when there is none, or when the start itself did not end enough (it reached the cap unresolved,
    or its imposed mode never decayed): the state point cannot pass then, and the other start is not run on."""
    with np.load(npz) as z:
        a = json.loads(str(z["analysis"]))
    t = a.get("tau1_ps")
    if t is None or not np.isfinite(t) or not a.get("enough", False):
        return None
    return float(t)


def ribbon_job(
    metal: str,
    facet: str,
    T_K: float,
    config: dict,
    expansion_csv,
    out_npz,
    workdir,
    b: int = 2,
    start: str = "flat",
    partner_npz=None,
) -> dict:
    """One ribbon with free ``facet`` surfaces at ``T_K``, ``b`` spacings thick, from the ``start`` flat or rough,
    built at a(T) of the expansion table; production in chunks until equilibrated or capped (methods.md 7.3).
    With ``partner_npz`` (the other start's npz) the paired pass: the start resumed from ``workdir`` and run on
    to 20 x the larger tau_1 of the two (``anodeflow.md.ribbon.run_ribbon``, ``partner_tau1_ps``)."""
    partner = partner_tau1(partner_npz) if partner_npz is not None else None
    if partner_npz is not None and not (Path(workdir) / "state.json").is_file():
        raise FileNotFoundError(
            f"the paired pass resumes the first pass's work folder {workdir}, which holds no state.json (cleaned or "
            f"moved?): rerun the first pass of this start (snakemake --forcerun md_ribbon <its npz>), then this"
        )
    pot = afpot.resolve(metal, config)
    a = bulk.a_of_T(pd.read_csv(expansion_csv), T_K)
    settings = ribbon_settings(metal, config, b, start, facet=facet, a_A=a)
    r = ribbon.run_ribbon(
        pot,
        a,
        facet,
        T_K,
        settings,
        ribbon_seed(config, facet, T_K, b, start),
        workdir,
        log=_lammps_log(workdir),
        say=_say,
        partner_tau1_ps=partner,
    )
    if world_rank() != 0:
        return r
    inputs = [*pot.files, expansion_csv] + ([partner_npz] if partner_npz is not None else [])
    prov = provenance({**md_subset(metal, config), "cft": cft_settings(metal, config)}, inputs)
    with atomic_path(out_npz) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(
                fh,
                **{k: np.asarray(v) for k, v in r.items()},
                metal=metal,
                provenance=np.array(json.dumps(prov, default=str)),
            )
    return r


def steps_job(
    metal: str, facet: str, direction: str, T_K: float, config: dict, expansion_csv, out_npz, workdir
) -> dict:
    """Stripe island with two straight steps along ``direction`` on ``facet`` at ``T_K`` (methods.md 7.3):
    top-layer positions per frame -> npz (analysis: anodeflow.cft.step)."""
    pot = afpot.resolve(metal, config)
    a = bulk.a_of_T(pd.read_csv(expansion_csv), T_K)
    cc = cft_settings(metal, config)["steps"]
    md = config["md"]
    s = steps.StepSettings(
        **{
            k: cc[k]
            for k in (
                "length_A",
                "width_A",
                "slab_A",
                "fixed_A",
                "island_fraction",
                "vacuum_A",
                "equil_ps",
                "prod_ps",
                "max_prod_ps",
                "sample_ps",
                "min_wavelength_spacings",
                "max_modes",
            )
        },
        timestep_fs=md["timestep_fs"][metal],
        checkpoint_every=md["checkpoint_every"],
        omp_threads=md["omp_threads"],
    )
    seed = md["seed"] + int(T_K) + 1000 * int(facet) + 31
    n_bins = steps.geometry(a, facet, direction, s)["ny"]

    def analyse(xyz, cell, dt):
        # one straight start cannot show that a white spectrum is equilibrium (a step without kink motion
        # looks white with the vibrational tau_1): the run stops early only once a stiffness is equilibrated
        row = step_analysis(xyz, cell, dt, T_K, a, n_bins, cc)
        row["enough"] = bool(row.get("enough") and row.get("status") == "equilibrated")
        return row

    r = steps.run_steps(
        pot, a, facet, direction, T_K, s, seed, workdir, analyse=analyse, log=_lammps_log(workdir), say=_say
    )
    if world_rank() != 0:
        return r
    prov = provenance({**md_subset(metal, config), "cft_steps": cc}, [*pot.files, expansion_csv])
    with atomic_path(out_npz) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(
                fh,
                **{k: np.asarray(v) for k, v in r.items()},
                metal=metal,
                n_bins=n_bins,
                provenance=np.array(json.dumps(prov, default=str)),
            )
    return r


def fetch_potential_job(metal: str, config: dict, out) -> Path:
    """Copy (``local_dir``) or download (``url``) the potential file of ``metal`` into resources/potentials/
    (sha256-verified, anodeflow.potentials.fetch); ``out`` must be the file fetched."""
    got = afpot.fetch(metal, config, workdir=".")
    out = Path(out).resolve()
    if out not in got:
        raise afpot.PotentialError(
            f"potential of {metal}: fetched {[str(g) for g in got]}, but the rule "
            f"asked for {out} (config key 'potentials.{metal}.files')"
        )
    return out


def _say(*parts) -> None:
    if world_rank() == 0:
        print(*parts, flush=True)


def _add(p: argparse.ArgumentParser, *names: str) -> None:
    helps = {
        "--metal": "element symbol (a key of config md.metals / potentials)",
        "--facet": "free facet of the ribbon, three digits (e.g. 100)",
        "--T": "ribbon temperature (K)",
        "--config": "JSON of the validated config part this job reads (anodeflow.md.settings.job_config)",
        "--workdir": "work folder of the restartable LAMMPS run (restart files, samples so far, lammps.log)",
    }
    for n in names:
        kw = {"type": float} if n == "--T" else {}
        p.add_argument(n, required=True, help=helps.get(n), **kw)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m anodeflow.md.jobs", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="verb", required=True)
    p = sub.add_parser("melting", help="NPT heating/cooling ramps -> melting.json + ramps npz")
    _add(p, "--metal", "--config", "--workdir")
    p.add_argument("--out-json", required=True)
    p.add_argument("--out-npz", required=True)
    p = sub.add_parser("melting-plot", help="energy vs set-point T of the ramps -> png")
    p.add_argument("--npz", required=True)
    p.add_argument("--json", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("expansion", help="NPT bulk runs -> thermal_expansion.csv")
    _add(p, "--metal", "--config", "--workdir")
    p.add_argument("--out", required=True)
    p.add_argument("--melting", default=None, help="melting.json of the metal (needed with cft.T_over_Tm)")
    p.add_argument(
        "--out-liquid", default=None, help="liquid_msd.csv: bulk-liquid MSD rates at the ribbon temperatures"
    )
    p = sub.add_parser("expansion-plot", help="a(T) of thermal_expansion.csv -> png")
    p.add_argument("--csv", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("ribbon", help="ribbon with two free surfaces, height profiles sampled -> npz")
    _add(p, "--metal", "--facet", "--T", "--config", "--workdir")
    p.add_argument("--expansion", required=True, help="thermal_expansion.csv of the metal (a(T))")
    p.add_argument("--b", type=int, required=True, help="ribbon thickness in lattice spacings along y")
    p.add_argument("--start", choices=["flat", "rough"], required=True, help="flat, or mode 1 imposed (rough)")
    p.add_argument(
        "--partner",
        default=None,
        help="the other start's ribbon npz: the paired pass, run on to 20 x the larger tau_1 of the two",
    )
    p.add_argument("--out", required=True)
    p = sub.add_parser("steps", help="stripe island with two straight steps, top-layer positions sampled -> npz")
    _add(p, "--metal", "--facet", "--T", "--config", "--workdir")
    p.add_argument("--direction", required=True, help="step direction (e.g. 001 or 1-10 on (110))")
    p.add_argument("--expansion", required=True, help="thermal_expansion.csv of the metal (a(T))")
    p.add_argument("--out", required=True)
    p = sub.add_parser("fetch-potential", help="copy or download a url-source potential file, sha256-verified")
    _add(p, "--metal", "--config")
    p.add_argument("--out", required=True)
    return ap


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    cfg = json.loads(args.config) if hasattr(args, "config") else None
    if args.verb == "melting":
        r = melting_job(args.metal, cfg, args.out_json, args.out_npz, args.workdir)
        _say(
            f"melting {args.metal}: T+ = {r['T_plus_K']} K, T- = {r['T_minus_K']} K, Tm = {r['Tm_K']} K"
            + (f" ({r['note']})" if r["note"] else "")
            + f"; coexistence Tm = {r['Tm_coexistence_K']} +- {r['Tm_coexistence_err_K']} K"
            + (f" ({r['coexistence_note']})" if r.get("coexistence_note") else "")
        )
    elif args.verb == "melting-plot":
        plots.plot_melting(args.npz, args.json, args.out)
        _say(f"melting plot: {args.out}")
    elif args.verb == "expansion":
        df = expansion_job(args.metal, cfg, args.out, args.workdir, args.melting, args.out_liquid)
        _say(f"thermal expansion {args.metal}:\n{df.to_string(index=False)}")
    elif args.verb == "expansion-plot":
        plots.plot_thermal_expansion(args.csv, args.out)
        _say(f"thermal expansion plot: {args.out}")
    elif args.verb == "ribbon":
        r = ribbon_job(
            args.metal,
            args.facet,
            args.T,
            cfg,
            args.expansion,
            args.out,
            args.workdir,
            args.b,
            args.start,
            partner_npz=args.partner,
        )
        _say(
            f"ribbon {args.metal} ({args.facet}) b={args.b} {args.start} at {T_label(args.T)} K: {r['natoms']} atoms, "
            f"W = {r['W_A']:.2f} A, b = {r['b_A']:.2f} A, imposed |A_1| = {r['imposed_amplitude_A']:.2f} A, "
            f"{len(r['h_top'])} height samples over {r['prod_ps']:g} ps in {r['chunks']} chunk(s)"
        )
    elif args.verb == "steps":
        r = steps_job(args.metal, args.facet, args.direction, args.T, cfg, args.expansion, args.out, args.workdir)
        _say(
            f"steps {args.metal} ({args.facet}) along [{args.direction}] at {T_label(args.T)} K: {r['natoms']} atoms, "
            f"island {r['n_island']} atoms, L = {r['L_A']:.1f} A, {len(r['T'])} frames over {r['prod_ps']:g} ps "
            f"in {r['chunks']} chunk(s)"
        )
    elif args.verb == "fetch-potential":
        path = fetch_potential_job(args.metal, cfg, args.out)
        _say(f"potential of {args.metal}: {path}")


if __name__ == "__main__":
    main()
