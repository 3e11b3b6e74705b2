"""Geometric and chemical descriptors of an interface (methods §4): the area-mismatch coefficient
a_m, the reduced surface cells, and the Mulliken electronegativity difference Δχ_max."""

from __future__ import annotations

import numpy as np


def area_mismatch(area_metal: float, area_coating: float, max_index: int = 8) -> tuple[float, tuple[int, int]]:
    """a_m = |A_metal/A_coating - q| with q = p/s the closest fraction, 1 <= p, s <= max_index."""
    ar = area_metal / area_coating
    best = min(
        ((abs(ar - p / s), (p, s)) for p in range(1, max_index + 1) for s in range(1, max_index + 1)),
        key=lambda x: (x[0], x[1][1]),
    )
    return best[0], best[1]


def reduced_surface_area(structure, miller) -> float:
    """Area (Å^2) of the reduced 2D cell of the (hkl) plane of a pymatgen Structure."""
    from pymatgen.core.surface import SlabGenerator

    slab = SlabGenerator(
        structure, tuple(miller), min_slab_size=1, min_vacuum_size=5, primitive=True, reorient_lattice=True
    ).get_slab()
    return float(np.linalg.norm(np.cross(slab.lattice.matrix[0], slab.lattice.matrix[1])))


def mulliken_electronegativity(element: str) -> float:
    """χ = (first ionisation energy + electron affinity)/2 (eV), from pymatgen's element data."""
    from pymatgen.core import Element

    el = Element(str(element))
    return (el.ionization_energies[0] + el.electron_affinity) / 2


# ----------------------------------------------------------------------------- O-lattice (Bollmann)
#
# Substrate (metal) lattice A and film (coating) lattice B, each given by its reduced 2D surface cell
# (columns = basis vectors, in the plane's own orthonormal frame). With the film rotated by θ about the
# surface normal, a linear map T carries the substrate lattice onto the film lattice:
#
#     T = R(θ) B U A⁻¹,     U ∈ SL(2, Z) (which film basis vector answers which substrate one)
#
# O-lattice theory (W. Bollmann, Crystal Defects and Crystalline Interfaces, 1970): the points x that
# are "equivalent" in both lattices solve (I − T⁻¹) x = b, b a substrate lattice vector, so the
# O-lattice has the basis (I − T⁻¹)⁻¹ A and the cell area
#
#     A_O = A_sub / |det(I − T⁻¹)|.
#
# A large O-cell means that the two lattices coincide over large regions (good match); T = I (identical
# lattices, or a 1D coincidence: T with an eigenvalue 1) makes (I − T⁻¹) singular: A_O = ∞.
# The correspondence U is the one that brings T nearest the identity (smallest ‖T − I‖_F), Bollmann's
# principal correspondence: lattices related by a symmetry operation of either lattice (e.g. two square
# lattices at 90°) are then recognised as coincident.
#
# Descriptor (anodeflow, docs/methods.md §4): the reduced O-lattice area a_O(θ) = A_O/A_sub (the O-cell
# in units of the substrate's reduced cell) and its inverse ρ_O(θ) = A_sub/A_O = |det(I − T⁻¹)|, the
# number of O-points per substrate cell (0: coincidence). The descriptor is the smallest ρ_O over
# relative rotations θ ∈ [0°, 180°) (every 2D lattice is centrosymmetric: θ + 180° is the same
# orientation) and the angle θ* where it occurs -- equivalently the largest reduced O-lattice area
# 1/ρ_O(θ*). The literal minimum of a_O over θ (the worst orientation) is recorded beside it.


def _rot(theta_rad):
    c, s = np.cos(theta_rad), np.sin(theta_rad)
    return np.array([[c, -s], [s, c]])


def reduced_surface_cell(structure, miller) -> np.ndarray:
    """The reduced 2D cell of the (hkl) plane of a pymatgen Structure: 2x2 matrix, columns the two
    Lagrange-Gauss reduced in-plane vectors (Å) in an orthonormal frame of the plane, right-handed
    about the surface normal (its area is :func:`reduced_surface_area`)."""
    from pymatgen.core.surface import SlabGenerator

    from .coherent import _inplane_frame
    from .sites import reduced_inplane_basis

    slab = SlabGenerator(
        structure, tuple(miller), min_slab_size=1, min_vacuum_size=5, primitive=True, reorient_lattice=True
    ).get_slab()
    v1, v2 = slab.lattice.matrix[0], slab.lattice.matrix[1]
    M = _inplane_frame(v1, v2)  # columns v1, v2; det > 0
    a, b = reduced_inplane_basis(M[:, 0], M[:, 1])
    out = np.column_stack([a, b])
    if np.linalg.det(out) < 0:
        out[:, 1] *= -1
    return out


