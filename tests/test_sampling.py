"""Sampled estimate of <omega> (dft.max_configurations): pairs drawn with probability proportional to
their multiplicity, with replacement, make the mean over the draws an unbiased estimate of the
multiplicity-weighted mean of methods §6 (Hansen–Hurwitz), and s/sqrt(n) its standard error."""

import copy

import numpy as np
import pytest

from anodeflow.constants import KB_EV_PER_K
from anodeflow.interfaces import sites, structures
from anodeflow.thermo import vacancies as vacancy_thermo


@pytest.fixture(scope="module")
def many_pairs():
    """A Li(100) slab whose top plane is made irregular, so that it has many distinct sites and pairs
    (like a large, low-symmetry interface cell)."""
    slab = structures.metal_slab("Li", (1, 0, 0), 3.44, 4, 2, 10.0, 15.0)
    rng = np.random.default_rng(3)
    top = np.flatnonzero(slab.get_tags() == 1)
    slab.positions[top, 2] += np.clip(rng.normal(0, 0.05, len(top)), -0.07, 0.07)  # pairs stay in their shells
    enum = sites.enumerate_vacancies(slab, name="Li-100")
    assert len(enum.pairs) > 20 and len({p["multiplicity"] for p in enum.pairs}) > 1
    return enum


def _omega_of_pair(p):
    """A made-up omega per distinct pair (eV): spread over pairs like a real interface's."""
    return 0.05 + 0.02 * np.sin(1.7 * p["i"] + 0.3 * p["j"]) + (0.03 if p["type"] == "12" else 0.0)


def _energies(enum):
    """Energies that give _omega_of_pair exactly: E_0 = E_v = 0, E_ij = -omega_ij."""
    out = {"pristine": 0.0}
    out.update({f"v_{s['index']}": 0.0 for s in enum.sites})
    out.update({f"vv_{p['i']}_{p['j']}": -_omega_of_pair(p) for p in enum.pairs})
    return out


def _exact_mean(enum, t):
    sel = [p for p in enum.pairs if p["type"] == t]
    return sum(p["multiplicity"] * _omega_of_pair(p) for p in sel) / sum(p["multiplicity"] for p in sel)


def test_full_enumeration_when_it_fits(many_pairs):
    e = sites.sample_pairs(copy.deepcopy(many_pairs), None)
    assert e.sampling is None and len(e.configurations()) == many_pairs.n_full_configurations()
    e = sites.sample_pairs(copy.deepcopy(many_pairs), many_pairs.n_full_configurations())
    assert e.sampling is None


def test_budget_is_respected_and_configurations_follow_the_draws(many_pairs):
    for budget in (13, 20, 40):
        e = sites.sample_pairs(copy.deepcopy(many_pairs), budget, seed=1)
        confs = e.configurations()
        assert len(confs) <= budget
        drawn = {f"vv_{p['i']}_{p['j']}" for p in e.pairs if p["draws"]}
        assert drawn == {c["id"] for c in confs if c["id"].startswith("vv_")}
        assert all(n >= sites.MIN_DRAWS for n in e.sampling["n_draws"].values())
        # every site a drawn pair rests on is computed
        rep = {a: s["index"] for s in e.sites for a in s["orbit"]}
        need = {f"v_{rep[k]}" for p in e.pairs if p["draws"] for k in (p["i"], p["j"])}
        assert need == {c["id"] for c in confs if c["id"].startswith("v_")}
    # the same seed, the same sample
    a = sites.sample_pairs(copy.deepcopy(many_pairs), 20, seed=5)
    b = sites.sample_pairs(copy.deepcopy(many_pairs), 20, seed=5)
    assert [p["draws"] for p in a.pairs] == [p["draws"] for p in b.pairs]


def test_too_small_a_budget_is_refused_naming_the_key(many_pairs):
    with pytest.raises(structures.BuildError, match=r"^Li-100: dft.max_configurations = 5 holds only"):
        sites.sample_pairs(copy.deepcopy(many_pairs), 5, name="Li-100")


