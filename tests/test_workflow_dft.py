"""The real path: GPAW on tiny systems through Snakemake to tc.json (no mocked energies).

Settings: `tests/configs/dft_tiny.yaml` (the `test` preset: 200 eV, a few relaxation steps).
This checks that every stage connects and every artifact is what it claims; physics is
validated elsewhere (test_physics_bulk.py) and in benchmarks.
"""
import json
import subprocess
import sys

import pandas as pd
import pytest

pytestmark = [pytest.mark.gpaw, pytest.mark.workflow]


@pytest.fixture(scope="module")
def tiny_run(root, tmp_path_factory):
    wd = tmp_path_factory.mktemp("wf_dft")
    cmd = [sys.executable, "-m", "snakemake", "results/tables/critical_temperatures.csv",
           "-s", str(root / "Snakefile"), "-d", str(wd), "--cores", "2",
           "--configfile", str(root / "tests" / "configs" / "dft_tiny.yaml")]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return wd


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
    assert li["classification"] in ("resistant", "partially resistant", "prone") or \
        li["classification"].startswith("undetermined")


def test_energies_are_real_gpaw_zero_smearing_energies(tiny_run):
    r = json.loads((tiny_run / "results/dft/Li-110/pristine/result.json").read_text())
    assert r["energy_kind"].startswith("GPAW energy extrapolated")
    assert r["energy_eV"] != r["free_energy_eV"]        # -TS differs with 0.1 eV smearing
    assert r["natoms"] == 24 and r["provenance"]["config"]["preset"]["ecut_eV"] == 200   # 2x2 x 2 atoms x 3 planes
    pairs = pd.read_csv(tiny_run / "results/thermo/Li-110/pairs.csv")
    assert set(pairs.type.astype(str)) == {"11", "12"}
    # ω recomputed from the stored energies
    row = pairs.iloc[0]
    assert row.omega_eV == pytest.approx(row.E_i_eV + row.E_j_eV - json.loads(
        (tiny_run / "results/dft/Li-110/pristine/result.json").read_text())["energy_eV"] - row.E_ij_eV)


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
    df = pd.read_csv(tiny_run / "results/tables/critical_temperatures.csv")
    assert list(df.system) == ["Li-110", "Li-111__graphene"]
    g = df.set_index("system").loc["Li-111__graphene"]
    assert g.status == "failed" and "single-image" in g.reason


def test_nothing_left_to_do_and_one_target_runs_one_system(root, tiny_run):
    base = [sys.executable, "-m", "snakemake", "-s", str(root / "Snakefile"), "-d", str(tiny_run), "--cores", "1",
            "--configfile", str(root / "tests" / "configs" / "dft_tiny.yaml")]
    r = subprocess.run(base[:3] + ["results/tables/critical_temperatures.csv", "-n"] + base[3:],
                       capture_output=True, text=True)
    assert "Nothing to be done" in r.stdout + r.stderr
