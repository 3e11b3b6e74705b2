"""MD stage: hysteresis analysis (pure), the config the jobs read, the job verbs, restartable phases and
tiny real LAMMPS runs for Li and Na."""

import copy
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from anodeflow import config as afconfig
from anodeflow import potentials as afpot
from anodeflow.md import bulk, jobs, ribbon, settings
from anodeflow.md.engine import Phase, run_phases
from anodeflow.md.lattice import orientation, spacing_factors
from anodeflow.md.runtime import make_lammps

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared" / "potentials").resolve()


@pytest.fixture(scope="module")
def cfg():
    c = afconfig.load(ROOT / "config" / "config.yaml", ROOT / "tests" / "configs" / "md_local_potentials.yaml")
    c["potentials"]["Na"]["local_dir"] = str(SHARED)
    return c


@pytest.fixture(scope="module")
def pots(cfg, tmp_path_factory):
    wd = tmp_path_factory.mktemp("pots")
    return {m: afpot.resolve(m, cfg, workdir=wd) for m in ("Li", "Na")}


def _ribbon_settings(**kw):
    """Ribbon settings of the tiny test ribbons: cft/md schema defaults, 2 fs, the sizes given."""
    base = dict(
        b=2,
        anchor_k_eV_A2=1.0,
        bins_per_spacing=1,
        cn_min=6,
        orientations={},
        timestep_fs=2.0,
        checkpoint_every=5000,
        omp_threads=1,
        rough_factor=4,
        gamma_guess_J_m2=0.5,
        min_wavelength_spacings=1,
        max_modes=8,
    )
    if "prod_ps" in kw and "max_prod_ps" not in kw:
        kw["max_prod_ps"] = kw["prod_ps"]
    return ribbon.RibbonSettings(**{**base, **kw})


def _schema_defaults(schema: dict, prefix=()) -> dict:
    """{key path: default} of every property with a default, nested objects included."""
    out = {}
    for k, sub in schema.get("properties", {}).items():
        if "default" in sub:
            out[prefix + (k,)] = sub["default"]
        out.update(_schema_defaults(sub, prefix + (k,)))
    return out


def _get(d, path):
    for k in path:
        d = d[k]
    return d


@pytest.mark.parametrize("files", [["config.yaml"], ["config.yaml", "quick.yaml"]])
def test_validate_fills_the_md_and_cft_defaults(files):
    """anodeflow.config.validate fills the schema defaults of the $ref'd md and cft sections (also nested
    ones, e.g. md.melting.fit_fraction, md.ntasks.ribbon): the jobs read them without fallbacks."""
    raw = {}
    for f in files:
        afconfig._deep_update(raw, yaml.safe_load((ROOT / "config" / f).read_text()))
    for sec in ("md", "cft"):
        defaults = _schema_defaults(yaml.safe_load((afconfig.SCHEMA_DIR / f"{sec}.schema.yaml").read_text()))
        assert defaults
        stripped = copy.deepcopy(raw)
        for path in sorted(defaults, key=len, reverse=True):  # drop every defaulted key the files set
            try:
                _get(stripped[sec], path[:-1]).pop(path[-1], None)
            except (KeyError, AttributeError):
                pass
        c = afconfig.validate(stripped)
        for path, value in defaults.items():
            if not any(q[: len(path)] == path and q != path for q in defaults):  # leaves (md.ntasks holds 3)
                assert _get(c[sec], path) == value, (sec, path)
        # and the files' own values are kept
        c = afconfig.validate(copy.deepcopy(raw))
        for path in defaults:
            try:
                given = _get(raw[sec], path)
            except KeyError:
                continue
            got = _get(c[sec], path)
            if isinstance(given, dict) and isinstance(got, dict):  # an object: the given keys kept, defaults added
                assert {k: got[k] for k in given} == given, (sec, path)
            else:
                assert got == given, (sec, path)


