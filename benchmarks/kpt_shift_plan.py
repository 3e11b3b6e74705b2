"""Irreducible k-points of the reference plan's grids: Gamma-centred (the workflow's) against shifted.

The slab calculators keep time reversal only (point-group symmetry off), so a grid's irreducible set is its
points modulo k ~ -k. A Gamma-centred grid with an even size holds time-reversal-invariant points (0 and 1/2)
that pair with nothing; the Monkhorst-Pack grid shifted by half a step along its even directions has none,
so every point pairs and the count is N/2 whenever a direction is even (4x2: 6 -> 4; 3x3 stays 5). The cost
model is linear in N_k, so the plan's CPU-h scale by the ratio of irreducible counts. Arithmetic only:
whether omega at equal k density agrees between the two grids is a measurement this script does not make.

    python benchmarks/kpt_shift_plan.py benchmarks/results/cost_plan_reference.csv
"""

from __future__ import annotations

import csv
import itertools
import json
import sys
from fractions import Fraction


def irreducible(n: tuple[int, int], shifted: bool) -> int:
    """Points of an n[0] x n[1] grid modulo k ~ -k (shifted: half a step along the even directions)."""

    def coord(i: int, m: int) -> Fraction:
        return Fraction(2 * i + 1, 2 * m) if shifted and m % 2 == 0 else Fraction(i, m)

    seen, count = set(), 0
    for i, j in itertools.product(range(n[0]), range(n[1])):
        k = (coord(i, n[0]) % 1, coord(j, n[1]) % 1)
        if k not in seen:
            seen.update({k, ((-k[0]) % 1, (-k[1]) % 1)})
            count += 1
    return count


def main(path: str) -> dict:
    rows = list(csv.DictReader(line for line in open(path) if not line.startswith("#")))
    grids, gamma_h, shifted_h = {}, 0.0, 0.0
    for r in rows:
        n = tuple(int(x) for x in r["kpts"].split("x")[:2])
        g, s = irreducible(n, False), irreducible(n, True)
        if g != int(r["n_ibz_kpts"]):
            raise SystemExit(f"{r['system']}: {g} irreducible points here, {r['n_ibz_kpts']} in the plan")
        grids.setdefault(r["kpts"], {"gamma": g, "shifted": s, "systems": 0, "core_h": 0.0})
        grids[r["kpts"]]["systems"] += 1
        grids[r["kpts"]]["core_h"] += float(r["core_h_full"])
        gamma_h += float(r["core_h_full"])
        shifted_h += float(r["core_h_full"]) * s / g
    out = {
        "plan": path,
        "grids": grids,
        "core_h_gamma": gamma_h,
        "core_h_shifted": shifted_h,
        "ratio": shifted_h / gamma_h,
    }
    print(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main(sys.argv[1])
