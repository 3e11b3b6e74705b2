"""The phase-field winner next to the sign of Delta U at every run of the temperature x current sweep.

Delta U_12 = U_(001) - U_(101) of :mod:`.energy_balance` at the run's temperature and deposition velocity
(the run's own calibration carries U_q): > 0 favours (101), < 0 (001). Where the phase-field winner is the
orientation Delta U favours, the energy decided; where it is not, kinetics did (mobilities, interface
energies, the seed layer's coarsening), and the dimensionless ratios of the run say which.

The winner (largest top-layer fraction) can be inherited from the random seed layer. Delta U compares (001)
with (101) only, so selection is read on that pair: the (001) share of the two, s = f_001/(f_001 + f_101),
in the seed layer (the growth front's first sample) and at the top. Columns of (111) that die split between
the others in proportion to their shares, which leaves s unchanged; so a change of s is selection between
(001) and (101), and its sign is compared with Delta U. A change smaller than one nucleus's share of the seed
layer (1/n_nuclei) is a tie (``pf_selected`` None): one grain more or less would undo it.
"""

from __future__ import annotations

import math

import pandas as pd

from .model import ORIENTATIONS


def dU_favoured(dU_J_m3: float) -> str:
    return "101" if dU_J_m3 > 0 else "001"


def share_001(fractions: dict) -> float:
    """(001)'s share of the (001) + (101) pair; NaN when neither is present (or the fractions are NaN)."""
    pair = fractions["001"] + fractions["101"]
    return fractions["001"] / pair if pair > 0 else float("nan")


def pair_selection(seed: dict, top: dict, n_nuclei: int) -> tuple[float, str | None]:
    """The change of (001)'s pair share from seed layer to top, and the orientation it selects: "001" above
    +1/n_nuclei, "101" below -1/n_nuclei, None in between (a tie) or when a share is undefined."""
    d = share_001(top) - share_001(seed)
    tie = 1.0 / n_nuclei
    if not math.isfinite(d) or abs(d) <= tie:
        return d, None
    return d, ("001" if d > 0 else "101")


def winners_table(points: list[dict], n_nuclei: int | None = None) -> pd.DataFrame:
    """One row per run (temperature-point JSONs): metal, condition, current density, T, the phase-field winner
    and top-layer fractions, Delta U and the orientation it favours, whether they agree, the pair selection
    (seed-layer fractions, (001)'s pair share in the seed layer and at the top, the orientation selected or
    None for a tie, and whether it is the one Delta U favours), and the ratios (flat (001)/(101) boundary
    speed and the largest capillary speed, over the deposition velocity). ``n_nuclei``: for runs whose JSON
    does not record its nuclei."""
    rows = []
    for p in points:
        per = p["calibration"]["orientations"]
        dU = per["001"]["U_J_m3"] - per["101"]["U_J_m3"]
        favoured = dU_favoured(dU)
        cap = [v for v in p["ratios"]["capillary"].values() if v is not None]
        seed = {o: p["front"][0][o] for o in ORIENTATIONS}
        n = sum(p["nuclei"].values()) if p.get("nuclei") else n_nuclei
        if not n:
            raise ValueError(f"{p['metal']} {p['condition']} {p['T_K']} K: the run records no nuclei; give n_nuclei")
        d_share, selected = pair_selection(seed, p["top_fractions"], n)
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
                "dU_favoured": favoured,
                "agree": p["winner"] == favoured,
                **{f"seed_frac_{o}": seed[o] for o in ORIENTATIONS},
                "share_001_seed": share_001(seed),
                "share_001_top": share_001(p["top_fractions"]),
                "d_share_001": d_share,
                "tie_share": 1.0 / n,
                "pf_selected": selected,
                "selected_agree": None if selected is None else selected == favoured,
                "v_dep_um_s": p["calibration"]["deposition_velocity_um_s"],
                "ratio_flat_001_101": p["ratios"]["flat_001_101"],
                "ratio_capillary_max": max(cap) if cap else None,
                "dt_s": p["dt_s"],
                "n_steps": p["n_steps"],
            }
        )
    cols = ["metal", "condition", "current_density_mA_cm2", "T_K"]
    return pd.DataFrame(rows).sort_values(cols).reset_index(drop=True) if rows else pd.DataFrame(rows)
