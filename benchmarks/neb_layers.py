"""Benchmark: adatom-hop barrier E_a (NEB, MD potentials) against slab thickness.

    python benchmarks/neb_layers.py [--metals Li Na] [--facets 100 110 111]
        [--slabs 4:2 6:4 8:6 6:3 8:5 6:2 8:4] [--n-images 7 15] [--out benchmarks/results/neb_layers]

Issue 15: the phase field's mobilities L_q = 7.5 exp(-0.27 E_a/(k_B T)) take E_a from the workflow's own
NEB for every orientation, and the barrier of a thin slab is not the barrier of a surface (docs/phasefield.md:
Na(100) 0.23 eV with 4 layers, 0.15 eV with 6). Every point runs the stage's own code
(`anodeflow.pfinputs.barriers.neb_barrier`, `lattice_constant`, `lammps_calculator`) with the reference
`barriers` settings of config/config.yaml (in-plane >= 12 A, 12 A vacuum, 7 images, climbing image,
fmax 0.02 eV/A) and only the slab changed: `--slabs layers:fixed`, the bottom `fixed` planes held at
bulk positions. The series separates the slab depth (layers at a fixed number of free planes) from the
relaxation depth (free planes = layers - fixed), and `--n-images` the band's resolution (a band too
coarse to resolve an intermediate minimum can settle on another, higher path: Li(110), 3 free planes,
0.097 eV with 7 images, 0.027 eV with 15). Potentials as the workflow resolves them (Li q-SNAP from LAMMPS'
share, Na EAM from ../shared/potentials via tests/configs/md_local_potentials.yaml when present).

Writes ``<out>.jsonl`` (one line per point as it finishes; restartable), ``<out>.csv``, ``<out>.png``
(E_a against layers per metal and facet) and ``<out>.meta.json`` (machine, settings).
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
from anodeflow.pfinputs import barriers  # noqa: E402


def load_config() -> dict:
    overlay = ROOT / "tests/configs/md_local_potentials.yaml"
    shared = ROOT.parent / "shared/potentials/Na_v2.eam.fs"
    return afconfig.load(ROOT / "config/config.yaml", *([overlay] if shared.is_file() else []))


def point(cfg: dict, metal: str, facet: str, layers: int, fixed: int, n_images: int) -> dict:
    settings = barriers.NEBSettings.from_config(
        {**cfg["barriers"], "layers": layers, "fixed_layers": fixed, "n_images": n_images}
    )
    factory = lambda: barriers.lammps_calculator(metal, cfg)  # noqa: E731
    t, c = time.time(), time.process_time()
    a = barriers.lattice_constant(metal, cfg["metals"][metal]["a0_A"], factory)
    r = barriers.neb_barrier(metal, facet, a, factory, settings)
    keep = (
        "metal",
        "facet",
        "E_a_eV",
        "E_a_reverse_eV",
        "hop_length_A",
        "n_atoms",
        "converged",
        "neb_steps",
        "energies_eV",
        "adatom_displacement_A",
        "restarts",
        "endpoints_are_minima",
    )
    return {
        **{k: r[k] for k in keep},
        "layers": layers,
        "fixed_layers": fixed,
        "n_images": n_images,
        "a_A": a,
        "wall_s": time.time() - t,
        "cpu_s": time.process_time() - c,
    }


def summarise(rows: list[dict], out: Path) -> None:
    import matplotlib.pyplot as plt
    import pandas as pd

    df = pd.DataFrame(rows).sort_values(["metal", "facet", "layers"])
    df.to_csv(out.with_suffix(".csv"), index=False)
    metals = sorted(df.metal.unique())
    fig, axes = plt.subplots(1, len(metals), figsize=(6 * len(metals), 4.5), squeeze=False)
    for ax, m in zip(axes[0], metals):
        d = df[df.metal == m].assign(free=lambda x: x.layers - x.fixed_layers)
        for (facet, free, nim), g in d.groupby(["facet", "free", "n_images"]):
            ok = g[g.converged.astype(bool)]
            (line,) = ax.plot(
                ok.layers, ok.E_a_eV, "o-" if nim > 7 else "o--", label=f"({facet}), {free} free, {nim} images"
            )
            bad = g[~g.converged.astype(bool)]
            ax.plot(bad.layers, [ax.get_ylim()[1]] * len(bad), "x", color=line.get_color())
        ax.set_title(f"{m}: adatom hop, NEB (x: band not converged)")
        ax.set_xlabel("slab layers")
        ax.set_ylabel("E_a (eV)")
        ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    fig.savefig(out.with_suffix(".png"), dpi=120)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--metals", nargs="+", default=["Li", "Na"])
    ap.add_argument("--facets", nargs="+", default=["100", "110", "111"])
    ap.add_argument(
        "--slabs",
        nargs="+",
        default=["4:2", "6:4", "8:6", "6:3", "8:5", "6:2", "8:4"],
        help="layers:fixed_layers pairs",
    )
    ap.add_argument(
        "--n-images", nargs="+", type=int, default=[7], help="interior images of the band (config default 7)"
    )
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results/neb_layers"))
    args = ap.parse_args()
    cfg = load_config()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    jl = out.with_suffix(".jsonl")
    rows = [json.loads(line) for line in jl.read_text().splitlines()] if jl.exists() else []
    for r in rows:  # points written before --n-images existed ran the config's 7
        r.setdefault("n_images", 7)
    done = {(r["metal"], r["facet"], r["layers"], r["fixed_layers"], r["n_images"]) for r in rows}
    slabs = [tuple(int(x) for x in sl.split(":")) for sl in args.slabs]
    meta = {
        "machine": platform.node(),
        "cpus": os.cpu_count(),
        "processes": 1,
        "threads": os.environ.get("OMP_NUM_THREADS"),
        "barriers": cfg["barriers"],
        "slabs": args.slabs,
        "n_images": args.n_images,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    out.with_suffix(".meta.json").write_text(json.dumps(meta, indent=1))
    for metal in args.metals:
        for facet in args.facets:
            for (n, fixed), nim in [(sl, nim) for nim in args.n_images for sl in slabs]:
                if (metal, facet, n, fixed, nim) in done:
                    continue
                r = point(cfg, metal, facet, n, fixed, nim)
                print(json.dumps(r), flush=True)
                with jl.open("a") as f:
                    f.write(json.dumps(r) + "\n")
                rows.append(r)
                summarise(rows, out)


if __name__ == "__main__":
    main()
