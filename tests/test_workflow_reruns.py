"""Reruns do exactly what changed, on the real tiny campaign (tests/conftest.py::dft_campaign: Li(100), Na(100)
and a refused Na(111) slab, run once per session; this module runs after the others that read it, because it
changes Na's settings in that sandbox):

* asking for one system's target runs only that system (and the bulk reference it needs);
* after a complete run, snakemake has nothing to do and says so (its wall time goes to
  benchmarks/results/workflow_timings_<label>.json, see benchmarks/workflow_timings.py, not asserted here);
* changing one system's settings reruns only what depends on them (Snakemake's params/input/code triggers).
"""

from __future__ import annotations

import re

import pytest

from conftest import DFT_ONE, DFT_TINY
from conftest import DFT_TABLE as TABLE
from workflow_sandbox import ROOT, snakemake

CONFIG = str(DFT_TINY)
CHANGED = str(ROOT / "tests" / "configs" / "reruns_na_changed.yaml")


def jobs(output: str) -> list[tuple[str, list[str]]]:
    """(rule, output paths) of every job a snakemake run (or dry run) lists."""
    out = []
    for m in re.finditer(r"^\s*(?:local)?(?:rule|checkpoint) (\w+):\n((?:[ \t]+\S.*\n?)*)", output, flags=re.M):
        outs = re.search(r"^\s+output: (.*)$", m.group(2), flags=re.M)
        out.append((m.group(1), [p.strip() for p in outs.group(1).split(",")] if outs else []))
    return out


def touches(job_list, name: str) -> list:
    return [(r, o) for r, o in job_list if any(name in p for p in o)]


def mtimes(root, pattern: str) -> dict:
    return {str(p): p.stat().st_mtime_ns for p in sorted(root.glob(pattern))}


@pytest.mark.gpaw
@pytest.mark.workflow
def test_reruns_do_exactly_what_changed(dft_campaign, tmp_path):
    sb = dft_campaign.sb
    run = lambda *a, **k: snakemake(sb, "--cores", "2", *a, "--configfile", CONFIG, **k)  # noqa: E731

    # 1. one system's target: only Li jobs (bulk Li, its build, its relaxations, its thermo)
    first = jobs(dft_campaign.first_out)
    assert first, "nothing ran"
    assert not touches(first, "Na"), f"a {DFT_ONE} target ran Na jobs: {touches(first, 'Na')}"
    assert {r for r, _ in first} >= {"bulk_reference", "build_system", "relax_pristine", "vacancy_thermo"}
    made = dft_campaign.after_first
    assert f"results/thermo/{DFT_ONE}/tc.json" in made and not [f for f in made if "Na-100" in f]
    # (step 1's Li files, as they were before step 2: the fixture recorded every file's mtime)
    # (the same files as the globs of mtimes() below: every results/bulk/Li_* file, and every .json below a
    # results/ folder whose name starts with Li)
    li_before = {
        str(sb / f): t
        for f, t in dft_campaign.after_first.items()
        if f.startswith("results/bulk/Li_")
        or (f.startswith("results/") and f.endswith(".json") and any(d.startswith("Li") for d in f.split("/")[1:-1]))
    }

    # 2. the whole campaign table: only what is missing (Na's chain, the table and what the table reads beyond
    #    tc.json, e.g. Li's beef.json for the T_c error bars), nothing of step 1 is redone
    second = jobs(dft_campaign.second_out)
    done_first = {p for _, o in first for p in o}
    redone = [j for j in touches(second, "Li") if set(j[1]) & done_first]
    assert not redone, f"Li jobs rerun: {redone}"
    assert touches(second, "Na-100") and any(TABLE in o for _, o in second)
    after = mtimes(sb, "results/**/Li*/**/*.json") | mtimes(sb, "results/bulk/Li_*")
    assert after.items() >= li_before.items(), "a Li artifact of step 1 was rewritten"

    # 3. complete: a rerun has nothing to do and says so
    noop = run(TABLE)
    assert "Nothing to be done" in noop.stdout and not jobs(noop.stdout), noop.stdout[-2000:]
    print(f"[reruns] no-op rerun of the 2-system test campaign: {noop.wall_s:.1f} s")
    li_before = mtimes(sb, "results/**/Li*/**/*.json") | mtimes(sb, "results/bulk/Li_*")  # the complete campaign

    # 4. change Na's settings: Snakemake's plan (dry run) reruns Na's chain and the table, nothing of Li ...
    plan = jobs(snakemake(sb, "-n", "--cores", "2", TABLE, "--configfile", CONFIG, CHANGED).stdout)
    assert touches(plan, "Na_PBE") and touches(plan, "Na-100"), plan
    assert not [j for j in touches(plan, "Li") if TABLE not in j[1]], f"Li jobs planned: {touches(plan, 'Li')}"
    # ... and the real rerun leaves every Li artifact untouched
    changed = jobs(snakemake(sb, "--cores", "2", TABLE, "--configfile", CONFIG, CHANGED).stdout)
    assert not [j for j in touches(changed, "Li") if TABLE not in j[1]], changed
    assert mtimes(sb, "results/**/Li*/**/*.json") | mtimes(sb, "results/bulk/Li_*") == li_before
    assert "Nothing to be done" in snakemake(sb, "--cores", "2", TABLE, "--configfile", CONFIG, CHANGED).stdout

    # 5. execution settings are not science: another launcher and another rank count plan nothing
    #    (the launcher reaches jobs through the environment, ntasks is kept out of the job specs)
    exec_only = tmp_path / "exec_only.yaml"
    exec_only.write_text('dft: {launcher: "srun --ntasks={ntasks} --cpus-per-task=1"}\npresets: {test: {ntasks: 2}}\n')
    plan = snakemake(sb, "-n", "--cores", "2", TABLE, "--configfile", CONFIG, CHANGED, str(exec_only))
    assert "Nothing to be done" in plan.stdout and not jobs(plan.stdout), plan.stdout[-2000:]
