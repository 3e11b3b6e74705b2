"""From the relaxed DFT energies of one system to ω per pair, E_f per site, Ω, T_c; the campaign table."""

from __future__ import annotations

import pandas as pd

from . import pair_model


def system_thermo(
    enum: dict,
    energies: dict[str, float],
    mu_metal: float,
    T_class: float = 300.0,
    flag_K: float = 1e4,
    flagged=(),
    include_flagged: bool = False,
):
    """``enum``: the enumeration (configurations.json); ``energies``: config_id -> E (eV).

    ``flagged``: ids of configurations whose relaxation did not converge or in which an atom hopped
    (methods §6: a different defect). A pair's ω rests on four configurations (pristine, v_i, v_j,
    vv_ij); unless ``include_flagged``, a pair resting on a flagged one is left out of ⟨ω⟩ and T_c
    (it stays in the pairs table, with ``excluded`` and the flagged configurations named).

    Returns (summary dict, pairs DataFrame, sites DataFrame)."""
    flagged = set(flagged)
    E0 = energies["pristine"]
    sampled = bool(enum.get("sampling"))
    rep = {}
    for s in enum["sites"]:
        for a in s["orbit"]:
            rep[a] = s["index"]
    # a sampled system computed only the drawn pairs and the sites they rest on
    computed_sites = [s for s in enum["sites"] if f"v_{s['index']}" in energies]
    Ev = {s["index"]: energies[f"v_{s['index']}"] for s in computed_sites}
    sites = pd.DataFrame(
        [
            {
                "site": s["index"],
                "tag": s["tag"],
                "multiplicity": s["multiplicity"],
                "E_vac_eV": Ev[s["index"]],
                "E_form_eV": pair_model.vacancy_formation_energy(Ev[s["index"]], E0, mu_metal),
                "flagged": bool({"pristine", f"v_{s['index']}"} & flagged),
            }
            for s in computed_sites
        ]
    )
    rows = []
    for p in enum["pairs"]:
        if sampled and not p.get("draws"):
            continue
        i, j = p["i"], p["j"]
        Eij = energies[f"vv_{i}_{j}"]
        used = ["pristine", f"v_{rep[i]}", f"v_{rep[j]}", f"vv_{i}_{j}"]
        bad = [c for c in dict.fromkeys(used) if c in flagged]
        rows.append(
            {
                "i": i,
                "j": j,
                "type": p["type"],
                "multiplicity": p["multiplicity"],
                # the weight of the pair in <omega>: its multiplicity (every distinct pair computed), or
                # the number of times it was drawn (draws proportional to multiplicity: Hansen-Hurwitz)
                "draws": int(p.get("draws", 0)) if sampled else None,
                "distance_A": p["distance_A"],
                "E_i_eV": Ev[rep[i]],
                "E_j_eV": Ev[rep[j]],
                "E_ij_eV": Eij,
                "omega_eV": pair_model.vacancy_pair_binding(Ev[rep[i]], Ev[rep[j]], E0, Eij),
                "flagged_configurations": ";".join(bad),
                "excluded": bool(bad) and not include_flagged,
            }
        )
    pairs = pd.DataFrame(
        rows,
        columns=[
            "i",
            "j",
            "type",
            "multiplicity",
            "draws",
            "distance_A",
            "E_i_eV",
            "E_j_eV",
            "E_ij_eV",
            "omega_eV",
            "flagged_configurations",
            "excluded",
        ],
    )
    used = pairs[~pairs.excluded.astype(bool)] if len(pairs) else pairs
    reasons = {}
    for t in ("11", "12"):
        n_all, n_used = int((pairs.type == t).sum()), int((used.type == t).sum())
        if n_all and not n_used:
            bad = sorted(set(";".join(pairs[pairs.type == t].flagged_configurations).split(";")) - {""})
            reasons[t] = (
                f"all {n_all} ({t}) pairs rest on flagged configurations (not converged or "
                f"relocated: {', '.join(bad)}); thermo.include_flagged is false"
            )
        elif not n_all:
            reasons[t] = f"no ({t}) pairs in this cell"
    records = used.to_dict("records")
    covered = {}
    if sampled:
        # a type whose every distinct pair was drawn (and kept) is known exactly: multiplicity weights, no
        # sampling error; otherwise each pair weighs its number of draws (the Hansen-Hurwitz estimate)
        population = enum["sampling"]["n_distinct_pairs"]
        for t in ("11", "12"):
            covered[t] = sum(1 for r in records if r["type"] == t) == population.get(t, 0) > 0
        for r in records:
            if not covered[r["type"]]:
                r["multiplicity"] = r["draws"]
    summary = pair_model.pair_model_summary(records, enum["z_11"], enum["z_12"], T_class, flag_K, reasons=reasons)
    summary.update(sampling_error(records, enum, sampled, covered))
    summary.update(
        {
            "n_pairs_11": int((used.type == "11").sum()),
            "n_pairs_12": int((used.type == "12").sum()),
            "n_pairs_excluded": int(len(pairs) - len(used)),
            "include_flagged": bool(include_flagged),
        }
    )
    summary["E0_eV"] = E0
    summary["mu_metal_eV"] = mu_metal
    return summary, pairs, sites


