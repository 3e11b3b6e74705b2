"""Energy density of a grain orientation and the balance between two of them (methods.md section 8).

Each grain q of a film of thickness h carries (J/m^3)

    U_q(T) = E_s,q / h + F_strain,q(T),   F_strain,q = A exp(-beta D_q / (L R)),  A = sigma_y (eps_T - eps_c)
    D_q = D_0 exp(-E_a,q / (k_B T))

(the strain energy a grain cannot relax by surface diffusion during growth at the deposition velocity R
over the relaxation length L), so that methods' difference between two grains is

    dU_12 = U_1 - U_2 = dGamma + dF_strain,  dGamma = (E_s,1 - E_s,2)/h,
    dF_strain = A [exp(-beta D_1/(L R)) - exp(-beta D_2/(L R))].

:func:`grain_energy_density` is the one implementation: the Delta U(T) analysis (:func:`delta_U`) and the
phase field's driving forces (:mod:`.calibration`) both call it, so where kinetics does not interfere the
two describe the same energy. dU_12 > 0: grain 2 is favoured (for 1 = (001), 2 = (101): the (101),
strain-energy minimising, texture); dU_12 < 0: grain 1 (surface-energy minimising). Temperatures where
dU changes sign are the crossovers. R is the deposition velocity of the current density studied,
v = j V_m/(z F) (:func:`anodeflow.phasefield.calibration.deposition_velocity_um_s`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import constants as const


@dataclass(frozen=True)
class FilmConditions:
    """Film and growth conditions of the energy balance, SI units (config ``phasefield.film``: um and MPa
    there; R from the current density)."""

    L_m: float  # length scale of the strain relaxation
    h_m: float  # film thickness
    R_m_s: float  # growth rate (deposition velocity)
    sigma_y_Pa: float  # yield stress
    eps_T_minus_c: float  # eps_T - eps_c
    D0_m2_s: float  # diffusivity prefactor
    beta: float
    strain: bool = True  # False: the strain term is left out (U_q = E_s,q/h)

    @classmethod
    def from_config(cls, film: dict, R_um_s: float, strain: bool = True) -> FilmConditions:
        """``film``: the section ``phasefield.film``; ``R_um_s`` the deposition velocity."""
        return cls(
            L_m=film["L_um"] * 1e-6,
            h_m=film["h_um"] * 1e-6,
            R_m_s=R_um_s * 1e-6,
            sigma_y_Pa=film["sigma_y_MPa"] * 1e6,
            eps_T_minus_c=film["eps_T_minus_c"],
            D0_m2_s=film["D0_m2_s"],
            beta=film["beta"],
            strain=bool(strain),
        )

    def at_velocity(self, R_um_s: float) -> FilmConditions:
        return replace(self, R_m_s=R_um_s * 1e-6)


def diffusivity(E_a_eV, T_K, D0_m2_s):
    """D = D_0 exp(-E_a / (k_B T)), m^2/s."""
    return D0_m2_s * np.exp(-np.asarray(E_a_eV, float) / (const.KB_EV_PER_K * np.asarray(T_K, float)))


def strain_energy_density(E_a_eV, T_K, film: FilmConditions):
    """F_strain,q = A exp(-beta D_q/(L R)) (J/m^3); zero if ``film.strain`` is off."""
    D = diffusivity(E_a_eV, T_K, film.D0_m2_s)
    if not film.strain:
        return np.zeros_like(D)
    A = film.sigma_y_Pa * film.eps_T_minus_c
    return A * np.exp(-film.beta * D / (film.L_m * film.R_m_s))


def grain_energy_density(E_s_J_m2, E_a_eV, T_K, film: FilmConditions) -> dict:
    """U_q = E_s,q/h + F_strain,q(T) (J/m^3) of grains of surface energy E_s,q and barrier E_a,q;
    arrays broadcast. Returns the two terms, their sum and D_q."""
    T = np.asarray(T_K, float)
    surf = np.asarray(E_s_J_m2, float) / film.h_m * np.ones_like(T)
    strain = strain_energy_density(E_a_eV, T, film)
    return {
        "surface_J_m3": surf,
        "strain_J_m3": strain,
        "U_J_m3": surf + strain,
        "D_m2_s": diffusivity(E_a_eV, T, film.D0_m2_s),
    }


def delta_U(T_K, E_s1_J_m2, E_s2_J_m2, E_a1_eV, E_a2_eV, film: FilmConditions) -> dict:
    """Energy-density difference (J/m^3) between grain 1 and grain 2: U_1 - U_2 (module doc)."""
    g1 = grain_energy_density(E_s1_J_m2, E_a1_eV, T_K, film)
    g2 = grain_energy_density(E_s2_J_m2, E_a2_eV, T_K, film)
    dG = g1["surface_J_m3"] - g2["surface_J_m3"]
    dF = g1["strain_J_m3"] - g2["strain_J_m3"]
    return {
        "T_K": np.asarray(T_K, float),
        "dGamma_J_m3": dG,
        "dF_strain_J_m3": dF,
        "dU_J_m3": dG + dF,
        "D1_m2_s": g1["D_m2_s"],
        "D2_m2_s": g2["D_m2_s"],
    }


def crossovers(T: np.ndarray, y: np.ndarray) -> list[float]:
    """Temperatures where y changes sign (linear interpolation between grid points)."""
    out = []
    s = np.sign(y)
    for k in np.nonzero(s[:-1] * s[1:] < 0)[0]:
        out.append(float(T[k] - y[k] * (T[k + 1] - T[k]) / (y[k + 1] - y[k])))
    return out


def delta_U_table(T, film: FilmConditions, metal_inputs: dict) -> tuple[list[dict], dict]:
    """dU(T) between (001) (grain 1) and (101) (grain 2) per metal on the temperatures ``T``.

    ``metal_inputs``: {metal: resolved inputs (E_s_J_m2, E_a_eV per orientation)}. Returns the rows
    (one per metal and T) and the crossover temperatures per metal."""
    T = np.asarray(T, float)
    rows, cross = [], {}
    for metal, inp in metal_inputs.items():
        Es, Ea = inp["E_s_J_m2"], inp["E_a_eV"]
        d = delta_U(T, Es["001"], Es["101"], Ea["001"], Ea["101"], film)
        cross[metal] = crossovers(T, d["dU_J_m3"])
        for k in range(T.size):
            rows.append(
                {
                    "metal": metal,
                    "T_K": T[k],
                    "dGamma_J_m3": d["dGamma_J_m3"][k],
                    "dF_strain_J_m3": d["dF_strain_J_m3"][k],
                    "dU_J_m3": d["dU_J_m3"][k],
                    "favoured": "101" if d["dU_J_m3"][k] > 0 else "001",
                    "source": "dU",
                }
            )
    return rows, cross
