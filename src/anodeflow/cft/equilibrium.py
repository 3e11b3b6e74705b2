"""Equilibrium capillary spectra: relaxation times, equilibration, two starts, stiffness (methods.md §7.3).

A stiffness is reported only from a spectrum that is shown to be in equilibrium. Below a facet's roughening
temperature the long modes relax by activated processes on nanoseconds or longer, so a short run whose
spectrum looks white proves nothing: it gives neither a number nor a bound. The protocol, per
(metal, facet, T, b):

1. Two starts: one flat, one pre-roughened (mode 1 imposed at several times its expected equilibrium
   amplitude). Each start gives height frames of its two free surfaces, ``h_top`` and ``h_bot``
   (n_frames, N) on N native bins of the period W, sampled every ``dt_ps``.
2. ``mode_series``: per frame, the mean height removed, ``A_k = rfft(h)/N`` (forward normalisation,
   A_k = (1/N) sum_j h_j exp(-i k x_j)), modes n = 1 .. n_modes, k = 2 pi n / W (``mode_wavenumbers``).
3. ``analyse_start``: the equilibrated part begins at ``t_equil`` = ``min_discard_tau`` (3) tau_1, with
   tau_1 measured on the run's second half (below). In the Ornstein-Uhlenbeck picture of a mode, an
   imposed excess of mode 1 decays as exp(-t/tau_1) and its power as exp(-2t/tau_1): after 3 tau_1 an
   excess of 25x in |A_1|^2 is down to 0.06x. The second half of a run that is long enough (>= 6 tau_1)
   holds no transient, and one that is not gives a longer tau_1 (the decaying excess keeps C(t) up), so
   the rule errs towards a longer run (on average: tau_1 of one run scatters by +-50 %). pymbar's
   ``timeseries.detect_equilibration`` (maximum number of uncorrelated samples, Chodera, JCTC 12, 1799
   (2016)) on |A_1(t)|^2 of each surface (the later of the two) is the check for a transient that outlives
   3 tau_1 (an imposed mode that decays slower than the equilibrium tau_1): when it starts later and mode 1's
   power before its start exceeds the power after it by more than ``drift_z_max`` (2.5) errors of an OU
   mode (``_drift_z``), the equilibrated part starts there (``transient``). Alone it is not the start: on
   the Na ribbons it put the start at the run's end (3.6-8.2 of 8.2 ns), because in equilibrium |A_1|^2 is exponentially
   distributed and correlated over ~tau_1/2, so a nanosecond-long excursion of a mode with tau_1 ~ 2 ns
   is equilibrium, which the criterion reads as a transient, and the part after it is a few hundred ps
   long, too short to show tau_1 (benchmarks/README.md, 2026-12-07; docs/md.md). Taking tau_1 on that
   tail kept ``needed_ps`` just ahead of every run. On the equilibrated part:

   * tau_k, the relaxation time of mode k, from the autocorrelation C(t) of A_k (Re and Im parts of both
     surfaces pooled): ln C(t) = -t/tau_k fitted over the lags before C first drops below 1/e. For a mode
     that relaxes as exp(-t/tau) (Ornstein-Uhlenbeck) this is tau, with a scatter of ~5 % on 200 tau of
     data where the integrated time (g - 1)/2 dt of pymbar's statistical inefficiency g scatters by
     ~15 %; the integrated time is reported beside it (``tau_int_ps``, about the sample mean: a check on
     the fast part only). The power |A_k|^2 of such a mode decorrelates twice as fast (exp(-2t/tau)).
     C(t) is taken about zero, not about the sample mean: the surface is periodic along x, so in
     equilibrium the phase of A_k is uniform and <A_k> = 0 (k is never a reciprocal-lattice vector,
     k < 2 pi / a). A mode frozen at a nonzero amplitude (a carved profile whose terraces do not move)
     keeps C(t) near 1; about its own mean it would show only the vibrational decay about the frozen
     profile (0.3-0.7 ps for the Na ribbons whose pre-roughened mode 1 kept 80-115 % of its power over
     600 ps). When C stays above 1/e over the longest lag used (half the run), tau_k is not resolved:
     it is reported as that lag, a lower limit (``tau_resolved`` False).
   * P_k = <|A_k|^2> over the equilibrated frames of both surfaces; its standard error
     P_err = std(|A_k|^2) * sqrt(g_P / n), with g_P the statistical inefficiency of the power series
     (both surfaces pooled). The standard error over ``n_blocks`` contiguous blocks is reported beside
     it (``P_err_blocks``) as a check.
   * ``enough``: the equilibrated part is at least ``tau_multiple`` (20) tau_1 long; ``needed_ps`` is the
     total run length that would satisfy it at the measured tau_1 (a lower estimate: a run much shorter
     than tau_1 underestimates tau_1).
4. ``compare_starts``: z_k = (P_k^a - P_k^b) / sqrt(err_a^2 + err_b^2) over the fitted modes. The starts
   agree when max |z_k| stays below the family-wise threshold of ``n_sigma``: the z* at which the chance
   that any of the n modes exceeds it by accident equals the two-sided chance of one n_sigma deviation
   (Sidak), so six modes are not rejected more often than one would be (n_sigma = 2: z* = 2.66 for
   6 modes).
5. ``fit_stiffness``: weighted linear least squares of P_k = a / k^2 + c (weights 1/P_err^2; c absorbs the
   white vibrational floor), over at least ``min_modes`` = 6 modes. Equipartition of the capillary
   energy E = (b gamma~/2) int (dh/dx)^2 dx = b W gamma~ sum_{n>0} k^2 |A_k|^2 gives
   <|A_k|^2> = k_B T / (b W gamma~ k^2), so gamma~ = k_B T / (b W a). The standard error comes from the
   fit covariance with the per-mode errors (replicas: both starts and both surfaces; blocks: the
   statistical inefficiency), scaled up by sqrt(chi2_red) when the scatter exceeds the errors.
6. ``verdict``: one row per (metal, facet, T, b) with ``status``

   * ``"not equilibrated within t"``: a start's equilibrated part is shorter than tau_multiple tau_1 of the
     state point, the larger capillary tau_1 of the starts (``state_point_tau1``, ``paired_requirement``: each
     start's P_1 error scales with the true tau_1 of mode 1, so a start may not stop on a shorter tau_1 of its
     own); tau1_ps, tau1_required_ps and needed_ps say how long a run would be needed;
   * ``"starts disagree"``: both long enough, but the flat and pre-roughened spectra differ beyond their
     errors (one of them is stuck: not ergodic on this time scale);
   * ``"no capillary signal"``: equilibrated and agreeing, but the 1/k^2 amplitude is not significantly
     positive (below ``min_significance`` standard errors): a white spectrum, the floor only;
   * ``"equilibrated"``: the only status with a stiffness (``stiffness_J_m2``, ``stderr_J_m2``).

   No other status carries a stiffness or a bound.

Units: lengths in Angstrom, times in ps, P in Angstrom^2, stiffness in J/m^2 (``anodeflow.constants``).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from anodeflow.constants import EV_PER_A2_IN_J_PER_M2, KB_EV_PER_K

#: a mode-1 relaxation time this short is the atoms' vibration (0.3-0.7 ps on the Na ribbons), not a capillary
#: relaxation (ns): a ribbon's production does not stop on it (anodeflow.md.ribbon), and a state point's tau_1
#: leaves it out when another start measured a capillary one (combined_tau1)
VIBRATIONAL_TAU_PS = 10.0

STATUSES = ("equilibrated", "not equilibrated within t", "starts disagree", "no capillary signal")


def _timeseries():
    """pymbar.timeseries, imported on first use (pymbar prints notices on import)."""
    from pymbar import timeseries

    return timeseries


def mode_wavenumbers(W_A: float, n_modes: int) -> np.ndarray:
    """k_n = 2 pi n / W (1/Angstrom), n = 1 .. n_modes."""
    return 2 * np.pi * np.arange(1, n_modes + 1) / W_A


def mode_series(h: np.ndarray, n_modes: int) -> np.ndarray:
    """Complex mode amplitudes A_k(t), shape (n_frames, n_modes), of height frames ``h`` (n_frames, N).

    Per frame the mean height is removed, then A_k = rfft(h)/N on the N native bins (no interpolation),
    modes n = 1 .. n_modes (n_modes <= (N-1)//2, below the Nyquist mode). A frame with an empty bin
    (NaN) gives a row of NaN: the time axis is kept, and ``analyse_start`` drops such frames and counts
    them.
    """
    h = np.asarray(h, float)
    if h.ndim == 1:
        h = h[None, :]
    N = h.shape[1]
    if not 1 <= n_modes <= (N - 1) // 2:
        raise ValueError(f"n_modes = {n_modes}: need 1 <= n_modes <= (N-1)//2 = {(N - 1) // 2} for N = {N} bins")
    A = np.fft.rfft(h - h.mean(axis=1, keepdims=True), axis=1)[:, 1 : n_modes + 1] / N
    A[~np.all(np.isfinite(h), axis=1)] = np.nan
    return A


def _g(series: list[np.ndarray]) -> float:
    """Statistical inefficiency of one or several series of the same observable (pymbar); 1 for a
    constant series (no fluctuation: nothing is correlated)."""
    series = [np.asarray(s, float) for s in series if len(s) > 1]
    if not series or max(np.std(s) for s in series) == 0:
        return 1.0
    return float(_timeseries().statistical_inefficiency_multiple(series))


#: chance that an equilibrated start is flagged as keeping its imposed mode (``imposed_mode_left``)
IMPOSED_FALSE_ALARM = 0.01
#: batches of the equilibrated frames in ``imposed_mode_left`` (at the stopping length, 20 tau_1, 4 tau_1 each)
IMPOSED_BATCHES = 5


def imposed_mode_left(
    h_top: np.ndarray, h_bot: np.ndarray, dt_ps: float, t_equil_ps: float, alpha: float = IMPOSED_FALSE_ALARM
) -> dict:
    """Is a phase-locked part of mode 1 left over the equilibrated frames (from ``t_equil_ps``)? The rough start
    imposes A_1 = +A on the top surface and -A on the bottom one; a carved profile that stays (below roughening)
    keeps its phase. In equilibrium the phase of A_1 is uniform and <A_1> = 0. Per surface, batch means: the
    equilibrated A_1(t) in B = ``IMPOSED_BATCHES`` contiguous batches with means b_i and overall mean m;
    z = B |m|^2 / s^2, s^2 = sum |b_i - m|^2 / (B - 1), is F(2, 2(B - 1))-distributed about a zero mean (batches
    longer than the correlation time), at any run length. The mode has decayed unless either surface's z exceeds
    the F point of chance 1 - (1 - ``alpha``)^(1/2) (Sidak over the two surfaces; alpha 1 %: 11.0), so no sign
    convention of the surfaces enters. A test of the phase, not of the power: a stiffness below the guess that set
    A (``cft.gamma_guess_J_m2``) puts the equilibrium <|A_1|^2> near A^2 itself (Na (100), b = 2, 413 K: 1.06 A^2
    against A^2 = 2.77 A^2 over the last 7 ns of an equilibrated start, above the A^2/e the earlier power test
    asked for). Blind to a frozen profile whose phase wanders by 2 pi within the window (it would translate by mass
    transport, the mobility that also relaxes it; the two starts' comparison of P_1 remains)."""
    A = [mode_series(h, 1)[:, 0] for h in (h_top, h_bot)]
    ok = np.isfinite(A[0]) & np.isfinite(A[1])  # the frames analyse_start keeps, so t_equil indexes the same ones
    n_ok = int(ok.sum())
    t0 = min(int(round(t_equil_ps / dt_ps)), max(n_ok - 10, 0))
    B = IMPOSED_BATCHES
    zs, m2 = [], []
    for a in A:
        c = a[ok][t0:]
        if len(c) < 2 * B:
            return {"coherent_A2": None, "coherent_z": None, "imposed_mode_decayed": False}
        b = np.array([x.mean() for x in np.array_split(c, B)])
        m2.append(float(np.abs(c.mean()) ** 2))
        s2 = float(np.sum(np.abs(b - c.mean()) ** 2) / (B - 1))
        zs.append(B * m2[-1] / s2 if s2 > 0 else math.inf)
    limit = float(stats.f.isf(1 - math.sqrt(1 - alpha), 2, 2 * (B - 1)))
    return {
        "coherent_A2": float(np.mean(m2)),
        "coherent_z": max(zs),
        "coherent_z_limit": limit,
        "imposed_mode_decayed": bool(max(zs) <= limit),
    }


def _equil_start(p: np.ndarray) -> int:
    """First frame of the equilibrated part of a power series (pymbar detect_equilibration,
    tried at about 200 origins)."""
    if len(p) < 4 or np.std(p) == 0:
        return 0
    t0, _, _ = _timeseries().detect_equilibration(p, fast=True, nskip=max(1, len(p) // 200))
    return int(t0)


def _drift_z(power: list[np.ndarray], split: int, tau_frames: float) -> float:
    """z of the fall of mode 1's mean power from before ``split`` to after it (surfaces pooled):
    (mean_before - mean_after) / sqrt(e_before^2 + e_after^2), each error P sqrt((1 + tau) / (n_surfaces n))
    for n frames: the error of a mean of an Ornstein-Uhlenbeck mode of relaxation time tau (frames), whose
    power is exponentially distributed about its mean P with an autocorrelation exp(-2t/tau) (statistical
    inefficiency 1 + tau), P the mean of the whole window. NaN when a side is shorter than 5 frames or tau is
    not finite."""
    n_all = min(len(p) for p in power)
    n1, n2 = split, n_all - split
    if min(n1, n2) < 5 or not np.isfinite(tau_frames):
        return math.nan
    before = np.mean([p[:split].mean() for p in power])
    after = np.mean([p[split:n_all].mean() for p in power])
    P = np.mean([p[:n_all].mean() for p in power])
    if P <= 0:
        return math.nan
    g = (1 + tau_frames) / len(power)
    return float((before - after) / (P * math.sqrt(g / n1 + g / n2)))


def autocorrelation(series: list[np.ndarray], n_lags: int, about_mean: bool = True) -> np.ndarray:
    """Normalised autocorrelation C(t), t = 0 .. n_lags (in frames), of one observable sampled in several
    independent series (lag products pooled over the series, FFT): each series about its own mean, or
    about zero (``about_mean=False``) for an observable whose equilibrium mean is zero by symmetry."""
    num = np.zeros(n_lags + 1)
    den = np.zeros(n_lags + 1)
    for x in series:
        x = np.asarray(x, float)
        if about_mean:
            x = x - np.mean(x)
        L = len(x)
        m = min(n_lags, L - 1)
        f = np.fft.rfft(x, 2 * L)
        num[: m + 1] += np.fft.irfft(f * np.conj(f), 2 * L)[: m + 1]
        den[: m + 1] += L - np.arange(m + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        C = num / den
    return C / C[0] if C[0] > 0 else np.full_like(C, np.nan)


def relaxation_time(series: list[np.ndarray], dt: float, about_mean: bool = True) -> tuple[float, bool]:
    """Relaxation time (units of dt) of an observable from the initial decay of its autocorrelation
    (``autocorrelation``, about the mean or about zero): the least-squares fit of ln C(t) = -t/tau through
    the origin over the lags before C first drops below 1/e. Returns (tau, resolved).

    For a mode relaxing as exp(-t/tau) this is tau, with a much smaller scatter than the integrated time
    (which sums the noisy tail). When C stays above 1/e up to the longest lag (half the shortest series),
    tau is not resolved: the longest lag is returned as a lower limit, with resolved False (a fit over
    those lags extrapolates, and for a frozen mode, C ~ 1, diverges). (0, True) when C(1) <= 0 (relaxes
    within dt); (NaN, False) for a constant observable.
    """
    n_lags = max(1, min(len(x) for x in series) // 2)
    C = autocorrelation(series, n_lags, about_mean)
    if not np.isfinite(C[0]):
        return math.nan, False
    below = np.nonzero(C[1:] < math.exp(-1))[0]
    if not len(below):
        return float(n_lags * dt), False
    m = max(int(below[0]), 1)
    t = np.arange(1, m + 1, dtype=float)
    c = C[1 : m + 1]
    if c[0] <= 0:
        return 0.0, True
    keep = c > 0
    return float(-np.sum(t[keep] ** 2) / np.sum(t[keep] * np.log(c[keep])) * dt), True


def analyse_start(
    h_top: np.ndarray,
    h_bot: np.ndarray | None,
    dt_ps: float,
    n_modes: int,
    tau_multiple: float = 20.0,
    n_blocks: int = 5,
    min_discard_tau: float = 3.0,
    drift_z_max: float = 2.5,
    min_discard_ps: float = 0.0,
) -> dict:
    """Equilibration, relaxation times and spectrum of one start (see the module doc, step 3).

    ``h_top``, ``h_bot``: height frames (n_frames, N) of the two surfaces (``h_bot`` may be None),
    sampled every ``dt_ps``. Returns a dict (JSON-ready lists):

    * ``t_equil_ps``: start of the equilibrated part, ``min_discard_tau`` x ``tau1_discard_ps`` or
      ``min_discard_ps`` (the state point's discard, ``analyse_held``), the later (at most the run less 10
      frames); ``tau1_discard_ps``: tau_1 of the run's second half (``relaxation_time`` about zero; when
      unresolved, its lower limit, and ``tau1_discard_resolved`` False);
      ``t_equil_detected_ps``: pymbar's detect_equilibration on |A_1|^2, the later of the two surfaces;
      ``drift_z`` (None when not tested) and ``transient``: the check above (t_equil_ps is then the detected start);
      ``run_ps`` = n_frames dt; ``run_after_equil_ps`` = run_ps - t_equil_ps;
    * ``tau_ps`` per mode: relaxation time of A_k (``relaxation_time`` about zero, Re and Im of both
      surfaces pooled), ``tau1_ps`` = tau_ps[0]; ``tau_resolved`` per mode, ``tau1_resolved``: False when
      C(t) stayed above 1/e over half the equilibrated part (tau is then that lag, a lower limit, and the
      start is never ``enough``); ``tau_int_ps``: the integrated autocorrelation time (g - 1)/2 dt from
      pymbar's statistical inefficiency g of A_k (equal for an exponential decay, larger for a slow tail);
    * ``P`` = <|A_k|^2> (A^2) per mode, both surfaces pooled, ``P_err`` its standard error from pymbar's
      statistical inefficiency ``g_P`` of |A_k|^2, ``P_err_blocks`` from ``n_blocks`` blocks (a check);
    * ``enough``: run_after_equil_ps >= tau_multiple * tau1_ps; ``needed_ps`` = t_equil_ps +
      tau_multiple * tau1_ps; ``n_frames``, ``n_frames_equil`` (per surface), ``n_incomplete`` (frames
      with an empty bin, dropped), ``n_surfaces``, ``dt_ps``, ``tau_multiple``.
    """
    surfaces = [mode_series(h_top, n_modes)] + ([mode_series(h_bot, n_modes)] if h_bot is not None else [])
    n_frames = len(surfaces[0])
    if any(len(A) != n_frames for A in surfaces):
        raise ValueError("h_top and h_bot must have the same number of frames")
    ok = np.all([np.all(np.isfinite(A), axis=1) for A in surfaces], axis=0)
    n_incomplete = int((~ok).sum())
    surfaces = [A[ok] for A in surfaces]
    if len(surfaces[0]) < 10:
        raise ValueError(f"only {len(surfaces[0])} complete frames")
    power = [np.abs(A) ** 2 for A in surfaces]

    def parts(A_list, m):
        return [part for A in A_list for part in (A[:, m].real, A[:, m].imag)]

    n_ok = len(power[0])
    t_detect = max(_equil_start(p[:, 0]) for p in power)  # the transient check's start (module doc, step 3)
    tau1_half, resolved_half = relaxation_time(parts([A[n_ok // 2 :] for A in surfaces], 0), 1.0, about_mean=False)
    # (frames) an unresolved tau_1 is a lower limit: the discard is then a lower limit too, and so is needed_ps
    t0 = int(math.ceil(min_discard_tau * tau1_half)) if np.isfinite(tau1_half) else 0
    t0 = min(max(t0, int(math.ceil(min_discard_ps / dt_ps - 1e-9))), n_ok - 10)
    # a transient that outlives 3 tau_1 (an imposed mode decaying slower than the equilibrium tau_1):
    # detect_equilibration puts the start later, and mode 1's power before that start is significantly
    # higher than after it (a burst of equilibrium is not, within the errors of an OU mode)
    drift_z = _drift_z([p[t0:, 0] for p in power], t_detect - t0, tau1_half) if t_detect > t0 else math.nan
    transient = bool(np.isfinite(drift_z) and drift_z > drift_z_max)
    if transient:
        t0 = min(t_detect, n_ok - 10)
    eq_A = [A[t0:] for A in surfaces]
    eq_P = [p[t0:] for p in power]
    n_eq = len(eq_A[0])
    tau, resolved, tau_int, P, P_err, P_err_blocks, g_P = [], [], [], [], [], [], []
    for m in range(n_modes):
        t_m, ok_m = relaxation_time(parts(eq_A, m), dt_ps, about_mean=False)
        tau.append(t_m)
        resolved.append(ok_m)
        tau_int.append((_g(parts(eq_A, m)) - 1) / 2 * dt_ps)
        pooled = np.concatenate([p[:, m] for p in eq_P])
        gp = _g([p[:, m] for p in eq_P])
        g_P.append(gp)
        P.append(float(pooled.mean()))
        P_err.append(float(pooled.std(ddof=1) * math.sqrt(gp / len(pooled))))
        blocks = [
            np.concatenate([p[idx, m] for p in eq_P]).mean()
            for idx in np.array_split(np.arange(n_eq), n_blocks)
            if len(idx)
        ]
        P_err_blocks.append(float(np.std(blocks, ddof=1) / math.sqrt(len(blocks))) if len(blocks) > 1 else math.nan)
    run_ps = n_frames * dt_ps
    t_equil_ps = t0 * dt_ps
    run_after = n_eq * dt_ps
    if not resolved[0] and np.isfinite(tau1_half):  # both bound tau_1 from below: the larger bounds it better
        tau[0] = max(tau[0], tau1_half * dt_ps)
    tau1 = tau[0]
    return {
        "t_equil_ps": t_equil_ps,
        "t_equil_detected_ps": t_detect * dt_ps,
        "tau1_discard_ps": tau1_half * dt_ps,
        "tau1_discard_resolved": resolved_half,
        "drift_z": drift_z if np.isfinite(drift_z) else None,
        "transient": transient,
        "run_ps": run_ps,
        "run_after_equil_ps": run_after,
        "tau_ps": tau,
        "tau1_ps": tau1,
        "tau_resolved": resolved,
        "tau1_resolved": resolved[0],
        "tau_int_ps": tau_int,
        "P": P,
        "P_err": P_err,
        "P_err_blocks": P_err_blocks,
        "g_P": g_P,
        "enough": bool(resolved[0] and np.isfinite(tau1) and run_after >= tau_multiple * tau1),
        "needed_ps": t_equil_ps + tau_multiple * tau1,
        "tau_multiple": tau_multiple,
        "n_frames": n_frames,
        "n_frames_equil": n_eq,
        "n_incomplete": n_incomplete,
        "n_surfaces": len(surfaces),
        "dt_ps": dt_ps,
    }


def family_threshold(n_sigma: float, n_tests: int) -> float:
    """|z| threshold for the largest of ``n_tests`` independent normal deviates with the same false-alarm
    chance as one |z| > n_sigma (Sidak)."""
    alpha = 2 * stats.norm.sf(n_sigma)
    per_test = 1 - (1 - alpha) ** (1 / max(n_tests, 1))
    return float(stats.norm.isf(per_test / 2))


def compare_starts(a: dict, b: dict, n_sigma: float = 2.0, n_modes: int | None = None) -> dict:
    """Do two starts (``analyse_start`` results) give the same spectrum within their errors?

    z_k = (P_k^a - P_k^b) / sqrt(err_a^2 + err_b^2) over the first ``n_modes`` modes (all by default);
    ``agree`` when max |z_k| <= ``z_threshold`` = family_threshold(n_sigma, n_modes). Returns agree, z
    (list), max_z, z_threshold.
    """
    n = n_modes or min(len(a["P"]), len(b["P"]))
    Pa, Pb = np.asarray(a["P"][:n]), np.asarray(b["P"][:n])
    ea, eb = np.asarray(a["P_err"][:n]), np.asarray(b["P_err"][:n])
    z = (Pa - Pb) / np.sqrt(ea**2 + eb**2)
    max_z = float(np.max(np.abs(z)))
    thr = family_threshold(n_sigma, n)
    return {"agree": bool(max_z <= thr), "z": z.tolist(), "max_z": max_z, "z_threshold": thr}


def fit_inverse_k2(k: np.ndarray, P: np.ndarray, P_err: np.ndarray) -> dict:
    """Weighted linear least squares P = a / k^2 + c. Returns a, a_err, c, c_err (errors from the
    covariance with the given P_err, times sqrt(chi2_red) when chi2_red > 1), chi2_red, n_modes."""
    k, P, e = (np.asarray(x, float) for x in (k, P, P_err))
    X = np.column_stack([k**-2, np.ones_like(k)])
    w = 1 / e
    coef, *_ = np.linalg.lstsq(X * w[:, None], P * w, rcond=None)
    cov = np.linalg.inv((X * w[:, None] ** 2).T @ X)
    dof = len(k) - 2
    chi2_red = float(np.sum(((P - X @ coef) * w) ** 2) / dof) if dof > 0 else math.nan
    scale = max(chi2_red, 1.0) if dof > 0 else 1.0
    err = np.sqrt(np.diag(cov) * scale)
    return {
        "a": float(coef[0]),
        "a_err": float(err[0]),
        "c": float(coef[1]),
        "c_err": float(err[1]),
        "chi2_red": chi2_red,
        "n_modes": int(len(k)),
    }


def fit_stiffness(k: np.ndarray, P: np.ndarray, P_err: np.ndarray, T_K: float, b_A: float, W_A: float) -> dict:
    """Stiffness of a ribbon from its spectrum: P_k = k_B T/(b W gamma~) k^-2 + c (module doc, step 5).

    ``k`` (1/A), ``P`` and ``P_err`` (A^2) per mode, T in K, ribbon thickness ``b_A`` and length ``W_A``.
    Returns stiffness_J_m2, stderr_J_m2, c_A2 (the floor), c_err_A2, amplitude_A0 (a, in A^0 = A^2 A^-2),
    significance (a / a_err), n_modes, chi2_red. The stiffness is NaN when a <= 0 (no capillary term).
    """
    f = fit_inverse_k2(k, P, P_err)
    kT = KB_EV_PER_K * T_K
    a, a_err = f["a"], f["a_err"]
    g = kT / (b_A * W_A * a) * EV_PER_A2_IN_J_PER_M2 if a > 0 else math.nan
    return {
        "stiffness_J_m2": g,
        "stderr_J_m2": g * a_err / a if a > 0 else math.nan,
        "c_A2": f["c"],
        "c_err_A2": f["c_err"],
        "amplitude_A0": a,
        "significance": a / a_err if a_err > 0 else math.inf,
        "n_modes": f["n_modes"],
        "chi2_red": f["chi2_red"],
    }


def pool_starts(starts: list[dict], n_modes: int) -> tuple[np.ndarray, np.ndarray]:
    """(P, P_err) of several starts pooled per mode, weighted by their equilibrated frame counts (weights
    independent of the measured values, so no bias toward low P)."""
    w = np.array([s["n_frames_equil"] * s["n_surfaces"] for s in starts], float)
    P = np.array([s["P"][:n_modes] for s in starts])
    e = np.array([s["P_err"][:n_modes] for s in starts])
    return (w[:, None] * P).sum(0) / w.sum(), np.sqrt((w[:, None] ** 2 * e**2).sum(0)) / w.sum()


def vibrational(tau1_ps) -> bool:
    """Is a measured mode-1 relaxation time the atoms' vibration rather than a capillary relaxation
    (``VIBRATIONAL_TAU_PS``)? None (not measured) is not."""
    return tau1_ps is not None and bool(np.isfinite(tau1_ps)) and tau1_ps <= VIBRATIONAL_TAU_PS


def combined_tau1(starts: list[dict]) -> tuple[float | None, bool]:
    """(tau_1, resolved) of a state point from its starts' ``analyse_start`` results: the mean of their
    tau_1; when a start did not resolve tau_1, the largest such lower limit instead (a mean of a
    vibrational 0.4 ps and a limit of 300 ps would be neither). A vibrational tau_1 (``vibrational``) is left
    out when another start measured a longer one: it is the vibration, not mode 1's relaxation. None when no
    start measured it; resolved only when every start resolved it."""
    taus = [r["tau1_ps"] for r in starts if np.isfinite(r["tau1_ps"])]
    if any(not vibrational(t) for t in taus):
        taus = [t for t in taus if not vibrational(t)]
    limits = [r["tau1_ps"] for r in starts if np.isfinite(r["tau1_ps"]) and not r.get("tau1_resolved", True)]
    tau1 = (max(limits) if limits else float(np.mean(taus))) if taus else None
    return tau1, all(r.get("tau1_resolved", True) for r in starts)


def state_point_tau1(taus) -> float | None:
    """The tau_1 every start of a state point must run 20 times (``paired_requirement``): the largest
    capillary tau_1 among ``taus`` (finite, not ``vibrational``; all of them when none is capillary), None when
    none is finite. The largest, not the mean: each start's P_1 error scales with sqrt(tau_1 / run) of the
    mode's true tau_1, and a start that stopped on its own shorter tau_1 under-states that error (the Na (100)
    b = 2 rows at 413 K: rough 0.62 ns, flat 1.56 ns; methods.md 7.3)."""
    finite = [float(t) for t in taus if t is not None and np.isfinite(t)]
    capillary = [t for t in finite if not vibrational(t)]
    return max(capillary or finite) if finite else None


def analyse_held(
    h_top: np.ndarray,
    h_bot: np.ndarray | None,
    dt_ps: float,
    n_modes: int,
    tau1_sp_ps: float | None,
    own: dict | None = None,
    **kw,
) -> dict:
    """``analyse_start`` of one start held to its state point's tau_1 ``tau1_sp_ps`` (the larger capillary tau_1
    of the starts, ``state_point_tau1``; None: the start alone). If that is the mode's true tau_1, an imposed
    excess decays with it, so the discard is at least ``min_discard_tau`` (3) x it as well, and the equilibrated
    part after it must hold ``tau_multiple`` (20) x it (``paired_requirement``: ``enough``, ``needed_ps``,
    ``tau1_required_ps``; ``enough_own`` is the start's verdict alone). ``own``: the start's ``analyse_start`` result
    with the same ``kw``, when the caller has it already (it is not computed again)."""
    r = own if own is not None else analyse_start(h_top, h_bot, dt_ps, n_modes, **kw)
    if tau1_sp_ps is None:
        return r
    tau = state_point_tau1([r["tau1_ps"], tau1_sp_ps])
    discard = kw.get("min_discard_tau", 3.0) * tau if tau is not None else 0.0
    if discard > r["t_equil_ps"]:
        r = analyse_start(h_top, h_bot, dt_ps, n_modes, min_discard_ps=discard, **kw)
    return {**r, "enough_own": r["enough"], **paired_requirement(r, tau1_sp_ps)}


def paired_requirement(r: dict, tau1_sp_ps: float | None) -> dict:
    """One start's ``analyse_start`` result ``r`` held to its state point's tau_1 ``tau1_sp_ps``
    (``state_point_tau1`` of every start's tau_1): after the start's discard ``t_equil_ps`` (``analyse_held`` makes
    it at least 3 x the state point's tau_1), the equilibrated part must be ``tau_multiple`` x max(own tau_1,
    tau1_sp_ps) long. Returns ``enough``,
    ``needed_ps`` and ``tau1_required_ps`` (the tau_1 the start was held to); None leaves the start's own."""
    own = r.get("tau1_ps")
    tau = state_point_tau1([own, tau1_sp_ps]) if tau1_sp_ps is not None else own
    if tau is None or not np.isfinite(tau):
        return {"enough": bool(r.get("enough", False)), "needed_ps": r.get("needed_ps"), "tau1_required_ps": tau}
    m = r.get("tau_multiple", 20.0)
    own_needed = r.get("needed_ps")
    needed = r["t_equil_ps"] + m * tau
    return {
        "enough": bool(r.get("enough", False) and r["run_after_equil_ps"] >= m * tau),
        "needed_ps": max(own_needed, needed) if own_needed is not None and np.isfinite(own_needed) else needed,
        "tau1_required_ps": tau,
    }


def finite_max(values) -> float | None:
    """The largest finite value (None when there is none): a NaN must not win or lose by its place in a list."""
    v = [float(x) for x in values if x is not None and np.isfinite(x)]
    return max(v) if v else None


def equilibrium_verdict(
    starts: dict,
    k: np.ndarray,
    amplitude_to_value,
    min_modes: int = 6,
    n_sigma: float = 2.0,
    min_significance: float = 3.0,
    min_starts: int = 2,
) -> dict:
    """The status logic of ``verdict`` for any spectrum P = a k^-2 + c: ``amplitude_to_value(a)`` converts
    the fitted amplitude to the reported value (its relative error is a_err / a). Returns the row with
    ``value`` and ``value_err`` (None unless status is "equilibrated")."""
    k = np.asarray(k, float)
    n = len(k)
    if n < min_modes:
        raise ValueError(f"{n} modes given, the fit needs at least {min_modes} (a longer period W)")
    if len(starts) < min_starts:
        raise ValueError(f"{len(starts)} start(s) given, the protocol needs {min_starts} (flat and pre-roughened)")
    names = list(starts)
    res = [starts[s] for s in names]
    taus = [r["tau1_ps"] for r in res if np.isfinite(r["tau1_ps"])]
    tau1, tau1_resolved = combined_tau1(res)
    tau1_sp = state_point_tau1(taus)
    held = [paired_requirement(r, tau1_sp) for r in res]
    row = {
        "status": None,
        "value": None,
        "value_err": None,
        "tau1_ps": tau1,
        "tau1_max_ps": max(taus) if taus else None,
        "tau1_resolved": tau1_resolved,
        "t_equil_ps": max(r["t_equil_ps"] for r in res),
        "run_ps": min(r["run_ps"] for r in res),
        "run_after_equil_ps": min(r["run_after_equil_ps"] for r in res),
        "tau1_required_ps": tau1_sp,
        "needed_ps": finite_max(h["needed_ps"] for h in held),
        "enough": all(h["enough"] for h in held),
        "two_start_agree": None,
        "max_z": None,
        "z_threshold": None,
        "n_modes": n,
        "starts": {
            s: {
                key: r.get(key)
                for key in (
                    "t_equil_ps",
                    "t_equil_detected_ps",
                    "tau1_discard_ps",
                    "drift_z",
                    "transient",
                    "run_ps",
                    "run_after_equil_ps",
                    "tau1_ps",
                    "tau1_resolved",
                    "tau_ps",
                    "needed_ps",
                    "enough",
                    "P",
                    "P_err",
                    "n_incomplete",
                )
            }
            | {"enough_state_point": h["enough"], "needed_state_point_ps": h["needed_ps"]}
            for s, r, h in zip(names, res, held)
        },
    }
    if len(res) > 1:
        cmp = [compare_starts(res[i], res[j], n_sigma, n) for i in range(len(res)) for j in range(i + 1, len(res))]
        row.update(
            two_start_agree=all(c["agree"] for c in cmp),
            max_z=max(c["max_z"] for c in cmp),
            z_threshold=cmp[0]["z_threshold"],
        )
    P, P_err = pool_starts(res, n)
    row.update(k_per_A=k.tolist(), P_A2=P.tolist(), P_err_A2=P_err.tolist())
    if not row["enough"]:
        row["status"] = "not equilibrated within t"
        return row
    if row["two_start_agree"] is False:
        row["status"] = "starts disagree"
        return row
    f = fit_inverse_k2(k, P, P_err)
    row.update(c_A2=f["c"], c_err_A2=f["c_err"], chi2_red=f["chi2_red"], significance=f["a"] / f["a_err"])
    if not (f["a"] > 0 and f["a"] >= min_significance * f["a_err"]):
        row["status"] = "no capillary signal"
        return row
    v = amplitude_to_value(f["a"])
    row.update(status="equilibrated", value=float(v), value_err=float(v * f["a_err"] / f["a"]))
    return row


def verdict(
    starts: dict,
    k: np.ndarray,
    T_K: float,
    b_A: float,
    W_A: float,
    min_modes: int = 6,
    n_sigma: float = 2.0,
    min_significance: float = 3.0,
) -> dict:
    """One row for a (metal, facet, T, b): ``starts`` maps a start's name ("flat", "rough", ...) to its
    ``analyse_start`` result; ``k`` the wavenumbers of the fitted modes (``mode_wavenumbers``, at least
    ``min_modes`` of them; only these modes are compared and fitted).

    ``status`` is one of STATUSES (module doc, step 6); ``stiffness_J_m2`` and ``stderr_J_m2`` are numbers
    only when it is "equilibrated" (every start long enough after equilibration, the starts agree, the
    capillary amplitude significant), None otherwise: no number and no bound. "Long enough" is held to the
    state point's tau_1 (``tau1_required_ps``, the larger capillary tau_1 of the starts). Always: tau1_ps (mean over
    the starts, or the largest unresolved lower limit; None if not measured), tau1_max_ps, tau1_resolved
    (False: some start's tau_1 is only a lower limit, the run did not see mode 1 decorrelate), t_equil_ps,
    run_ps, run_after_equil_ps (the shortest), needed_ps,
    enough, two_start_agree, max_z, z_threshold, n_modes, the pooled spectrum (k_per_A, P_A2, P_err_A2) and
    a summary per start; when fitted: c_A2 (floor), chi2_red, significance.
    """
    kT = KB_EV_PER_K * T_K
    row = equilibrium_verdict(
        starts, k, lambda a: kT / (b_A * W_A * a) * EV_PER_A2_IN_J_PER_M2, min_modes, n_sigma, min_significance
    )
    row["stiffness_J_m2"] = row.pop("value")
    row["stderr_J_m2"] = row.pop("value_err")
    row.update(T_K=T_K, b_A=b_A, W_A=W_A)
    return row
