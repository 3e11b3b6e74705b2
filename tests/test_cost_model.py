"""The DFT cost model of the plan (anodeflow.dft.cost): problem sizes as GPAW sets them up, and the
fitted cost law against the jobs it was fitted on and jobs it was not (benchmarks/results/dft_cost_jobs.jsonl,
written by benchmarks/fit_cost_model.py from real GPAW jobs of this workflow)."""

import json
from pathlib import Path

import pytest
from ase.build import bcc100

from anodeflow.dft import cost
from anodeflow.dft.calculators import kpoint_grid
from anodeflow.dft.ranks import irreducible_slab_kpoints

ROOT = Path(__file__).resolve().parents[1]
JOBS = ROOT / "benchmarks" / "results" / "dft_cost_jobs.jsonl"
MODEL = ROOT / "resources" / "dft_cost_model.json"


def test_problem_size_as_gpaw_sets_it_up():
    # GPAW 26.7, PW 200 eV, this 3x3x4 Li(100) slab (8 A vacuum each side): "Plane wave coefficients:
    # 14536", "Bands: 26" for 36 valence electrons; the Li(110)/LiF(100) cell: 64 bands for 99 electrons
    slab = bcc100("Li", (3, 3, 4), a=3.44, vacuum=8.0)
    assert cost.n_planewaves(slab.get_volume(), 200.0) == pytest.approx(14536, rel=0.02)
    assert cost.n_bands(36) == 26 and cost.n_bands(99) == 64
    # 2x2 Gamma-centred grid: all four points are their own time-reversal partners
    assert kpoint_grid(slab.cell, 2.5, slab=True) == (2, 2, 1)
    assert irreducible_slab_kpoints(slab.cell, 2.5) == 4


def test_model_law_and_iterations():
    m = cost.CostModel(
        a=2.0,
        b=0.01,
        beef_factor=2.5,
        iterations={"precon": {"interface": {"steps": 10, "first_scf": 20, "later_scf": 8}}},
    )
    t = m.seconds_per_iteration(4, 64, 11848)
    assert t == pytest.approx(4 * 11848 * 64 * (2.0 + 0.01 * 64) / 1e6)
    assert m.seconds_per_iteration(4, 64, 11848, "BEEF-vdW") == pytest.approx(2.5 * t)
    assert m.relaxation_iterations("precon", "interface") == 20 + 10 * 8
    with pytest.raises(KeyError):
        m.relaxation_iterations("bfgs", "interface")
    # the fit recovers a law it is given
    recs = [
        {
            "n_kpts": k,
            "n_bands": nb,
            "n_planewaves": npw,
            "xc": "PBE",
            "core_s_per_iteration": m.seconds_per_iteration(k, nb, npw),
        }
        for k, nb, npw in ((4, 19, 8000), (4, 26, 14536), (4, 64, 11848), (2, 31, 20000))
    ]
    a, b = cost.fit_cost_law(recs)
    assert (a, b) == (pytest.approx(2.0, rel=1e-6), pytest.approx(0.01, rel=1e-6))


@pytest.mark.skipif(not JOBS.exists(), reason="no measured jobs (run benchmarks/fit_cost_model.py)")
def test_fitted_model_against_measured_jobs():
    """Within a factor 1.5 on the jobs it was fitted on, and within a factor 2 on held-out jobs (other
    cells than those fitted: the test that the law transfers, not that it interpolates)."""
    model = cost.CostModel.from_dict(json.loads(MODEL.read_text()))
    rows = [json.loads(line) for line in JOBS.read_text().splitlines() if line.strip()]
    fitted = [r for r in rows if r["fitted"]]
    held = [r for r in rows if r["held_out"]]
    assert len(fitted) >= 3 and held, "the model must rest on several jobs and be tested on one it was not fitted on"
    assert sorted(model.fitted_on) == sorted(r["label"] for r in fitted)
    for r in fitted + held:
        pred = model.seconds_per_iteration(r["n_kpts"], r["n_bands"], r["n_planewaves"], r["xc"])
        ratio = pred / r["core_s_per_iteration"]
        bound = 1.5 if r["fitted"] else 2.0
        assert 1 / bound <= ratio <= bound, (r["label"], ratio)


def test_plan_prices_the_phase_field_inputs(reference_config):
    """`make plan` prices the E_s jobs (every metal x facet x strain of the surfaces section, at its preset)
    and, with barriers.method dft, the NEB jobs (metal x facet); with method md no barrier job is priced.
    Limiting facts that hold for any cost law: a job's price grows with its SCF iterations, and a Na(111)
    slab (7-electron Na at the reference preset, its larger cell) costs more per iteration than Li(111)."""
    import copy

    from anodeflow import plan

    model = plan.load_model()
    cfg = copy.deepcopy(reference_config)
    cfg["surfaces"]["strains"] = [0.0]
    cfg["barriers"]["method"] = "dft"
    rows = plan.pfinputs_rows(cfg, model)
    es = [r for r in rows if r["job"] == "surface_energy"]
    neb = [r for r in rows if r["job"] == "adatom_barrier_dft"]
    assert len(es) == len(cfg["surfaces"]["metals"]) * len(cfg["surfaces"]["facets"])
    assert len(neb) == len(cfg["barriers"]["metals"]) * len(cfg["barriers"]["facets"])
    for r in rows:
        assert r["core_h"] > 0 and r["scf_iterations"] > 0, r
    # a band is n_images x steps x SCF iterations per step, one per mechanism, on top of one relaxation
    n = cfg["barriers"]["dft"]["n_images"] * plan.NEB_STEPS * len(cfg["barriers"]["dft"]["mechanisms"])
    assert all(r["scf_iterations"] > n * plan.NEB_SCF_PER_STEP for r in neb)
    per_it = {(r["metal"], r["facet"]): r["core_h"] / r["scf_iterations"] for r in neb}
    assert per_it[("Na", "111")] > per_it[("Li", "111")]
    cfg["barriers"]["method"] = "md"
    assert not [r for r in plan.pfinputs_rows(cfg, model) if r["job"] == "adatom_barrier_dft"]


