"""Entry points of the MD and CFT rules: config in, files out (atomic, with provenance).

Resumable state lives in ``work/md/...`` (LAMMPS restart files, samples so far); the declared
outputs under ``results/`` are written once, at the end.
"""
from __future__ import annotations

import json

import copy
from pathlib import Path

import numpy as np
import pandas as pd

from anodeflow import cft as afcft
from anodeflow import potentials as afpot
from anodeflow.io import atomic_path, provenance, write_csv, write_json
from anodeflow.md import bulk, ribbon
from anodeflow.md.runtime import world_rank

#: experimental melting points (K): CRC Handbook of Chemistry and Physics, 97th ed.
EXPERIMENT_TM_K = {"Li": 453.65, "Na": 370.87, "K": 336.53}


SCHEMA_SECTIONS = ("md", "cft", "potentials")


def _fill(schema: dict, inst):
    if not isinstance(inst, dict) or not isinstance(schema, dict):
        return
    for k, sub in schema.get("properties", {}).items():
        if "default" in sub and k not in inst:
            inst[k] = copy.deepcopy(sub["default"])
        if k in inst:
            _fill(sub, inst[k])
    ap = schema.get("additionalProperties")
    if isinstance(ap, dict):
        if "$ref" in ap and ap["$ref"].startswith("#/$defs/"):
            ap = schema.get("$defs", {}).get(ap["$ref"].split("/")[-1], ap)
        for k, v in inst.items():
            if k not in schema.get("properties", {}):
                _fill(ap, v)


def fill_defaults(config: dict) -> dict:
    """Fill the schema defaults of the md, cft and potentials sections in place.

    anodeflow.config fills defaults while validating, but jsonschema switches to the plain
    validator class inside a $ref'd file that declares its own ``$schema`` (``evolve`` picks the
    class from ``$schema``), so defaults of the stage sub-schemas are not filled there.
    """
    import yaml

    from anodeflow.config import SCHEMA_DIR
    for sec in SCHEMA_SECTIONS:
        if sec in config:
            _fill(yaml.safe_load((SCHEMA_DIR / f"{sec}.schema.yaml").read_text()), config[sec])
    return config


def T_label(T: float) -> str:
    """Path-safe temperature label: 300 -> '300', 412.5 -> '412.5'."""
    return f"{float(T):g}"


def expansion_temperatures(metal: str, config: dict) -> list[float]:
    Ts = set(float(t) for t in config["md"]["expansion"]["T_K"].get(metal, []))
    Ts |= set(float(t) for t in config.get("cft", {}).get("T_K", {}).get(metal, []))
    return sorted(Ts)


def cft_settings(metal: str, config: dict) -> dict:
    """The cft section with ``cft.per_metal.<metal>`` overrides applied (e.g. larger ribbons for cheap potentials)."""
    cc = {k: v for k, v in config["cft"].items() if k != "per_metal"}
    cc.update(config["cft"].get("per_metal", {}).get(metal, {}))
    return cc


def ribbon_targets(config: dict) -> list[tuple[str, str, str]]:
    """(metal, facet, T label) of every ribbon of the campaign."""
    out = []
    for m in config["md"]["metals"]:
        for f in config["cft"]["facets"]:
            for T in config["cft"]["T_K"].get(m, []):
                out.append((m, f, T_label(T)))
    return out


def _a0(metal, config):
    return float(config.get("metals", {}).get(metal, {}).get("a0_A") or {"Li": 3.45, "Na": 4.23}[metal])


def _md_subset(metal, config, *keys):
    sub = {"potential": afpot.spec(metal, config), "md": {k: config["md"].get(k) for k in
                                                             ("seed", "omp_threads", "timestep_fs")}}
    for k in keys:
        sub[k] = config["md"][k] if k in config["md"] else config["cft"]
    return sub


