"""The relocation diagnostic of a vacancy relaxation: an atom that hopped is caught, an ordinary
relaxation is not."""

import numpy as np
import pytest

from anodeflow.dft.relax import RELOCATION_FRACTION, relocation
from anodeflow.interfaces import structures


def _slab():
    return structures.metal_slab("Li", (1, 0, 0), 3.44, 3, 1, 6.0, 15.0)


def test_small_relaxation_is_not_a_relocation():
    atoms = _slab()
    start = atoms.positions.copy()
    atoms.positions[-1, 2] -= 0.3  # a surface atom relaxing inward
    r = relocation(atoms, start)
    assert abs(r["metal_nn_distance_A"] - np.sqrt(3) / 2 * 3.44) < 1e-6  # bcc nearest neighbours
    assert abs(r["max_displacement_A"] - 0.3) < 1e-9 and not r["relocated"]


def test_hop_across_the_periodic_boundary_is_a_relocation():
    atoms = _slab()
    start = atoms.positions.copy()
    d_nn = np.sqrt(3) / 2 * 3.44
    # a hop of half a lattice vector along x, taken across the cell boundary: minimum image applies
    atoms.positions[-1] += atoms.cell[0] - [3.44 / 2, 0, 0]
    r = relocation(atoms, start)
    assert abs(r["max_displacement_A"] - 1.72) < 1e-6
    assert r["max_displacement_atom"] == len(atoms) - 1
    assert 1.72 > RELOCATION_FRACTION * d_nn and r["relocated"]


def test_coating_sliding_as_a_whole_is_not_a_relocation():
    """An interface whose coating slides rigidly by 1.5 A (> 0.4 d_nn = 1.19 A for Li) to a better
    registry: no atom changed its site in the configuration, so nothing is flagged; the shift is reported.
    A coating atom that moves on its own (2.4 A out of a 4-atom layer: 1.8 A after the mean) is caught."""
    atoms = _slab()
    coating = atoms.positions[:, 2] > atoms.positions[:, 2].max() - 0.1  # the top layer plays the coating
    atoms.arrays["is_metal"] = ~coating
    start = atoms.positions.copy()
    atoms.positions[coating] += [1.5, 0.0, 0.0]
    r = relocation(atoms, start)
    assert not r["relocated"] and r["coating_shift_A"] == pytest.approx(1.5)
    assert r["max_displacement_A"] == pytest.approx(0.0, abs=1e-9)
    one = np.nonzero(coating)[0][0]
    atoms.positions[one] += [0.0, 0.0, 2.4]  # on its own (the rest of the coating stays)
    assert relocation(atoms, start)["relocated"]


def test_vacuum_after_relaxation_is_measured_and_flagged():
    """Vacuum between periodic images = cell height - slab thickness (z non-periodic)."""
    from anodeflow.dft.relax import slab_vacuum

    atoms = _slab()  # built with exactly 15 A of vacuum
    assert slab_vacuum(atoms, 15.0)["vacuum_A"] == pytest.approx(15.0)
    top = atoms.positions[:, 2].argmax()
    atoms.positions[top, 2] += 0.4  # the surface relaxed outward by 0.4 A
    v = slab_vacuum(atoms, 15.0)
    assert v["vacuum_A"] == pytest.approx(14.6) and v["vacuum_too_thin"]


def test_builder_leaves_room_for_relaxation():
    """The vacancy systems are built with vacuum_A + VACUUM_MARGIN_A, so an outward relaxation of up to
    the margin keeps the gap >= vacuum_A."""
    from anodeflow.interfaces.build import build_system

    spec = {
        "id": "Li-110",
        "metal": "Li",
        "facet": [1, 1, 0],
        "xc": "PBE",
        "coating": None,
        "preset": {"metal_layers": 3, "fixed_layers": 1, "inplane_min_length_A": 2.0, "vacuum_A": 15.0},
        "max_area_A2": 400.0,
    }
    atoms, desc, _ = build_system(spec, {"Li": {"a_A": 3.44}})
    assert desc["vacuum_built_A"] == pytest.approx(15.0 + structures.VACUUM_MARGIN_A)
    z = atoms.positions[:, 2]
    assert atoms.cell[2, 2] - (z.max() - z.min()) == pytest.approx(15.0 + structures.VACUUM_MARGIN_A)
