"""One SCF on 1 and on 2 MPI ranks (GPAW's k-point parallelisation), paired: the per-iteration times.

The arms are ``benchmarks/scf_mixer.py`` (the workflow's calculator, GPAW's default mixer) started through the
workflow's launcher, timed in turn by ``farm-bench`` (A = 2 ranks, B = 1 rank, A B A B):

    source scripts/env.sh; export ANODEFLOW_DFT_LAUNCHER="mpiexec -n {ntasks}"
    S=work/bench_relax_paths_validation/Na-100/precon/pristine/final.extxyz
    farm-bench -n 2 --warmup 0 --timeout 1500 \
      --vs "sh -c 'exec python -m anodeflow.launch 1 -- python benchmarks/scf_mixer.py --structure $S --tag r1 \
            --outdir /tmp/scal >>/tmp/scal/r1.out 2>&1'" \
      -- sh -c "exec python -m anodeflow.launch 2 -- python benchmarks/scf_mixer.py --structure $S --tag r2 \
            --outdir /tmp/scal >>/tmp/scal/r2.out 2>&1" > benchmarks/results/rank_scaling/NAME_farm-bench.txt

This script then reads the GPAW logs of the last run of each arm (``TAG.txt``: the SCF's wall-clock stamps, the
parallel layout, the irreducible k-points) and the arms' JSON lines, and writes one JSON:

    python benchmarks/rank_scaling.py --logdir /tmp/scal --name Na-100_validation
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "rank_scaling"


def scf_log(path: Path) -> dict:
    """Start, iteration stamps and parallel layout of one GPAW text log."""
    text = path.read_text()
    start = datetime.strptime(re.search(r"^Date:\s+(.+)$", text, re.M).group(1).strip(), "%a %b %d %H:%M:%S %Y")
    stamps = [datetime.strptime(t, "%H:%M:%S").time() for t in re.findall(r"^\|iter:\s*\d+\|\s*(\S+)", text, re.M)]
    secs = [(datetime.combine(start.date(), t) - start).total_seconds() for t in stamps]
    layout = dict(re.findall(r"^\s+(kpt|domain|band):\s+(\d+)", text, re.M))
    nk = len(re.findall(r"^\|\s*\d+\s*\|\s*\(", text, re.M))
    steps = [b - a for a, b in zip(secs, secs[1:])]
    return {
        "log": str(path),
        "iterations": len(secs),
        "irreducible_kpoints": nk,
        "layout": {k: int(v) for k, v in layout.items()},
        "to_first_iteration_s": secs[0] if secs else None,
        "per_iteration_s_median": statistics.median(steps) if steps else None,
        "scf_wall_s": secs[-1] if secs else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--logdir", required=True, help="the folder holding r1.txt, r2.txt, r1.out, r2.out")
    ap.add_argument("--name", required=True, help="name of the result (NAME.json in benchmarks/results/rank_scaling)")
    a = ap.parse_args()
    d = Path(a.logdir)
    arms = {}
    for tag in ("r1", "r2"):
        runs = [json.loads(line) for line in (d / f"{tag}.out").read_text().splitlines() if line.startswith("{")]
        arms[tag] = {"runs": runs, "last_run_log": scf_log(d / f"{tag}.txt")}
    one, two = (arms[t]["last_run_log"]["per_iteration_s_median"] for t in ("r1", "r2"))
    out = {
        "what": "one SCF from scratch, 1 vs 2 MPI ranks, GPAW k-point parallelisation, paired by farm-bench",
        "farm_bench": f"{a.name}_farm-bench.txt",
        "arms": arms,
        "per_iteration_speedup_2_ranks": one / two,
        "per_iteration_efficiency_2_ranks": one / two / 2,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{a.name}.json").write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps({k: out[k] for k in ("per_iteration_speedup_2_ranks", "per_iteration_efficiency_2_ranks")}))


if __name__ == "__main__":
    main()
