"""Benchmark: are the quick campaign's science outputs the same as a stored earlier run's, provenance aside?

    python benchmarks/quick_identity.py --results /tmp/anodeflow-quick/results [--out JSON]

Compares a quick campaign's results tree (benchmarks/quick_campaign.py --workdir) with the outputs stored
from an earlier run in benchmarks/results/quick_tc/, quick_cft/ and quick_texture/: the T_c table (per
system, every T_c and Omega), stiffness.csv (per row, status and the numbers), each texture.json (winner,
fractions, front; inputs), the temperature analysis and the phase map. Numbers are compared exactly and
by their largest relative difference, so that a reader sees whether a difference is SCF noise (GPAW is
not bitwise reproducible across runs) or a change. Writes benchmarks/results/quick_identity.json.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
STORED = ROOT / "benchmarks" / "results"
SKIP = {"provenance", "wall_s", "solver_wall_s", "timing"}


def _max_rel(a, b) -> float:
    """Largest relative difference between two nested structures of numbers (0 when identical)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return max([_max_rel(a[k], b[k]) for k in a.keys() & b.keys()] or [0.0])
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return max([_max_rel(x, y) for x, y in zip(a, b, strict=True)] or [0.0])
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if math.isnan(a) and math.isnan(b):
            return 0.0
        return abs(a - b) / max(abs(a), abs(b), 1e-300) if a != b else 0.0
    return 0.0 if a == b else math.inf


def compare_json(new: dict, old: dict) -> dict:
    keys = (new.keys() | old.keys()) - SKIP
    differ = {k: _max_rel(new.get(k), old.get(k)) for k in sorted(keys) if new.get(k) != old.get(k)}
    return {"identical_keys": sorted(k for k in keys if k not in differ), "max_rel_diff": differ}


def compare_table(new: pd.DataFrame, old: pd.DataFrame, key: list[str], columns: list[str]) -> dict:
    m = new.merge(old, on=key, suffixes=("_new", "_old"), how="outer", indicator=True)
    out = {
        "rows_only_new": int((m["_merge"] == "left_only").sum()),
        "rows_only_old": int((m["_merge"] == "right_only").sum()),
    }
    both = m[m["_merge"] == "both"]
    for c in columns:
        if f"{c}_new" not in both or f"{c}_old" not in both:
            out[c] = "column missing in one table"
            continue
        a, b = both[f"{c}_new"], both[f"{c}_old"]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            out[c] = {"max_rel_diff": _max_rel(a.tolist(), b.tolist()), "new": a.tolist(), "old": b.tolist()}
        else:
            out[c] = {"equal": bool((a.astype(str) == b.astype(str)).all()), "new": a.tolist(), "old": b.tolist()}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True, help="results/ of the quick campaign to check")
    ap.add_argument("--out", default=str(STORED / "quick_identity.json"))
    args = ap.parse_args()
    res = Path(args.results)
    report: dict = {"results": str(res), "stored": "benchmarks/results/quick_{tc,cft,texture}"}
    tc_old = next(STORED.glob("quick_tc/critical_temperatures_after_*.csv"))
    tc_new = res / "tables" / "critical_temperatures.csv"
    if tc_new.exists():
        report["critical_temperatures"] = compare_table(
            pd.read_csv(tc_new),
            pd.read_csv(tc_old),
            ["system"],
            ["status", "Tc_11_K", "Tc_12_K", "Omega_11_eV", "Omega_12_eV", "classification"],
        )
    else:  # the campaign has not reached the table: the systems' tc.json
        old = pd.read_csv(tc_old).set_index("system")
        report["critical_temperatures"] = {
            d.name: {
                k: {"new": json.loads((d / "tc.json").read_text())[k], "old": float(old.loc[d.name, k])}
                for k in ("Tc_11_K", "Tc_12_K", "Omega_11_eV", "Omega_12_eV")
            }
            for d in sorted((res / "thermo").glob("*"))
            if (d / "tc.json").exists() and d.name in old.index
        }
    stiff_new = res / "cft" / "stiffness.csv"
    if stiff_new.exists():
        report["stiffness"] = compare_table(
            pd.read_csv(stiff_new),
            pd.read_csv(STORED / "quick_cft" / "stiffness.csv"),
            ["metal", "facet", "b_spacings", "T_K"],
            ["status", "stiffness_J_m2", "tau1_ps", "solid", "W_A", "natoms"],
        )
    report["missing"] = [str(p) for p in (tc_new, stiff_new) if not p.exists()]
    report["texture"] = {}
    for old in sorted((STORED / "quick_texture").glob("texture_*.json")):
        run = old.stem.removeprefix("texture_")
        new = res / "phasefield" / run / "texture.json"
        if new.exists():
            report["texture"][run] = compare_json(json.loads(new.read_text()), json.loads(old.read_text()))
    for name, key in (("temperature_analysis", ["metal", "condition", "T_K", "source"]), ("phase_map", None)):
        new = res / "phasefield" / f"{name}.csv"
        if new.exists():
            a, b = pd.read_csv(new), pd.read_csv(STORED / "quick_texture" / f"{name}.csv")
            key = key or [c for c in a.columns if c in b.columns][:2]
            report[name] = compare_table(a, b, key, [c for c in a.columns if c in b.columns and c not in key])
    Path(args.out).write_text(json.dumps(report, indent=1, default=str))
    print(
        json.dumps({k: v for k, v in report.items() if k in ("critical_temperatures",)}, indent=1, default=str)[:3000]
    )


if __name__ == "__main__":
    main()
