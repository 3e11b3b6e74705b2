"""The `validation` preset (config/validation.yaml) is valid, builds the cells its docs promise, and the
validation benchmark reads a system's results into its row."""

import importlib.util
import json
from pathlib import Path

import pytest

from anodeflow import config as afc
from anodeflow import systems as afsystems

ROOT = Path(__file__).resolve().parents[1]


def _bench():
    spec = importlib.util.spec_from_file_location("validation_isolated", ROOT / "benchmarks" / "validation_isolated.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_validation_preset_cells():
    cfg = afc.load(ROOT / "config" / "config.yaml", ROOT / "config" / "validation.yaml")
    p = afsystems.preset(cfg)
    assert cfg["precision"] == "validation" and p["ecut_eV"] == 250 and p["ntasks"] == 2
    assert (p["metal_layers"], p["fixed_layers"], p["fmax_slab"]) == (5, 2, 0.05)
    assert list(afsystems.systems(cfg)) == ["Li-100", "Na-100"]
    cells = _bench().planned_cells(["Li-100", "Na-100"])
    for s, c in cells.items():
        assert c["natoms"] == 45 and c["repeat"] == [3, 3] and tuple(c["kpts"]) == (2, 2, 1), (s, c)
        assert len(c["configurations"]) == 5


def test_validation_row_from_results(tmp_path):
    d = tmp_path / "results"
    (d / "thermo" / "Li-100").mkdir(parents=True)
    (d / "interfaces" / "Li-100").mkdir(parents=True)
    (d / "benchmarks" / "dft" / "Li-100").mkdir(parents=True)
    (d / "benchmarks" / "bulk").mkdir(parents=True)
    (d / "thermo" / "Li-100" / "tc.json").write_text(
        json.dumps(
            {
                "mean_omega_11_eV": 0.05,
                "mean_omega_12_eV": -0.01,
                "Tc_11_K": 580.2,
                "Tc_12_K": 0.0,
                "z_11": 4,
                "z_12": 4,
                "n_pairs_11": 1,
                "n_pairs_12": 1,
                "n_pairs_excluded": 0,
                "all_converged": True,
                "classification": "partially resistant",
            }
        )
    )
    (d / "interfaces" / "Li-100" / "descriptors.json").write_text(json.dumps({"natoms": 45, "repeat": [3, 3]}))
    (d / "interfaces" / "Li-100" / "configurations.json").write_text(json.dumps({"configurations": [{}] * 5}))
    for name, sec in (("dft/Li-100/pristine.tsv", 100.0), ("dft/Li-100/v_4.tsv", 50.5), ("bulk/Li_PBE.tsv", 30.0)):
        (d / "benchmarks" / name).write_text(f"s\th:m:s\n{sec}\t0:00:00\n")
    row = _bench().system_row(tmp_path, "Li-100", 1234.56, 0)
    assert row["omega_11_eV"] == 0.05 and row["Tc_11_K"] == 580.2 and row["natoms"] == 45
    assert row["n_configurations"] == 5 and row["repeat"] == "3x3" and row["wall_s"] == pytest.approx(1234.6)
    assert row["dft_job_s"] == pytest.approx(150.5) and row["bulk_job_s"] == pytest.approx(30.0)
