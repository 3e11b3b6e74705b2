"""ω_11, ω_12 (and Ω, T_c) against in-plane supercell size, slab thickness and k-point density."""

from __future__ import annotations

import pandas as pd


def table(system: str, variants, tcs: list[dict], descriptors: list[dict], preset: dict) -> pd.DataFrame:
    """One row per variant ``(id, parameter, value)``, from its tc.json and descriptors.json records."""
    rows = []
    for (vid, param, value), tc, d in zip(variants, tcs, descriptors):
        rows.append(
            {
                "system": system,
                "parameter": param,
                "value": value,
                "is_preset_value": float(value) == float(preset[param]),
                "natoms": d.get("natoms"),
                "area_A2": d.get("area_A2"),
                "omega_11_eV": tc.get("mean_omega_11_eV"),
                "omega_12_eV": tc.get("mean_omega_12_eV"),
                "Omega_11_eV": tc.get("Omega_11_eV"),
                "Omega_12_eV": tc.get("Omega_12_eV"),
                "Tc_11_K": tc.get("Tc_11_K"),
                "Tc_12_K": tc.get("Tc_12_K"),
                "n_pairs_11": tc.get("n_pairs_11"),
                "n_pairs_12": tc.get("n_pairs_12"),
                "n_pairs_excluded": tc.get("n_pairs_excluded"),
                "all_converged": tc.get("all_converged"),
                "variant": vid,
            }
        )
    return pd.DataFrame(rows)


# Parameters that change the built cell: two of their settings that built the same cell (natoms and area) are
# one calculation (the single-image rule often makes several in-plane lengths the same 3x3 cell).
GEOMETRY_PARAMETERS = ("inplane_min_length_A", "inplane_min_repeats", "metal_layers", "vacuum_A")


def built_cell(natoms, area) -> tuple | None:
    if natoms is None or area is None or pd.isna(natoms) or pd.isna(area):
        return None
    return int(natoms), round(float(area), 2)


def _tc(x):
    return None if x is None or pd.isna(x) else float(x)


def tc_spread(df: pd.DataFrame, base: dict, preset: dict, n_last: int = 2, base_cell: tuple | None = None) -> dict:
    """Convergence error of T_c,11 and T_c,12 (K) from a system's convergence study.

    For each varied parameter p, the settings are the variants' values together with the preset's own
    value (the base system, ``base`` its tc.json; a variant at the preset's value replaces it). For a
    parameter that changes the built cell (GEOMETRY_PARAMETERS), settings that built the same cell
    (natoms, area_A2 from descriptors.json; ``base_cell`` = (natoms, area_A2) of the base system) are one
    calculation and count once, as the largest of their values (listed under ``same_cell``). Sorted by
    value, the ``n_last`` largest distinct settings are the most converged ones; the error due to p is the
    spread s_p = max - min of T_c over them and over the preset's own setting when it is not among them
    (the preset's T_c is the number the error bar is attached to). Settings whose T_c is undefined are
    left out; fewer than two defined values: no spread for p (``reason`` says why). The parameters are
    independent error sources: the convergence error is sqrt(sum_p s_p^2). None when no parameter gives a
    spread.

    Returns ``Tc_11_conv_err_K``, ``Tc_12_conv_err_K`` and, per pair type, the settings and the per-
    parameter spreads they rest on."""
    out: dict = {
        "n_last": int(n_last),
        "definition": "sqrt(sum_p (max - min of T_c over the n_last largest "
        "distinct settings of parameter p and the preset's own)^2)",
    }
    for t in ("11", "12"):
        col = f"Tc_{t}_K"
        parts = {}
        for p in dict.fromkeys(df.parameter):
            d = df[df.parameter == p]
            cells = [
                built_cell(n, a) for n, a in zip(d.get("natoms", [None] * len(d)), d.get("area_A2", [None] * len(d)))
            ]
            pts = {float(v): {"Tc": _tc(tc), "cell": c, "preset": False} for v, tc, c in zip(d.value, d[col], cells)}
            pv = float(preset[p]) if p in preset else None
            if pv is not None:
                pts.setdefault(pv, {"Tc": _tc(base.get(col)), "cell": base_cell, "preset": True})
                pts[pv]["preset"] = True
            same = {}
            if p in GEOMETRY_PARAMETERS:
                groups: dict = {}  # one calculation per built cell (unknown cell: its own group)
                for v in sorted(pts):
                    groups.setdefault(pts[v]["cell"] or ("value", v), []).append(v)
                for vs in groups.values():
                    keep, *merged = vs[::-1]  # the largest value stands for the group
                    if merged:
                        same[keep] = merged
                        pts[keep]["preset"] = any(pts[w]["preset"] for w in vs)
                        for w in merged:
                            del pts[w]
            order = sorted(pts)
            used = order[-int(n_last) :]
            own = next((v for v in order if pts[v]["preset"]), None)
            if own is not None and own not in used:
                used = [own, *used]
            vals = [pts[v]["Tc"] for v in used if pts[v]["Tc"] is not None]
            entry = {
                "settings": used,
                "Tc_K": [pts[v]["Tc"] for v in used],
                "preset_setting": own,
                "same_cell": {str(v): sorted(w) for v, w in same.items()},
                "spread_K": (max(vals) - min(vals)) if len(vals) >= 2 else None,
            }
            if entry["spread_K"] is None:
                entry["reason"] = (
                    "one distinct setting (the others built the same cell)"
                    if len(order) < 2
                    else "fewer than two defined T_c among these settings"
                )
            parts[p] = entry
        spreads = [d["spread_K"] for d in parts.values() if d["spread_K"] is not None]
        out[f"Tc_{t}_conv_err_K"] = float(sum(s * s for s in spreads) ** 0.5) if spreads else None
        out[f"parameters_{t}"] = parts
    return out


def plot(df: pd.DataFrame, path, system: str) -> None:
    """ω_11 and ω_12 against each varied parameter, one panel per parameter."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    params = list(dict.fromkeys(df.parameter))
    fig, axes = plt.subplots(1, max(1, len(params)), figsize=(3.3 * max(1, len(params)), 3), squeeze=False)
    for ax, p in zip(axes[0], params):
        d = df[df.parameter == p].sort_values("value")
        for col, c in (("omega_11_eV", "C0"), ("omega_12_eV", "C3")):
            ax.plot(d.value, d[col], "o-", color=c, label=col.replace("_eV", "").replace("omega", "ω"))
        ax.set_xlabel(p)
        ax.set_ylabel("ω (eV)")
        ax.axhline(0, color="0.7", lw=0.8)
    axes[0][0].legend(fontsize=8)
    fig.suptitle(f"{system}: convergence of ω", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
