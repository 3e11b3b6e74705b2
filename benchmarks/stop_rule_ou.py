"""The ribbon stop rule (anodeflow.cft.equilibrium.analyse_start) on synthetic Ornstein-Uhlenbeck surfaces of
known tau_1 (tests/ou_surface.py, the unit tests' surfaces), at run lengths like the paused Na ribbon's
(16 and 32 tau_1): where detect_equilibration puts the start, tau_1, enough, needed. A check of whether the
trap seen on the real ribbon (benchmarks/results/ribbon_power_blocks_Na100_b2_413K_W53.json) is the rule's on
any slow mode, or comes from the real series.

    python benchmarks/stop_rule_ou.py --out benchmarks/results/stop_rule_ou.json
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tau1", type=float, default=500.0, help="tau_1 of the synthetic modes (frames = ps)")
    ap.add_argument("--frames", type=int, nargs="+", default=[8000, 16000])
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rows = []
    for nf in a.frames:
        for seed in range(a.seeds):
            s = eq.analyse_start(*surf.start(np.random.default_rng(seed), nf, tau1=a.tau1), surf.DT, surf.N_FIT)
            rows.append(
                {
                    "frames": nf,
                    "seed": seed,
                    **{k: s[k] for k in ("t_equil_detected_ps", "t_equil_ps", "tau1_ps", "tau1_resolved", "enough")},
                    "needed_ps": s["needed_ps"],
                }
            )
            print(json.dumps(rows[-1]))
    doc = {"what": __doc__.split("\n")[0], "tau1_true_ps": a.tau1, "start": "flat", "rows": rows}
    Path(a.out).write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
