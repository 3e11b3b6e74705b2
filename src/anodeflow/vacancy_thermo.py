"""From the relaxed DFT energies of one system to ω per pair, E_f per site, Ω, T_c (one job)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import thermo


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
        "E_form_eV": thermo.vacancy_formation_energy(Ev[s["index"]], E0, mu_metal)} for s in enum["sites"]])
    rows = []
    for p in enum["pairs"]:
        i, j = p["i"], p["j"]
        Eij = energies[f"vv_{i}_{j}"]
        rows.append({"i": i, "j": j, "type": p["type"], "multiplicity": p["multiplicity"],
                     "distance_A": p["distance_A"], "E_i_eV": Ev[rep[i]], "E_j_eV": Ev[rep[j]], "E_ij_eV": Eij,
                     "omega_eV": thermo.vacancy_pair_binding(Ev[rep[i]], Ev[rep[j]], E0, Eij)})
    pairs = pd.DataFrame(rows, columns=["i", "j", "type", "multiplicity", "distance_A", "E_i_eV", "E_j_eV",
                                        "E_ij_eV", "omega_eV"])
    summary = thermo.pair_model_summary(pairs.to_dict("records"), enum["z_11"], enum["z_12"], T_class, flag_K)
    summary["E0_eV"] = E0
    summary["mu_metal_eV"] = mu_metal
    return summary, pairs, sites


def plot_binodal(summary: dict, path, title: str = "") -> None:
    """Miscibility gap x_V(T) for both pair types (the vacancy-poor and -rich branches)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 3.5))
    tmax = max([summary.get(f"Tc_{t}_K") or 0 for t in ("11", "12")] + [400.0]) * 1.1
    T = np.linspace(1, tmax, 400)
    for t, c in (("11", "C0"), ("12", "C3")):
        om = summary.get(f"Omega_{t}_eV")
        if om is None:
            continue
        x = thermo.binodal(om, T)
        lab = f"({t}) T$_c$ = {summary[f'Tc_{t}_K']:.0f} K"
        ax.plot(x, T, c, label=lab)
        ax.plot(1 - x, T, c)
    ax.axhline(summary.get("classification_T_K", 300), color="0.5", ls=":", lw=1)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, tmax)
    ax.set_xlabel("vacancy fraction $x_V$")
    ax.set_ylabel("T (K)")
    ax.set_title(title + f"\n{summary.get('classification', '')}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run(configurations_path, result_paths, bulk_metal_path, out_tc, out_pairs, out_sites, out_plot,
        thermo_cfg: dict) -> dict:
    """The thermo job of one system: read what the DFT jobs wrote, write tc.json, pairs/sites CSV, plot."""
    from .io import provenance, read_json, write_csv, write_json

    enum = read_json(configurations_path)
    prov = provenance(thermo_cfg, [configurations_path, bulk_metal_path, *result_paths])
    system = enum["system"]
    if enum.get("status") == "failed":
        summary = {"system": system, "status": "failed", "reason": enum["reason"],
                   "Tc_11_K": None, "Tc_12_K": None, "Omega_11_eV": None, "Omega_12_eV": None,
                   "z_11": None, "z_12": None, "classification": "undetermined (no interface)"}
        pairs = pd.DataFrame(columns=["i", "j", "type", "multiplicity", "omega_eV"])
        sites = pd.DataFrame(columns=["site", "tag", "multiplicity", "E_form_eV"])
        _placeholder_plot(out_plot, f"{system}: {enum['reason']}")
    else:
        results = [read_json(p) for p in result_paths]
        energies = {r["config_id"]: r["energy_eV"] for r in results}
        mu = read_json(bulk_metal_path)["energy_per_atom_eV"]
        summary, pairs, sites = system_thermo(enum, energies, mu, thermo_cfg.get("classification_T_K", 300.0),
                                              thermo_cfg.get("tc_flag_K", 1e4))
        summary.update({"system": system, "status": "ok",
                        "all_converged": all(r["converged"] for r in results),
                        "not_converged": [r["config_id"] for r in results if not r["converged"]],
                        # an atom that moved by more than RELOCATION_FRACTION of the metal's nearest-neighbour
                        # distance changed the configuration (e.g. a neighbour hopped into the vacancy): its
                        # energy no longer belongs to the intended vacancy pair
                        "relocated": [r["config_id"] for r in results if r.get("relocated")],
                        "n_configurations": len(results), "xc": results[0]["xc"],
                        "energy_kind": results[0].get("energy_kind")})
        plot_binodal(summary, out_plot, system)
    summary["provenance"] = prov
    write_csv(out_pairs, pairs, prov)
    write_csv(out_sites, sites, prov)
    write_json(out_tc, summary)
    return summary


def _placeholder_plot(path, text):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 2))
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True, fontsize=8)
    fig.savefig(path, dpi=100)
    plt.close(fig)


TABLE_COLUMNS = ["system", "status", "xc", "Tc_11_K", "Tc_12_K", "Omega_11_eV", "Omega_12_eV", "z_11", "z_12",
                 "mean_omega_11_eV", "mean_omega_12_eV", "classification", "all_converged", "reason"]


def critical_temperature_table(tc_paths, descriptor_paths=()) -> pd.DataFrame:
    """One row per system, in campaign order, with its interface descriptors where it has them."""
    from .io import read_json

    rows = []
    desc = {}
    for p in descriptor_paths:
        d = read_json(p)
        desc[d["system"]] = d
    for p in tc_paths:
        t = read_json(p)
        row = {k: t.get(k) for k in TABLE_COLUMNS}
        row["relocated"] = ";".join(t.get("relocated") or [])    # configurations whose atoms hopped
        d = desc.get(t["system"], {})
        for k in ("a_m", "dchi_max_eV", "strain", "zsl_area_A2", "natoms"):
            row[k] = d.get(k)
        rows.append(row)
    return pd.DataFrame(rows)
