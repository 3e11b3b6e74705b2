"""One SCF from scratch per system, on one rank, to calibrate the cost law of anodeflow.dft.cost.

    python benchmarks/dft_cost_calibration.py                       # the default set below
    python benchmarks/fit_cost_model.py --hold-out Li-100            # then fit, keeping one system out

Each entry is (config overlays, system): the system is built with the workflow (``snakemake
<its initial.extxyz>`` with those overlays) and its pristine cell runs the workflow's relax job with
``max_steps = 0`` (one SCF, no ionic step) on one rank, one job at a time. The job records its CPU time
and GPAW statistics in ``work/bench_cost_calibration/<label>/pristine/result.json``, which
``fit_cost_model.py`` reads. Sizes span 24-atom slabs to the 45-atom Li(110)/LiF(100) interface and
two cutoffs (200, 250 eV), so the N_b and N_b² terms are both constrained.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from workflow_run import relax_job  # noqa: E402

from anodeflow import config as afc  # noqa: E402
from anodeflow import systems as afsystems  # noqa: E402

ENTRIES = [
    (["config/quick.yaml"], "Li-110"),
    (["config/quick.yaml"], "Na-110"),
    (["config/quick.yaml", "config/quick_interface.yaml"], "Li-110__LiF-100"),
    (["config/validation.yaml"], "Li-100"),
    (["config/validation.yaml"], "Na-100"),
]


def main():
    out = []
    for configs, system in ENTRIES:
        cfg = afc.load(ROOT / "config" / "config.yaml", *[ROOT / c for c in configs])
        label = f"{cfg['precision']}_{system}"
        initial = ROOT / "results" / "interfaces" / system / "initial.extxyz"
        built_for = ROOT / "work" / "bench_cost_calibration" / label / "built_with.json"
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "snakemake",
                "--cores",
                "1",
                str(initial.relative_to(ROOT)),
                "--configfile",
                *configs,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if r.returncode:
            print(r.stdout[-2000:], r.stderr[-2000:])
            raise SystemExit(f"build of {system} failed")
        spec = afsystems.relax_job_spec(cfg, system, "pristine", [])
        spec["preset"]["max_steps"] = 0
        d = ROOT / "work" / "bench_cost_calibration" / label / "pristine"
        d.mkdir(parents=True, exist_ok=True)
        built_for.write_text(json.dumps({"configs": configs}))
        t = time.time()
        argv, env = relax_job(spec, initial, d)
        load0 = os.getloadavg()[0]
        if not (d / "result.json").exists():  # a finished entry is kept (rerun: delete its folder)
            with open(d / "job.log", "w") as log:
                subprocess.run(argv, cwd=ROOT, env=env, check=True, stdout=log, stderr=subprocess.STDOUT)
        res = json.loads((d / "result.json").read_text())
        g = res["gpaw"]
        row = {
            "label": label,
            "system": system,
            "configs": configs,
            "natoms": res["natoms"],
            "n_ibz_kpts": g["n_ibz_kpts"],
            "n_bands": g["n_bands"],
            "n_planewaves": g["n_planewaves"],
            "scf_iterations": g["n_scf_iterations"],
            "cpu_s": res["cpu_s_rank0"],
            "wall_s": time.time() - t,
            "cpu_s_per_iteration": res["cpu_s_rank0"] / g["n_scf_iterations"],
            "loadavg_start": load0,
            "loadavg_end": os.getloadavg()[0],
        }
        print(json.dumps(row), flush=True)
        out.append(row)
    path = ROOT / "benchmarks" / "results" / "dft_cost_calibration.json"
    path.write_text(
        json.dumps({"date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(), "ranks": 1, "rows": out}, indent=1)
        + "\n"
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
