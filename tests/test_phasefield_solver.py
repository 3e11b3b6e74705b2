"""Phase-field solvers: exactness of the fast path, reproducibility, mapping, stability bound."""

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from anodeflow import config as afconfig
from anodeflow import constants as const
from anodeflow.phasefield.model import (
    GrowthParams,
    UnstableStepError,
    check_stability,
    custom_setup,
    gradient_coefficient,
    grain_map,
    make_setup,
    mobility,
    stability_bound,
)
from anodeflow.phasefield.solver import DenseSolver, FastSolver

#: the reference problem (config/config.yaml phasefield: 200 x 70 cells, dx = 0.5 um, dt = 0.01 s,
#: 75 nuclei, w = gamma = 1, prune 1e-4); tests change what they need with params(...)
REFERENCE = GrowthParams.from_config(
    afconfig.load(Path(__file__).resolve().parents[1] / "config" / "config.yaml")["phasefield"],
    deposition_velocity=0.1,
    dt=0.01,
)


def params(**changes) -> GrowthParams:
    """The reference settings with ``changes``; no seed relaxation unless asked for."""
    return replace(REFERENCE, **{"seed_relax_steps": 0, **changes})


#: a row every 50 steps; 96 columns for 14 nuclei: grains ~7 cells wide, so that a grain's bounding box (its body
#: and the tails of its boundaries, cut where their equilibrium value falls below prune: ~8 l ~ 16 cells at
#: l = sqrt(kappa/2w) ~ 2 cells) covers part of the strip, not all of it
SMALL = dict(nx=96, ny=24, n_nuclei=14, deposition_velocity=1.0)


def _pair(seed=3, L_front=0.0, **kw):
    """Three orientations of different L, kappa and bulk energy (surface drive), electrolyte, deposition,
    anchored seeds: every term of the model is exercised."""
    p = params(seed=seed, **{**SMALL, "seed_relax_steps": 200, "release_rows": 4, **kw})  # relaxation: steps 0-199
    s = make_setup(p, [1.0, 1.6, 0.6], [1.0, 0.7, 1.4], g_by_orientation=[0.0, -0.004, 0.006], L_front=L_front)
    return p, s


@pytest.mark.parametrize("anchor, L_front", [(True, 0.0), (False, 0.0), (True, 1.5)])
def test_dense_and_fast_agree_on_same_seed(anchor, L_front):
    """Same discrete equations (pair mobilities; with and without a front mobility), same floating-point
    order: agreement to 1e-12 (observed: bitwise)."""
    p, s = _pair(anchor_seeds=anchor, L_front=L_front)
    assert (s.owner is not None) == anchor
    d, f = DenseSolver(s), FastSolver(s)
    for block in range(6):
        d.run(150)
        f.run(150)
        assert np.max(np.abs(d.phi - f.phi)) <= 1e-12
        if block == 0:  # step 150 activates a row: before it the row is frozen at zero, then enters as electrolyte
            na = s.active_rows(f.step_index - 1)
            assert s.active_rows(f.step_index) == na + 1
            assert np.all(f.electrolyte[na:] == 0.0) and np.all(f.grains[:, na:] == 0.0)
            d.step()
            f.step()
            assert f.electrolyte[na].min() > 0.5  # one step after (at the seed relaxation's near-bound mobility)
    assert f.active_rows() > s.rows0  # rows were activated during the comparison
    assert np.array_equal(d.grain_map(), f.grain_map())
    assert f.box_cells() < 0.9 * (p.n_nuclei + 1) * f.active_rows() * p.nx  # the fast path did skip work
    if anchor:  # overgrown grains were let go, identically
        assert np.any(f.owner < 0) and np.array_equal(f.owner, d.owner)


@pytest.mark.slow
def test_dense_and_fast_agree_on_reference_grid():
    p = params(seed=11, seed_relax_steps=300)
    s = make_setup(p, [1.0, 1.5, 0.7], [1.0, 0.8, 1.3], g_by_orientation=[0.0, -0.003, 0.005])
    d, f = DenseSolver(s), FastSolver(s)
    d.run(600)
    f.run(600)
    assert np.max(np.abs(d.phi - f.phi)) <= 1e-12


def test_seeded_runs_are_reproducible_and_seeds_differ():
    _, s1 = _pair(seed=5)
    _, s2 = _pair(seed=5)
    _, s3 = _pair(seed=6)
    a, b, c = FastSolver(s1).run(300), FastSolver(s2).run(300), FastSolver(s3).run(300)
    assert np.array_equal(a.phi, b.phi)
    assert not np.array_equal(a.phi, c.phi)


