"""The DFT launcher is read from the environment (execution, not a rule param)."""
import subprocess
import sys

from anodeflow import launch


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


def test_launch_usage_error():
    r = subprocess.run([sys.executable, "-m", "anodeflow.launch", "2"], capture_output=True, text=True,
                       env={"PYTHONPATH": ":".join(sys.path)})
    assert r.returncode != 0 and "usage" in r.stderr
