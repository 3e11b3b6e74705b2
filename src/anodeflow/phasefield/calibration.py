"""Physical units of the phase field: deposition velocity, mobilities, energy unit, driving forces.

Time is physical (seconds) and lengths are in um; energy densities are in units of

    w0 = E_0 / (sigma_ref l0),  l0 = 1 um,  sigma_ref = sqrt(2 w kappa_ref)/3,  kappa_ref = kappa1 e^kappa2

(the model surface energy of the mean grain is the DFT mean surface energy E_0; :mod:`.model`). What the
experiment sets:

* **deposition velocity** v_dep = j V_m / (z F) (V_m, z: :mod:`anodeflow.constants`); rows of dx are
  activated every dx / v_dep seconds;
* **grain mobilities** from the grains' surface diffusivities D_q(T) = D_0 exp(-E_a,q / k_B T): a
  boundary moves at v = M_q P under a pressure P with the rate-theory (Turnbull) mobility
  M_q = D_q Omega / (b k_B T), Omega the atomic volume and b = Omega^(1/3) the jump length (one jump of
  b across the boundary at the frequency D/b^2, biased by P Omega / k_B T). A flat boundary between two
  equal grains of the model moves at v = 3 l L dg (docs/phasefield.md, l = sqrt(kappa/(2w))), so
  L_q = M_q w0 / (3 l_ref) (l_ref = sqrt(kappa_ref / (2 w))) gives a boundary of the reference width
  the physical speed M_q P;
* **driving forces** g_q = -dmu + (U_q - <U>) / w0 with U_q = E_s,q/h + F_strain,q(T) of
  :func:`anodeflow.phasefield.energy_balance.grain_energy_density` (the same function as the Delta U
  analysis; <U> the mean over the grains present), dmu the deposition drive;
* **the metal/electrolyte front** is electrochemical, not a grain property: the pair mobility of grain q
  with the electrolyte is L_qe = L_f sqrt(kappa_ref/kappa_q) (:meth:`.model.Setup.front_mobilities`), the
  electrolyte's own L_e = L_f, where L_f = r_f v_dep / (3 l_ref dmu) makes a flat front r_f
  (``front_speed_ratio``) times faster than the deposit arrives: the film grows at v_dep, limited by
  deposition, whatever the grains' diffusivities.

The dimensionless numbers that decide the texture, written per run (:func:`ratios`): the speed of a flat
(001)/(101) boundary under their energy difference over v_dep, and the capillary speed of each grain's
seed boundaries, L_q kappa_q / r (Allen-Cahn: v = L kappa x curvature, r half the nucleus spacing),
over v_dep: above 1 the seed layer coarsens before the film grows by a seed radius.
"""

from __future__ import annotations

import math

import numpy as np

from .. import constants as const
from .energy_balance import FilmConditions, grain_energy_density
from .model import ORIENTATIONS, boundary_velocity, kappa_ref, sigma_ref

#: l0 = 1 um in m
L0_M = 1e-6


def _metal_constant(table: dict, metal: str, what: str):
    if metal not in table:
        raise KeyError(f"no {what} for metal {metal!r} in anodeflow.constants (known: {sorted(table)})")
    return table[metal]


def molar_volume_m3(metal: str) -> float:
    return _metal_constant(const.METAL_MOLAR_VOLUME_CM3_MOL, metal, "molar volume") * 1e-6


def atomic_volume_m3(metal: str) -> float:
    return molar_volume_m3(metal) / const.AVOGADRO_PER_MOL


def deposition_velocity_um_s(metal: str, current_density_mA_cm2: float) -> float:
    """v = j V_m / (z F) in um/s (j in mA/cm^2 = 10 A/m^2)."""
    if current_density_mA_cm2 <= 0:
        raise ValueError(f"current density {current_density_mA_cm2} mA/cm^2: must be > 0")
    z = _metal_constant(const.METAL_CHARGE_NUMBER, metal, "charge number")
    j = current_density_mA_cm2 * 10.0
    return j * molar_volume_m3(metal) / (z * const.FARADAY_C_PER_MOL) / L0_M


def energy_unit_J_m3(E_0_J_m2: float, w: float) -> float:
    """w0 = E_0 / (sigma_ref l0)."""
    return E_0_J_m2 / (sigma_ref(w) * L0_M)


def reference_width_um(w: float) -> float:
    """l_ref = sqrt(kappa_ref / (2 w)), the half-width of the mean grain's boundary (um)."""
    return math.sqrt(kappa_ref() / (2.0 * w))


def boundary_mobility(E_a_eV, T_K: float, D0_m2_s: float, metal: str):
    """M_q = D_q Omega / (b k_B T), b = Omega^(1/3): m^4/(J s)."""
    omega = atomic_volume_m3(metal)
    D = D0_m2_s * np.exp(-np.asarray(E_a_eV, float) / (const.KB_EV_PER_K * T_K))
    return D * omega / (omega ** (1.0 / 3.0) * const.KB_EV_PER_K * const.EV_IN_J * T_K)


