"""The ribbon's solid test on rates (anodeflow.cft.solid) and the width rule (anodeflow.cft.width), methods.md 7.3.

Solid test: trajectories of synthetic atoms whose MSD rates are known on paper. A crystal: atoms vibrating
about lattice sites (Gaussian, <u_x^2> = 0.1 A^2) that hop by bcc nearest-neighbour vectors (length
sqrt(3) a / 2, random <111> direction) at rate nu per atom: MSD_xz grows at nu (2/3)(3 a^2/4) = nu a^2 / 2.
A liquid: Brownian atoms with diffusion coefficient D: MSD_xz grows at 4 D. The MSD is computed as LAMMPS's
``compute msd com yes`` does (centre-of-mass drift removed), in x and z.
"""

from __future__ import annotations

import numpy as np
import pytest

from anodeflow.cft import solid, width
from anodeflow.config import ConfigError

A_NA = 4.386  # Na EAM lattice constant at 413 K (A)
D_LIQ = 0.4  # A^2/ps: Na liquid near T_m is ~0.4 (rate 1.6 A^2/ps in x and z, as the ribbon probe's liquid)
RATE_LIQ = 4 * D_LIQ


def _msd_xz(pos):
    """MSD in x and z (COM removed) of positions (n_frames, n_atoms, 3) against frame 0."""
    d = pos - pos[0]
    d = d - d.mean(axis=1, keepdims=True)
    return np.mean(d[..., 0] ** 2 + d[..., 2] ** 2, axis=1)


def _crystal(n_atoms, n_frames, dt_ps, hop_rate_per_ps, rng, vib_A2=0.1):
    """Lattice sites with Gaussian vibrations and nearest-neighbour hops (Poisson, rate per atom)."""
    hops = rng.poisson(hop_rate_per_ps * dt_ps, size=(n_frames, n_atoms))
    hops[0] = 0
    signs = rng.choice([-1.0, 1.0], size=(n_frames, n_atoms, 3))
    step = 0.5 * A_NA * signs * hops[..., None]  # <111>/2 vectors (a sum of hops in a frame: rare)
    sites = np.cumsum(step, axis=0)
    return sites + rng.normal(scale=np.sqrt(vib_A2), size=sites.shape)


def _liquid(n_atoms, n_frames, dt_ps, D, rng):
    steps = rng.normal(scale=np.sqrt(2 * D * dt_ps), size=(n_frames, n_atoms, 3))
    steps[0] = 0
    return np.cumsum(steps, axis=0)


def test_msd_rate_of_a_brownian_liquid_is_4D():
    rng = np.random.default_rng(1)
    dt = 0.1
    msd = _msd_xz(_liquid(800, 200, dt, D_LIQ, rng))
    assert solid.msd_rate(msd, dt) == pytest.approx(RATE_LIQ, rel=0.1)


def test_msd_rate_of_a_hopping_crystal_is_nu_a2_over_2():
    rng = np.random.default_rng(2)
    dt, nu = 1.0, 0.005
    msd = _msd_xz(_crystal(600, 2000, dt, nu, rng))
    assert solid.msd_rate(msd, dt) == pytest.approx(nu * A_NA**2 / 2, rel=0.15)


def test_slowly_diffusing_solid_passes_on_a_long_run_where_a_fixed_bound_failed():
    """A crystal diffusing at 2 % of the liquid's rate (twice the 5-ns Na ribbon probe's 1 %) over 5 ns: its
    total MSD (~160 A^2) is far past the old fixed bound 0.25 a^2 = 4.8 A^2, but its rate is a solid's."""
    rng = np.random.default_rng(3)
    dt = 5.0
    nu = 0.02 * RATE_LIQ * 2 / A_NA**2
    msd = _msd_xz(_crystal(300, 1000, dt, nu, rng))
    assert msd[-1] > 10 * 0.25 * A_NA**2
    rate, is_solid = solid.interior_solid(msd, dt, RATE_LIQ, 0.1)
    assert is_solid and rate / RATE_LIQ == pytest.approx(0.02, rel=0.25)


def test_liquid_and_half_molten_interiors_fail():
    """A liquid interior (ratio 1) and one half liquid (ratio ~0.5: the rate measures the molten fraction)
    fail at the default 0.1; a vibrating crystal without hops (ratio ~0) passes, even on a 5-ps run."""
    rng = np.random.default_rng(4)
    dt = 0.1
    liq = _liquid(400, 300, dt, D_LIQ, rng)
    cry = _crystal(400, 300, dt, 0.0, rng)
    _, ok = solid.interior_solid(_msd_xz(liq), dt, RATE_LIQ, 0.1)
    assert not ok
    half = np.concatenate([liq[:, :200], cry[:, :200]], axis=1)
    rate, ok = solid.interior_solid(_msd_xz(half), dt, RATE_LIQ, 0.1)
    assert not ok and rate / RATE_LIQ == pytest.approx(0.5, abs=0.15)
    rate, ok = solid.interior_solid(_msd_xz(cry[:50]), dt, RATE_LIQ, 0.1)
    assert ok and abs(rate) < 0.02 * RATE_LIQ