def melting_job(metal: str, config: dict, out_json, out_npz, workdir, log=None) -> dict:
    fill_defaults(config)
    md = config["md"]
    mc = md["melting"]
    pot = afpot.resolve(metal, config)
    tmin, tmax = mc["T_range_K"][metal]
    dt = md["timestep_fs"][metal]
    r = bulk.melting_run(pot, _a0(metal, config), mc["cells"], tmin, tmax, mc["rate_K_per_ps"], mc["hold_ps"],
                         dt, md["seed"], workdir, cool_rate_K_per_ps=mc.get("cool_rate_K_per_ps"),
                         sample_every=mc["sample_every"], checkpoint_every=md["checkpoint_every"],
                         omp_threads=md["omp_threads"], log=log)
    h, c = r["heat"], r["cool"]
    hy = bulk.hysteresis_temperatures(h["T_set"], h["pe"], c["T_set"], c["pe"], mc["fit_fraction"])
    tm = bulk.melting_temperature(hy["T_plus_K"], hy["T_minus_K"])
    res = {"metal": metal, "Tm_K": tm, "T_plus_K": hy["T_plus_K"], "T_minus_K": hy["T_minus_K"],
           "Tm_experiment_K": EXPERIMENT_TM_K.get(metal),
           "note": None if tm is not None else ("no melting seen on heating: raise T_max" if hy["T_plus_K"] is None
                                                 else "no crystallisation seen on cooling: slow the cooling ramp "
                                                      "(md.melting.cool_rate_K_per_ps) or enlarge the cell"),
           "method": "Tm = T+ + T- - sqrt(T+ T-) (Luo, Strachan, Swift, J. Chem. Phys. 120, 11640 (2004))",
           "latent_heat_eV_per_atom": hy["latent_heat_eV_per_atom"], "solid_fit": hy["solid_fit"],
           "liquid_fit": hy["liquid_fit"], "natoms": r["natoms"], "timestep_fs": dt,
           "provenance": provenance(_md_subset(metal, config, "melting"), pot.files)}
    if world_rank() != 0:
        return res
    with atomic_path(out_npz) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **{f"heat_{k}": v for k, v in h.items()}, **{f"cool_{k}": v for k, v in c.items()},
                     provenance=np.array(json.dumps(res["provenance"], default=str)))
    write_json(out_json, res)
    return res


def run_job(kind: str, config: dict, ntasks: int = 1, launcher: str | None = None, **kw):
    """Run an MD job in this process (ntasks = 1) or as ``launcher python -m anodeflow.md`` with
    ``ntasks`` MPI ranks (LAMMPS decomposes the domain; rank 0 writes the outputs).

    ``kind``: melting | expansion | ribbon; ``kw``: the keyword arguments of ``<kind>_job``.
    """
    import json
    import shlex
    import subprocess
    import sys

    fn = {"melting": melting_job, "expansion": expansion_job, "ribbon": ribbon_job}[kind]
    if ntasks <= 1:
        return fn(config=config, **kw)
    wd = Path(kw["workdir"])
    wd.mkdir(parents=True, exist_ok=True)
    spec = wd / "job.json"
    spec.write_text(json.dumps({"kind": kind, "config": config, "kw": {k: str(v) if isinstance(v, Path) else v
                                                                        for k, v in kw.items()}}, default=str))
    launch = (launcher or "mpiexec -n {ntasks}").format(ntasks=ntasks)
    cmd = f"{launch} {shlex.quote(sys.executable)} -m anodeflow.md {shlex.quote(str(spec))}"
    subprocess.run(cmd, shell=True, check=True)


def plot_melting(npz, melting_json, out_png):
    import matplotlib.pyplot as plt

    from anodeflow.io import read_json
    z, m = np.load(npz), read_json(melting_json)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(z["heat_T_set"], z["heat_pe"], lw=0.8, label="heating")
    ax.plot(z["cool_T_set"], z["cool_pe"], lw=0.8, label="cooling")
    for key, name, ls in (("T_plus_K", "T+", "--"), ("T_minus_K", "T-", ":"), ("Tm_K", "Tm", "-")):
        if m.get(key):
            ax.axvline(m[key], color="k", ls=ls, lw=0.8, label=f"{name} = {m[key]:.0f} K")
    ax.axvline(m["Tm_experiment_K"], color="r", lw=0.8, label=f"expt {m['Tm_experiment_K']:.0f} K")
    ax.set_xlabel("set-point T (K)")
    ax.set_ylabel("potential energy (eV/atom)")
    ax.set_title(f"{m['metal']}: NPT heating/cooling")
    ax.legend(fontsize=7)
    fig.tight_layout()
    with atomic_path(out_png) as tmp:
        fig.savefig(tmp, format="png", dpi=120)
    plt.close(fig)


