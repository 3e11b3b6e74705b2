"""Wall time of Snakemake's bookkeeping: dry runs of the reference and quick campaigns (from an empty tree),
and no-op reruns of a completed campaign. Writes benchmarks/workflow_timings.json.

    source scripts/env.sh
    flock /tmp/anodeflow-bench.lock python benchmarks/workflow_timings.py \
        [--completed SANDBOX --completed-config CONFIG --completed-target TARGET]

SANDBOX is a working directory (see tests/workflow_sandbox.py) where TARGET was run to completion with
CONFIG, e.g. the sandbox of tests/test_reruns.py. Without it only the dry runs are timed.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from workflow_sandbox import job_counts, make_sandbox, snakemake  # noqa: E402


def timed(sandbox: Path, args: list[str], repeats: int) -> dict:
    walls, cpus, out = [], [], ""
    for _ in range(repeats):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = snakemake(sandbox, *args, timeout=1800)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        walls.append(round(proc.wall_s, 2))
        # CPU time of snakemake (user + sys): what the wall time approaches on an idle machine
        cpus.append(round(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime, 2))
        out = proc.stdout
    counts = job_counts(out)
    return {"command": "snakemake " + " ".join(args), "wall_s": walls, "median_s": statistics.median(walls),
            "cpu_s": cpus, "median_cpu_s": statistics.median(cpus),
            "jobs": sum(counts.values()), "jobs_per_rule": counts,
            "nothing_to_be_done": "Nothing to be done" in out,
            "loadavg_after": [round(x, 2) for x in os.getloadavg()]}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--completed", type=Path)
    ap.add_argument("--completed-config", nargs="+", default=[])
    ap.add_argument("--completed-target", default="results/tables/critical_temperatures.csv")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "workflow_timings.json")
    a = ap.parse_args(argv)

    import snakemake as smk

    record = {
        "what": "Snakemake bookkeeping time (no computation): dry runs from an empty results/ tree, "
                "and no-op reruns of a completed campaign",
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"host": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version(),
                    "snakemake": smk.__version__},
        "loadavg_before": [round(x, 2) for x in os.getloadavg()],
        "runs": {},
    }
    with tempfile.TemporaryDirectory(prefix="af-bench-") as tmp:
        sb = make_sandbox(Path(tmp) / "repo")
        # The DAG stops at the build_system checkpoints (which configurations a system needs is known only
        # after it is built), so an empty-tree dry run lists bulk + build jobs + the aggregation rules.
        record["runs"]["dry_run_reference"] = timed(sb, ["-n", "--cores", "64"], a.repeats)
        record["runs"]["dry_run_reference_slurm_profile"] = timed(
            sb, ["-n", "--cores", "64", "--profile", "slurm"], a.repeats)
        record["runs"]["dry_run_quick"] = timed(sb, ["-n", "--cores", "2", "--configfile", "config/quick.yaml"],
                                                a.repeats)
    if a.completed:
        args = ["--cores", "2", a.completed_target, "--configfile", *a.completed_config]
        done = a.completed.resolve()
        n_outputs = sum(1 for p in (done / "results").rglob("*") if p.is_file())
        r = timed(done, args, a.repeats)
        r["files_under_results"] = n_outputs
        r["dry_run"] = timed(done, ["-n", *args], a.repeats)
        record["runs"]["noop_rerun_completed"] = r
    record["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    a.out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
