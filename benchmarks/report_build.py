"""Benchmark: build time and size of the Snakemake HTML report of a finished (tiny) campaign.

Usage (the campaign must have run in SANDBOX with the same config and targets, e.g. the sandbox of
tests/test_report.py or one made with tests/workflow_sandbox.make_sandbox):

    flock /tmp/anodeflow-bench.lock python benchmarks/report_build.py SANDBOX tests/configs/report_tiny.yaml

Writes benchmarks/report_build.json (wall time, report size, entries, machine, load average).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_report import TARGETS, _entries  # noqa: E402
from workflow_sandbox import snakemake  # noqa: E402


def main(sandbox: str, configfile: str) -> dict:
    sb = Path(sandbox)
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    snakemake(sb, "--report", "report_bench.html", *TARGETS, "--configfile", str(Path(configfile).resolve()))
    wall = time.perf_counter() - t0
    html = (sb / "report_bench.html").read_text()
    ent = _entries(html)
    out = {
        "what": "snakemake --report of the tiny report campaign (tests/configs/report_tiny.yaml)",
        "wall_s": round(wall, 2),
        "report_bytes": (sb / "report_bench.html").stat().st_size,
        "entries": len(ent),
        "png": sum(e["mime"] == "image/png" for e in ent),
        "embedded_result_bytes": sum(len(e["data"]) for e in ent),
        "machine": {"node": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
    }
    (ROOT / "benchmarks" / "report_build.json").write_text(json.dumps(out, indent=2) + "\n")
    return out


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:3]), indent=2))
