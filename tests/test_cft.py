"""Capillary-fluctuation analysis: known stiffness recovered from synthetic spectra, height
extraction on a constructed surface, the no-fluctuation flag, and the CFT jobs on synthetic ribbons."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from anodeflow.cft import jobs, profiles, solid, spectrum
from anodeflow.config import SCHEMA_DIR
from anodeflow.constants import EV_PER_A2_IN_J_PER_M2, KB_EV_PER_K

#: schema defaults of config section cft (the one place they live)
CFT_SCHEMA = yaml.safe_load((SCHEMA_DIR / "cft.schema.yaml").read_text())
CFT_DEFAULTS = {k: v["default"] for k, v in CFT_SCHEMA["properties"].items() if isinstance(v, dict) and "default" in v}


def _fit(**over):
    """The fluctuation thresholds of capillary_stiffness at their schema defaults, with overrides."""
    return {**{k: CFT_DEFAULTS[k] for k in ("max_exponent", "max_rel_err", "min_signal_to_floor")}, **over}


@pytest.mark.parametrize("gamma,T,b,W,N", [(0.3, 350.0, 7.0, 300.0, 100), (0.12, 300.0, 12.0, 500.0, 128)])
def test_synthetic_capillary_profiles_give_back_the_stiffness(gamma, T, b, W, N):
    rng = np.random.default_rng(42)
    h_top = spectrum.synthetic_profiles(gamma, T, b, W, N, 1500, rng)
    h_bot = spectrum.synthetic_profiles(gamma, T, b, W, N, 1500, rng)
    n_modes = spectrum.n_fit_modes(W, 35.0, 8)
    r = spectrum.capillary_stiffness(h_top, h_bot, T, b, W, n_modes, 5, **_fit())
    assert r["fluctuating"]
    assert r["stiffness_J_m2"] == pytest.approx(gamma, rel=0.05)
    # the error bar is honest: the truth lies within 4 block standard errors
    assert abs(r["stiffness_J_m2"] - gamma) < 4 * r["stderr_J_m2"]
    assert r["exponent"] == pytest.approx(-2.0, abs=0.3)


def test_spectrum_normalisation_single_mode():
    """h = 2|A| cos(k x) on N bins gives <|A_k|^2> = |A|^2 at that k only (A_k = rfft/N)."""
    W, N, amp = 100.0, 50, 0.7
    x = (np.arange(N) + 0.5) * W / N
    k0 = 2 * np.pi * 3 / W
    h = 2 * amp * np.cos(k0 * x) + 5.0  # the mean is removed
    k, P = spectrum.capillary_spectrum(h[None, :], W)
    assert k[2] == pytest.approx(k0)
    assert P[2] == pytest.approx(amp**2)
    assert np.delete(P, 2).max() < 1e-20
    # and the stiffness conversion: <|A|^2> = kT/(b W g k^2) -> g
    g = spectrum.fit_stiffness(k[2:3], P[2:3], 300.0, 5.0, W, 1)["stiffness_J_m2"]
    assert g == pytest.approx(KB_EV_PER_K * 300.0 / (5.0 * W * amp**2 * k0**2) * EV_PER_A2_IN_J_PER_M2)


def test_white_noise_surface_is_flagged_not_fluctuating():
    """Uncorrelated atomic vibrations (flat spectrum): no capillary waves, no number."""
    rng = np.random.default_rng(1)
    h = rng.normal(scale=0.1, size=(800, 60))
    r = spectrum.capillary_stiffness(h, h[::-1].copy(), 300.0, 7.0, 200.0, 5, 4, **_fit())
    assert not r["fluctuating"]
    assert r["stiffness_J_m2"] is None and r["stderr_J_m2"] is None
    assert r["raw_stiffness_J_m2"] > 0  # the fit exists, but it is not reported as a stiffness


def _stepped_slab(profile_layers, a=3.5, ny=2, nz=8):
    """bcc(100) slab, x columns 0..len-1; column j has nz + profile_layers[j] (100) layers (spacing a/2).
    Returns positions, the exact top/bottom heights per column, Lx, Lz, z_mid."""
    pos, tops = [], []
    for j, extra in enumerate(profile_layers):
        nl = nz + extra
        for layer in range(nl):
            for iy in range(ny):
                # bcc (100) stacking: corner sites on even layers, centre sites on odd ones
                off = 0.5 * a * (layer % 2)
                pos.append([j * a + off, iy * a + off, layer * a / 2])
        tops.append((nl - 1) * a / 2)
    pos = np.array(pos)
    Lx, Lz = len(profile_layers) * a, 40.0 + nz * a
    return pos, np.array(tops), Lx, Lz


def test_height_extraction_on_a_constructed_surface():
    profile = [0, 0, 1, 2, 2, 1, 0, -1, -1, 0, 3, 0]
    pos, tops, Lx, Lz = _stepped_slab(profile)
    z_mid = 3.5  # inside every column
    solid = np.ones(len(pos), bool)
    ht, hb = profiles.surface_heights(pos, solid, Lx, len(profile), z_mid, Lz, n_top=1)
    np.testing.assert_allclose(ht, tops - z_mid, atol=1e-12)
    np.testing.assert_allclose(hb, -z_mid * np.ones(len(profile)), atol=1e-12)
    # n_top = 2 averages the two outermost atoms of each bin (same layer here: 2 atoms per layer per bin)
    ht2, _ = profiles.surface_heights(pos, solid, Lx, len(profile), z_mid, Lz, n_top=2)
    np.testing.assert_allclose(ht2, tops - z_mid, atol=1e-12)


def test_height_extraction_ignores_non_solid_atoms_and_unwraps_z():
    profile = [0] * 10
    pos, tops, Lx, Lz = _stepped_slab(profile)
    adatom = np.array([[3.5 * 4 + 0.1, 0.0, tops[0] + 2.0]])
    pos2 = np.vstack([pos, adatom])
    solid = np.r_[np.ones(len(pos), bool), False]
    ht, _ = profiles.surface_heights(pos2, solid, Lx, 10, 7.0, Lz)
    np.testing.assert_allclose(ht, tops - 7.0)
    # same slab shifted so that its lower part wraps across z = 0 of the periodic cell
    shifted = pos.copy()
    shifted[:, 2] = np.mod(shifted[:, 2] - 10.0, Lz)
    ht_s, hb_s = profiles.surface_heights(shifted, np.ones(len(pos), bool), Lx, 10, np.mod(7.0 - 10.0, Lz), Lz)
    np.testing.assert_allclose(ht_s, tops - 7.0, atol=1e-9)
    np.testing.assert_allclose(hb_s, -7.0, atol=1e-9)


def test_coordination_counts_bcc_shells():
    a = 3.5
    n = 3
    grid = np.array([[i, j, k] for i in range(n) for j in range(n) for k in range(n)], float) * a
    pos = np.vstack([grid, grid + a / 2])
    cn = profiles.coordination(pos, np.array([n * a] * 3), 0.5 * (1 + np.sqrt(2)) * a)
    assert np.all(cn == 14)  # 8 first + 6 second neighbours in bulk bcc


def test_a_single_white_run_gives_no_number_and_no_bound():
    """A smooth-looking facet from one short run: not fluctuating, no stiffness, and no bound either (a
    run not shown to be in equilibrium bounds nothing; methods §7.3)."""
    rng = np.random.default_rng(3)
    T, b, W, N = 350.0, 8.0, 150.0, 35
    h = rng.normal(scale=0.6, size=(600, N))
    r = spectrum.capillary_stiffness(h, rng.normal(scale=0.6, size=(600, N)), T, b, W, 5, 5, **_fit())
    assert not r["fluctuating"] and r["stiffness_J_m2"] is None
    assert not any("bound" in key for key in r)
    assert not hasattr(spectrum, "stiffness_lower_bound")


def test_molten_ribbon_criterion():
    """Values measured on Li q-SNAP ribbons (a = 3.52 A): 560 K molten, 500 K solid."""
    molten = solid.molten
    assert molten(98.6, 0.0045, 3.533)  # 560 K: diffused far, no bcc left
    assert not molten(1.73, 0.148, 3.523)  # 500 K: vibrational plateau
    assert not molten(20.0, 0.30, 3.52)  # partly molten: bcc order left, no liquid tension
    assert not molten(float("nan"), 0.0, 3.52)


def _synthetic_ribbon(
    path, gamma=0.3, T=350.0, b=7.0, W=300.0, N=100, nframes=400, msd=0.5, msd_rate=0.0, bcc=0.8, seed=7
):
    """Capillary surfaces of stiffness ``gamma``; interior MSD = msd + msd_rate t (A^2, t in ps)."""
    rng = np.random.default_rng(seed)
    np.savez(
        path,
        h_top=spectrum.synthetic_profiles(gamma, T, b, W, N, nframes, rng),
        h_bot=spectrum.synthetic_profiles(gamma, T, b, W, N, nframes, rng),
        W_A=W,
        b_A=b,
        a_A=3.5,
        bcc_interior=np.full(nframes, bcc),
        msd_interior_A2=msd + msd_rate * 0.1 * np.arange(nframes),
        natoms=1234,
        prod_ps=40.0,
        dt_ps=0.1,
        chunks=1,
        imposed_amplitude_A=0.0,
        start="flat",
    )
    return path


def _liquid_csv(path, Ts=(350.0, 600.0), rate=1.6):
    """Bulk-liquid MSD rates (liquid_msd.csv of md_thermal_expansion) at ``Ts``."""
    pd.DataFrame({"T_K": list(Ts), "msd_rate_xz_A2_per_ps": rate, "bcc_fraction": 0.0}).to_csv(path, index=False)
    return str(path)


@pytest.mark.slow
def test_ribbon_stiffness_and_stiffness_table_verbs(reference_config, tmp_path):
    """The CFT jobs through their command line: a capillary ribbon gives back its stiffness, a molten one
    (interior MSD growing at ~the liquid's rate, no bcc) none; the table has the documented columns and the plot
    is written."""
    from anodeflow.md.settings import job_config

    cfg = json.dumps(job_config(reference_config, "stiffness", "Li"))
    solid_npz = [_synthetic_ribbon(tmp_path / f"solid{i}.npz", seed=7 + i) for i in range(2)]
    hot = [_synthetic_ribbon(tmp_path / f"hot{i}.npz", msd=1.0, msd_rate=1.5, bcc=0.0, seed=9 + i) for i in range(2)]
    liquid = _liquid_csv(tmp_path / "liquid_msd.csv")
    for name, npz, T in (("100_350K.json", solid_npz, "350"), ("110_600K.json", hot, "600")):
        jobs.main(
            [
                "ribbon-stiffness",
                "--metal",
                "Li",
                "--facet",
                name[:3],
                "--T",
                T,
                "--b",
                "2",
                "--config",
                cfg,
                "--flat",
                str(npz[0]),
                "--rough",
                str(npz[1]),
                "--liquid",
                liquid,
                "--out",
                str(tmp_path / name),
            ]
        )
    r = json.loads((tmp_path / "100_350K.json").read_text())
    assert r["solid"] and r["status"] == "equilibrated" and r["two_start_agree"]
    assert r["stiffness_J_m2"] == pytest.approx(0.3, rel=0.15)
    assert r["provenance"]["config"]["cft"]["n_blocks"] == CFT_DEFAULTS["n_blocks"]
    m = json.loads((tmp_path / "110_600K.json").read_text())
    assert not m["solid"] and m["status"] == "melted" and m["stiffness_J_m2"] is None
    assert m["liquid_surface_tension_J_m2"] is not None
    jobs.main(
        [
            "stiffness-table",
            "--config",
            json.dumps({"cft": reference_config["cft"]}),
            "--out-csv",
            str(tmp_path / "stiffness.csv"),
            "--out-png",
            str(tmp_path / "stiffness.png"),
            str(tmp_path / "110_600K.json"),
            str(tmp_path / "100_350K.json"),
        ]
    )
    df = pd.read_csv(tmp_path / "stiffness.csv", dtype={"facet": str})
    assert list(df.columns[: len(jobs.STIFFNESS_COLUMNS)]) == jobs.STIFFNESS_COLUMNS
    assert list(zip(df.facet, df.T_K)) == [("100", 350.0), ("110", 600.0)]
    assert (tmp_path / "stiffness.png").stat().st_size > 1000
    assert (tmp_path / "stiffness.csv.provenance.json").is_file()


def test_the_stiffness_job_config_holds_everything_the_analysis_reads(reference_config, tmp_path):
    """cft_job on the job's config (that metal's fit keys only) gives what it gives on the whole config."""
    from anodeflow.md.settings import job_config

    npz = _synthetic_ribbon(tmp_path / "r.npz")
    liquid = _liquid_csv(tmp_path / "liquid_msd.csv")
    whole = jobs.cft_job("Na", "100", 350.0, 2, reference_config, npz, npz, tmp_path / "a.json", liquid)
    part = jobs.cft_job(
        "Na", "100", 350.0, 2, job_config(reference_config, "stiffness", "Na"), npz, npz, tmp_path / "b.json", liquid
    )
    whole.pop("provenance"), part.pop("provenance")
    assert whole == part
