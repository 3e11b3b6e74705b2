import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("MPLBACKEND", "Agg")
for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(v, "1")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def reference_config():
    from anodeflow import config

    return config.load(ROOT / "config" / "config.yaml")


@pytest.fixture(scope="session")
def reference_builds(reference_config):
    """Every system of the reference campaign built as its build_system job would (pymatgen match,
    single-image repeat, enumeration; the config's starting lattice constants): system id -> (system,
    atoms, description, enumeration), or the BuildError it was refused with. Built once for the tests
    that check the whole campaign (test_interfaces, test_single_image): ~100 s."""
    from anodeflow import systems as campaign_systems
    from anodeflow.interfaces import structures
    from anodeflow.interfaces.build import build_system

    out = {}
    for sid, s in campaign_systems.systems(reference_config).items():
        bulk = {s.metal: {"a_A": reference_config["metals"][s.metal]["a0_A"]}}
        if s.coating:
            bulk[s.coating] = {"a_A": reference_config["coatings"][s.coating]["a_A"]}
        try:
            out[sid] = (s, *build_system(campaign_systems.build_job_spec(reference_config, sid), bulk))
        except structures.BuildError as exc:
            out[sid] = exc
    return out


#: the shared tiny DFT campaign (tests/configs/dft_tiny.yaml): the system asked for first, the others
DFT_TINY = ROOT / "tests" / "configs" / "dft_tiny.yaml"
DFT_ONE, DFT_OTHERS = "Li-100_BEEF-vdW", ("Na-100", "Na-111")
DFT_TABLE = "results/tables/critical_temperatures.csv"


def _files(wd: Path) -> dict[str, int]:
    """Every file under results/ and logs/ with its modification time (ns)."""
    return {
        str(p.relative_to(wd)): p.stat().st_mtime_ns
        for top in ("results", "logs")
        for p in (wd / top).rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="session")
def dft_campaign(tmp_path_factory):
    """The tiny DFT campaign (real GPAW, test preset) run once per session as a user would: first one system's target
    (Li-100's tc.json), then the T_c table (Na-100, and Na-111 refused). test_workflow_dft reads what each step
    ran and left, test_provenance checks every artifact's provenance, and test_workflow_reruns (the last of them
    to run: it changes Na's settings in this sandbox) checks what reruns do. One campaign instead of three (~10
    min of CI)."""
    from types import SimpleNamespace

    from workflow_sandbox import jobs_with_wildcards, make_sandbox, snakemake, summary

    sb = make_sandbox(tmp_path_factory.mktemp("dft_tiny") / "repo")
    cfg = ("--configfile", str(DFT_TINY))
    first_out = snakemake(sb, "--cores", "2", f"results/thermo/{DFT_ONE}/tc.json", *cfg).stdout
    after_first = _files(sb)
    planned = summary(snakemake(sb, "--cores", "1", DFT_TABLE, "--summary", *cfg).stdout)
    second_out = snakemake(sb, "--cores", "2", DFT_TABLE, *cfg).stdout
    after_second = _files(sb)
    # the complete campaign's dry run, taken here: test_workflow_reruns changes Na's settings later
    noop_out = snakemake(sb, "-n", "--cores", "1", DFT_TABLE, *cfg).stdout
    return SimpleNamespace(
        sb=sb,
        configfile=str(DFT_TINY),
        first_out=first_out,
        first=jobs_with_wildcards(first_out),
        after_first=after_first,
        planned=planned,
        second_out=second_out,
        second=jobs_with_wildcards(second_out),
        after_second=after_second,
        noop_out=noop_out,
    )
