"""The ribbon width W from measured relaxation times (methods.md 7.3).

Mass moves along a solid surface by surface diffusion, so mode k of a ribbon's surface relaxes as
tau_k ~ k^-4 (Mullins; k^-2 where evaporation-condensation dominates): tau_1 ~ W^n. From a measured point
(W_ref, tau_ref) and exponent n per metal and facet (config ``cft.tau1_reference.<metal>.<facet>``),

    tau_1(W) = tau_ref (W / W_ref)^n.

The run must hold ``TAU_MULTIPLE`` = 23 tau_1 (anodeflow.cft.equilibrium.analyse_start: >= 20 tau_1 after the
equilibrated part starts, which is no earlier than 3 tau_1), within the production cap ``cft.max_prod_ps``:

    W_max = W_ref (max_prod_ps / (23 tau_ref))^(1/n).

The fit needs ``cft.min_modes`` modes of wavelength >= ``cft.min_wavelength_spacings`` lattice constants:

    W_min = min_modes * min_wavelength_spacings * a.

W = min(cft.length_A, W_max), rounded down to whole lattice spacings along x; when that is below W_min no
ribbon of this (metal, facet) can both equilibrate and be fitted within the budget, and the rule refuses with
the keys to change. tau_1 grows on cooling, so a reference measured at the campaign's highest T gives too
wide a ribbon at its lowest: the verdict then says "not equilibrated within t" with the tau_1 it measured.
"""

from __future__ import annotations

import math

from anodeflow.config import ConfigError

#: run length in units of tau_1 the equilibrium analysis needs: 20 after the equilibrated part, which begins
#: at 3 tau_1 (anodeflow.cft.equilibrium.analyse_start: tau_multiple, min_discard_tau), later for a transient
TAU_MULTIPLE = 23.0


def tau1_of_width(W_A: float, W_ref_A: float, tau_ref_ps: float, exponent: float) -> float:
    """tau_1(W) = tau_ref (W / W_ref)^n (ps)."""
    return tau_ref_ps * (W_A / W_ref_A) ** exponent


def max_width(
    budget_ps: float, W_ref_A: float, tau_ref_ps: float, exponent: float, tau_multiple: float = TAU_MULTIPLE
) -> float:
    """The widest W whose tau_multiple tau_1(W) fits ``budget_ps`` (A)."""
    return W_ref_A * (budget_ps / (tau_multiple * tau_ref_ps)) ** (1.0 / exponent)


def min_width(a_A: float, min_modes: int, min_wavelength_spacings: float) -> float:
    """The narrowest W with ``min_modes`` modes of wavelength >= min_wavelength_spacings a (A)."""
    return min_modes * min_wavelength_spacings * a_A


def ribbon_width(metal: str, facet: str, a_A: float, spacing_x_A: float, cc: dict) -> dict:
    """W of the (metal, facet) ribbon from the cft settings ``cc`` of the metal (per-metal overrides applied):
    ``length_A`` when ``cc['width_from_tau1']`` is false, else the rule above. Returns W_A (whole spacings),
    and with the rule W_max_A, W_min_A, the predicted tau1_ps and the run it needs (needed_ps)."""
    if not cc.get("width_from_tau1"):
        return {"W_A": float(cc["length_A"]), "rule": False}
    ref = ((cc.get("tau1_reference") or {}).get(metal) or {}).get(facet)
    key = f"cft.tau1_reference.{metal}.{facet}"
    if not ref:
        raise ConfigError(
            f"cft.width_from_tau1 is set but {key} is missing: give the measured point "
            f"{{W_A: ..., tau1_ps: ..., exponent: ...}} of this metal and facet (docs/md.md), or "
            f"set cft.width_from_tau1: false and choose cft.length_A"
        )
    W_max = max_width(cc["max_prod_ps"], ref["W_A"], ref["tau1_ps"], ref["exponent"])
    W_min = min_width(a_A, cc["min_modes"], cc["min_wavelength_spacings"])
    W = math.floor(min(cc["length_A"], W_max) / spacing_x_A + 1e-9) * spacing_x_A
    if W < W_min:
        raise ConfigError(
            f"{metal} ({facet}): no ribbon width both equilibrates and is fitted: 23 tau_1(W) <= cft.max_prod_ps = "
            f"{cc['max_prod_ps']:g} ps needs W <= {W_max:.1f} A ({key}: tau_1 = {ref['tau1_ps']:g} ps at "
            f"{ref['W_A']:g} A, exponent {ref['exponent']:g}; cft.length_A = {cc['length_A']:g} A), while "
            f"cft.min_modes = {cc['min_modes']} modes of wavelength >= cft.min_wavelength_spacings = "
            f"{cc['min_wavelength_spacings']:g} a need W >= {W_min:.1f} A: raise cft.max_prod_ps to "
            f"{TAU_MULTIPLE * tau1_of_width(W_min, ref['W_A'], ref['tau1_ps'], ref['exponent']):.0f} ps, or lower "
            f"cft.min_modes / cft.min_wavelength_spacings"
        )
    tau1 = tau1_of_width(W, ref["W_A"], ref["tau1_ps"], ref["exponent"])
    return {
        "W_A": W,
        "rule": True,
        "W_max_A": W_max,
        "W_min_A": W_min,
        "tau1_ps": tau1,
        "needed_ps": TAU_MULTIPLE * tau1,
    }
