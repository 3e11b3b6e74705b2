"""Benchmark: how far one ribbon's trajectory carries a last-bit change of its lattice constant.

    python benchmarks/ribbon_ulp.py --results /tmp/quick-head/results --metal Li --facet 110 --T 455 \
        --ulp -2 --configfile config/quick.yaml OVERLAY.yaml --out benchmarks/results/ribbon_ulp_Li110_455K.json

Runs the workflow's ribbon job (``anodeflow.md.jobs.ribbon_job``) for one (metal, facet, b, T) twice from
the same campaign's ``thermal_expansion.csv``: once as stored, once with a(T) moved by ``--ulp`` units in
the last place (``numpy.nextafter``), both starts for the shifted arm and the rough start for the stored
one. Then checks (1) that the stored arm reproduces the campaign's own ribbon file bit for bit (LAMMPS is
deterministic here: one rank, one thread), (2) when the two arms' height profiles part (first sample with
max |Δh| above 1e-6, 1e-3, 0.1 and 1 Å), and (3) the shifted arm's analysis (the cft ribbon-stiffness job
against the campaign's liquid_msd.csv): its τ₁, status and interior MSD, to compare with an older stored
row. Runs that exist in ``--work`` are reused. Writes one JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from anodeflow import config as afc  # noqa: E402
from anodeflow.md import jobs as mdjobs  # noqa: E402
from anodeflow.md import settings as mdset  # noqa: E402


def shifted_table(csv: Path, T: float, ulp: int, out: Path) -> float:
    """The expansion table with a(T) moved by ``ulp`` units in the last place; returns the new a."""
    df = pd.read_csv(csv)
    i = df.index[df.T_K == T][0]
    a = float(df.loc[i, "a_A"])
    for _ in range(abs(ulp)):
        a = float(np.nextafter(a, np.inf if ulp > 0 else -np.inf))
    df.loc[i, "a_A"] = a
    df.to_csv(out, index=False, float_format="%.17g")
    return a


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", required=True, type=Path, help="a campaign's results/ (expansion, liquid, ribbons)")
    ap.add_argument("--metal", default="Li")
    ap.add_argument("--facet", default="110")
    ap.add_argument("--T", type=float, default=455.0)
    ap.add_argument("--b", type=int, default=2)
    ap.add_argument("--ulp", type=int, default=-2)
    ap.add_argument("--configfile", nargs="*", default=[])
    ap.add_argument("--work", type=Path, default=ROOT / "work" / "bench_ribbon_ulp")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    cfg = afc.load(ROOT / "config" / "config.yaml", *args.configfile)
    m, f, T, b = args.metal, args.facet, args.T, args.b
    tag = f"{f}_b{b}_{T:g}K"
    args.work.mkdir(parents=True, exist_ok=True)
    exp_csv = args.results / "md" / m / "thermal_expansion.csv"
    t0 = time.time()
    arms = {}
    for d, starts in ((0, ["rough"]), (args.ulp, ["rough", "flat"])):
        table = args.work / f"expansion_ulp{d}.csv"
        a = shifted_table(exp_csv, T, d, table)
        arms[d] = {"a_A": a, "npz": {}}
        for s in starts:
            npz = args.work / f"{tag}_{s}_ulp{d}.npz"
            if not npz.exists():
                mdjobs.ribbon_job(m, f, T, cfg, table, npz, args.work / f"run_{tag}_{s}_ulp{d}", b=b, start=s)
            arms[d]["npz"][s] = npz
    same, stored = np.load(arms[0]["npz"]["rough"]), np.load(args.results / "md" / m / "ribbons" / f"{tag}_rough.npz")
    bitwise = {k: bool(np.array_equal(same[k], stored[k])) for k in ("h_top", "h_bot", "msd_interior_A2", "T")}
    moved = np.load(arms[args.ulp]["npz"]["rough"])
    dh = np.maximum(
        np.abs(same["h_top"] - moved["h_top"]).max(axis=1), np.abs(same["h_bot"] - moved["h_bot"]).max(axis=1)
    )
    t = np.arange(len(dh)) * float(same["sample_ps"])
    parted = {f"{thr:g}": (float(t[np.argmax(dh > thr)]) if dh.max() > thr else None) for thr in (1e-6, 1e-3, 0.1, 1.0)}
    row = args.work / f"row_{tag}_ulp{args.ulp}.json"
    conf = json.dumps(mdset.job_config(cfg, "stiffness", m), sort_keys=True)
    argv = [sys.executable, "-m", "anodeflow.cft.jobs", "ribbon-stiffness", "--metal", m, "--facet", f, "--T", f"{T:g}"]
    argv += ["--b", str(b), "--config", conf, "--flat", str(arms[args.ulp]["npz"]["flat"])]
    argv += [
        "--rough",
        str(arms[args.ulp]["npz"]["rough"]),
        "--liquid",
        str(args.results / "md" / m / "liquid_msd.csv"),
    ]
    subprocess.run([*argv, "--out", str(row)], check=True, capture_output=True, cwd=ROOT)
    r = json.loads(row.read_text())
    doc = {
        "benchmark": "ribbon trajectory against a last-bit change of a(T)",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": {"node": platform.node(), "cpus": os.cpu_count(), "loadavg": os.getloadavg()},
        "configfiles": args.configfile,
        "campaign_results": str(args.results),
        "state_point": {"metal": m, "facet": f, "T_K": T, "b_spacings": b},
        "a_A": {"stored": arms[0]["a_A"], "shifted": arms[args.ulp]["a_A"], "ulp": args.ulp},
        "stored_arm_bitwise_equal_to_campaign": bitwise,
        "profiles_part_at_ps": parted,
        "max_height_difference_A": float(dh.max()),
        "shifted_arm_analysis": {
            "status": r["status"],
            "tau1_ps": r["tau1_ps"],
            "needed_ps": r["needed_ps"],
            "msd_interior_max_A2": {s: r["per_start"][s]["msd_interior_max_A2"] for s in ("flat", "rough")},
            "msd_rate_over_liquid": {s: r["per_start"][s]["msd_rate_over_liquid"] for s in ("flat", "rough")},
        },
        "elapsed_s": time.time() - t0,
    }
    args.out.write_text(json.dumps(doc, indent=1))
    print(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
