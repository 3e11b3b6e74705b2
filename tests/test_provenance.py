"""Provenance of every artifact: code versions (anodeflow, GPAW, LAMMPS, ASE, pymatgen), the config subset,
and the sha256 of the inputs that made it (checked against the rule's declared inputs and the files on disk).

Where it lives, per format:
  .json    a top-level "provenance" object;
  .csv     a sidecar x.csv.provenance.json (anodeflow.io.write_csv);
  .extxyz  a "provenance" entry (JSON string) in the header line of the first frame, or a sidecar
           x.extxyz.provenance.json;
  .npz     a "provenance" array holding the JSON string.
Figures (.png), GPAW restart files (.gpw, with their own parameter/version record) and Snakemake benchmark
tables are not artifacts in this sense: each figure is drawn from an artifact that carries provenance.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import DFT_TABLE
from workflow_sandbox import ROOT, snakemake

VERSION_KEYS = ("anodeflow", "gpaw", "lammps", "ase", "pymatgen")
CHECKED = (".json", ".csv", ".extxyz", ".npz")
SKIPPED = (".png", ".gpw", ".tsv", ".pdf", ".svg")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_provenance(path: Path):
    """The provenance record of an artifact, or None."""
    side = Path(str(path) + ".provenance.json")
    if side.exists():
        return json.loads(side.read_text())
    if path.suffix == ".json":
        return json.loads(path.read_text()).get("provenance")
    if path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as z:
            return json.loads(str(z["provenance"])) if "provenance" in z.files else None
    if path.suffix == ".extxyz":
        if path.stat().st_size == 0:
            return None
        from ase.io import read

        info = read(str(path), index=0, format="extxyz").info
        p = info.get("provenance")
        return json.loads(p) if isinstance(p, str) else p
    return None


def check_record(prov, declared_inputs: list[str], base: Path) -> list[str]:
    """Problems of one provenance record (empty list when complete and consistent)."""
    if not isinstance(prov, dict):
        return ["no provenance"]
    bad = []
    versions = prov.get("versions") or {}
    missing = [k for k in VERSION_KEYS if not versions.get(k)]
    if missing:
        bad.append(f"versions lack {missing}")
    if not isinstance(prov.get("config"), dict) or not prov["config"]:
        bad.append("no config subset")
    hashes = prov.get("inputs_sha256")
    if not isinstance(hashes, dict):
        return bad + ["no inputs_sha256"]
    recorded = {str(Path(k)) for k in hashes}
    for inp in declared_inputs:
        if Path(inp).suffix in SKIPPED:
            continue
        if str(Path(inp)) not in recorded and str((base / inp).resolve()) not in recorded:
            bad.append(f"input {inp} not hashed")
    for name, digest in hashes.items():
        f = Path(name) if Path(name).is_absolute() else base / name
        if f.is_file() and _sha256(f) != digest:
            bad.append(f"hash of {name} does not match the file")
    return bad


def detailed_summary(sandbox: Path, *args: str) -> dict[str, list[str]]:
    """output file -> declared input files, from `snakemake --detailed-summary`."""
    out = snakemake(sandbox, "--detailed-summary", "--cores", "1", *args).stdout
    lines = out[out.index("output_file\t") :].splitlines()
    rows = csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t")
    return {r["output_file"]: [p for p in (r["input-file(s)"] or "").split(",") if p] for r in rows}


def check_tree(sandbox: Path, summary: dict[str, list[str]]) -> dict[str, list[str]]:
    """Problems per artifact under results/ (only the ones the workflow declares as outputs)."""
    problems = {}
    for out, inputs in summary.items():
        p = sandbox / out
        if not p.is_file() or p.suffix not in CHECKED or out.startswith("results/benchmarks/"):
            continue
        if out.endswith(".provenance.json"):
            continue
        bad = check_record(read_provenance(p), inputs, sandbox)
        if bad:
            problems[out] = bad
    return problems


# ----------------------------------------------------------------------------- the checker itself


def _prov(tmp: Path, inputs: list[Path]) -> dict:
    from anodeflow.io import provenance

    return provenance({"k": 1}, inputs)


def test_checker_accepts_complete_records_of_every_format(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    import pandas as pd
    from ase.build import bulk
    from ase.io import write

    from anodeflow.io import write_csv, write_json

    src = Path("in.json")
    write_json(src, {"x": 1, "provenance": _prov(tmp_path, [])})
    prov = _prov(tmp_path, [src])
    write_json("a.json", {"y": 2, "provenance": prov})
    write_csv("b.csv", pd.DataFrame({"y": [1]}), prov)
    at = bulk("Li")
    at.info["provenance"] = json.dumps(prov)
    write("c.extxyz", at, format="extxyz")
    np.savez("d.npz", y=np.ones(2), provenance=np.array(json.dumps(prov)))
    for name in ("a.json", "b.csv", "c.extxyz", "d.npz"):
        rec = read_provenance(Path(name))
        # the code versions that made it are recorded (LAMMPS, GPAW, ASE, pymatgen are installed here)
        assert check_record(rec, ["in.json"], tmp_path) == [], name


def test_checker_finds_what_is_missing_or_stale(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from anodeflow.io import write_json

    Path("in.txt").write_text("one")
    prov = _prov(tmp_path, [Path("in.txt")])
    Path("in.txt").write_text("two")  # input changed after the artifact was made
    assert any("does not match" in b for b in check_record(prov, ["in.txt"], tmp_path))
    assert any("not hashed" in b for b in check_record(prov, ["in.txt", "other.json"], tmp_path))
    stripped = dict(prov, versions={k: v for k, v in prov["versions"].items() if k != "gpaw"})
    assert any("gpaw" in b for b in check_record(stripped, [], tmp_path))
    assert check_record(dict(prov, config={}, inputs_sha256={}), [], tmp_path) == ["no config subset"]
    write_json("plain.json", {"y": 1})
    assert check_record(read_provenance(Path("plain.json")), [], tmp_path) == ["no provenance"]
    Path("t.csv").write_text("a\n1\n")
    assert read_provenance(Path("t.csv")) is None


# ----------------------------------------------------------------------------- a real campaign

MD_CONFIG = str(ROOT / "tests" / "configs" / "md_tiny.yaml")
SHARED_POTENTIALS = (ROOT / ".." / "shared" / "potentials").resolve()


@pytest.mark.gpaw
@pytest.mark.lammps
@pytest.mark.workflow
def test_every_artifact_of_a_tiny_campaign_has_provenance(dft_campaign, tmp_path):
    # the shared tiny DFT campaign (tests/conftest.py: Li(100), Na(100) and a refused Na(111) slab, to the table)
    sb = dft_campaign.sb
    summary = detailed_summary(sb, DFT_TABLE, "--configfile", dft_campaign.configfile)
    # MD with the Na EAM potential (seconds; Li q-SNAP is ~200x slower), from the shared read-only copy
    if not (SHARED_POTENTIALS / "Na_v2.eam.fs").is_file():
        pytest.skip(f"no Na_v2.eam.fs in {SHARED_POTENTIALS} (no network for the url source)")
    overlay = tmp_path / "local_pot.yaml"
    overlay.write_text(yaml.safe_dump({"potentials": {"Na": {"local_dir": str(SHARED_POTENTIALS)}}}))
    md_targets = ["results/md/Na/melting.json", "results/md/Na/thermal_expansion.csv"]
    snakemake(sb, "--cores", "2", *md_targets, "--configfile", MD_CONFIG, str(overlay), timeout=900)
    summary.update(detailed_summary(sb, *md_targets, "--configfile", MD_CONFIG, str(overlay)))

    checked = [
        o
        for o in summary
        if (sb / o).is_file() and Path(o).suffix in CHECKED and not o.startswith("results/benchmarks/")
    ]
    kinds = {Path(o).suffix for o in checked}
    assert kinds >= {".json", ".csv", ".extxyz", ".npz"}, kinds
    problems = check_tree(sb, summary)
    print(f"[provenance] {len(checked)} artifacts checked, {len(problems)} with problems")
    report = "\n".join(f"  {k}: {'; '.join(v)}" for k, v in sorted(problems.items()))
    assert not problems, "artifacts without complete provenance:\n" + report
