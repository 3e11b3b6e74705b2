"""Start a DFT job under the configured MPI launcher:  python -m anodeflow.launch NTASKS -- CMD ...

The launcher template (config ``dft.launcher``, e.g. ``mpiexec -n {ntasks}`` or the SLURM profile's
``srun ...``) reaches the job through the environment variable ``ANODEFLOW_DFT_LAUNCHER``, which the
Snakefile sets from the validated config, and not through a rule's params: the launcher and the rank
count are how a job is executed, not what it computes, so switching between a laptop and
``--profile slurm`` (or changing the ranks) must not rerun finished calculations. Snakemake reruns a
job when its params change; it does not track the environment.
"""
from __future__ import annotations

import os
import shlex
import sys

ENV = "ANODEFLOW_DFT_LAUNCHER"


def command(ntasks: int, cmd: list[str], template: str | None = None) -> list[str]:
    """The full argv: the launcher template with {ntasks} filled in, then ``cmd``."""
    template = os.environ.get(ENV, "") if template is None else template
    return [*shlex.split(template.format(ntasks=int(ntasks))), *cmd]


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 3 or argv[1] != "--":
        sys.exit("usage: python -m anodeflow.launch NTASKS -- CMD [ARGS ...]")
    full = command(int(argv[0]), argv[2:])
    sys.stdout.flush()
    os.execvp(full[0], full)


if __name__ == "__main__":
    main()
