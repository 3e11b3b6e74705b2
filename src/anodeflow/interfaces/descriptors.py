"""Geometric and chemical descriptors of an interface (methods §4): the area-mismatch coefficient
a_m, the reduced surface cells, and the Mulliken electronegativity difference Δχ_max."""
from __future__ import annotations

import numpy as np


def area_mismatch(area_metal: float, area_coating: float, max_index: int = 8) -> tuple[float, tuple[int, int]]:
    """a_m = |A_metal/A_coating - q| with q = p/s the closest fraction, 1 <= p, s <= max_index."""
    ar = area_metal / area_coating
    best = min(((abs(ar - p / s), (p, s)) for p in range(1, max_index + 1) for s in range(1, max_index + 1)),
               key=lambda x: (x[0], x[1][1]))
    return best[0], best[1]


def reduced_surface_area(structure, miller) -> float:
    """Area (Å^2) of the reduced 2D cell of the (hkl) plane of a pymatgen Structure."""
    from pymatgen.core.surface import SlabGenerator

    slab = SlabGenerator(structure, tuple(miller), min_slab_size=1, min_vacuum_size=5,
                         primitive=True, reorient_lattice=True).get_slab()
    return float(np.linalg.norm(np.cross(slab.lattice.matrix[0], slab.lattice.matrix[1])))


def mulliken_electronegativity(element: str) -> float:
    """χ = (first ionisation energy + electron affinity)/2 (eV), from pymatgen's element data."""
    from pymatgen.core import Element

    el = Element(str(element))
    return (el.ionization_energies[0] + el.electron_affinity) / 2
