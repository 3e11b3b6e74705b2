"""The real path: GPAW on tiny systems through Snakemake to tc.json (no mocked energies).

Settings: `tests/configs/dft_tiny.yaml` (the `test` preset: 200 eV, a few relaxation steps).
This checks that every stage connects and every artifact is what it claims; physics is
validated elsewhere (test_physics_bulk.py) and in benchmarks.

The campaign runs in two steps, as a user asking for one system and then for the table would: first
one system's target (``results/thermo/Li-110/tc.json``), then the T_c table. The jobs of each step and
the files they leave say whether one target ran one system only.
"""

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from workflow_sandbox import jobs_with_wildcards, summary

pytestmark = [pytest.mark.gpaw, pytest.mark.workflow]

CONFIG = Path(__file__).resolve().parent / "configs" / "dft_tiny.yaml"
ONE, OTHER = "Li-110", "Li-111__graphene"
TABLE = "results/tables/critical_temperatures.csv"


def _snakemake(root, wd, *args, cores="2"):
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        *args,
        "-s",
        str(root / "Snakefile"),
        "-d",
        str(wd),
        "--cores",
        cores,
        "--configfile",
        str(CONFIG),
    ]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r.stdout + r.stderr


def _files(wd) -> dict[str, int]:
    """Every file under results/ and logs/ with its modification time (ns)."""
    return {
        str(p.relative_to(wd)): p.stat().st_mtime_ns
        for top in ("results", "logs")
        for p in (wd / top).rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def campaign(root, tmp_path_factory):
    wd = tmp_path_factory.mktemp("wf_dft")
    first = jobs_with_wildcards(_snakemake(root, wd, f"results/thermo/{ONE}/tc.json"))
    after_first = _files(wd)
    planned = summary(_snakemake(root, wd, TABLE, "--summary"))
    second = jobs_with_wildcards(_snakemake(root, wd, TABLE))
    return SimpleNamespace(
        wd=wd, first=first, after_first=after_first, planned=planned, second=second, after_second=_files(wd)
    )


@pytest.fixture(scope="module")
def tiny_run(campaign):
    return campaign.wd


def test_tc_json_for_isolated_slab_and_refused_interface(tiny_run):
    for system in ("Li-110", "Li-111__graphene"):
        tc = json.loads((tiny_run / "results" / "thermo" / system / "tc.json").read_text())
        for key in ("Tc_11_K", "Tc_12_K", "Omega_11_eV", "Omega_12_eV", "z_11", "z_12", "classification"):
            assert key in tc
        assert tc["provenance"]["versions"]["gpaw"]
        assert (tiny_run / "results" / "thermo" / system / "binodal.png").stat().st_size > 1000
    # the interface breaks the single-image rule within max_area_A2: it fails alone, named
    g = json.loads((tiny_run / "results/thermo/Li-111__graphene/tc.json").read_text())
    assert g["status"] == "failed" and g["reason"].startswith("Li-111__graphene:") and "single-image" in g["reason"]
    li = json.loads((tiny_run / "results/thermo/Li-110/tc.json").read_text())
    assert li["status"] == "ok" and (li["z_11"], li["z_12"]) == (4, 2)
    # one (11) and one (12) pair class; at the test preset's 4 steps a relaxation may stop unconverged,
    # and a pair resting on it is left out of <omega> (thermo.include_flagged: false): T_c is then null
    # with the reason naming the configuration
    flagged = set(li["not_converged"]) | set(li["relocated"])
    for t in ("11", "12"):
        if li[f"Tc_{t}_K"] is None:
            assert li[f"n_pairs_{t}"] == 0 and any(c in li[f"reason_{t}"] for c in flagged), li
        else:
            assert li[f"Tc_{t}_K"] >= 0 and li[f"n_pairs_{t}"] == 1
    assert li["n_pairs_11"] + li["n_pairs_12"] + li["n_pairs_excluded"] == 2
    assert li["classification"] in ("resistant", "partially resistant", "prone") or li["classification"].startswith(
        "undetermined"
    )


def test_energies_are_real_gpaw_zero_smearing_energies(tiny_run):
    r = json.loads((tiny_run / "results/dft/Li-110/pristine/result.json").read_text())
    assert r["energy_kind"].startswith("GPAW energy extrapolated")
    assert r["energy_eV"] != r["free_energy_eV"]  # -TS differs with 0.1 eV smearing
    assert r["natoms"] == 24 and r["provenance"]["config"]["preset"]["ecut_eV"] == 200  # 2x2 x 2 atoms x 3 planes
    pairs = pd.read_csv(tiny_run / "results/thermo/Li-110/pairs.csv")
    assert set(pairs.type.astype(str)) == {"11", "12"}
    # ω recomputed from the stored energies
    row = pairs.iloc[0]
    assert row.omega_eV == pytest.approx(row.E_i_eV + row.E_j_eV - r["energy_eV"] - row.E_ij_eV)


def test_vacancy_jobs_start_from_relaxed_pristine(tiny_run):
    from ase.io import read

    pristine = read(tiny_run / "results/dft/Li-110/pristine/final.extxyz")
    vac = json.loads((tiny_run / "results/dft/Li-110/v_2/result.json").read_text())
    assert vac["removed"] == [2] and vac["natoms"] == len(pristine) - 1
    # a vacancy in a Li(110) slab relaxes locally: no atom hops (relocation diagnostic)
    assert 0 <= vac["max_displacement_A"] < 0.4 * vac["metal_nn_distance_A"] and vac["relocated"] is False
    tc = json.loads((tiny_run / "results/thermo/Li-110/tc.json").read_text())
    assert tc["relocated"] == []


def test_table_has_one_row_per_system(tiny_run):
    df = pd.read_csv(tiny_run / TABLE)
    assert list(df.system) == ["Li-110", "Li-111__graphene"]
    g = df.set_index("system").loc["Li-111__graphene"]
    assert g.status == "failed" and "single-image" in g.reason


def test_one_target_runs_one_system(campaign):
    """Asking for Li-110's tc.json runs Li-110's chain and nothing of the other system: every job is
    Li-110's (or the Li bulk reference it is built from), every configuration of Li-110 was relaxed once,
    and no file of Li-111__graphene or of the table exists; Snakemake's summary of the table then
    reports Li-110's files done and the other system's missing."""
    ran = campaign.first
    for rule, wildcards in ran:
        if rule == "bulk_reference":
            assert wildcards == {"phase": "Li", "xc": "PBE"}, (rule, wildcards)
        else:
            assert wildcards.get("system") == ONE, (rule, wildcards)
    configs = json.loads((campaign.wd / f"results/interfaces/{ONE}/configurations.json").read_text())
    vacancies = sorted(c["id"] for c in configs["configurations"] if c["id"] != "pristine")
    assert vacancies, configs
    relaxed = sorted(w["config_id"] for r, w in ran if r == "relax_vacancy")
    assert relaxed == vacancies
    assert [r for r, _ in ran].count("relax_pristine") == 1
    assert {r for r, _ in ran} == {
        "bulk_reference",
        "build_system",
        "relax_pristine",
        "relax_vacancy",
        "vacancy_thermo",
    }
    assert not [f for f in campaign.after_first if OTHER in f or "graphene" in f], campaign.after_first
    assert TABLE not in campaign.after_first
    # Snakemake's own account, before the table is asked for
    plan = campaign.planned
    assert plan[f"results/thermo/{ONE}/tc.json"]["status"] == "ok"
    assert plan[f"results/thermo/{ONE}/tc.json"]["plan"] == "no update"
    for f in (
        f"results/thermo/{OTHER}/tc.json",
        f"results/interfaces/{OTHER}/configurations.json",
        "results/bulk/graphene_PBE.json",
        TABLE,
    ):
        assert plan[f]["status"] == "missing" and plan[f]["plan"] == "update pending", (f, plan[f])


def test_the_table_then_runs_only_what_is_missing(campaign, root):
    """The table's run adds the other system and the table, and leaves every file of the first run as it
    was (no Li-110 job repeated); a further run has nothing to do."""
    first = {(r, tuple(sorted(w.items()))) for r, w in campaign.first}
    second = {(r, tuple(sorted(w.items()))) for r, w in campaign.second}
    assert not first & second, first & second
    assert {r for r, _ in campaign.second} == {
        "bulk_reference",
        "build_system",
        "vacancy_thermo",
        "beef_uncertainty",
        "critical_temperature_table",
    }
    for rule, wildcards in campaign.second:
        if rule in ("build_system", "vacancy_thermo"):
            assert wildcards["system"] == OTHER, (rule, wildcards)
    touched = {f for f, t in campaign.after_first.items() if campaign.after_second.get(f) != t}
    assert not touched, f"files of the first run rewritten by the second: {sorted(touched)}"
    out = _snakemake(root, campaign.wd, TABLE, "-n", cores="1")
    assert "Nothing to be done" in out
