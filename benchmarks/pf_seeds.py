"""Seed dependence of phase-field selection: stored temperature-point runs repeated with other seeds.

Each input JSON (``results/phasefield/temperature/*.json`` of a campaign) carries the phase-field settings it
ran with (``provenance.config.phasefield``) and its resolved E_s and E_a (``inputs``); the run is repeated
(``anodeflow.phasefield.growth.run_growth``, the stage's own function) with ``phasefield.seed`` = s for each
seed, i.e. other nucleus positions and orientations, and the pair selection of
``anodeflow.phasefield.winners`` is read for each: (001)'s share of the (001)/(101) pair from the seed layer
to the top, the orientation selected (None: a tie within one nucleus's share) and whether Delta U favours
it. The first seed should be the campaign's own, which reproduces the stored top fractions (checked).

    python benchmarks/pf_seeds.py --seeds 0 1 2 3 --out benchmarks/results/pf_seeds.json \
        /tmp/quick-head/results/phasefield/temperature/Na-solid_*K_1mAcm2.json
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import time

import numpy as np

from anodeflow.phasefield.growth import run_growth
from anodeflow.phasefield.model import ORIENTATIONS
from anodeflow.phasefield.winners import dU_favoured, pair_selection


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("points", nargs="+", help="temperature-point JSONs")
    ap.add_argument("--seeds", type=int, nargs="+", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rows, t0, load0 = [], time.time(), os.getloadavg()
    for path in a.points:
        p = json.load(open(path))
        pf0 = p["provenance"]["config"]["phasefield"]
        per = p["calibration"]["orientations"]
        favoured = dU_favoured(per["001"]["U_J_m3"] - per["101"]["U_J_m3"])
        for s in a.seeds:
            pf = copy.deepcopy(pf0)
            pf["seed"] = s
            res = run_growth(
                pf,
                p["metal"],
                p["inputs"]["E_s_J_m2"],
                p["inputs"]["E_a_eV"],
                p["T_K"],
                p["current_density_mA_cm2"],
                keep_frames=False,
                grid=pf["temperature_analysis"]["grid"],
            )
            seed_fr = {o: float(x) for o, x in zip(ORIENTATIONS, res["front_fractions"][0])}
            top = res["winner"]["top_fractions"]
            n = sum(res["nuclei"].values())
            d, sel = pair_selection(seed_fr, top, n)
            row = {
                "point": os.path.basename(path),
                "metal": p["metal"],
                "condition": p["condition"],
                "T_K": p["T_K"],
                "current_density_mA_cm2": p["current_density_mA_cm2"],
                "seed": s,
                "nuclei": res["nuclei"],
                "seed_fractions": seed_fr,
                "top_fractions": top,
                "winner": res["winner"]["winner"],
                "d_share_001": d,
                "selected": sel,
                "dU_favoured": favoured,
                "reproduces_stored": bool(
                    s == pf0["seed"] and np.allclose(list(top.values()), list(p["top_fractions"].values()))
                ),
            }
            rows.append(row)
            print(
                json.dumps({k: row[k] for k in ("point", "seed", "winner", "d_share_001", "selected", "dU_favoured")})
            )
    out = {
        "what": __doc__.split("\n")[0],
        "rows": rows,
        "wall_s": time.time() - t0,
        "loadavg": [load0, os.getloadavg()],
    }
    with open(a.out, "w") as fh:
        json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