def expansion_job(metal: str, config: dict, out_csv, workdir, log=None) -> pd.DataFrame:
    fill_defaults(config)
    md = config["md"]
    ec = md["expansion"]
    pot = afpot.resolve(metal, config)
    dt = md["timestep_fs"][metal]
    rows = []
    for T in expansion_temperatures(metal, config):
        r = bulk.expansion_run(pot, _a0(metal, config), ec["cells"], T, ec["equil_ps"], ec["prod_ps"], dt,
                               md["seed"], Path(workdir) / f"T{T_label(T)}", sample_every=ec["sample_every"],
                               checkpoint_every=md["checkpoint_every"], omp_threads=md["omp_threads"], log=log)
        a, da = bulk.lattice_constant(r["vol"])
        rows.append({"metal": metal, "T_K": T, "a_A": a, "a_stderr_A": da, "T_mean_K": float(np.mean(r["T"])),
                     "pe_eV_per_atom": float(np.mean(r["pe"])), "natoms": 2 * ec["cells"] ** 3})
    df = pd.DataFrame(rows)
    if world_rank() != 0:
        return df
    write_csv(out_csv, df, provenance(_md_subset(metal, config, "expansion"), pot.files))
    return df


def ribbon_job(metal: str, facet: str, T_K: float, config: dict, expansion_csv, out_npz, workdir, log=None) -> dict:
    fill_defaults(config)
    md, cc = config["md"], cft_settings(metal, config)
    pot = afpot.resolve(metal, config)
    a = bulk.a_of_T(pd.read_csv(expansion_csv), T_K)
    geom = ribbon.ribbon_geometry(a, facet, cc["length_A"], cc["thickness_spacings"], cc["slab_A"], cc["orientations"])
    seed = md["seed"] + int(T_K) + 1000 * int(facet)
    r = ribbon.run_ribbon(pot, a, facet, T_K, geom, cc["vacuum_A"], cc["anchor_A"], cc["equil_ps"], cc["prod_ps"],
                          cc["sample_ps"], md["timestep_fs"][metal], seed, workdir,
                          bins_per_spacing=cc["bins_per_spacing"], cn_min=cc["cn_min"],
                          orientations=cc["orientations"], anchor_k_eV_A2=cc["anchor_k_eV_A2"],
                          checkpoint_every=md["checkpoint_every"], omp_threads=md["omp_threads"], log=log)
    if world_rank() != 0:
        return r
    prov = provenance({**_md_subset(metal, config), "cft": cc}, [*pot.files, expansion_csv])
    with atomic_path(out_npz) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **{k: np.asarray(v) for k, v in r.items()}, metal=metal,
                     provenance=np.array(json.dumps(prov, default=str)))
    return r


def interior_solid(msd_A2, a_A: float, cc: dict) -> tuple[float, bool]:
    """(max interior MSD over the samples, solid?): solid while it stays below
    ``cft.max_interior_msd_a2`` * a^2 (see anodeflow.md.ribbon)."""
    msd = np.asarray(msd_A2, float)
    msd_max = float(np.nanmax(msd)) if np.isfinite(msd).any() else float("nan")
    return msd_max, bool(np.isfinite(msd_max) and msd_max <= cc["max_interior_msd_a2"] * a_A ** 2)


def molten(msd_max_A2: float, bcc_fraction: float, a_A: float) -> bool:
    """Fully liquid: the interior atoms diffused farther than a lattice constant (MSD > a^2) and no
    bcc order is left (CNA-bcc fraction < 0.05 over the second half of the run)."""
    return bool(np.isfinite(msd_max_A2) and msd_max_A2 > a_A ** 2 and bcc_fraction < 0.05)


