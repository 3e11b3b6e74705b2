"""GPAW's MPI world as a job sees it, and the check that it is what the launcher was asked for."""

from __future__ import annotations

import sys


class _SingleRank:
    size, rank = 1, 0


def world(need_gpaw: bool = False):
    """GPAW's MPI world in GPAW jobs; a single rank in jobs that never import GPAW (plotting, gathering),
    so that they do not initialise MPI inside a scheduler step that gave them no PMI."""
    if need_gpaw or "gpaw.mpi" in sys.modules:  # ASE plugins import the gpaw package, not its MPI
        from gpaw.mpi import world as gpaw_world

        return gpaw_world
    return _SingleRank()


def check_ranks(expected: int) -> int:
    """GPAW's MPI world size, refused unless it is the rank count the launcher was asked for
    (``python -m anodeflow.launch N -- ... --ntasks N``)."""
    size = world(need_gpaw=True).size
    if size != expected:
        raise RuntimeError(
            f"GPAW runs on {size} MPI ranks but {expected} were asked for: check the launcher "
            "(config dft.launcher) and that the job runs under python -m anodeflow.launch"
        )
    return size
