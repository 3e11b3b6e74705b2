"""Benchmark: wall time of the quick campaign (config/quick.yaml) on this machine, from scratch.

    python benchmarks/quick_campaign.py [--cores 2] [--workdir /tmp/anodeflow-quick]

Runs `snakemake --cores N --configfile config/quick.yaml` in an empty working directory and
writes the wall time, the per-job times (Snakemake benchmark files) and the machine to
benchmarks/results/quick_campaign.json. Also times the dry run and the no-op rerun.
"""

import argparse
import glob
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/: workflow_run, also when imported by path
from workflow_run import ROOT, active_preset, snakemake_run  # noqa: E402

EXTRA_CONFIGS: list[str] = []  # --config-overlay files, applied after config/quick.yaml


def configs() -> list:
    return [ROOT / "config" / "quick.yaml", *EXTRA_CONFIGS]


def snake(wd, cores, *extra):
    return snakemake_run(wd, cores, configs(), *extra)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--workdir", default="/tmp/anodeflow-quick")
    ap.add_argument("--keep", action="store_true", help="reuse the workdir (resume) instead of starting empty")
    ap.add_argument("--targets", nargs="*", default=[], help="only these targets (default: rule all)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "quick_campaign.json"))
    ap.add_argument(
        "--config-overlay",
        nargs="*",
        default=[],
        help="further config files (e.g. potentials.Na.local_dir on a machine without network)",
    )
    args = ap.parse_args()
    EXTRA_CONFIGS.extend(str(Path(c).resolve()) for c in args.config_overlay)
    wd = Path(args.workdir)
    if wd.exists() and not args.keep:
        shutil.rmtree(wd)
    wd.mkdir(parents=True, exist_ok=True)
    load0 = os.getloadavg()
    t_dry, _ = snake(wd, args.cores, *args.targets, "-n")
    t_run, r = snake(wd, args.cores, *args.targets)
    (wd / "run.log").write_text(r.stdout + r.stderr)
    t_noop, r2 = snake(wd, args.cores, *args.targets)
    jobs, cpu = {}, {}
    for f in glob.glob(str(wd / "results" / "benchmarks" / "**" / "*.tsv"), recursive=True):
        head, last = Path(f).read_text().splitlines()[:2]
        row = dict(zip(head.split("\t"), last.split("\t")))
        key = str(Path(f).relative_to(wd / "results" / "benchmarks"))
        jobs[key] = float(row["s"])
        cpu[key] = float(row.get("cpu_time", "nan"))
    res = {
        "benchmark": "quick campaign wall time",
        "returncode": r.returncode,
        "wall_s": t_run,
        "dry_run_s": t_dry,
        "noop_rerun_s": t_noop,
        "noop_says_nothing_to_do": "Nothing to be done" in (r2.stdout + r2.stderr),
        "cores": args.cores,
        "machine": {"node": platform.node(), "cpus": os.cpu_count()},
        "loadavg_at_start": load0,
        "loadavg_at_end": os.getloadavg(),
        "targets": args.targets or ["all"],
        "config_overlays": args.config_overlay,
        "preset": active_preset(configs()),
        "job_seconds": dict(sorted(jobs.items())),
        "sum_job_seconds": sum(jobs.values()),
        "sum_job_cpu_seconds": sum(cpu.values()),
        "idle_estimate_s": sum(cpu.values()) / args.cores,
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    out = Path(args.out)
    out.write_text(json.dumps(res, indent=2))
    print(json.dumps({k: v for k, v in res.items() if k != "job_seconds"}, indent=2))


if __name__ == "__main__":
    main()
