"""Summarise a relax_paths benchmark from its jobs' logs, finished or not.

    python benchmarks/relax_paths_logs.py --system Li-110__LiF-100 [--work work/bench_relax_paths]

For every arm and configuration under ``<work>/<system>/<arm>/<config>/work``: the BFGS log (free energy
and fmax per ionic step, with the clock time) and the GPAW log (SCF iterations and seconds of every SCF
loop), plus result.json when the job finished. A job stopped before fmax was reached is reported as such
(``finished`` false) with where it stood. Writes ``benchmarks/results/relax_paths_<system>_logs.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from anodeflow.dft.gpawlog import gpaw_log_stats  # noqa: E402


def bfgs_rows(path: Path) -> list[dict]:
    rows = []
    if path.exists():
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) == 5 and parts[0].endswith(":") and parts[1].isdigit():
                rows.append(
                    {
                        "step": int(parts[1]),
                        "clock": parts[2],
                        "free_energy_eV": float(parts[3]),
                        "fmax": float(parts[4]),
                    }
                )
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--system", required=True)
    ap.add_argument("--work", default=str(ROOT / "work" / "bench_relax_paths"))
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    base = Path(args.work) / args.system
    jobs = []
    for arm_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        for conf_dir in sorted(p for p in arm_dir.iterdir() if p.is_dir()):
            work = conf_dir / "work"
            rows = bfgs_rows(work / "opt.log")
            g = gpaw_log_stats(work / "gpaw.txt")
            res = json.loads((conf_dir / "result.json").read_text()) if (conf_dir / "result.json").exists() else None
            jobs.append(
                {
                    "arm": arm_dir.name,
                    "config_id": conf_dir.name,
                    "finished": res is not None,
                    "converged": res["converged"] if res else False,
                    "steps": rows[-1]["step"] if rows else 0,
                    "bfgs": rows,
                    "first_free_energy_eV": rows[0]["free_energy_eV"] if rows else None,
                    "last_free_energy_eV": rows[-1]["free_energy_eV"] if rows else None,
                    "last_fmax": rows[-1]["fmax"] if rows else None,
                    "energy_eV": res["energy_eV"] if res else None,
                    "cpu_s_rank0": res.get("cpu_s_rank0") if res else None,
                    "precon": res.get("precon") if res else None,
                    "scf_iterations": g.get("scf_iterations"),
                    "scf_seconds_total": g.get("scf_seconds_total"),
                    "n_scf_iterations": g.get("n_scf_iterations"),
                }
            )
    doc = {
        "benchmark": "relaxation paths, from the jobs' logs",
        "system": args.system,
        "machine": {"node": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "jobs": jobs,
    }
    out = Path(args.out or ROOT / "benchmarks" / "results" / f"relax_paths_{args.system}_logs.json")
    out.write_text(json.dumps(doc, indent=1) + "\n")
    for j in jobs:
        print(
            f"{j['arm']:7s} {j['config_id']:10s} finished {j['finished']!s:5s} steps {j['steps']:3d} "
            f"SCF it {j['n_scf_iterations']} ({j['scf_seconds_total']:.0f} s of SCF) "
            f"free E {j['first_free_energy_eV']} -> {j['last_free_energy_eV']} fmax {j['last_fmax']}"
        )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
