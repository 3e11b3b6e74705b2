"""Step stiffness beta~(T) from the fluctuations of straight surface steps (methods.md §7.3, beyond the seed;
Freitas, Frolov and Asta, Phys. Rev. E 96, 043308 (2017)).

Geometry: a slab with its free surface normal to z carries a one-layer stripe island on top. The island
runs along y across the periodic cell (length L = L_y) and is bounded in x by two straight steps; the cell
is periodic in x as well (L_x larger than the island width plus its fluctuations). The step positions
x_s(y) of both steps are sampled on ``n_bins`` native y-bins (``step_profile``).

Equipartition: the step free energy E = (beta~ / 2) int (dx_s/dy)^2 dy = L beta~ sum_{n>0} k^2 |x_k|^2 with
x_k = (1/N) sum_j x_s(y_j) exp(-i k y_j), k = 2 pi n / L, gives

    <|x_k|^2> = k_B T / (L beta~ k^2)  (+ c, a white floor: atomic vibrations and the lattice quantisation
                                          of the step position, about a^2 / (12 N)),

a material property, independent of the slab or island size. The two steps are two independent profiles
(for an island much wider than its steps' fluctuations). The analysis is that of the ribbons
(``anodeflow.cft.equilibrium``): per start, 3 tau_1 discarded (tau_1 of the run's second half; pymbar's
detected start on |x_1|^2 instead when a slow transient shows before it), relaxation times from the
autocorrelation of x_k, errors from the statistical inefficiency, the run at least 20 tau_1 after
equilibration, several starts compared; the weighted fit of P = a / k^2 + c over >= 6 modes gives
beta~ = k_B T / (L a).

Units: beta~ in meV/Angstrom (1 meV/A = 1.602e-12 J/m); lengths in Angstrom, times in ps.
"""

from __future__ import annotations

import numpy as np

from anodeflow.cft import equilibrium as eq
from anodeflow.cft import spectrum
from anodeflow.constants import KB_EV_PER_K

#: meV/A -> J/m
MEV_PER_A_IN_J_PER_M = 1.602176634e-22 / 1e-10


def _lengths(cell) -> tuple[float, float]:
    c = np.asarray(cell, float)
    if c.ndim == 2:
        if np.abs(c - np.diag(np.diag(c))).max() > 1e-8:
            raise ValueError("step_profile needs an orthogonal cell (x, y, z along the cell vectors)")
        c = np.diag(c)
    return float(c[0]), float(c[1])


def step_profile(
    positions: np.ndarray, cell, top_mask: np.ndarray, n_bins: int, max_gap_A: float | None = None
) -> np.ndarray:
    """Positions x_s(y) of the two steps of a stripe island in one frame: array (2, n_bins), row 0 the step
    at lower x, row 1 the step at higher x, in Angstrom relative to the island's centre line.

    ``positions`` (n_atoms, 3) in Angstrom, ``cell`` the orthogonal cell (3x3 or its 3 lengths), periodic in
    x and y; ``top_mask`` selects the atoms of the island's layer (the caller decides what belongs to it,
    e.g. by height). The island's centre x_c is the circular mean of those atoms' x, and x is unwrapped
    about it (x - x_c in [-L_x/2, L_x/2)). Per y-bin (width L_y / n_bins) the island is the run of atoms,
    sorted by x, that contains the atom nearest to the centre and has no gap wider than ``max_gap_A``
    (default 2.5 times the median spacing of neighbouring atoms along x: a single vacancy is bridged, a
    detached adatom two sites away is not); its first and last atoms are the step positions. A bin without
    island atoms gives NaN (``equilibrium.mode_series`` then marks the frame incomplete).
    """
    Lx, Ly = _lengths(cell)
    p = np.asarray(positions, float)[np.asarray(top_mask, bool)]
    out = np.full((2, n_bins), np.nan)
    if len(p) == 0:
        return out
    theta = 2 * np.pi * p[:, 0] / Lx
    xc = Lx * np.arctan2(np.sin(theta).mean(), np.cos(theta).mean()) / (2 * np.pi)
    dx = np.mod(p[:, 0] - xc + Lx / 2, Lx) - Lx / 2
    ybin = np.minimum((np.mod(p[:, 1], Ly) / Ly * n_bins).astype(int), n_bins - 1)
    order = np.lexsort((dx, ybin))
    dx, ybin = dx[order], ybin[order]
    same = ybin[1:] == ybin[:-1]
    steps = np.diff(dx)[same]
    if max_gap_A is None:
        max_gap_A = 2.5 * float(np.median(steps)) if len(steps) else np.inf
    new_seg = np.r_[True, ~same | (np.diff(dx) > max_gap_A)]
    seg = np.cumsum(new_seg) - 1
    # the atom nearest to the centre line in each bin, and its segment
    near = np.lexsort((np.abs(dx), ybin))
    bins, first = np.unique(ybin[near], return_index=True)
    chosen = seg[near[first]]
    seg_start = np.nonzero(new_seg)[0]
    seg_end = np.r_[seg_start[1:], len(dx)] - 1
    out[0, bins] = dx[seg_start[chosen]]
    out[1, bins] = dx[seg_end[chosen]]
    return out


