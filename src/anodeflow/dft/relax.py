"""Resumable relaxations.

State lives in a work folder that is never a declared Snakemake output:

* ``relax.traj``  — every ionic step (ASE trajectory, appended);
* ``opt.json``    — the BFGS restart file (Hessian estimate);
* ``state.sha256`` — which job the two belong to (spec + starting structure).

On a rerun after a kill, the relaxation starts from the last complete frame of the
trajectory with the optimiser's Hessian, and the step budget counts all earlier steps.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ase.io import Trajectory
from ase.optimize import BFGS


@dataclass
class RelaxResult:
    atoms: object
    energy_eV: float  # extrapolated to zero smearing
    free_energy_eV: float  # force-consistent (Mermin) free energy
    fmax: float
    converged: bool
    steps: int  # ionic steps in total, over all restarts
    resumed_from_step: int  # steps already done when this process started
    wall_s: float


def _last_frame(traj_path: Path, n_atoms: int):
    if not traj_path.exists() or traj_path.stat().st_size == 0:
        return None, 0
    try:
        frames = Trajectory(str(traj_path))
        n = len(frames)
        for k in range(n - 1, -1, -1):  # the last frame may be torn by the kill
            try:
                a = frames[k]
                if len(a) == n_atoms:
                    return a, k + 1
            except Exception:
                continue
    except Exception:
        return None, 0
    return None, 0


def fmax_of(atoms) -> float:
    f = atoms.get_forces()  # constrained forces (fixed atoms are zero)
    return float(np.sqrt((f**2).sum(axis=1)).max()) if len(f) else 0.0


def _claim_workdir(work: Path, fingerprint: str | None) -> None:
    """Tie the saved state of ``work`` to one job (its spec and starting structure).

    A state left by another job (the config changed the cutoff, k-points, fmax, ... or the starting
    structure was recomputed) is discarded: its steps must neither count against the step budget nor
    seed the geometry and Hessian. All ranks read the old fingerprint before rank 0 changes anything,
    so that every rank takes the same branch (a rank that read the new one would skip a barrier)."""
    if fingerprint is None:
        return
    from ase.parallel import barrier, world

    fp = work / "state.sha256"
    old = fp.read_text().strip() if fp.exists() else None
    barrier()
    if old != fingerprint:
        if world.rank == 0:
            for name in ("relax.traj", "opt.json", "precon.json"):
                (work / name).unlink(missing_ok=True)
            tmp = work / "state.sha256.part"
            tmp.write_text(fingerprint)
            tmp.replace(fp)
        barrier()


def relax(
    atoms,
    calc,
    fmax: float,
    max_steps: int,
    workdir,
    logfile="-",
    *,
    alpha: float = 70.0,
    maxstep: float = 0.2,
    fingerprint: str | None = None,
    hessian0=None,
) -> RelaxResult:
    """Relax positions (constraints of ``atoms`` respected) to ``fmax`` eV/Å, resuming if possible.

    ``alpha`` (eV/Å², the initial Hessian guess) and ``maxstep`` (Å) go to ASE's BFGS; its defaults
    are 70 and 0.2. Alkali-metal slabs are soft: see ``optimizer_kwargs``. ``hessian0`` (a 3N x 3N
    array, or a callable of the atoms returning one; e.g. ``precon_hessian``) replaces BFGS's scalar
    initial Hessian alpha·I on a fresh start; a resumed run continues from the saved Hessian instead.

    ``fingerprint`` (e.g. the sha256 of the job spec and its input structure) ties the saved state to
    this job: a workdir left by a job with another fingerprint starts afresh (``_claim_workdir``)."""
    t0 = time.time()
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    _claim_workdir(work, fingerprint)
    traj_path = work / "relax.traj"
    restart = work / "opt.json"
    last, done = _last_frame(traj_path, len(atoms))
    if last is not None:
        atoms.positions[:] = last.positions
    atoms.calc = calc
    steps_done = max(0, done - 1)  # frames = initial state + one per step
    steps_left = max(0, max_steps - steps_done)
    traj = Trajectory(str(traj_path), "a", atoms)
    converged = False
    frames = done
    try:
        opt = BFGS(atoms, restart=str(restart), logfile=logfile, alpha=alpha, maxstep=maxstep)
        if hessian0 is not None and opt.state is None:  # fresh start (no saved Hessian read)
            opt.H0 = np.asarray(hessian0(atoms) if callable(hessian0) else hessian0, float)
        first = True
        for converged in opt.irun(fmax=fmax, steps=steps_left):  # noqa: B007 (the last value is the verdict)
            # one frame per state: the initial one (not again on a resume) and one per step
            if not (first and done > 0):
                traj.write(atoms)
                frames += 1
            first = False
    finally:
        traj.close()
    # counted, not re-read: under MPI only rank 0 writes the file, and another rank reading it
    # right after could see it half-written ("This is not an ULM formatted file", seen under SLURM)
    steps = max(0, frames - 1)
    e = atoms.get_potential_energy()
    fe = atoms.get_potential_energy(force_consistent=True)
    return RelaxResult(atoms, float(e), float(fe), fmax_of(atoms), bool(converged), steps, steps_done, time.time() - t0)


#: ASE's Exp preconditioner: P_ij = -mu exp(-A (r_ij / r_NN - 1)) for neighbours within r_cut (Packwood et
#: al., J. Chem. Phys. 144, 164109 (2016)); A = 3 is ASE's default
PRECON_A = 3.0


def _free_dofs(atoms) -> np.ndarray:
    """Boolean mask over the 3N Cartesian coordinates: True where FixAtoms does not hold the atom."""
    from ase.constraints import FixAtoms

    fixed = np.zeros(len(atoms), bool)
    for c in atoms.constraints:
        if isinstance(c, FixAtoms):
            fixed[c.index] = True
    return ~np.repeat(fixed, 3)


#: ASE's probe amplitude: a smooth displacement of 1 % of the nearest-neighbour distance
PROBE_FRACTION = 1e-2
#: lower bound on the measured stiffness (eV/Å²): a probe lost in SCF noise must not give a zero Hessian
MU_FLOOR = 0.01


def _metal_mask(atoms) -> np.ndarray:
    return np.asarray(atoms.arrays.get("is_metal", np.ones(len(atoms), bool)), bool)


def _exp_precon(sub, mu: float):
    """ASE's Exp preconditioner of the atoms ``sub`` (no constraints) at stiffness ``mu``, as a dense array,
    with r_NN the nearest-neighbour distance of ``sub`` and r_cut = 2 r_NN (ASE's defaults)."""
    from ase.optimize.precon import Exp
    from ase.optimize.precon.neighbors import estimate_nearest_neighbour_distance

    probe = sub.copy()
    probe.set_constraint()
    r_nn = estimate_nearest_neighbour_distance(probe)
    pc = Exp(A=PRECON_A, mu=float(mu), r_NN=r_nn, r_cut=2.0 * r_nn)
    pc.make_precon(probe)
    return np.asarray(pc.P.toarray() if hasattr(pc.P, "toarray") else pc.P, float), r_nn


def estimate_precon_mu(atoms) -> float:
    """Stiffness mu (eV/Å²) of the metal's Exp preconditioner, measured with the atoms' own calculator.

    ASE's recipe (``SparsePrecon.estimate_mu``), restricted to the metal atoms: displace them by a smooth
    sine wave of 1 % of their nearest-neighbour distance and take mu = ΔF·v / (v·P₁·v), P₁ the metal's
    preconditioner at mu = 1: one extra force evaluation near the current geometry. The displaced geometry
    is evaluated first, so the calculator ends at the current one and the optimiser's first force call
    reuses that result (one SCF for the probe, not two). Two departures from
    ASE, both needed for alkali metals: ASE caps mu below at 1 eV/Å², about twenty times stiffer than Li
    or Na (here the floor is ``MU_FLOOR``); and a coating (atoms not ``is_metal``), much stiffer than the
    metal, is neither displaced nor preconditioned (``precon_hessian``). Constraints are lifted for the
    probe (a held atom's displacement would enter the norm but not the forces), then restored."""
    cons, pos = list(atoms.constraints), atoms.positions.copy()
    metal = _metal_mask(atoms)
    P1, r_nn = _exp_precon(atoms[metal], 1.0)
    x = pos[metal]
    extent = x.max(axis=0) - x.min(axis=0)
    v = np.zeros_like(pos)
    for k in range(3):
        if extent[k] > 1e-6:
            v[metal, k] = PROBE_FRACTION * r_nn * np.sin(x[:, k] / extent[k])
    try:
        atoms.set_constraint()
        atoms.positions[:] = pos + v
        f1 = atoms.get_forces().copy()
        atoms.positions[:] = pos
        f0 = atoms.get_forces().copy()
    finally:
        atoms.positions[:] = pos
        atoms.set_constraint(cons)
    vm = v[metal].reshape(-1)
    lhs = float(-((f1 - f0)[metal].reshape(-1) * vm).sum())
    rhs = float(vm @ (P1 @ vm))
    return max(lhs / rhs, MU_FLOOR)


def precon_hessian(atoms, mu: float, alpha: float = 70.0) -> np.ndarray:
    """A dense 3N x 3N initial Hessian for BFGS: ASE's Exp preconditioner of the metal at stiffness ``mu``,
    and ``alpha``·I (plain BFGS's guess, eV/Å²) for a coating's atoms.

    The preconditioner is a sparse, positive-definite model of the metal's Hessian from its bonding
    topology (every neighbour within r_cut, stiffer the closer), scaled by mu. The coating (ionic
    fluoride or covalent sheet, an order of magnitude stiffer, with other bond lengths) keeps the scalar
    guess: one Exp model with one mu for both over-steps the coating (measured on Li(110)/LiF(100):
    +0.4 eV after the first step). Coordinates held by FixAtoms are decoupled from the free ones (rows and
    columns zeroed, diagonal mu), so that the free atoms' first step is P_free⁻¹ F_free (the Exp model of
    the free metal keeps its bonds to the held layers on its diagonal)."""
    metal = _metal_mask(atoms)
    dofs = np.repeat(metal, 3)
    H = np.zeros((3 * len(atoms), 3 * len(atoms)))
    if metal.sum() > 1:  # a coating alone (the adhesion job's coating part) keeps the scalar guess only
        P, _ = _exp_precon(atoms[metal], mu)
        H[np.ix_(dofs, dofs)] = P
    else:
        dofs[:] = False
    H[~dofs, ~dofs] = float(alpha)
    free = _free_dofs(atoms)
    H[~free, :] = 0.0
    H[:, ~free] = 0.0
    H[~free, ~free] = float(mu)
    return H


def optimizer_kwargs(preset: dict) -> dict:
    """BFGS settings of a precision preset (``bfgs_alpha_eV_A2``, ``bfgs_maxstep_A``)."""
    return {"alpha": float(preset["bfgs_alpha_eV_A2"]), "maxstep": float(preset["bfgs_maxstep_A"])}


RELOCATION_FRACTION = 0.4


def slab_vacuum(atoms, required_A: float) -> dict:
    """Vacuum between the periodic images of a slab along z (Å): the cell height minus the slab's
    thickness (z non-periodic: the box holds the slab and its vacuum). ``vacuum_too_thin`` flags a gap
    below ``required_A`` (the preset's vacuum_A; methods §4: at least 15 Å), which a relaxation can
    cause when the surface or the coating moves outward."""
    z = atoms.positions[:, 2]
    vac = float(atoms.cell[2, 2] - (z.max() - z.min()))
    return {"vacuum_A": vac, "vacuum_required_A": float(required_A), "vacuum_too_thin": bool(vac < required_A)}


def relocation(atoms, start) -> dict:
    """How far the relaxation moved atoms from the starting geometry (minimum image, in-plane periodic).

    ``relocated`` is set when any atom moved by more than ``RELOCATION_FRACTION`` x the shortest
    metal-metal distance of the start: an atom has then hopped (typically into the vacancy), and the
    relaxed configuration is no longer the one enumerated. A coating (atoms not ``is_metal``) that slides
    as a whole on the metal changes its registry, not the configuration: its mean displacement is taken
    out of its atoms' displacements (and reported as ``coating_shift_A``) before the test."""
    from ase.geometry import find_mic, get_distances

    d, _ = find_mic(atoms.positions - start, atoms.cell, pbc=atoms.pbc)
    metal = np.asarray(atoms.arrays.get("is_metal", np.ones(len(atoms), bool)), bool)
    shift = np.zeros(3)
    if (~metal).any():
        shift = d[~metal].mean(axis=0)
        d[~metal] -= shift
    disp = np.linalg.norm(d, axis=1)
    pos = start[metal]
    if len(pos) > 1:
        _, dist = get_distances(pos, cell=atoms.cell, pbc=atoms.pbc)
        dist[np.diag_indices_from(dist)] = np.inf
        d_nn = float(dist.min())
    else:
        d_nn = float("nan")
    i = int(disp.argmax()) if len(disp) else 0
    dmax = float(disp.max()) if len(disp) else 0.0
    return {
        "max_displacement_A": dmax,
        "max_displacement_atom": i,
        "metal_nn_distance_A": d_nn,
        "coating_shift_A": float(np.linalg.norm(shift)),
        "relocated": bool(np.isfinite(d_nn) and dmax > RELOCATION_FRACTION * d_nn),
    }
