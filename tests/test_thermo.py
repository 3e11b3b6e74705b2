"""The pair-model bookkeeping is exact: synthetic energies with known ε give back ω, Ω, T_c."""
import numpy as np
import pytest

from anodeflow.interfaces import sites, structures
from anodeflow.thermo import pair_model as thermo
from anodeflow.thermo import vacancies as vacancy_thermo
from anodeflow.constants import KB_EV_PER_K


def pair_model_energy(atoms, removed, eps, shells):
    """E = Σ over nearest (11) and (12) bonds of the tag1/tag2 lattice of ε(s_a, s_b), s = O or V.

    ``eps[t]`` = (ε_OO, ε_VO, ε_VV) for bond type t; images counted, as in the enumeration."""
    tags = atoms.get_tags()
    t1, t2 = np.flatnonzero(tags == 1), np.flatnonzero(tags == 2)
    vac = set(removed)
    E = 0.0
    for t, members, d0 in (("11", t1, shells["11"]), ("12", t2, shells["12"])):
        for i in t1:
            d = sites._image_distances(atoms, i, members)
            if t == "11":
                d[members == i, (d.shape[1] - 1) // 2] = np.inf
            for j, row in zip(members, d):
                nb = int((row <= d0 + sites.SHELL_TOL_A).sum())
                si, sj = i in vac, j in vac
                e = eps[t][si + sj]
                E += nb * e * (0.5 if t == "11" else 1.0)   # 11 bonds are seen from both ends
    return E


@pytest.mark.parametrize("facet", [(1, 0, 0), (1, 1, 0), (1, 1, 1)])
def test_pair_model_recovers_omega_Omega_Tc_exactly(facet):
    slab = structures.metal_slab("Li", facet, 3.44, 4, 2, 10.0, 15.0)
    enum = sites.enumerate_vacancies(slab)
    eps = {"11": (-0.31, -0.12, -0.02), "12": (-0.27, -0.10, -0.05)}  # ω = 0.09, 0.12 eV
    omega_true = {t: 2 * e[1] - e[2] - e[0] for t, e in eps.items()}
    shells = {"11": enum.d_11_A, "12": enum.d_12_A}
    energies = {c["id"]: pair_model_energy(slab, c["removed"], eps, shells) for c in enum.configurations()}
    summary, pairs, site_df = vacancy_thermo.system_thermo(enum.to_dict(), energies, mu_metal=-1.9)
    for t in ("11", "12"):
        np.testing.assert_allclose(pairs[pairs.type == t].omega_eV, omega_true[t], rtol=0, atol=1e-12)
        z = getattr(enum, f"z_{t}")
        assert summary[f"Omega_{t}_eV"] == pytest.approx(z / 2 * omega_true[t], abs=1e-12)
        assert summary[f"Tc_{t}_K"] == pytest.approx(z * omega_true[t] / (4 * KB_EV_PER_K), abs=1e-9)


def test_negative_Omega_gives_zero_Tc_and_flags():
    s = thermo.pair_model_summary([{"type": "11", "multiplicity": 2, "omega_eV": -0.05},
                                   {"type": "12", "multiplicity": 1, "omega_eV": 2.0}], 4, 4)
    assert s["Tc_11_K"] == 0.0 and s["no_miscibility_gap_11"]
    assert s["Tc_12_K"] > 1e4 and s["Tc_12_above_flag"]
    assert s["classification"] == "partially resistant"


def test_multiplicity_weighted_mean():
    assert thermo.weighted_mean_omega([0.1, 0.4], [3, 1]) == pytest.approx(0.175)


@pytest.mark.parametrize("tc11,tc12,cls", [(100, 200, "resistant"), (100, 400, "partially resistant"),
                                           (500, 400, "prone")])
def test_classification(tc11, tc12, cls):
    assert thermo.classify(tc11, tc12, 300) == cls


def test_binodal_is_common_tangent_and_closes_at_Tc():
    om = 0.08
    tc = thermo.critical_temperature(om)
    T = np.array([0.2, 0.5, 0.8, 0.95]) * tc
    x = thermo.binodal(om, T)
    # zero slope of Δg at x and 1 − x (symmetric model): chemical potentials equal
    for xi, Ti in zip(x, T):
        h = 1e-7
        g = lambda y: thermo.mixing_free_energy(y, Ti, om)
        slope = (g(xi + h) - g(xi - h)) / (2 * h)
        assert abs(slope) < 1e-6
    assert np.all(np.diff(x) > 0)          # the gap narrows as T rises
    assert np.isnan(thermo.binodal(om, [1.01 * tc])[0])
