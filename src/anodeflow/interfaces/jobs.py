"""Command-line entry of the interfaces stage: ``python -m anodeflow.interfaces.jobs build ...``

``build`` makes one system's pristine slab or interface, its descriptors and its vacancy
configurations (the checkpoint whose output fans out the DFT jobs). It runs no DFT.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..io import atomic_path, provenance, read_json, run_verb, write_extxyz, write_json, write_sidecar
from .build import build_system
from .structures import BuildError


def cmd_build(args) -> None:
    spec = json.loads(args.spec)
    bulk = {}
    for path in args.bulk:
        d = read_json(path)
        bulk[d["phase"]] = d
    try:
        atoms, desc, enum = build_system(spec, bulk)
    except BuildError as exc:
        # This system fails alone and says why; the artifacts record the failure so that the
        # tables still list it and no other system is held up.
        msg = str(exc)
        sys.stderr.write(f"[anodeflow] FAILED {msg}\n")
        prov = provenance(spec, args.bulk)
        failed = {"system": spec["id"], "status": "failed", "reason": msg, "provenance": prov}
        write_json(args.descriptors, failed)
        write_json(args.out, {**failed, "configurations": []})
        with atomic_path(args.structure) as tmp:
            tmp.write_text("")  # no structure: see configurations.json
        write_sidecar(args.structure, prov)  # what made the empty file
        return
    prov = provenance(spec, args.bulk)
    write_extxyz(args.structure, atoms, prov)
    write_json(args.descriptors, {**desc, "provenance": prov})
    write_json(args.out, {"system": spec["id"], "status": "ok", **enum.to_dict(), "provenance": prov})


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m anodeflow.interfaces.jobs")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("build", help="slab/interface, descriptors and vacancy configurations of one system")
    for opt in ("--spec", "--structure", "--descriptors", "--out"):
        p.add_argument(opt, required=True)
    p.add_argument("--bulk", nargs="+", required=True, help="bulk reference JSONs (lattice constants)")
    a = ap.parse_args(argv)
    run_verb("anodeflow.interfaces.jobs", a.cmd, cmd_build, a)


if __name__ == "__main__":
    main()
