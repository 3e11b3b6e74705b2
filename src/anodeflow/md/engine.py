"""A small restartable driver for LAMMPS runs made of phases (equilibrate, ramp, sample...).

Every ``checkpoint_every`` steps the driver writes a LAMMPS restart file, the samples taken
so far and a state record into the job's work folder (``work/md/...``, never a declared
output). When the job is rerun after a kill, it reads the restart file, redefines the
phase's fixes under the same IDs (LAMMPS restores thermostat/barostat state from the
restart file) and continues the phase where it stopped, ramps included (``run N start
stop``). Samples are plain numbers or 1-D arrays per sampling step. The state records a fingerprint
of the commands and phase lengths; a work folder left by different settings is not resumed.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

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


def _save_state(workdir: Path, state: dict, samples: dict) -> None:
    if world_rank() != 0:  # under MPI every rank holds the same samples; rank 0 writes
        return
    with atomic_path(workdir / "samples.npz") as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **{k: np.asarray(v) for k, v in samples.items()})
    with atomic_path(workdir / "state.json") as tmp:
        tmp.write_text(json.dumps(state, indent=1))


def _load_state(workdir: Path):
    st, sm = workdir / "state.json", workdir / "samples.npz"
    if not st.is_file():
        return None, {}
    state = json.loads(st.read_text())
    samples = {}
    if sm.is_file():
        with np.load(sm) as z:
            samples = {k: list(z[k]) for k in z.files}
    return state, samples


def run_phases(lmp, workdir, setup: list[str], after_restart: list[str], phases: list[Phase],
               checkpoint_every: int = 2000, on_step: Callable | None = None) -> dict:
    """Run ``phases`` on ``lmp``, restartable from ``workdir``; return the samples per phase.

    ``setup``: commands building the system from scratch (box, atoms, potential, velocities).
    ``after_restart``: commands needed after ``read_restart`` (potential, computes, thermo
    settings: LAMMPS does not store manybody pair coefficients or computes in restart files).
    Returns ``{phase_name: {key: np.ndarray}}``.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    restart = workdir / "md.restart"
    import hashlib
    fp = hashlib.sha256(json.dumps([setup, after_restart, [(p.name, p.nsteps, p.commands, p.unfix, p.sample_every)
                                                           for p in phases]]).encode()).hexdigest()[:16]
    state, flat = _load_state(workdir)
    if state is not None and state.get("fingerprint") != fp:
        state, flat = None, {}  # other (or unknown) settings made this state: never mix it into this run
    if state is not None and restart.is_file():
        lmp.command(f"read_restart {restart}")
        lmp.commands_list(after_restart)
        state["restarts"] = state.get("restarts", 0) + 1
    else:
        state, flat = {"phase": 0, "phase_start_step": 0, "phase_done": 0, "restarts": 0, "fingerprint": fp}, {}
        lmp.commands_list(setup)
        lmp.command("reset_timestep 0")

    def checkpoint():
        tmp = workdir / "md.restart.tmp"
        lmp.command(f"write_restart {tmp}")  # collective
        if world_rank() == 0:
            os.replace(tmp, restart)
        _save_state(workdir, state, flat)

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
