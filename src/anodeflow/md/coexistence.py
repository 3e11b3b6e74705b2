"""Melting point by solid-liquid coexistence (methods.md 7.4), next to the hysteresis estimate of bulk.py.

A periodic bcc box elongated along z (``cells`` lattice spacings along x, y, z of the interface
orientation ``facet``: (100) by default, so both interfaces are (100) planes) is prepared per temperature T:

1. ``solid``: NPT at T with x and y coupled and z independent (P = 0 on each axis): the crystal takes
   its own lattice at T.
2. ``melt``: the lower half is held (velocities zeroed, ``fix setforce 0 0 0``) while the upper half is
   melted at ``T_hot`` under NVT; 3. ``quench``: the liquid half is brought to T (NVT), the solid half
   still held; at the end the solid half gets velocities at T.
4. ``coex``: everything under NPT at T (x, y coupled, z free, all at P = 0, so the solid keeps its
   unstrained lattice and the liquid its density) for ``run_ps``, sampling the potential energy per atom,
   the pressure components and the box.

With a thermostat the interface does not regulate itself: above T_m the crystal melts at a steady rate,
below it grows. The solid fraction follows from the potential energy, f_s(t) = 1 - (pe(t) - pe_s)/L(T), with
pe_s the crystal's energy at T (second half of the ``solid`` phase) and the latent heat L(T) =
pe_liquid(T) - pe_solid(T) of the hysteresis fits; its rate df_s/dt (a
straight-line fit over the run after ``skip_ps``) is negative above T_m
and positive below. :func:`melting_point_from_rates` takes the highest temperature where the crystal grew
and the lowest where it melted (a rate within two standard errors of zero decides nothing): T_m is the
zero of the rate interpolated linearly between them, its error
half their distance. The scan (``T_over_Tm_hyst`` times the hysteresis T_m) is followed by ``bisections``
runs at the midpoint of the current bracket. The interior CNA-bcc fraction is recorded as a check of the
sign (it under-counts bcc at high T but follows the same trend), and it decides one case the rate cannot: a
crystal that melts through within ``skip_ps`` leaves a liquid with a rate of zero, so a run whose CNA-bcc
falls to zero while its energy ends nearer the liquid's counts as melting (:func:`melted_through`; T_m is
then the bracket's midpoint).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from anodeflow.md.bulk import PS_IN_FS, _steps
from anodeflow.md.engine import Phase, run_phases
from anodeflow.md.lattice import orientation, spacing_factors
from anodeflow.md.ribbon import CN_CUTOFF_A
from anodeflow.md.runtime import make_lammps


@dataclass(frozen=True)
class CoexistenceSettings:
    """One coexistence series (config ``md.coexistence``, per-metal overrides applied; defaults in
    md.schema.yaml). Times in ps, ``cells`` = lattice spacings along x, y, z of the box."""

    cells: tuple
    facet: str
    T_over_Tm_hyst: tuple
    bisections: int
    T_hot_over_Tm_hyst: float
    solid_ps: float
    melt_ps: float
    quench_ps: float
    run_ps: float
    skip_ps: float
    sample_every: int
    dt_fs: float
    seed: int
    checkpoint_every: int
    omp_threads: int

    @classmethod
    def from_config(cls, md: dict, metal: str) -> CoexistenceSettings:
        cc = {k: v for k, v in md["coexistence"].items() if k != "per_metal"}
        cc.update(md["coexistence"].get("per_metal", {}).get(metal, {}))
        return cls(
            cells=tuple(cc["cells"]),
            facet=cc["facet"],
            T_over_Tm_hyst=tuple(cc["T_over_Tm_hyst"]),
            bisections=cc["bisections"],
            T_hot_over_Tm_hyst=cc["T_hot_over_Tm_hyst"],
            solid_ps=cc["solid_ps"],
            melt_ps=cc["melt_ps"],
            quench_ps=cc["quench_ps"],
            run_ps=cc["run_ps"],
            skip_ps=cc["skip_ps"],
            sample_every=cc["sample_every"],
            dt_fs=md["timestep_fs"][metal],
            seed=md["seed"],
            checkpoint_every=md["checkpoint_every"],
            omp_threads=md["omp_threads"],
        )


def box_commands(a_A: float, facet: str, cells) -> list[str]:
    """Periodic bcc box of ``cells`` = (nx, ny, nz) lattice spacings with the ``facet`` planes normal to z."""
    x, y, z = orientation(facet)
    o = lambda v: " ".join(str(i) for i in v)  # noqa: E731
    nx, ny, nz = (int(c) for c in cells)
    return [
        "units metal",
        "atom_style atomic",
        "boundary p p p",
        f"lattice bcc {a_A} orient x {o(x)} orient y {o(y)} orient z {o(z)}",
        f"region box block 0 {nx} 0 {ny} 0 {nz}",
        "create_box 1 box",
        "create_atoms 1 box",
    ]


def coexistence_run(pot, a0_A: float, T_K: float, T_hot_K: float, s: CoexistenceSettings, workdir, log=None) -> dict:
    """One two-phase run at ``T_K``: samples of the coexistence phase (t_ps, pe per atom, pressures, Lz, bcc)."""
    dt = s.dt_fs
    tdamp, pdamp = 100 * dt / PS_IN_FS, 1000 * dt / PS_IN_FS
    sz = spacing_factors(s.facet)[2] * a0_A
    z_half = 0.5 * s.cells[2] * sz
    rc = CN_CUTOFF_A * a0_A * 1.02  # a little thermal expansion
    common = [
        *pot.lammps_commands(mass=True),
        f"timestep {dt / PS_IN_FS}",
        "thermo_style custom step temp pe press pxx pyy pzz lz",
        "neighbor 1.0 bin",
        "neigh_modify every 1 delay 0 check yes",
        f"compute cna all cna/atom {rc:.4f}",
    ]
    # groups by the initial z (stored in restart files); the region spans half the box
    setup = [
        *box_commands(a0_A, s.facet, s.cells),
        f"region lower block INF INF INF INF INF {z_half - 1e-3:.4f} units box",
        "group solid region lower",
        "group liquid subtract all solid",
        *common,
        f"velocity all create {T_K} {s.seed + int(T_K)} mom yes rot no dist gaussian",
    ]
    npt = f"fix ens all npt temp {T_K} {T_K} {tdamp} x 0.0 0.0 {pdamp} y 0.0 0.0 {pdamp} z 0.0 0.0 {pdamp}"
    hold = ["velocity solid set 0.0 0.0 0.0", "fix hold solid setforce 0.0 0.0 0.0"]
    natoms = None

    def sample(lmp):
        n = lmp.get_natoms()
        cna = np.ctypeslib.as_array(lmp.gather("c_cna", 1, 1)).reshape(n)
        return {
            "step": lmp.get_thermo("step"),
            "T": lmp.get_thermo("temp"),
            "pe": lmp.get_thermo("pe") / n,
            "pxx": lmp.get_thermo("pxx"),
            "pyy": lmp.get_thermo("pyy"),
            "pzz": lmp.get_thermo("pzz"),
            "lz": lmp.get_thermo("lz"),
            "bcc": float(np.mean(cna == 3)),
        }

    def sample_solid(lmp):
        return {"pe": lmp.get_thermo("pe") / lmp.get_natoms()}

    nsolid = max(s.sample_every, _steps(s.solid_ps, dt) // s.sample_every * s.sample_every)
    phases = [
        Phase("solid", nsolid, [npt], ["unfix ens"], s.sample_every, sample_solid),
        Phase(
            "melt",
            _steps(s.melt_ps, dt),
            [*hold, f"fix ens liquid nvt temp {T_hot_K} {T_hot_K} {tdamp}"],
            ["unfix ens", "unfix hold"],
        ),
        Phase(
            "quench",
            _steps(s.quench_ps, dt),
            [*hold, f"fix ens liquid nvt temp {T_hot_K} {T_K} {tdamp}"],
            [
                "unfix ens",
                "unfix hold",
                f"velocity solid create {T_K} {s.seed + 7 + int(T_K)} mom yes rot no dist gaussian",
            ],
        ),
        Phase(
            "coex",
            _steps(s.run_ps, dt) // s.sample_every * s.sample_every,
            [npt],
            ["unfix ens"],
            s.sample_every,
            sample,
        ),
    ]
    lmp = make_lammps(log=log, omp_threads=s.omp_threads)
    try:
        out = run_phases(lmp, workdir, setup, common, phases, s.checkpoint_every)
        natoms = lmp.get_natoms()
    finally:
        lmp.close()
    c = out["coex"]
    c["t_ps"] = (c["step"] - c["step"][0] + s.sample_every) * dt / PS_IN_FS
    c["natoms"] = int(natoms)
    pe_s = np.asarray(out["solid"]["pe"])
    c["pe_solid"] = float(pe_s[len(pe_s) // 2 :].mean())  # the crystal at T, second half of its NPT phase
    return c


def solid_fraction(pe, latent_eV: float, pe_solid: float | None = None, f0: float = 0.5) -> np.ndarray:
    """Solid fraction from the potential energy per atom: 1 - (pe - pe_solid)/latent with the crystal's energy
    ``pe_solid`` at the same T; without it, ``f0`` at the first sample."""
    pe = np.asarray(pe, float)
    if pe_solid is None:
        return f0 - (pe - pe[:3].mean()) / latent_eV
    return 1.0 - (pe - pe_solid) / latent_eV


def solid_fraction_rate(
    t_ps, pe, latent_eV: float, skip_ps: float, pe_solid: float | None = None, f0: float = 0.5
) -> dict:
    """Rate of change of the solid fraction (1/ps) from the potential energy per atom ``pe`` (eV) at times ``t_ps``.

    f_s(t) from :func:`solid_fraction`; the rate is the slope of a straight line fitted over all of
    t >= skip_ps, with its standard error from the residuals. No window is cut by thresholds on f_s (with a
    latent heat from a small hysteresis cell the scale of f_s is uncertain, and a cut then fitted a few noisy
    points): a run that melts or freezes through before its end has a smaller slope, of the right sign.
    Positive: the crystal grows (T < T_m).
    """
    t, pe = np.asarray(t_ps, float), np.asarray(pe, float)
    keep = t >= skip_ps
    if keep.sum() < 3:
        keep = np.ones_like(t, bool)
    t, pe = t[keep], pe[keep]
    f = solid_fraction(pe, latent_eV, pe_solid, f0)
    n = len(f)
    nq = max(1, n // 10)
    out = {"f_start": float(f[:nq].mean()), "f_end": float(f[-nq:].mean()), "n_fit": int(n)}
    if n < 3:
        return {**out, "rate_per_ps": float("nan"), "rate_stderr_per_ps": float("nan")}
    A = np.vstack([t, np.ones_like(t)]).T
    coef, *_ = np.linalg.lstsq(A, f, rcond=None)
    resid = f - A @ coef
    se = float(np.sqrt(resid @ resid / max(1, n - 2) / np.sum((t - t.mean()) ** 2)))
    return {**out, "rate_per_ps": float(coef[0]), "rate_stderr_per_ps": se}


#: a coexistence run whose interior CNA-bcc fraction ends below this, having started above it, melted through
MELTED_BCC = 0.01


def melted_through(bcc_start: float, bcc_end: float, f_end: float) -> bool:
    """Did the crystal of a coexistence run melt completely? Two signs, both needed: its CNA-bcc fraction over the
    last fifth of the run (``bcc_end``) is below ``MELTED_BCC`` having been above it over the first fifth
    (``bcc_start``), and its energy at the end, ``f_end`` (:func:`solid_fraction`), is nearer the liquid's than
    the crystal's (< 1/2). Such a run can
    melt through before the rate's fit window (``skip_ps``) and then show a rate of zero. CNA-bcc alone is not
    enough: it is zero in a liquid, but also in a crystal that left bcc for a close-packed stacking (seen with
    Li q-SNAP at 479 K: CNA-bcc 0.04 -> 0, energy at the crystal's, the box 6 % shorter)."""
    return bool(bcc_end < MELTED_BCC <= bcc_start and f_end < 0.5)


def melting_point_from_rates(T_K, rate, rate_err=None, n_sigma: float = 2.0, melted=None) -> dict:
    """T_m from solid-fraction rates (positive: the crystal grows) at temperatures ``T_K``.

    With ``rate_err``, a run whose rate is within ``n_sigma`` errors of zero decides nothing (it is listed in
    ``undecided_K``) and does not set the bracket. A run flagged in ``melted`` (:func:`melted_through`) is a
    decided melting run whatever its rate; when it is the upper end of the bracket, its rate says nothing about
    how fast, so T_m is the bracket's midpoint and the error half its width.

    Lower end of the bracket: the highest T with a positive rate; upper end: the lowest T with a negative
    rate. When they are in order (growth below, melting above) T_m is the zero of the straight line through
    the two rates and the error half the bracket. When noise puts a melting run below a growing one, the
    bracket is the span of the inconsistent runs, T_m its midpoint, the error half its width
    (``consistent`` False). Without both signs T_m is None and ``note`` says which way to extend the scan.
    """
    T, r = np.asarray(T_K, float), np.asarray(rate, float)
    e = np.zeros_like(r) if rate_err is None else np.nan_to_num(np.asarray(rate_err, float), nan=np.inf)
    m = np.zeros(len(T), bool) if melted is None else np.asarray(melted, bool)
    ok = np.isfinite(r) | m
    T, r, e, m = T[ok], r[ok], e[ok], m[ok]
    decided = (np.abs(r) > n_sigma * e) | m
    grow, melt = T[decided & (r > 0) & ~m], T[decided & ((r < 0) | m)]
    out = {
        "Tm_K": None,
        "Tm_err_K": None,
        "bracket_K": None,
        "consistent": None,
        "note": None,
        "undecided_K": T[~decided].tolist(),
        "melted_through_K": T[m].tolist(),
    }
    if not len(grow):
        out["note"] = "the crystal melted at every temperature: extend the scan to lower T"
        return out
    if not len(melt):
        out["note"] = "the crystal grew at every temperature: extend the scan to higher T"
        return out
    lo, hi = float(grow.max()), float(melt.min())
    if lo < hi:
        r_lo, r_hi = float(r[T == lo].mean()), float(r[T == hi].mean())
        tm = 0.5 * (lo + hi) if m[T == hi].any() else lo + (hi - lo) * r_lo / (r_lo - r_hi)
        out.update(Tm_K=float(tm), Tm_err_K=0.5 * (hi - lo), bracket_K=[lo, hi], consistent=True)
    else:
        a, b = float(melt.min()), float(grow.max())
        out.update(
            Tm_K=0.5 * (a + b),
            Tm_err_K=0.5 * (b - a),
            bracket_K=[a, b],
            consistent=False,
            note="growth and melting runs overlap in T (noise near T_m): error = half the overlap",
        )
    return out


def next_temperature(T_K, rate, rate_err=None, melted=None) -> float | None:
    """Midpoint of the current bracket (:func:`melting_point_from_rates`), or None without a bracket."""
    b = melting_point_from_rates(T_K, rate, rate_err, melted=melted)
    if b["bracket_K"] is None:
        return None
    lo, hi = b["bracket_K"]
    return round(0.5 * (lo + hi), 1)


def coexistence_melting_point(
    pot, a0_A: float, Tm_hyst_K: float, latent_of_T, s: CoexistenceSettings, workdir, log_of=None, say=print
) -> dict:
    """The scan and bisections: per-T runs under ``workdir``/T<T>, rates, T_m and its error.

    ``latent_of_T(T) -> eV/atom`` (liquid minus solid line of the hysteresis fits); ``log_of(wd)`` the LAMMPS
    log path of a run folder.
    """
    from pathlib import Path

    runs: dict[float, dict] = {}
    T_hot = s.T_hot_over_Tm_hyst * Tm_hyst_K

    def one(T):
        T = round(float(T), 1)
        if T in runs:
            return
        wd = Path(workdir) / f"T{T:g}"
        c = coexistence_run(pot, a0_A, T, T_hot, s, wd, log=log_of(wd) if log_of else None)
        L = float(latent_of_T(T))
        r = solid_fraction_rate(c["t_ps"], c["pe"], L, s.skip_ps, c["pe_solid"])
        bcc = np.asarray(c["bcc"])
        nq = max(1, len(bcc) // 5)
        bcc_start, bcc_end = float(bcc[:nq].mean()), float(bcc[-nq:].mean())
        runs[T] = {
            "T_K": T,
            **r,
            "latent_eV_per_atom": L,
            "T_mean_K": float(np.mean(c["T"])),
            "pxx_bar": float(np.mean(c["pxx"])),
            "pyy_bar": float(np.mean(c["pyy"])),
            "pzz_bar": float(np.mean(c["pzz"])),
            "bcc_start": bcc_start,
            "bcc_end": bcc_end,
            "melted_through": melted_through(bcc_start, bcc_end, r["f_end"]),
            "natoms": c["natoms"],
            "Lz_A": float(np.mean(c["lz"])),
            "pe_solid_eV": c["pe_solid"],
            "trace": c,
        }
        say(
            f"coexistence T = {T:g} K: d(f_solid)/dt = {r['rate_per_ps']:+.4f} +- {r['rate_stderr_per_ps']:.4f} /ps, "
            f"f_solid {r['f_start']:.2f} -> {r['f_end']:.2f}, "
            f"CNA-bcc {runs[T]['bcc_start']:.2f} -> {runs[T]['bcc_end']:.2f}, "
            f"Pzz {runs[T]['pzz_bar']:.0f} bar" + (" (melted through)" if runs[T]["melted_through"] else "")
        )

    for f in s.T_over_Tm_hyst:
        one(f * Tm_hyst_K)
    for _ in range(s.bisections):
        Ts = sorted(runs)
        Tn = next_temperature(
            Ts,
            [runs[t]["rate_per_ps"] for t in Ts],
            [runs[t]["rate_stderr_per_ps"] for t in Ts],
            [runs[t]["melted_through"] for t in Ts],
        )
        if Tn is None or Tn in runs:
            break
        one(Tn)
    Ts = sorted(runs)
    res = melting_point_from_rates(
        Ts,
        [runs[t]["rate_per_ps"] for t in Ts],
        [runs[t]["rate_stderr_per_ps"] for t in Ts],
        melted=[runs[t]["melted_through"] for t in Ts],
    )
    return {**res, "runs": [runs[t] for t in Ts]}
