"""Capillary-fluctuation analysis of free-surface height profiles (methods.md section 7.3).

Normalisation (all lengths in Angstrom, energies in eV; results converted to J/m^2):

* A ribbon has length ``W`` along x (periodic), thickness ``b`` along y (periodic) and
  free surfaces normal to z. The height profile of one surface is sampled on ``N``
  native bins of width W/N at x_j = (j + 1/2) W / N.
* Each frame's mean height is subtracted, then
  ``A_k = (1/N) sum_j h(x_j) exp(-i k x_j)`` with ``k = 2 pi n / W``, n = 1 .. N/2 - 1
  (``numpy.fft.rfft(h) / N``: a real FFT with forward normalisation; the phase from the
  half-bin offset does not change |A_k|).
* Equipartition of the capillary energy ``E = (b gamma~ / 2) int (dh/dx)^2 dx
  = b W gamma~ sum_{n>0} k^2 |A_k|^2`` gives ``<|A_k|^2> = k_B T / (b W gamma~ k^2)``.
* ``1/<|A_k|^2>`` is fitted against ``k^2`` through the origin over the ``n_modes``
  longest-wavelength modes (weights: equal relative errors), so
  ``gamma~ = slope k_B T / (b W)``.
* Both surfaces of a ribbon are independent profiles and are pooled. The statistical
  error comes from ``n_blocks`` contiguous blocks of frames (gamma~ fitted per block;
  standard error of the block mean), not from resampling modes of one trajectory.
* A facet shows "no measurable fluctuations" when the long-wavelength spectrum is not
  capillary-like: the log-log exponent of <|A_k|^2> against k over the fitted modes is
  above ``max_exponent`` (-1 by default: a flat, white spectrum of atomic vibrations has
  exponent 0, a capillary one -2), or a fitted mode is less than ``min_signal_to_floor`` times
  the white floor (median <|A_k|^2> of the shorter-wavelength half of the modes), or the block
  error exceeds ``max_rel_err`` of the value.
  Then ``fluctuating`` is False and no stiffness is reported.
* No stiffness and no bound is drawn from a spectrum that was not shown to be in equilibrium: a short
  run of a solid facet that looks white proves nothing (the long modes may relax on nanoseconds). The
  equilibrium protocol (two starts, relaxation times, pymbar equilibration, the fit with a floor) is in
  ``anodeflow.cft.equilibrium``; this module is the single-run spectrum and its capillary-likeness test.
"""

from __future__ import annotations

import numpy as np

from anodeflow.constants import EV_PER_A2_IN_J_PER_M2, KB_EV_PER_K


