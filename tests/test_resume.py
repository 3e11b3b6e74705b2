"""Resume after a real kill -9: a GPAW relaxation run by the workflow is killed in the middle (the whole
Snakemake process group: snakemake, the shell, mpiexec, GPAW), and the rerun continues from the last
ionic step kept in work/, with no partial artifact ever present under a declared output name.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workflow_sandbox import ROOT, env, jobs_run, make_sandbox, snakemake

CONFIG = str(ROOT / "tests" / "configs" / "resume.yaml")
SYSTEM = "Li-100"
TARGET = f"results/dft/{SYSTEM}/pristine/result.json"
OUTPUTS = [TARGET, f"results/dft/{SYSTEM}/pristine/final.extxyz", f"results/dft/{SYSTEM}/pristine/final.gpw"]
KILL_AFTER_STEPS = 2  # kill once this many BFGS steps are logged (the next step's SCF is then running)


def bfgs_log(path: Path) -> list[tuple[int, float, float]]:
    """(step, energy eV, fmax eV/A) rows of an ASE optimizer log (all runs appended)."""
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        m = re.match(r"\s*BFGS:\s+(\d+)\s+\S+\s+(-?\d+\.\d+)\s+(\d+\.\d+)", line)
        if m:
            rows.append((int(m.group(1)), float(m.group(2)), float(m.group(3))))
    return rows


def descendants(pid: int) -> set[int]:
    """All live descendants of pid (from /proc), so that none of the processes this test started survive."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def kill9(proc: subprocess.Popen) -> None:
    pids = descendants(proc.pid) | {proc.pid}
    os.killpg(proc.pid, signal.SIGKILL)  # the session started for this run
    for pid in pids:  # anything that left the process group (MPI launchers)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=30)


