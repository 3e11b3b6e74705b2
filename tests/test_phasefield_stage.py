"""The phase-field stage standalone (config overrides only): its jobs, the temperature analysis and the
phase map, the command line, and the rules through Snakemake."""

import json
import math
from dataclasses import astuple

import numpy as np
import pandas as pd
import pytest

from anodeflow import config as afconfig
from anodeflow.phasefield import energy_balance, inputs, jobs
from anodeflow.phasefield.model import UnstableStepError
from anodeflow.phasefield.phase_map import phase_map_axes


@pytest.fixture()
def cfg(root):
    return afconfig.load(root / "config" / "config.yaml", root / "tests" / "configs" / "pf_standalone.yaml")


def _outputs(d):
    return {
        "csv": d / "texture.csv",
        "json_out": d / "texture.json",
        "snapshots": d / "snapshots.png",
        "animation": d / "animation.gif",
        "frames": d / "frames.npz",
    }


@pytest.mark.slow
def test_standalone_run_writes_every_output(cfg, tmp_path):
    assert inputs.needed_inputs(cfg, "Li") == {"surfaces": False, "barriers": False}
    s = jobs.grain_selection(cfg, "Li", "liquid", **_outputs(tmp_path))
    for f in (
        "texture.csv",
        "texture.json",
        "snapshots.png",
        "animation.gif",
        "frames.npz",
        "texture.csv.provenance.json",
    ):
        assert (tmp_path / f).stat().st_size > 0, f
    tex = pd.read_csv(tmp_path / "texture.csv")
    t = tex[tex.axis == "time"]
    # physical time: t_end_s null runs until the domain is filled, top_rows row periods dx/v_dep after the last row
    v = s["calibration"]["deposition_velocity_um_s"]
    assert v == pytest.approx(1.35e-3, rel=0.005)  # Li at 1 mA/cm^2
    assert s["calibration"]["row_period_s"] == pytest.approx(0.5 / v)
    assert t.value.iloc[-1] == pytest.approx(s["n_steps"] * s["dt_s"], abs=s["dt_s"])
    assert t.value.iloc[-1] > (24 - 8) * 0.5 / v  # at least the rows above the seed layer (<= 8 rows)
    fr = t[["frac_001", "frac_101", "frac_111"]].to_numpy()
    assert np.allclose(fr[1:].sum(axis=1), 1.0)
    j = json.loads((tmp_path / "texture.json").read_text())
    assert j["winner"] in ("001", "101", "111")
    assert 0.0 <= j["selection_at_10pct"]["winner_fraction"] <= 1.0
    assert set(tex.axis) == {"time", "height", "front"}
    assert j["inputs"]["sources"]["E_a_101"].startswith("config phasefield.inputs.Li (")
    assert j["top_fractions"][j["winner"]] == max(j["top_fractions"].values())
    assert j["inputs"]["E_a_eV"] == {"001": 0.14, "101": 0.02, "111": 0.10}
    assert j["dt_s"] <= j["dt_bound_s"]
    assert j["params"]["dt"] == j["dt_s"] and j["params"]["nx"] == cfg["phasefield"]["grid"]["nx"]
    assert j["provenance"]["versions"]["numpy"]
    # the same seed gives the same texture (reproducible stage)
    (tmp_path / "again").mkdir()
    s2 = jobs.grain_selection(cfg, "Li", "liquid", **_outputs(tmp_path / "again"))
    assert s2["film_fractions"] == s["film_fractions"]


def test_unstable_step_is_refused_without_dt_auto(cfg, tmp_path):
    """dt_s given above the run's bound (Li at 1 mA/cm^2: the front mobility sets it below 1 s) and dt_auto off:
    refused before the run, stating the bound."""
    cfg["phasefield"]["dt_auto"] = False
    cfg["phasefield"]["dt_s"] = 100.0
    with pytest.raises(UnstableStepError, match="bound"):
        jobs.grain_selection(cfg, "Li", "liquid", **_outputs(tmp_path))


def test_missing_inputs_name_the_file_or_key(cfg):
    del cfg["phasefield"]["inputs"]["Li"]["E_a_eV"]["111"]
    assert inputs.needed_inputs(cfg, "Li")["barriers"]
    with pytest.raises(FileNotFoundError, match="barriers.csv"):
        inputs.resolve_inputs(cfg, "Li", "liquid")