def model_mobility(M_m4_J_s, w0_J_m3: float, w: float):
    """L_q = M_q w0 / (3 l_ref) in 1/(w0 s) (M w0 in um/s)."""
    return np.asarray(M_m4_J_s, float) * w0_J_m3 / L0_M / (3.0 * reference_width_um(w))


def front_mobility(v_dep_um_s: float, ratio: float, dmu: float, w: float) -> float:
    """L_f = ratio v_dep / (3 l_ref dmu): a flat front at L_f would move ``ratio`` times faster than v_dep."""
    if dmu <= 0:
        raise ValueError("the front mobility needs a deposition drive dmu > 0 (phasefield.deposition_drive)")
    return ratio * v_dep_um_s / (3.0 * reference_width_um(w) * dmu)


def calibrate(
    metal: str,
    E_s: dict,
    E_a: dict,
    T_K: float,
    current_density_mA_cm2: float,
    film_cfg: dict,
    *,
    w: float,
    dmu: float,
    front_speed_ratio: float,
    present=None,
    strain: bool = True,
) -> dict:
    """Everything a run takes from the experiment, per orientation (001)/(101)/(111).

    ``E_s`` (J/m^2), ``E_a`` (eV): dicts by orientation; ``film_cfg``: the section ``phasefield.film``;
    ``present``: orientation index of every grain (E_0 and <U> are means over the grains present;
    default: one grain of each orientation). Returns SI and model values (JSON-ready)."""
    present = np.arange(len(ORIENTATIONS)) if present is None else np.asarray(present)
    Es = np.array([E_s[o] for o in ORIENTATIONS], float)
    Ea = np.array([E_a[o] for o in ORIENTATIONS], float)
    E_0 = float(Es[present].mean())
    w0 = energy_unit_J_m3(E_0, w)
    v = deposition_velocity_um_s(metal, current_density_mA_cm2)
    film = FilmConditions.from_config(film_cfg, v, strain=strain)
    U = grain_energy_density(Es, Ea, T_K, film)
    M = boundary_mobility(Ea, T_K, film.D0_m2_s, metal)
    L = model_mobility(M, w0, w)
    offsets = (U["U_J_m3"] - U["U_J_m3"][present].mean()) / w0
    per = {
        o: {
            "D_m2_s": float(U["D_m2_s"][k]),
            "M_m4_J_s": float(M[k]),
            "L_per_w0_s": float(L[k]),
            "U_surface_J_m3": float(U["surface_J_m3"][k]),
            "U_strain_J_m3": float(U["strain_J_m3"][k]),
            "U_J_m3": float(U["U_J_m3"][k]),
            "dg_w0": float(offsets[k]),
        }
        for k, o in enumerate(ORIENTATIONS)
    }
    return {
        "metal": metal,
        "T_K": float(T_K),
        "current_density_mA_cm2": float(current_density_mA_cm2),
        "deposition_velocity_um_s": v,
        "row_period_s": None,
        "E_0_J_m2": E_0,
        "w0_J_m3": w0,
        "l_ref_um": reference_width_um(w),
        "omega_m3": atomic_volume_m3(metal),
        "molar_volume_m3_mol": molar_volume_m3(metal),
        "strain_drive": bool(strain),
        "film": {k: film_cfg[k] for k in ("L_um", "h_um", "sigma_y_MPa", "eps_T_minus_c", "D0_m2_s", "beta")},
        "L_front_per_w0_s": front_mobility(v, front_speed_ratio, dmu, w),
        "front_speed_ratio": front_speed_ratio,
        "orientations": per,
        "L_by_orientation": L.tolist(),
        "dg_by_orientation": offsets.tolist(),
    }


def ratios(cal: dict, kappa: dict, w: float, gamma: float, dx: float, seed_radius_um: float) -> dict:
    """Boundary speed over deposition speed (module doc): ``flat_001_101`` (the flat boundary between
    (001) and (101) under dg = (U_001 - U_101)/w0, the lattice velocity of :func:`model.boundary_velocity`,
    signed: > 0 when (101) grows) and ``capillary`` per orientation (L_q kappa_q / r over v_dep). ``kappa``:
    kappa_q by orientation (None for an orientation without grains)."""
    v = cal["deposition_velocity_um_s"]
    per = cal["orientations"]
    out = {"deposition_velocity_um_s": v, "seed_radius_um": seed_radius_um}
    a, b = per["001"], per["101"]
    ka = kappa.get("001") or float(kappa_ref() * math.exp(0.0))
    kb = kappa.get("101") or ka
    dg = a["dg_w0"] - b["dg_w0"]  # > 0: (001) above (101), (101) grows
    vb = boundary_velocity(abs(dg), b["L_per_w0_s"], a["L_per_w0_s"], kb, ka, w, gamma, dx=dx) if dg else 0.0
    out["flat_001_101_um_s"] = math.copysign(vb, dg)
    out["flat_001_101"] = math.copysign(vb, dg) / v
    out["capillary"] = {
        o: (per[o]["L_per_w0_s"] * kappa[o] / seed_radius_um / v if kappa.get(o) else None) for o in ORIENTATIONS
    }
    return out
