"""BEEF-vdW ensemble propagated to omega, Omega and T_c (methods §5, §6).

BEEF-vdW (Wellendorff et al., Phys. Rev. B 85, 235149 (2012)) comes with an
ensemble of exchange-correlation functionals.  Each ensemble member k changes a
total energy by ``dE_k = c_k . C``, where C are the 32 non-self-consistent
energy contributions GPAW returns from
``calc.get_nonselfconsistent_energies('beefvdw')`` and c_k the ensemble
coefficients.  The coefficients come from ASE's ``BEEFEnsemble``
(``ase.dft.bee``) with ONE fixed seed and size for every configuration, so that
member k is the same functional for every energy: an energy difference then has
the ensemble ``dE_k(A) - dE_k(B)``, and the errors of pristine, vacancy and
divacancy energies stay correlated down to omega, Omega and T_c.

For PBE systems no ensemble exists: functions here raise, and the report says so.
"""

from __future__ import annotations

import numpy as np
from ase.dft.bee import BEEFEnsemble

from ..constants import KB_EV_PER_K


def ensemble_energies(energy_eV: float, contribs, size: int, seed: int) -> np.ndarray:
    """Ensemble of total energies (eV), ``size`` members, from GPAW's 32 BEEF-vdW contributions
    (``size`` and ``seed``: config ``analysis.beef``, the same for every energy of a campaign).

    ``energy_eV`` is the self-consistent energy the ensemble is centred on (here
    GPAW's zero-smearing energy, the one every omega uses).
    """
    contribs = np.asarray(contribs, dtype=float)
    if contribs.shape != (32,):
        raise ValueError(f"BEEF-vdW needs 32 non-self-consistent contributions, got shape {contribs.shape}")
    ens = BEEFEnsemble(None, float(energy_eV), contribs, "BEEF-vdW", verbose=False)
    return np.asarray(ens.get_ensemble_energies(size=size, seed=seed), dtype=float)


def pair_binding_ensemble(results: dict, i: int, j: int, size: int, seed: int) -> np.ndarray:
    """Ensemble of omega_ij = E_i + E_j - E_0 - E_ij (eV) from DFT result records.

    ``results`` maps config ids (``pristine``, ``v_<i>``, ``vv_<i>_<j>``) to the
    lead's ``result.json`` dicts, each with ``energy_eV`` and ``beef_nsc_eV``.
    Member k of omega is built from member k of every energy (same seed, same size).
    """
    terms = [(f"v_{i}", 1.0), (f"v_{j}", 1.0), ("pristine", -1.0), (_vv_id(results, i, j), -1.0)]
    out = np.zeros(size)
    for cid, sign in terms:
        r = results[cid]
        if r.get("beef_nsc_eV") is None:
            raise ValueError(f"{cid}: no BEEF-vdW contributions (xc={r.get('xc')}); no ensemble exists")
        out += sign * ensemble_energies(r["energy_eV"], r["beef_nsc_eV"], size, seed)
    return out


def _vv_id(results: dict, i: int, j: int) -> str:
    for cid in (f"vv_{i}_{j}", f"vv_{j}_{i}"):
        if cid in results:
            return cid
    raise KeyError(f"no divacancy result vv_{i}_{j}")


def propagate(pairs, z: dict, omega_ens: dict) -> dict:
    """Carry pair-binding ensembles to <omega>_t, Omega_t and T_c,t per type t.

    ``pairs``: rows with ``i, j, type, multiplicity``; ``omega_ens[(i, j)]`` the
    ensemble of that pair; ``z[t]`` the coordination of type t.  The mean over a
    type's pairs is weighted by multiplicity, member by member, so that
    correlations survive.  T_c member values follow the mean-field rule
    T_c = max(Omega, 0) / (2 k_B) member by member (negative Omega: 0 K).
    Returns, per type, the ensemble arrays and their mean and standard deviation.
    """
    out = {}
    types = sorted({str(p["type"]) for p in pairs})
    for t in types:
        rows = [p for p in pairs if str(p["type"]) == t]
        w = np.array([float(p["multiplicity"]) for p in rows])
        ens = np.array([omega_ens[(int(p["i"]), int(p["j"]))] for p in rows])
        mean_omega = (w[:, None] * ens).sum(axis=0) / w.sum()
        Omega = 0.5 * float(z[t]) * mean_omega
        Tc = np.maximum(Omega, 0.0) / (2.0 * KB_EV_PER_K)
        out[t] = {"omega_mean_eV": mean_omega, "Omega_eV": Omega, "Tc_K": Tc}
    return out


def summarize(ens: np.ndarray) -> dict:
    """Standard deviation (the BEEF error bar) and the 16/84 % quantiles of an ensemble."""
    ens = np.asarray(ens, float)
    return {
        "std": float(ens.std(ddof=1)),
        "mean": float(ens.mean()),
        "q16": float(np.quantile(ens, 0.16)),
        "q84": float(np.quantile(ens, 0.84)),
    }
