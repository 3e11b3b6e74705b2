"""CFT scan: do the free surfaces of a metal's ribbons fluctuate, and from which temperature?

Runs ribbons (anodeflow.md.ribbon.run_ribbon, the workflow's own code) of one metal over facets x
temperatures with the config's cft settings (config/config.yaml + config/quick.yaml + overlays, then
``--set key=value`` overrides), and writes per ribbon what decides whether a stiffness can be
reported: the lowest mode amplitudes against the white vibrational floor, the log-log exponent, the
block stiffness trend, the interior MSD (solid test) and the interior CNA-bcc fraction. A single run
proves no equilibrium: it gives no stiffness bound (methods §7.3, anodeflow.cft.equilibrium).

The lattice constant at T comes from ``--a-of-T`` (a0 + slope (T - T0), default: the Na EAM
thermal-expansion points the quick preset measured, a = 4.369 A + 1.2e-4 A/K (T - 300 K)), so the scan
needs no MD bulk run first.

    source scripts/env.sh
    flock /tmp/anodeflow-bench.lock python benchmarks/cft_scan.py Na --facets 100 110 --T 330 360 390 420 450 \
        --config-overlay /tmp/local_pot.yaml --set equil_ps=10 --out benchmarks/results/cft_scan_Na.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from anodeflow import config as afconfig  # noqa: E402
from anodeflow import potentials as afpot  # noqa: E402
from anodeflow.cft import solid as cftsolid  # noqa: E402
from anodeflow.cft import spectrum  # noqa: E402
from anodeflow.io import code_versions  # noqa: E402
from anodeflow.md import ribbon, settings  # noqa: E402


def _value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("metal")
    ap.add_argument("--facets", nargs="+", default=["100", "110"])
    ap.add_argument("--T", nargs="+", type=float, required=True)
    ap.add_argument("--a-of-T", nargs=3, type=float, default=[4.369, 1.2e-4, 300.0], metavar=("A0", "SLOPE", "T0"))
    ap.add_argument("--config-overlay", nargs="*", default=[])
    ap.add_argument("--set", nargs="*", default=[], help="cft key=value overrides (JSON values)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    cfg = afconfig.load(ROOT / "config" / "config.yaml", ROOT / "config" / "quick.yaml", *args.config_overlay)
    cft_cfg = settings.cft_settings(args.metal, cfg)
    cft_cfg.update({k: _value(v) for k, v in (kv.split("=", 1) for kv in args.set)})
    md = cfg["md"]
    # the config's ribbon settings with the --set overrides; one OpenMP thread, no restart files
    rs = dataclasses.replace(
        settings.ribbon_settings(args.metal, cfg),
        **{k: cft_cfg[k] for k in settings.RIBBON_KEYS},
        checkpoint_every=10**9,
        omp_threads=1,
    )
    pot = afpot.resolve(args.metal, cfg, workdir=str(ROOT))
    a0, slope, T0 = args.a_of_T
    rows = []
    for facet in args.facets:
        for T in args.T:
            lat = a0 + slope * (T - T0)
            t0, c0 = time.time(), time.process_time()
            with tempfile.TemporaryDirectory() as wd:
                r = ribbon.run_ribbon(pot, lat, facet, T, rs, 7 + int(T), wd)
            W, b = r["W_A"], r["b_A"]
            n_modes = spectrum.n_fit_modes(W, cft_cfg["min_wavelength_spacings"] * lat, cft_cfg["max_modes"])
            res = spectrum.capillary_stiffness(
                r["h_top"],
                r["h_bot"],
                T,
                b,
                W,
                n_modes,
                cft_cfg["n_blocks"],
                cft_cfg["max_exponent"],
                cft_cfg["max_rel_err"],
                cft_cfg["min_signal_to_floor"],
            )
            P = np.asarray(res["A2_A2"])
            msd_max = float(np.max(r["msd_interior_A2"]))
            msd_rate = cftsolid.msd_rate(r["msd_interior_A2"], r["dt_ps"])  # compare with the liquid's (md.liquid)
            row = {
                "metal": args.metal,
                "facet": facet,
                "T_K": T,
                "a_A": lat,
                "natoms": r["natoms"],
                "W_A": W,
                "b_A": b,
                "prod_ps": r["prod_ps"],
                "n_frames": res["n_frames"],
                "n_modes": n_modes,
                "P_lowest_A2": P[:6].tolist(),
                "white_floor_A2": float(np.median(P[len(P) // 2 :])),
                "exponent": res["exponent"],
                "signal_to_floor": res["signal_to_floor"],
                "fluctuating": res["fluctuating"],
                "stiffness_J_m2": res["stiffness_J_m2"],
                "stderr_J_m2": res["stderr_J_m2"],
                "block_stiffness_J_m2": res["block_stiffness_J_m2"],
                "msd_interior_max_A2": msd_max,
                "msd_rate_A2_per_ps": msd_rate,
                "molten": cftsolid.molten(
                    msd_max, float(np.mean(r["bcc_interior"][len(r["bcc_interior"]) // 2 :])), lat
                ),
                "bcc_interior_mean": float(np.mean(r["bcc_interior"])),
                "wall_s": time.time() - t0,
                "cpu_s": time.process_time() - c0,
            }
            rows.append(row)
            print(
                json.dumps(
                    {
                        k: (np.round(v, 4).tolist() if isinstance(v, (list, float)) else v)
                        for k, v in row.items()
                        if k not in ("block_stiffness_J_m2",)
                    }
                ),
                flush=True,
            )
    out = {
        "what": "CFT scan of ribbons (benchmarks/cft_scan.py)",
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"node": platform.node(), "cpus": os.cpu_count()},
        "loadavg": os.getloadavg(),
        "versions": code_versions(),
        "cft": cft_cfg,
        "timestep_fs": md["timestep_fs"][args.metal],
        "rows": rows,
    }
    Path(args.out).write_text(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
