"""Adhesion energy of a metal/coating interface (methods §6).

    W_ad = (E_metal slab + E_coating slab - E_interface) / A

with both slabs computed alone in the interface's own (strained) cell, same settings and
functional, the same kind of energy (GPAW's zero-smearing energy).  W_ad > 0: the coating
sticks.  The two slabs are the interface with the other part's atoms removed (DFT jobs
``adhesion_metal`` / ``adhesion_coating``, run by the lead's relax job with a ``removed``
list), relaxed from the relaxed interface geometry.
"""

from __future__ import annotations

import numpy as np

from ..constants import EV_PER_A2_IN_J_PER_M2

PARTS = ("metal", "coating")


def part_removed(is_metal, part: str) -> list[int]:
    """Atom indices to delete from the interface to leave the ``part`` slab alone."""
    is_metal = np.asarray(is_metal, bool)
    if part == "metal":
        return [int(i) for i in np.flatnonzero(~is_metal)]
    if part == "coating":
        return [int(i) for i in np.flatnonzero(is_metal)]
    raise ValueError(f"part must be one of {PARTS}, got {part!r}")


def interface_area(cell) -> float:
    """In-plane area (Å^2) of a slab cell whose first two vectors span the interface."""
    cell = np.asarray(cell, float)
    return float(np.linalg.norm(np.cross(cell[0], cell[1])))


def adhesion_energy(E_interface: float, E_metal: float, E_coating: float, area_A2: float) -> dict:
    """W_ad in eV/Å^2 and J/m^2 (positive: bound)."""
    w = (E_metal + E_coating - E_interface) / area_A2
    return {"W_ad_eV_per_A2": w, "W_ad_J_per_m2": w * EV_PER_A2_IN_J_PER_M2}


def system_adhesion(interface: dict, metal: dict, coating: dict, area_A2: float) -> dict:
    """W_ad of one system from the three DFT result records (result.json dicts)."""
    xcs = {interface["xc"], metal["xc"], coating["xc"]}
    if len(xcs) != 1:
        raise ValueError(f"adhesion mixes functionals {sorted(xcs)}")
    out = adhesion_energy(interface["energy_eV"], metal["energy_eV"], coating["energy_eV"], area_A2)
    out.update(
        {
            "system": interface["system"],
            "xc": interface["xc"],
            "area_A2": area_A2,
            "E_interface_eV": interface["energy_eV"],
            "E_metal_slab_eV": metal["energy_eV"],
            "E_coating_slab_eV": coating["energy_eV"],
            "all_converged": bool(interface["converged"] and metal["converged"] and coating["converged"]),
        }
    )
    return out
