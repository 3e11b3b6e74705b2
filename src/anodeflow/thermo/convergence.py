"""ω_11, ω_12 (and Ω, T_c) against in-plane supercell size, slab thickness and k-point density."""
from __future__ import annotations

import pandas as pd


def table(system: str, variants, tcs: list[dict], descriptors: list[dict], preset: dict) -> pd.DataFrame:
    """One row per variant ``(id, parameter, value)``, from its tc.json and descriptors.json records."""
    rows = []
    for (vid, param, value), tc, d in zip(variants, tcs, descriptors):
        rows.append({"system": system, "parameter": param, "value": value,
                     "is_preset_value": float(value) == float(preset[param]),
                     "natoms": d.get("natoms"), "area_A2": d.get("area_A2"),
                     "omega_11_eV": tc.get("mean_omega_11_eV"), "omega_12_eV": tc.get("mean_omega_12_eV"),
                     "Omega_11_eV": tc.get("Omega_11_eV"), "Omega_12_eV": tc.get("Omega_12_eV"),
                     "Tc_11_K": tc.get("Tc_11_K"), "Tc_12_K": tc.get("Tc_12_K"),
                     "n_pairs_11": tc.get("n_pairs_11"), "n_pairs_12": tc.get("n_pairs_12"),
                     "n_pairs_excluded": tc.get("n_pairs_excluded"),
                     "all_converged": tc.get("all_converged"), "variant": vid})
    return pd.DataFrame(rows)


def tc_spread(df: pd.DataFrame, base: dict, preset: dict, n_last: int = 2) -> dict:
    """Convergence error of T_c,11 and T_c,12 (K) from a system's convergence study.

    For each varied parameter p, the settings are the variants' values together with the preset's own
    value (the base system, ``base`` its tc.json; a variant at the preset's value replaces it). Sorted by
    value, the ``n_last`` largest settings are the most converged ones; the spread of T_c over them,
    s_p = max − min (settings whose T_c is undefined left out; fewer than two defined: no spread), is the
    error due to p. The parameters are independent error sources: the convergence error is
    sqrt(Σ_p s_p²). None when no parameter gives a spread.

    Returns ``Tc_11_conv_err_K``, ``Tc_12_conv_err_K`` and, per pair type, the settings and the per-
    parameter spreads they rest on."""
    out: dict = {"n_last": int(n_last), "definition": "sqrt(sum_p (max - min of T_c over the n_last largest "
                                                      "settings of parameter p, preset value included)^2)"}
    for t in ("11", "12"):
        col = f"Tc_{t}_K"
        parts = {}
        for p in dict.fromkeys(df.parameter):
            pts = {float(v): tc for v, tc in zip(df[df.parameter == p].value, df[df.parameter == p][col])}
            if p in preset:
                pts.setdefault(float(preset[p]), base.get(col))
            last = sorted(pts.items())[-int(n_last):]
            vals = [float(tc) for _, tc in last if tc is not None and pd.notna(tc)]
            parts[p] = {"settings": [v for v, _ in last], "Tc_K": [None if tc is None or pd.isna(tc) else float(tc)
                                                                    for _, tc in last],
                        "spread_K": (max(vals) - min(vals)) if len(vals) >= 2 else None}
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
