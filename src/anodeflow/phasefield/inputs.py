"""E_s and E_a per grain orientation for one metal and condition, and where each comes from.

Inputs per metal and orientation (001)/(101)/(111):
``phasefield.inputs.<metal>.E_a_eV.<o>`` and ``phasefield.inputs.<metal>.E_s_J_m2.<condition>.<o>``
(literature or user values) take precedence; every value not given there is read from the
workflow's own results (``results/surfaces/<metal>/surface_energies.csv`` at the condition's
strain, ``results/barriers/<metal>/barriers.csv``). Conditions map to a biaxial strain of
the slabs (``phasefield.conditions``: liquid = 0, solid = the strained E_s). The orientation
(hkl) of a grain is the bcc slab facet ``constants.PF_SLAB_FACET`` (e.g. (101) -> the 110 slab).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import constants as const
from .model import ORIENTATIONS


def surfaces_csv(metal: str) -> str:
    """The workflow's E_s table of a metal."""
    return f"results/surfaces/{metal}/surface_energies.csv"


def barriers_csv(metal: str) -> str:
    """The workflow's E_a table of a metal."""
    return f"results/barriers/{metal}/barriers.csv"


def condition_strain(pf: dict, condition: str) -> float:
    """Biaxial in-plane strain of the slabs whose E_s a condition uses."""
    return float(pf["conditions"][condition])


def needed_inputs(config: dict, metal: str, conditions=None) -> dict:
    """Which workflow results a metal's runs (under ``conditions``, default all) need:
    {'surfaces': bool, 'barriers': bool}."""
    pf = config["phasefield"]
    ov = pf["inputs"].get(metal, {})
    conds = conditions or list(pf["conditions"])
    need_b = any(o not in ov.get("E_a_eV", {}) for o in ORIENTATIONS)
    need_s = any(o not in ov.get("E_s_J_m2", {}).get(c, {}) for c in conds for o in ORIENTATIONS)
    return {"surfaces": need_s, "barriers": need_b}


def resolve_inputs(
    config: dict, metal: str, condition: str, surfaces: str | None = None, barriers: str | None = None
) -> dict:
    """E_s (J/m^2) and E_a (eV) per orientation, with the source of each value. ``surfaces`` and
    ``barriers``: the metal's workflow tables (CSV), needed for every value the config does not give."""
    pf = config["phasefield"]
    ov = pf["inputs"].get(metal, {})
    strain = condition_strain(pf, condition)
    E_s, E_a, src, meth = {}, {}, {}, {}
    given_src = f"config phasefield.inputs.{metal} ({ov.get('source', 'no source given')})"
    s_tab = pd.read_csv(surfaces) if surfaces and Path(surfaces).exists() else None
    b_tab = pd.read_csv(barriers) if barriers and Path(barriers).exists() else None
    for o in ORIENTATIONS:
        slab = const.PF_SLAB_FACET[o]
        given = ov.get("E_s_J_m2", {}).get(condition, {})
        if o in given:
            E_s[o], src[f"E_s_{o}"] = float(given[o]), given_src
        else:
            if s_tab is None:
                raise FileNotFoundError(
                    f"E_s of {metal}({slab}) at strain {strain:+g} needs {surfaces_csv(metal)} "
                    f"or phasefield.inputs.{metal}.E_s_J_m2.{condition}.'{o}'"
                )
            row = s_tab[(s_tab.facet.astype(str).str.zfill(3) == slab) & (np.abs(s_tab.strain - strain) < 1e-9)]
            if row.empty:
                raise KeyError(
                    f"{surfaces}: no row for facet {slab} at strain {strain:+g} "
                    f"(phasefield.conditions.{condition}); add the strain to surfaces.strains"
                )
            E_s[o], src[f"E_s_{o}"] = float(row.E_s_J_m2.iloc[0]), str(surfaces)
        if o in ov.get("E_a_eV", {}):
            E_a[o], src[f"E_a_{o}"] = float(ov["E_a_eV"][o]), given_src
        else:
            if b_tab is None:
                raise FileNotFoundError(
                    f"E_a of {metal}({slab}) needs {barriers_csv(metal)} or phasefield.inputs.{metal}.E_a_eV.'{o}'"
                )
            row = b_tab[b_tab.facet.astype(str).str.zfill(3) == slab]
            if row.empty:
                raise KeyError(f"{barriers}: no barrier for facet {slab}")
            best = row.loc[row.E_a_eV.idxmin()]
            if "converged" in row.columns and not bool(best["converged"]):
                raise ValueError(
                    f"{barriers}: the NEB band of {metal}({slab}) did not converge (or found a state "
                    f"below its end points), so E_a = {float(best.E_a_eV):.3f} eV is no barrier; "
                    f"change the config section 'barriers' or give phasefield.inputs.{metal}.E_a_eV.'{o}'"
                )
            E_a[o], src[f"E_a_{o}"] = float(best.E_a_eV), str(barriers)
            if "method" in row.columns:
                meth[f"E_a_{o}"] = str(best["method"])
    out = {"metal": metal, "condition": condition, "strain": strain, "E_s_J_m2": E_s, "E_a_eV": E_a, "sources": src}
    if meth:
        out["methods"] = meth
    return out