def step_stiffness(
    xs_frames,
    L_A: float,
    T_K: float,
    dt_ps: float,
    n_modes: int,
    min_modes: int = 6,
    tau_multiple: float = 20.0,
    n_sigma: float = 2.0,
    min_significance: float = 3.0,
) -> dict:
    """Step stiffness beta~ (meV/A) from step profiles (see the module doc).

    ``xs_frames``: the frames of one start, array (n_frames, 2, n_bins) (``step_profile`` per frame), or a
    dict start name -> such an array (then the starts must agree, as for the ribbons). ``L_A`` the
    periodic step length, ``dt_ps`` the sampling interval, ``n_modes`` (>= ``min_modes``) the fitted modes.

    Returns the row of ``equilibrium.equilibrium_verdict``: ``status`` (one of equilibrium.STATUSES),
    ``step_stiffness_meV_per_A`` and ``stderr_meV_per_A`` (numbers only when "equilibrated"; no bound),
    tau1_ps, t_equil_ps, run_ps, needed_ps, two_start_agree (None for one start), the pooled spectrum
    (k_per_A, P_A2, P_err_A2), the floor c_A2, chi2_red, and a summary per start.
    """
    frames = xs_frames if isinstance(xs_frames, dict) else {"run": xs_frames}
    starts = {}
    for name, xs in frames.items():
        xs = np.asarray(xs, float)
        if xs.ndim != 3 or xs.shape[1] != 2:
            raise ValueError(f"start {name!r}: step frames must be (n_frames, 2, n_bins), got {xs.shape}")
        starts[name] = eq.analyse_start(xs[:, 0], xs[:, 1], dt_ps, n_modes, tau_multiple=tau_multiple)
    kT = KB_EV_PER_K * T_K
    row = eq.equilibrium_verdict(
        starts,
        eq.mode_wavenumbers(L_A, n_modes),
        lambda a: 1e3 * kT / (L_A * a),
        min_modes,
        n_sigma,
        min_significance,
        min_starts=1,
    )
    row["step_stiffness_meV_per_A"] = row.pop("value")
    row["stderr_meV_per_A"] = row.pop("value_err")
    row.update(T_K=T_K, L_A=L_A)
    return row


def step_analysis(top_xyz, cell, dt_ps: float, T_K: float, a_A: float, n_bins: int, cc: dict) -> dict:
    """Step profiles of the stripe island on ``n_bins`` y bins (step_profile; one per lattice
    spacing along the step) and their equilibrium analysis (step_stiffness); a run too short to analyse or a
    step too short for ``min_modes`` modes is "not enough" with the reason."""
    L, Lx = float(cell[1]), float(cell[0])
    frames = []
    for xyz in np.asarray(top_xyz):
        p = xyz[np.all(np.isfinite(xyz), axis=1)]
        frames.append(step_profile(p, [Lx, L, 1.0], np.ones(len(p), bool), n_bins))
    xs = np.asarray(frames)
    n_modes = spectrum.n_fit_modes(L, cc["min_wavelength_spacings"] * a_A, cc["max_modes"])
    try:
        row = step_stiffness(xs, L, T_K, dt_ps, n_modes, min_modes=cc["min_modes"])
    except ValueError as exc:
        return {
            "status": "not equilibrated within t" if "frame" in str(exc) else "too few modes",
            "enough": False,
            "error": str(exc),
            "n_modes": n_modes,
            "tau1_ps": None,
        }
    return row
