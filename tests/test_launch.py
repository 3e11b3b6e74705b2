"""The DFT and MD launchers are read from the environment (execution, not a rule param)."""

import subprocess
import sys

import pytest

from anodeflow import launch


def _run(*args, **env):
    return subprocess.run(
        [sys.executable, "-m", "anodeflow.launch", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path), **env},
    )


def test_launcher_template_gets_the_rank_count():
    assert launch.command(4, ["python", "-V"], "mpiexec -n {ntasks}") == ["mpiexec", "-n", "4", "python", "-V"]
    assert launch.command(1, ["python", "-V"], "") == ["python", "-V"]
    srun = "srun --ntasks={ntasks} --export=ALL,OMP_NUM_THREADS=1"
    assert launch.command(2, ["x"], srun) == ["srun", "--ntasks=2", "--export=ALL,OMP_NUM_THREADS=1", "x"]


def test_launch_execs_the_command_under_the_environment_template(tmp_path):
    env = {"PATH": "/usr/bin:/bin", launch.ENV: "env ANODEFLOW_RANKS={ntasks}"}
    r = subprocess.run(
        [sys.executable, "-m", "anodeflow.launch", "3", "--", "sh", "-c", "echo $ANODEFLOW_RANKS"],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": ":".join(sys.path)},
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "3"


def test_dft_jobs_start_with_gpaw_told_it_is_under_mpi():
    """GPAW takes its MPI world from the launched ranks only with GPAW_MPI_BACKEND=cgpaw (it does not
    recognise srun's variables): the DFT launch sets it, so no rule has to."""
    r = _run("2", "--", "sh", "-c", "echo $GPAW_MPI_BACKEND", **{launch.ENV: "env"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "cgpaw"


def test_launch_usage_error():
    r = subprocess.run(
        [sys.executable, "-m", "anodeflow.launch", "2"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": ":".join(sys.path)},
    )
    assert r.returncode != 0 and "usage" in r.stderr


def test_md_jobs_on_one_rank_run_without_a_launcher():
    assert launch.md_command(1, ["python", "-V"], "mpiexec -n {ntasks}") == ["python", "-V"]
    assert launch.md_command(3, ["x"], "mpiexec -n {ntasks}") == ["mpiexec", "-n", "3", "x"]
    with pytest.raises(ValueError, match=launch.MD_ENV):
        launch.md_command(2, ["x"], "")


def test_launch_md_reads_the_md_template():
    env = {launch.MD_ENV: "env ANODEFLOW_RANKS={ntasks}", launch.ENV: "env ANODEFLOW_RANKS=dft{ntasks}"}
    r = _run("--md", "3", "--", "sh", "-c", "echo $ANODEFLOW_RANKS", **env)
    assert r.returncode == 0 and r.stdout.strip() == "3", r.stderr
    r = _run("--md", "1", "--", "sh", "-c", "echo ${ANODEFLOW_RANKS:-direct}", **env)  # one rank: no launcher
    assert r.returncode == 0 and r.stdout.strip() == "direct", r.stderr
    r = _run("--md", "2", "--", "true")  # no template for 2 ranks
    assert r.returncode != 0 and launch.MD_ENV in r.stderr
    r = _run("--md", "--", "true")
    assert r.returncode != 0 and "usage" in r.stderr


# ----------------------------------------------------------------------------- ranks of a GPAW slab job


def test_irreducible_slab_kpoints_by_hand():
    """Γ-centred N1 x N2 x 1 grids under time reversal: (N1 N2 + T)/2 with T the points k = -k."""
    from anodeflow.dft.ranks import irreducible_slab_kpoints

    def cell(l1, l2):
        return [[l1, 0, 0], [0, l2, 0], [0, 0, 30.0]]

    # density 1.5 1/A: N = ceil(2 pi 1.5 / L)
    assert irreducible_slab_kpoints(cell(10.32, 10.32), 1.5) == 1  # Γ only (3x3 Li(100))
    assert irreducible_slab_kpoints(cell(6.88, 9.73), 1.5) == 2  # 2x1: Γ and (1/2, 0)
    assert irreducible_slab_kpoints(cell(6.88, 6.88), 1.5) == 4  # 2x2: four points with k = -k
    assert irreducible_slab_kpoints(cell(3.0, 3.0), 1.5) == 10  # 4x4: (16 + 4)/2
    assert irreducible_slab_kpoints(cell(2.0, 10.32), 1.5) == 3  # 5x1: Γ + 4/2


def test_slab_job_is_capped_at_its_kpoints_without_scalapack(tmp_path):
    """GPAW 26.7 without ScaLAPACK stops when ranks exceed k-points (domain decomposition): the launcher
    runs such a job on as many ranks as it has k-points and rewrites --ntasks (checked by the job)."""
    import json

    from ase.build import bcc100
    from ase.io import write

    from anodeflow.dft.ranks import usable_ranks, with_ranks

    slab = bcc100("Li", (3, 3, 3), a=3.44, vacuum=8.0)
    path = tmp_path / "s.extxyz"
    write(str(path), slab, format="extxyz")
    cmd = [
        "python",
        "-m",
        "anodeflow.dft.jobs",
        "relax",
        "--ntasks",
        "2",
        "--spec",
        json.dumps({"preset": {"kpt_density": 1.5}}),
        "--structure",
        str(path),
    ]
    n, reason = usable_ranks(cmd, 2, scalapack=False)
    assert n == 1 and "ScaLAPACK" in reason
    assert with_ranks(cmd, n)[cmd.index("--ntasks") + 1] == "1"
    assert usable_ranks(cmd, 2, scalapack=True) == (2, None)  # ScaLAPACK: domain decomposition works
    dense = [*cmd[:7], json.dumps({"preset": {"kpt_density": 6.0}}), *cmd[8:]]
    assert usable_ranks(dense, 2, scalapack=False) == (2, None)  # enough k-points
    bulk = ["python", "-m", "anodeflow.dft.jobs", "bulk", "--ntasks", "4"]
    assert usable_ranks(bulk, 4, scalapack=False) == (4, None)
