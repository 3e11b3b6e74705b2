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
