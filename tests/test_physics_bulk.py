"""Physics sanity: relaxed PBE lattice constants within 2 % of published PBE values.

Reference (PBE, all-electron/PAW): P. Haas, F. Tran, P. Blaha, Phys. Rev. B 79, 085104 (2009),
Table: Li 3.429 Å, Na 4.200 Å, LiF 4.068 Å, NaF 4.706 Å (bcc / rock salt conventional a).
Settings here: 500 eV, k-point density 4 Å⁻¹ (bulk), GPAW default PAW datasets.
"""

import pytest

from anodeflow.dft.bulk import relax_bulk
from anodeflow.dft.calculators import gpaw_calculator

pytestmark = pytest.mark.gpaw

PRESET = {"mode": "pw", "ecut_eV": 500, "kpt_density": 4.0, "smearing_eV": 0.1, "scf_convergence_energy_eV": 1e-4}
PBE_REF = {"Li": 3.429, "Na": 4.200, "LiF": 4.068, "NaF": 4.706}
COATINGS = {
    "LiF": {"kind": "bulk", "formula": "LiF", "spacegroup": 225, "a_A": 4.06},
    "NaF": {"kind": "bulk", "formula": "NaF", "spacegroup": 225, "a_A": 4.70},
}


@pytest.mark.parametrize("phase", ["Li", "Na", "LiF", "NaF"])
def test_pbe_lattice_constant_within_2_percent(phase, tmp_path):
    if phase in COATINGS:
        spec = {"phase": phase, "kind": "bulk", "coating": COATINGS[phase], "a0_A": COATINGS[phase]["a_A"]}
    else:
        spec = {"phase": phase, "kind": "metal", "structure": "bcc", "a0_A": PBE_REF[phase]}
    res = relax_bulk(spec, lambda at: gpaw_calculator(PRESET, "PBE", at, txt=None, slab=False), tmp_path)
    assert abs(res["a_A"] / PBE_REF[phase] - 1) < 0.02, res["a_A"]
    assert "warning" not in res["eos"]
    assert res["eos"]["bulk_modulus_GPa"] > 0