def cft_job(metal: str, facet: str, T_K: float, config: dict, ribbon_npz, out_json) -> dict:
    fill_defaults(config)
    cc = cft_settings(metal, config)
    z = np.load(ribbon_npz)
    W, b, a = float(z["W_A"]), float(z["b_A"]), float(z["a_A"])
    n_modes = afcft.n_fit_modes(W, cc["min_wavelength_spacings"] * a, cc["max_modes"])
    res = afcft.capillary_stiffness(z["h_top"], z["h_bot"], T_K, b, W, n_modes, cc["n_blocks"],
                                    cc["max_exponent"], cc["max_rel_err"], cc["min_signal_to_floor"])
    bcc = np.asarray(z["bcc_interior"])
    # solid: interior MSD stays on its vibrational plateau (max over the samples, so a resume that
    # restarted `compute msd` cannot hide a liquid); the CNA fraction only if min_bcc_fraction > 0
    msd_max, solid_msd = interior_solid(z["msd_interior_A2"] if "msd_interior_A2" in z.files else [np.nan], a, cc)
    bcc_late = float(bcc[len(bcc) // 2:].mean())
    solid = bool(solid_msd and bcc_late >= cc["min_bcc_fraction"])
    # a fully molten ribbon is isotropic: its capillary spectrum gives the liquid's surface tension
    # (stiffness = tension), a check of the whole CFT chain against experiment; a partly molten one
    # gives nothing
    liquid = molten(msd_max, bcc_late, a) and res["fluctuating"]
    res["liquid_surface_tension_J_m2"] = res["stiffness_J_m2"] if liquid else None
    res["liquid_surface_tension_stderr_J_m2"] = res["stderr_J_m2"] if liquid else None
    if not solid:
        res.update(stiffness_J_m2=None, stderr_J_m2=None, fluctuating=False, stiffness_lower_bound_J_m2=None)
    res.update(metal=metal, facet=facet, T_K=T_K, solid=solid, msd_interior_max_A2=msd_max,
               bcc_interior_mean=float(bcc.mean()),
               bcc_interior_last=float(bcc[-1]), W_A=W, b_A=b, a_A=a, natoms=int(z["natoms"]),
               prod_ps=float(z["prod_ps"]),
               provenance=provenance({"cft": cc}, [ribbon_npz]))
    write_json(out_json, res)
    return res


STIFFNESS_COLUMNS = ["metal", "facet", "T_K", "stiffness_J_m2", "stderr_J_m2", "fluctuating"]


def gather_stiffness(jsons, out_csv, out_png, config: dict) -> pd.DataFrame:
    fill_defaults(config)
    from anodeflow.io import read_json
    rows = []
    for j in jsons:
        r = read_json(j)
        rows.append({**{k: r[k] for k in STIFFNESS_COLUMNS}, "solid": r["solid"], "exponent": r["exponent"],
                     "msd_interior_max_A2": r.get("msd_interior_max_A2"), "bcc_interior_mean": r.get("bcc_interior_mean"),
                     "signal_to_floor": r.get("signal_to_floor"),
                     "stiffness_lower_bound_J_m2": r.get("stiffness_lower_bound_J_m2"),
                     "liquid_surface_tension_J_m2": r.get("liquid_surface_tension_J_m2"),
                     "liquid_surface_tension_stderr_J_m2": r.get("liquid_surface_tension_stderr_J_m2"),
                     "raw_stiffness_J_m2": r["raw_stiffness_J_m2"], "raw_stderr_J_m2": r["raw_stderr_J_m2"],
                     "fit_stderr_J_m2": r["fit_stderr_J_m2"], "n_modes": r["n_modes"], "n_frames": r["n_frames"],
                     "prod_ps": r["prod_ps"], "natoms": r["natoms"]})
    df = pd.DataFrame(rows).sort_values(["metal", "facet", "T_K"]).reset_index(drop=True)
    write_csv(out_csv, df, provenance({"cft": config["cft"]}, jsons))
    plot_stiffness(df, out_png)
    return df


def plot_stiffness(df: pd.DataFrame, out_png):
    import matplotlib.pyplot as plt

    metals = sorted(df["metal"].unique())
    fig, axes = plt.subplots(1, len(metals), figsize=(4.5 * len(metals), 3.6), squeeze=False)
    for ax, m in zip(axes[0], metals):
        for facet, g in df[df.metal == m].groupby("facet"):
            ok = g[g.fluctuating.astype(bool)]
            line = ax.errorbar(ok.T_K, ok.stiffness_J_m2, yerr=ok.stderr_J_m2, marker="o", capsize=3,
                               label=f"({facet})")
            bad = g[~g.fluctuating.astype(bool)]
            lb = pd.to_numeric(bad.get("stiffness_lower_bound_J_m2"), errors="coerce") if len(bad) else pd.Series(dtype=float)
            has = lb.notna().to_numpy() if len(bad) else np.zeros(0, bool)
            if has.any():
                ax.plot(bad.T_K[has], lb[has], "^", color=line[0].get_color(), ms=8, mfc="none",
                        label=f"({facet}) smooth: stiffness above this bound")
            if (~has).any():  # no number and no bound: marked on the T axis
                ax.plot(bad.T_K[~has], np.full((~has).sum(), 0.04), "x", color=line[0].get_color(), ms=8,
                        transform=ax.get_xaxis_transform(), label=f"({facet}) not solid / not equilibrated")
        vals = pd.concat([df.stiffness_J_m2, df.get("stiffness_lower_bound_J_m2", pd.Series(dtype=float))])
        vals = pd.to_numeric(vals, errors="coerce").dropna()
        if len(vals) and (vals > 0).all() and vals.max() / vals.min() > 20:
            ax.set_yscale("log")
        ax.set_xlabel("T (K)")
        ax.set_ylabel("stiffness (J/m$^2$)")
        ax.set_title(m)
        ax.legend(fontsize=7)
    fig.tight_layout()
    with atomic_path(out_png) as tmp:
        fig.savefig(tmp, format="png", dpi=120)
    plt.close(fig)