def _unimodular(max_index: int) -> np.ndarray:
    """Every integer 2x2 matrix with entries in [-max_index, max_index] and determinant +1."""
    r = np.arange(-max_index, max_index + 1)
    u = np.array(np.meshgrid(r, r, r, r, indexing="ij")).reshape(4, -1).T
    u = u[u[:, 0] * u[:, 3] - u[:, 1] * u[:, 2] == 1]
    return u.reshape(-1, 2, 2).astype(float)


def o_lattice(A, B, theta_deg: float, max_index: int = 2) -> dict:
    """O-lattice of substrate cell ``A`` and film cell ``B`` (2x2, columns = basis vectors, Å) at the
    relative rotation ``theta_deg`` of the film.

    Returns ``T`` (the principal correspondence), ``density`` ρ_O = |det(I − T⁻¹)| (O-points per
    substrate cell), ``area_ratio`` a_O = A_O/A_sub (inf when T has an eigenvalue 1), ``area_A2`` A_O,
    ``basis`` the Gauss-reduced O-lattice basis (columns; None when singular) and ``spacing_A``, its
    shortest vector."""
    A, B = np.asarray(A, float), np.asarray(B, float)
    return _o_lattice_from_T(A, _principal_T(A, B, theta_deg, _unimodular(max_index)))


def _principal_T(A, B, theta_deg, Us):
    Ts = _rot(np.radians(theta_deg)) @ B @ Us @ np.linalg.inv(A)  # (nU, 2, 2)
    dist = np.sum((Ts - np.eye(2)) ** 2, axis=(1, 2))
    return Ts[int(np.argmin(dist))]


def _density(T) -> float:
    return float(abs(np.linalg.det(np.eye(2) - np.linalg.inv(T))))


def _o_lattice_from_T(A, T, tol: float = 1e-12) -> dict:
    from .sites import reduced_inplane_basis

    area_sub = float(abs(np.linalg.det(A)))
    rho = _density(T)
    out = {"T": T.tolist(), "density": rho}
    if rho < tol:
        out.update({"area_ratio": float("inf"), "area_A2": float("inf"), "basis": None, "spacing_A": float("inf")})
        return out
    o_lattice = np.linalg.inv(np.eye(2) - np.linalg.inv(T)) @ A
    o1, o2 = reduced_inplane_basis(o_lattice[:, 0], o_lattice[:, 1])
    out.update(
        {
            "area_ratio": 1.0 / rho,
            "area_A2": area_sub / rho,
            "basis": np.column_stack([o1, o2]).tolist(),
            "spacing_A": float(np.linalg.norm(o1)),
        }
    )
    return out


#: ρ_O below this at the best angle, with principal stretches of T on both sides of 1: an invariant
#: line (T has an eigenvalue 1 there; the O-lattice degenerates into O-lines). The refinement stops
#: within ~1e-3° of the root, where ρ_O ~ 1e-5.
LINE_TOL = 1e-4


