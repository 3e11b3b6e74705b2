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

from anodeflow.cft import spectrum
from anodeflow.io import provenance, read_json, save_figure, write_csv, write_json
from anodeflow.md.settings import T_label, cft_settings


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
    """Capillary stiffness of one ribbon (anodeflow.cft.spectrum), its solid/molten verdict -> JSON."""
    cc = cft_settings(metal, config)
    z = np.load(ribbon_npz)
    W, b, a = float(z["W_A"]), float(z["b_A"]), float(z["a_A"])
    n_modes = spectrum.n_fit_modes(W, cc["min_wavelength_spacings"] * a, cc["max_modes"])
    res = spectrum.capillary_stiffness(z["h_top"], z["h_bot"], T_K, b, W, n_modes, cc["n_blocks"],
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
        res.update(stiffness_J_m2=None, stderr_J_m2=None, fluctuating=False)
    res.update(metal=metal, facet=facet, T_K=T_K, solid=solid, msd_interior_max_A2=msd_max,
               bcc_interior_mean=float(bcc.mean()),
               bcc_interior_last=float(bcc[-1]), W_A=W, b_A=b, a_A=a, natoms=int(z["natoms"]),
               prod_ps=float(z["prod_ps"]),
               provenance=provenance({"cft": cc}, [ribbon_npz]))
    write_json(out_json, res)
    return res


STIFFNESS_COLUMNS = ["metal", "facet", "T_K", "stiffness_J_m2", "stderr_J_m2", "fluctuating"]


def gather_stiffness(jsons, out_csv, out_png, config: dict) -> pd.DataFrame:
    """The per-ribbon results -> results/cft/stiffness.csv (sorted by metal, facet, T) and the stiffness plot."""
    rows = []
    for j in jsons:
        r = read_json(j)
        rows.append({**{k: r[k] for k in STIFFNESS_COLUMNS}, "solid": r["solid"], "exponent": r["exponent"],
                     "msd_interior_max_A2": r.get("msd_interior_max_A2"), "bcc_interior_mean": r.get("bcc_interior_mean"),
                     "signal_to_floor": r.get("signal_to_floor"),
                     "liquid_surface_tension_J_m2": r.get("liquid_surface_tension_J_m2"),
                     "liquid_surface_tension_stderr_J_m2": r.get("liquid_surface_tension_stderr_J_m2"),
                     "raw_stiffness_J_m2": r["raw_stiffness_J_m2"], "raw_stderr_J_m2": r["raw_stderr_J_m2"],
                     "fit_stderr_J_m2": r["fit_stderr_J_m2"], "n_modes": r["n_modes"], "n_frames": r["n_frames"],
                     "prod_ps": r["prod_ps"], "natoms": r["natoms"]})
    df = pd.DataFrame(rows).sort_values(["metal", "facet", "T_K"]).reset_index(drop=True)
    write_csv(out_csv, df, provenance({"cft": config["cft"]}, jsons))
    plot_stiffness(df, out_png)
    return df


def plot_stiffness(df: pd.DataFrame, out_png) -> None:
    """Stiffness against T per metal and facet: values with error bars; ribbons without a value (melted,
    not equilibrated, no capillary signal) as crosses on the T axis. No bounds: a spectrum that was not
    shown to be in equilibrium bounds nothing (anodeflow.cft.equilibrium)."""
    import matplotlib.pyplot as plt

    metals = sorted(df["metal"].unique())
    fig, axes = plt.subplots(1, len(metals), figsize=(4.5 * len(metals), 3.6), squeeze=False)
    for ax, m in zip(axes[0], metals):
        for facet, g in df[df.metal == m].groupby("facet"):
            ok = g[g.fluctuating.astype(bool)]
            line = ax.errorbar(ok.T_K, ok.stiffness_J_m2, yerr=ok.stderr_J_m2, marker="o", capsize=3,
                               label=f"({facet})")
            bad = g[~g.fluctuating.astype(bool)]
            if len(bad):  # no number: marked on the T axis
                ax.plot(bad.T_K, np.full(len(bad), 0.04), "x", color=line[0].get_color(), ms=8,
                        transform=ax.get_xaxis_transform(), label=f"({facet}) no value (not solid / not equilibrated)")
        vals = pd.to_numeric(df.stiffness_J_m2, errors="coerce").dropna()
        if len(vals) and (vals > 0).all() and vals.max() / vals.min() > 20:
            ax.set_yscale("log")
        ax.set_xlabel("T (K)")
        ax.set_ylabel("stiffness (J/m$^2$)")
        ax.set_title(m)
        ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, out_png)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m anodeflow.cft.jobs", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="verb", required=True)
    p = sub.add_parser("ribbon-stiffness", help="capillary analysis of one ribbon npz -> JSON")
    p.add_argument("--metal", required=True)
    p.add_argument("--facet", required=True)
    p.add_argument("--T", type=float, required=True, help="ribbon temperature (K)")
    p.add_argument("--config", required=True, help="JSON: {cft: the metal's cft settings} (validated config)")
    p.add_argument("--ribbon", required=True, help="ribbon npz of the MD stage")
    p.add_argument("--out", required=True)
    p = sub.add_parser("stiffness-table", help="every ribbon's JSON -> stiffness.csv + stiffness.png")
    p.add_argument("--config", required=True, help="JSON: {cft: the cft section} (validated config)")
    p.add_argument("--out-csv", required=True)
    p.add_argument("--out-png", required=True)
    p.add_argument("results", nargs="+", help="per-ribbon JSON files of ribbon-stiffness")
    return ap


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    cfg = json.loads(args.config)
    if args.verb == "ribbon-stiffness":
        r = cft_job(args.metal, args.facet, args.T, cfg, args.ribbon, args.out)
        print(f"{args.metal} ({args.facet}) at {T_label(args.T)} K: solid={r['solid']}, "
              f"fluctuating={r['fluctuating']}, stiffness={r['stiffness_J_m2']} J/m^2, exponent={r['exponent']:.2f}, "
              f"signal/floor={r['signal_to_floor']:.2f}", flush=True)
    elif args.verb == "stiffness-table":
        df = gather_stiffness(args.results, args.out_csv, args.out_png, cfg)
        print(df[STIFFNESS_COLUMNS + ["solid"]].to_string(index=False), flush=True)


if __name__ == "__main__":
    main()