def test_inputs_from_workflow_tables(cfg, tmp_path):
    cfg["phasefield"]["inputs"] = {}
    s = tmp_path / "s.csv"
    b = tmp_path / "b.csv"
    pd.DataFrame(
        {"facet": ["100", "110", "111", "110"], "strain": [0.0, 0.0, 0.0, -0.03], "E_s_J_m2": [0.45, 0.50, 0.55, 0.52]}
    ).to_csv(s, index=False)
    pd.DataFrame({"facet": ["100", "110", "111"], "E_a_eV": [0.05, 0.03, 0.3]}).to_csv(b, index=False)
    inp = inputs.resolve_inputs(cfg, "Li", "liquid", str(s), str(b))
    assert inp["E_s_J_m2"] == {"001": 0.45, "101": 0.50, "111": 0.55}  # (001) is the slab (100)
    assert inp["E_a_eV"] == {"001": 0.05, "101": 0.03, "111": 0.3}
    assert inp["sources"]["E_s_001"] == str(s) and inp["sources"]["E_a_111"] == str(b)
    with pytest.raises(KeyError, match="strain -0.03"):
        inputs.resolve_inputs(cfg, "Li", "solid", str(s), str(b))
    # a band that did not converge is no barrier: refused, naming the facet and the override key
    pd.DataFrame(
        {"facet": ["100", "110", "111"], "E_a_eV": [0.05, 0.03, 1.7], "converged": [True, True, False]}
    ).to_csv(b, index=False)
    with pytest.raises(ValueError, match=r"Li\(111\) did not converge.*phasefield.inputs.Li.E_a_eV.'111'"):
        inputs.resolve_inputs(cfg, "Li", "liquid", str(s), str(b))


def test_delta_U_matches_hand_calculation(cfg):
    """methods.md 8 numbers: L = h = 10 um, R = 0.001 um/s (the seed's value, ~0.74 mA/cm^2 of Li),
    sigma_y = 0.55 MPa, eps = 0.2, D0 = 1e-15 m^2/s, beta = 1 (the schema defaults of phasefield.film)."""
    from anodeflow.phasefield.calibration import deposition_velocity_um_s

    T = 300.0
    kB = 8.617333262e-5
    assert deposition_velocity_um_s("Li", 0.74) == pytest.approx(1e-3, rel=0.01)
    film = energy_balance.FilmConditions.from_config(cfg["phasefield"]["film"], 1e-3)
    assert astuple(film) == pytest.approx((1e-5, 1e-5, 1e-9, 0.55e6, 0.2, 1e-15, 1.0, True), rel=1e-12)
    d = energy_balance.delta_U(T, 0.46, 0.49, 0.14, 0.02, film)
    D1, D2 = 1e-15 * math.exp(-0.14 / (kB * T)), 1e-15 * math.exp(-0.02 / (kB * T))
    dF = 0.55e6 * 0.2 * (math.exp(-D1 / 1e-14) - math.exp(-D2 / 1e-14))
    assert float(d["dF_strain_J_m3"]) == pytest.approx(dF, rel=1e-5)
    assert float(d["dGamma_J_m3"]) == pytest.approx(-0.03 / 1e-5)
    assert float(d["dU_J_m3"]) == pytest.approx(dF - 3000.0, rel=1e-5)
    # without the strain term (phasefield.strain_drive false) only the surface term is left
    d0 = energy_balance.delta_U(
        T,
        0.46,
        0.49,
        0.14,
        0.02,
        energy_balance.FilmConditions.from_config(cfg["phasefield"]["film"], 1e-3, strain=False),
    )
    assert float(d0["dF_strain_J_m3"]) == 0.0 and float(d0["dU_J_m3"]) == pytest.approx(-3000.0)
    T = np.linspace(100, 600, 501)
    y = np.sin(T / 50.0)
    c = energy_balance.crossovers(T, y)
    assert c[0] == pytest.approx(50 * math.pi, abs=0.05)


