"""ASE SQLite database of every DFT calculation (methods §9), written by ONE aggregation job.

Each row is the final structure of one relaxation (``final.extxyz``) with the energies of its
``result.json`` attached as a single-point calculator, and key-value pairs: system,
configuration, functional, energy, fmax, converged (plus steps, natoms and the kind of
calculation).  The database is built from scratch into a temporary file and renamed, so
there is never more than one writer and a killed job leaves no half database.
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
    atoms.calc = SinglePointCalculator(atoms, energy=r["energy_eV"], free_energy=r.get("free_energy_eV"))
    kv = {
        "system": r["system"], "configuration": r["config_id"], "functional": r["xc"],
        "energy": float(r["energy_eV"]), "free_energy_eV": float(r.get("free_energy_eV", r["energy_eV"])),
        "fmax": float(r["fmax"]), "converged": bool(r["converged"]), "steps": int(r.get("steps", 0)),
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
                # 'energy' is ase.db's own column (the calculator's energy): not repeated as a key
                kv.pop("energy")
                db.write(atoms, key_value_pairs=kv, data=data)
                n += 1
        if metadata is not None:
            connect(str(tmp), type="db").metadata = metadata
    return n
