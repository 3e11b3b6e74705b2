"""BEEF-vdW ensemble propagation: real GPAW BEEF-vdW energies of bulk Li at two volumes (seconds)."""

import numpy as np
import pytest
from ase.build import bulk

pytest.importorskip("gpaw")

from anodeflow.analysis import beef  # noqa: E402
from anodeflow.constants import KB_EV_PER_K  # noqa: E402


@pytest.fixture(scope="module")
def li_two_volumes():
    from gpaw import GPAW, PW

    out = []
    for a0 in (3.44, 3.34):
        atoms = bulk("Li", "bcc", a=a0)
        atoms.calc = GPAW(
            mode=PW(200), kpts=(2, 2, 2), xc="BEEF-vdW", txt=None, occupations={"name": "fermi-dirac", "width": 0.1}
        )
        e = atoms.get_potential_energy()
        out.append((e, atoms.calc.get_nonselfconsistent_energies("beefvdw")))
    return out


@pytest.mark.gpaw
def test_ensemble_of_a_difference_is_correlated(li_two_volumes):
    (e1, c1), (e2, c2) = li_two_volumes
    ens1 = beef.ensemble_energies(e1, c1, size=500, seed=0)
    ens2 = beef.ensemble_energies(e2, c2, size=500, seed=0)
    # same seed and size: reproducible member by member
    assert np.array_equal(ens1, beef.ensemble_energies(e1, c1, size=500, seed=0))
    diff = ens1 - ens2
    # total energies spread by eV; their difference, member by member, by far less
    assert ens1.std() > 0.3 and ens2.std() > 0.3
    assert diff.std() < 0.1 * min(ens1.std(), ens2.std())
    # an uncorrelated pairing (another seed for one of them) loses that
    other = beef.ensemble_energies(e2, c2, size=500, seed=1)
    assert (ens1 - other).std() > 5 * diff.std()
    # the ensemble is centred near the self-consistent difference (well within its spread)
    assert abs(diff.mean() - (e1 - e2)) < 2 * diff.std()


@pytest.mark.gpaw
def test_pair_binding_and_propagation(li_two_volumes):
    """Formal check of the bookkeeping with real contribution vectors: omega = E_i + E_j - E_0 - E_ij."""
    (e1, c1), (e2, c2) = li_two_volumes
    rec = lambda e, c: {"energy_eV": e, "beef_nsc_eV": list(c), "xc": "BEEF-vdW"}  # noqa: E731
    results = {"pristine": rec(e1, c1), "v_3": rec(e2, c2), "v_5": rec(e2, c2), "vv_3_5": rec(e1, c1)}
    w = beef.pair_binding_ensemble(results, 3, 5, size=300, seed=0)
    expect = 2 * beef.ensemble_energies(e2, c2, 300, 0) - 2 * beef.ensemble_energies(e1, c1, 300, 0)
    assert np.allclose(w, expect)
    # divacancy id in either order
    results["vv_5_3"] = results.pop("vv_3_5")
    assert np.allclose(beef.pair_binding_ensemble(results, 3, 5, size=300, seed=0), w)
    pairs = [{"i": 3, "j": 5, "type": "11", "multiplicity": 2}, {"i": 3, "j": 9, "type": "11", "multiplicity": 1}]
    ens = {(3, 5): w, (3, 9): w + 0.03}
    out = beef.propagate(pairs, {"11": 4}, ens)["11"]
    mean = (2 * w + (w + 0.03)) / 3
    assert np.allclose(out["omega_mean_eV"], mean)
    assert np.allclose(out["Omega_eV"], 2 * mean)
    assert np.allclose(out["Tc_K"], np.maximum(4 * mean, 0) / (4 * KB_EV_PER_K))


def test_pbe_has_no_ensemble():
    with pytest.raises(ValueError, match="no ensemble"):
        beef.pair_binding_ensemble(
            {"pristine": {"energy_eV": 0.0, "xc": "PBE"}, "v_1": {}, "v_2": {}, "vv_1_2": {}}, 1, 2, size=100, seed=0
        )
