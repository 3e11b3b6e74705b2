"""Melting point by solid-liquid coexistence (anodeflow.md.coexistence): the T_m-from-rates logic on
hand-made rates, the solid-fraction rate from a made-up energy trace, and a tiny real Na run that must
melt above and grow below the potential's melting point."""

from pathlib import Path

import numpy as np
import pytest

from anodeflow import config as afconfig
from anodeflow import potentials as afpot
from anodeflow.md import coexistence as cx

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared" / "potentials").resolve()


def test_tm_is_the_zero_of_the_rate_between_the_bracketing_runs():
    # rate = 0.01 (400 - T)/50 per ps: zero at 400 K; bracket 380 (growth) .. 420 (melting)
    T = [300, 340, 380, 420, 460]
    r = [0.01 * (400 - t) / 50 for t in T]
    res = cx.melting_point_from_rates(T, r)
    assert res["bracket_K"] == [380, 420] and res["consistent"]
    assert res["Tm_K"] == pytest.approx(400.0) and res["Tm_err_K"] == pytest.approx(20.0)
    # an asymmetric pair: the zero of the line, not the midpoint
    res = cx.melting_point_from_rates([380, 420], [0.003, -0.001])
    assert res["Tm_K"] == pytest.approx(410.0)
    assert cx.next_temperature([380, 420], [0.003, -0.001]) == 400.0


def test_tm_with_overlapping_signs_and_without_a_bracket():
    res = cx.melting_point_from_rates([370, 380, 390, 400], [0.002, -0.0005, 0.0004, -0.003])
    assert not res["consistent"] and res["bracket_K"] == [380, 390]
    assert res["Tm_K"] == pytest.approx(385.0) and res["Tm_err_K"] == pytest.approx(5.0)
    assert cx.melting_point_from_rates([300, 350], [0.01, 0.002])["Tm_K"] is None
    assert "higher T" in cx.melting_point_from_rates([300, 350], [0.01, 0.002])["note"]
    assert "lower T" in cx.melting_point_from_rates([300, 350], [-0.01, -0.002])["note"]
    assert cx.next_temperature([300, 350], [0.01, 0.002]) is None
    # NaN rates (a failed fit) are ignored
    assert cx.melting_point_from_rates([300, 350, 400], [0.01, np.nan, -0.01])["bracket_K"] == [300, 400]


def test_solid_fraction_rate_from_the_energy_keeps_its_sign_after_full_melt():
    t = np.arange(0, 100, 0.5)
    L = 0.03
    # melting at 0.01 /ps: pe rises by L * 0.01 per ps, until the crystal is gone at t = 50 ps
    f = np.clip(0.5 - 0.01 * t, 0, 1)
    pe = -1.1 + (0.5 - f) * L + np.random.default_rng(1).normal(0, 1e-5, t.size)
    r = cx.solid_fraction_rate(t, pe, L, skip_ps=0)
    assert r["f_end"] == pytest.approx(0.0, abs=0.01) and r["f_start"] == pytest.approx(0.45, abs=0.02)
    # the flat molten tail lowers the slope, never its sign
    assert -0.01 < r["rate_per_ps"] < -0.003
    r = cx.solid_fraction_rate(t[:90], pe[:90], L, skip_ps=0)  # before it melted through: the rate itself
    assert r["rate_per_ps"] == pytest.approx(-0.01, rel=0.02)
    # with the crystal's energy known, f is absolute: 1 - (pe - pe_solid)/L
    assert cx.solid_fraction([-1.1 + 0.5 * L], L, pe_solid=-1.1)[0] == pytest.approx(0.5)


@pytest.mark.lammps
def test_tiny_na_coexistence_melts_above_and_grows_below_tm(tmp_path):
    """Na EAM, 3 x 3 x 12 spacings of (100) (216 atoms, ~15 s on one core; this box melts or freezes through
    within ~2 ps, so the rate is fitted from the start): 100 K above the potential's
    coexistence T_m (about 455 K: docs/md.md) the two-phase box melts, 100 K below it crystallises."""
    cfg = afconfig.load(ROOT / "config" / "config.yaml", ROOT / "tests" / "configs" / "md_local_potentials.yaml")
    cfg["potentials"]["Na"]["local_dir"] = str(SHARED)
    pot = afpot.resolve("Na", cfg, workdir=tmp_path)
    cfg["md"]["coexistence"].update(
        cells=[3, 3, 12], solid_ps=2, melt_ps=3, quench_ps=0.5, run_ps=6, skip_ps=0, sample_every=25
    )
    s = cx.CoexistenceSettings.from_config(cfg["md"], "Na")
    rates = {}
    for T in (355.0, 555.0):
        c = cx.coexistence_run(pot, 4.3, T, 700.0, s, tmp_path / f"T{T:g}")
        assert c["natoms"] == 2 * 3 * 3 * 12
        rates[T] = cx.solid_fraction_rate(c["t_ps"], c["pe"], 0.027, s.skip_ps, c["pe_solid"])["rate_per_ps"]
    assert rates[355.0] > 0 > rates[555.0], rates
    res = cx.melting_point_from_rates(list(rates), list(rates.values()))
    assert res["bracket_K"] == [355.0, 555.0]


def test_a_rate_within_its_error_of_zero_decides_nothing():
    T, r, e = [430, 445, 455, 466], [0.01, 0.0018, 0.0003, -0.007], [0.0004, 0.0003, 0.0004, 0.0003]
    res = cx.melting_point_from_rates(T, r, e)
    assert res["bracket_K"] == [445, 466] and res["undecided_K"] == [455]
    assert cx.melting_point_from_rates(T, r)["bracket_K"] == [455, 466]  # without errors every sign counts


def test_a_run_that_melted_through_counts_as_melting():
    """A crystal that melts through before the rate's fit window leaves a liquid: a rate of zero (undecided) but a
    CNA-bcc fraction falling to exactly zero. Such a run is a melting run, and the bracket's midpoint is T_m (its
    rate says nothing about how fast it melted). CNA-bcc over the first and last fifth of a run:"""
    bcc_melted, bcc_solid, bcc_liquid_throughout = (0.06, 0.0), (0.1, 0.2), (0.0, 0.0)
    assert cx.melted_through(*bcc_melted, f_end=0.37)  # the energy reads liquid (a latent heat off by a third)
    assert not cx.melted_through(*bcc_melted, f_end=0.99)  # bcc gone but the energy is the crystal's: not a melt
    assert not cx.melted_through(*bcc_solid, f_end=1.0)
    assert not cx.melted_through(*bcc_liquid_throughout, f_end=0.4)  # never had a crystal: nothing to decide
    T, rate, err = [454.6, 503.3, 552.0], [0.0070, 0.0002, 0.0002], [0.0009, 0.0012, 0.0011]
    assert "higher T" in cx.melting_point_from_rates(T, rate, err)["note"]  # without the flag: undecided
    res = cx.melting_point_from_rates(T, rate, err, melted=[False, True, True])
    assert res["bracket_K"] == [454.6, 503.3] and res["consistent"]
    assert res["Tm_K"] == pytest.approx(0.5 * (454.6 + 503.3)) and res["Tm_err_K"] == pytest.approx(24.35)
    assert res["melted_through_K"] == [503.3, 552.0] and res["undecided_K"] == []
    assert cx.next_temperature(T, rate, err, melted=[False, True, True]) == pytest.approx(479.0, abs=0.1)
