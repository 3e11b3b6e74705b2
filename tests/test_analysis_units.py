"""Small exact checks of the analysis bookkeeping (no DFT): adhesion units and parts, density
integration windows, PDOS groups, descriptor-map classification keys."""

import numpy as np
import pytest

from anodeflow.analysis import adhesion, density, pdos, plots
from anodeflow.constants import EV_PER_A2_IN_J_PER_M2


def test_adhesion_energy_units_and_sign():
    # 1 eV over 10 A^2 bound: 0.1 eV/A^2 = 1.602 J/m^2
    w = adhesion.adhesion_energy(E_interface=-101.0, E_metal=-60.0, E_coating=-40.0, area_A2=10.0)
    assert w["W_ad_eV_per_A2"] == pytest.approx(0.1)
    assert w["W_ad_J_per_m2"] == pytest.approx(0.1 * EV_PER_A2_IN_J_PER_M2)
    assert EV_PER_A2_IN_J_PER_M2 == pytest.approx(16.0218, rel=1e-5)
    assert adhesion.adhesion_energy(-99.0, -60.0, -40.0, 10.0)["W_ad_eV_per_A2"] < 0  # unbound


def test_adhesion_parts_partition_the_interface():
    is_metal = np.array([1, 1, 0, 1, 0], bool)
    m = adhesion.part_removed(is_metal, "metal")
    c = adhesion.part_removed(is_metal, "coating")
    assert m == [2, 4] and c == [0, 1, 3]
    assert sorted(m + c) == list(range(5))
    assert adhesion.interface_area(np.diag([3.0, 4.0, 20.0])) == pytest.approx(12.0)
    with pytest.raises(ValueError):
        adhesion.part_removed(is_metal, "vacuum")
    with pytest.raises(ValueError, match="functionals"):
        adhesion.system_adhesion({"xc": "PBE"}, {"xc": "BEEF-vdW"}, {"xc": "PBE"}, 1.0)


def test_density_window_and_planar_integral():
    pos = np.array([[0, 0, 5.0], [0, 0, 7.0], [0, 0, 9.0], [0, 0, 11.0]])
    tags = [0, 2, 1, 0]
    is_metal = [True, True, True, False]
    lo, hi = density.window(pos, tags, is_metal)
    assert (lo, hi) == pytest.approx((8.0, 10.0))
    # isolated slab: tag1 plus half the tag2-tag1 spacing
    assert density.window(pos[:3], tags[:3], is_metal[:3]) == pytest.approx((8.0, 10.0))
    cell = np.diag([2.0, 3.0, 20.0])
    rho = np.full((4, 6, 200), 0.5)  # uniform 0.5 e/A^3, dz = 0.1 A
    n = density.planar_integral(rho, cell, 8.0, 10.0)
    assert n.shape == (4, 6)
    assert np.allclose(n, 0.5 * 2.0)  # e/A^2
    # partial voxels count by their overlap
    assert np.allclose(density.planar_integral(rho, cell, 8.03, 8.08), 0.5 * 0.05)


def test_pdos_groups():
    g = pdos.atom_groups(["Li", "Li", "Li", "F", "Li", "F"], [0, 2, 1, 0, 0, 0], [1, 1, 1, 0, 0, 0])
    assert g == {"tag1": [2], "tag2": [1], "metal_rest": [0], "coating_F": [3, 5], "coating_Li": [4]}


def test_classification_keys():
    assert plots._class_key("partially resistant") == "partially resistant"
    assert plots._class_key("resistant") == "resistant"
    assert plots._class_key("undetermined (no interface)") == "undetermined"
