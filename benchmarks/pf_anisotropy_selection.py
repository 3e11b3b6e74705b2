"""Benchmark: how fast surface energy selects grains, against the (001)/(101) surface-energy anisotropy.

    python benchmarks/pf_anisotropy_selection.py [--metal Li] [--condition solid]
        [--anisotropy -0.12 -0.09 -0.06 -0.04 -0.02 0 0.02 0.04 0.06] [--seeds 0 1] [--current-density J]
        [--out benchmarks/results/pf_anisotropy_selection]

Issue 15 asks that selection develop with the film: the final winner under 90 % of the growth front when
the front has covered 10 % of its growth. The mapping of methods §8, kappa_q = 4.1e-9 exp(20 E_s,q/E_0),
turns a surface-energy anisotropy a = E_s(001)/E_s(101) - 1 into a kappa ratio of about exp(20 |a|) and
an interface-energy ratio of about exp(10 |a|): at some |a| the low-E_s grain wets the others at the
growth front and takes it within the first rows, whatever the mobilities. This sweep measures where.

Every run is the workflow's own (`anodeflow.phasefield.growth.run_growth`, reference grid and
settings of config/config.yaml, `phasefield.temperature_K` and `current_density_mA_cm2` unless
``--current-density`` is given), with E_a per orientation and E_s(101),
E_s(111) of ``--metal``/``--condition`` read from the workflow's tables under ``--results`` (quick
campaign by default), and E_s(001) = E_s(101) (1 + a). Writes ``<out>.csv`` (one row per a and seed:
winner, final top fractions, the winner's front share at 10 % of growth) and ``<out>.json`` (inputs,
machine, settings).
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from anodeflow import config as afconfig  # noqa: E402
from anodeflow.phasefield.growth import run_growth  # noqa: E402
from anodeflow.phasefield.inputs import barriers_csv, resolve_inputs, surfaces_csv  # noqa: E402
from anodeflow.phasefield.jobs import _front, selection_at  # noqa: E402
from anodeflow.phasefield.model import ORIENTATIONS  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--metal", default="Li")
    ap.add_argument("--condition", default="solid")
    ap.add_argument(
        "--anisotropy", nargs="+", type=float, default=[-0.12, -0.09, -0.06, -0.04, -0.02, 0.0, 0.02, 0.04, 0.06]
    )
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    ap.add_argument("--current-density", type=float, default=None, help="mA/cm^2 (default: phasefield's)")
    ap.add_argument("--results", default=str(ROOT), help="directory holding results/ (tables of E_s, E_a)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results/pf_anisotropy_selection"))
    args = ap.parse_args()
    import pandas as pd

    cfg = afconfig.load(ROOT / "config/config.yaml")
    cfg["phasefield"]["inputs"] = {}
    j = args.current_density or float(cfg["phasefield"]["current_density_mA_cm2"])
    res_dir = Path(args.results)
    inp = resolve_inputs(
        cfg,
        args.metal,
        args.condition,
        str(res_dir / surfaces_csv(args.metal)),
        str(res_dir / barriers_csv(args.metal)),
    )
    rows = []
    for a in args.anisotropy:
        E_s = dict(inp["E_s_J_m2"])
        E_s["001"] = E_s["101"] * (1 + a)
        for seed in args.seeds:
            pf = {**cfg["phasefield"], "grid": {**cfg["phasefield"]["grid"]}, "seed": seed}
            t = time.time()
            r = run_growth(pf, args.metal, E_s, inp["E_a_eV"], float(pf["temperature_K"]), j, keep_frames=False)
            w = r["winner"]["winner"]
            sel = selection_at(_front(r), w) if w else None
            rows.append(
                {
                    "anisotropy": a,
                    "seed": seed,
                    "winner": w,
                    **{f"top_{o}": r["winner"]["top_fractions"][o] for o in ORIENTATIONS},
                    "winner_front_share_at_10pct": sel["winner_fraction"] if sel else None,
                    "front_um_at_10pct": sel["front_um"] if sel else None,
                    "kappa_001": r["kappa"]["001"],
                    "kappa_101": r["kappa"]["101"],
                    "flat_001_101_ratio": r["calibration"]["ratios"]["flat_001_101"],
                    "wall_s": time.time() - t,
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(out.with_suffix(".csv"), index=False)
    meta = {
        "metal": args.metal,
        "condition": args.condition,
        "inputs": inp,
        "temperature_K": cfg["phasefield"]["temperature_K"],
        "current_density_mA_cm2": j,
        "grid": cfg["phasefield"]["grid"],
        "machine": platform.node(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    out.with_suffix(".json").write_text(json.dumps(meta, indent=1))


if __name__ == "__main__":
    main()
