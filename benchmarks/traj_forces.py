"""Per ionic step of a relaxation trajectory: energy, fmax, the sum of all forces (zero for a neutral slab in
exact theory) and its part on each element, and how far the coating and the metal's top layer have moved.

Used on the withdrawn 250-eV validation interface run (Na(100)/NaF(100)) to show the net force that the
F grid error puts on the cell:

    python benchmarks/traj_forces.py --traj /work/valif/work/dft/Na-100__NaF-100/pristine/relax.traj \
        --structure /work/valif/results/interfaces/Na-100__NaF-100/initial.extxyz \
        --out benchmarks/results/traj_forces_Na-100__NaF-100_250eV.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from ase.io import read


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--traj", required=True)
    ap.add_argument("--structure", required=True, help="the built cell (its is_metal array marks the metal)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    frames = read(a.traj, ":")
    metal = np.asarray(read(a.structure).arrays["is_metal"], bool)
    z0 = frames[0].positions[:, 2]
    top = metal & (z0 > z0[metal].max() - 0.5)  # the metal's top plane
    symbols = np.array(frames[0].get_chemical_symbols())
    rows = []
    for k, at in enumerate(frames):
        f = at.get_forces(apply_constraint=False)
        z = at.positions[:, 2]
        rows.append(
            {
                "step": k,
                "energy_eV": float(at.get_potential_energy()),
                "fmax_eV_A": float(np.sqrt((at.get_forces() ** 2).sum(axis=1)).max()),
                "sum_Fz_eV_A": float(f[:, 2].sum()),
                "sum_Fz_by_element_eV_A": {el: float(f[symbols == el, 2].sum()) for el in sorted(set(symbols))},
                "coating_mean_dz_A": float((z - z0)[~metal].mean()),
                "metal_top_mean_dz_A": float((z - z0)[top].mean()),
                "gap_A": float(z[~metal].min() - z[metal].max()),  # coating's lowest atom over the metal's highest
            }
        )
        print(json.dumps({k2: v for k2, v in rows[-1].items() if k2 != "sum_Fz_by_element_eV_A"}))
    doc = {"what": "forces and displacements per ionic step", "traj": a.traj, "structure": a.structure, "steps": rows}
    Path(a.out).write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