def test_liquid_reference_must_be_liquid():
    table = [
        {"T_K": 413.0, "msd_rate_xz_A2_per_ps": 1.6, "bcc_fraction": 0.01},
        {"T_K": 321.0, "msd_rate_xz_A2_per_ps": 0.05, "bcc_fraction": 0.7},
    ]
    assert solid.liquid_rate_at(table, 413.0) == 1.6
    with pytest.raises(ValueError, match="crystallised.*md.liquid"):
        solid.liquid_rate_at(table, 321.0)
    with pytest.raises(ValueError, match="no bulk-liquid reference at 390"):
        solid.liquid_rate_at(table, 390.0)
    with pytest.raises(ValueError, match="positive rate"):
        solid.interior_solid([0.1, 0.2, 0.3, 0.4], 1.0, 0.0, 0.1)


# --- width rule -----------------------------------------------------------------------------------

REF = {"Na": {"100": {"W_A": 149.1, "tau1_ps": 20000.0, "exponent": 4.0}}}


def _cc(**kw):
    return {
        "width_from_tau1": True,
        "tau1_reference": REF,
        "length_A": 400.0,
        "max_prod_ps": 5000.0,
        "min_modes": 4,
        "min_wavelength_spacings": 4,
        **kw,
    }


def test_mullins_scaling_of_tau1():
    """tau_1 ~ W^4: halving W makes mode 1 sixteen times faster (methods.md 7.3)."""
    r = REF["Na"]["100"]
    assert width.tau1_of_width(r["W_A"], r["W_A"], r["tau1_ps"], 4) == r["tau1_ps"]
    assert width.tau1_of_width(r["W_A"] / 2, r["W_A"], r["tau1_ps"], 4) == pytest.approx(r["tau1_ps"] / 16)


def test_widest_ribbon_fits_23_tau1_in_the_budget():
    r = REF["Na"]["100"]
    W = width.max_width(1e5, r["W_A"], r["tau1_ps"], 4)
    assert 23 * width.tau1_of_width(W, r["W_A"], r["tau1_ps"], 4) == pytest.approx(1e5)
    out = width.ribbon_width("Na", "100", A_NA, A_NA, _cc(max_prod_ps=1e5))
    assert out["W_A"] <= W and out["W_A"] > W - A_NA  # whole spacings, rounded down
    assert out["W_A"] / A_NA == pytest.approx(round(out["W_A"] / A_NA))
    assert out["needed_ps"] <= 1e5 and out["W_A"] >= out["W_min_A"] == 4 * 4 * A_NA
    # the config's length_A caps it
    assert width.ribbon_width("Na", "100", A_NA, A_NA, _cc(max_prod_ps=1e5, length_A=80))["W_A"] <= 80


def test_width_rule_refuses_when_no_width_both_equilibrates_and_fits():
    """5 ns allow tau_1 <= 217 ps, i.e. W <= 48 A at tau_1(149 A) = 20 ns; four modes of >= 4 a need 70 A."""
    with pytest.raises(ConfigError, match=r"cft.max_prod_ps.*cft.tau1_reference.Na.100.*cft.min_modes"):
        width.ribbon_width("Na", "100", A_NA, A_NA, _cc())
    with pytest.raises(ConfigError, match=r"cft.tau1_reference.Na.110 is missing"):
        width.ribbon_width("Na", "110", A_NA, A_NA, _cc())
    assert width.ribbon_width("Na", "110", A_NA, A_NA, _cc(width_from_tau1=False)) == {"W_A": 400.0, "rule": False}


def test_ribbon_settings_and_job_config_use_the_rule(reference_config):
    import copy

    from anodeflow.md import settings

    c = copy.deepcopy(reference_config)
    c["cft"].update(width_from_tau1=True, tau1_reference=REF, max_prod_ps=1e5, length_A=400, min_wavelength_spacings=4)
    whole = settings.ribbon_settings("Na", c, 2, "flat", facet="100", a_A=A_NA)
    assert whole.length_A == width.ribbon_width("Na", "100", A_NA, A_NA, settings.cft_settings("Na", c))["W_A"]
    job = settings.job_config(c, "ribbon", "Na")
    assert settings.ribbon_settings("Na", job, 2, "flat", facet="100", a_A=A_NA) == whole
    with pytest.raises(ConfigError, match="cft.tau1_reference.Na.110"):
        settings.ribbon_settings("Na", c, 2, "flat", facet="110", a_A=A_NA)
