"""Fit the DFT cost model (anodeflow.dft.cost) to finished relax jobs and write it where the plan reads it.

    python benchmarks/fit_cost_model.py [--hold-out LABEL] [result.json globs ...]

Reads every result.json given (default: results/dft/*/*/result.json and the relax_paths benchmark's
work/bench_relax_paths/*/*/*/result.json), keeps those with GPAW statistics, fits the per-iteration
cost law on all but ``--hold-out`` (a job label system/config_id, or a system, kept out to test the
model on a job it was not fitted on), takes the iterations and steps per relaxation path and kind of
system from the relax_paths benchmark records, and writes

* ``resources/dft_cost_model.json`` (the model, the labels it was fitted on, the held-out ones);
* ``benchmarks/results/dft_cost_jobs.jsonl`` (one record per job: size, core-s per iteration, fitted or held out).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from anodeflow.dft import cost  # noqa: E402

DEFAULT_GLOBS = [
    "results/dft/*/*/result.json",
    "work/bench_relax_paths/*/*/*/result.json",
    "work/bench_cost_calibration/*/*/result.json",
]


def kind_of(rec: dict) -> str:
    return "interface" if "__" in rec["label"].split("/")[0] else "isolated"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("globs", nargs="*", default=DEFAULT_GLOBS)
    ap.add_argument("--hold-out", nargs="*", default=[], help="job labels or systems not fitted on")
    ap.add_argument(
        "--timing",
        choices=["cpu", "any"],
        default="cpu",
        help="fit only jobs that recorded their CPU time (load-independent), or every job",
    )
    ap.add_argument("--beef-factor", type=float, default=2.5)
    ap.add_argument("--iterations-from", default=str(ROOT / "benchmarks/results/relax_paths_Li-110__LiF-100.json"))
    ap.add_argument("--model", default=str(ROOT / "resources/dft_cost_model.json"))
    ap.add_argument("--jobs-out", default=str(ROOT / "benchmarks/results/dft_cost_jobs.jsonl"))
    args = ap.parse_args()
    recs = []
    for pattern in args.globs:
        for path in sorted(glob.glob(str(ROOT / pattern))):
            r = cost.job_record(json.loads(Path(path).read_text()))
            if r:
                r["source"] = str(Path(path).relative_to(ROOT))
                recs.append(r)
    held = [r for r in recs if r["label"] in args.hold_out or r["label"].split("/")[0] in args.hold_out]
    usable = [r for r in recs if r not in held and (args.timing == "any" or r["timing"] == "cpu")]
    a, b = cost.fit_cost_law(usable, args.beef_factor)
    iterations = {}
    if Path(args.iterations_from).exists():
        bench = json.loads(Path(args.iterations_from).read_text())
        system = bench["system"]
        brs = [
            {
                "label": f"{system}/{x['config_id']}",
                "optimizer": x["arm"],
                "steps": x["steps"],
                "first_scf": x["scf_iterations"][0],
                "n_scf_loops": len(x["scf_iterations"]),
                "later_scf": (
                    sum(x["scf_iterations"][1:]) / (len(x["scf_iterations"]) - 1)
                    if len(x["scf_iterations"]) > 1
                    else None
                ),
            }
            for x in bench["records"]
            if x.get("scf_iterations")
        ]
        iterations = cost.iteration_table(brs, kind_of)
    old = json.loads(Path(args.model).read_text()) if Path(args.model).exists() else {}
    for path, kinds in old.get("iterations", {}).items():
        for kind, it in kinds.items():
            iterations.setdefault(path, {}).setdefault(kind, it)
    model = cost.CostModel(
        a,
        b,
        args.beef_factor,
        iterations,
        [r["label"] for r in usable],
        f"fitted {time.strftime('%Y-%m-%d')} on {len(usable)} jobs ({args.timing} timing) on "
        f"{platform.node()} ({os.cpu_count()} cores) by benchmarks/fit_cost_model.py",
    )
    doc = {
        **model.to_dict(),
        "held_out": [r["label"] for r in held],
        "beef_factor_source": "BEEF-vdW ~2.5x the PBE time on bulk Li (shared machine notes); not refitted",
    }
    Path(args.model).write_text(json.dumps(doc, indent=1) + "\n")
    with open(args.jobs_out, "w") as fh:
        for r in recs:
            pred = model.seconds_per_iteration(r["n_kpts"], r["n_bands"], r["n_planewaves"], r["xc"])
            fh.write(
                json.dumps(
                    {
                        **r,
                        "fitted": r in usable,
                        "held_out": r in held,
                        "predicted_core_s_per_iteration": pred,
                        "ratio_predicted_over_measured": pred / r["core_s_per_iteration"],
                    }
                )
                + "\n"
            )
    for r in recs:
        pred = model.seconds_per_iteration(r["n_kpts"], r["n_bands"], r["n_planewaves"], r["xc"])
        tag = "fit " if r in usable else ("held" if r in held else "skip")
        print(
            f"{tag} {r['label']:40s} {r['timing']:4s} Nk {r['n_kpts']:2d} Nb {r['n_bands']:4d} "
            f"Npw {r['n_planewaves']:6d}"
            f"  measured {r['core_s_per_iteration']:7.2f}  predicted {pred:7.2f} core-s/iteration"
        )
    print(f"a = {a:.4g}, b = {b:.4g}; wrote {args.model} and {args.jobs_out}")


if __name__ == "__main__":
    main()