@pytest.mark.slow
def test_plan_says_which_systems_run_below_their_cutoff(root):
    """The plan, before any job: the quick interface overlay's LiF interface is flagged (F below 500 eV on
    the demonstration preset); the isolated slabs are not."""
    from anodeflow import config as afconfig
    from anodeflow import plan

    cfg = afconfig.load(*(root / "config" / f for f in ("config.yaml", "quick.yaml", "quick_interface.yaml")))
    rows = {r["system"]: r for r in plan.plan_rows(cfg, plan.load_model(), "precon")}
    assert rows["Li-110"]["cutoff"] == rows["Na-110"]["cutoff"] == "ok"
    assert (
        rows["Li-110__LiF-100"]["cutoff"].startswith("below dft.min_ecut_eV")
        and "F needs 500 eV" in rows["Li-110__LiF-100"]["cutoff"]
    )


def test_plan_prices_the_cft_ribbons(reference_config):
    """`make plan` prices every ribbon state point from the width rule before any MD. On paper, with W <= 12 a and
    a 6 a slab: (100) (x, y, z spacings a, a, a; 2 atoms per a^3) W = 12 a, 6 planes: 2 x 12 x 2 x 6 = 288 atoms at
    b = 2; (110) (a, a sqrt 2, a sqrt 2: 4 atoms per spacing cell) 4 spacings along z: 2 x 12 x 2 x 4 x 2 = 384;
    (111) (x spacing a sqrt 2) fits only 8 spacings = 11.3 a, below the 12 a that 3 modes of >= 4 a need: refused.
    tau_1 follows tau_ref (W / W_ref)^n, each start runs 23 tau_1 (or the cap), and the two starts cost
    2 x atoms x steps / throughput; a twice thicker ribbon costs twice as much. Without the width rule no tau_1 is
    predicted and every start is priced at the cap; a pair style without a throughput is not priced."""
    import copy

    from anodeflow import plan

    cfg = copy.deepcopy(reference_config)
    a = cfg["metals"]["Na"]["a0_A"]
    cfg["md"]["metals"] = ["Na"]
    cfg["cft"].update(
        facets=["100", "110", "111"],
        T_over_Tm=[0.85, 0.9],
        per_metal={},
        min_modes=3,
        min_wavelength_spacings=4,
        b_spacings=[2, 4],
        length_A=12 * a,
        slab_A=6 * a,
    )
    rate = 1.0e6
    rows = plan.cft_rows(cfg, {"atom_steps_per_core_s": {"eam/fs": rate}})
    b2, b4, c2, c4, r111 = rows
    assert (b2["natoms"], b4["natoms"], c2["natoms"], c4["natoms"]) == (288, 576, 384, 768)
    assert b2["n_state_points"] == 2 and b2["n_modes"] == 3 and r111["status"].startswith("refused")
    ref = cfg["cft"]["tau1_reference"]["Na"]["100"]
    tau1 = ref["tau1_ps"] * (12 * a / ref["W_A"]) ** ref["exponent"]
    assert b2["W_A"] == pytest.approx(12 * a) and b2["tau1_predicted_ps"] == pytest.approx(tau1)
    run = min(23 * tau1, cfg["cft"]["max_prod_ps"])
    assert b2["run_per_start_ps"] == pytest.approx(run)
    steps = (cfg["cft"]["equil_ps"] + run) * 1000 / cfg["md"]["timestep_fs"]["Na"]
    assert b2["core_h_per_state_point"] == pytest.approx(2 * 288 * steps / rate / 3600)
    assert b4["core_h_per_state_point"] == pytest.approx(2 * b2["core_h_per_state_point"])
    assert b2["core_h"] == pytest.approx(2 * b2["core_h_per_state_point"])
    steps_cap = (cfg["cft"]["equil_ps"] + cfg["cft"]["max_prod_ps"]) * 1000 / cfg["md"]["timestep_fs"]["Na"]
    assert b2["core_h_per_state_point_at_cap"] == pytest.approx(2 * 288 * steps_cap / rate / 3600)
    cfg["cft"]["width_from_tau1"] = False
    no_rule = plan.cft_rows(cfg, {"atom_steps_per_core_s": {"eam/fs": rate}})[0]
    assert no_rule["tau1_predicted_ps"] is None and no_rule["fits_cap"] is None
    assert no_rule["core_h_per_state_point"] == pytest.approx(no_rule["core_h_per_state_point_at_cap"])
    unpriced = plan.cft_rows(cfg, {"atom_steps_per_core_s": {}})[0]
    assert unpriced["status"].startswith("unpriced") and unpriced["core_h"] is None
