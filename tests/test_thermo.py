"""The pair-model bookkeeping is exact: synthetic energies with known ε give back ω, Ω, T_c."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from anodeflow.constants import KB_EV_PER_K
from anodeflow.interfaces import sites, structures
from anodeflow.thermo import pair_model as thermo
from anodeflow.thermo import vacancies as vacancy_thermo

ROOT = Path(__file__).resolve().parents[1]


def pair_model_energy(atoms, removed, eps, shells):
    """E = Σ over nearest (11) and (12) bonds of the tag1/tag2 lattice of ε(s_a, s_b), s = O or V.

    ``eps[t]`` = (ε_OO, ε_VO, ε_VV) for bond type t; images counted, as in the enumeration."""
    tags = atoms.get_tags()
    t1, t2 = np.flatnonzero(tags == 1), np.flatnonzero(tags == 2)
    vac = set(removed)
    E = 0.0
    for t, members, d0 in (("11", t1, shells["11"]), ("12", t2, shells["12"])):
        for i in t1:
            d = sites._image_distances(atoms, i, members)
            if t == "11":
                d[members == i, (d.shape[1] - 1) // 2] = np.inf
            for j, row in zip(members, d):
                nb = int((row <= d0 + sites.SHELL_TOL_A).sum())
                si, sj = i in vac, j in vac
                e = eps[t][si + sj]
                E += nb * e * (0.5 if t == "11" else 1.0)  # 11 bonds are seen from both ends
    return E


@pytest.mark.parametrize("facet", [(1, 0, 0), (1, 1, 0), (1, 1, 1)])
def test_pair_model_recovers_omega_Omega_Tc_exactly(facet):
    slab = structures.metal_slab("Li", facet, 3.44, 4, 2, 10.0, 15.0)
    enum = sites.enumerate_vacancies(slab)
    eps = {"11": (-0.31, -0.12, -0.02), "12": (-0.27, -0.10, -0.05)}  # ω = 0.09, 0.12 eV
    omega_true = {t: 2 * e[1] - e[2] - e[0] for t, e in eps.items()}
    shells = {"11": enum.d_11_A, "12": enum.d_12_A}
    energies = {c["id"]: pair_model_energy(slab, c["removed"], eps, shells) for c in enum.configurations()}
    summary, pairs, site_df = vacancy_thermo.system_thermo(enum.to_dict(), energies, mu_metal=-1.9)
    for t in ("11", "12"):
        np.testing.assert_allclose(pairs[pairs.type == t].omega_eV, omega_true[t], rtol=0, atol=1e-12)
        z = getattr(enum, f"z_{t}")
        assert summary[f"Omega_{t}_eV"] == pytest.approx(z / 2 * omega_true[t], abs=1e-12)
        assert summary[f"Tc_{t}_K"] == pytest.approx(z * omega_true[t] / (4 * KB_EV_PER_K), abs=1e-9)


def test_negative_Omega_gives_zero_Tc_and_flags():
    s = thermo.pair_model_summary(
        [{"type": "11", "multiplicity": 2, "omega_eV": -0.05}, {"type": "12", "multiplicity": 1, "omega_eV": 2.0}], 4, 4
    )
    assert s["Tc_11_K"] == 0.0 and s["no_miscibility_gap_11"]
    assert s["Tc_12_K"] > 1e4 and s["Tc_12_above_flag"]
    assert s["classification"] == "partially resistant"


def test_multiplicity_weighted_mean():
    assert thermo.weighted_mean_omega([0.1, 0.4], [3, 1]) == pytest.approx(0.175)


@pytest.mark.parametrize(
    "tc11,tc12,cls", [(100, 200, "resistant"), (100, 400, "partially resistant"), (500, 400, "prone")]
)
def test_classification(tc11, tc12, cls):
    assert thermo.classify(tc11, tc12, 300) == cls


def test_binodal_is_common_tangent_and_closes_at_Tc():
    om = 0.08
    tc = thermo.critical_temperature(om)
    T = np.array([0.2, 0.5, 0.8, 0.95]) * tc
    x = thermo.binodal(om, T)
    # zero slope of Δg at x and 1 − x (symmetric model): chemical potentials equal
    for xi, Ti in zip(x, T):
        h = 1e-7
        slope = (thermo.mixing_free_energy(xi + h, Ti, om) - thermo.mixing_free_energy(xi - h, Ti, om)) / (2 * h)
        assert abs(slope) < 1e-6
    assert np.all(np.diff(x) > 0)  # the gap narrows as T rises
    assert np.isnan(thermo.binodal(om, [1.01 * tc])[0])


# --- flagged configurations (methods §6): left out of ⟨ω⟩ by default.
# Hand-made system: tag1 orbit {0, 2, 3} (site 0), tag2 site 1; (11) pairs (0,2) x1 and (0,3) x3, (12) pair (0,1) x4.
# E_0 = -100, E_v0 = -97, E_v1 = -96.5 eV;
#   ω(0,2) = -97 - 97 + 100 + 94.2 = 0.2 eV;  ω(0,3) = -97 - 97 + 100 + 93.5 = -0.5 eV;
#   ω(0,1) = -97 - 96.5 + 100 + 93.6 = 0.1 eV.
# With vv_0_3 relocated: ⟨ω⟩_11 = 0.2 eV (one pair), T_c,11 = z ⟨ω⟩/(4 k_B) = 4 (0.2)/(4 k_B) = 0.2/k_B;
# averaged in: ⟨ω⟩_11 = (1 (0.2) + 3 (-0.5))/4 = -0.325 eV (T_c,11 = 0).
HAND_ENUM = {
    "sites": [
        {"index": 0, "tag": 1, "multiplicity": 3, "orbit": [0, 2, 3]},
        {"index": 1, "tag": 2, "multiplicity": 1, "orbit": [1]},
    ],
    "pairs": [
        {"i": 0, "j": 2, "type": "11", "multiplicity": 1, "distance_A": 3.4},
        {"i": 0, "j": 3, "type": "11", "multiplicity": 3, "distance_A": 3.4},
        {"i": 0, "j": 1, "type": "12", "multiplicity": 4, "distance_A": 3.0},
    ],
    "z_11": 4,
    "z_12": 4,
}
HAND_E = {"pristine": -100.0, "v_0": -97.0, "v_1": -96.5, "vv_0_2": -94.2, "vv_0_3": -93.5, "vv_0_1": -93.6}


def test_relocated_configuration_is_left_out_of_mean_omega():
    s, pairs, _ = vacancy_thermo.system_thermo(HAND_ENUM, HAND_E, -1.9, flagged={"vv_0_3"})
    assert s["mean_omega_11_eV"] == pytest.approx(0.2, abs=1e-12)
    assert s["Tc_11_K"] == pytest.approx(0.2 / KB_EV_PER_K, abs=1e-9)
    assert s["mean_omega_12_eV"] == pytest.approx(0.1, abs=1e-12)
    assert (s["n_pairs_11"], s["n_pairs_12"], s["n_pairs_excluded"]) == (1, 1, 1)
    assert list(pairs.excluded) == [False, True, False]
    assert pairs.omega_eV.iloc[1] == pytest.approx(-0.5, abs=1e-12)  # still reported per pair
    inc, _, _ = vacancy_thermo.system_thermo(HAND_ENUM, HAND_E, -1.9, flagged={"vv_0_3"}, include_flagged=True)
    assert inc["mean_omega_11_eV"] == pytest.approx(-0.325, abs=1e-12) and inc["Tc_11_K"] == 0.0
    assert inc["n_pairs_excluded"] == 0


def test_no_pair_left_gives_null_Tc_with_reason():
    # v_1 not converged: the only (12) pair rests on it
    s, _, sites_df = vacancy_thermo.system_thermo(HAND_ENUM, HAND_E, -1.9, flagged={"v_1"})
    assert s["Tc_12_K"] is None and s["n_pairs_12"] == 0 and "v_1" in s["reason_12"] and "T_c,12" in s["reason"]
    assert s["Tc_11_K"] is not None and s["classification"].startswith("undetermined")
    assert list(sites_df.flagged) == [False, True]
    # a flagged pristine slab takes every pair with it
    s0, _, _ = vacancy_thermo.system_thermo(HAND_ENUM, HAND_E, -1.9, flagged={"pristine"})
    assert s0["Tc_11_K"] is None and s0["Tc_12_K"] is None and s0["n_pairs_excluded"] == 3


def test_thermo_job_excludes_relocated_by_default(tmp_path):
    """The vacancy verb reads the relocation flags from result.json and applies thermo.include_flagged."""
    import json

    from anodeflow.io import read_json
    from anodeflow.thermo import jobs

    conf = tmp_path / "configurations.json"
    conf.write_text(json.dumps({"system": "X-100", "status": "ok", **HAND_ENUM}))
    bulk = tmp_path / "bulk.json"
    bulk.write_text(json.dumps({"energy_per_atom_eV": -1.9}))
    results = []
    for cid, e in HAND_E.items():
        p = tmp_path / f"{cid}.json"
        p.write_text(
            json.dumps(
                {
                    "config_id": cid,
                    "energy_eV": e,
                    "converged": True,
                    "relocated": cid == "vv_0_3",
                    "xc": "PBE",
                    "energy_kind": "extrapolated",
                }
            )
        )
        results.append(str(p))
    for include, expected in ((False, 0.2), (True, -0.325)):
        out = {k: str(tmp_path / f"{k}_{include}") for k in ("tc", "pairs", "sites", "plot")}
        cfg = {"thermo": {"classification_T_K": 300, "tc_flag_K": 1e4, "include_flagged": include}}
        jobs.main(
            [
                "vacancy",
                "--config",
                json.dumps(cfg),
                "--configurations",
                str(conf),
                "--bulk",
                str(bulk),
                "--tc",
                out["tc"] + ".json",
                "--pairs",
                out["pairs"] + ".csv",
                "--sites",
                out["sites"] + ".csv",
                "--plot",
                out["plot"] + ".png",
                "--results",
                *results,
            ]
        )
        tc = read_json(out["tc"] + ".json")
        assert tc["mean_omega_11_eV"] == pytest.approx(expected, abs=1e-12)
        assert tc["relocated"] == ["vv_0_3"] and tc["n_pairs_excluded"] == (0 if include else 1)


def test_tc_table_carries_beef_error_bars_and_says_when_there_are_none():
    """The T_c table takes each system's error bar from its beef.json: the ensemble standard deviation
    of T_c per type where BEEF-vdW was used; none (with the reason) for PBE; none for an undefined T_c."""
    tcs = [
        {"system": "Li-110_BEEF-vdW", "status": "ok", "Tc_11_K": 900.0, "Tc_12_K": None},
        {"system": "Li-110", "status": "ok", "Tc_11_K": 800.0, "Tc_12_K": 300.0},
    ]
    beefs = [
        {
            "system": "Li-110_BEEF-vdW",
            "ensemble": {"size": 500, "seed": 0},
            "types": {"11": {"Tc_K": {"std": 120.0, "q16": 790.0, "q84": 1030.0}}, "12": {"Tc_K": {"std": 40.0}}},
        },
        {"system": "Li-110", "ensemble": None, "note": "PBE: no BEEF ensemble exists for this functional"},
    ]
    df = vacancy_thermo.critical_temperature_table(tcs, [], beefs).set_index("system")
    assert df.loc["Li-110_BEEF-vdW", "Tc_11_err_K"] == 120.0
    # the 16-84 % interval beside it (T_c >= 0 makes the ensemble skewed near Omega = 0)
    assert (df.loc["Li-110_BEEF-vdW", "Tc_11_q16_K"], df.loc["Li-110_BEEF-vdW", "Tc_11_q84_K"]) == (790.0, 1030.0)
    assert pd.isna(df.loc["Li-110_BEEF-vdW", "Tc_12_err_K"])  # T_c,12 undefined: no error bar
    assert "BEEF-vdW ensemble" in df.loc["Li-110_BEEF-vdW", "Tc_err_source"]
    assert pd.isna(df.loc["Li-110", "Tc_11_err_K"]) and "PBE" in df.loc["Li-110", "Tc_err_source"]


def test_tc_table_job_writes_the_cutoff_column(tmp_path):
    """The table job (the rule's command) adds 'cutoff' from its config: the note of a system run below an
    element's dft.min_ecut_eV, 'ok' for the others."""
    from anodeflow.io import write_json
    from anodeflow.thermo import jobs

    tcs, beefs, descs = [], [], []
    for sid in ("Li-110", "Li-110__LiF-100"):
        write_json(tmp_path / f"{sid}_desc.json", {"system": sid})
        descs.append(str(tmp_path / f"{sid}_desc.json"))
        write_json(tmp_path / f"{sid}_tc.json", {"system": sid, "status": "ok", "Tc_11_K": 800.0, "Tc_12_K": 300.0})
        write_json(tmp_path / f"{sid}_beef.json", {"system": sid, "ensemble": None, "note": "PBE"})
        tcs.append(str(tmp_path / f"{sid}_tc.json"))
        beefs.append(str(tmp_path / f"{sid}_beef.json"))
    note = "below dft.min_ecut_eV (not converged): F needs 500 eV: ecut_eV 200"
    cfg = {"systems": ["Li-110", "Li-110__LiF-100"], "cutoff": {"Li-110": "ok", "Li-110__LiF-100": note}}
    out = tmp_path / "critical_temperatures.csv"
    jobs.main(["table", "--config", json.dumps(cfg), "--tc", *tcs, "--descriptors", *descs, "--beef", *beefs, "--conv",
               "--out", str(out)])  # fmt: skip
    df = pd.read_csv(out).set_index("system")
    assert df.loc["Li-110", "cutoff"] == "ok" and df.loc["Li-110__LiF-100", "cutoff"] == note


def test_convergence_spread_over_largest_settings():
    """tc_spread: per parameter, max − min of T_c over the n largest settings (the base system at the
    preset's value included), combined in quadrature; an undefined T_c is left out."""
    from anodeflow.thermo import convergence

    rows = [
        ("metal_layers", 4, 500.0, 100.0),
        ("metal_layers", 5, 430.0, 110.0),
        ("kpt_density", 3.0, 470.0, None),
        ("kpt_density", 4.0, 445.0, 130.0),
    ]
    df = pd.DataFrame([{"parameter": p, "value": v, "Tc_11_K": a, "Tc_12_K": b} for p, v, a, b in rows])
    base = {"Tc_11_K": 440.0, "Tc_12_K": 120.0}  # preset: metal_layers 6, kpt_density 2.0
    preset = {"metal_layers": 6, "kpt_density": 2.0}
    s = convergence.tc_spread(df, base, preset, n_last=2)
    # metal_layers: settings 5, 6 -> 430, 440 (10 K); kpt_density: 3.0, 4.0 -> 470, 445, and the preset's
    # own 2.0 (440 K: the value the error bar belongs to) is below them: 440 .. 470 (30 K)
    assert s["parameters_11"]["metal_layers"]["settings"] == [5.0, 6.0]
    assert s["parameters_11"]["kpt_density"]["settings"] == [2.0, 3.0, 4.0]
    assert s["Tc_11_conv_err_K"] == pytest.approx((10.0**2 + 30.0**2) ** 0.5)
    # type 12: metal_layers 110, 120 (10 K); kpt_density: 3.0 undefined, 2.0 (120) and 4.0 (130): 10 K
    assert s["parameters_12"]["kpt_density"]["spread_K"] == pytest.approx(10.0)
    assert s["Tc_12_conv_err_K"] == pytest.approx(200.0**0.5)
    s3 = convergence.tc_spread(df, base, preset, n_last=3)
    assert s3["parameters_11"]["metal_layers"]["spread_K"] == pytest.approx(70.0)  # 4, 5, 6: 500 .. 430


def test_convergence_settings_that_built_the_same_cell_count_once():
    """The single-image rule makes in-plane lengths 9, 10 (preset) and 12 A the same 45-atom 3x3 cell: one
    calculation, not a converged pair of settings. With 6 A also 45 atoms there is one distinct setting
    and no spread (0 K would claim a converged result); with 6 A a 27-atom cell the spread is 6 vs 12."""
    from anodeflow.thermo import convergence

    def study(natoms_6):
        rows = [(6.0, natoms_6, 500.0), (9.0, 45, 455.0), (12.0, 45, 455.0)]
        return pd.DataFrame(
            [
                {
                    "parameter": "inplane_min_length_A",
                    "value": v,
                    "natoms": n,
                    "area_A2": 5.0 * n,
                    "Tc_11_K": tc,
                    "Tc_12_K": None,
                }
                for v, n, tc in rows
            ]
        )

    base, preset = {"Tc_11_K": 455.0, "Tc_12_K": None}, {"inplane_min_length_A": 10.0}
    one = convergence.tc_spread(study(45), base, preset, n_last=2, base_cell=(45, 225.0))
    part = one["parameters_11"]["inplane_min_length_A"]
    assert part["spread_K"] is None and "same cell" in part["reason"]
    assert part["same_cell"] == {"12.0": [6.0, 9.0, 10.0]}
    assert one["Tc_11_conv_err_K"] is None
    two = convergence.tc_spread(study(27), base, preset, n_last=2, base_cell=(45, 225.0))
    part = two["parameters_11"]["inplane_min_length_A"]
    assert part["settings"] == [6.0, 12.0] and part["spread_K"] == pytest.approx(45.0)
    # metal_layers always changes natoms; k-point density never changes the cell: not merged
    k = pd.DataFrame(
        [
            {"parameter": "kpt_density", "value": v, "natoms": 45, "area_A2": 225.0, "Tc_11_K": tc, "Tc_12_K": None}
            for v, tc in ((3.0, 470.0), (4.0, 445.0))
        ]
    )
    spread = convergence.tc_spread(k, base, {"kpt_density": 4.0}, 2, (45, 225.0))
    assert spread["Tc_11_conv_err_K"] == pytest.approx(25.0)


def test_tc_table_convergence_error_only_where_configured():
    tcs = [
        {"system": "Li-110", "status": "ok", "Tc_11_K": 800.0, "Tc_12_K": 300.0},
        {"system": "Na-110", "status": "ok", "Tc_11_K": 700.0, "Tc_12_K": None},
    ]
    spreads = [
        {
            "system": "Na-110",
            "n_last": 2,
            "Tc_11_conv_err_K": 35.0,
            "Tc_12_conv_err_K": 12.0,
            "parameters_11": {"metal_layers": {}},
            "parameters_12": {"metal_layers": {}},
        }
    ]
    df = vacancy_thermo.critical_temperature_table(tcs, [], [], spreads).set_index("system")
    assert df.loc["Na-110", "Tc_11_conv_err_K"] == 35.0
    assert pd.isna(df.loc["Na-110", "Tc_12_conv_err_K"])  # T_c,12 undefined
    assert "metal_layers" in df.loc["Na-110", "Tc_conv_err_source"]
    assert pd.isna(df.loc["Li-110", "Tc_11_conv_err_K"])
    assert "not in convergence.systems" in df.loc["Li-110", "Tc_conv_err_source"]


def test_report_tc_table_shows_error_bars(tmp_path):
    from anodeflow.report.tables import csv_to_html, with_error_bars

    df = pd.DataFrame(
        [
            {
                "system": "Li-110_BEEF-vdW",
                "status": "ok",
                "Tc_11_K": 412.3,
                "Tc_12_K": None,
                "Tc_11_err_K": 30.2,
                "Tc_12_err_K": None,
                "Tc_11_conv_err_K": 12.0,
                "Tc_12_conv_err_K": None,
            },
            {
                "system": "Li-110",
                "status": "ok",
                "Tc_11_K": 800.0,
                "Tc_12_K": 300.0,
                "Tc_11_err_K": None,
                "Tc_12_err_K": None,
                "Tc_11_conv_err_K": None,
                "Tc_12_conv_err_K": 5.0,
            },
        ]
    )
    out = with_error_bars(df)
    assert list(out.columns[:4]) == ["system", "status", "T_c,11 (K)", "T_c,12 (K)"]
    assert out["T_c,11 (K)"].tolist() == ["412 ± 30 (BEEF) ± 12 (conv)", "800"]
    assert out["T_c,12 (K)"].tolist() == ["–", "300 ± 5 (conv)"]
    csv = tmp_path / "critical_temperatures.csv"
    df.to_csv(csv, index=False)
    csv_to_html(csv, tmp_path / "t.html", "t", "", "{:.3g}")
    assert "412 ± 30 (BEEF) ± 12 (conv)" in (tmp_path / "t.html").read_text()


def test_convergence_job_spec_is_the_config_s_variants_preset_and_spread_settings():
    """The convergence rule's spec is built in the package (anodeflow.systems): every value of every
    parameter of config 'convergence' as one variant, the active preset without execution keys."""
    from anodeflow import config as afconfig
    from anodeflow import systems as afsystems

    cfg = afconfig.load(ROOT / "config" / "config.yaml", ROOT / "config" / "quick.yaml")
    cfg["convergence"] = {
        **cfg.get("convergence", {}),
        "inplane_min_length_A": [12.0],
        "metal_layers": [6, 7],
        "kpt_density": [],
        "spread_settings": 3,
    }
    spec = afsystems.convergence_job_spec(cfg, "Li-100")
    assert [v[1:] for v in spec["variants"]] == [
        ["inplane_min_length_A", 12.0],
        ["metal_layers", 6],
        ["metal_layers", 7],
    ]
    assert all(v[0].startswith("Li-100") and v[0] != "Li-100" for v in spec["variants"])
    assert len({v[0] for v in spec["variants"]}) == 3
    assert spec["preset"] == afsystems.science(afsystems.preset(cfg)) and "ntasks" not in spec["preset"]
    assert spec["spread_settings"] == 3


def test_convergence_command_merges_the_base_cell(tmp_path):
    """The convergence rule's command line (workflow/rules/convergence.smk) end to end on files: the
    in-plane variant at 12 A built the base system's 45-atom cell, so it is the same calculation and the
    study gives no in-plane spread; metal layers 6 (a new cell) against the preset's 5 gives 40 K."""
    import json

    from anodeflow.thermo import jobs as thermo_jobs

    def put(name, obj):
        p = tmp_path / name
        p.write_text(json.dumps(obj))
        return str(p)

    base = put("base.json", {"Tc_11_K": 455.0, "Tc_12_K": 300.0})
    bd = put("base_desc.json", {"natoms": 45, "area_A2": 106.5})
    v1 = put("v1.json", {"mean_omega_11_eV": 0.1, "Tc_11_K": 455.0, "Tc_12_K": 300.0})
    d1 = put("d1.json", {"natoms": 45, "area_A2": 106.5})
    v2 = put("v2.json", {"mean_omega_11_eV": 0.1, "Tc_11_K": 495.0, "Tc_12_K": 310.0})
    d2 = put("d2.json", {"natoms": 54, "area_A2": 106.5})
    spec = {
        "variants": [["Li-100_l12", "inplane_min_length_A", 12.0], ["Li-100_m6", "metal_layers", 6]],
        "preset": {"inplane_min_length_A": 10.0, "metal_layers": 5},
        "spread_settings": 2,
    }
    out = tmp_path / "spread.json"
    thermo_jobs.main(
        [
            "convergence",
            "--system",
            "Li-100",
            "--spec",
            json.dumps(spec),
            "--base",
            base,
            "--base-descriptors",
            bd,
            "--variants",
            v1,
            v2,
            "--descriptors",
            d1,
            d2,
            "--csv",
            str(tmp_path / "omega.csv"),
            "--plot",
            str(tmp_path / "omega.png"),
            "--spread",
            str(out),
        ]
    )
    s = json.loads(out.read_text())
    assert s["parameters_11"]["inplane_min_length_A"]["spread_K"] is None
    assert s["parameters_11"]["metal_layers"]["spread_K"] == pytest.approx(40.0)
    assert s["Tc_11_conv_err_K"] == pytest.approx(40.0) and s["Tc_12_conv_err_K"] == pytest.approx(10.0)
