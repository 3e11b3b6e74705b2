"""Bulk MD: melting point by heating/cooling hysteresis, and thermal expansion a(T) (NPT).

Melting (methods.md 7.1): a periodic bcc crystal is heated at a constant rate under NPT
(P = 0) from ``T_min`` to ``T_max``, held, and cooled back at the same rate. The potential
energy per atom follows the solid line, jumps up at the superheating temperature T+
(homogeneous melting, no free surface to nucleate the liquid) and drops on cooling at the
undercooling temperature T- (crystallisation). The estimate

    T_m = T+ + T- - sqrt(T+ T-)

is the hysteresis formula of Luo, Strachan & Swift, J. Chem. Phys. 120, 11640 (2004)
(its derivation assumes the same reduced nucleation barriers on both sides).

T+ and T- are read off as the set-point temperatures at which the potential energy crosses
the midpoint between the solid and liquid lines (each fitted linearly, solid on the
lowest ``fit_fraction`` of the heating ramp, liquid on the first ``fit_fraction`` of the
cooling ramp, which starts from the melt held at T_max). A ramp that never crosses gives None and
``T_m`` is then not reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from anodeflow.md.engine import Phase, run_phases
from anodeflow.md.lattice import bulk_commands
from anodeflow.md.runtime import make_lammps

PS_IN_FS = 1000.0

#: experimental melting points (K): CRC Handbook of Chemistry and Physics, 97th ed.
EXPERIMENT_TM_K = {"Li": 453.65, "Na": 370.87, "K": 336.53}


def _steps(ps: float, dt_fs: float) -> int:
    return max(1, int(round(ps * PS_IN_FS / dt_fs)))


def _common(pot, dt_fs: float, thermo_every: int) -> list[str]:
    return [
        *pot.lammps_commands(mass=True),
        f"timestep {dt_fs / PS_IN_FS}",
        "thermo_style custom step temp pe vol press",
        f"thermo {thermo_every}",
        "neighbor 1.0 bin",
        "neigh_modify every 1 delay 0 check yes",
    ]


def _thermo_sampler(natoms: int):
    def sample(lmp):
        return {
            "step": lmp.get_thermo("step"),
            "T": lmp.get_thermo("temp"),
            "pe": lmp.get_thermo("pe") / natoms,
            "vol": lmp.get_thermo("vol") / natoms,
        }

    return sample


@dataclass(frozen=True)
class MeltingRamp:
    """An NPT heat -> hold -> cool ramp of a bcc crystal of ``cells``^3 conventional cells (config
    ``md.melting`` and ``md``; defaults in md.schema.yaml). ``cool_rate_K_per_ps`` None cools at the
    heating rate."""

    cells: int
    T_min_K: float
    T_max_K: float
    rate_K_per_ps: float
    hold_ps: float
    dt_fs: float
    seed: int
    sample_every: int
    checkpoint_every: int
    omp_threads: int
    cool_rate_K_per_ps: float | None = None

    @classmethod
    def from_config(cls, md: dict, metal: str) -> MeltingRamp:
        mc = md["melting"]
        tmin, tmax = mc["T_range_K"][metal]
        return cls(
            cells=mc["cells"],
            T_min_K=tmin,
            T_max_K=tmax,
            rate_K_per_ps=mc["rate_K_per_ps"],
            hold_ps=mc["hold_ps"],
            dt_fs=md["timestep_fs"][metal],
            seed=md["seed"],
            sample_every=mc["sample_every"],
            checkpoint_every=md["checkpoint_every"],
            omp_threads=md["omp_threads"],
            cool_rate_K_per_ps=mc["cool_rate_K_per_ps"],
        )


@dataclass(frozen=True)
class NPTRun:
    """An NPT (P = 0) bulk run at ``T_K``: equilibration, then sampled production (config
    ``md.expansion`` and ``md``)."""

    cells: int
    T_K: float
    equil_ps: float
    prod_ps: float
    dt_fs: float
    seed: int
    sample_every: int
    checkpoint_every: int
    omp_threads: int

    @classmethod
    def from_config(cls, md: dict, metal: str, T_K: float) -> NPTRun:
        ec = md["expansion"]
        return cls(
            cells=ec["cells"],
            T_K=T_K,
            equil_ps=ec["equil_ps"],
            prod_ps=ec["prod_ps"],
            dt_fs=md["timestep_fs"][metal],
            seed=md["seed"],
            sample_every=ec["sample_every"],
            checkpoint_every=md["checkpoint_every"],
            omp_threads=md["omp_threads"],
        )


def melting_run(pot, a0_A: float, ramp: MeltingRamp, workdir, log=None) -> dict:
    """Heat -> hold -> cool NPT ramps. Returns per-phase samples with the set-point T ('T_set')."""
    cells, T_min_K, T_max_K, rate_K_per_ps = ramp.cells, ramp.T_min_K, ramp.T_max_K, ramp.rate_K_per_ps
    dt_fs, sample_every, seed = ramp.dt_fs, ramp.sample_every, ramp.seed
    n = 2 * cells**3
    span = T_max_K - T_min_K
    nramp, nhold = _steps(span / rate_K_per_ps, dt_fs), _steps(ramp.hold_ps, dt_fs)
    ncool = _steps(span / (ramp.cool_rate_K_per_ps or rate_K_per_ps), dt_fs)
    nramp -= nramp % sample_every
    ncool -= ncool % sample_every
    tdamp, pdamp = 100 * dt_fs / PS_IN_FS, 1000 * dt_fs / PS_IN_FS
    setup = [
        *bulk_commands(a0_A, cells),
        *_common(pot, dt_fs, sample_every),
        f"velocity all create {T_min_K} {seed} mom yes rot no dist gaussian",
    ]
    after = _common(pot, dt_fs, sample_every)
    npt = lambda t0, t1: f"fix ens all npt temp {t0} {t1} {tdamp} iso 0.0 0.0 {pdamp}"  # noqa: E731
    smp = _thermo_sampler(n)
    phases = [
        Phase("equil", nhold, [npt(T_min_K, T_min_K)], ["unfix ens"]),
        Phase("heat", nramp, [npt(T_min_K, T_max_K)], ["unfix ens"], sample_every, smp),
        Phase("hold", nhold, [npt(T_max_K, T_max_K)], ["unfix ens"]),
        Phase("cool", ncool, [npt(T_max_K, T_min_K)], ["unfix ens"], sample_every, smp),
    ]
    lmp = make_lammps(log=log, omp_threads=ramp.omp_threads)
    try:
        out = run_phases(lmp, workdir, setup, after, phases, ramp.checkpoint_every)
    finally:
        lmp.close()
    for name, (t0, t1), nr in (("heat", (T_min_K, T_max_K), nramp), ("cool", (T_max_K, T_min_K), ncool)):
        d = out[name]
        frac = (d["step"] - d["step"][0] + sample_every) / nr
        d["T_set"] = t0 + (t1 - t0) * frac
    out["natoms"] = n
    return out


def _block_mean(y: np.ndarray, width: int) -> np.ndarray:
    if width <= 1:
        return y
    k = np.ones(width) / width
    return np.convolve(y, k, mode="same")


def hysteresis_temperatures(T_heat, pe_heat, T_cool, pe_cool, fit_fraction: float, smooth: int = 5) -> dict:
    """T+ and T- from potential energy per atom vs set-point temperature on heating and cooling.

    Solid line: linear fit of the lowest ``fit_fraction`` of the heating ramp. Liquid line:
    linear fit of the first ``fit_fraction`` of the cooling ramp (it starts from the melt held
    at T_max). T+ = first set-point T on heating where the
    (running-mean) energy rises above the midpoint line; T- = first T on cooling where it
    falls below it. None when the ramp never crosses (no melting / no crystallisation).
    """
    T_heat, pe_heat, T_cool, pe_cool = map(np.asarray, (T_heat, pe_heat, T_cool, pe_cool))
    nh, nc = len(T_heat), len(T_cool)
    ks, kl = max(3, int(fit_fraction * nh)), max(3, int(fit_fraction * nc))
    sol = np.polyfit(T_heat[:ks], pe_heat[:ks], 1)
    liq = np.polyfit(T_cool[:kl], pe_cool[:kl], 1)
    mid = lambda T: 0.5 * (np.polyval(sol, T) + np.polyval(liq, T))  # noqa: E731
    latent = lambda T: np.polyval(liq, T) - np.polyval(sol, T)  # noqa: E731
    ph, pc = _block_mean(pe_heat, smooth), _block_mean(pe_cool, smooth)
    edge = smooth // 2
    out = {"T_plus_K": None, "T_minus_K": None, "solid_fit": sol.tolist(), "liquid_fit": liq.tolist()}
    above = np.nonzero(ph[edge : nh - edge] > mid(T_heat[edge : nh - edge]))[0]
    if len(above) and latent(T_heat[edge + above[0]]) > 0:
        out["T_plus_K"] = float(T_heat[edge + above[0]])
    below = np.nonzero(pc[edge : nc - edge] < mid(T_cool[edge : nc - edge]))[0]
    if len(below):
        out["T_minus_K"] = float(T_cool[edge + below[0]])
    tp = out["T_plus_K"]
    out["latent_heat_eV_per_atom"] = float(latent(tp)) if tp else None
    return out


def melting_temperature(T_plus: float | None, T_minus: float | None) -> float | None:
    """T_m = T+ + T- - sqrt(T+ T-) (Luo et al. 2004); None if either is missing."""
    if T_plus is None or T_minus is None:
        return None
    return float(T_plus + T_minus - np.sqrt(T_plus * T_minus))


def expansion_run(pot, a0_A: float, run: NPTRun, workdir, log=None) -> dict:
    """NPT (P = 0) bulk at T: returns samples of the production phase."""
    cells, T_K, dt_fs, seed, sample_every = run.cells, run.T_K, run.dt_fs, run.seed, run.sample_every
    n = 2 * cells**3
    tdamp, pdamp = 100 * dt_fs / PS_IN_FS, 1000 * dt_fs / PS_IN_FS
    setup = [
        *bulk_commands(a0_A, cells),
        *_common(pot, dt_fs, sample_every),
        f"velocity all create {T_K} {seed} mom yes rot no dist gaussian",
    ]
    fix = [f"fix ens all npt temp {T_K} {T_K} {tdamp} iso 0.0 0.0 {pdamp}"]
    phases = [
        Phase("equil", _steps(run.equil_ps, dt_fs), fix, ["unfix ens"]),
        Phase("prod", _steps(run.prod_ps, dt_fs), fix, ["unfix ens"], sample_every, _thermo_sampler(n)),
    ]
    lmp = make_lammps(log=log, omp_threads=run.omp_threads)
    try:
        out = run_phases(lmp, workdir, setup, _common(pot, dt_fs, sample_every), phases, run.checkpoint_every)
    finally:
        lmp.close()
    return out["prod"]


def lattice_constant(vol_per_atom, nblocks: int = 5) -> tuple[float, float]:
    """bcc lattice constant a = (2 V/N)^(1/3) and its standard error from ``nblocks`` blocks."""
    a = (2.0 * np.asarray(vol_per_atom)) ** (1.0 / 3.0)
    blocks = np.array_split(a, nblocks)
    means = np.array([b.mean() for b in blocks if len(b)])
    return float(a.mean()), float(means.std(ddof=1) / np.sqrt(len(means))) if len(means) > 1 else float("nan")


def a_of_T(table, T_K: float) -> float:
    """Lattice constant at ``T_K`` by linear interpolation (linear extrapolation outside) of a
    thermal-expansion table with columns T_K, a_A."""
    T = np.asarray(table["T_K"], float)
    a = np.asarray(table["a_A"], float)
    o = np.argsort(T)
    T, a = T[o], a[o]
    if len(T) == 1:
        return float(a[0])
    if T_K <= T[0] or T_K >= T[-1]:
        i = slice(0, 2) if T_K <= T[0] else slice(-2, None)
        p = np.polyfit(T[i], a[i], 1)
        return float(np.polyval(p, T_K))
    return float(np.interp(T_K, T, a))


@dataclass(frozen=True)
class LiquidRun:
    """A bulk liquid at ``T_K``, the reference of the ribbons' solid test (methods.md 7.3): a bcc cube of
    ``cells``^3 conventional cells melted under NPT (P = 0) at ``T_melt_K`` for ``melt_ps``, brought to T
    (``equil_ps``), then ``prod_ps`` sampled every ``sample_every`` steps (config ``md.liquid``).

    Below T_m the melt of a small periodic box crystallises within tens of ps (Na EAM, 128 atoms, 413 K =
    0.9 T_m: CNA-bcc 0.31 after 20 ps, its MSD rate ~0), so :meth:`from_config` runs the reference at
    max(T, T_m) when the potential's T_m is known. D_liq falls on cooling, so D_liq(T_m) >= D_liq(T): the
    ribbon's rate ratio is then slightly underestimated (Na EAM: 0.73 A^2/ps at 413 K, see docs/md.md), a
    small bias against a factor-10 threshold."""

    cells: int
    T_K: float
    T_melt_K: float
    melt_ps: float
    equil_ps: float
    prod_ps: float
    dt_fs: float
    seed: int
    sample_every: int
    checkpoint_every: int
    omp_threads: int

    @classmethod
    def from_config(cls, md: dict, metal: str, T_K: float, Tm_K: float | None = None) -> LiquidRun:
        lc = md["liquid"]
        T_run = max(T_K, Tm_K) if Tm_K else T_K
        return cls(
            cells=lc["cells"],
            T_K=T_run,
            T_melt_K=lc["T_melt_factor"] * T_run,
            melt_ps=lc["melt_ps"],
            equil_ps=lc["equil_ps"],
            prod_ps=lc["prod_ps"],
            dt_fs=md["timestep_fs"][metal],
            seed=md["seed"] + 17,
            sample_every=lc["sample_every"],
            checkpoint_every=md["checkpoint_every"],
            omp_threads=md["omp_threads"],
        )


def liquid_run(pot, a0_A: float, run: LiquidRun, workdir, log=None) -> dict:
    """Melt, then sample the liquid at T: ``t_ps``, ``msd_xz_A2`` (mean-square displacement in x and z, centre
    of mass removed, as the ribbons' interior MSD), ``bcc`` (CNA-bcc fraction; a liquid has < 0.05), ``T``."""
    n = 2 * run.cells**3
    dt_fs, T, Th = run.dt_fs, run.T_K, run.T_melt_K
    tdamp, pdamp = 100 * dt_fs / PS_IN_FS, 1000 * dt_fs / PS_IN_FS
    rc = 0.5 * (1 + np.sqrt(2)) * a0_A
    common = [*_common(pot, dt_fs, run.sample_every), f"compute cna all cna/atom {rc:.4f}"]
    setup = [
        *bulk_commands(a0_A, run.cells),
        *common,
        f"velocity all create {Th} {run.seed} mom yes rot no dist gaussian",
    ]
    # the MSD is defined at the start of production (its slope, not its origin, is what is compared)
    prod_fix = ["compute msd all msd com yes", f"fix ens all npt temp {T} {T} {tdamp} iso 0.0 0.0 {pdamp}"]

    def sample(lmp):
        msd = lmp.extract_compute("msd", 0, 1)
        cna = np.ctypeslib.as_array(lmp.gather("c_cna", 1, 1)).reshape(n)
        return {
            "step": lmp.get_thermo("step"),
            "T": lmp.get_thermo("temp"),
            "msd_xz_A2": float(msd[0] + msd[2]),
            "bcc": float(np.mean(cna == 3)),
        }

    phases = [
        Phase(
            "melt",
            _steps(run.melt_ps, dt_fs),
            [f"fix ens all npt temp {Th} {Th} {tdamp} iso 0.0 0.0 {pdamp}"],
            ["unfix ens"],
        ),
        Phase(
            "cool",
            _steps(run.equil_ps, dt_fs),
            [f"fix ens all npt temp {Th} {T} {tdamp} iso 0.0 0.0 {pdamp}"],
            ["unfix ens"],
        ),
        Phase("prod", _steps(run.prod_ps, dt_fs), prod_fix, ["unfix ens", "uncompute msd"], run.sample_every, sample),
    ]
    lmp = make_lammps(log=log, omp_threads=run.omp_threads)
    try:
        out = run_phases(lmp, workdir, setup, common, phases, run.checkpoint_every)
    finally:
        lmp.close()
    prod = out["prod"]
    step = np.asarray(prod["step"], float)
    prod["t_ps"] = (step - step[0]) * dt_fs / PS_IN_FS
    return prod
