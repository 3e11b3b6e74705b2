"""Synthetic Langevin surfaces for the equilibrium tests: independent Ornstein-Uhlenbeck modes.

Mode n (k = 2 pi n / L) is a complex OU process with relaxation time tau_n and equilibrium variance
<|A_k|^2> = var_n, advanced exactly: A(t + dt) = rho A(t) + sqrt(var_n (1 - rho^2) / 2) (xi + i eta),
rho = exp(-dt / tau_n). Its autocorrelation is <A(t) A*(0)> / var_n = exp(-t / tau_n), so tau_n is both the
relaxation time and the integrated autocorrelation time of A_k. Profiles on N bins:
h_j = sum_k A_k exp(i k x_j) + c.c. (= irfft(N A)), plus white noise of standard deviation sigma per bin,
which adds sigma^2 / N to every <|A_k|^2> (the vibrational floor).
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter


def ou_modes(
    var: np.ndarray, tau: np.ndarray, dt: float, n_frames: int, rng: np.random.Generator, A0: np.ndarray | None = None
) -> np.ndarray:
    """(n_frames, n_modes) complex OU amplitudes; frame 0 is one step after the state A0 (0: a flat start)."""
    var, tau = np.asarray(var, float), np.asarray(tau, float)
    A0 = np.zeros(len(var), complex) if A0 is None else np.asarray(A0, complex)
    out = np.empty((n_frames, len(var)), complex)
    for m, (v, t) in enumerate(zip(var, tau)):
        rho = np.exp(-dt / t)
        s = np.sqrt(v * (1 - rho**2) / 2)
        xi = rng.normal(size=n_frames) + 1j * rng.normal(size=n_frames)
        out[:, m] = lfilter([s], [1.0, -rho], xi, zi=np.array([rho * A0[m]]))[0]
    return out


def profiles(A: np.ndarray, N: int, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Height frames (n_frames, N) of modes A (n_frames, n_modes; n = 1..n_modes) plus white noise sigma."""
    full = np.zeros((len(A), N // 2 + 1), complex)
    full[:, 1 : A.shape[1] + 1] = A
    return np.fft.irfft(full * N, n=N, axis=1) + rng.normal(scale=sigma, size=(len(A), N))


def telegraph_variance(n_frames: int, dwell: float, ratio: float, rng: np.random.Generator) -> np.ndarray:
    """(n_frames,) factor on a mode's variance that switches between two levels lo and hi = ratio x lo,
    mean 1, with a switch probability dt/dwell per frame (dwell in frames; a two-state Markov chain started
    in its stationary state, so the switching itself is stationary from frame 0)."""
    lo, hi = 2 / (1 + ratio), 2 * ratio / (1 + ratio)
    flips = np.cumsum(rng.random(n_frames) < 1 / dwell) + (rng.random() < 0.5)
    return np.where(flips % 2 == 1, hi, lo)
