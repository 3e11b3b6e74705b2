"""Lattice Monte Carlo of the vacancy lattice gas against exact 2D Ising critical points."""

import math

import numpy as np
import pytest

from anodeflow.analysis import montecarlo as mc
from anodeflow.constants import KB_EV_PER_K

OMEGA = 0.04  # eV, a typical vacancy pair binding


@pytest.mark.slow
def test_square_lattice_onsager_from_geometry():
    """Square lattice built from site positions; exact k_B T_c = 2J/ln(1+sqrt2), J = omega/4
    (Onsager, Phys. Rev. 65, 117 (1944)). Binder crossing of 8x8 and 16x16 lattices: within 2 %."""
    a = 3.0
    pos = np.array([[0, 0, 10.0], [a, 0, 10.0], [0, a, 10.0], [a, a, 10.0]])
    cell = np.diag([2 * a, 2 * a, 30.0])
    res = mc.lattice_tc(pos, pos, cell, OMEGA, "11", n_small=64, n_large=256, seed=1)
    assert res["z"] == 4
    assert res["sizes"] == [64, 256]
    exact = mc.ONSAGER_SQUARE_KTC_OVER_J * (OMEGA / 4) / KB_EV_PER_K
    assert res["T_c_meanfield_K"] == pytest.approx(OMEGA / KB_EV_PER_K)  # z omega / (4 k_B), z = 4
    assert res["T_c_MC_K"] == pytest.approx(exact, rel=0.02)
    # mean field overestimates: exact ratio 0.567
    assert res["ratio_MC_over_MF"] == pytest.approx(mc.ONSAGER_SQUARE_KTC_OVER_J / 4, rel=0.02)


@pytest.mark.slow
def test_triangular_lattice_exact_tc():
    """Triangular lattice (z = 6, the geometry of a close-packed plane): k_B T_c = 4J/ln 3
    (Houtappel, Physica 16, 425 (1950)); within 3 %."""
    a = 3.0
    pos = np.array([[0.0, 0.0, 5.0]])
    cell = np.array([[a, 0, 0], [a / 2, a * math.sqrt(3) / 2, 0], [0, 0, 20.0]])
    res = mc.lattice_tc(pos, pos, cell, OMEGA, "11", n_small=64, n_large=256, seed=2)
    assert res["z"] == 6
    exact = 4 * (OMEGA / 4) / math.log(3) / KB_EV_PER_K
    assert res["T_c_MC_K"] == pytest.approx(exact, rel=0.03)


def test_bcc100_second_plane_bonds_are_nearest_in_3d():
    """bcc(100): each top-plane site sits over 4 second-plane sites (z_12 = 4); the 12 graph is bipartite."""
    a = 3.44
    top = np.array([[0, 0, a / 2]])
    sub = np.array([[a / 2, a / 2, 0.0]])
    cell = np.diag([a, a, 30.0])
    small, large, z = mc.site_graphs(top, sub, cell, OMEGA, "12", n_small=32, n_large=128)
    assert z == 4
    assert np.all(small.degree == 4)
    assert large.n > small.n


def test_repulsive_pairs_have_no_gap():
    pos = np.array([[0, 0, 0.0]])
    res = mc.lattice_tc(pos, pos, np.diag([3.0, 3.0, 20.0]), -0.02, "11")
    assert res["T_c_MC_K"] == 0.0 and res["T_c_meanfield_K"] == 0.0


def test_ordered_and_disordered_limits():
    g = mc.square_lattice(8, OMEGA / 4)
    tc = mc.ONSAGER_SQUARE_KTC_OVER_J * (OMEGA / 4) / KB_EV_PER_K
    cold = mc.sample(g, 0.3 * tc, 50, 300, seed=3)
    hot = mc.sample(g, 5.0 * tc, 50, 300, seed=3)
    assert cold["mabs"] > 0.95 and cold["U"] == pytest.approx(2 / 3, abs=0.02)
    assert hot["mabs"] < 0.3 and hot["U"] < 0.3
