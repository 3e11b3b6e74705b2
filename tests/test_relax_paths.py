"""The preconditioned relaxation path (dft.optimizer: precon) against plain BFGS.

Fast tier: the initial Hessian built from ASE's Exp preconditioner is a symmetric positive-definite
model of the Hessian, with the fixed atoms decoupled. GPAW tier: on a tiny real slab both paths reach
the same minimum (energy within the tolerance that fmax implies, same geometry), and every energy is
GPAW's: the new path changes how the minimum is found, not what it is."""

import numpy as np
import pytest

from anodeflow.dft import gpawlog
from anodeflow.dft.relax import precon_hessian
from anodeflow.interfaces import structures

TEST_PRESET = {
    "mode": "pw",
    "ecut_eV": 200,
    "kpt_density": 1.5,
    "smearing_eV": 0.1,
    "fmax_slab": 0.05,
    "scf_convergence_eigenstates": 1e-6,
}


def _slab():
    slab = structures.metal_slab("Li", (1, 1, 0), 3.44, 3, 1, 2.9, 15.0)
    structures.apply_fixed(slab)
    return slab


def test_precon_hessian_is_spd_with_fixed_atoms_decoupled():
    slab = _slab()
    mu = 0.07
    H = precon_hessian(slab, mu)
    n = 3 * len(slab)
    assert H.shape == (n, n) and np.allclose(H, H.T)
    assert np.linalg.eigvalsh(H).min() > 0
    fixed = np.repeat(slab.arrays["fixed"].astype(bool), 3)
    assert fixed.any() and (~fixed).any()
    assert np.all(H[np.ix_(fixed, ~fixed)] == 0)
    np.testing.assert_allclose(np.diag(H)[fixed], mu)
    # the free block scales with mu: the model's stiffness is mu times a fixed bonding topology
    np.testing.assert_allclose(precon_hessian(slab, 2 * mu)[np.ix_(~fixed, ~fixed)], 2 * H[np.ix_(~fixed, ~fixed)])


def test_stiffness_probe_costs_one_force_call_beyond_the_optimiser_s_first():
    """The probe evaluates the displaced geometry first and ends on the current one, so the optimiser's first
    force call is the calculator's cached result: probe + first step = 2 force evaluations, not 3; the
    geometry and the constraints come back unchanged."""
    from ase.calculators.morse import MorsePotential

    from anodeflow.dft.relax import estimate_precon_mu

    class CountingMorse(MorsePotential):
        calls = 0

        def calculate(self, *args, **kwargs):
            self.calls += 1
            super().calculate(*args, **kwargs)

    slab = _slab()
    pos, n_cons = slab.positions.copy(), len(slab.constraints)
    slab.calc = CountingMorse(epsilon=0.2, r0=3.0, rho0=4.0)
    mu = estimate_precon_mu(slab)
    slab.get_forces()  # what BFGS asks for first
    assert slab.calc.calls == 2
    assert mu > 0 and np.array_equal(slab.positions, pos) and len(slab.constraints) == n_cons


def test_gpaw_log_statistics(tmp_path):
    log = tmp_path / "gpaw.txt"
    log.write_text(
        "cores: 2\n  Number of BZ points: 4\n  Number of IBZ points: 3\nPlane wave coefficients: 1234\n"
        "Bands:           26\nParallelization:\n  kpt:    2\n  domain: 1\n  band:   1\n"
        "  Valence electrons: 36.0\nConverged in 14 steps\nSCF loop duration: 66.0 s (4.7 s/step)\n"
        "Converged in 8 steps\nSCF loop duration: 36.1 s (4.5 s/step)\n"
    )
    g = gpawlog.gpaw_log_stats(log)
    assert (g["n_ibz_kpts"], g["n_bands"], g["n_planewaves"], g["n_cores"]) == (3, 26, 1234, 2)
    assert g["parallel_kpt_domain_band"] == [2, 1, 1] and g["n_valence_electrons"] == 36.0
    assert g["scf_iterations"] == [14, 8] and g["n_scf_iterations"] == 22
    assert g["scf_seconds_total"] == pytest.approx(102.1)
    assert gpawlog.gpaw_log_stats(tmp_path / "missing.txt") == {}


@pytest.mark.gpaw
def test_precon_path_reaches_the_plain_minimum(tmp_path):
    """Both paths from the same displaced start: same energy within 5 meV (at fmax 0.05 eV/Å the energy
    left above the minimum is ~ fmax²/(2k) per soft mode, k ~ 0.5 eV/Å² for Li: a few meV) and the same
    geometry within 0.05 Å."""
    from anodeflow.dft.calculators import gpaw_calculator
    from anodeflow.dft.relax import estimate_precon_mu, relax

    out = {}
    for path in ("bfgs", "precon"):
        atoms = _slab()
        top = int(np.argmax(atoms.positions[:, 2]))
        atoms.positions[top, 0] += 0.25
        calc = gpaw_calculator(TEST_PRESET, "PBE", atoms, txt=str(tmp_path / f"{path}.txt"), slab=True)
        h0 = None
        if path == "precon":

            def h0(at, calc=calc):
                at.calc = calc
                mu = estimate_precon_mu(at)
                assert 0.005 < mu < 5.0, mu  # eV/A^2: soft metal, not a numerical accident
                return precon_hessian(at, mu)

        res = relax(atoms, calc, 0.05, 60, tmp_path / path, logfile=None, hessian0=h0)
        assert res.converged, (path, res.fmax, res.steps)
        out[path] = res
    assert out["precon"].energy_eV == pytest.approx(out["bfgs"].energy_eV, abs=5e-3)
    d = out["precon"].atoms.positions - out["bfgs"].atoms.positions
    assert np.abs(d).max() < 0.05
