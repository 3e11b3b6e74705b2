"""Phase map of the texture: sweep of the surface-energy anisotropy and the (101) diffusion barrier.

At a point (a, E_a,(101)): E_s,(101) = E_ref, E_s,(001) = E_ref (1 + a), E_s,(111) = E_ref (1 + f |a|)
with f = ``phase_map.anisotropy_111_factor``; a = E_s,(001)/E_s,(101) - 1 (a > 0: (101) has the
lower surface energy). E_ref = E_s,(101) and E_a of (001) and (111) come from the inputs of
``phase_map.metal`` under ``phase_map.condition``. The real metals and conditions are marked on the
map at their own (a, E_a,(101)).
"""

from __future__ import annotations

import pandas as pd

from .model import ORIENTATIONS


def phase_map_axes(pm: dict) -> tuple[list, list]:
    """The sweep's anisotropy values and (101) barriers (eV), from ``phasefield.phase_map``."""
    return [float(a) for a in pm["anisotropy"]], [float(e) for e in pm["E_a_101_eV"]]


def point_inputs(pm: dict, inputs: dict, i: int, j: int) -> tuple[float, float, dict, dict]:
    """(a, E_a,(101), E_s, E_a) of point (i, j), from the resolved ``inputs`` of the map's metal."""
    A, B = phase_map_axes(pm)
    a, ea = A[i], B[j]
    ref = inputs["E_s_J_m2"]["101"]
    E_s = {"001": ref * (1 + a), "101": ref, "111": ref * (1 + pm["anisotropy_111_factor"] * abs(a))}
    E_a = dict(inputs["E_a_eV"])
    E_a["101"] = ea
    return a, ea, E_s, E_a


def marker(inputs: dict) -> tuple[float, float]:
    """Where a metal under a condition sits on the map: (E_s(001)/E_s(101) - 1, E_a(101))."""
    return (inputs["E_s_J_m2"]["001"] / inputs["E_s_J_m2"]["101"] - 1.0, inputs["E_a_eV"]["101"])


def phase_map_table(points) -> pd.DataFrame:
    """One row per point (anisotropy, E_a_101_eV, winner, top-layer fractions), sorted by the axes."""
    df = pd.DataFrame(
        [
            {
                "anisotropy": p["anisotropy"],
                "E_a_101_eV": p["E_a_101_eV"],
                "winner": p["winner"],
                **{f"frac_{o}": p["top_fractions"][o] for o in ORIENTATIONS},
            }
            for p in points
        ]
    )
    return df.sort_values(["anisotropy", "E_a_101_eV"]).reset_index(drop=True)
