"""The real path: GPAW on tiny systems through Snakemake to tc.json (no mocked energies).

Settings: `tests/configs/dft_tiny.yaml` (the `test` preset: 200 eV, a few relaxation steps): Li(100) and Na(100)
slabs and a Na(111) slab refused by the single-image rule within the area bound. This checks that every stage
connects and every artifact is what it claims; physics is validated elsewhere (test_physics_bulk.py) and in
benchmarks.

The campaign (tests/conftest.py::dft_campaign, shared with test_provenance and test_workflow_reruns) runs
in two steps, as a user asking for one system and then for the table would: first one system's target
(``results/thermo/Li-100_BEEF-vdW/tc.json``), then the T_c table. The jobs of each step and the files they leave say
whether one target ran one system only.
"""

import json

import pandas as pd
import pytest

from conftest import DFT_ONE as ONE
from conftest import DFT_OTHERS as OTHERS
from conftest import DFT_TABLE as TABLE

pytestmark = [pytest.mark.gpaw, pytest.mark.workflow]

REFUSED = "Na-111"


@pytest.fixture(scope="module")
def campaign(dft_campaign):
    return dft_campaign


@pytest.fixture(scope="module")
def tiny_run(campaign):
    return campaign.sb


def test_tc_json_for_isolated_slab_and_refused_system(tiny_run):
    for system in (ONE, *OTHERS):
        tc = json.loads((tiny_run / "results" / "thermo" / system / "tc.json").read_text())
        for key in ("Tc_11_K", "Tc_12_K", "Omega_11_eV", "Omega_12_eV", "z_11", "z_12", "classification"):
            assert key in tc
        assert tc["provenance"]["versions"]["gpaw"]
        assert (tiny_run / "results" / "thermo" / system / "binodal.png").stat().st_size > 1000
    # Na(111) cannot meet the single-image rule (every lattice vector longer than 2 d_max) within
    # max_area_A2: it fails alone, named, with the area it would need
    g = json.loads((tiny_run / f"results/thermo/{REFUSED}/tc.json").read_text())
    assert g["status"] == "failed" and g["reason"].startswith(f"{REFUSED}:"), g
    assert "max_area_A2 = 170" in g["reason"] and "2 (d_max" in g["reason"], g["reason"]
    li = json.loads((tiny_run / f"results/thermo/{ONE}/tc.json").read_text())
    # bcc(100): 4 in-plane (11) neighbours at a, 4 across planes (12) at a*sqrt(3)/2
    assert li["status"] == "ok" and (li["z_11"], li["z_12"]) == (4, 4)
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
    r = json.loads((tiny_run / f"results/dft/{ONE}/pristine/result.json").read_text())
    assert r["energy_kind"].startswith("GPAW energy extrapolated")
    assert r["energy_eV"] != r["free_energy_eV"]  # -TS differs with 0.1 eV smearing
    assert r["natoms"] == 27 and r["provenance"]["config"]["preset"]["ecut_eV"] == 200  # 3x3 x 3 planes
    pairs = pd.read_csv(tiny_run / f"results/thermo/{ONE}/pairs.csv")
    assert set(pairs.type.astype(str)) == {"11", "12"}
    # BEEF-vdW: the relax job's non-self-consistent ensemble energies, and the ensemble's spread on T_c
    assert r.get("beef_nsc_eV"), "no BEEF-vdW ensemble contributions in the relax result"
    beef = json.loads((tiny_run / f"results/analysis/{ONE}/beef.json").read_text())
    assert beef["ensemble"]["size"] == 500, beef
    assert all(d["Tc_K"]["std"] >= 0 for d in beef["types"].values()), beef["types"]
    pbe = json.loads((tiny_run / "results/analysis/Na-100/beef.json").read_text())
    assert pbe["ensemble"] is None and "no BEEF ensemble" in pbe["note"]
    # ω recomputed from the stored energies
    row = pairs.iloc[0]
    assert row.omega_eV == pytest.approx(row.E_i_eV + row.E_j_eV - r["energy_eV"] - row.E_ij_eV)