@pytest.mark.slow
def test_temperature_and_phase_map_sweeps(cfg, tmp_path):
    pts = []
    for c in ("liquid", "solid"):
        for T in (250.0, 350.0):
            pts.append(tmp_path / f"T{c}{T:g}.json")
            d = jobs.temperature_point(cfg, "Li", T, pts[-1], condition=c)
            assert d["condition"] == c and d["front"][-1]["front_um"] > d["front"][0]["front_um"]
    df = jobs.temperature_analysis(cfg, pts, tmp_path / "ta.csv", tmp_path / "ta.png")
    assert set(df.source) == {"dU", "phasefield"}
    assert set(df[df.source == "dU"].condition) == {"liquid", "solid"}  # both conditions
    assert (tmp_path / "ta.png").stat().st_size > 0
    prov = json.loads((tmp_path / "ta.csv.provenance.json").read_text())
    # one Delta U curve per metal x condition x current density of the sweep (the strain term depends on v)
    jds = cfg["phasefield"]["temperature_analysis"]["current_densities_mA_cm2"]
    assert set(prov["crossover_T_K"]) == {f"Li {c} {jd:g}" for c in ("liquid", "solid") for jd in jds}
    j_run = f"{cfg['phasefield']['current_density_mA_cm2']:g}"  # the points above ran at the stage's j
    assert set(prov["phasefield_winners"][f"Li solid {j_run}"]) == {"250", "350"}
    A, B = phase_map_axes(cfg["phasefield"]["phase_map"])
    mp = []
    for i in range(len(A)):
        for j in range(len(B)):
            mp.append(tmp_path / f"p{i}{j}.json")
            jobs.phase_map_point(cfg, i, j, mp[-1])
    p01 = json.loads(mp[1].read_text())
    ref = cfg["phasefield"]["inputs"]["Li"]["E_s_J_m2"]["liquid"]["101"]
    assert p01["E_s_J_m2"]["001"] == pytest.approx(ref * (1 + A[0]))
    assert p01["E_a_eV"]["101"] == B[1] and p01["E_a_eV"]["001"] == 0.14
    pm = jobs.phase_map(cfg, mp, tmp_path / "pm.csv", tmp_path / "pm.png")
    assert len(pm) == len(A) * len(B)
    assert set(pm.winner) <= {"001", "101", "111"}
    assert np.allclose(pm[["frac_001", "frac_101", "frac_111"]].sum(axis=1), 1.0)
    # every metal x condition is marked at its own (anisotropy, E_a(101))
    markers = json.loads((tmp_path / "pm.csv.provenance.json").read_text())["markers"]
    liq = cfg["phasefield"]["inputs"]["Li"]["E_s_J_m2"]["liquid"]
    assert markers["Li liquid"] == pytest.approx([liq["001"] / liq["101"] - 1, 0.02])
    assert set(markers) == {"Li liquid", "Li solid"}


def test_command_line_reads_tables_given_per_metal(cfg, tmp_path):
    """The jobs' command line: --config JSON, tables as METAL=CSV (here the Li barriers come from a table)."""
    del cfg["phasefield"]["inputs"]["Li"]["E_a_eV"]["111"]
    b = tmp_path / "b.csv"
    pd.DataFrame({"facet": ["100", "110", "111"], "E_a_eV": [0.05, 0.03, 0.25]}).to_csv(b, index=False)
    out = tmp_path / "T300.json"
    jobs.main(
        [
            "temperature-point",
            "--config",
            json.dumps({"phasefield": cfg["phasefield"]}),
            "--metal",
            "Li",
            "--temperature",
            "300",
            "--barriers",
            f"Li={b}",
            "--out",
            str(out),
        ]
    )
    d = json.loads(out.read_text())
    assert d["T_K"] == 300.0 and d["inputs"]["E_a_eV"]["111"] == 0.25
    assert d["inputs"]["sources"]["E_a_111"] == str(b)
    with pytest.raises(SystemExit):
        jobs.main(
            [
                "temperature-point",
                "--config",
                "{}",
                "--metal",
                "Li",
                "--temperature",
                "300",
                "--barriers",
                str(b),
                "--out",
                str(out),
            ]
        )


def test_reference_barriers_are_the_workflows_and_literature_is_an_overlay(root):
    """The reference config gives no E_a: every orientation's barrier comes from the workflow's NEB;
    config/literature_barriers.yaml puts the methods.md values back, with their source."""
    ref = afconfig.load(root / "config" / "config.yaml")
    for m in ("Li", "Na"):
        assert "E_a_eV" not in ref["phasefield"]["inputs"].get(m, {})
        assert inputs.needed_inputs(ref, m)["barriers"]
    lit = afconfig.load(root / "config" / "config.yaml", root / "config" / "literature_barriers.yaml")
    ov = lit["phasefield"]["inputs"]
    assert ov["Li"]["E_a_eV"] == {"001": 0.14, "101": 0.02}
    assert ov["Na"]["E_a_eV"] == {"101": 0.04} and ov["K"]["E_a_eV"] == {"101": 0.02}
    assert inputs.needed_inputs(lit, "Li")["barriers"]  # (111) still from NEB
    assert "literature" in ov["Li"]["source"]
