"""Shared by the benchmarks that drive the workflow: run Snakemake on this checkout's Snakefile in a
working directory with given config files, and read the DFT preset those configs make active.

    from workflow_run import snakemake_run, active_preset   # (benchmarks/ is on sys.path when run as a script)
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def snakemake_run(wd: Path | str, cores: int, configs: list, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    """``snakemake -s <ROOT>/Snakefile -d wd --cores cores <args> --configfile <configs>``: (wall seconds,
    the completed process with its output captured)."""
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(ROOT / "Snakefile"),
        "-d",
        str(wd),
        "--cores",
        str(cores),
        *args,
        "--configfile",
        *map(str, configs),
    ]
    t = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True)
    return time.time() - t, r


def active_preset(configs: list) -> dict:
    """The DFT preset the jobs see under config/config.yaml overlaid with ``configs``."""
    sys.path.insert(0, str(ROOT / "src"))
    from anodeflow import config as afc
    from anodeflow import systems as afsystems

    return afsystems.preset(afc.load(ROOT / "config" / "config.yaml", *configs))


def relax_job(spec: dict, structure, out_dir: Path, ranks: int = 1, pristine_result=None) -> tuple[list, dict]:
    """(argv, env) of the workflow's own relax job (``python -m anodeflow.dft.jobs relax``) for a benchmark that
    runs it outside Snakemake: ``spec`` relaxed from ``structure`` on ``ranks`` MPI ranks, writing result.json
    and final.extxyz into ``out_dir`` with its resumable state in ``out_dir/work``; ``pristine_result`` is the
    system's pristine result.json (the preconditioner's stiffness) for a vacancy job."""
    import json
    import os

    argv = [
        sys.executable,
        "-m",
        "anodeflow.launch",
        str(ranks),
        "--",
        sys.executable,
        "-m",
        "anodeflow.dft.jobs",
        "relax",
        "--ntasks",
        str(ranks),
        "--spec",
        json.dumps(spec),
        "--structure",
        str(structure),
        "--out",
        str(out_dir / "result.json"),
        "--final",
        str(out_dir / "final.extxyz"),
        "--workdir",
        str(out_dir / "work"),
    ]
    if pristine_result is not None:
        argv += ["--pristine-result", str(pristine_result)]
    env = dict(os.environ, ANODEFLOW_DFT_LAUNCHER=os.environ.get("ANODEFLOW_DFT_LAUNCHER", "mpiexec -n {ntasks}"))
    return argv, env


def machine(**versions: str) -> dict:
    """The machine a benchmark ran on: host, CPU model, cores, Python, and the given package ``versions``."""
    import os
    import platform

    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    return {
        "host": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        **versions,
    }
