"""From the relaxed DFT energies of one system to ω per pair, E_f per site, Ω, T_c; the campaign table."""
from __future__ import annotations

import pandas as pd

from . import pair_model


def system_thermo(enum: dict, energies: dict[str, float], mu_metal: float, T_class: float = 300.0,
                  flag_K: float = 1e4):
    """``enum``: the enumeration (configurations.json); ``energies``: config_id -> E (eV).

    Returns (summary dict, pairs DataFrame, sites DataFrame)."""
    E0 = energies["pristine"]
    rep = {}
    for s in enum["sites"]:
        for a in s["orbit"]:
            rep[a] = s["index"]
    Ev = {s["index"]: energies[f"v_{s['index']}"] for s in enum["sites"]}
    sites = pd.DataFrame([{
        "site": s["index"], "tag": s["tag"], "multiplicity": s["multiplicity"],
        "E_vac_eV": Ev[s["index"]],
        "E_form_eV": pair_model.vacancy_formation_energy(Ev[s["index"]], E0, mu_metal)} for s in enum["sites"]])
    rows = []
    for p in enum["pairs"]:
        i, j = p["i"], p["j"]
        Eij = energies[f"vv_{i}_{j}"]
        rows.append({"i": i, "j": j, "type": p["type"], "multiplicity": p["multiplicity"],
                     "distance_A": p["distance_A"], "E_i_eV": Ev[rep[i]], "E_j_eV": Ev[rep[j]], "E_ij_eV": Eij,
                     "omega_eV": pair_model.vacancy_pair_binding(Ev[rep[i]], Ev[rep[j]], E0, Eij)})
    pairs = pd.DataFrame(rows, columns=["i", "j", "type", "multiplicity", "distance_A", "E_i_eV", "E_j_eV",
                                        "E_ij_eV", "omega_eV"])
    summary = pair_model.pair_model_summary(pairs.to_dict("records"), enum["z_11"], enum["z_12"], T_class, flag_K)
    summary["E0_eV"] = E0
    summary["mu_metal_eV"] = mu_metal
    return summary, pairs, sites


TABLE_COLUMNS = ["system", "status", "xc", "Tc_11_K", "Tc_12_K", "Omega_11_eV", "Omega_12_eV", "z_11", "z_12",
                 "mean_omega_11_eV", "mean_omega_12_eV", "classification", "all_converged", "reason"]


def failed_summary(system: str, reason: str) -> dict:
    """tc.json of a system whose interface could not be built (no DFT was run for it)."""
    return {"system": system, "status": "failed", "reason": reason,
            "Tc_11_K": None, "Tc_12_K": None, "Omega_11_eV": None, "Omega_12_eV": None,
            "z_11": None, "z_12": None, "classification": "undetermined (no interface)"}


def configuration_flags(results: list[dict]) -> dict:
    """Convergence and relocation flags of a system's relaxations (result.json records)."""
    return {"all_converged": all(r["converged"] for r in results),
            "not_converged": [r["config_id"] for r in results if not r["converged"]],
            # an atom that moved by more than the relocation threshold (a fraction of the metal's
            # nearest-neighbour distance) changed the configuration (e.g. a neighbour hopped into the
            # vacancy): its energy no longer belongs to the intended vacancy pair
            "relocated": [r["config_id"] for r in results if r.get("relocated")],
            "n_configurations": len(results), "xc": results[0]["xc"],
            "energy_kind": results[0].get("energy_kind")}


def critical_temperature_table(tcs: list[dict], descriptors: list[dict] = ()) -> pd.DataFrame:
    """One row per system (``tcs``: tc.json records in campaign order), with its interface
    descriptors (descriptors.json records) where it has them."""
    rows = []
    desc = {d["system"]: d for d in descriptors}
    for t in tcs:
        row = {k: t.get(k) for k in TABLE_COLUMNS}
        row["relocated"] = ";".join(t.get("relocated") or [])    # configurations whose atoms hopped
        d = desc.get(t["system"], {})
        for k in ("a_m", "dchi_max_eV", "strain", "zsl_area_A2", "natoms"):
            row[k] = d.get(k)
        rows.append(row)
    return pd.DataFrame(rows)
