"""O-lattice descriptor (docs/methods.md §4) against hand-derived cases.

Substrate cell A, film cell B (columns), film rotated by θ: T = R(θ) B U A⁻¹ (U the correspondence
nearest the identity); O-lattice basis (I − T⁻¹)⁻¹ A, cell area A_sub/|det(I − T⁻¹)|."""

import numpy as np
import pytest

from anodeflow.interfaces.descriptors import o_lattice, o_lattice_scan

a = 3.0
SQ = a * np.eye(2)


def test_identical_lattices_coincide():
    """T = I: I − T⁻¹ = 0, the O-lattice is singular (every point is an O-point): ρ_O = 0, A_O = ∞."""
    r = o_lattice(SQ, SQ, 0.0)
    assert r["density"] == 0.0 and r["area_ratio"] == np.inf and r["basis"] is None
    # 90°, 180°: a symmetry of the square lattice; the principal correspondence undoes it
    for t in (90.0, 180.0, 270.0):
        assert o_lattice(SQ, SQ, t)["density"] < 1e-12
    s = o_lattice_scan(SQ, SQ)
    assert s["coincident"] and s["kind"] == "coincident" and s["density_min"] == 0.0 and s["theta_deg"] == 0.0
    assert s["area_ratio_at_min"] == np.inf


@pytest.mark.parametrize("delta", [0.01, 0.05, 0.2])
def test_dilated_square(delta):
    """B = (1 + δ) A: T = (1 + δ) I, I − T⁻¹ = δ/(1 + δ) I, so the O-lattice is square with spacing
    a (1 + δ)/δ (≈ a/δ: n film spacings meet n + 1 substrate spacings at n = 1/δ) and area
    a² (1 + δ)²/δ²; ρ_O = δ²/(1 + δ)², and no rotation does better (|det(I − R/(1+δ))| =
    1 − 2 cos θ/(1 + δ) + 1/(1 + δ)² is smallest at θ = 0)."""
    r = o_lattice(SQ, (1 + delta) * SQ, 0.0)
    assert r["spacing_A"] == pytest.approx(a * (1 + delta) / delta, rel=1e-9)
    assert r["area_A2"] == pytest.approx(a**2 * (1 + delta) ** 2 / delta**2, rel=1e-9)
    assert r["area_ratio"] == pytest.approx((1 + delta) ** 2 / delta**2, rel=1e-9)
    s = o_lattice_scan(SQ, (1 + delta) * SQ)
    assert s["kind"] == "point" and s["theta_deg"] == pytest.approx(0.0, abs=1e-6)
    assert s["density_min"] == pytest.approx(delta**2 / (1 + delta) ** 2, rel=1e-9)
    assert s["stretches"] == pytest.approx([1 + delta, 1 + delta])


@pytest.mark.parametrize("theta", [1.0, 5.0, 20.0])
def test_small_rotation(theta):
    """B = A rotated by θ: |(I − R(−θ)) v| = 2 sin(θ/2)|v|, so the O-lattice (the moiré) is square with
    spacing a/(2 sin(θ/2)) and ρ_O = 4 sin²(θ/2)."""
    r = o_lattice(SQ, SQ, theta)
    h = np.radians(theta) / 2
    assert r["spacing_A"] == pytest.approx(a / (2 * np.sin(h)), rel=1e-9)
    assert r["density"] == pytest.approx(4 * np.sin(h) ** 2, rel=1e-9)
    # a film cell given rotated by θ: the scan turns it back (θ* = 360° − θ mod the square's 90°)
    R = np.array([[np.cos(2 * h), -np.sin(2 * h)], [np.sin(2 * h), np.cos(2 * h)]])
    s = o_lattice_scan(SQ, R @ SQ)
    assert s["density_min"] < 1e-6 and (s["theta_deg"] + theta) % 90.0 == pytest.approx(0.0, abs=2e-3)


def test_invariant_line():
    """Rectangular film a x 1.1a on a square substrate: at θ = 0 the x axis is unstrained (T has the
    eigenvalue 1): I − T⁻¹ is singular, O-lines instead of O-points (ρ_O = 0, kind "line")."""
    B = np.diag([a, 1.1 * a])
    assert o_lattice(SQ, B, 0.0)["density"] == pytest.approx(0.0, abs=1e-12)
    s = o_lattice_scan(SQ, B)
    assert s["kind"] == "line" and s["density_min"] == 0.0 and s["area_ratio_at_min"] == np.inf
    assert s["stretches"] == pytest.approx([1.0, 1.1])


def test_basis_choice_does_not_matter():
    """Another basis of the same film lattice (a unimodular change) gives the same descriptor."""
    B = 1.05 * SQ
    s1 = o_lattice_scan(SQ, B)
    s2 = o_lattice_scan(SQ, B @ np.array([[1, 1], [0, 1]]))
    s3 = o_lattice_scan(SQ, B @ np.array([[0, -1], [1, 0]]))
    assert s1["density_min"] == pytest.approx(s2["density_min"], rel=1e-9)
    assert s1["density_min"] == pytest.approx(s3["density_min"], rel=1e-9)
    # a hexagonal film on a square substrate: stretches straddle 1, an invariant line is found
    H = np.array([[2.7, 1.35], [0.0, 2.7 * np.sqrt(3) / 2]])
    assert o_lattice_scan(SQ, H)["kind"] == o_lattice_scan(SQ, H @ np.array([[1, 1], [0, 1]]))["kind"] == "line"
