"""EOS bookkeeping of the bulk stage, with ASE's EMT standing in for GPAW (cheap calculator)."""

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT

from anodeflow.dft.bulk import relax_bulk


def emt_minimum():
    a = np.linspace(3.9, 4.1, 401)
    e = [bulk("Al", "fcc", a=x).copy() for x in a]
    for at in e:
        at.calc = EMT()
    return a[np.argmin([at.get_potential_energy() for at in e])]


@pytest.mark.slow
@pytest.mark.parametrize("a0", [4.0, 3.8])
def test_eos_finds_minimum_and_recentres(a0, tmp_path):
    res = relax_bulk({"phase": "Al", "kind": "metal", "structure": "fcc", "a0_A": a0}, lambda at: EMT(), tmp_path)
    assert res["a_A"] == pytest.approx(emt_minimum(), abs=2e-3)
    assert "warning" not in res["eos"] and res["eos"]["bulk_modulus_GPa"] > 0
    assert res["eos"]["scans"] == (1 if a0 == 4.0 else 3)


def test_eos_resumes_from_cached_points(tmp_path):
    calls = []

    def factory(at):
        calls.append(1)
        return EMT()

    spec = {"phase": "Al", "kind": "metal", "structure": "fcc", "a0_A": 4.0}
    relax_bulk(spec, factory, tmp_path)
    n_first = len(calls)
    relax_bulk(spec, factory, tmp_path)
    assert len(calls) - n_first == 1  # only the final point at the fitted a is recomputed
    # another spec (e.g. a new cutoff in config) in the same workdir does not reuse those points
    n_second = len(calls)
    relax_bulk({**spec, "preset": {"ecut_eV": 600}}, factory, tmp_path)
    assert len(calls) - n_second == n_first


def test_unbracketed_minimum_is_flagged(tmp_path):
    res = relax_bulk({"phase": "Al", "kind": "metal", "structure": "fcc", "a0_A": 3.0}, lambda at: EMT(), tmp_path)
    assert "warning" in res["eos"]