def test_vacancy_jobs_start_from_relaxed_pristine(tiny_run):
    from ase.io import read

    pristine = read(tiny_run / f"results/dft/{ONE}/pristine/final.extxyz")
    vac = json.loads((tiny_run / f"results/dft/{ONE}/v_2/result.json").read_text())
    assert vac["removed"] == [2] and vac["natoms"] == len(pristine) - 1
    # a vacancy in a Li(100) slab relaxes locally: no atom hops (relocation diagnostic)
    assert 0 <= vac["max_displacement_A"] < 0.4 * vac["metal_nn_distance_A"] and vac["relocated"] is False
    tc = json.loads((tiny_run / f"results/thermo/{ONE}/tc.json").read_text())
    assert tc["relocated"] == []


def test_table_has_one_row_per_system(tiny_run):
    df = pd.read_csv(tiny_run / TABLE)
    assert sorted(df.system) == sorted([ONE, *OTHERS])
    g = df.set_index("system").loc[REFUSED]
    assert g.status == "failed" and "max_area_A2" in g.reason


def test_one_target_runs_one_system(campaign):
    """Asking for Li-100_BEEF-vdW's tc.json runs its chain and nothing of the other systems: every job is
    Li-100_BEEF-vdW's (or the Li bulk reference it is built from), every configuration of it was relaxed once,
    and no file of Na-100, Na-111 or of the table exists; Snakemake's summary of the table then
    reports its files done and the other systems' missing."""
    ran = campaign.first
    for rule, wildcards in ran:
        if rule == "bulk_reference":
            assert wildcards == {"phase": "Li", "xc": "BEEF-vdW"}, (rule, wildcards)
        else:
            assert wildcards.get("system") == ONE, (rule, wildcards)
    configs = json.loads((campaign.sb / f"results/interfaces/{ONE}/configurations.json").read_text())
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
    strays = [f for f in campaign.after_first if any(o in f for o in OTHERS) or "Na" in f]
    assert not strays, strays
    assert TABLE not in campaign.after_first
    # Snakemake's own account, before the table is asked for
    plan = campaign.planned
    assert plan[f"results/thermo/{ONE}/tc.json"]["status"] == "ok"
    assert plan[f"results/thermo/{ONE}/tc.json"]["plan"] == "no update"
    for f in (
        *[f"results/thermo/{o}/tc.json" for o in OTHERS],
        *[f"results/interfaces/{o}/configurations.json" for o in OTHERS],
        "results/bulk/Na_PBE.json",
        TABLE,
    ):
        assert plan[f]["status"] == "missing" and plan[f]["plan"] == "update pending", (f, plan[f])


def test_the_table_then_runs_only_what_is_missing(campaign):
    """The table's run adds the other systems and the table, and leaves every file of the first run as it
    was (no Li job repeated); a further run has nothing to do."""
    first = {(r, tuple(sorted(w.items()))) for r, w in campaign.first}
    second = {(r, tuple(sorted(w.items()))) for r, w in campaign.second}
    assert not first & second, first & second
    assert {r for r, _ in campaign.second} == {
        "bulk_reference",
        "build_system",
        "relax_pristine",
        "relax_vacancy",
        "vacancy_thermo",
        "beef_uncertainty",
        "critical_temperature_table",
    }
    for rule, wildcards in campaign.second:
        if rule in ("build_system", "relax_pristine", "relax_vacancy", "vacancy_thermo"):
            assert wildcards["system"] in OTHERS, (rule, wildcards)
        if rule == "bulk_reference":
            assert wildcards["phase"] != "Li", (rule, wildcards)
    touched = {f for f, t in campaign.after_first.items() if campaign.after_second.get(f) != t}
    assert not touched, f"files of the first run rewritten by the second: {sorted(touched)}"
    assert "Nothing to be done" in campaign.noop_out
