"""Benchmark: one DFT adatom barrier, hop and exchange, with the stage's own job (`barrier-dft`).

    python benchmarks/dft_barrier.py [--metal Li] [--facet 100] [--preset quick] [--a 3.447]
        [--min-thickness 10] [--free-thickness 3.5] [--image-distance 9] [--n-images 5] [--fmax 0.05]
        [--max-steps 200] [--out benchmarks/results/dft_barrier_Li100_quick.json]

Runs ``anodeflow.pfinputs.jobs.dft_barrier_job`` on one rank (GPAW, PBE, the named preset of
config/config.yaml: cutoff, k-point density, smearing, SCF criteria, datasets) with the barrier settings
given here (the schema's defaults otherwise), resumable in ``<out>.work/`` (a stopped run continues from
its relaxed initial state and its bands). The lattice constant is ``--a`` (default: the quick bulk
preset's PBE values, Li 3.447, Na 4.191 A). Writes ``<out>`` with both barriers, the bands, the slab, the
settings, wall and CPU time, and the load average before and after (the machine is shared).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/: workflow_run

from workflow_run import machine  # noqa: E402

from anodeflow import config as afconfig  # noqa: E402
from anodeflow import systems as afsystems  # noqa: E402
from anodeflow.pfinputs import jobs  # noqa: E402

A_PBE = {"Li": 3.447, "Na": 4.191}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--metal", default="Li")
    ap.add_argument("--facet", default="100")
    ap.add_argument("--preset", default="quick", help="a preset of config/config.yaml")
    ap.add_argument("--a", type=float, default=None, help="lattice constant, A")
    ap.add_argument("--min-thickness", type=float, default=10.0)
    ap.add_argument("--free-thickness", type=float, default=3.5)
    ap.add_argument("--image-distance", type=float, default=9.0)
    ap.add_argument("--n-images", type=int, default=5)
    ap.add_argument("--fmax", type=float, default=0.05)
    ap.add_argument("--max-steps", type=int, default=200)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    cfg = afconfig.load(ROOT / "config" / "config.yaml")
    preset = afsystems.science(afsystems.preset(cfg, args.preset))
    dft = dict(cfg["barriers"]["dft"])
    dft.update(
        {
            "min_thickness_A": args.min_thickness,
            "free_thickness_A": args.free_thickness,
            "min_image_distance_A": args.image_distance,
            "n_images": args.n_images,
            "fmax": args.fmax,
            "max_steps": args.max_steps,
        }
    )
    a = args.a or A_PBE[args.metal]
    out = Path(args.out or ROOT / "benchmarks" / "results" / f"dft_barrier_{args.metal}{args.facet}_{args.preset}.json")
    work = out.with_suffix(".work")
    work.mkdir(parents=True, exist_ok=True)
    bulk = work / f"{args.metal}_PBE.json"
    bulk.write_text(json.dumps({"a_A": a}))
    load0, t0, c0 = os.getloadavg(), time.time(), time.process_time()
    r = jobs.dft_barrier_job(
        {"barriers": {"method": "dft", "dft": dft}, "preset": preset},
        args.metal,
        args.facet,
        bulk,
        work / "job.json",
        work,
        ntasks=1,
    )
    rec = {
        "script": "benchmarks/dft_barrier.py",
        "argv": sys.argv[1:] if argv is None else list(argv),
        "machine": machine(),
        "load_before": load0,
        "load_after": os.getloadavg(),
        "wall_s": time.time() - t0,
        "cpu_s": time.process_time() - c0,
        "preset_name": args.preset,
        "settings": {"barriers.dft": dft, "preset": preset, "a_A": a},
        "result": {k: v for k, v in r.items() if k != "provenance"},
    }
    out.write_text(json.dumps(rec, indent=2) + "\n")
    print(
        f"{args.metal}({args.facet}) at {args.preset}: hop {r['E_a_hop_eV']}, exchange {r['E_a_exchange_eV']} eV; "
        f"kept {r['mechanism']} {r['E_a_eV']:.4f} eV, converged {r['converged']}; {rec['cpu_s']:.0f} CPU-s -> {out}"
    )
    return rec


if __name__ == "__main__":
    main()