def sampling_error(records: list[dict], enum: dict, sampled: bool, covered: dict | None = None) -> dict:
    """Standard error of <omega>_t and of T_c,t from a sample of pairs (methods §6 with a sampled
    enumeration): the draws' standard deviation over sqrt(n draws), T_c = z<omega>/(4 k_B) scaled alike.
    Zero for a full enumeration and for a type whose every distinct pair was drawn (``covered``); None
    where fewer than two distinct pairs of a type remain (one pair drawn twice shows no scatter), and for
    a T_c clamped at 0 K (Omega < 0: the error bar of a clamped value is one-sided)."""
    import numpy as np

    from ..constants import KB_EV_PER_K

    covered = covered or {}
    out: dict = {"sampled": sampled}
    for t in ("11", "12"):
        if not sampled or covered.get(t):
            out.update({f"omega_{t}_sample_se_eV": 0.0, f"Tc_{t}_sample_err_K": 0.0})
            out[f"n_draws_{t}"] = int(sum(r["draws"] for r in records if r["type"] == t)) if sampled else None
            continue
        w = np.array([r["draws"] for r in records if r["type"] == t], float)
        om = np.array([r["omega_eV"] for r in records if r["type"] == t], float)
        n = int(w.sum())
        out[f"n_draws_{t}"] = n
        if n < 2 or len(w) < 2:
            out.update({f"omega_{t}_sample_se_eV": None, f"Tc_{t}_sample_err_K": None})
            continue
        mean = float((w * om).sum() / n)
        var = float((w * (om - mean) ** 2).sum() / (n - 1))
        se = (var / n) ** 0.5
        out[f"omega_{t}_sample_se_eV"] = se
        out[f"Tc_{t}_sample_err_K"] = enum[f"z_{t}"] * se / (4 * KB_EV_PER_K) if mean > 0 else None
    if sampled:
        out["n_pairs_population_11"] = enum["sampling"]["n_distinct_pairs"].get("11")
        out["n_pairs_population_12"] = enum["sampling"]["n_distinct_pairs"].get("12")
    return out


TABLE_COLUMNS = [
    "system",
    "status",
    "xc",
    "Tc_11_K",
    "Tc_12_K",
    "Omega_11_eV",
    "Omega_12_eV",
    "z_11",
    "z_12",
    "mean_omega_11_eV",
    "mean_omega_12_eV",
    "n_pairs_11",
    "n_pairs_12",
    "n_pairs_excluded",
    "sampled",
    "n_draws_11",
    "n_draws_12",
    "Tc_11_sample_err_K",
    "Tc_12_sample_err_K",
    "relaxed",
    "classification",
    "all_converged",
    "min_vacuum_A",
    "reason",
]


#: interface descriptors carried into the T_c table (descriptors.json; empty for isolated slabs)
DESCRIPTOR_COLUMNS = (
    "a_m",
    "o_lattice_density_min",
    "o_lattice_theta_deg",
    "o_lattice_kind",
    "dchi_max_eV",
    "strain",
    "zsl_area_A2",
    "area_A2",
    "area_bound_extended",
    "natoms",
)


def failed_summary(system: str, reason: str) -> dict:
    """tc.json of a system whose interface could not be built (no DFT was run for it)."""
    return {
        "system": system,
        "status": "failed",
        "reason": reason,
        "Tc_11_K": None,
        "Tc_12_K": None,
        "Omega_11_eV": None,
        "Omega_12_eV": None,
        "z_11": None,
        "z_12": None,
        "classification": "undetermined (no interface)",
    }


def relaxed_label(results: list[dict]) -> str:
    """'all', 'none (unrelaxed energies: every configuration met fmax at its start)' or 'k of n'."""
    n0 = sum(1 for r in results if r.get("steps", 1) == 0 and r.get("converged", True))
    if n0 == 0:
        return "all"
    if n0 == len(results):
        return "none (unrelaxed energies: every configuration met fmax at its start)"
    return f"{len(results) - n0} of {len(results)}"


