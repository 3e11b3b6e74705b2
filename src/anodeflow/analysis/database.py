"""ASE SQLite database of every DFT calculation (methods §9), written by ONE aggregation job.

Each row is the final structure of one relaxation (``final.extxyz``) with the energy of its
``result.json`` (GPAW's zero-smearing energy) and the final forces attached as a single-point
calculator, so that ase.db's own ``energy`` and ``fmax`` columns hold them, and key-value pairs:
system, configuration, functional, converged, fmax_relax, steps, free_energy_eV, calc_kind. The database is
built from scratch into a temporary file and renamed, so there is never more than one writer and a killed
job leaves no half database.
"""

from __future__ import annotations

from pathlib import Path

from ..io import atomic_path, read_json


def kind_of(config_id: str) -> str:
    if config_id == "pristine":
        return "pristine"
    if config_id.startswith("vv_"):
        return "divacancy"
    if config_id.startswith("v_"):
        return "vacancy"
    if config_id.startswith("adhesion_"):
        return "adhesion_slab"
    return "other"


def row_of(result_path) -> tuple:
    """(atoms, key_value_pairs, data) of one DFT job from its result.json and final.extxyz."""
    from ase.calculators.singlepoint import SinglePointCalculator
    from ase.io import read

    result_path = Path(result_path)
    r = read_json(result_path)
    atoms = read(str(result_path.parent / "final.extxyz"), format="extxyz")
    forces = atoms.get_forces() if atoms.calc is not None and "forces" in atoms.calc.results else None
    atoms.calc = SinglePointCalculator(atoms, energy=r["energy_eV"], free_energy=r.get("free_energy_eV"), forces=forces)
    # ase.db's own columns carry the energy (zero-smearing) and fmax (from the stored forces, constraints
    # respected); the relaxation's own record of fmax is kept as fmax_relax
    kv = {
        "system": r["system"],
        "configuration": r["config_id"],
        "functional": r["xc"],
        "free_energy_eV": float(r.get("free_energy_eV", r["energy_eV"])),
        "fmax_relax": float(r["fmax"]),
        "converged": bool(r["converged"]),
        "steps": int(r.get("steps", 0)),
        "calc_kind": kind_of(r["config_id"]),
    }
    data = {"removed": list(r.get("removed", []))}
    if r.get("beef_nsc_eV") is not None:
        data["beef_nsc_eV"] = list(r["beef_nsc_eV"])
    return atoms, kv, data


def build_database(result_paths, out_path, metadata: dict | None = None) -> int:
    """Write every DFT calculation into a fresh SQLite database at ``out_path``; returns the row count."""
    from ase.db import connect

    n = 0
    with atomic_path(out_path) as tmp:
        tmp.unlink()  # SQLite creates the file itself
        with connect(str(tmp), type="db", append=False) as db:
            for p in sorted(map(str, result_paths)):
                atoms, kv, data = row_of(p)
                db.write(atoms, key_value_pairs=kv, data=data)
                n += 1
        if metadata is not None:
            connect(str(tmp), type="db").metadata = metadata
    return n