def test_a0_comes_from_config_and_a_missing_one_names_the_key(cfg):
    assert settings.a0("Li", cfg) == cfg["metals"]["Li"]["a0_A"]
    with pytest.raises(afconfig.ConfigError, match=r"metals\.K\.a0_A"):
        settings.a0("K", cfg)


def test_ribbon_settings_apply_the_per_metal_overrides(cfg):
    c = afconfig.load(
        ROOT / "config" / "config.yaml",
        ROOT / "config" / "quick.yaml",
        ROOT / "tests" / "configs" / "md_local_potentials.yaml",
    )
    na, li = settings.ribbon_settings("Na", c, 1, "rough"), settings.ribbon_settings("Li", c)
    assert (na.length_A, na.slab_A, na.prod_ps, na.max_prod_ps, na.sample_ps) == (150, 25, 200, 600, 0.5)
    assert (na.b, na.start, na.gamma_guess_J_m2) == (1, "rough", 0.5)
    assert (li.length_A, li.slab_A, li.prod_ps, li.sample_ps) == (c["cft"]["length_A"], 17, 6, 0.1)
    assert settings.cft_settings("Li", c)["b_spacings"] == [2]
    assert settings.cft_settings("Na", c)["b_spacings"] == [1, 2]
    # a per-metal steps override is merged key by key
    li_steps = settings.cft_settings("Li", c)["steps"]
    assert li_steps["facets"] == [] and "length_A" in li_steps
    assert li.timestep_fs == c["md"]["timestep_fs"]["Li"] and li.checkpoint_every == c["md"]["checkpoint_every"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        li.length_A = 1.0


def test_job_config_is_the_metal_s_part_without_execution_keys(cfg):
    """What a job reads: its metal only, no launcher/ntasks; the job functions read the same values from it."""
    c = afconfig.load(
        ROOT / "config" / "config.yaml",
        ROOT / "config" / "quick.yaml",
        ROOT / "tests" / "configs" / "md_local_potentials.yaml",
    )
    for kind in settings.JOB_KINDS:
        jc = settings.job_config(c, kind, "Na")
        text = json.dumps(jc)
        assert '"Li"' not in text and "launcher" not in text and "ntasks" not in text, (kind, text)
    mel, exp, rib = (settings.job_config(c, k, "Na") for k in ("melting", "expansion", "ribbon"))
    assert settings.a0("Na", mel) == settings.a0("Na", c) and mel["md"]["melting"] == {
        **c["md"]["melting"],
        "T_range_K": {"Na": c["md"]["melting"]["T_range_K"]["Na"]},
    }
    # quick: ribbons (and steps) at 0.7 and 0.85 of the metal's Tm (coexistence, else hysteresis), whole K
    melting = {"metal": "Na", "Tm_K": 444.0, "Tm_coexistence_K": 455.4}
    assert (
        settings.expansion_temperatures("Na", exp, melting)
        == settings.expansion_temperatures("Na", c, melting)
        == [200.0, 319.0, 387.0]
    )
    hysteresis_only = {"metal": "Na", "Tm_K": 444.0, "Tm_coexistence_K": None}
    assert settings.cft_temperatures("Na", c, hysteresis_only) == [311.0, 377.0]
    with pytest.raises(afconfig.ConfigError, match="no melting point"):
        settings.cft_temperatures("Na", c, {"metal": "Na", "Tm_K": None})
    assert settings.ribbon_settings("Na", rib, 2, "flat") == settings.ribbon_settings("Na", c, 2, "flat")
    assert settings.ribbon_seed(rib, "110", 350.0) == settings.ribbon_seed(c, "110", 350.0) == c["md"]["seed"] + 110350
    assert settings.ribbon_seed(c, "110", 350.0, 2, "rough") == c["md"]["seed"] + 110350 + 200007
    assert settings.md_subset("Na", mel, "melting")["potential"] == c["potentials"]["Na"]
    # execution settings, another metal's settings and the fit thresholds do not touch a ribbon's config
    other = copy.deepcopy(c)
    other["md"]["ntasks"]["ribbon"] = 8
    other["md"]["launcher"] = "srun -n {ntasks}"
    other["md"]["timestep_fs"]["Li"] = 0.5
    other["cft"]["per_metal"]["Li"] = {"length_A": 99}
    other["cft"]["max_rel_err"] = 0.1
    other["potentials"]["Li"]["citation"] = "changed"
    for kind in ("melting", "expansion", "ribbon"):
        assert settings.job_config(other, kind, "Na") == settings.job_config(c, kind, "Na"), kind
    assert settings.job_config(other, "stiffness", "Na") != settings.job_config(c, "stiffness", "Na")
    # ribbon temperatures are read by the expansion job (a(T) at each of them)
    other["cft"]["T_over_Tm"] = [0.8]
    assert settings.job_config(other, "expansion", "Na") != settings.job_config(c, "expansion", "Na")


def test_ribbon_targets_and_labels(cfg):
    c = copy.deepcopy(cfg)
    c["md"]["metals"] = ["Na"]
    c["cft"].update(facets=["100"], T_K={"Na": [300, 412.5], "Li": [300]}, T_over_Tm=None, b_spacings=[1, 3])
    assert settings.ribbon_targets(c) == [
        ("Na", "100", 1, "300"),
        ("Na", "100", 1, "412.5"),
        ("Na", "100", 3, "300"),
        ("Na", "100", 3, "412.5"),
    ]
    c["cft"]["T_over_Tm"] = [0.5]
    assert settings.ribbon_targets(c, lambda m: {"Tm_coexistence_K": 400.4}) == [
        ("Na", "100", 1, "200"),
        ("Na", "100", 3, "200"),
    ]
    assert settings.step_targets(c, lambda m: {"Tm_coexistence_K": 400.4}) == [
        ("Na", "110", "001", "200"),
        ("Na", "110", "1-10", "200"),
    ]


def test_plot_verbs_write_the_figures(tmp_path):
    T = np.linspace(300, 700, 41)
    np.savez(
        tmp_path / "ramps.npz",
        heat_T_set=T,
        heat_pe=-1 + 1e-4 * T + 0.05 * (T > 600),
        cool_T_set=T[::-1],
        cool_pe=-0.95 + 1e-4 * T[::-1] - 0.05 * (T[::-1] < 400),
    )
    (tmp_path / "melting.json").write_text(
        json.dumps({"metal": "Li", "Tm_K": 500.0, "T_plus_K": 600.0, "T_minus_K": 400.0, "Tm_experiment_K": 453.65})
    )
    jobs.main(
        [
            "melting-plot",
            "--npz",
            str(tmp_path / "ramps.npz"),
            "--json",
            str(tmp_path / "melting.json"),
            "--out",
            str(tmp_path / "melting.png"),
        ]
    )
    pd.DataFrame(
        {"metal": "Li", "T_K": [300.0, 350.0, 420.0], "a_A": [3.49, 3.497, 3.509], "a_stderr_A": [1e-3, 1e-3, 2e-3]}
    ).to_csv(tmp_path / "te.csv", index=False)
    jobs.main(["expansion-plot", "--csv", str(tmp_path / "te.csv"), "--out", str(tmp_path / "te.png")])
    for f in ("melting.png", "te.png"):
        assert (tmp_path / f).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from anodeflow.md.plots import linear_expansion_coefficient

    assert linear_expansion_coefficient([300, 400], [3.50, 3.5175]) == pytest.approx(0.0175 / 100 / 3.50875)
    assert linear_expansion_coefficient([300], [3.5]) is None


def test_job_verbs_refuse_missing_options():
    for argv in (["melting", "--metal", "Li"], ["ribbon", "--metal", "Li", "--config", "{}"], ["nonsense"]):
        with pytest.raises(SystemExit):
            jobs.main(argv)


def test_hysteresis_on_constructed_ramps():
    """Solid line e = -1 + 1e-4 T, liquid 0.06 eV higher: jumps at 500 K (heating) and 300 K (cooling)."""
    rng = np.random.default_rng(0)
    Th = np.linspace(200, 700, 501)
    Tc = Th[::-1]
    sol, liq = -1 + 1e-4 * Th, -0.94 + 1e-4 * Th
    eh = np.where(Th < 500, sol, liq) + rng.normal(0, 1e-3, Th.size)
    ec = np.where(Tc > 300, -0.94 + 1e-4 * Tc, -1 + 1e-4 * Tc) + rng.normal(0, 1e-3, Tc.size)
    r = bulk.hysteresis_temperatures(Th, eh, Tc, ec, 0.2)
    assert r["T_plus_K"] == pytest.approx(500, abs=3)
    assert r["T_minus_K"] == pytest.approx(300, abs=3)
    assert r["latent_heat_eV_per_atom"] == pytest.approx(0.06, abs=0.005)
    tm = bulk.melting_temperature(r["T_plus_K"], r["T_minus_K"])
    assert tm == pytest.approx(500 + 300 - np.sqrt(500 * 300), abs=4)
    # no crystallisation on cooling: T- and Tm are not invented
    r2 = bulk.hysteresis_temperatures(Th, eh, Tc, -0.94 + 1e-4 * Tc, 0.2)
    assert r2["T_minus_K"] is None and bulk.melting_temperature(r2["T_plus_K"], None) is None


def test_a_of_T_interpolates_and_extrapolates():
    tab = pd.DataFrame({"T_K": [300.0, 100.0, 200.0], "a_A": [3.51, 3.47, 3.49]})
    assert bulk.a_of_T(tab, 250.0) == pytest.approx(3.50)
    assert bulk.a_of_T(tab, 400.0) == pytest.approx(3.53)


def test_orientations_are_right_handed_and_commensurate():
    expected = {"100": [1, 1, 1], "110": [1, np.sqrt(2), np.sqrt(2)], "111": [np.sqrt(2), np.sqrt(6), np.sqrt(3)]}
    for f, s in expected.items():
        x, y, z = orientation(f)
        assert np.dot(x, y) == 0 and sorted(map(abs, z)) == sorted(int(c) for c in f)
        np.testing.assert_allclose(spacing_factors(f), s)
    with pytest.raises(ValueError, match="cft.orientations.110"):
        orientation("110", {"110": {"x": [1, 0, 0], "y": [0, 1, 0]}})


@pytest.mark.lammps
def test_phases_restart_after_a_kill(pots, tmp_path):
    """A run killed mid-phase continues from the LAMMPS restart file: same step count and samples."""
    pot = pots["Na"]
    setup = [
        "units metal",
        "lattice bcc 4.25",
        "region b block 0 3 0 3 0 3",
        "create_box 1 b",
        "create_atoms 1 box",
        *pot.lammps_commands(mass=True),
        "timestep 0.002",
        "thermo 10",
        "velocity all create 300 5 mom yes rot no",
    ]
    after = [*pot.lammps_commands(mass=True), "timestep 0.002", "thermo 10"]

    def phases():
        smp = lambda lmp: {"step": lmp.get_thermo("step"), "pe": lmp.get_thermo("pe")}  # noqa: E731
        return [
            Phase("eq", 40, ["fix t all nvt temp 300 300 0.1"], ["unfix t"]),
            Phase("ramp", 120, ["fix t all nvt temp 300 400 0.1"], ["unfix t"], 20, smp),
        ]

    class KilledError(Exception):
        pass

    def kill(name, done, n):
        if name == "ramp" and done == 80:
            raise KilledError

    lmp = make_lammps()
    with pytest.raises(KilledError):
        run_phases(lmp, tmp_path / "job", setup, after, phases(), checkpoint_every=30, on_step=kill)
    lmp.close()
    state = (tmp_path / "job" / "state.json").read_text()
    assert '"phase": 1' in state and len(list((tmp_path / "job").glob("md.*.restart"))) == 1
    lmp = make_lammps()
    out = run_phases(lmp, tmp_path / "job", setup, after, phases(), checkpoint_every=30)
    final_step = lmp.get_thermo("step")
    lmp.close()
    assert final_step == 160
    steps = out["ramp"]["step"]
    # samples at 60 (kept from before the kill, checkpointed at 70) and then 80..160 after the restart
    np.testing.assert_array_equal(steps, [60, 80, 100, 120, 140, 160])
    assert np.all(np.isfinite(out["ramp"]["pe"]))
    # other settings in the same work folder: not resumed from the old state
    lmp = make_lammps()
    ph = phases()
    ph[1].nsteps = 60
    out2 = run_phases(lmp, tmp_path / "job", setup, after, ph, checkpoint_every=30)
    lmp.close()
    np.testing.assert_array_equal(out2["ramp"]["step"], [60, 80, 100])


@pytest.mark.lammps
@pytest.mark.parametrize("metal,a0", [("Li", 3.45), ("Na", 4.25)])
def test_tiny_expansion_and_melting_runs(pots, tmp_path, metal, a0):
    """Real NPT runs on 16 atoms: a(T) near the 0 K value, ramps produce samples at the set points."""
    r = bulk.expansion_run(
        pots[metal],
        a0,
        bulk.NPTRun(
            cells=2,
            T_K=200.0,
            equil_ps=0.02,
            prod_ps=0.1,
            dt_fs=2.0,
            seed=11,
            sample_every=10,
            checkpoint_every=5000,
            omp_threads=1,
        ),
        tmp_path / "exp",
    )
    a, da = bulk.lattice_constant(r["vol"])
    assert a == pytest.approx(a0, rel=0.03) and np.isfinite(da)
    m = bulk.melting_run(
        pots[metal],
        a0,
        bulk.MeltingRamp(
            cells=2,
            T_min_K=200.0,
            T_max_K=300.0,
            rate_K_per_ps=1000.0,
            hold_ps=0.02,
            dt_fs=2.0,
            seed=11,
            sample_every=10,
            checkpoint_every=5000,
            omp_threads=1,
        ),
        tmp_path / "melt",
    )
    assert m["natoms"] == 16
    # 100 K at 1000 K/ps and 2 fs: 50 steps, a sample every 10 steps -> set points 220 .. 300 K
    np.testing.assert_allclose(m["heat"]["T_set"], [220.0, 240.0, 260.0, 280.0, 300.0])
    assert np.all(np.diff(m["cool"]["T_set"]) < 0)


@pytest.mark.lammps
@pytest.mark.parametrize("metal,facet,a", [("Li", "100", 3.48), ("Na", "110", 4.28)])
def test_tiny_ribbon_samples_both_surfaces(pots, tmp_path, metal, facet, a):
    s = _ribbon_settings(
        length_A=6 * a, slab_A=5 * a, vacuum_A=10.0, anchor_A=3.0, equil_ps=0.01, prod_ps=0.06, sample_ps=0.02
    )
    g = s.geometry(a, facet)
    r = ribbon.run_ribbon(pots[metal], a, facet, 250.0, s, 3, tmp_path / "rib")
    nb = r["nbins"]
    assert r["h_top"].shape == (3, nb) and r["h_bot"].shape == (3, nb)
    assert np.all(np.isfinite(r["h_top"])) and np.all(r["h_top"] > 0) and np.all(r["h_bot"] < 0)
    # the surfaces are where the slab was built: half the slab thickness from the middle (+- 1 A)
    half = 0.5 * (g["slab_A"] - g["spacing_A"][2] / {"100": 2, "110": 2}[facet])
    assert np.mean(r["h_top"]) == pytest.approx(half, abs=1.0)
    assert np.mean(r["bcc_interior"]) > 0.7  # still bcc at 250 K (CNA, slab interior)
    assert r["W_A"] == pytest.approx(g["W_A"]) and r["b_A"] == pytest.approx(g["b_A"])
    assert np.all(np.asarray(r["msd_interior_A2"]) < 0.25 * a**2)  # solid by the MSD test


@pytest.mark.lammps
def test_paired_pass_resumes_a_finished_start_and_runs_it_on(pots, tmp_path, monkeypatch):
    """The production loop's stop, with the equilibrium analysis replaced by a clock: each frame counts 100 ps
    after equilibration and tau_1 is 20 ps, so a start alone is enough at 20 x 20 = 400 ps (frame 4: the 2nd
    chunk of 3 frames); held to a partner's 40 ps, at 800 ps (frame 8: the 3rd chunk). The paired pass resumes
    the first run's work folder (its first 6 frames are the first run's, bit for bit) and stops after the 3rd
    chunk; a partner at 15 ps asks for nothing more, and the folder's 9 frames come back at once. A partner whose
    23 tau_1 exceed the cap (1000 ps, in the clock's units) cannot be matched: no MD is spent (still 9 frames)."""
    from anodeflow.cft import equilibrium as eq

    def clock(prod, dt_ps, n_modes, partner_tau1_ps=None):
        t = 100.0 * len(prod["h_top"])
        r = {"enough": t >= 400, "tau1_ps": 20.0, "t_equil_ps": 0.0, "run_after_equil_ps": t, "needed_ps": 400.0}
        return {**r, **eq.paired_requirement(r, partner_tau1_ps)} if partner_tau1_ps is not None else r

    monkeypatch.setattr(ribbon, "_analyse", clock)
    a = 4.28
    s = _ribbon_settings(
        length_A=6 * a,
        slab_A=5 * a,
        vacuum_A=10.0,
        anchor_A=3.0,
        equil_ps=0.01,
        prod_ps=0.06,
        sample_ps=0.02,
        max_prod_ps=1000.0,
    )
    run = [
        ribbon.run_ribbon(pots["Na"], a, "100", 250.0, s, 3, tmp_path / "rib", partner_tau1_ps=p)
        for p in (None, 40.0, 15.0, 100.0)
    ]
    assert [r["chunks"] for r in run] == [2, 3, 3, 3] and [len(r["h_top"]) for r in run] == [6, 9, 9, 9]
    np.testing.assert_array_equal(run[1]["h_top"][:6], run[0]["h_top"])
    np.testing.assert_array_equal(run[2]["h_top"], run[1]["h_top"])
    held = json.loads(run[1]["analysis"])
    assert held["tau1_required_ps"] == 40.0 and held["needed_ps"] == 800.0 and held["partner_tau1_ps"] == 40.0
    capped = json.loads(run[3]["analysis"])
    assert not capped["enough"] and capped["needed_ps"] == 2000.0 and "exceeds max_prod_ps" in capped["stopped"]


@pytest.mark.lammps
def test_ribbon_melt_test_separates_solid_from_liquid(pots, tmp_path):
    """Na EAM ribbon (120 atoms, 3 ps): at 250 K the interior MSD stays on its plateau (measured
    0.15-0.37 A^2), at 800 K (about twice T_m) it grows past 0.25 a^2 = 4.6 A^2 (measured 11.8 A^2)."""
    a = 4.28
    s = _ribbon_settings(
        length_A=6 * a, slab_A=5 * a, vacuum_A=10.0, anchor_A=3.0, equil_ps=0.5, prod_ps=3.0, sample_ps=0.25
    )
    msd = {}
    for T in (250.0, 800.0):
        r = ribbon.run_ribbon(pots["Na"], a, "100", T, s, 3, tmp_path / f"r{T:.0f}")
        msd[T] = float(np.max(r["msd_interior_A2"]))
    assert msd[250.0] < 1.0
    assert msd[800.0] > 0.25 * a**2


@pytest.mark.lammps
def test_ribbon_verb_under_mpi_two_ranks(cfg, tmp_path):
    """md.ntasks > 1: `python -m anodeflow.launch --md 2 -- python -m anodeflow.md.jobs ribbon ...` runs the
    job under the MD launcher on 2 ranks; rank 0 writes the output and the job's log line."""
    c = copy.deepcopy(cfg)
    c["cft"].update(
        width_from_tau1=False,
        length_A=20,
        slab_A=17,
        vacuum_A=8,
        equil_ps=0.01,
        prod_ps=0.04,
        max_prod_ps=0.04,
        sample_ps=0.02,
    )
    pd.DataFrame({"T_K": [250.0], "a_A": [4.27]}).to_csv(tmp_path / "exp.csv", index=False)
    cmd = [
        sys.executable,
        "-m",
        "anodeflow.launch",
        "--md",
        "2",
        "--",
        sys.executable,
        "-m",
        "anodeflow.md.jobs",
        "ribbon",
        "--metal",
        "Na",
        "--facet",
        "100",
        "--T",
        "250",
        "--b",
        "2",
        "--start",
        "rough",
        "--config",
        json.dumps(settings.job_config(c, "ribbon", "Na")),
        "--expansion",
        str(tmp_path / "exp.csv"),
        "--out",
        str(tmp_path / "r.npz"),
        "--workdir",
        str(tmp_path / "w"),
    ]
    env = {**os.environ, "ANODEFLOW_MD_LAUNCHER": "mpiexec -n {ntasks}", "PYTHONPATH": str(ROOT / "src")}
    r = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    z = np.load(tmp_path / "r.npz")
    assert z["h_top"].shape == (2, int(z["nbins"])) and np.all(np.isfinite(z["h_top"]))
    assert "on 2 procs" in (tmp_path / "w" / "lammps.log").read_text()  # LAMMPS's log, in the work folder
    assert r.stdout.count("ribbon Na (100) b=2 rough at 250 K") == 1  # rank 0 only


@pytest.mark.lammps
def test_kill_between_restart_and_state_resumes_from_the_committed_state(pots, tmp_path, monkeypatch):
    """A kill after a restart file was written but before the state naming it was committed (the
    window that once left a restart one chunk ahead of its state) resumes from the committed pair."""
    from anodeflow.md import engine

    pot = pots["Na"]
    setup = [
        "units metal",
        "lattice bcc 4.25",
        "region b block 0 2 0 2 0 2",
        "create_box 1 b",
        "create_atoms 1 box",
        *pot.lammps_commands(mass=True),
        "timestep 0.002",
        "velocity all create 300 5 mom yes rot no",
    ]
    after = [*pot.lammps_commands(mass=True), "timestep 0.002"]
    smp = lambda lmp: {"step": lmp.get_thermo("step")}  # noqa: E731
    phases = [Phase("ramp", 100, ["fix t all nvt temp 300 400 0.1"], ["unfix t"], 10, smp)]
    real_commit, calls = engine._commit_state, []

    class KilledError(Exception):
        pass

    def dying_commit(workdir, state, samples):
        calls.append(state["step"])
        if len(calls) == 3:  # md.90.restart is on disk, its state never committed
            raise KilledError
        real_commit(workdir, state, samples)

    monkeypatch.setattr(engine, "_commit_state", dying_commit)
    lmp = make_lammps()
    with pytest.raises(KilledError):
        run_phases(lmp, tmp_path / "job", setup, after, phases, checkpoint_every=30)
    lmp.close()
    assert calls == [30, 60, 90] and (tmp_path / "job" / "md.90.restart").is_file()
    assert '"step": 60' in (tmp_path / "job" / "state.json").read_text()
    monkeypatch.setattr(engine, "_commit_state", real_commit)
    lmp = make_lammps()
    out = run_phases(lmp, tmp_path / "job", setup, after, phases, checkpoint_every=30)
    final_step = lmp.get_thermo("step")
    lmp.close()
    assert final_step == 100
    np.testing.assert_array_equal(out["ramp"]["step"], np.arange(10, 101, 10))
    assert sorted(p.name for p in (tmp_path / "job").glob("md.*.restart")) == ["md.100.restart"]
