"""Validation benchmark: isolated Li(100) and Na(100) (PBE) through the workflow at the `validation`
preset (config/config.yaml: 250 eV, 2.5 A^-1, 3x3 cells of 5 layers with 2 fixed, fmax 0.05 eV/A,
2 MPI ranks), one system after the other, so that each system's wall time is its own.

    python benchmarks/validation_isolated.py [--cores 2] [--workdir /tmp/anodeflow-validation]
    python benchmarks/validation_isolated.py --dry-run        # snakemake -n only: the jobs, no DFT

For each system it runs

    snakemake --cores N --configfile config/validation.yaml results/thermo/<system>/tc.json

(its bulk reference included) in the working directory and records omega_11, omega_12 (eV),
T_c,11, T_c,12 (K), the pairs they rest on, whether every relaxation converged, the cell (atoms,
configurations) and the wall time, with the machine, the load and the preset, into
benchmarks/results/validation_isolated.{csv,json}. Expected cost (docs/machine-notes: the same
45-atom Li(100) cell, 250 eV, 2x2x1, 2 ranks: five relaxations in 25 min): Li-100 ~25-30 min; Na-100
(12.6 A cell, 1-electron Na dataset) ~40-60 min.
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/: workflow_run, also when imported by path
from workflow_run import ROOT, active_preset, snakemake_run  # noqa: E402

CONFIGS = [ROOT / "config" / "validation.yaml"]
SYSTEMS = ["Li-100", "Na-100"]
OUT = ROOT / "benchmarks" / "results" / "validation_isolated"
COLUMNS = [
    "system",
    "returncode",
    "wall_s",
    "omega_11_eV",
    "omega_12_eV",
    "Tc_11_K",
    "Tc_12_K",
    "z_11",
    "z_12",
    "n_pairs_11",
    "n_pairs_12",
    "n_pairs_excluded",
    "all_converged",
    "classification",
    "natoms",
    "n_configurations",
    "repeat",
    "dft_job_s",
    "bulk_job_s",
]


def snake(wd: Path, cores: int, targets: list[str], *extra: str):
    return snakemake_run(wd, cores, CONFIGS, *targets, *extra)


def _job_seconds(wd: Path, pattern: str) -> float:
    total = 0.0
    for f in glob.glob(str(wd / "results" / "benchmarks" / pattern)):
        head, last = Path(f).read_text().splitlines()[:2]
        total += float(dict(zip(head.split("\t"), last.split("\t")))["s"])
    return total


def _read(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def system_row(wd: Path, system: str, wall: float, rc: int) -> dict:
    tc = _read(wd / "results" / "thermo" / system / "tc.json")
    desc = _read(wd / "results" / "interfaces" / system / "descriptors.json")
    conf = _read(wd / "results" / "interfaces" / system / "configurations.json")
    metal = system.split("-")[0]
    return {
        "system": system,
        "returncode": rc,
        "wall_s": round(wall, 1),
        "omega_11_eV": tc.get("mean_omega_11_eV"),
        "omega_12_eV": tc.get("mean_omega_12_eV"),
        "Tc_11_K": tc.get("Tc_11_K"),
        "Tc_12_K": tc.get("Tc_12_K"),
        "z_11": tc.get("z_11"),
        "z_12": tc.get("z_12"),
        "n_pairs_11": tc.get("n_pairs_11"),
        "n_pairs_12": tc.get("n_pairs_12"),
        "n_pairs_excluded": tc.get("n_pairs_excluded"),
        "all_converged": tc.get("all_converged"),
        "classification": tc.get("classification"),
        "natoms": desc.get("natoms"),
        "n_configurations": len(conf.get("configurations", [])) or None,
        "repeat": "x".join(map(str, desc.get("repeat", []))) or None,
        "dft_job_s": round(_job_seconds(wd, f"dft/{system}/*.tsv"), 1),
        "bulk_job_s": round(_job_seconds(wd, f"bulk/{metal}_*.tsv"), 1),
    }


def planned_cells(systems: list[str]) -> dict:
    """The cell each system gets at this preset, from the builder (no DFT): atoms, repeat, k-points and
    the configurations that the checkpoint fans out into relaxations (a dry run cannot list them)."""
    sys.path.insert(0, str(ROOT / "src"))
    from anodeflow import config as afc
    from anodeflow import systems as afsystems
    from anodeflow.dft.calculators import kpoint_grid
    from anodeflow.interfaces.build import build_system

    cfg = afc.load(ROOT / "config" / "config.yaml", *CONFIGS)
    p = afsystems.preset(cfg)
    out = {}
    for s in systems:
        spec = afsystems.build_job_spec(cfg, s)
        m = spec["metal"]
        atoms, desc, enum = build_system(spec, {m: {"a_A": cfg["metals"][m]["a0_A"]}})  # a0, not relaxed
        out[s] = {
            "natoms": len(atoms),
            "repeat": desc["repeat"],
            "area_A2": round(desc["area_A2"], 1),
            "kpts": kpoint_grid(atoms.cell, p["kpt_density"], True),
            "configurations": [c["id"] for c in enum.to_dict()["configurations"]],
        }
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--workdir", default="/tmp/anodeflow-validation")
    ap.add_argument("--systems", nargs="+", default=SYSTEMS)
    ap.add_argument("--dry-run", action="store_true", help="snakemake -n for every system; writes no results")
    ap.add_argument("--out", default=str(OUT), help="output stem: <out>.csv and <out>.json")
    args = ap.parse_args(argv)
    wd = Path(args.workdir)
    wd.mkdir(parents=True, exist_ok=True)
    targets = {s: [f"results/thermo/{s}/tc.json"] for s in args.systems}
    if args.dry_run:
        rc = 0
        cells = planned_cells(args.systems)
        for s in args.systems:
            t, r = snake(wd, args.cores, targets[s], "-n")
            stats = r.stdout.split("Job stats:")[1].split("Reasons:")[0] if "Job stats:" in r.stdout else ""
            jobs = [
                ln
                for ln in stats.splitlines()
                if ln.strip()
                and ln.split()[0]
                in ("bulk_reference", "build_system", "relax_pristine", "relax_vacancy", "vacancy_thermo", "total")
            ]
            print(f"{s}: snakemake -n returned {r.returncode} in {t:.1f} s")
            print("\n".join("  " + ln for ln in jobs) if r.returncode == 0 else r.stdout[-3000:] + r.stderr[-3000:])
            c = cells[s]
            print(
                f"  + after the build_system checkpoint: {len(c['configurations'])} relaxations "
                f"({', '.join(c['configurations'])}) of {c['natoms']} atoms, {c['repeat'][0]}x{c['repeat'][1]} "
                f"cell of {c['area_A2']} A^2, k-points {c['kpts']}"
            )
            rc |= r.returncode
        return rc
    machine = {
        "node": platform.node(),
        "cpus": os.cpu_count(),
        "processor": platform.processor(),
        "python": platform.python_version(),
    }
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    rows, logs = [], {}
    for s in args.systems:
        load0 = os.getloadavg()
        wall, r = snake(wd, args.cores, targets[s])
        (wd / f"validation_{s}.log").write_text(r.stdout + r.stderr)
        row = system_row(wd, s, wall, r.returncode)
        row["loadavg_start"], row["loadavg_end"] = load0[0], os.getloadavg()[0]
        rows.append(row)
        logs[s] = str(wd / f"validation_{s}.log")
        print(json.dumps(row))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_suffix(".csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS + ["loadavg_start", "loadavg_end"])
        w.writeheader()
        w.writerows(rows)
    res = {
        "benchmark": "isolated Li(100), Na(100) at the validation preset",
        "systems": rows,
        "cores": args.cores,
        "machine": machine,
        "preset": active_preset(CONFIGS),
        "configfiles": [str(c.relative_to(ROOT)) for c in CONFIGS],
        "workdir": str(wd),
        "logs": logs,
        "commit": commit,
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    out.with_suffix(".json").write_text(json.dumps(res, indent=2, default=str))
    return max((r["returncode"] for r in rows), default=0)


if __name__ == "__main__":
    sys.exit(main())
