"""The relocation diagnostic of a vacancy relaxation: an atom that hopped is caught, an ordinary
relaxation is not."""
import numpy as np

from anodeflow.interfaces import structures
from anodeflow.dft.relax import RELOCATION_FRACTION, relocation


def _slab():
    return structures.metal_slab("Li", (1, 0, 0), 3.44, 3, 1, 6.0, 15.0)


def test_small_relaxation_is_not_a_relocation():
    atoms = _slab()
    start = atoms.positions.copy()
    atoms.positions[-1, 2] -= 0.3          # a surface atom relaxing inward
    r = relocation(atoms, start)
    assert abs(r["metal_nn_distance_A"] - np.sqrt(3) / 2 * 3.44) < 1e-6     # bcc nearest neighbours
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
