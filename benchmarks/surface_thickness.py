"""Benchmark: surface energy E_s and its strain response E_s(-3 %) - E_s(0) against slab thickness.

    python benchmarks/surface_thickness.py [--metals Li Na] [--facets 100 110 111] [--layers 3 4 5 6]
        [--ecut 300] [--kpt-density 4.0] [--fmax 0.05] [--out benchmarks/results/surface_thickness]

Issue 15: the solid condition of the phase field rests on E_s under the solid-electrolyte strain, so
the strain response must be converged in the slab thickness. Every point runs the stage's own code
(`anodeflow.pfinputs.surfaces.relaxed_surface_energy`: strained oriented bulk e_b at the same k-point
density, unrelaxed slab, slab relaxed with its bottom layers fixed), GPAW PW, PBE, one MPI rank, 1x1
surface cells. Settings (stated in the output): `--ecut` eV, Gamma-centred k-point density
`--kpt-density` per Angstrom, Fermi-Dirac 0.1 eV, fmax `--fmax` eV/A, bottom floor(n/2) layers fixed,
15 A vacuum, the 1-valence-electron Na dataset (as the quick preset). The lattice constants are the
workflow's PBE values (`--a`, defaults Li 3.447, Na 4.191 A: quick bulk preset, 400 eV / 5.0 A^-1); the
oriented bulk reference is computed at the same a, so E_s does not depend on a small error in a.

Writes ``<out>.jsonl`` (one line per point as it finishes: the run can be stopped and restarted, points
already done are skipped), ``<out>.csv`` and ``<out>.png`` (E_s and the strain response against layers).
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from anodeflow.constants import EV_PER_A2_IN_J_PER_M2  # noqa: E402,F401  (unit of the table)
from anodeflow.pfinputs import surfaces  # noqa: E402

A_PBE = {"Li": 3.447, "Na": 4.191}


def preset(args, layers: int) -> dict:
    return {
        "mode": "pw",
        "ecut_eV": args.ecut,
        "kpt_density": args.kpt_density,
        "smearing_eV": 0.1,
        "metal_layers": layers,
        "fixed_layers": layers // 2,
        "inplane_min_length_A": 1.0,
        "inplane_min_repeats": 1,
        "vacuum_A": 15.0,
        "fmax_slab": args.fmax,
        "max_steps": 80,
        "bfgs_alpha_eV_A2": 70.0,
        "bfgs_maxstep_A": 0.2,
        "setups": {"Na": "1"},
    }


def point(args, metal: str, facet: str, layers: int, strain: float) -> dict:
    from anodeflow.dft.calculators import gpaw_calculator

    p = preset(args, layers)
    spec = surfaces.surface_job_spec({"xc": "PBE", "relax": True}, p, metal, facet, strain)
    with tempfile.TemporaryDirectory() as work:

        def calc(atoms, slab, txt):
            return gpaw_calculator(p, "PBE", atoms, txt=None, slab=slab)

        t = time.time()
        r = surfaces.relaxed_surface_energy(spec, args.a[metal], work, calc)
        cpu = time.process_time()
    return {
        **{
            k: r[k]
            for k in (
                "metal",
                "facet",
                "strain",
                "E_s_J_m2",
                "E_s_unrelaxed_J_m2",
                "n_atoms",
                "area_A2",
                "e_bulk_eV",
                "a_A",
                "relax_converged",
                "relax_steps",
            )
        },
        "layers": layers,
        "wall_s": time.time() - t,
        "process_cpu_s_cumulative": cpu,
    }


def summarise(rows: list[dict], out: Path) -> None:
    import matplotlib.pyplot as plt
    import pandas as pd

    df = pd.DataFrame(rows).sort_values(["metal", "facet", "layers", "strain"])
    df.to_csv(out.with_suffix(".csv"), index=False)
    piv = df.pivot_table(index=["metal", "facet", "layers"], columns="strain", values="E_s_J_m2")
    metals = sorted(df.metal.unique())
    fig, axes = plt.subplots(2, len(metals), figsize=(4.5 * len(metals), 6.5), squeeze=False)
    for j, m in enumerate(metals):
        for facet, g in piv.loc[m].groupby(level=0):
            n = g.index.get_level_values(1)
            if 0.0 in g.columns:
                axes[0, j].plot(n, g[0.0], "o-", label=f"({facet})")
            if 0.0 in g.columns and -0.03 in g.columns:
                axes[1, j].plot(n, 1000 * (g[-0.03] - g[0.0]), "s-", label=f"({facet})")
        axes[0, j].set_title(m)
        axes[0, j].set_ylabel("E_s, unstrained (J/m$^2$)")
        axes[1, j].set_ylabel("E_s(-3 %) - E_s(0) (mJ/m$^2$)")
        axes[1, j].set_xlabel("metal layers")
        for ax in axes[:, j]:
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out.with_suffix(".png"), dpi=120)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--metals", nargs="+", default=["Li", "Na"])
    ap.add_argument("--facets", nargs="+", default=["100", "110", "111"])
    ap.add_argument("--layers", nargs="+", type=int, default=[3, 4, 5, 6])
    ap.add_argument("--strains", nargs="+", type=float, default=[0.0, -0.03])
    ap.add_argument("--ecut", type=float, default=300.0)
    ap.add_argument("--kpt-density", type=float, default=4.0)
    ap.add_argument("--fmax", type=float, default=0.05)
    ap.add_argument("--a", type=json.loads, default=A_PBE, help='JSON, e.g. {"Li": 3.447, "Na": 4.191}')
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results/surface_thickness"))
    args = ap.parse_args()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    jl = out.with_suffix(".jsonl")
    rows = [json.loads(line) for line in jl.read_text().splitlines()] if jl.exists() else []
    done = {(r["metal"], r["facet"], r["layers"], round(r["strain"], 6)) for r in rows}
    meta = {
        "machine": platform.node(),
        "cpus": os.cpu_count(),
        "ecut_eV": args.ecut,
        "kpt_density": args.kpt_density,
        "fmax": args.fmax,
        "a_A": args.a,
        "ranks": 1,
        "threads": os.environ.get("OMP_NUM_THREADS"),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    out.with_suffix(".meta.json").write_text(json.dumps(meta, indent=1))
    for metal in args.metals:
        for facet in args.facets:
            for n in args.layers:
                for s in args.strains:
                    if (metal, facet, n, round(s, 6)) in done:
                        continue
                    r = point(args, metal, facet, n, s)
                    print(json.dumps(r), flush=True)
                    with jl.open("a") as f:
                        f.write(json.dumps(r) + "\n")
                    rows.append(r)
                    summarise(rows, out)


if __name__ == "__main__":
    main()
