"""Mode-1 power of a (running or paused) ribbon job, read from its samples file: block means, pymbar's
statistical inefficiency g of |A_1|^2 over the whole series, and where detect_equilibration puts the start.

Reads the workflow's own ribbon samples (``work/md/<metal>/ribbon_<facet>_b<b>_<T>K_<start>/samples.*.npz``,
the last one) with the workflow's mode analysis (anodeflow.cft.equilibrium), per surface:

    python benchmarks/ribbon_power_blocks.py --workdir /work/cftrun/work/md/Na --ribbon ribbon_100_b2_413K \
        --sample-ps 1.0 --blocks 8 --logs /work/cftrun/logs/md/Na \
        --out benchmarks/results/ribbon_power_blocks_Na100_b2_413K_W53.json
"""

from __future__ import annotations

import argparse
import glob
import json
from pathlib import Path

import numpy as np

from anodeflow.cft import equilibrium as eq


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workdir", required=True, help="the metal's MD work folder")
    ap.add_argument("--ribbon", required=True, help="ribbon_<facet>_b<b>_<T>K (the start is appended)")
    ap.add_argument("--sample-ps", type=float, required=True, help="cft.sample_ps of the run")
    ap.add_argument("--blocks", type=int, default=8)
    ap.add_argument("--logs", default=None, help="the jobs' log folder (logs/md/<metal>): its chunk lines are kept")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    out = {
        "what": "mode-1 power of a ribbon job per start and surface: block means, g of |A_1|^2, detected start",
        "ribbon": a.ribbon,
        "sample_ps": a.sample_ps,
        "starts": {},
    }
    for start in ("flat", "rough"):
        files = sorted(glob.glob(str(Path(a.workdir) / f"{a.ribbon}_{start}" / "samples.*.npz")))
        if not files:
            continue
        d = np.load(files[-1])
        rows = {}
        for surf in ("h_top", "h_bot"):
            A = eq.mode_series(d["prod/" + surf], 1)[:, 0]
            A = A[np.isfinite(A)]
            P = np.abs(A) ** 2
            g = eq._g([P])
            # tau_1 of A_1 (Re and Im pooled, about zero: the workflow's estimator) on the whole run and on its
            # second half, against the stop rule's, which is taken on the part after the detected start
            tau = {}
            for part, x in (("whole", A), ("second_half", A[len(A) // 2 :])):
                t_e, resolved = eq.relaxation_time([x.real, x.imag], a.sample_ps, about_mean=False)
                tau[part] = {
                    "tau1_ps": float(t_e),
                    "resolved": bool(resolved),
                    "tau_int_ps": (eq._g([x.real, x.imag]) - 1) / 2 * a.sample_ps,
                }
            rows[surf] = {
                "n_frames": int(len(P)),
                "run_ps": len(P) * a.sample_ps,
                "mean_P1_A2": float(P.mean()),
                "block_means_P1_A2": [float(b.mean()) for b in np.array_split(P, a.blocks)],
                "g_P1": float(g),
                "tau_int_P1_ps": (g - 1) / 2 * a.sample_ps,
                "detected_start_ps": eq._equil_start(P) * a.sample_ps,
                "A1": tau,
            }
            print(
                start, surf, json.dumps({k: v for k, v in rows[surf].items() if k not in ("block_means_P1_A2", "A1")})
            )
            print(start, surf, "A1", json.dumps(tau))
        out["starts"][start] = {"samples_file": files[-1], "surfaces": rows}
        log = Path(a.logs) / f"{a.ribbon}_{start}.log" if a.logs else None
        if log and log.exists():  # the run-length control's verdict per chunk, as the job printed it
            out["starts"][start]["chunk_log"] = [x for x in log.read_text().splitlines() if x.startswith("chunk")]
    Path(a.out).write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
