"""The DAG, without running jobs: every reference system is listed; one target runs one system."""

import re
import subprocess
import sys

import pytest

from anodeflow import systems as campaign_systems


def dry_run(root, wd, *args):
    r = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "-s", str(root / "Snakefile"), "-d", str(wd), "--cores", "1", *args],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return r.stdout + r.stderr


pytestmark = pytest.mark.workflow


def job_counts(out):
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", out, re.M)}


def test_dry_run_lists_every_reference_system(root, tmp_path, reference_config):
    out = dry_run(root, tmp_path)
    systems = campaign_systems.systems(reference_config)
    for sid in systems:
        assert f"results/interfaces/{sid}/configurations.json" in out, sid
    counts = job_counts(out)
    assert counts["build_system"] == len(systems) == 39
    assert counts["bulk_reference"] == len(campaign_systems.bulk_phases(reference_config)) == 8


def test_one_target_runs_only_that_system(root, tmp_path):
    out = dry_run(root, tmp_path, "results/thermo/Na-110__NaF-111/tc.json")
    counts = job_counts(out)
    assert counts["build_system"] == 1 and counts["bulk_reference"] == 2
    assert "results/bulk/Na_PBE.json" in out and "results/bulk/NaF_PBE.json" in out
    assert "Li_PBE" not in out and "Na-100" not in out
