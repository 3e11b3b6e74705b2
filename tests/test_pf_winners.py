"""The winners table separates a selected texture from an inherited one (anodeflow.phasefield.winners)."""

from anodeflow.phasefield.winners import winners_table


def _point(seed: dict, top: dict, U: dict, T=300.0) -> dict:
    winner = max(top, key=top.get)
    return {
        "metal": "Na",
        "condition": "solid",
        "current_density_mA_cm2": 1.0,
        "T_K": T,
        "winner": winner,
        "top_fractions": top,
        "front": [{"t_s": 0.0, "front_um": 3.5, **seed}, {"t_s": 10.0, "front_um": 8.0, **top}],
        "calibration": {
            "deposition_velocity_um_s": 2.46e-3,
            "orientations": {o: {"U_J_m3": u, "U_surface_J_m3": u, "U_strain_J_m3": 0.0} for o, u in U.items()},
        },
        "ratios": {"flat_001_101": 0.3, "capillary": {"001": 2.0, "101": None}},
        "dt_s": 1.0,
        "n_steps": 10,
    }


def test_inherited_winner_is_told_apart_from_the_growing_orientation():
    # (101) holds its seed share (55 %), (001) grows from 35 % to 45 % at the expense of (111); Delta U
    # (U_001 - U_101 < 0) favours (001): the winner disagrees with Delta U, the texture's motion agrees
    seed = {"001": 0.35, "101": 0.55, "111": 0.10}
    top = {"001": 0.45, "101": 0.55, "111": 0.0}
    row = winners_table([_point(seed, top, {"001": 0.0, "101": 1.0e3, "111": 2.0e3})]).iloc[0]
    assert row.pf_winner == "101" and row.dU_favoured == "001" and not row.agree
    assert row.pf_gainer == "001" and row.gainer_agree
    assert abs(row.pf_gain - 0.10) < 1e-12
    assert abs(row.seed_frac_101 - 0.55) < 1e-12


def test_selected_winner_is_its_own_gainer():
    seed = {"001": 0.3, "101": 0.4, "111": 0.3}
    top = {"001": 0.0, "101": 1.0, "111": 0.0}
    row = winners_table([_point(seed, top, {"001": 1.0e3, "101": 0.0, "111": 2.0e3})]).iloc[0]
    assert row.pf_winner == row.pf_gainer == row.dU_favoured == "101"
    assert row.agree and row.gainer_agree and abs(row.pf_gain - 0.6) < 1e-12
