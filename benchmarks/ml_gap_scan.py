"""The metal-coating binding curve of a built interface: the coating moved rigidly along z, energies from
universal machine-learned potentials (CHGNet 0.3.0, SevenNet-0) and, with ``--gpaw``, from GPAW at a preset.
A check of whether an ML pre-relaxation puts the coating where DFT does (benchmarks/relax_paths.py, arms
``<optimizer>+chgnet``).

    <python with torch, chgnet, sevenn> benchmarks/ml_gap_scan.py \
        --structure results/interfaces/Li-110__LiF-100/initial.extxyz \
        --out benchmarks/results/ml_gap_scan_Li-110__LiF-100.json
    python benchmarks/ml_gap_scan.py --structure ... --gpaw quick --shifts -0.3 0 0.6 1.8 \
        --out benchmarks/results/ml_gap_scan_Li-110__LiF-100_gpaw.json      # the workflow's environment

The gap is the height of the coating's lowest atom above the metal's highest (the built cell's is the
coherent-interface builder's starting value). Energies are relative to the unshifted cell. Nothing is
relaxed: this is the curve along one collective coordinate, not a relaxed binding energy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--structure", required=True)
    ap.add_argument("--shifts", type=float, nargs="+", default=list(np.round(np.arange(-0.6, 2.41, 0.3), 2)))
    ap.add_argument("--gpaw", default=None, help="a preset of config/config.yaml: GPAW instead of the ML models")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    from ase.io import read

    atoms0 = read(a.structure, format="extxyz")
    metal = atoms0.arrays["is_metal"].astype(bool)
    gap0 = float(atoms0.positions[~metal, 2].min() - atoms0.positions[metal, 2].max())
    shifts = [float(s) for s in a.shifts]
    i0 = shifts.index(0.0) if 0.0 in shifts else None
    load0 = os.getloadavg()

    def scan(calc):
        e, t = [], []
        for s in shifts:
            at = atoms0.copy()
            at.positions[~metal, 2] += s
            at.calc = calc
            t0 = time.process_time()
            e.append(float(at.get_potential_energy()))
            t.append(time.process_time() - t0)
        ref = e[i0] if i0 is not None else min(e)
        return {"E_rel_eV": [x - ref for x in e], "E_eV": e, "cpu_s": t}

    curves = {}
    if a.gpaw:
        import yaml
        from gpaw import GPAW

        from anodeflow.dft.calculators import gpaw_parameters

        preset = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["presets"][a.gpaw]
        curves[f"GPAW PBE ({a.gpaw} preset)"] = scan(GPAW(txt=None, **gpaw_parameters(preset, "PBE", atoms0, True)))
    else:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from ml_prerelax import _shim_ase

        _shim_ase()
        from chgnet.model import CHGNet
        from chgnet.model.dynamics import CHGNetCalculator
        from sevenn.calculator import SevenNetCalculator

        curves["CHGNet 0.3.0"] = scan(CHGNetCalculator(model=CHGNet.load(), use_device="cpu"))
        curves["SevenNet-0"] = scan(SevenNetCalculator("7net-0", device="cpu"))
    doc = {
        "what": __doc__.split("\n")[0],
        "structure": a.structure,
        "natoms": len(atoms0),
        "gap_built_A": gap0,
        "gap_A": [gap0 + s for s in shifts],
        "curves": curves,
        "machine": {"node": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "loadavg_start": load0,
        "loadavg_end": os.getloadavg(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    Path(a.out).write_text(json.dumps(doc, indent=1) + "\n")
    for i, g in enumerate(doc["gap_A"]):
        print(f"gap {g:5.2f} A  " + "  ".join(f"{k} {v['E_rel_eV'][i]:+.3f}" for k, v in curves.items()))


if __name__ == "__main__":
    main()