def test_nuclei_sit_on_rough_substrate_with_random_orientations():
    p = params(seed=2)
    s = make_setup(p, [1, 1, 1], [1, 1, 1])
    assert len(s.nucleus_x) == 75 and len(set(s.nucleus_x)) == 75
    assert s.substrate.max() > s.substrate.min()  # rough, not a flat line
    g = grain_map(s.phi0[:-1])
    for q, x in enumerate(s.nucleus_x):
        assert g[s.substrate[x], x] == q  # the nucleus touches the substrate
        assert s.owner[x] == q  # and is held there
    assert set(np.unique(s.orientation)) == {0, 1, 2}
    assert np.all((g >= 0)[: s.rows0 - 1][np.arange(s.rows0 - 1)[:, None] >= s.substrate[None, :]])  # closed seed
    assert np.all(s.phi0[-1, s.rows0 - 1] == 1.0)  # one row of electrolyte above it


def test_mapping_matches_methods_section_8():
    T = 300.0
    L = mobility([0.14, 0.02], T)
    kB = const.KB_EV_PER_K
    assert L[0] == pytest.approx(7.5 * math.exp(-0.27 * 0.14 / (kB * T)), rel=1e-12)
    assert L[1] == pytest.approx(7.5 * math.exp(-0.27 * 0.02 / (kB * T)), rel=1e-12)
    k = gradient_coefficient([0.45, 0.50, 0.55], 0.50)
    assert k[1] == pytest.approx(4.1e-9 * math.exp(20.0), rel=1e-12)
    assert k[0] < k[1] < k[2]
    # the constants put L and kappa in 0.1-10 for realistic inputs (methods.md)
    assert 0.1 < L[0] < 10 and 0.1 < k[1] < 10


def test_stability_check_refuses_with_the_bound():
    L, k, g = np.array([2.0, 1.0, 1.5]), np.array([1.0, 3.0, 2.0]), np.array([-0.15, -0.1, 0.0])
    bound = stability_bound(L, k, 0.5, 1.0, 1.5, g=g)
    assert bound == pytest.approx(2.0 / (2.0 * (8 * 3.0 / 0.25 + 2.0 + 6 * 0.15)))
    assert check_stability(0.99 * bound, L, k, 0.5, 1.0, 1.5, g=g) == bound
    with pytest.raises(UnstableStepError, match=f"{bound:.4g}"):
        check_stability(1.01 * bound, L, k, 0.5, 1.0, 1.5, g=g)
    p = params(nx=8, ny=8, dt=1.01 * bound, stability="methods", deposition_drive=0.15)
    s = custom_setup(p, np.ones((2, 8, 8)) * 0.5, L[:2], k[:2], g=g[:2], L_e=1.5, kappa_e=2.0)
    with pytest.raises(UnstableStepError):
        FastSolver(s)


def test_electrolyte_must_stay_a_stable_state():
    """(2 gamma_e - 1) w + 6 g_q > 0: a deposition drive beyond it would make the electrolyte unstable
    (a pulled front again) and is refused."""
    p = params(nx=8, ny=8, deposition_drive=0.34)
    with pytest.raises(ValueError, match="not a stable state"):
        FastSolver(custom_setup(p, np.zeros((1, 8, 8)), [1.0], [1.0]))


@pytest.mark.parametrize("factor, grows", [(0.97, False), (1.03, True)])
def test_stability_bound_is_sharp_for_checkerboard_mode(factor, grows):
    """Inside one grain (phi = 1, f'' = 2) the checkerboard perturbation is the fastest mode:
    it decays just below the bound and grows just above it (checked = the bound is right)."""
    L, k, dx = 1.3, 0.9, 0.5
    bound = stability_bound([L, L], [k, k], dx, 1.0, 1.5)
    n = 16
    p = params(nx=n, ny=n, dx=dx, dt=factor * bound, prune=0.0, deposition_drive=0.0)
    jj, ii = np.indices((n, n))
    phi0 = 1.0 + 1e-6 * (-1.0) ** (ii + jj)
    s = custom_setup(p, phi0[None], [L], [k], L_e=L, kappa_e=k)
    # rows are no-flux at top and bottom (largest Neumann mode 2 + 2 cos(pi/16) = 3.96 instead
    # of 4): the sharpness of the test is +-3 % around the bound
    f = FastSolver(s, check=False)
    f.run(400)
    amp = np.abs(f.phi[0, 2:-2, :] - 1.0).max()
    assert (amp > 1e-6) == grows


