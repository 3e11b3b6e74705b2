"""Regular-solution (nearest-neighbour pair) model of surface vacancies (methods.md §6).

Occupied (O) and vacant (V) sites on the tag1/tag2 lattice:

    Δg_mix = Ω x_V x_O + k_B T [x_V ln x_V + x_O ln x_O],   Ω = (z/2)(2ε_VO − ε_VV − ε_OO)

The binding energy of a nearest vacancy pair (i, j), from four relaxed energies of the same
cell and settings (GPAW's zero-smearing energies),

    ω_ij = E_i + E_j − E_0 − E_ij        (eV; positive: the pair attracts)

equals 2ε_VO − ε_VV − ε_OO. Per pair type t ∈ {11, 12}:

    Ω^(t) = (z_t/2) ⟨ω⟩_t,      T_c^(t) = Ω^(t) / (2 k_B) = z_t ⟨ω⟩_t / (4 k_B)

with ⟨ω⟩_t the multiplicity-weighted mean over the distinct pairs of that type. Ω < 0 means
no miscibility gap: T_c = 0 K.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from ..constants import KB_EV_PER_K


def vacancy_pair_binding(E_i: float, E_j: float, E_0: float, E_ij: float) -> float:
    """ω_ij = E_i + E_j − E_0 − E_ij (eV)."""
    return E_i + E_j - E_0 - E_ij


def vacancy_formation_energy(E_i: float, E_0: float, mu_metal: float) -> float:
    """E_f = E_i − E_0 + μ_metal (eV), μ_metal the bulk energy per atom."""
    return E_i - E_0 + mu_metal


def weighted_mean_omega(omegas, multiplicities) -> float:
    """Multiplicity-weighted mean ⟨ω⟩ over distinct pairs (eV)."""
    w = np.asarray(multiplicities, float)
    return float(np.sum(np.asarray(omegas, float) * w) / np.sum(w))


def interaction_parameter(z: float, mean_omega: float) -> float:
    """Ω = (z/2)⟨ω⟩ (eV)."""
    return 0.5 * z * mean_omega


def critical_temperature(omega_param: float) -> float:
    """T_c = Ω/(2 k_B) in K; a negative Ω (no miscibility gap) gives 0 K."""
    return max(0.0, omega_param) / (2.0 * KB_EV_PER_K)


def classify(tc_11: float, tc_12: float, T: float = 300.0) -> str:
    """resistant (both T_c < T), partially resistant (one), prone (neither)."""
    n_below = int(tc_11 < T) + int(tc_12 < T)
    return {2: "resistant", 1: "partially resistant", 0: "prone"}[n_below]


def mixing_free_energy(x, T: float, omega_param: float):
    """Δg_mix(x_V) per site (eV) at temperature T (K)."""
    x = np.asarray(x, float)
    s = np.where(
        (x > 0) & (x < 1), x * np.log(np.clip(x, 1e-300, 1)) + (1 - x) * np.log(np.clip(1 - x, 1e-300, 1)), 0.0
    )
    return omega_param * x * (1 - x) + KB_EV_PER_K * T * s


def binodal(omega_param: float, temperatures) -> np.ndarray:
    """Vacancy-poor branch x_V(T) of the miscibility gap (the rich branch is 1 − x_V).

    The model is symmetric, so the common tangent is horizontal and the binodal solves
    Ω (1 − 2x) + k_B T ln(x/(1 − x)) = 0 for x < 1/2; NaN at and above T_c.
    """
    tc = critical_temperature(omega_param)
    temps = np.atleast_1d(np.asarray(temperatures, float))
    out = np.full(len(temps), np.nan)
    for k, T in enumerate(temps):
        if T <= 0 or T >= tc:
            continue
        kT = KB_EV_PER_K * T

        # in u = ln(x/(1-x)) < 0: f(u) = Ω(1 − 2x(u)) + kT u is < 0 at u = −Ω/kT and > 0 just below 0
        def f(u, kT=kT):
            return omega_param * (1 - 2 / (1 + np.exp(-u))) + kT * u

        u_hi = -1e-9 * max(1.0, omega_param / kT)
        if f(u_hi) <= 0:  # numerically at T_c
            continue
        u = brentq(f, -omega_param / kT - 1.0, u_hi, xtol=1e-14)
        out[k] = 1.0 / (1.0 + np.exp(-u))
    return out


def pair_model_summary(
    pairs: list[dict],
    z_11: float,
    z_12: float,
    T_class: float = 300.0,
    flag_K: float = 1e4,
    reasons: dict | None = None,
) -> dict:
    """Ω, T_c and classification from per-pair ω.

    ``pairs``: dicts with ``type`` ("11"/"12"), ``multiplicity`` and ``omega_eV``: the pairs ⟨ω⟩
    rests on. A type without pairs gets T_c = None and ``reason_<t>`` (from ``reasons`` when given);
    ``reason`` joins them.
    """
    out: dict = {"z_11": z_11, "z_12": z_12}
    why = []
    for t, z in (("11", z_11), ("12", z_12)):
        sel = [p for p in pairs if p["type"] == t]
        if not sel:
            r = (reasons or {}).get(t, f"no ({t}) pairs")
            out.update({f"mean_omega_{t}_eV": None, f"Omega_{t}_eV": None, f"Tc_{t}_K": None, f"reason_{t}": r})
            why.append(f"T_c,{t} undefined: {r}")
            continue
        mo = weighted_mean_omega([p["omega_eV"] for p in sel], [p["multiplicity"] for p in sel])
        om = interaction_parameter(z, mo)
        tc = critical_temperature(om)
        out.update(
            {
                f"mean_omega_{t}_eV": mo,
                f"Omega_{t}_eV": om,
                f"Tc_{t}_K": tc,
                f"no_miscibility_gap_{t}": om < 0,
                f"Tc_{t}_above_flag": tc > flag_K,
            }
        )
    if out["Tc_11_K"] is not None and out["Tc_12_K"] is not None:
        out["classification"] = classify(out["Tc_11_K"], out["Tc_12_K"], T_class)
    else:
        out["classification"] = "undetermined (a T_c is undefined)"
    if why:
        out["reason"] = "; ".join(why)
    out["classification_T_K"] = T_class
    return out
