"""Snakemake bookkeeping time of this workflow against a one-rule Snakefile, side by side.

One run times, interleaved (one repeat of each case in turn, so that a change of the machine's load
hits all of them alike), the median of --repeats (>= 3) of:

* ``one_rule_dry_run``: ``snakemake -n`` of a Snakefile with a single rule (the floor: Python,
  Snakemake and its plugins starting up);
* ``reference_dry_run``: ``snakemake -n --cores 64`` of the reference campaign (config/config.yaml)
  from an empty working directory;
* ``noop_rerun``: ``snakemake --cores 2 TARGETS --configfile CONFIG`` in a working directory where
  TARGETS are complete ("Nothing to be done" is checked). By default the benchmark first runs the
  phase-field stage standalone (tests/configs/pf_standalone.yaml, no DFT/MD, ~30 s on 2 cores) to
  completion; ``--finished DIR`` times a campaign finished elsewhere instead (e.g. the quick campaign:
  ``--finished /work/after --finished-config config/quick.yaml``).

Goal (issue 12): both workflow cases within 1.3x of the one-rule dry run. Writes
benchmarks/results/workflow_timings_<label>.json and .png (with the machine, the load average around
every run, and the source tree measured). Usage:

    source scripts/env.sh
    python benchmarks/workflow_timings.py --label after                 # the working tree
    python benchmarks/workflow_timings.py --label before --tree DIR     # another checkout, e.g. `git archive`
    python benchmarks/workflow_timings.py --label after --compare benchmarks/results/workflow_timings_before.json
    python benchmarks/workflow_timings.py --replot benchmarks/results/workflow_timings_after.json [--compare ...]

The script holds /tmp/anodeflow-bench.lock while it measures (other benchmarks take it too).
Children run with the environment of scripts/env.sh, PYTHONPATH=<tree>/src, and with bytecode caching
on (PYTHONDONTWRITEBYTECODE removed, as for a user); one unmeasured warm-up run per case comes first.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from workflow_sandbox import LINKED  # noqa: E402
from workflow_sandbox import env as sandbox_env

GOAL_RATIO = 1.3
LOCK = Path("/tmp/anodeflow-bench.lock")
PF_CONFIG = "tests/configs/pf_standalone.yaml"
PF_TARGETS = [
    "results/phasefield/Li-liquid/texture.json",
    "results/phasefield/Li-solid/texture.json",
    "results/phasefield/temperature_analysis.csv",
    "results/phasefield/phase_map.csv",
]
ONE_RULE = 'rule all:\n    output:\n        "a.txt",\n    shell:\n        "touch {output}"\n'
CASES = ("one_rule_dry_run", "reference_dry_run", "noop_rerun")


def make_sandbox(tree: Path, path: Path) -> Path:
    """A working directory that looks like the root of `tree` (its sources linked, nothing else)."""
    path.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        (path / name).symlink_to(tree / name)
    if "envs" not in LINKED and (tree / "envs").is_dir():  # conda: files, hashed into job metadata
        (path / "envs").symlink_to(tree / "envs")
    (path / "slurm").symlink_to(tree / "profiles" / "slurm")
    if (tree / "resources" / "coatings").is_dir():  # user structure files (fetched potentials stay here)
        (path / "resources").mkdir()
        (path / "resources" / "coatings").symlink_to(tree / "resources" / "coatings")
    return path


def child_env(tree: Path, bytecode: bool) -> dict:
    e = sandbox_env()
    e["PYTHONPATH"] = str(tree / "src") + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    if bytecode:
        e.pop("PYTHONDONTWRITEBYTECODE", None)
    return e


def run(cwd: Path, args: list[str], env: dict, timeout: float = 1800) -> dict:
    """One snakemake invocation: wall and CPU (user + sys of the whole process tree) seconds, output."""
    cmd = [str(Path(sys.executable).parent / "snakemake"), *args]
    load = os.getloadavg()[0]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout
    )
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}) in {cwd}: snakemake {' '.join(args)}\n{proc.stdout[-4000:]}")
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "load1": round(load, 2), "out": proc.stdout}


def total_jobs(out: str) -> int:
    n = 0
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "total" and parts[1].isdigit():
            n = int(parts[1])
    return n


def machine() -> dict:
    import snakemake

    info = {
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "snakemake": snakemake.__version__,
    }
    try:
        from importlib.metadata import version

        info["snakemake_executor_plugin_slurm"] = version("snakemake-executor-plugin-slurm")
    except Exception:  # not installed
        info["snakemake_executor_plugin_slurm"] = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()
        info["mem_GB"] = round(int(mem[1]) / 1e6, 1)
    except OSError:
        pass
    # With SLURM's client tools installed, the SLURM executor plugin runs `scontrol show config` at every
    # snakemake start; without a reachable controller that waits ~9 s (docs/cluster.md).
    info["slurm_client"] = {t: shutil.which(t) for t in ("sinfo", "scontrol")}
    return info


def tree_info(tree: Path, note: str | None) -> dict:
    info = {"path": str(tree), "note": note}
    git = ["git", "-C", str(tree)]
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True)
    if (
        head.returncode == 0
        and Path(
            subprocess.run([*git, "rev-parse", "--show-toplevel"], capture_output=True, text=True).stdout.strip()
            or "/nonexistent"
        )
        == tree
    ):
        info["commit"] = head.stdout.strip()
        status = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True).stdout
        info["uncommitted_files"] = len(status.splitlines())
    return info


def figure(record: dict, path: Path, compare: dict | None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = [record] + ([compare] if compare else [])
    labels = {
        "one_rule_dry_run": "one-rule Snakefile\ndry run",
        "reference_dry_run": "reference campaign\ndry run",
        "noop_rerun": "no-op rerun of a\nfinished campaign",
    }
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    width = 0.8 / len(runs)
    order = [compare, record] if compare else [record]
    for k, rec in enumerate(order):
        for i, case in enumerate(CASES):
            c = rec["cases"].get(case)
            if not c:
                continue
            x = i - 0.4 + width * (k + 0.5)
            faded = compare is not None and rec is compare
            ax.bar(
                x,
                c["median_wall_s"],
                width * 0.9,
                color="C0" if i == 0 else "C1",
                alpha=0.35 if faded else 0.9,
                label=None,
            )
            ax.plot([x] * len(c["wall_s"]), c["wall_s"], "k.", ms=4)
            ax.bar(x, c["median_cpu_s"], width * 0.9, fill=False, hatch="//", edgecolor="0.3", lw=0)
            txt = f"{c['median_wall_s']:.2f} s"
            if case != "one_rule_dry_run":
                txt += f"\n{c['ratio_to_one_rule']:.2f}x"
            ax.text(
                x,
                max(c["wall_s"]) * 1.02,
                txt + (f"\n({rec['label']})" if compare else ""),
                ha="center",
                va="bottom",
                fontsize=7.5,
            )
    floor = record["cases"]["one_rule_dry_run"]["median_wall_s"]
    ax.axhline(GOAL_RATIO * floor, ls="--", color="C2", lw=1)
    ax.text(-0.45, GOAL_RATIO * floor, f"goal: {GOAL_RATIO}x one-rule", color="C2", ha="left", va="bottom", fontsize=8)
    ax.set_xticks(range(len(CASES)), [labels[c] for c in CASES])
    ax.set_ylabel("wall time, s (median; dots: repeats; hatched: CPU)")
    ld = record["load1_range"]
    ax.set_title(
        f"Snakemake bookkeeping, {record['label']}: {record['machine']['cpus']} cores, "
        f"1-min load {ld[0]:.1f}-{ld[1]:.1f}",
        fontsize=9,
    )
    ax.set_ylim(0, max(max(c["wall_s"]) for r in runs for c in r["cases"].values()) * 1.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--label", default="current", help="names the outputs: workflow_timings_<label>.json/.png")
    ap.add_argument("--tree", type=Path, default=ROOT, help="source tree to measure (default: this checkout)")
    ap.add_argument("--note", help="free text stored with the tree (e.g. which commit an archive is)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument(
        "--finished",
        type=Path,
        help="working directory of a finished campaign (instead of running the phase-field stage standalone)",
    )
    ap.add_argument(
        "--finished-config",
        nargs="*",
        default=[],
        help="config overlays the campaign in --finished ran with (relative to that directory)",
    )
    ap.add_argument("--finished-targets", nargs="*", default=[], help="targets of --finished (default: all)")
    ap.add_argument("--no-bytecode-cache", action="store_true", help="keep PYTHONDONTWRITEBYTECODE if set")
    ap.add_argument("--compare", type=Path, help="an earlier JSON of this script, drawn beside this run")
    ap.add_argument("--outdir", type=Path, default=ROOT / "benchmarks" / "results")
    ap.add_argument("--replot", type=Path, help="only redraw the figure of this JSON (with --compare), no runs")
    args = ap.parse_args(argv)
    if args.replot:
        record = json.loads(args.replot.read_text())
        figure(record, args.replot.with_suffix(".png"), json.loads(args.compare.read_text()) if args.compare else None)
        return record
    if args.repeats < 3:
        ap.error("--repeats must be >= 3 (medians of at least 3)")
    tree = args.tree.resolve()
    env = child_env(tree, bytecode=not args.no_bytecode_cache)

    LOCK.touch(exist_ok=True)
    lock = open(LOCK)
    t_lock = time.perf_counter()
    fcntl.flock(lock, fcntl.LOCK_EX)
    waited = time.perf_counter() - t_lock

    with tempfile.TemporaryDirectory(prefix="af-timings-") as tmp:
        tmp = Path(tmp)
        one = tmp / "one_rule"
        one.mkdir()
        (one / "Snakefile").write_text(ONE_RULE)
        ref = make_sandbox(tree, tmp / "reference")
        if args.finished:
            done = args.finished.resolve()
            cfgs = args.finished_config or []  # as given: snakemake reads them relative to DIR
            targets = args.finished_targets
            prepared = {"finished": str(done), "how": "given (--finished)"}
        else:
            done = make_sandbox(tree, tmp / "pf_standalone")
            cfgs, targets = [str(tree / PF_CONFIG)], PF_TARGETS
            t0 = time.perf_counter()
            r = run(done, ["--cores", "2", *targets, "--configfile", *cfgs], env)
            prepared = {
                "finished": "a temporary sandbox",
                "how": f"ran {PF_CONFIG} to completion",
                "jobs": total_jobs(r["out"]),
                "wall_s": round(time.perf_counter() - t0, 1),
            }
        prepared["files_under_results"] = sum(1 for p in (done / "results").rglob("*") if p.is_file())
        noop_args = ["--cores", "2", *targets] + (["--configfile", *cfgs] if cfgs else [])
        cases = {
            "one_rule_dry_run": (one, ["-n", "--cores", "1"]),
            "reference_dry_run": (ref, ["-n", "--cores", "64"]),
            "noop_rerun": (done, noop_args),
        }
        samples = {c: [] for c in CASES}
        outs = {}
        for c in CASES:  # warm-up: bytecode, numba and file caches
            outs[c] = run(*cases[c], env)["out"]
        for rep in range(args.repeats):
            order = CASES[rep % 3 :] + CASES[: rep % 3]  # rotate, so no case always follows another
            for c in order:
                s = run(*cases[c], env)
                outs[c] = s.pop("out")
                samples[c].append(s)
        if "Nothing to be done" not in outs["noop_rerun"]:
            raise SystemExit("the no-op rerun had work to do:\n" + outs["noop_rerun"][-3000:])

    floor = statistics.median(s["wall_s"] for s in samples["one_rule_dry_run"])
    record = {
        "what": "wall time of snakemake's bookkeeping (no job runs): one-rule dry run vs this workflow",
        "label": args.label,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(),
        "tree": tree_info(tree, args.note),
        "bytecode_cache": not args.no_bytecode_cache or "PYTHONDONTWRITEBYTECODE" not in os.environ,
        "repeats": args.repeats,
        "waited_for_lock_s": round(waited, 1),
        "goal": f"reference_dry_run and noop_rerun median wall <= {GOAL_RATIO} x one_rule_dry_run",
        "noop_campaign": prepared,
        "cases": {},
    }
    loads = []
    for c in CASES:
        walls = [s["wall_s"] for s in samples[c]]
        cpus = [s["cpu_s"] for s in samples[c]]
        loads += [s["load1"] for s in samples[c]]
        med = statistics.median(walls)
        record["cases"][c] = {
            "command": "snakemake " + " ".join(cases[c][1]),
            "wall_s": walls,
            "median_wall_s": med,
            "cpu_s": cpus,
            "median_cpu_s": statistics.median(cpus),
            "load1_at_start": [s["load1"] for s in samples[c]],
            "jobs": total_jobs(outs[c]),
            "nothing_to_be_done": "Nothing to be done" in outs[c],
            "ratio_to_one_rule": round(med / floor, 2),
            "cpu_ratio_to_one_rule": round(
                statistics.median(cpus) / statistics.median(s["cpu_s"] for s in samples["one_rule_dry_run"]), 2
            ),
        }
    record["load1_range"] = [min(loads), max(loads)]
    record["goal_met"] = all(
        record["cases"][c]["ratio_to_one_rule"] <= GOAL_RATIO for c in ("reference_dry_run", "noop_rerun")
    )
    compare = json.loads(args.compare.read_text()) if args.compare else None
    if compare:
        record["compared_with"] = {
            "file": str(args.compare),
            "label": compare["label"],
            "median_wall_s": {c: v["median_wall_s"] for c, v in compare["cases"].items()},
            "ratio_to_one_rule": {c: v["ratio_to_one_rule"] for c, v in compare["cases"].items()},
        }
    args.outdir.mkdir(parents=True, exist_ok=True)
    out = args.outdir / f"workflow_timings_{args.label}.json"
    out.write_text(json.dumps(record, indent=2) + "\n")
    figure(record, out.with_suffix(".png"), compare)
    for c, v in record["cases"].items():
        print(
            f"{c:18s} median {v['median_wall_s']:6.2f} s wall ({v['ratio_to_one_rule']:.2f}x one-rule), "
            f"{v['median_cpu_s']:5.2f} s CPU ({v['cpu_ratio_to_one_rule']:.2f}x), {v['jobs']} jobs, "
            f"walls {v['wall_s']}"
        )
    print(
        f"1-min load {record['load1_range']}; goal met: {record['goal_met']}; wrote {out} and {out.with_suffix('.png')}"
    )
    return record


if __name__ == "__main__":
    main()
