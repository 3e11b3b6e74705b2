"""Selection between (001) and (101) is read on the pair's shares, not on the winner (anodeflow.phasefield.winners).

Limiting cases from the definition in methods §8 (Delta U compares (001) with (101) only): (111) dying with
its columns split in proportion to the others' shares is no selection; a change within one nucleus's share
is a tie; an inherited majority is not a selected one.
"""

import math

import pytest

from anodeflow.phasefield.winners import pair_selection, winners_table


def _point(seed: dict, top: dict, U: dict, nuclei=(5, 5, 4)) -> dict:
    winner = max(top, key=top.get)
    return {
        "metal": "Na",
        "condition": "solid",
        "current_density_mA_cm2": 1.0,
        "T_K": 300.0,
        "winner": winner,
        "top_fractions": top,
        "front": [{"t_s": 0.0, "front_um": 3.5, **seed}, {"t_s": 10.0, "front_um": 8.0, **top}],
        "nuclei": dict(zip(("001", "101", "111"), nuclei)),
        "calibration": {
            "deposition_velocity_um_s": 2.46e-3,
            "orientations": {o: {"U_J_m3": u, "U_surface_J_m3": u, "U_strain_J_m3": 0.0} for o, u in U.items()},
        },
        "ratios": {"flat_001_101": 0.3, "capillary": {"001": 2.0, "101": None}},
        "dt_s": 1.0,
        "n_steps": 10,
    }


FAVOUR_001 = {"001": 0.0, "101": 1.0e3, "111": 2.0e3}  # Delta U = U_001 - U_101 < 0


def test_neutral_loss_of_111_is_no_selection():
    # (111) dies and its columns split 1:2 like the others' shares: the majority (101) gains most points
    # (+20 against +10) but nothing was selected between (001) and (101)
    seed = {"001": 0.2, "101": 0.4, "111": 0.4}
    top = {"001": 1 / 3, "101": 2 / 3, "111": 0.0}
    d, sel = pair_selection(seed, top, n_nuclei=14)
    assert abs(d) < 1e-12 and sel is None
    row = winners_table([_point(seed, top, FAVOUR_001)]).iloc[0]
    assert row.pf_winner == "101" and not row.agree  # the winner disagrees with Delta U...
    assert row.pf_selected is None and row.selected_agree is None  # ...but that is inheritance, not selection


def test_inherited_winner_with_001_selected():
    # (101) keeps its seed share while (001) takes (111)'s columns: the pair share of (001) rises 0.33 -> 0.45
    seed = {"001": 0.30, "101": 0.55, "111": 0.15}
    top = {"001": 0.45, "101": 0.55, "111": 0.0}
    row = winners_table([_point(seed, top, FAVOUR_001)]).iloc[0]
    assert row.pf_winner == "101" and not row.agree
    assert row.pf_selected == "001" and row.selected_agree
    assert row.d_share_001 == pytest.approx(0.45 - 0.30 / 0.85)
    assert row.tie_share == pytest.approx(1 / 14)


def test_change_within_one_nucleus_is_a_tie():
    seed = {"001": 0.3, "101": 0.6, "111": 0.1}
    top = {"001": 0.31, "101": 0.69, "111": 0.0}  # pair share 0.333 -> 0.31: less than 1/14
    assert pair_selection(seed, top, n_nuclei=14)[1] is None
    assert pair_selection(seed, top, n_nuclei=100)[1] == "101"


def test_selected_winner_agrees():
    seed = {"001": 0.3, "101": 0.4, "111": 0.3}
    top = {"001": 0.0, "101": 1.0, "111": 0.0}
    row = winners_table([_point(seed, top, {"001": 1.0e3, "101": 0.0, "111": 2.0e3})]).iloc[0]
    assert row.pf_winner == row.pf_selected == row.dU_favoured == "101"
    assert row.agree and row.selected_agree


def test_empty_film_selects_nothing():
    nan = float("nan")
    d, sel = pair_selection({"001": 0.3, "101": 0.4, "111": 0.3}, {"001": nan, "101": nan, "111": nan}, 14)
    assert math.isnan(d) and sel is None
    d, sel = pair_selection({"001": 0.0, "101": 0.0, "111": 1.0}, {"001": 0.0, "101": 0.0, "111": 1.0}, 14)
    assert math.isnan(d) and sel is None


def test_a_run_without_nuclei_needs_them_given():
    p = _point({"001": 0.3, "101": 0.4, "111": 0.3}, {"001": 0.0, "101": 1.0, "111": 0.0}, FAVOUR_001)
    del p["nuclei"]
    with pytest.raises(ValueError, match="n_nuclei"):
        winners_table([p])
    assert winners_table([p], n_nuclei=14).iloc[0].tie_share == pytest.approx(1 / 14)