def configuration_flags(results: list[dict]) -> dict:
    """Convergence and relocation flags of a system's relaxations (result.json records)."""
    return {
        "all_converged": all(r["converged"] for r in results),
        "not_converged": [r["config_id"] for r in results if not r["converged"]],
        # an atom that moved by more than the relocation threshold (a fraction of the metal's
        # nearest-neighbour distance) changed the configuration (e.g. a neighbour hopped into the
        # vacancy): its energy no longer belongs to the intended vacancy pair
        "relocated": [r["config_id"] for r in results if r.get("relocated")],
        # vacuum between periodic images after relaxation (methods §4: >= 15 A)
        "min_vacuum_A": min((r["vacuum_A"] for r in results if "vacuum_A" in r), default=None),
        "vacuum_too_thin": [r["config_id"] for r in results if r.get("vacuum_too_thin")],
        # configurations that met fmax at their starting geometry (no ionic step): with all of them so,
        # every omega is an unrelaxed energy difference (e.g. the quick preset's fmax 0.2 eV/A)
        "unrelaxed": [r["config_id"] for r in results if r.get("steps", 1) == 0],
        "relaxed": relaxed_label(results),
        "n_configurations": len(results),
        "xc": results[0]["xc"],
        "energy_kind": results[0].get("energy_kind"),
    }


def tc_uncertainty(beef: dict | None) -> dict:
    """Error bars of T_c,11 and T_c,12 (K) from a system's beef.json (the BEEF-vdW ensemble standard
    deviation, methods §5), with their source; for other functionals none exists, and the row says so."""
    types = (beef or {}).get("types") or {}
    out = {}
    for t in ("11", "12"):
        # the std, and the 16-84 % interval beside it: T_c >= 0 (clamped) skews the ensemble near Omega = 0
        q = types.get(t, {}).get("Tc_K", {})
        out[f"Tc_{t}_err_K"], out[f"Tc_{t}_q16_K"], out[f"Tc_{t}_q84_K"] = q.get("std"), q.get("q16"), q.get("q84")
    if not types:
        out["Tc_err_source"] = f"none ({(beef or {}).get('note') or 'no BEEF ensemble'})"
        return out
    ens = beef.get("ensemble") or {}
    out["Tc_err_source"] = f"BEEF-vdW ensemble std ({ens.get('size')} members)"
    return out


def tc_convergence_uncertainty(spread: dict | None) -> dict:
    """Second error bar of T_c,11 and T_c,12 (K): the convergence spread of a system's tc_spread.json
    (anodeflow.thermo.convergence.tc_spread), or none when no study is configured for it."""
    if not spread:
        return {
            "Tc_11_conv_err_K": None,
            "Tc_12_conv_err_K": None,
            "Tc_conv_err_source": "none (system not in convergence.systems)",
        }
    params = sorted(set(spread.get("parameters_11", {})) | set(spread.get("parameters_12", {})))
    return {
        "Tc_11_conv_err_K": spread.get("Tc_11_conv_err_K"),
        "Tc_12_conv_err_K": spread.get("Tc_12_conv_err_K"),
        "Tc_conv_err_source": (
            f"convergence spread over the {spread.get('n_last')} largest settings of "
            f"{', '.join(params)} (root sum of squares)"
        ),
    }


def critical_temperature_table(
    tcs: list[dict], descriptors: list[dict] = (), beefs: list[dict] = (), spreads: list[dict] = ()
) -> pd.DataFrame:
    """One row per system (``tcs``: tc.json records in campaign order), with its interface
    descriptors (descriptors.json records) where it has them, the T_c error bars of its beef.json
    (``beefs``) where BEEF-vdW was used and the convergence error of its tc_spread.json (``spreads``)
    where a convergence study is configured (convergence.systems)."""
    rows = []
    desc = {d["system"]: d for d in descriptors}
    unc = {b["system"]: b for b in beefs}
    conv = {c["system"]: c for c in spreads}
    for t in tcs:
        row = {k: t.get(k) for k in TABLE_COLUMNS}
        if beefs:
            row.update(tc_uncertainty(unc.get(t["system"])))
        row.update(tc_convergence_uncertainty(conv.get(t["system"])))
        for k in ("11", "12"):  # no error bar on an undefined T_c
            if row.get(f"Tc_{k}_K") is None:
                for err in ("err", "q16", "q84", "conv_err", "sample_err"):
                    if f"Tc_{k}_{err}_K" in row:
                        row[f"Tc_{k}_{err}_K"] = None
        row["relocated"] = ";".join(t.get("relocated") or [])  # configurations whose atoms hopped
        row["vacuum_too_thin"] = ";".join(t.get("vacuum_too_thin") or [])  # vacuum < vacuum_A after relaxation
        d = desc.get(t["system"], {})
        for k in DESCRIPTOR_COLUMNS:
            row[k] = d.get(k)
        rows.append(row)
    return pd.DataFrame(rows)
