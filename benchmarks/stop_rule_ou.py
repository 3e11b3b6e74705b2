"""The ribbon stop rule (anodeflow.cft.equilibrium.analyse_start) on synthetic Ornstein-Uhlenbeck surfaces of
known tau_1 (tests/ou_surface.py, the unit tests' surfaces), at run lengths like the paused Na ribbon's
(16 and 32 tau_1): where detect_equilibration puts the start, where the rule puts it, tau_1, enough, needed.
With ``--bursty RATIO DWELL`` mode 1's variance switches between two levels RATIO apart with a mean dwell of
DWELL tau_1 (tests/test_cft_equilibrium.py, bursty_start), as on the real ribbon
(benchmarks/results/ribbon_power_blocks_Na100_b2_413K_W53.json).

    python benchmarks/stop_rule_ou.py --out benchmarks/results/stop_rule_ou.json
    python benchmarks/stop_rule_ou.py --tau1 50 --frames 1200 2400 --seeds 30 --bursty 9 2 \
        --out benchmarks/results/stop_rule_bursty.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import test_cft_equilibrium as surf  # noqa: E402
from anodeflow.cft import equilibrium as eq  # noqa: E402

KEYS = (
    "t_equil_detected_ps",
    "t_equil_ps",
    "tau1_ps",
    "tau1_resolved",
    "tau1_discard_ps",
    "transient",
    "drift_z",
    "enough",
    "needed_ps",
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tau1", type=float, default=500.0, help="tau_1 of the synthetic modes (frames = ps)")
    ap.add_argument("--frames", type=int, nargs="+", default=[8000, 16000])
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--bursty", type=float, nargs=2, metavar=("RATIO", "DWELL"), help="bursty mode 1 (see doc)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.bursty and a.tau1 != surf.TAU1:
        ap.error(f"--bursty uses the tests' tau_1 = {surf.TAU1} frames: pass --tau1 {surf.TAU1:g}")
    rows = []
    for nf in a.frames:
        for seed in range(a.seeds):
            rng = np.random.default_rng(seed)
            h = surf.bursty_start(rng, nf, *a.bursty) if a.bursty else surf.start(rng, nf, tau1=a.tau1)
            s = eq.analyse_start(*h, surf.DT, surf.N_FIT)
            rows.append(
                {
                    "frames": nf,
                    "seed": seed,
                    **{k: s[k] for k in KEYS},
                }
            )
            print(json.dumps(rows[-1]))
    doc = {
        "what": __doc__.split("\n")[0],
        "tau1_true_ps": a.tau1,
        "start": "flat",
        "bursty": {"ratio": a.bursty[0], "dwell_tau1": a.bursty[1]} if a.bursty else None,
        "rows": rows,
    }
    Path(a.out).write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
