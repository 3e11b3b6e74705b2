"""The phase-field winner next to the sign of Delta U at every run of the temperature x current sweep.

The winner (largest top-layer fraction) can be inherited: a seed layer that starts with 55 % (101) and ends
with 55 % has selected nothing. So each row also carries the seed layer's fractions (the growth front's
first sample) and the orientation that gained most from seed layer to top (``pf_gainer``, ``pf_gain``): the
direction in which growth moved the texture, compared with Delta U in ``gainer_agree``.

Delta U_12 = U_(001) - U_(101) of :mod:`.energy_balance` at the run's temperature and deposition velocity
(the run's own calibration carries U_q): > 0 favours (101), < 0 (001). Where the phase-field winner is the
orientation Delta U favours, the energy decided; where it is not, kinetics did (mobilities, interface
energies, the seed layer's coarsening), and the dimensionless ratios of the run say which.
"""

from __future__ import annotations

import pandas as pd

from .model import ORIENTATIONS


def dU_favoured(dU_J_m3: float) -> str:
    return "101" if dU_J_m3 > 0 else "001"


def winners_table(points: list[dict]) -> pd.DataFrame:
    """One row per run (temperature-point JSONs): metal, condition, current density, T, the phase-field winner
    and top-layer fractions, Delta U and the orientation it favours, whether they agree, and the ratios
    (flat (001)/(101) boundary speed and the largest capillary speed, over the deposition velocity)."""
    rows = []
    for p in points:
        per = p["calibration"]["orientations"]
        dU = per["001"]["U_J_m3"] - per["101"]["U_J_m3"]
        cap = [v for v in p["ratios"]["capillary"].values() if v is not None]
        seed = {o: p["front"][0][o] for o in ORIENTATIONS}
        gain = {o: p["top_fractions"][o] - seed[o] for o in ORIENTATIONS}
        gainer = max(ORIENTATIONS, key=lambda o: gain[o])
        rows.append(
            {
                "metal": p["metal"],
                "condition": p["condition"],
                "current_density_mA_cm2": p["current_density_mA_cm2"],
                "T_K": p["T_K"],
                "pf_winner": p["winner"],
                **{f"frac_{o}": p["top_fractions"][o] for o in ORIENTATIONS},
                "dU_J_m3": dU,
                "dGamma_J_m3": per["001"]["U_surface_J_m3"] - per["101"]["U_surface_J_m3"],
                "dF_strain_J_m3": per["001"]["U_strain_J_m3"] - per["101"]["U_strain_J_m3"],
                "dU_favoured": dU_favoured(dU),
                "agree": p["winner"] == dU_favoured(dU),
                **{f"seed_frac_{o}": seed[o] for o in ORIENTATIONS},
                "pf_gainer": gainer,
                "pf_gain": gain[gainer],
                "gainer_agree": gainer == dU_favoured(dU),
                "v_dep_um_s": p["calibration"]["deposition_velocity_um_s"],
                "ratio_flat_001_101": p["ratios"]["flat_001_101"],
                "ratio_capillary_max": max(cap) if cap else None,
                "dt_s": p["dt_s"],
                "n_steps": p["n_steps"],
            }
        )
    cols = ["metal", "condition", "current_density_mA_cm2", "T_K"]
    return pd.DataFrame(rows).sort_values(cols).reset_index(drop=True) if rows else pd.DataFrame(rows)
