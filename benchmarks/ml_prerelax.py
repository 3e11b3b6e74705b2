"""Pre-relax one configuration with a universal machine-learned potential (CHGNet), for the relaxation-path
benchmark (benchmarks/relax_paths.py, arms ``<optimizer>+chgnet``). Not part of the workflow: no number of
the workflow comes from it, and the workflow's environment does not hold torch.

    <python with torch and chgnet> benchmarks/ml_prerelax.py --structure in.extxyz --removed 12 \
        --out start.extxyz --fmax 0.05 --max-steps 300

Reads the structure the relax job would read, removes ``--removed`` (as the job does), holds the atoms the
structure flags as fixed, and relaxes the rest with ASE's BFGS on CHGNet's energy and forces. The output
is the input structure with the free atoms moved to the pre-relaxed positions and the removed atoms put
back where they were, so that the workflow's relax job (which removes them again) starts from the
pre-relaxed vacancy geometry. A JSON beside the output records the model, steps, wall time, the largest
displacement and the ML energies.

Versions measured to work together (2026-12-07): torch 2.13.0 (CPU build), chgnet 0.3.2 (the 0.3.0 wheel on
PyPI is yanked: its weights are missing; 0.3.2 ships the 0.3.0 model's weights), with the ASE of the
workflow's environment, which moved ``ExpCellFilter`` out of ``ase.constraints``; the shim below puts it back
for chgnet's import.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _shim_ase() -> None:
    import ase.constraints
    import ase.filters

    for name in ("ExpCellFilter", "StrainFilter", "UnitCellFilter", "FrechetCellFilter"):
        if not hasattr(ase.constraints, name) and hasattr(ase.filters, name):
            setattr(ase.constraints, name, getattr(ase.filters, name))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--structure", required=True)
    ap.add_argument("--removed", type=int, nargs="*", default=[])
    ap.add_argument("--out", required=True)
    ap.add_argument("--fmax", type=float, default=0.05)
    ap.add_argument("--max-steps", type=int, default=300)
    a = ap.parse_args()
    t0, c0 = time.time(), time.process_time()
    _shim_ase()
    import chgnet
    from ase.io import read, write
    from ase.optimize import BFGS
    from chgnet.model import CHGNet
    from chgnet.model.dynamics import CHGNetCalculator

    from anodeflow.interfaces.structures import apply_fixed

    full = read(a.structure, format="extxyz")
    keep = [i for i in range(len(full)) if i not in set(a.removed)]
    atoms = apply_fixed(full[keep])  # as the relax job holds them
    model = CHGNet.load()
    weights = sorted(Path(chgnet.__file__).parent.glob("pretrained/0.3.0/*.pth.tar"))
    atoms.calc = CHGNetCalculator(model=model, use_device="cpu")
    x0 = atoms.positions.copy()
    e0 = float(atoms.get_potential_energy())
    t_load = time.time() - t0
    opt = BFGS(atoms, logfile=str(Path(a.out).with_suffix(".opt.log")), maxstep=0.2)
    converged = bool(opt.run(fmax=a.fmax, steps=a.max_steps))
    disp = np.linalg.norm(atoms.positions - x0, axis=1)
    out = full.copy()
    out.positions[keep] = atoms.positions
    write(a.out, out, format="extxyz")
    doc = {
        "model": "CHGNet",
        "chgnet_version": chgnet.__version__,
        "weights": [{"file": w.name, "sha256": hashlib.sha256(w.read_bytes()).hexdigest()} for w in weights],
        "structure": str(a.structure),
        "removed": a.removed,
        "natoms": len(atoms),
        "fmax_target": a.fmax,
        "converged": converged,
        "steps": int(opt.nsteps),
        "energy_start_eV": e0,
        "energy_end_eV": float(atoms.get_potential_energy()),
        "max_displacement_A": float(disp.max()),
        "wall_s": time.time() - t0,
        "cpu_s": time.process_time() - c0,
        "wall_load_s": t_load,
    }
    Path(a.out).with_suffix(".json").write_text(json.dumps(doc, indent=1) + "\n")
    print(json.dumps({k: doc[k] for k in ("converged", "steps", "max_displacement_A", "wall_s")}))


if __name__ == "__main__":
    main()
