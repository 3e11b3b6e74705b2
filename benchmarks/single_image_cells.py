"""Benchmark: the cells the single-image rule (methods §6) builds, for every system of the reference
and quick campaigns.

    python benchmarks/single_image_cells.py [--out benchmarks/results/single_image_cells.csv]

Every system is built by the stage's own code (`anodeflow.interfaces.build.build_system`, the build job
without DFT), with the bulk lattice constants taken from the config's a0 (metals: `metals.<M>.a0_A`,
coatings: `coatings.<C>.a_A`), at each campaign's own preset (reference: config/config.yaml; quick:
config/config.yaml + config/quick.yaml). One row per system: the in-plane repeat (n1, n2) of the surface
or coincidence cell, atoms, cell area, shortest in-plane lattice vector of the (reduced) cell, the
longest nearest-pair distance d_max and the length 2 (d_max + 0.15 A) the shortest vector must exceed,
the film strain of an interface, the configurations the system needs, and the largest number of
bonding images over its pairs (1 by construction); a refused system gets its reason instead.
The provenance file next to the CSV records the machine, code versions and settings.
"""

import argparse
import platform
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from anodeflow import config as afconfig  # noqa: E402
from anodeflow import systems as afsystems
from anodeflow.interfaces.build import build_system  # noqa: E402
from anodeflow.interfaces.structures import BuildError  # noqa: E402
from anodeflow.io import provenance, write_csv  # noqa: E402

CAMPAIGNS = {
    "reference": [ROOT / "config/config.yaml"],
    "quick": [ROOT / "config/config.yaml", ROOT / "config/quick.yaml"],
}


def config_bulk(cfg: dict, s) -> dict:
    """Lattice constants from the config's a0 (no DFT)."""
    out = {s.metal: {"a_A": cfg["metals"][s.metal]["a0_A"]}}
    if s.coating:
        out[s.coating] = {"a_A": cfg["coatings"][s.coating]["a_A"]}
    return out


def rows(campaign: str, cfg: dict):
    for sid, s in afsystems.systems(cfg).items():
        spec = afsystems.build_job_spec(cfg, sid)
        t = time.time()
        row = {"campaign": campaign, "system": sid, "metal_layers": spec["preset"]["metal_layers"]}
        try:
            atoms, desc, enum = build_system(spec, config_bulk(cfg, s))
        except BuildError as exc:
            row.update({"status": "refused", "reason": str(exc), "build_s": round(time.time() - t, 1)})
            print(row, flush=True)
            yield row
            continue
        si = enum.single_image
        row.update(
            {
                "status": "ok",
                "repeat": "x".join(map(str, desc["repeat"])),
                "n_atoms": len(atoms),
                "area_A2": round(desc["area_A2"], 2),
                "shortest_vector_A": round(si["shortest_vector_A"], 3),
                "d_max_A": round(si["d_max_A"], 3),
                "required_length_A": round(si["required_length_A"], 3),
                "strain": desc.get("strain"),
                "n_sites": len(enum.sites),
                "n_pairs": len(enum.pairs),
                "n_configurations": len(enum.configurations()),
                "max_bonding_images": max(p["bonding_images"] for p in enum.pairs),
                "build_s": round(time.time() - t, 1),
                "reason": "",
            }
        )
        print(row, flush=True)
        yield row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results/single_image_cells.csv"))
    ap.add_argument("--campaigns", nargs="+", default=list(CAMPAIGNS), choices=list(CAMPAIGNS))
    args = ap.parse_args()
    out, settings = [], {}
    for name in args.campaigns:
        cfg = afconfig.load(*CAMPAIGNS[name])
        settings[name] = {
            "preset": afsystems.science(afsystems.preset(cfg)),
            "interfaces": cfg["interfaces"],
            "max_vacancy_sites": cfg["dft"].get("max_vacancy_sites"),
        }
        out += list(rows(name, cfg))
    prov = provenance(
        {
            "settings": settings,
            "machine": {"node": platform.node(), "cpu": platform.processor(), "python": platform.python_version()},
        }
    )
    write_csv(args.out, pd.DataFrame(out), prov)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