@pytest.mark.gpaw
@pytest.mark.workflow
def test_gpaw_relaxation_resumes_after_kill9(tmp_path):
    sandbox = make_sandbox(tmp_path / "repo")
    work = sandbox / "work" / "dft" / SYSTEM / "pristine"
    cmd = [str(Path(sys.executable).parent / "snakemake"), "--cores", "1", TARGET, "--configfile", CONFIG]
    log = open(tmp_path / "first_run.log", "w")
    proc = subprocess.Popen(cmd, cwd=sandbox, env=env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 600
        while time.time() < deadline and proc.poll() is None:
            if len(bfgs_log(work / "opt.log")) > KILL_AFTER_STEPS:
                break
            time.sleep(0.5)
        first_log = (tmp_path / "first_run.log").read_text()[-3000:]
        assert proc.poll() is None, "the run ended before it could be killed:\n" + first_log
        assert len(bfgs_log(work / "opt.log")) > KILL_AFTER_STEPS, "no relaxation progress within 600 s"
        time.sleep(1.0)  # let the next SCF start, so the kill hits a calculation in flight
    finally:
        if proc.poll() is None:
            kill9(proc)
        log.close()

    before = bfgs_log(work / "opt.log")
    # No declared output exists after the kill (they are written atomically at the very end) ...
    for out in OUTPUTS:
        assert not (sandbox / out).exists(), f"partial artifact after kill -9: {out}"
    # ... and the resumable state is in work/, not among the outputs.
    assert (work / "relax.traj").stat().st_size > 0 and (work / "opt.json").exists()
    from ase.io import Trajectory

    frames_kept = len(Trajectory(str(work / "relax.traj")))
    steps_survived = frames_kept - 1

    # A kill -9 leaves Snakemake's lock behind; a user unlocks, then reruns the same command.
    snakemake(sandbox, "--unlock", "--configfile", CONFIG)
    rerun = snakemake(sandbox, "--cores", "1", TARGET, "--configfile", CONFIG, timeout=600)
    assert jobs_run(rerun.stdout) == ["relax_pristine"], jobs_run(rerun.stdout)  # bulk/build kept

    res = json.loads((sandbox / TARGET).read_text())
    after = bfgs_log(work / "opt.log")[len(before) :]
    print(
        f"[resume] killed after {len(before) - 1} logged BFGS steps; {steps_survived} steps survived "
        f"in work/ ({frames_kept} trajectory frames); rerun resumed_from_step={res['resumed_from_step']}, "
        f"total steps={res['steps']} (budget {res['steps']}/{4}), rerun BFGS rows={len(after)}"
    )

    assert steps_survived >= KILL_AFTER_STEPS
    assert res["resumed_from_step"] == steps_survived
    # the rerun starts at the last kept geometry: its first energy is the one logged there before the kill
    e_kept = {s: e for s, e, _ in before}[steps_survived]
    assert after and after[0][1] == pytest.approx(e_kept, abs=2e-4)
    assert res["provenance"]["inputs_sha256"], "relaxation result records its input hash"
    assert not res["converged"]
    # The step budget (max_steps=4 in tests/configs/resume.yaml) counts the steps made before the kill, so
    # a killed-and-resumed relaxation makes exactly as many steps as an uninterrupted one.
    assert res["steps"] == 4
    assert len(after) == 4 - steps_survived + 1  # the resumed start point, then only the remaining steps


SHARED_POTENTIALS = (ROOT / ".." / "shared" / "potentials").resolve()


@pytest.mark.lammps
@pytest.mark.workflow
def test_md_run_resumes_after_kill9(tmp_path):
    """An MD melting run (Na EAM, tiny cell, restart file every 20 steps) killed by SIGKILL continues from
    its last LAMMPS restart file when the same command is run again."""
    if not (SHARED_POTENTIALS / "Na_v2.eam.fs").is_file():
        pytest.skip(f"no Na_v2.eam.fs in {SHARED_POTENTIALS} (no network for the url source)")
    import yaml

    sandbox = make_sandbox(tmp_path / "repo")
    overlay = tmp_path / "local_pot.yaml"
    # Longer ramps (1e4 steps of 54 atoms) so that the kill lands mid-run even on an idle machine:
    # md_tiny's own ramps can finish within one 0.2 s poll there.
    overlay.write_text(
        yaml.safe_dump(
            {
                "potentials": {"Na": {"local_dir": str(SHARED_POTENTIALS)}},
                "md": {"melting": {"cells": 3, "rate_K_per_ps": 20.0, "cool_rate_K_per_ps": 20.0}},
            }
        )
    )
    cfg = ["--configfile", str(ROOT / "tests" / "configs" / "md_tiny.yaml"), str(overlay)]
    target = "results/md/Na/melting.json"
    work = sandbox / "work" / "md" / "Na" / "melting"
    cmd = [str(Path(sys.executable).parent / "snakemake"), "--cores", "1", target, *cfg]
    log = open(tmp_path / "first_run.log", "w")
    proc = subprocess.Popen(cmd, cwd=sandbox, env=env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def progress():
        try:
            return json.loads((work / "state.json").read_text())
        except (OSError, ValueError):
            return None

    try:
        deadline = time.time() + 600
        while time.time() < deadline and proc.poll() is None:
            st = progress()
            if st and (st["phase"] > 0 or st["phase_done"] > 0):
                break
            time.sleep(0.2)
        assert proc.poll() is None, "the MD run ended before it could be killed"
        assert progress(), "no MD checkpoint within 600 s"
    finally:
        if proc.poll() is None:
            kill9(proc)
        log.close()

    kept = progress()
    assert not (sandbox / target).exists() and not (sandbox / "results/md/Na/melting_ramps.npz").exists()
    assert (work / kept["restart_file"]).is_file()  # the restart file the committed state names
    snakemake(sandbox, "--unlock", *cfg)
    rerun = snakemake(sandbox, "--cores", "1", target, *cfg, timeout=900)
    assert jobs_run(rerun.stdout) == ["md_melting"], jobs_run(rerun.stdout)
    final = progress()
    res = json.loads((sandbox / target).read_text())
    print(
        f"[resume] MD killed at phase {kept['phase']} step {kept['phase_done']} of the phase "
        f"(restart file every 20 steps); rerun restarts={final['restarts']}, result Tm_K={res.get('Tm_K')}"
    )
    # the rerun read the restart file (a fresh start resets the count to 0) and finished every phase
    assert final["restarts"] >= 1
    assert final["phase"] > kept["phase"] or final["phase_start_step"] > 0
    assert "provenance" in res