def test_sharp_bound_is_stable_where_methods_bound_is_far_too_strict():
    """Two grains, the fast one soft and the stiff one slow (L 4 against 0.01, kappa 0.2 against 4). An order
    parameter moves with the pair mobility of the cell (model.py): at most sqrt(L_q L_p) next to another grain,
    L_q alone, so the bounds take each order parameter's largest local mobility (Setup.all_L_max: 4 and
    sqrt(4 x 0.01) = 0.2 here). The sharp bound (Weyl) is then 14x the methods bound; a run at 0.97 x the
    sharp bound, checkerboard noise in both grains and a boundary between them, stays bounded and the noise
    decays."""
    L, k, dx = np.array([4.0, 0.01]), np.array([0.2, 4.0]), 0.5
    Le, ke = 0.01, 0.2  # the electrolyte neither fast nor stiff
    g = np.array([-0.1, -0.1])
    n = 24
    jj, ii = np.indices((n, n))
    cb = (-1.0) ** (ii + jj)
    phi0 = np.zeros((2, n, n))
    phi0[0, :, : n // 2] = 1.0
    phi0[1, :, n // 2 :] = 1.0
    phi0 += 1e-3 * cb * (phi0 > 0)
    s = custom_setup(params(nx=n, ny=n, dx=dx, prune=0.0, deposition_drive=0.1), phi0, L, k, g=g, L_e=Le, kappa_e=ke)
    assert s.all_L_max() == pytest.approx([4.0, 0.2, 0.2])
    sharp = stability_bound(s.all_L_max(), s.all_kappa(), dx, 1.0, 1.5, "sharp", s.all_g())
    methods = stability_bound(s.all_L_max(), s.all_kappa(), dx, 1.0, 1.5, g=s.all_g())
    assert sharp > 10 * methods
    s.params = replace(s.params, dt=0.97 * sharp, stability="sharp")
    f = FastSolver(s)
    f.run(3000)
    assert np.all(np.abs(f.phi) < 1.01)
    assert np.abs((f.phi * cb).sum(axis=(1, 2))).max() < 1e-6 * n * n
    s.params = replace(s.params, stability="methods")
    with pytest.raises(UnstableStepError):
        FastSolver(s)


@pytest.mark.slow  # ~25 s: a slow boundary followed over many steps
def test_pruning_does_not_pin_a_slow_boundary():
    """Pruning holds no time step: a value is zeroed only if it and its point-relaxation target phi - mu/D are
    below prune (model.py). A flat boundary between slow grains (L 3e-5 and 2e-3, as Li (001)/(101) at 300 K)
    under a step 40x below their own bound (as when a fast front sets dt: dt L_01 kappa/dx^2 = 8e-4 with the pair
    mobility L_01 = sqrt(L_0 L_1)) moves at the lattice
    velocity of model.boundary_velocity, with prune 1e-4 as with prune 1e-12 (within 1 %). A rule that
    zeroed |phi| < prune after each step alone would pin it: a cell ahead of the boundary then gains only
    dt L kappa/dx^2 x its neighbours' sum ~ 1e-4 x 0.5 per step, and is zeroed again."""
    from anodeflow.phasefield.model import boundary_velocity, kappa_ref

    kappa, L, g, nx = kappa_ref(), [3e-5, 2e-3], [-0.01, 0.01], 80
    v_pred = boundary_velocity(g[1] - g[0], L[0], L[1], kappa, kappa, 1.0, 1.5, dx=0.5)
    speeds = []
    for prune in (1e-12, 1e-4):
        p = params(nx=nx, ny=4, dx=0.5, dt=0.39, prune=prune, deposition_velocity=1e-12, deposition_drive=0.0)
        phi0 = np.zeros((2, 4, nx))
        phi0[0, :, : nx // 2] = 1.0
        phi0[1, :, nx // 2 :] = 1.0
        f = FastSolver(custom_setup(p, phi0, L, [kappa, kappa], g=g))
        assert p.dt * np.sqrt(L[0] * L[1]) * kappa / p.dx**2 < 1e-3
        t_run = 2.0 / v_pred  # two cells per boundary
        f.run(int(0.2 * t_run / p.dt))
        x0, t0 = f.grains[0, 0].sum() * p.dx, f.step_index * p.dt
        f.run(int(t_run / p.dt))
        speeds.append((f.grains[0, 0].sum() * p.dx - x0) / (f.step_index * p.dt - t0) / 2.0)
    assert speeds[0] == pytest.approx(v_pred, rel=0.01)
    assert speeds[1] == pytest.approx(v_pred, rel=0.01)
