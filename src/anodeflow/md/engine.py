"""A small restartable driver for LAMMPS runs made of phases (equilibrate, ramp, sample...).

Every ``checkpoint_every`` steps the driver writes a LAMMPS restart file, the samples taken
so far and a state record into the job's work folder (``work/md/...``, never a declared
output). When the job is rerun after a kill, it reads the restart file, redefines the
phase's fixes under the same IDs (LAMMPS restores thermostat/barostat state from the
restart file) and continues the phase where it stopped, ramps included (``run N start
stop``). Samples are plain numbers or 1-D arrays per sampling step. The state records a fingerprint
of the commands and phase lengths; a work folder left by different settings is not resumed.

A checkpoint is a two-phase commit, so a kill at any instant leaves a consistent set: the
restart file and the samples are written under names carrying the timestep
(``md.<step>.restart``, ``samples.<step>.npz``), then ``state.json`` (which names them) is
replaced atomically, and only then are older files removed. A rerun reads exactly the files
the last committed state names, and checks that the restart file's timestep matches it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from anodeflow.io import atomic_path
from anodeflow.md.runtime import world_rank


@dataclass
class Phase:
    """``nsteps`` MD steps under ``commands`` (fix definitions; removed by ``unfix`` at the end).

    ``sampler(lmp) -> dict`` is called every ``sample_every`` steps (0: never); its values are
    accumulated per key and returned by :func:`run_phases` as arrays (first axis = sample).
    """

    name: str
    nsteps: int
    commands: list[str] = field(default_factory=list)
    unfix: list[str] = field(default_factory=list)
    sample_every: int = 0
    sampler: Callable | None = None


def chunked_fingerprint(setup: list[str], common: list[str], equil: Phase, chunk: Phase, *extra) -> str:
    """Fingerprint of a run made of ``equil`` then repeated production ``chunk`` phases (the ribbon and
    step runs): its commands, phase lengths and sampling, and ``extra`` (JSON-able: chunk cap, versions).
    A work folder whose state carries another fingerprint is not resumed."""
    phases = [(p.name, p.nsteps, p.commands, p.unfix, p.sample_every) for p in (equil, chunk)]
    return hashlib.sha256(json.dumps([setup, common, phases, *extra]).encode()).hexdigest()[:16]


def _commit_state(workdir: Path, state: dict, samples: dict) -> None:
    """Write samples, then the state that names them (atomic), then drop superseded files."""
    if world_rank() != 0:  # under MPI every rank holds the same samples; rank 0 writes
        return
    samples_name = f"samples.{state['step']}.npz"
    with atomic_path(workdir / samples_name) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **{k: np.asarray(v) for k, v in samples.items()})
    state["samples_file"] = samples_name
    with atomic_path(workdir / "state.json") as tmp:
        tmp.write_text(json.dumps(state, indent=1))
    keep = {state["restart_file"], samples_name, "state.json"}
    for old in list(workdir.glob("md.*.restart")) + list(workdir.glob("samples.*.npz")):
        if old.name not in keep:
            old.unlink(missing_ok=True)


def _load_state(workdir: Path):
    """The last committed state and its samples, or ``(None, {})`` when there is none usable."""
    st = workdir / "state.json"
    if not st.is_file():
        return None, {}
    state = json.loads(st.read_text())
    rst, sm = state.get("restart_file"), state.get("samples_file")
    if not rst or not (workdir / rst).is_file() or not sm or not (workdir / sm).is_file():
        return None, {}  # a state from an older layout, or files removed by hand: start afresh
    with np.load(workdir / sm) as z:
        samples = {k: list(z[k]) for k in z.files}
    return state, samples


def run_phases(
    lmp,
    workdir,
    setup: list[str],
    after_restart: list[str],
    phases: list[Phase],
    checkpoint_every: int = 2000,
    on_step: Callable | None = None,
    fingerprint: str | None = None,
) -> dict:
    """Run ``phases`` on ``lmp``, restartable from ``workdir``; return the samples per phase.

    ``setup``: commands building the system from scratch (box, atoms, potential, velocities).
    ``after_restart``: commands needed after ``read_restart`` (potential, computes, thermo
    settings: LAMMPS does not store manybody pair coefficients or computes in restart files).
    Returns ``{phase_name: {key: np.ndarray}}`` (phases of the same name are concatenated).
    ``fingerprint``: given, it replaces the hash of the commands and phases, so that a caller which extends
    ``phases`` run after run (production in chunks until a criterion is met) resumes its own state.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    import hashlib

    fp = hashlib.sha256(
        json.dumps(
            [setup, after_restart, [(p.name, p.nsteps, p.commands, p.unfix, p.sample_every) for p in phases]]
        ).encode()
    ).hexdigest()[:16]
    fp = fingerprint or fp
    state, flat = _load_state(workdir)
    if state is not None and state.get("fingerprint") != fp:
        state, flat = None, {}  # other (or unknown) settings made this state: never mix it into this run
    if state is not None:
        lmp.command(f"read_restart {workdir / state['restart_file']}")
        lmp.commands_list(after_restart)
        if int(lmp.get_thermo("step")) != state["step"]:
            raise RuntimeError(
                f"{workdir}: restart file {state['restart_file']} is at step "
                f"{int(lmp.get_thermo('step'))}, its state at step {state['step']}"
            )
        state["restarts"] = state.get("restarts", 0) + 1
    else:
        state, flat = {"phase": 0, "phase_start_step": 0, "phase_done": 0, "restarts": 0, "fingerprint": fp}, {}
        lmp.commands_list(setup)
        lmp.command("reset_timestep 0")

    def checkpoint():
        step = int(lmp.get_thermo("step"))
        name = f"md.{step}.restart"
        tmp = workdir / f"{name}.tmp"
        lmp.command(f"write_restart {tmp}")  # collective
        if world_rank() == 0:
            os.replace(tmp, workdir / name)
        state.update(step=step, restart_file=name)
        _commit_state(workdir, state, flat)

    for ip in range(state["phase"], len(phases)):
        ph = phases[ip]
        if ip != state["phase"]:
            state.update(phase=ip, phase_start_step=int(lmp.get_thermo("step")), phase_done=0)
        start = state["phase_start_step"]
        stop = start + ph.nsteps
        lmp.commands_list(ph.commands)
        since_ckpt = 0
        first = True
        while state["phase_done"] < ph.nsteps:
            left = ph.nsteps - state["phase_done"]
            to_sample = (ph.sample_every - state["phase_done"] % ph.sample_every) if ph.sample_every else left
            chunk = min(left, to_sample, checkpoint_every - since_ckpt)
            pre = "yes" if first else "no"
            lmp.command(f"run {chunk} start {start} stop {stop} pre {pre} post no")
            first = False
            state["phase_done"] += chunk
            since_ckpt += chunk
            if ph.sampler is not None and ph.sample_every and state["phase_done"] % ph.sample_every == 0:
                for k, v in ph.sampler(lmp).items():
                    flat.setdefault(f"{ph.name}/{k}", []).append(v)
            if on_step is not None:
                on_step(ph.name, state["phase_done"], ph.nsteps)
            if since_ckpt >= checkpoint_every and state["phase_done"] < ph.nsteps:
                checkpoint()
                since_ckpt = 0
        lmp.commands_list(ph.unfix)
        state.update(phase=ip + 1, phase_start_step=int(lmp.get_thermo("step")), phase_done=0)
        checkpoint()
    out: dict = {}
    for key, vals in flat.items():
        pname, k = key.split("/", 1)
        out.setdefault(pname, {})[k] = np.asarray(vals)
    return out
