"""Build one system of the campaign (methods §4): the pristine isolated slab or coherent interface,
its descriptors, and the enumeration of its vacancy configurations (methods §6)."""

from __future__ import annotations

import numpy as np


def termination_of(spec: dict):
    """The coating termination a build spec asks for: its ``termination`` (anion, cation or an index,
    0 included), "anion" (anion plane toward the metal) when unset."""
    t = spec.get("termination")
    return "anion" if t is None else t


def build_system(spec: dict, bulk: dict[str, dict]) -> tuple:
    """Build the pristine slab/interface of a system and enumerate its vacancy configurations."""
    from . import sites, structures
    from .coherent import InterfaceSettings, coherent_interface
    from .descriptors import area_mismatch, mulliken_electronegativity, o_lattice_descriptor, reduced_surface_area

    p = spec["preset"]
    metal = spec["metal"]
    a_m = bulk[metal]["a_A"]
    desc: dict = {"system": spec["id"], "metal": metal, "facet": spec["facet"], "xc": spec["xc"], "metal_a_A": a_m}
    if spec.get("coating") is None:
        # the surface cell, then the smallest in-plane repeat that meets the single-image rule (methods §6)
        # and the preset's minimum length, within the area bound
        cell = structures.metal_slab(
            metal,
            spec["facet"],
            a_m,
            p["metal_layers"],
            p["fixed_layers"],
            0.0,
            p["vacuum_A"] + structures.VACUUM_MARGIN_A,
        )
        atoms, rep = sites.single_image_supercell(
            cell, spec["id"], p["inplane_min_length_A"], p.get("inplane_min_repeats", 1), spec.get("max_area_A2")
        )
        desc["repeat"] = list(rep)
    else:
        coat = spec["coating_spec"]
        cb = bulk[spec["coating"]]
        film = structures.coating_structure(coat, cb["a_A"])
        metal_struct = structures.conventional_metal(metal, a_m)
        film_facet = spec["coating_facet"] or (0, 0, 1)
        atoms, match = coherent_interface(
            spec["id"],
            metal_struct,
            film,
            spec["facet"],
            film_facet,
            InterfaceSettings.from_config(
                spec["interfaces"], dict(p, vacuum_A=p["vacuum_A"] + structures.VACUUM_MARGIN_A), termination_of(spec)
            ),
            film_is_2d=coat["kind"] == "2d",
        )
        area_metal = reduced_surface_area(metal_struct, spec["facet"])
        area_coat = reduced_surface_area(film, film_facet)
        am, q = area_mismatch(area_metal, area_coat)
        chi = {str(e): mulliken_electronegativity(str(e)) for e in set(film.species)}
        chi_m = mulliken_electronegativity(metal)
        desc.update(
            {
                "coating": spec["coating"],
                "coating_facet": list(film_facet),
                "coating_a_A": cb["a_A"],
                "a_m": am,
                "a_r": area_metal / area_coat,
                "q": f"{q[0]}/{q[1]}",
                "area_metal_cell_A2": area_metal,
                "area_coating_cell_A2": area_coat,
                # areas (Å^2): the built cell (area_A2, below); the Zur-McGill coincidence cell of the
                # (unstrained) substrate, before the single-image repeat; pymatgen's match_area (the film
                # supercell's area before strain), for reference only
                "zsl_area_A2": match.coincidence_area_A2,
                "zsl_match_area_A2": match.zsl_match_area_A2,
                "repeat": list(match.repeat),
                "area_bound_extended": match.area_bound_extended,
                "select": spec["interfaces"].get("select", "min_strain"),
                "strain": match.strain,
                "strain_von_mises": match.strain_von_mises,
                "film_supercell_vectors": match.film_vectors,
                "substrate_supercell_vectors": match.substrate_vectors,
                "n_matches_within_limit": match.n_matches,
                "n_matches_single_image": match.n_candidates,
                # the coating plane facing the metal (methods §4: the anion plane by default), the
                # termination chosen and every one the face offers
                "termination": atoms.info.get("termination"),
                "termination_facing": match.termination["facing"],
                "termination_facing_elements": match.termination["facing_elements"],
                "termination_choice": match.termination["choice"],
                "termination_index": match.termination["index"],
                "terminations_offered": match.termination["offered"],
                # Mulliken electronegativity (IE + EA)/2 from pymatgen's element data (eV)
                "chi_metal_eV": chi_m,
                "chi_coating_eV": chi,
                "dchi_max_eV": max(abs(c - chi_m) for c in chi.values()),
            }
        )
        # the O-lattice descriptor (docs/methods.md section 4): smallest O-point density A_sub/A_O of the
        # two reduced surface cells (unstrained) over relative rotations, and its angle
        desc.update(
            o_lattice_descriptor(metal_struct, spec["facet"], film, film_facet, spec["interfaces"].get("o_lattice"))
        )
    area = float(np.linalg.norm(np.cross(atoms.cell[0], atoms.cell[1])))
    enum = sites.enumerate_vacancies(atoms, name=spec["id"])
    sampling = spec.get("sampling") or {}
    enum = sites.sample_pairs(enum, sampling.get("max_configurations"), sampling.get("seed", 0), name=spec["id"])
    z = atoms.positions[:, 2]
    desc.update(
        {
            "area_A2": area,
            "single_image": enum.single_image,
            "vacuum_built_A": float(atoms.cell[2, 2] - (z.max() - z.min())),
            "natoms": len(atoms),
            "n_tag1": int((atoms.get_tags() == 1).sum()),
            "n_tag2": int((atoms.get_tags() == 2).sum()),
            "n_fixed": int(atoms.arrays["fixed"].sum()),
        }
    )
    return atoms, desc, enum
