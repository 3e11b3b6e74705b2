"""tau_1(W): the relaxation time of a ribbon's mode 1 against the ribbon length W (methods.md 7.3).

Runs one ribbon (anodeflow.md.ribbon.run_ribbon, the workflow's own code: the same build, carving, anchor,
thermostat and height sampling as rule md_ribbon) of one metal, facet, thickness b, temperature and start
(flat, or rough = mode 1 carved at rough_factor x its equilibrium amplitude for gamma_guess), in chunks up to
``--max-ps`` (stopping earlier once anodeflow.cft.equilibrium.analyse_start says enough), and writes what
measures tau_1:

* ``tau1_acf_ps``: analyse_start's tau_1 (autocorrelation of A_1 about zero over the equilibrated part,
  both surfaces pooled; ``tau1_resolved`` false = a lower limit);
* rough start only, ``decay``: the relaxation of the imposed mode, c(t) = Re[A_1(t) u*] with u the unit
  phase of the first frames' A_1, per surface, fitted by c0 exp(-t/tau) (least squares on all frames after
  equil_ps). In linear response the mean relaxation of an imposed mode is the equilibrium autocorrelation
  of that mode (fluctuation-dissipation), so both estimate the same tau_1;
* the mode powers per block of the run, the interior MSD and its late growth rate, natoms, CPU and wall time.

The lattice constant is given (``--a``, A): the Na EAM 5-ns probe used a(413 K) = 4.38557 A from the quick
campaign's thermal_expansion.csv. Heights are saved (``--npz``, not committed) for reanalysis.

    source /work/main/scripts/env.sh; export PYTHONPATH=$PWD/src
    nice -n 19 python benchmarks/cft_width.py --W 50 --start flat --max-ps 2000 \
        --out benchmarks/results/cft_width/Na_100_b2_413K_W50_flat.json
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
from scipy.optimize import curve_fit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from anodeflow import config as afconfig  # noqa: E402
from anodeflow import potentials as afpot  # noqa: E402
from anodeflow.cft import equilibrium  # noqa: E402
from anodeflow.io import code_versions  # noqa: E402
from anodeflow.md import ribbon, settings  # noqa: E402


def decay_fit(A1: np.ndarray, t_ps: np.ndarray, n_ref: int = 5) -> dict:
    """Relaxation of an imposed mode: c(t) = Re[A_1(t) conj(u)], u = phase of the mean of the first ``n_ref``
    frames; fit c0 exp(-t/tau) (tau in ps). Returns c0, tau, the covariance error of tau and c(t)
    averaged over 20 blocks (for plots)."""
    ok = np.isfinite(A1)
    A1, t = A1[ok], t_ps[ok]
    u = np.mean(A1[:n_ref])
    u = u / abs(u)
    c = np.real(A1 * np.conj(u))
    t = t - t[0]
    try:
        (c0, tau), cov = curve_fit(
            lambda x, c0_, tau_: c0_ * np.exp(-x / tau_),
            t,
            c,
            p0=[c[:n_ref].mean(), max(t[-1] / 3, 1.0)],
            bounds=([0, 1e-3], [np.inf, 1e7]),
        )
        err = float(np.sqrt(cov[1, 1]))
    except RuntimeError:
        c0, tau, err = float("nan"), float("nan"), float("nan")
    blocks = np.array_split(np.arange(len(c)), 20)
    return {
        "c0_A": float(c0),
        "tau_ps": float(tau),
        "tau_fit_err_ps": err,
        "c_blocks_t_ps": [float(t[b].mean()) for b in blocks],
        "c_blocks_A": [float(c[b].mean()) for b in blocks],
    }


def msd_rate(msd: np.ndarray, dt_ps: float) -> float:
    """Growth rate (A^2/ps) of the interior MSD over the second half of the run (least-squares slope)."""
    msd = np.asarray(msd, float)
    half = len(msd) // 2
    t = np.arange(len(msd)) * dt_ps
    return float(np.polyfit(t[half:], msd[half:], 1)[0]) if len(msd) - half >= 3 else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--metal", default="Na")
    ap.add_argument("--facet", default="100")
    ap.add_argument("--b", type=int, default=2)
    ap.add_argument("--T", type=float, default=413.0)
    ap.add_argument("--a", type=float, default=4.38557, help="lattice constant at T (A)")
    ap.add_argument("--W", type=float, required=True, help="ribbon length (A), rounded to whole spacings")
    ap.add_argument("--start", choices=["flat", "rough"], required=True)
    ap.add_argument("--slab", type=float, default=25.0)
    ap.add_argument("--equil-ps", type=float, default=10.0)
    ap.add_argument("--chunk-ps", type=float, default=250.0)
    ap.add_argument("--max-ps", type=float, required=True)
    ap.add_argument("--sample-ps", type=float, default=0.5)
    ap.add_argument("--n-modes", type=int, default=3, help="modes analysed (tau_1 is the point)")
    ap.add_argument(
        "--replica",
        type=int,
        default=0,
        help="independent start: 7919 x replica is added to the workflow's velocity seed (0 = its own)",
    )
    ap.add_argument("--potential-dir", default="/work/shared/potentials")
    ap.add_argument("--out", required=True)
    ap.add_argument("--npz", default=None, help="save the height frames here (not committed)")
    a = ap.parse_args()
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as fh:
        fh.write(f"potentials: {{{a.metal}: {{local_dir: {a.potential_dir}}}}}\n")
        overlay = fh.name
    cfg = afconfig.load(ROOT / "config" / "config.yaml", ROOT / "config" / "quick.yaml", overlay)
    rs = dataclasses.replace(
        settings.ribbon_settings(a.metal, cfg, a.b, a.start),
        length_A=a.W,
        slab_A=a.slab,
        equil_ps=a.equil_ps,
        prod_ps=a.chunk_ps,
        max_prod_ps=a.max_ps,
        sample_ps=a.sample_ps,
        min_wavelength_spacings=0.1,
        max_modes=a.n_modes,
        checkpoint_every=10**9,
        omp_threads=1,
    )
    pot = afpot.resolve(a.metal, cfg, workdir=str(ROOT))
    seed = settings.ribbon_seed(cfg, a.facet, a.T, a.b, a.start) + 7919 * a.replica
    load0 = os.getloadavg()
    t0, c0 = time.time(), time.process_time()
    with tempfile.TemporaryDirectory() as wd:
        r = ribbon.run_ribbon(pot, a.a, a.facet, a.T, rs, seed, wd, say=print)
    wall, cpu = time.time() - t0, time.process_time() - c0
    h_top, h_bot = np.asarray(r["h_top"]), np.asarray(r["h_bot"])
    dt = float(r["dt_ps"])
    an = json.loads(r["analysis"])
    t_ps = np.arange(len(h_top)) * dt
    blocks = {}
    for name, h in (("top", h_top), ("bot", h_bot)):
        A = equilibrium.mode_series(h, a.n_modes)
        per = np.array_split(np.arange(len(A)), max(1, min(10, len(A) // 100)))
        blocks[name] = [[float(np.nanmean(np.abs(A[i, m]) ** 2)) for m in range(a.n_modes)] for i in per]
    row = {
        "metal": a.metal,
        "facet": a.facet,
        "b": a.b,
        "T_K": a.T,
        "a_A": a.a,
        "start": a.start,
        "replica": a.replica,
        "seed": seed,
        "W_A": r["W_A"],
        "b_A": r["b_A"],
        "natoms": r["natoms"],
        "prod_ps": r["prod_ps"],
        "chunks": r["chunks"],
        "dt_ps": dt,
        "imposed_amplitude_A": r["imposed_amplitude_A"],
        "imposed_mode_decayed": r["imposed_mode_decayed"],
        "tau1_acf_ps": an.get("tau1_ps"),
        "tau1_resolved": an.get("tau1_resolved"),
        "t_equil_ps": an.get("t_equil_ps"),
        "enough": an.get("enough"),
        "needed_ps": an.get("needed_ps"),
        "tau_k_ps": an.get("tau_ps"),
        "P_k_A2": an.get("P"),
        "P_k_per_block_A2": blocks,
        "msd_interior_xz_final_A2": float(np.asarray(r["msd_interior_A2"])[-1]),
        "msd_interior_rate_A2_per_ps": msd_rate(r["msd_interior_A2"], dt),
        "bcc_interior_mean": float(np.mean(r["bcc_interior"])),
        "cpu_s": cpu,
        "wall_s": wall,
        "atom_steps_per_cpu_s": r["natoms"] * (r["prod_ps"] + a.equil_ps) / (rs.timestep_fs / 1000) / cpu,
    }
    if a.start == "rough":
        row["decay"] = {
            s: decay_fit(equilibrium.mode_series(h, 1)[:, 0], t_ps) for s, h in (("top", h_top), ("bot", h_bot))
        }
    out = {
        "what": "tau_1(W) of a ribbon (benchmarks/cft_width.py)",
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "command": " ".join(sys.argv),
        "machine": {"node": platform.node(), "cpus": os.cpu_count()},
        "loadavg_start": load0,
        "loadavg_end": os.getloadavg(),
        "nice": os.nice(0),
        "versions": code_versions(),
        "settings": {k: v for k, v in dataclasses.asdict(rs).items()},
        "row": row,
    }
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1, default=float))
    if a.npz:
        np.savez_compressed(
            a.npz,
            h_top=h_top,
            h_bot=h_bot,
            msd=np.asarray(r["msd_interior_A2"]),
            dt_ps=dt,
            W_A=r["W_A"],
            imposed_amplitude_A=r["imposed_amplitude_A"],
        )
    print(json.dumps({k: v for k, v in row.items() if k not in ("P_k_per_block_A2", "decay")}, default=float))
    if "decay" in row:
        print({s: (d["tau_ps"], d["tau_fit_err_ps"], d["c0_A"]) for s, d in row["decay"].items()})


if __name__ == "__main__":
    main()
