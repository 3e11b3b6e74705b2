"""The saved relaxation state belongs to one job: the same fingerprint resumes, another starts afresh
(a config change must neither spend the step budget nor seed the geometry). EMT stands in for GPAW:
this checks bookkeeping only."""

from ase.build import fcc111
from ase.calculators.emt import EMT

from anodeflow.dft.relax import relax


def _slab():
    s = fcc111("Cu", (2, 2, 3), vacuum=6.0)
    s.positions[-1, 2] += 0.3  # something to relax
    return s


def test_same_fingerprint_resumes_other_fingerprint_starts_afresh(tmp_path):
    r1 = relax(_slab(), EMT(), fmax=1e-4, max_steps=2, workdir=tmp_path, logfile=None, fingerprint="job-a")
    assert r1.steps == 2 and r1.resumed_from_step == 0 and not r1.converged
    r2 = relax(_slab(), EMT(), fmax=1e-4, max_steps=3, workdir=tmp_path, logfile=None, fingerprint="job-a")
    assert r2.resumed_from_step == 2 and r2.steps == 3  # one more step within the budget of 3
    r3 = relax(_slab(), EMT(), fmax=1e-4, max_steps=3, workdir=tmp_path, logfile=None, fingerprint="job-b")
    assert r3.resumed_from_step == 0 and r3.steps == 3  # the budget is its own
    assert (tmp_path / "state.sha256").read_text() == "job-b"
