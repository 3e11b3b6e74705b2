"""Coherent metal/coating interfaces with pymatgen (methods §4): the alkali slab is the substrate
(unstrained), the coating the film, matched by a Zur-McGill (ZSL) search within a strain and area bound."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .structures import InterfaceError, keep_planes, normalise_slab, annotate_metal, inplane_repeats


@dataclass(frozen=True)
class InterfaceSettings:
    """Everything the interface builder needs besides the two structures and facets.

    From config ``interfaces`` (ZSL search, gap, coating layers) and the precision preset (slab)."""
    max_strain: float            # largest strain applied to the film (fraction)
    max_area_A2: float           # bound on the supercell area searched
    angle_tol: float             # pymatgen ZSL max_angle_tol
    gap_A: float                 # initial metal-coating gap
    coating_layers: int          # planes of a bulk coating film (a 2D sheet is one)
    metal_layers: int
    fixed_layers: int
    vacuum_A: float
    inplane_min_length_A: float = 0.0   # repeat the cell until both in-plane vectors are this long

    @classmethod
    def from_config(cls, interfaces: dict, preset: dict) -> "InterfaceSettings":
        return cls(max_strain=interfaces["max_strain"], max_area_A2=interfaces["max_area_A2"],
                   angle_tol=interfaces["angle_tol"], gap_A=interfaces["gap_A"],
                   coating_layers=interfaces["coating_layers"], metal_layers=preset["metal_layers"],
                   fixed_layers=preset["fixed_layers"], vacuum_A=preset["vacuum_A"],
                   inplane_min_length_A=preset["inplane_min_length_A"])


@dataclass
class InterfaceMatch:
    area_A2: float
    strain: float          # largest principal in-plane strain applied to the film (fraction)
    strain_von_mises: float
    film_vectors: list
    substrate_vectors: list
    n_matches: int


def _inplane_frame(v1, v2) -> np.ndarray:
    """2x2 matrix with the two vectors as columns, in an orthonormal frame of their plane."""
    v1, v2 = np.asarray(v1, float), np.asarray(v2, float)
    ex = v1 / np.linalg.norm(v1)
    n = np.cross(v1, v2)
    ey = np.cross(n / np.linalg.norm(n), ex)
    return np.array([[v1 @ ex, v2 @ ex], [v1 @ ey, v2 @ ey]])


def film_strain(film_sl, substrate_sl) -> tuple[float, float]:
    """Principal in-plane strain that maps the film supercell onto the substrate supercell.

    Returns (max |stretch - 1|, von Mises equivalent of the small-strain tensor)."""
    F = _inplane_frame(*substrate_sl[:2]) @ np.linalg.inv(_inplane_frame(*film_sl[:2]))
    stretches = np.linalg.svd(F, compute_uv=False)
    eps = stretches - 1.0
    vm = float(np.sqrt(eps[0] ** 2 - eps[0] * eps[1] + eps[1] ** 2))
    return float(np.abs(eps).max()), vm


def coherent_interface(system_id: str, metal_struct, film_struct, metal_facet, film_facet,
                       settings: InterfaceSettings, film_is_2d: bool = False):
    """Coherent interface with pymatgen's CoherentInterfaceBuilder, metal = substrate.

    Among ZSL matches with film strain <= ``max_strain`` the smallest area wins, ties broken by
    the smallest strain. Returns (Atoms, InterfaceMatch). Raises :class:`InterfaceError`
    naming the system and the best strain found when nothing matches.
    """
    from pymatgen.analysis.interfaces.coherent_interfaces import CoherentInterfaceBuilder
    from pymatgen.analysis.interfaces.zsl import ZSLGenerator
    from pymatgen.io.ase import AseAtomsAdaptor

    st = settings
    max_strain, max_area, vacuum = st.max_strain, st.max_area_A2, st.vacuum_A
    metal_layers, film_layers = st.metal_layers, st.coating_layers

    def builder(length_tol):
        zsl = ZSLGenerator(max_area_ratio_tol=0.09, max_area=max_area, max_length_tol=length_tol,
                           max_angle_tol=st.angle_tol)
        return CoherentInterfaceBuilder(substrate_structure=metal_struct, film_structure=film_struct,
                                        film_miller=tuple(film_facet), substrate_miller=tuple(metal_facet),
                                        zslgen=zsl)

    b = builder(max_strain)
    scored = []
    for m in b.zsl_matches:
        s, vm = film_strain(m.film_sl_vectors, m.substrate_sl_vectors)
        scored.append((round(m.match_area, 6), s, vm, m))
    ok = [x for x in scored if x[1] <= max_strain + 1e-9]
    if not ok:
        # look wider to tell the user how far off the best candidate is
        wide = builder(min(0.5, 4 * max_strain))
        best = min((film_strain(m.film_sl_vectors, m.substrate_sl_vectors)[0] for m in wide.zsl_matches),
                   default=float("nan"))
        raise InterfaceError(
            f"{system_id}: no coherent match with film strain <= {max_strain:.3f} within "
            f"{max_area:.0f} A^2; best strain found: {best:.4f}" + ("" if np.isfinite(best) else " (no match at all)"))
    area, strain, vm, match = min(ok, key=lambda x: (x[0], x[1]))
    b.zsl_matches = [match]
    term = b.terminations[0]
    sub_layers = metal_layers + 4
    iface = next(iter(b.get_interfaces(term, gap=st.gap_A, vacuum_over_film=vacuum, film_thickness=max(film_layers, 1) + 1,
                                       substrate_thickness=sub_layers, in_layers=True)))
    atoms = AseAtomsAdaptor.get_atoms(iface)
    labels = np.array(iface.site_properties["interface_label"])
    atoms.arrays["is_metal"] = labels == "substrate"
    atoms = normalise_slab(atoms, vacuum)
    is_metal = atoms.arrays["is_metal"].astype(bool)
    atoms = keep_planes(atoms, is_metal, metal_layers, from_top=True)
    # a 2D sheet is a film of one layer
    atoms = keep_planes(atoms, ~atoms.arrays["is_metal"].astype(bool), 1 if film_is_2d else film_layers,
                         from_top=False)
    atoms = normalise_slab(atoms, vacuum)
    film_els = set(np.array(atoms.get_chemical_symbols())[~atoms.arrays["is_metal"].astype(bool)])
    missing = sorted({str(e) for e in film_struct.composition.elements} - film_els)
    if missing:
        # a polar stacking (e.g. rock-salt (111): alternating cation and anion planes) cut to too few
        # planes is no longer the coating
        raise InterfaceError(
            f"{system_id}: the coating film of {film_layers} plane(s) along {tuple(film_facet)} lacks "
            f"{', '.join(missing)} (it holds only {', '.join(sorted(film_els)) or 'nothing'}); "
            f"raise interfaces.coating_layers or choose another coating facet")
    if st.inplane_min_length_A:
        atoms = atoms.repeat((*inplane_repeats(atoms.cell, st.inplane_min_length_A), 1))
    atoms = annotate_metal(atoms, st.fixed_layers)
    info = InterfaceMatch(area, strain, vm, np.asarray(match.film_sl_vectors).tolist(),
                          np.asarray(match.substrate_sl_vectors).tolist(), len(ok))
    atoms.info["termination"] = str(term)
    return atoms, info
