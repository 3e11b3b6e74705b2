"""A throw-away working directory that looks like the repository root to Snakemake.

Tests that run the real workflow (SLURM, resume, reruns) must not write into the shared results/, work/
and .snakemake/ of the checkout. The sandbox links the workflow's sources (Snakefile, workflow/, config/,
profiles/, src/, and the repository-root `slurm` profile link) into a temporary folder; everything the
run creates stays there.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINKED = ("Snakefile", "workflow", "config", "profiles", "src")


def make_sandbox(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        link = path / name
        if not link.exists():
            link.symlink_to(ROOT / name)
    if not (path / "slurm").exists():
        (path / "slurm").symlink_to(ROOT / "profiles" / "slurm")
    # coating structure files users drop in resources/coatings/ (not resources/potentials/: a fetched
    # potential must land in the sandbox, never in the checkout)
    (path / "resources").mkdir(exist_ok=True)
    if not (path / "resources" / "coatings").exists():
        (path / "resources" / "coatings").symlink_to(ROOT / "resources" / "coatings")
    return path


def local_potentials_overlay(folder: Path) -> str:
    """A config overlay (written into ``folder``) taking Na_v2.eam.fs from the shared read-only copy
    by absolute path, for runs whose working directory is not the project root."""
    overlay = Path(folder) / "local_potentials.yaml"
    shared = (ROOT / ".." / "shared" / "potentials").resolve()
    overlay.write_text(f"potentials:\n  Na:\n    local_dir: {shared}\n")
    return str(overlay)


def env() -> dict:
    """The environment scripts/env.sh sets (the venv's bin first, one BLAS/OpenMP thread per rank)."""
    e = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    e["PATH"] = venv_bin + os.pathsep + e.get("PATH", "")
    e["VIRTUAL_ENV"] = str(Path(sys.executable).parent.parent)
    lib = str(Path(sys.executable).parent.parent / "lib")
    e["LD_LIBRARY_PATH"] = lib + (os.pathsep + e["LD_LIBRARY_PATH"] if e.get("LD_LIBRARY_PATH") else "")
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        e.setdefault(k, "1")
    e["MPLBACKEND"] = "Agg"
    return e


def snakemake(sandbox: Path, *args: str, timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess:
    """Run `snakemake args...` in the sandbox; stdout+stderr together in .stdout, wall time in .wall_s."""
    cmd = [str(Path(sys.executable).parent / "snakemake"), *args]
    t0 = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=sandbox, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout
    )
    proc.wall_s = time.perf_counter() - t0
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-6000:]}")
    return proc


def jobs_run(output: str) -> list[str]:
    """Rule names of the jobs a (non-dry) snakemake run started, in order."""
    return re.findall(r"^\s*(?:local)?(?:rule|checkpoint) (\w+):\s*$", output, flags=re.M)


def jobs_with_wildcards(output: str) -> list[tuple[str, dict[str, str]]]:
    """(rule name, wildcards) of every job a (non-dry) snakemake run started, in order."""
    blocks = re.split(r"^\s*(?:local)?(?:rule|checkpoint) (\w+):\s*$", output, flags=re.M)
    out = []
    for name, body in zip(blocks[1::2], blocks[2::2]):
        m = re.search(r"^\s*wildcards: (.*)$", body.split("\n\n")[0], flags=re.M)
        pairs = [kv.split("=", 1) for kv in m.group(1).split(", ")] if m else []
        out.append((name, {k.strip(): v.strip() for k, v in pairs}))
    return out


def summary(output: str) -> dict[str, dict[str, str]]:
    """``snakemake --summary`` as output file -> {date, rule, log-file(s), status, plan}."""
    rows = [line.split("\t") for line in output.splitlines() if line.count("\t") >= 5]
    if not rows or rows[0][0] != "output_file":
        raise ValueError("no --summary table in the output:\n" + output[-3000:])
    head = rows[0]
    return {r[0]: dict(zip(head[1:], r[1:])) for r in rows[1:]}


def job_counts(output: str) -> dict[str, int]:
    """The 'Job stats' table of a snakemake run (rule -> count), without the total."""
    counts = {}
    m = re.search(r"Job stats:\n(.*?)\n\n", output + "\n\n", flags=re.S)
    if not m:
        return counts
    for line in m.group(1).splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and parts[0] != "total":
            counts[parts[0]] = int(parts[1])
    return counts
