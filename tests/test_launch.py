"""The DFT and MD launchers are read from the environment (execution, not a rule param)."""
import subprocess
import sys

import pytest

from anodeflow import launch


def _run(*args, **env):
    return subprocess.run([sys.executable, "-m", "anodeflow.launch", *args], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path), **env})


def test_launcher_template_gets_the_rank_count():
    assert launch.command(4, ["python", "-V"], "mpiexec -n {ntasks}") == ["mpiexec", "-n", "4", "python", "-V"]
    assert launch.command(1, ["python", "-V"], "") == ["python", "-V"]
    srun = 'srun --ntasks={ntasks} --export=ALL,OMP_NUM_THREADS=1'
    assert launch.command(2, ["x"], srun) == ["srun", "--ntasks=2", "--export=ALL,OMP_NUM_THREADS=1", "x"]


def test_launch_execs_the_command_under_the_environment_template(tmp_path):
    env = {"PATH": "/usr/bin:/bin", launch.ENV: "env ANODEFLOW_RANKS={ntasks}"}
    r = subprocess.run([sys.executable, "-m", "anodeflow.launch", "3", "--", "sh", "-c", "echo $ANODEFLOW_RANKS"],
                       capture_output=True, text=True, env={**env, "PYTHONPATH": ":".join(sys.path)})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "3"


def test_dft_jobs_start_with_gpaw_told_it_is_under_mpi():
    """GPAW takes its MPI world from the launched ranks only with GPAW_MPI_BACKEND=cgpaw (it does not
    recognise srun's variables): the DFT launch sets it, so no rule has to."""
    r = _run("2", "--", "sh", "-c", "echo $GPAW_MPI_BACKEND", **{launch.ENV: "env"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "cgpaw"


def test_launch_usage_error():
    r = subprocess.run([sys.executable, "-m", "anodeflow.launch", "2"], capture_output=True, text=True,
                       env={"PYTHONPATH": ":".join(sys.path)})
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
    r = _run("--md", "1", "--", "sh", "-c", "echo ${ANODEFLOW_RANKS:-direct}", **env)   # one rank: no launcher
    assert r.returncode == 0 and r.stdout.strip() == "direct", r.stderr
    r = _run("--md", "2", "--", "true")                                             # no template for 2 ranks
    assert r.returncode != 0 and launch.MD_ENV in r.stderr
    r = _run("--md", "--", "true")
    assert r.returncode != 0 and "usage" in r.stderr
