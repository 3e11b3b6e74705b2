"""Quasi-2D ribbon slabs with two free surfaces, and their height profiles (methods.md 7.3).

The ribbon is built at the lattice constant a(T) of the bulk NPT runs, so the in-plane box
(x: length W, y: thickness b) is the equilibrium one at T and stays fixed during sampling
(NVT, Nose-Hoover). A thin layer of atoms at the slab centre (``anchor_A`` thick) is tethered
along z only (``fix spring/self ... z``) so that the slab neither drifts nor bends as a
whole: its two surfaces then fluctuate independently. After ``equil_ps`` of NVT the
height profiles of both surfaces are sampled every ``sample_ps`` on native x bins
(one per lattice spacing along x by default). Solid-like atoms are those with at least
``cn_min`` neighbours within 1.207 a (between the 2nd and 3rd bcc shells), so adatoms and
vapour do not define the surface. Whether the ribbon stayed solid is told by the mean-square
displacement of the interior atoms (|z - z_mid| < 0.3 slab; LAMMPS ``compute msd`` with the
centre-of-mass motion removed, from the start of the run or of the last restart): a solid's stays at
its vibrational plateau (~0.01-0.1 a^2), a liquid's grows by ~0.5 A^2/ps. The instantaneous interior
bcc fraction (``cna/atom``) is recorded too, but in hot ribbons a few spacings thick it under-counts
bcc (thermal displacements push pairs across the fixed CNA cutoff), so it is a diagnostic, not the test.

Two starts per state point (methods.md 7.3): ``flat`` (the cut crystal) and ``rough``: mode 1 imposed on
both surfaces by carving the crystal, h_top(x) = +2 A cos(k_1 x), h_bot(x) = -2 A cos(k_1 x) about the flat
surfaces (whole atoms kept or removed; the crystal itself is not strained), with the Fourier amplitude
|A_1| = A = ``rough_factor`` x sqrt(k_B T / (b W gamma_guess k_1^2)), the expected equilibrium amplitude of
mode 1 for a stiffness ``gamma_guess`` (config ``cft.gamma_guess_J_m2``; 0.5 J/m^2 for Na and Li: the order of
their surface energies, i.e. of a rough facet's stiffness). A stiffer facet has a smaller equilibrium amplitude,
so the imposed one is then more than ``rough_factor`` times too large, which is the point: it must decay.

Run length: after ``equil_ps``, production runs in chunks of ``prod_ps`` from the LAMMPS restart; after each chunk
the heights so far go to :func:`anodeflow.cft.equilibrium.analyse_start`, and production stops when it says
``enough`` (>= 20 tau_1 after a discard of 3 tau_1, tau_1 measured on the run's second half) or at ``max_prod_ps``.
A tau_1 of at most ``VIBRATIONAL_TAU_PS`` (anodeflow.cft.equilibrium) is no reason to stop: mode 1 is then white at
the sampling interval, the atoms' vibration about a profile whose capillary part has not grown (a flat start below
its relaxation time) or does not move (a facet below roughening), and which of the two is not known from the start
itself (measured: the Na (110) b = 2 flat start at 413 K gave tau_1 = 0 after 1 ns and stopped there, while its
state point's capillary tau_1 is of order ns).

The paired pass (rule ``md_ribbon_paired``): each start stops on its own tau_1, but both must hold 20 tau_1 of the
state point, the larger capillary tau_1 of the two (``anodeflow.cft.equilibrium.state_point_tau1``): a start that
stopped on a shorter tau_1 of its own under-states its P_1 error (Na (100), b = 2, 413 K: the rough start stopped
after 9.6 of the flat start's tau_1). Once both starts have run, each is resumed from its work folder with the other's
tau_1 (``partner_tau1_ps``) and runs on until, after a discard of at least 3 x the larger tau_1, it holds 20 x it
(``anodeflow.cft.equilibrium.analyse_held``), or ``max_prod_ps``. A start that already does stops at once; so does one
whose partner's 23 tau_1 alone exceed the cap, or whose partner did not end enough (``anodeflow.md.jobs.partner_tau1``):
the row cannot pass then, and no MD is spent on it. One pass: should the run on change the start's own tau_1 past its
partner's, the verdict (``anodeflow.cft.state_point``, which holds every start to the larger tau_1 in the same way) says
"not equilibrated within t" with the run needed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from anodeflow.cft import spectrum
from anodeflow.cft.equilibrium import analyse_held, imposed_mode_left, vibrational
from anodeflow.cft.profiles import coordination, surface_heights
from anodeflow.cft.width import TAU_MULTIPLE
from anodeflow.constants import EV_PER_A2_IN_J_PER_M2, KB_EV_PER_K
from anodeflow.md.bulk import PS_IN_FS, _steps
from anodeflow.md.engine import Phase, chunked_fingerprint, run_phases
from anodeflow.md.lattice import ribbon_commands, spacing_factors
from anodeflow.md.runtime import make_lammps

#: neighbour cutoff between the 2nd (a) and 3rd (sqrt 2 a) bcc shells, in units of a
CN_CUTOFF_A = 0.5 * (1 + np.sqrt(2))


def ribbon_geometry(
    a_A: float, facet: str, length_A: float, b_spacings: int, slab_A: float, orientations: dict | None = None
) -> dict:
    """Whole lattice spacings nearest to the requested sizes; lengths in Angstrom."""
    s = spacing_factors(facet, orientations) * a_A
    nx = max(4, int(round(length_A / s[0])))
    nz = max(2, int(round(slab_A / s[2])))
    return {
        "nx": nx,
        "ny": int(b_spacings),
        "nz": nz,
        "W_A": nx * s[0],
        "b_A": b_spacings * s[1],
        "slab_A": nz * s[2],
        "spacing_A": s.tolist(),
    }


def expected_mode1_amplitude(T_K: float, b_A: float, W_A: float, gamma_J_m2: float) -> float:
    """sqrt(<|A_1|^2>) = sqrt(k_B T / (b W gamma k_1^2)) in Angstrom, k_1 = 2 pi / W (methods.md 7.3)."""
    k1 = 2 * np.pi / W_A
    gamma = gamma_J_m2 / EV_PER_A2_IN_J_PER_M2
    return float(np.sqrt(KB_EV_PER_K * T_K / (b_A * W_A * gamma * k1**2)))


def _box(lmp):
    lo, hi = lmp.extract_box()[:2]
    return np.array(lo), np.array(hi) - np.array(lo)


@dataclass(frozen=True)
class RibbonSettings:
    """How one ribbon is built, equilibrated and sampled (lengths in Angstrom, times in ps).

    Built from the config by :func:`anodeflow.md.settings.ribbon_settings`: the keys of section ``cft``
    (``cft.per_metal.<metal>`` overrides applied; meanings in workflow/schemas/cft.schema.yaml), the ribbon's
    thickness ``b`` (spacings) and start, and md's ``timestep_fs.<metal>``, ``checkpoint_every`` and
    ``omp_threads``.
    """

    length_A: float
    b: int
    slab_A: float
    vacuum_A: float
    anchor_A: float
    anchor_k_eV_A2: float
    equil_ps: float
    prod_ps: float
    max_prod_ps: float
    sample_ps: float
    bins_per_spacing: int
    cn_min: int
    orientations: dict
    rough_factor: float
    gamma_guess_J_m2: float
    min_wavelength_spacings: float
    max_modes: int
    timestep_fs: float
    checkpoint_every: int
    omp_threads: int
    start: str = "flat"

    def geometry(self, a_A: float, facet: str) -> dict:
        """Whole lattice spacings of the ribbon of ``facet`` at lattice constant ``a_A`` (:func:`ribbon_geometry`)."""
        return ribbon_geometry(a_A, facet, self.length_A, self.b, self.slab_A, self.orientations)

    def n_modes(self, W_A: float, a_A: float) -> int:
        """Modes of the equilibrium analysis: wavelength >= min_wavelength_spacings a, at most max_modes."""
        return spectrum.n_fit_modes(W_A, self.min_wavelength_spacings * a_A, self.max_modes)


def _carved_commands(pot, a_A: float, facet: str, geom: dict, s: RibbonSettings, amp: float, log) -> list[str]:
    """Commands building the rough start: a slab thicker by whole spacings, then the atoms outside
    h_top = +2 amp cos(k_1 x) and h_bot = -2 amp cos(k_1 x) (about the flat surfaces) deleted by ID (IDs
    found on a throw-away build with the same commands, so the result is deterministic)."""
    sz = geom["spacing_A"][2]
    extra = int(np.ceil(2 * amp / sz)) + 1
    build = ribbon_commands(a_A, facet, geom["nx"], geom["ny"], geom["nz"], s.vacuum_A, s.orientations, extra)
    lmp = make_lammps(log=log, omp_threads=s.omp_threads)
    try:
        lmp.commands_list(build)
        n = lmp.get_natoms()
        pos = np.ctypeslib.as_array(lmp.gather_atoms("x", 1, 3)).reshape(n, 3).copy()
        ids = np.ctypeslib.as_array(lmp.gather_atoms("id", 0, 1)).reshape(n).copy()
    finally:
        lmp.close()
    wave = 2 * amp * np.cos(2 * np.pi * pos[:, 0] / geom["W_A"])
    cut = (pos[:, 2] >= (geom["nz"] - 1e-3) * sz + wave) | (pos[:, 2] < -1e-3 * sz - wave)
    gone = sorted(int(i) for i in ids[cut])
    cmds = list(build)
    for i in range(0, len(gone), 500):  # group commands of bounded length
        cmds.append("group carve id " + " ".join(str(j) for j in gone[i : i + 500]))
    if gone:
        cmds += ["delete_atoms group carve compress yes", "group carve delete"]
    return cmds


#: bumped when the samples change meaning (a work folder with older samples is then not resumed)
SAMPLER_VERSION = 2


def _analyse(prod: dict, dt_ps: float, n_modes: int, partner_tau1_ps: float | None = None) -> dict:
    """analyse_held on the heights so far (the start alone when ``partner_tau1_ps`` is None); a run too short to
    analyse is 'not enough' with the reason."""
    try:
        r = analyse_held(np.asarray(prod["h_top"]), np.asarray(prod["h_bot"]), dt_ps, max(1, n_modes), partner_tau1_ps)
    except ValueError as exc:
        return {"enough": False, "error": str(exc), "tau1_ps": None, "needed_ps": None}
    return r


def run_ribbon(
    pot,
    a_A: float,
    facet: str,
    T_K: float,
    settings: RibbonSettings,
    seed: int,
    workdir,
    log=None,
    say=None,
    partner_tau1_ps: float | None = None,
) -> dict:
    """Equilibrate, then produce in chunks until the equilibrium analysis says enough or ``max_prod_ps``;
    returns height frames, interior MSD and bcc fraction, geometry, the imposed amplitude and the analysis.

    ``partner_tau1_ps``: the other start's tau_1 at the same state point; enough then means 20 x the larger
    capillary tau_1 of the two (``anodeflow.cft.equilibrium.paired_requirement``). Run on the work folder of a
    finished start, this resumes it where it stopped and runs it on (the paired pass, module doc)."""
    s = settings
    geom = s.geometry(a_A, facet)
    dt_fs, sample_ps, cn_min, omp_threads = s.timestep_fs, s.sample_ps, s.cn_min, s.omp_threads
    tdamp = 100 * dt_fs / PS_IN_FS
    nbins = geom["nx"] * s.bins_per_spacing
    rc = CN_CUTOFF_A * a_A
    common = [
        *pot.lammps_commands(mass=True),
        f"timestep {dt_fs / PS_IN_FS}",
        "thermo_style custom step temp pe press",
        "neighbor 1.0 bin",
        "neigh_modify every 1 delay 0 check yes",
        f"compute cna all cna/atom {rc:.4f}",
        "compute msd inner msd com yes",
    ]
    flat = ribbon_commands(a_A, facet, geom["nx"], geom["ny"], geom["nz"], s.vacuum_A, s.orientations)
    lmp = make_lammps(log=log, omp_threads=omp_threads)
    try:
        lmp.commands_list(flat)
        lo, L = _box(lmp)
        z = lmp.numpy.extract_atom("x")[:, 2]
        z_mid = 0.5 * (z.min() + z.max())
        top = z > z.max() - 0.1
        n_top = max(1, int(round(top.sum() / nbins)))
        natoms_flat = lmp.get_natoms()
    finally:
        lmp.close()
    amp = 0.0
    build = flat
    if s.start == "rough":
        amp = s.rough_factor * expected_mode1_amplitude(T_K, geom["b_A"], geom["W_A"], s.gamma_guess_J_m2)
        build = _carved_commands(pot, a_A, facet, geom, s, amp, log)
    elif s.start != "flat":
        raise ValueError(f"ribbon start {s.start!r}: 'flat' or 'rough'")
    half = 0.5 * s.anchor_A
    interior = 0.3 * geom["slab_A"]
    setup = [
        *build,
        f"region mid block INF INF INF INF {z_mid - half:.4f} {z_mid + half:.4f} units box",
        "group mid region mid",
        f"region inner block INF INF INF INF {z_mid - interior:.4f} {z_mid + interior:.4f} units box",
        "group inner region inner",
        *common,
        f"velocity all create {T_K} {seed} mom yes rot no dist gaussian",
    ]
    sample_every = _steps(sample_ps, dt_fs)
    nchunk = _steps(s.prod_ps, dt_fs)
    nchunk = max(sample_every, nchunk - nchunk % sample_every)
    max_chunks = max(1, int(np.ceil(s.max_prod_ps / (nchunk * dt_fs / PS_IN_FS) - 1e-9)))
    fixes = [f"fix ens all nvt temp {T_K} {T_K} {tdamp}", f"fix anchor mid spring/self {s.anchor_k_eV_A2} z"]
    n_modes = s.n_modes(geom["W_A"], a_A)

    def sample(lmp_):
        n = lmp_.get_natoms()
        # gathered over MPI ranks, ordered by atom ID (works serially too)
        pos = np.ctypeslib.as_array(lmp_.gather_atoms("x", 1, 3)).reshape(n, 3).copy()
        lo_, L_ = _box(lmp_)
        cn = coordination(pos - lo_, L_, rc)
        ht, hb = surface_heights(pos - lo_, cn >= cn_min, L_[0], nbins, z_mid - lo_[2], L_[2], n_top)
        cna = np.ctypeslib.as_array(lmp_.gather("c_cna", 1, 1)).reshape(n).copy()
        dz = pos[:, 2] - z_mid
        dz -= L_[2] * np.round(dz / L_[2])
        inner = np.abs(dz) < interior
        msd = lmp_.extract_compute("msd", 0, 1)
        return {
            "h_top": ht,
            "h_bot": hb,
            "bcc_interior": float(np.mean(cna[inner] == 3)),
            # x and z only: along the thin periodic y a ribbon of one spacing has single-atom columns whose
            # y displacements wander (Na (100), b = 1, 390 K: <dy^2> 5.6 A^2 after 80 ps, <dx^2> 1.3, <dz^2> 1.0,
            # CNA-bcc steady) although it is solid; a liquid's MSD grows in x and z as well
            "msd_interior_A2": float(msd[0] + msd[2]),
            "msd_interior_y_A2": float(msd[1]),
            "T": lmp_.get_thermo("temp"),
            "n_solid": int(np.sum(cn >= cn_min)),
        }

    equil = Phase("equil", _steps(s.equil_ps, dt_fs), fixes, ["unfix ens", "unfix anchor"])
    chunk = Phase("prod", nchunk, fixes, ["unfix ens", "unfix anchor"], sample_every, sample)
    fp = chunked_fingerprint(setup, common, equil, chunk, max_chunks, SAMPLER_VERSION)
    analysis: dict = {}
    natoms = natoms_flat
    frames_per_chunk = nchunk // sample_every
    k = 1
    while True:
        lmp = make_lammps(log=log, omp_threads=omp_threads)
        try:
            out = run_phases(lmp, workdir, setup, common, [equil] + [chunk] * k, s.checkpoint_every, fingerprint=fp)
            natoms = lmp.get_natoms()
        finally:
            lmp.close()
        prod = out["prod"]
        k = max(k, len(prod["h_top"]) // frames_per_chunk)  # a resumed work folder may hold more chunks
        # with a partner, the state point's rule (methods.md 7.3): discard 3, then run 20 x the larger tau_1
        analysis = _analyse(prod, sample_ps, n_modes, partner_tau1_ps)
        if partner_tau1_ps is not None:
            analysis["partner_tau1_ps"] = partner_tau1_ps
        if s.start == "rough" and "t_equil_ps" in analysis:  # the imposed mode must have decayed (its phase)
            # stopping is looked at after every chunk: the loop asks for the 10 % point, the verdict the 1 % one
            analysis.update(
                imposed_mode_left(prod["h_top"], prod["h_bot"], sample_ps, analysis["t_equil_ps"], alpha=0.1),
                A1_sq_imposed_A2=amp**2,
            )
            analysis["enough"] = bool(analysis["enough"] and analysis["imposed_mode_decayed"])
        analysis["enough"] = bool(analysis["enough"] and not vibrational(analysis.get("tau1_ps")))
        if say:
            needed = analysis.get("needed_ps")
            say(
                f"chunk {k}/{max_chunks}: {k * nchunk * dt_fs / PS_IN_FS:g} ps, tau1 = {analysis.get('tau1_ps')} ps, "
                f"enough = {analysis['enough']}, needed = {needed} ps"
            )
        if analysis["enough"] or k >= max_chunks:
            break
        if partner_tau1_ps is not None and TAU_MULTIPLE * partner_tau1_ps > s.max_prod_ps:
            # the partner's tau_1 alone asks for more than the cap: the row cannot pass, no MD is spent on it
            analysis["stopped"] = f"23 x the partner's tau_1 exceeds max_prod_ps = {s.max_prod_ps:g} ps"
            break
        k += 1
    prod_ps = len(prod["h_top"]) * sample_every * dt_fs / PS_IN_FS
    return {
        **prod,
        "natoms": int(natoms),
        "nbins": nbins,
        "n_top": n_top,
        "z_mid": z_mid,
        "W_A": float(L[0]),
        "b_A": float(L[1]),
        "Lz_A": float(L[2]),
        "a_A": a_A,
        "facet": facet,
        "T_K": T_K,
        "dt_fs": dt_fs,
        "sample_ps": sample_ps,
        "dt_ps": sample_ps,
        "prod_ps": prod_ps,
        "start": s.start,
        "imposed_amplitude_A": amp,
        "chunks": k,
        "n_modes": n_modes,
        "imposed_mode_decayed": bool(analysis.get("imposed_mode_decayed", True)),
        "analysis": json.dumps(analysis, default=float),
    }
