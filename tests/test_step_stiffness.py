"""Step stiffness (anodeflow.cft.step) from a synthetic stripe island whose two steps fluctuate as
independent Ornstein-Uhlenbeck modes with the equipartition spectrum <|x_k|^2> = k_B T / (L beta~ k^2)."""

import numpy as np
import pytest

from anodeflow.cft import step
from anodeflow.constants import KB_EV_PER_K
from ou_surface import ou_modes, profiles

A = 3.5  # square lattice of the island layer (A)
NY, NX = 48, 96  # rows along y (one bin per row), sites along x
L, LX = NY * A, NX * A  # 168 A, 336 A
HALF_WIDTH = 20 * A  # island of ~40 sites between its steps
T, BETA, DT, TAU1 = 400.0, 5.0, 1.0, 15.0  # beta~ in meV/A; P_1 = k_B T / (L beta~ k_1^2) = 29 A^2
N_FIT = 8
NM = (NY - 1) // 2
n = np.arange(1, NM + 1)
K = 2 * np.pi * n / L
VAR = KB_EV_PER_K * T / (L * BETA * 1e-3 * K**2)


XI = (np.arange(NX) + 0.5) * A - LX / 2
X, Y = np.meshgrid(XI, (np.arange(NY) + 0.5) * A)
SUB = np.column_stack([X.ravel(), Y.ravel(), np.full(X.size, 8.0)])


def island(u_left, u_right, x0=0.0, adatom=False, exact=True, substrate=True):
    """Positions and top mask of one frame: lattice sites x_i = (i + 1/2) a - L_x/2 + x0 (wrapped into the
    cell), rows y_j = (j + 1/2) a; row j of the island holds the sites with -W/2 + u_left[j] <= x <=
    W/2 + u_right[j]; a substrate layer below (not top). Returns positions, mask and the exact step
    positions (the extreme island sites, relative to the ideal centre x0)."""
    inside = (X >= -HALF_WIDTH + u_left[:, None]) & (X <= HALF_WIDTH + u_right[:, None])
    expect = (
        np.array([[X[j][inside[j]].min() for j in range(NY)], [X[j][inside[j]].max() for j in range(NY)]])
        if exact
        else None
    )
    top = np.column_stack([X[inside], Y[inside], np.full(inside.sum(), 10.0)])
    if adatom:  # detached adatom three sites beyond the right step of row 5
        top = np.vstack([top, [expect[1, 5] + 3 * A, Y[5, 0], 10.0]])
    sub = SUB if substrate else SUB[:0]
    pos = np.vstack([top, sub])
    pos[:, 0] = np.mod(pos[:, 0] + x0, LX)
    return pos, np.r_[np.ones(len(top), bool), np.zeros(len(sub), bool)], expect


def step_frames(rng, n_frames, beta=BETA, rough=0.0):
    """(n_frames, 2, NY) step profiles through step_profile, of an island centred on the x boundary (island
    layer only, for speed: the substrate is in the exact test above)."""
    var = VAR * BETA / beta
    A0 = np.zeros(NM, complex)
    A0[0] = rough * np.sqrt(var[0])
    u = [profiles(ou_modes(var, TAU1 / n**2, DT, n_frames, rng, A0), NY, 0.0, rng) for _ in range(2)]
    out = np.empty((n_frames, 2, NY))
    for f in range(n_frames):
        pos, mask, _ = island(u[0][f], u[1][f], x0=0.0, exact=False, substrate=False)
        out[f] = step.step_profile(pos, np.diag([LX, L, 30.0]), mask, NY)
    return out


def test_step_profile_finds_both_steps_across_the_periodic_boundary():
    rng = np.random.default_rng(1)
    u = rng.normal(scale=4.0, size=(2, NY))
    for x0 in (0.0, 100.0, LX / 2):
        pos, mask, expect = island(u[0], u[1], x0=x0, adatom=True)
        xs = step.step_profile(pos, np.diag([LX, L, 30.0]), mask, NY)
        # the centre line is the island's mean x, so compare up to one common shift per frame
        d = xs - expect
        np.testing.assert_allclose(d, d.mean(), atol=1e-9)
        assert abs(d.mean()) < A


def test_step_stiffness_recovers_beta_from_a_fluctuating_stripe_island():
    """Flat and pre-roughened (mode 1 at 4x its rms) starts, 100 tau_1 each (atoms on lattice sites: the step
    positions are quantised, a white floor of about a^2 / (12 N) that the fit's constant absorbs): beta~ within 5 %."""
    rng = np.random.default_rng(21)
    frames = {"flat": step_frames(rng, 1500), "rough": step_frames(rng, 1500, rough=4.0)}
    r = step.step_stiffness(frames, L, T, DT, N_FIT)
    assert r["status"] == "equilibrated" and r["two_start_agree"]
    assert r["step_stiffness_meV_per_A"] == pytest.approx(BETA, rel=0.05)
    assert abs(r["step_stiffness_meV_per_A"] - BETA) < 3 * r["stderr_meV_per_A"]
    assert r["tau1_ps"] == pytest.approx(TAU1, rel=0.2)
    assert 0 < r["c_A2"] < 3 * A**2 / 12 / NY


def test_short_step_run_is_refused():
    rng = np.random.default_rng(22)
    r = step.step_stiffness(step_frames(rng, 45, rough=4.0), L, T, DT, N_FIT)
    assert r["status"] == "not equilibrated within t" and r["step_stiffness_meV_per_A"] is None
    assert r["two_start_agree"] is None
