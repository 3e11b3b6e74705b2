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