def test_sampled_mean_is_unbiased_and_its_error_is_honest(many_pairs):
    """Over many seeds the sampled <omega> averages to the exact multiplicity-weighted mean, and the
    reported standard error matches the scatter of the estimates between seeds (within 25 %)."""
    exact = {t: _exact_mean(many_pairs, t) for t in ("11", "12")}
    est, err = {"11": [], "12": []}, {"11": [], "12": []}
    for seed in range(200):
        e = sites.sample_pairs(copy.deepcopy(many_pairs), 40, seed=seed)
        d = e.to_dict()
        summary, pairs, _ = vacancy_thermo.system_thermo(d, _energies(e), mu_metal=-1.9)
        assert summary["sampled"]
        for t in ("11", "12"):
            est[t].append(summary[f"mean_omega_{t}_eV"])
            if summary[f"omega_{t}_sample_se_eV"] is None:  # one distinct pair drawn: no scatter to show
                continue
            err[t].append(summary[f"omega_{t}_sample_se_eV"])
            # the T_c error is the omega error through T_c = z <omega> / (4 k_B)
            assert summary[f"Tc_{t}_sample_err_K"] is None or summary[f"Tc_{t}_sample_err_K"] == pytest.approx(
                d[f"z_{t}"] * summary[f"omega_{t}_sample_se_eV"] / (4 * KB_EV_PER_K)
            )
    for t in ("11", "12"):
        scatter = np.std(est[t], ddof=1)
        # unbiased: the mean of 200 estimates within 3 standard errors of that mean
        assert abs(np.mean(est[t]) - exact[t]) < 3 * scatter / np.sqrt(len(est[t]))
        # honest error bar: the typical reported s/sqrt(n) against the scatter between samples
        assert np.sqrt(np.mean(np.square(err[t]))) == pytest.approx(scatter, rel=0.25)


def test_full_enumeration_has_no_sampling_error(many_pairs):
    e = copy.deepcopy(many_pairs)
    summary, pairs, _ = vacancy_thermo.system_thermo(e.to_dict(), _energies(e), mu_metal=-1.9)
    assert not summary["sampled"] and summary["Tc_11_sample_err_K"] == 0.0
    for t in ("11", "12"):
        assert summary[f"mean_omega_{t}_eV"] == pytest.approx(_exact_mean(e, t), abs=1e-12)


@pytest.mark.slow  # 3000 seeds: ~6 s
def test_heavy_pair_with_another_omega_is_not_over_weighted():
    """A regression test for a stopping rule that drew until the budget was spent (re-draws of computed
    pairs are free, so it favoured them): one (11) pair of multiplicity 50 with omega 0 and 50 pairs of
    multiplicity 1 with omega 1 (exact multiplicity-weighted mean 0.5); the sample mean over 300 seeds
    must find 0.5 within four standard errors (n = 4 draws per sample: s.e. 0.5/sqrt(4 x 3000))."""
    enum = sites.Enumeration(z_11=4.0, z_12=4.0)
    enum.sites = [{"index": k, "tag": 1, "multiplicity": 1, "orbit": [k]} for k in range(102)]
    enum.pairs = [{"i": 0, "j": 1, "type": "11", "multiplicity": 50, "distance_A": 3.0}]
    enum.pairs += [
        {"i": 2 * k + 2, "j": 2 * k + 3, "type": "11", "multiplicity": 1, "distance_A": 3.0} for k in range(50)
    ]
    omega = {(p["i"], p["j"]): (0.0 if p["multiplicity"] == 50 else 1.0) for p in enum.pairs}
    means = []
    for seed in range(3000):
        e = sites.sample_pairs(copy.deepcopy(enum), 15, seed=seed)
        drawn = [(p["draws"], omega[(p["i"], p["j"])]) for p in e.pairs if p["draws"]]
        n = sum(d for d, _ in drawn)
        means.append(sum(d * w for d, w in drawn) / n)
        assert len(e.configurations()) <= 15 and e.sampling["n_draws"] == {"11": 4}
    assert np.mean(means) == pytest.approx(0.5, abs=4 * 0.5 / np.sqrt(4 * 3000))


def test_a_fully_drawn_type_is_exact():
    slab = structures.metal_slab("Li", (1, 0, 0), 3.44, 4, 2, 10.0, 15.0)
    enum = sites.enumerate_vacancies(slab)  # one (11) and one (12) distinct pair
    e = copy.deepcopy(enum)
    for p in e.pairs:
        p["draws"] = 2
    e.sampling = {"n_distinct_pairs": {"11": 1, "12": 1}, "n_draws": {"11": 2, "12": 2}}
    summary, _, _ = vacancy_thermo.system_thermo(e.to_dict(), _energies(e), mu_metal=-1.9)
    for t in ("11", "12"):
        assert summary[f"omega_{t}_sample_se_eV"] == 0.0
        assert summary[f"mean_omega_{t}_eV"] == pytest.approx(_exact_mean(e, t), abs=1e-12)