def capillary_spectrum(heights: np.ndarray, W: float) -> tuple[np.ndarray, np.ndarray]:
    """(k, <|A_k|^2>) for frames ``heights`` (nframes, N) on N native bins of a length-W period.

    Each frame's mean is subtracted; A_k = rfft(h)/N; modes n = 1 .. N/2 - 1 (no Nyquist).
    Frames containing NaN (an empty bin) are skipped.
    """
    h = np.asarray(heights, float)
    if h.ndim == 1:
        h = h[None, :]
    h = h[np.all(np.isfinite(h), axis=1)]
    if len(h) == 0:
        raise ValueError("no complete height profile (every frame has an empty bin)")
    N = h.shape[1]
    h = h - h.mean(axis=1, keepdims=True)
    A = np.fft.rfft(h, axis=1) / N
    n = np.arange(1, (N - 1) // 2 + 1)
    return 2 * np.pi * n / W, np.mean(np.abs(A[:, n]) ** 2, axis=0)


def fit_stiffness(k: np.ndarray, P: np.ndarray, T_K: float, b: float, W: float, n_modes: int) -> dict:
    """Fit 1/P = s k^2 through the origin over the first ``n_modes`` modes (equal relative
    weights). Returns gamma~ in J/m^2, its fit standard error, and the log-log exponent of P(k)."""
    k, P = np.asarray(k[:n_modes], float), np.asarray(P[:n_modes], float)
    y = 1.0 / P
    w = 1.0 / y**2  # sigma_y proportional to y
    s = np.sum(w * y * k**2) / np.sum(w * k**4)
    dof = max(len(k) - 1, 1)
    chi2 = np.sum(w * (y - s * k**2) ** 2) / dof
    s_err = np.sqrt(chi2 / np.sum(w * k**4)) if len(k) > 1 else np.nan
    conv = KB_EV_PER_K * T_K / (b * W) * EV_PER_A2_IN_J_PER_M2
    expo = np.polyfit(np.log(k), np.log(P), 1)[0] if len(k) > 1 else np.nan
    return {
        "stiffness_J_m2": float(s * conv),
        "fit_stderr_J_m2": float(s_err * conv),
        "exponent": float(expo),
        "n_modes": int(len(k)),
    }


def n_fit_modes(W: float, min_wavelength: float, max_modes: int | None = None) -> int:
    """Number of modes n = 1.. with wavelength W/n >= ``min_wavelength`` (at least 2)."""
    n = int(np.floor(W / min_wavelength + 1e-9))
    if max_modes:
        n = min(n, max_modes)
    return max(n, 2)


def capillary_stiffness(
    h_top: np.ndarray,
    h_bot: np.ndarray | None,
    T_K: float,
    b: float,
    W: float,
    n_modes: int,
    n_blocks: int,
    max_exponent: float,
    max_rel_err: float,
    min_signal_to_floor: float,
) -> dict:
    """Stiffness gamma~ (J/m^2) of a ribbon from the height frames of its surfaces (see module doc).

    ``n_blocks``, ``max_exponent``, ``max_rel_err``, ``min_signal_to_floor``: the keys of config
    section ``cft`` (defaults in workflow/schemas/cft.schema.yaml).

    Returns stiffness_J_m2 (None when not fluctuating), stderr_J_m2 (block standard error),
    fit_stderr_J_m2, exponent, fluctuating, n_frames, n_modes, the spectrum (k, P) and the
    per-block values.
    """
    frames = [np.asarray(h_top, float)]
    if h_bot is not None:
        frames.append(np.asarray(h_bot, float))
    k, P = capillary_spectrum(np.vstack(frames), W)
    n_modes = min(n_modes, len(k))
    fit = fit_stiffness(k, P, T_K, b, W, n_modes)
    blocks = []
    nf = len(frames[0])
    for idx in np.array_split(np.arange(nf), n_blocks):
        if len(idx) == 0:
            continue
        kb, Pb = capillary_spectrum(np.vstack([f[idx] for f in frames]), W)
        blocks.append(fit_stiffness(kb, Pb, T_K, b, W, n_modes)["stiffness_J_m2"])
    blocks = np.array(blocks)
    stderr = float(blocks.std(ddof=1) / np.sqrt(len(blocks))) if len(blocks) > 1 else float("nan")
    g = fit["stiffness_J_m2"]
    # white floor of atomic vibrations: median amplitude of the shorter-wavelength half of the modes
    floor = (
        float(np.median(P[len(P) // 2 :]))
        if len(P) > 2 * n_modes
        else float(np.median(P[n_modes:] if len(P) > n_modes else P))
    )
    signal = float(P[:n_modes].min() / floor) if floor > 0 else float("inf")
    fluct = bool(
        np.isfinite(g)
        and g > 0
        and fit["exponent"] <= max_exponent
        and np.isfinite(stderr)
        and stderr <= max_rel_err * g
        and signal >= min_signal_to_floor
    )
    return {
        "stiffness_J_m2": g if fluct else None,
        "stderr_J_m2": stderr if fluct else None,
        "raw_stiffness_J_m2": g,
        "raw_stderr_J_m2": stderr,
        "fit_stderr_J_m2": fit["fit_stderr_J_m2"],
        "exponent": fit["exponent"],
        "fluctuating": fluct,
        "signal_to_floor": signal,
        "n_frames": int(nf),
        "n_profiles": int(len(frames) * nf),
        "n_modes": n_modes,
        "k_per_A": k.tolist(),
        "A2_A2": P.tolist(),
        "block_stiffness_J_m2": blocks.tolist(),
    }


def synthetic_profiles(
    stiffness_J_m2: float, T_K: float, b: float, W: float, N: int, nframes: int, rng: np.random.Generator
) -> np.ndarray:
    """Height frames (nframes, N) in Angstrom drawn from the capillary spectrum of stiffness
    ``stiffness_J_m2``: independent Gaussian modes with <|A_k|^2> = k_B T / (b W gamma~ k^2)."""
    g = stiffness_J_m2 / EV_PER_A2_IN_J_PER_M2  # eV/A^2
    n = np.arange(1, (N - 1) // 2 + 1)
    k = 2 * np.pi * n / W
    var = KB_EV_PER_K * T_K / (b * W * g * k**2)
    A = np.zeros((nframes, N // 2 + 1), complex)
    A[:, n] = rng.normal(size=(nframes, len(n))) * np.sqrt(var / 2) + 1j * rng.normal(size=(nframes, len(n))) * np.sqrt(
        var / 2
    )
    return np.fft.irfft(A * N, n=N, axis=1)
