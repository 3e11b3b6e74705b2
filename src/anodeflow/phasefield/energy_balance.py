"""Energy balance between two grain orientations against temperature (methods.md section 8).

    dU_12 = dGamma + dF_strain,  dGamma = (E_s,1 - E_s,2)/h
    dF_strain = A [exp(-beta D_1/(L R)) - exp(-beta D_2/(L R))],  A = sigma_y (eps_T - eps_c)
    D_i = D_0 exp(-E_a,i / (k_B T))

dU_12 > 0: grain 2 is favoured (for 1 = (001), 2 = (101): the (101), strain-energy minimising,
texture); dU_12 < 0: grain 1 (surface-energy minimising). Temperatures where dU changes sign
are the crossovers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import constants as const


@dataclass(frozen=True)
class FilmConditions:
    """Film and growth conditions of the energy balance, SI units (config
    ``phasefield.temperature_analysis``: um, um/s and MPa there)."""

    L_m: float  # length scale of the strain relaxation
    h_m: float  # film thickness
    R_m_s: float  # growth rate
    sigma_y_Pa: float  # yield stress
    eps_T_minus_c: float  # eps_T - eps_c
    D0_m2_s: float  # diffusivity prefactor
    beta: float

    @classmethod
    def from_config(cls, ta: dict) -> FilmConditions:
        return cls(
            L_m=ta["L_um"] * 1e-6,
            h_m=ta["h_um"] * 1e-6,
            R_m_s=ta["R_um_s"] * 1e-6,
            sigma_y_Pa=ta["sigma_y_MPa"] * 1e6,
            eps_T_minus_c=ta["eps_T_minus_c"],
            D0_m2_s=ta["D0_m2_s"],
            beta=ta["beta"],
        )


def diffusivity(E_a_eV, T_K, D0_m2_s):
    """D = D_0 exp(-E_a / (k_B T)), m^2/s."""
    return D0_m2_s * np.exp(-np.asarray(E_a_eV, float) / (const.KB_EV_PER_K * np.asarray(T_K, float)))


def delta_U(T_K, E_s1_J_m2, E_s2_J_m2, E_a1_eV, E_a2_eV, film: FilmConditions) -> dict:
    """Energy-density difference (J/m^3) between grain 1 and grain 2 (formulas in the module doc)."""
    T = np.asarray(T_K, float)
    A = film.sigma_y_Pa * film.eps_T_minus_c
    D1 = diffusivity(E_a1_eV, T, film.D0_m2_s)
    D2 = diffusivity(E_a2_eV, T, film.D0_m2_s)
    LR = film.L_m * film.R_m_s
    dF = A * (np.exp(-film.beta * D1 / LR) - np.exp(-film.beta * D2 / LR))
    dG = (E_s1_J_m2 - E_s2_J_m2) / film.h_m * np.ones_like(T)
    return {"T_K": T, "dGamma_J_m3": dG, "dF_strain_J_m3": dF, "dU_J_m3": dG + dF, "D1_m2_s": D1, "D2_m2_s": D2}


def crossovers(T: np.ndarray, y: np.ndarray) -> list[float]:
    """Temperatures where y changes sign (linear interpolation between grid points)."""
    out = []
    s = np.sign(y)
    for k in np.nonzero(s[:-1] * s[1:] < 0)[0]:
        out.append(float(T[k] - y[k] * (T[k + 1] - T[k]) / (y[k + 1] - y[k])))
    return out


def delta_U_table(ta: dict, metal_inputs: dict) -> tuple[list[dict], dict]:
    """dU(T) between (001) (grain 1) and (101) (grain 2) per metal on the grid
    ``T_min_K..T_max_K`` (``n_T`` points) of ``phasefield.temperature_analysis``.

    ``metal_inputs``: {metal: resolved inputs (E_s_J_m2, E_a_eV per orientation)}. Returns the rows
    (one per metal and T) and the crossover temperatures per metal."""
    T = np.linspace(ta["T_min_K"], ta["T_max_K"], int(ta["n_T"]))
    film = FilmConditions.from_config(ta)
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
