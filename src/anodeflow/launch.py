"""Start a job under the configured MPI launcher:

    python -m anodeflow.launch NTASKS -- CMD ...         (DFT: template from ANODEFLOW_DFT_LAUNCHER)
    python -m anodeflow.launch --md NTASKS -- CMD ...    (MD: template from ANODEFLOW_MD_LAUNCHER)

This is the one place that says how a rule's MPI job starts; rules write only the line above.

The launcher template (config ``dft.launcher`` / ``md.launcher``, e.g. ``mpiexec -n {ntasks}`` or the SLURM
profile's ``srun ...``) reaches the job through an environment variable, which the Snakefile sets from the
validated config, and not through a rule's params: the launcher and the rank count are how a job is
executed, not what it computes, so switching between a laptop and ``--profile slurm`` (or changing the
ranks) must not rerun finished calculations. Snakemake reruns a job when its params change; it does not
track the environment.

A DFT job runs with ``GPAW_MPI_BACKEND=cgpaw``: GPAW then takes its MPI world from the ranks the launcher
started, whatever the launcher (``mpiexec`` or ``srun``), instead of guessing from launcher variables; and
with one BLAS/OpenMP thread per rank (Snakemake sets the thread variables to the job's core count).

A GPAW slab job on more ranks than irreducible k-points runs on fewer ranks when GPAW lacks ScaLAPACK
(``anodeflow.dft.ranks``: GPAW 26.7 cannot domain-decompose without it); the log says so.

An MD job on one rank runs the command directly, without a launcher (LAMMPS needs no MPI runtime for one
process); on more ranks it needs the MD template.
"""

from __future__ import annotations

import os
import shlex
import sys

ENV = "ANODEFLOW_DFT_LAUNCHER"
MD_ENV = "ANODEFLOW_MD_LAUNCHER"
#: environment every DFT job starts with (see the module docstring)
#: and one BLAS/OpenMP thread per rank: Snakemake exports OMP/OPENBLAS/MKL_NUM_THREADS = the job's threads,
#: which oversubscribes the cores the ranks already fill (machine-notes: 12 s pinned vs 37 s unpinned SCF)
DFT_ENV = {
    "GPAW_MPI_BACKEND": "cgpaw",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "GOTO_NUM_THREADS": "1",
}

USAGE = "usage: python -m anodeflow.launch [--md] NTASKS -- CMD [ARGS ...]"


def command(ntasks: int, cmd: list[str], template: str | None = None) -> list[str]:
    """The full argv: the launcher template with {ntasks} filled in, then ``cmd``."""
    template = os.environ.get(ENV, "") if template is None else template
    return [*shlex.split(template.format(ntasks=int(ntasks))), *cmd]


def md_command(ntasks: int, cmd: list[str], template: str | None = None) -> list[str]:
    """The argv of an MD job: ``cmd`` itself on one rank, else under the MD launcher template
    (``template``, default: the environment variable ANODEFLOW_MD_LAUNCHER)."""
    if int(ntasks) <= 1:
        return list(cmd)
    template = os.environ.get(MD_ENV) if template is None else template
    if not template:
        raise ValueError(
            f"an MD job on {int(ntasks)} ranks needs an MPI launcher, but {MD_ENV} is not set "
            "(the Snakefile sets it from config md.launcher, default dft.launcher)"
        )
    return command(ntasks, cmd, template)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    md = bool(argv) and argv[0] == "--md"
    if md:
        argv = argv[1:]
    if len(argv) < 3 or argv[1] != "--" or not argv[0].isdigit():
        sys.exit(USAGE)
    ntasks, cmd = int(argv[0]), argv[2:]
    if not md:
        # a GPAW slab job uses no more ranks than it has k-points when GPAW lacks ScaLAPACK (anodeflow.dft.ranks)
        from .dft.ranks import usable_ranks, with_ranks

        n, reason = usable_ranks(cmd, ntasks)
        if reason:
            print(f"anodeflow.launch: {reason}", flush=True)
            ntasks, cmd = n, with_ranks(cmd, n)
    try:
        full = md_command(ntasks, cmd) if md else command(ntasks, cmd)
    except ValueError as exc:
        sys.exit(f"anodeflow.launch: {exc}")
    if not md:
        os.environ.update(DFT_ENV)
    sys.stdout.flush()
    os.execvp(full[0], full)


if __name__ == "__main__":
    main()
