"""How many MPI ranks a GPAW slab job can use on this GPAW build.

GPAW 26.7 in plane-wave mode parallelises over k-points first; ranks beyond the number of irreducible
k-points go to domain (or band) decomposition, whose subspace diagonalisation needs ScaLAPACK. A GPAW
built without it (the pip wheel built on Debian's libxc/OpenBLAS, this project's tested install) stops
in ``gpaw/core/matrix.py`` (``assert c == 1``) on the first SCF step of such a job. Measured here: a
Γ-only 3x3x3 Li(100) slab on two ranks fails with PPCG, Davidson and RMM-DIIS alike, and CG refuses
domain parallelisation in PW mode.

So a slab relaxation asks for ``min(ntasks, irreducible k-points)`` ranks when GPAW lacks ScaLAPACK
(``anodeflow.launch`` applies it and says so in the job's log); with ScaLAPACK every rank is used. The
k-point count comes from the same grid as the calculator (:func:`calculators.kpoint_grid`) reduced by
time reversal only, as the slab calculators are (point-group symmetry off).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .calculators import kpoint_grid

# commands of anodeflow.dft.jobs that run a slab calculator (bulk jobs have tens of k-points)
SLAB_COMMANDS = ("relax",)


def irreducible_slab_kpoints(cell, density: float) -> int:
    """Irreducible k-points of the Γ-centred slab grid N1 x N2 x 1 under time reversal (k ~ -k):
    (N1 N2 + T) / 2, T the time-reversal-invariant points (0 always, and 1/2 along an even N_i)."""
    n1, n2, _ = kpoint_grid(cell, density, slab=True)
    trim = (1 + (n1 % 2 == 0)) * (1 + (n2 % 2 == 0))
    return (n1 * n2 + trim) // 2


def gpaw_has_scalapack() -> bool:
    """Whether this GPAW was compiled with ScaLAPACK, asked in a separate process with no MPI launcher
    variables (importing GPAW initialises MPI; the launcher itself must not). Unknown counts as no."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "PMI_", "PMIX_", "HYDRA_"))}
    env["GPAW_MPI_BACKEND"] = "cgpaw"
    try:
        out = subprocess.run(
            [sys.executable, "-c", "from gpaw.utilities import compiled_with_sl as c; print(int(c()))"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and out.stdout.strip().endswith("1")


def _option(cmd: list[str], name: str) -> str | None:
    return cmd[cmd.index(name) + 1] if name in cmd and cmd.index(name) + 1 < len(cmd) else None


def usable_ranks(cmd: list[str], ntasks: int, scalapack: bool | None = None) -> tuple[int, str | None]:
    """(ranks, reason) for the DFT job ``cmd`` started on ``ntasks`` ranks; reason is None when all are used.
    Only ``python -m anodeflow.dft.jobs relax ...`` (a slab) is capped; anything else keeps ``ntasks``."""
    if ntasks <= 1 or "anodeflow.dft.jobs" not in cmd:
        return ntasks, None
    i = cmd.index("anodeflow.dft.jobs")
    if i + 1 >= len(cmd) or cmd[i + 1] not in SLAB_COMMANDS:
        return ntasks, None
    spec, structure = _option(cmd, "--spec"), _option(cmd, "--structure")
    if spec is None or structure is None or not os.path.exists(structure):
        return ntasks, None
    from ase.io import read

    density = float(json.loads(spec)["preset"]["kpt_density"])
    nk = irreducible_slab_kpoints(read(structure, format="extxyz").cell, density)
    if nk >= ntasks:
        return ntasks, None
    if scalapack is None:
        scalapack = gpaw_has_scalapack()
    if scalapack:
        return ntasks, None
    return nk, (
        f"{nk} irreducible k-point(s) for {ntasks} ranks and GPAW without ScaLAPACK (domain "
        f"decomposition would stop in gpaw/core/matrix.py): running on {nk} rank(s)"
    )


def with_ranks(cmd: list[str], ntasks: int) -> list[str]:
    """``cmd`` with its ``--ntasks`` value replaced by ``ntasks`` (the job checks GPAW's world against it)."""
    out = list(cmd)
    if "--ntasks" in out:
        out[out.index("--ntasks") + 1] = str(int(ntasks))
    return out
