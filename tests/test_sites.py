"""Coordination numbers z_11, z_12 from geometry against hand-derived values (anodeflow.interfaces.sites docstring)."""

import pytest

from anodeflow.interfaces import sites, structures

# bcc: (100) square net: 4 in-plane neighbours at a, 4 bulk nearest neighbours in the plane below;
# (110) centred rectangular: 4 at a√3/2 in-plane, 2 bulk nearest neighbours below;
# (111) triangular net at a√2: 6 in-plane, 3 bulk nearest neighbours one plane (a/(2√3)) below.
HAND = {
    (1, 0, 0): (4, 4, 1.0, 3**0.5 / 2),
    (1, 1, 0): (4, 2, 3**0.5 / 2, 3**0.5 / 2),
    (1, 1, 1): (6, 3, 2**0.5, 3**0.5 / 2),
}


@pytest.mark.parametrize("metal,a", [("Li", 3.44), ("Na", 4.23)])
@pytest.mark.parametrize("facet", list(HAND))
def test_z_from_geometry(metal, a, facet):
    # 12.5 A: every cell meets the single-image rule (Na(111): 3 x 5.98 A > 2 (5.98 + 0.15) A)
    slab = structures.metal_slab(metal, facet, a, 4, 2, 12.5, 15.0)
    e = sites.enumerate_vacancies(slab)
    z11, z12, d11, d12 = HAND[facet]
    assert (e.z_11, e.z_12) == (z11, z12)
    assert e.d_11_A == pytest.approx(d11 * a, abs=1e-6)
    assert e.d_12_A == pytest.approx(d12 * a, abs=1e-6)


def test_symmetry_reduces_sites_and_pairs():
    slab = structures.metal_slab("Li", (1, 0, 0), 3.44, 4, 2, 10.0, 15.0)
    e = sites.enumerate_vacancies(slab)
    # 3x3 in-plane: every tag1 site equivalent, every tag2 site equivalent; one (11) and one (12) pair class
    assert [(s["tag"], s["multiplicity"]) for s in e.sites] == [(1, 9), (2, 9)]
    assert sorted((p["type"], p["multiplicity"]) for p in e.pairs) == [("11", 18), ("12", 36)]
    assert [c["id"] for c in e.configurations()][0] == "pristine"
    assert len(e.configurations()) == 5


def test_tags_and_fixed_layers():
    slab = structures.metal_slab("Na", (1, 1, 1), 4.23, 6, 2, 10.0, 15.0)
    z = slab.positions[:, 2]
    tags = slab.get_tags()
    assert z[tags == 1].min() > z[tags == 2].max()
    assert z[slab.arrays["fixed"]].max() < z[~slab.arrays["fixed"]].min()
    assert slab.cell[2, 2] - (z.max() - z.min()) == pytest.approx(15.0)
