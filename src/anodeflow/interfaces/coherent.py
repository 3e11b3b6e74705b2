"""Coherent metal/coating interfaces with pymatgen (methods §4): the alkali slab is the substrate
(unstrained), the coating the film, matched by a Zur-McGill (ZSL) search within a strain and area bound."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import sites
from .structures import InterfaceError, annotate_metal, keep_planes, metal_slab, normalise_slab, plane_index

#: how a match is chosen among those within the strain bound (config interfaces.select)
SELECT_RULES = ("min_strain", "min_area")
#: which coating plane faces the metal on a polar face (config systems.interfaces[].termination)
TERMINATION_CHOICES = ("anion", "cation")


@dataclass(frozen=True)
class InterfaceSettings:
    """Everything the interface builder needs besides the two structures and facets.

    From config ``interfaces`` (ZSL search, gap, coating layers) and the precision preset (slab)."""

    max_strain: float  # largest strain applied to the film (fraction)
    max_area_A2: float  # bound on the supercell area searched
    angle_tol: float  # pymatgen ZSL max_angle_tol
    gap_A: float  # initial metal-coating gap
    coating_layers: int  # planes of a bulk coating film (a 2D sheet is one)
    metal_layers: int
    fixed_layers: int
    vacuum_A: float
    inplane_min_length_A: float = 0.0  # repeat the cell until both in-plane vectors are this long
    select: str = "min_strain"  # SELECT_RULES: least strain (methods §4) or smallest area wins
    termination: str | int = "anion"  # TERMINATION_CHOICES or an index into the offered terminations
    # when no match fits max_area_A2 once repeated for the single-image rule, the smallest admissible
    # built cell up to this area is taken instead of refusing the system (None: refuse)
    max_area_single_image_A2: float | None = None

    @classmethod
    def from_config(cls, interfaces: dict, preset: dict, termination="anion") -> InterfaceSettings:
        return cls(
            termination=termination,
            max_strain=interfaces["max_strain"],
            max_area_A2=interfaces["max_area_A2"],
            angle_tol=interfaces["angle_tol"],
            gap_A=interfaces["gap_A"],
            coating_layers=interfaces["coating_layers"],
            metal_layers=preset["metal_layers"],
            fixed_layers=preset["fixed_layers"],
            vacuum_A=preset["vacuum_A"],
            inplane_min_length_A=preset["inplane_min_length_A"],
            select=interfaces.get("select", "min_strain"),
            max_area_single_image_A2=interfaces.get("max_area_single_image_A2"),
        )


@dataclass
class InterfaceMatch:
    area_A2: float  # in-plane area of the built cell, single-image repeat included (Å^2)
    strain: float  # largest principal in-plane strain applied to the film (fraction)
    strain_von_mises: float
    film_vectors: list
    substrate_vectors: list
    n_matches: int  # ZSL matches within the strain bound
    n_candidates: int  # ... of which meet the single-image rule within the area bound
    coincidence_area_A2: float  # the substrate's ZSL coincidence cell, before the single-image repeat
    zsl_match_area_A2: float  # pymatgen's match_area (the film's supercell area)
    repeat: tuple  # single-image repeat (n1, n2) of the coincidence cell
    pair_distance_A: float  # longest nearest-pair distance of the metal facet (d_max)
    termination: dict | None = None  # the termination built and those offered (coherent_interface)
    area_bound_extended: bool = False  # built beyond max_area_A2 (up to max_area_single_image_A2)


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


def coherent_interface(
    system_id: str,
    metal_struct,
    film_struct,
    metal_facet,
    film_facet,
    settings: InterfaceSettings,
    film_is_2d: bool = False,
):
    """Coherent interface with pymatgen's CoherentInterfaceBuilder, metal = substrate.

    Among ZSL matches with film strain <= ``max_strain`` whose coincidence cell, repeated for the
    single-image rule (methods §6), fits within ``max_area_A2``, ``settings.select`` decides:
    ``min_strain`` (least strain, ties by the smaller area; methods §4) or ``min_area`` (smallest area,
    ties by the least strain). Returns (Atoms, InterfaceMatch). Raises :class:`InterfaceError`
    naming the system and the best strain found when nothing matches, and
    :class:`sites.SingleImageError` when no match fits the single-image rule within the area bound.
    """
    from pymatgen.analysis.interfaces.coherent_interfaces import CoherentInterfaceBuilder
    from pymatgen.analysis.interfaces.zsl import ZSLGenerator

    st = settings
    max_strain, max_area, film_layers = st.max_strain, st.max_area_A2, st.coating_layers

    def builder(length_tol):
        zsl = ZSLGenerator(
            max_area_ratio_tol=0.09, max_area=max_area, max_length_tol=length_tol, max_angle_tol=st.angle_tol
        )
        # filter_out_sym_slabs=False: a polar face keeps both terminations (pymatgen would merge the
        # anion- and cation-terminated rock-salt (111) faces)
        return CoherentInterfaceBuilder(
            substrate_structure=metal_struct,
            film_structure=film_struct,
            film_miller=tuple(film_facet),
            substrate_miller=tuple(metal_facet),
            zslgen=zsl,
            filter_out_sym_slabs=False,
        )

    if st.select not in SELECT_RULES:
        raise ValueError(f"interfaces.select = {st.select!r}; allowed: {', '.join(SELECT_RULES)}")
    d_max = metal_pair_distance(metal_struct, metal_facet)
    b = builder(max_strain)
    ok, candidates = [], []
    for m in b.zsl_matches:
        s, vm = film_strain(m.film_sl_vectors, m.substrate_sl_vectors)
        if s > max_strain + 1e-9:
            continue
        ok.append(m)
        sub = np.asarray(m.substrate_sl_vectors, float)
        cell_area = float(np.linalg.norm(np.cross(sub[0], sub[1])))
        # the single-image rule (methods §6) repeats the coincidence cell: the area bound applies to
        # the cell that is built, not to the coincidence cell
        rep = sites.single_image_repeats(sub[0], sub[1], d_max, st.inplane_min_length_A, 1, max_area)
        if rep is None:
            continue
        candidates.append(
            {
                "strain": s,
                "vm": vm,
                "area": cell_area * rep[0] * rep[1],
                "cell_area": cell_area,
                "repeat": rep,
                "match": m,
            }
        )
    if not ok:
        # look wider to tell the user how far off the best candidate is
        wide = builder(min(0.5, 4 * max_strain))
        best = min(
            (film_strain(m.film_sl_vectors, m.substrate_sl_vectors)[0] for m in wide.zsl_matches), default=float("nan")
        )
        raise InterfaceError(
            f"{system_id}: no coherent match with film strain <= {max_strain:.3f} within "
            f"{max_area:.0f} A^2; best strain found: {best:.4f}" + ("" if np.isfinite(best) else " (no match at all)")
        )
    extended = False
    if ok and not candidates and st.max_area_single_image_A2 is not None:
        # the single-image repeat pushes every match past max_area_A2: build the smallest admissible cell
        # up to max_area_single_image_A2 (flagged) rather than leave the system out of the campaign
        for m in ok:
            s, vm = film_strain(m.film_sl_vectors, m.substrate_sl_vectors)
            sub = np.asarray(m.substrate_sl_vectors, float)
            cell_area = float(np.linalg.norm(np.cross(sub[0], sub[1])))
            rep = sites.single_image_repeats(
                sub[0], sub[1], d_max, st.inplane_min_length_A, 1, st.max_area_single_image_A2
            )
            if rep is not None:
                candidates.append(
                    {
                        "strain": s,
                        "vm": vm,
                        "area": cell_area * rep[0] * rep[1],
                        "cell_area": cell_area,
                        "repeat": rep,
                        "match": m,
                    }
                )
        if candidates:
            extended = True
            max_area = st.max_area_single_image_A2
    if not candidates:
        need = min(
            float(np.linalg.norm(np.cross(*np.asarray(m.substrate_sl_vectors, float)[:2])))
            * np.prod(
                sites.single_image_repeats(
                    *np.asarray(m.substrate_sl_vectors, float)[:2], d_max, st.inplane_min_length_A
                )
            )
            for m in ok
        )
        raise sites.SingleImageError(
            f"{system_id}: none of the {len(ok)} coherent matches with film strain <= {max_strain:.3f} meets the "
            f"single-image rule (every in-plane lattice vector > {sites.single_image_length(d_max):.2f} A) within "
            f"max_area_A2 = {max_area:.0f} A^2 (nor within interfaces.max_area_single_image_A2 = "
            f"{st.max_area_single_image_A2}); the smallest such cell needs {need:.0f} A^2"
        )
    if st.select == "min_strain" and not extended:  # methods §4: least applied strain, ties by the smaller area

        def key(c):
            return (round(c["strain"], 6), round(c["area"], 3))
    else:  # min_area, or beyond max_area_A2: the smallest admissible cell, ties by the least strain

        def key(c):
            return (round(c["area"], 3), round(c["strain"], 6))

    chosen = min(candidates, key=key)
    strain, vm, match = chosen["strain"], chosen["vm"], chosen["match"]
    b.zsl_matches = [match]
    # every film termination against one metal termination (the bcc metal's are all equivalent)
    sub_label = b.terminations[0][1]
    offered = [t for t in b.terminations if t[1] == sub_label]
    built = []
    for term in offered:
        atoms = _interface_atoms(b, term, st, film_is_2d)
        built.append((term, atoms, facing_plane(atoms, film_struct)))
    k = choose_termination(system_id, [f for _, _, f in built], st.termination)
    term, atoms, facing = built[k]
    film_els = set(np.array(atoms.get_chemical_symbols())[~atoms.arrays["is_metal"].astype(bool)])
    missing = sorted({str(e) for e in film_struct.composition.elements} - film_els)
    if missing:
        # a polar stacking (e.g. rock-salt (111): alternating cation and anion planes) cut to too few
        # planes is no longer the coating
        raise InterfaceError(
            f"{system_id}: the coating film of {film_layers} plane(s) along {tuple(film_facet)} lacks "
            f"{', '.join(missing)} (it holds only {', '.join(sorted(film_els)) or 'nothing'}); "
            f"raise interfaces.coating_layers or choose another coating facet"
        )
    atoms = annotate_metal(atoms, st.fixed_layers)
    atoms, rep = sites.single_image_supercell(atoms, system_id, st.inplane_min_length_A, 1, max_area, d_max)
    area = float(np.linalg.norm(np.cross(atoms.cell[0], atoms.cell[1])))
    info = InterfaceMatch(
        area,
        strain,
        vm,
        np.asarray(match.film_sl_vectors).tolist(),
        np.asarray(match.substrate_sl_vectors).tolist(),
        len(ok),
        len(candidates),
        chosen["cell_area"],
        float(match.match_area),
        rep,
        d_max,
        area_bound_extended=extended,
    )
    atoms.info["termination"] = str(term)
    info.termination = {
        "label": str(term),
        "index": k,
        "choice": st.termination,
        **facing,
        "offered": [{"index": i, "label": str(t), **f} for i, (t, _, f) in enumerate(built)],
    }
    return atoms, info


def _interface_atoms(b, term, st: InterfaceSettings, film_is_2d: bool):
    """The interface of one termination, cut to the preset's metal planes and the coating planes
    nearest the metal, before the single-image repeat."""
    from pymatgen.io.ase import AseAtomsAdaptor

    iface = next(
        iter(
            b.get_interfaces(
                term,
                gap=st.gap_A,
                vacuum_over_film=st.vacuum_A,
                film_thickness=max(st.coating_layers, 1) + 1,
                substrate_thickness=st.metal_layers + 4,
                in_layers=True,
            )
        )
    )
    atoms = AseAtomsAdaptor.get_atoms(iface)
    atoms.arrays["is_metal"] = np.array(iface.site_properties["interface_label"]) == "substrate"
    atoms = normalise_slab(atoms, st.vacuum_A)
    is_metal = atoms.arrays["is_metal"].astype(bool)
    atoms = keep_planes(atoms, is_metal, st.metal_layers, from_top=True)
    # a 2D sheet is a film of one layer
    atoms = keep_planes(
        atoms, ~atoms.arrays["is_metal"].astype(bool), 1 if film_is_2d else st.coating_layers, from_top=False
    )
    return normalise_slab(atoms, st.vacuum_A)


def facing_plane(atoms, film_struct) -> dict:
    """Which coating plane faces the metal: ``facing`` = "anion" (only the coating's most
    electronegative element), "cation" (only its least electronegative one), "mixed" (a non-polar
    plane) or "single-element" (a one-element coating, e.g. graphene), and its elements."""
    from pymatgen.core import Element

    coat = ~atoms.arrays["is_metal"].astype(bool)
    z = atoms.positions[coat, 2]
    planes = plane_index(z)
    els = sorted({str(e) for e in np.array(atoms.get_chemical_symbols())[coat][planes == 0]})
    by_x = sorted({str(e) for e in film_struct.composition.elements}, key=lambda e: Element(e).X)
    if len(by_x) < 2:
        kind = "single-element"
    elif els == [by_x[-1]]:
        kind = "anion"
    elif els == [by_x[0]]:
        kind = "cation"
    else:
        kind = "mixed"
    return {"facing": kind, "facing_elements": els}


def choose_termination(system_id: str, facings: list[dict], choice) -> int:
    """Index of the termination to build: ``choice`` an index into the offered terminations, or
    "anion"/"cation" (the first termination whose plane facing the metal is that ion). A face with no
    such termination (non-polar: every termination is mixed) keeps its first one."""
    if isinstance(choice, int) and not isinstance(choice, bool):
        if not 0 <= choice < len(facings):
            raise InterfaceError(
                f"{system_id}: termination {choice} requested; this face offers "
                f"{len(facings)} (0..{len(facings) - 1}: "
                f"{', '.join(f['facing'] for f in facings)})"
            )
        return choice
    if choice not in TERMINATION_CHOICES:
        raise ValueError(f"termination = {choice!r}; allowed: {', '.join(TERMINATION_CHOICES)} or an index")
    for k, f in enumerate(facings):
        if f["facing"] == choice:
            return k
    if any(f["facing"] in TERMINATION_CHOICES for f in facings):
        raise InterfaceError(
            f"{system_id}: no {choice}-terminated face offered (terminations: "
            f"{', '.join(f['facing'] for f in facings)})"
        )
    return 0


def metal_pair_distance(metal_struct, metal_facet) -> float:
    """Longest nearest-pair distance d_max = max(d_11, d_12) (Å) of the metal facet (the substrate is
    not strained, so this is the interface's too), from a small slab of the bcc metal."""
    slab = metal_slab(str(metal_struct.species[0]), tuple(metal_facet), float(metal_struct.lattice.a), 3, 1, 0.0, 10.0)
    return max(sites.nearest_pair_distances(slab))