def o_lattice_scan(
    A, B, theta_max_deg: float = 180.0, step_deg: float = 0.5, refine_tol_deg: float = 1e-3, max_index: int = 2
) -> dict:
    """Smallest O-point density ρ_O(θ) = A_sub/A_O(θ) over relative rotations θ ∈ [0, theta_max_deg):
    a grid of ``step_deg``, then a bounded scalar minimisation within one step of the best grid angle
    (to ``refine_tol_deg``). Also the literal minimum of the reduced O-lattice area a_O = A_O/A_sub
    (largest ρ_O, the worst orientation) on the grid.

    Returns ``density_min`` ρ_O(θ*), ``theta_deg`` θ*, ``area_ratio_at_min`` a_O(θ*) (inf: coincidence),
    ``area_A2_at_min``, ``spacing_A_at_min``, ``kind`` at θ*: "coincident" (T = I), "line" (ρ_O ≈ 0
    with T ≠ I: an invariant line, the principal stretches of T straddle 1) or "point" (a finite
    O-cell), ``stretches`` (singular values of T at θ*), ``area_ratio_min`` and
    ``theta_area_ratio_min_deg`` (the literal minimum), and the scan settings."""
    from scipy.optimize import minimize_scalar

    A, B = np.asarray(A, float), np.asarray(B, float)
    Us = _unimodular(max_index)
    grid = np.arange(0.0, theta_max_deg, step_deg)
    rho = np.array([_density(_principal_T(A, B, t, Us)) for t in grid])
    k = int(np.argmin(rho))
    best_t, best_rho = float(grid[k]), float(rho[k])
    if best_rho > 1e-12:

        def f(t):
            return _density(_principal_T(A, B, t, Us))

        r = minimize_scalar(
            f, bounds=(best_t - step_deg, best_t + step_deg), method="bounded", options={"xatol": refine_tol_deg}
        )
        if r.fun < best_rho:
            best_t, best_rho = float(r.x), float(r.fun)
    best_t = best_t % theta_max_deg
    T = _principal_T(A, B, best_t, Us)
    at = _o_lattice_from_T(A, T)
    stretches = np.sort(np.linalg.svd(T, compute_uv=False))
    if at["density"] < 1e-9 and np.allclose(stretches, 1.0, atol=1e-6):
        kind = "coincident"
    elif at["density"] < LINE_TOL and stretches[0] <= 1.0 + 1e-9 <= stretches[1] + 2e-9:
        # |T v| = |v| for some v only if the stretches straddle 1: then a rotation fixes v
        kind = "line"
    else:
        kind = "point"
    if kind == "line":
        # an exact root exists (the stretches straddle 1); the refinement stopped within refine_tol_deg of it
        at.update({"density": 0.0, "area_ratio": float("inf"), "area_A2": float("inf"), "spacing_A": float("inf")})
    kw = int(np.argmax(rho))
    return {
        "density_min": at["density"],
        "theta_deg": best_t,
        "area_ratio_at_min": at["area_ratio"],
        "area_A2_at_min": at["area_A2"],
        "spacing_A_at_min": at["spacing_A"],
        "coincident": kind == "coincident",
        "kind": kind,
        "stretches": stretches.tolist(),
        "area_ratio_min": float(1.0 / rho[kw]) if rho[kw] > 0 else float("inf"),
        "theta_area_ratio_min_deg": float(grid[kw]),
        "substrate_cell_A2": float(abs(np.linalg.det(A))),
        "film_cell_A2": float(abs(np.linalg.det(B))),
        "theta_max_deg": theta_max_deg,
        "step_deg": step_deg,
        "refine_tol_deg": refine_tol_deg,
        "max_index": max_index,
    }


def o_lattice_descriptor(metal_struct, metal_facet, film_struct, film_facet, settings: dict | None = None) -> dict:
    """The O-lattice descriptor of a metal (substrate) / coating (film) pair from their reduced 2D
    surface cells (unstrained), as flat descriptors.json entries (JSON-safe: an infinite area is null,
    with ``o_lattice_coincident``)."""
    s = {"theta_max_deg": 180.0, "step_deg": 0.5, "refine_tol_deg": 1e-3, "max_index": 2, **(settings or {})}
    scan = o_lattice_scan(
        reduced_surface_cell(metal_struct, metal_facet), reduced_surface_cell(film_struct, film_facet), **s
    )

    def fin(x):
        return None if not np.isfinite(x) else float(x)

    return {
        "o_lattice_density_min": scan["density_min"],
        "o_lattice_theta_deg": scan["theta_deg"],
        "o_lattice_area_ratio_at_min": fin(scan["area_ratio_at_min"]),
        "o_lattice_area_A2_at_min": fin(scan["area_A2_at_min"]),
        "o_lattice_spacing_A_at_min": fin(scan["spacing_A_at_min"]),
        "o_lattice_coincident": scan["coincident"],
        "o_lattice_kind": scan["kind"],
        "o_lattice_stretches": scan["stretches"],
        "o_lattice_area_ratio_min": fin(scan["area_ratio_min"]),
        "o_lattice_theta_area_ratio_min_deg": scan["theta_area_ratio_min_deg"],
        "o_lattice_scan": {
            k: scan[k]
            for k in ("theta_max_deg", "step_deg", "refine_tol_deg", "max_index", "substrate_cell_A2", "film_cell_A2")
        },
    }
