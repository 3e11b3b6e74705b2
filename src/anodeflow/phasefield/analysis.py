"""Texture statistics and the temperature analysis Delta U(T) of methods.md section 8."""
from __future__ import annotations

import numpy as np

from .. import constants as C
from .model import ORIENTATIONS


def orientation_fractions(gmap: np.ndarray, orientation: np.ndarray) -> np.ndarray:
    """Area fraction of each orientation among the filled cells of a grain map (NaN if none)."""
    filled = gmap >= 0
    if not filled.any():
        return np.full(len(ORIENTATIONS), np.nan)
    counts = np.bincount(orientation[gmap[filled]], minlength=len(ORIENTATIONS))
    return counts / counts.sum()


def fractions_by_row(gmap: np.ndarray, orientation: np.ndarray) -> np.ndarray:
    """(ny, 3) orientation fractions per row (NaN for empty rows)."""
    return np.array([orientation_fractions(row[None], orientation) for row in gmap])


def winning_texture(gmap: np.ndarray, orientation: np.ndarray, top_rows: int) -> dict:
    """The orientation with the largest area fraction in the topmost ``top_rows`` filled rows."""
    filled_rows = np.nonzero((gmap >= 0).any(axis=1))[0]
    if filled_rows.size == 0:
        return {"winner": None, "top_fractions": {o: float("nan") for o in ORIENTATIONS}}
    top = gmap[max(0, filled_rows.max() + 1 - top_rows): filled_rows.max() + 1]
    f = orientation_fractions(top, orientation)
    return {"winner": ORIENTATIONS[int(np.nanargmax(f))],
            "top_fractions": {o: float(x) for o, x in zip(ORIENTATIONS, f)},
            "top_rows": int(top.shape[0])}


# ---------------------------------------------------------------- temperature analysis


def diffusivity(E_a_eV, T_K, D0_m2_s):
    """D = D_0 exp(-E_a / (k_B T)), m^2/s."""
    return D0_m2_s * np.exp(-np.asarray(E_a_eV, float) / (C.KB_EV_PER_K * np.asarray(T_K, float)))


def delta_U(T_K, E_s1_J_m2, E_s2_J_m2, E_a1_eV, E_a2_eV, *, L_m, h_m, R_m_s, sigma_y_Pa,
            eps_T_minus_c, D0_m2_s, beta=1.0) -> dict:
    """Energy-density difference (J/m^3) between grain 1 and grain 2 (methods.md section 8).

        dU_12 = dGamma + dF_strain,  dGamma = (E_s,1 - E_s,2)/h
        dF_strain = A [exp(-beta D_1/(L R)) - exp(-beta D_2/(L R))],  A = sigma_y (eps_T - eps_c)

    dU_12 > 0: grain 2 is favoured (for 1 = (001), 2 = (101): the (101) texture)."""
    T = np.asarray(T_K, float)
    A = sigma_y_Pa * eps_T_minus_c
    D1 = diffusivity(E_a1_eV, T, D0_m2_s)
    D2 = diffusivity(E_a2_eV, T, D0_m2_s)
    dF = A * (np.exp(-beta * D1 / (L_m * R_m_s)) - np.exp(-beta * D2 / (L_m * R_m_s)))
    dG = (E_s1_J_m2 - E_s2_J_m2) / h_m * np.ones_like(T)
    return {"T_K": T, "dGamma_J_m3": dG, "dF_strain_J_m3": dF, "dU_J_m3": dG + dF, "D1_m2_s": D1,
            "D2_m2_s": D2}


def crossovers(T: np.ndarray, y: np.ndarray) -> list[float]:
    """Temperatures where y changes sign (linear interpolation between grid points)."""
    out = []
    s = np.sign(y)
    for k in np.nonzero(s[:-1] * s[1:] < 0)[0]:
        out.append(float(T[k] - y[k] * (T[k + 1] - T[k]) / (y[k + 1] - y[k])))
    return out
