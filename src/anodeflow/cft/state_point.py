"""The verdict of one CFT state point (metal, facet, b, T) from its two starts (methods §7.3): the solid test
of each start, the number of modes the ribbon holds, whether the rough start's imposed mode has decayed,
the two-start equilibrium verdict and stiffness (:mod:`anodeflow.cft.equilibrium`), and for a fully molten
ribbon the liquid's surface tension from its capillary spectrum. No files: the job
(:func:`anodeflow.cft.jobs.cft_job`) loads the ribbons and writes the row.
"""

from __future__ import annotations

import numpy as np

from anodeflow.cft import equilibrium, solid, spectrum


def start_record(name: str, z, cc: dict, liquid_rate: float) -> dict:
    """What one start's ribbon arrays ``z`` (the md_ribbon npz, loaded) say: geometry, the solid test
    (:mod:`anodeflow.cft.solid`, against the bulk liquid's MSD rate ``liquid_rate``), run length, chunks."""
    a = float(z["a_A"])
    bcc = np.asarray(z["bcc_interior"])
    msd = np.asarray(z["msd_interior_A2"], float)
    msd_max = float(np.nanmax(msd)) if np.isfinite(msd).any() else float("nan")
    rate, solid_msd = solid.interior_solid(msd, float(z["dt_ps"]), liquid_rate, cc["max_msd_rate_fraction"])
    bcc_late = float(bcc[len(bcc) // 2 :].mean())
    return {
        "name": name,
        "z": z,
        "W_A": float(z["W_A"]),
        "b_A": float(z["b_A"]),
        "a_A": a,
        "natoms": int(z["natoms"]),
        "prod_ps": float(z["prod_ps"]),
        "dt_ps": float(z["dt_ps"]),
        "chunks": int(z["chunks"]),
        "imposed_amplitude_A": float(z["imposed_amplitude_A"]),
        "imposed_mode_decayed": None,  # judged from the heights in state_point (equilibrium.imposed_mode_left)
        "imposed_coherent_z": None,
        "msd_interior_max_A2": msd_max,
        "msd_rate_A2_per_ps": rate,
        "msd_rate_over_liquid": rate / liquid_rate,
        "bcc_interior_mean": float(bcc.mean()),
        "bcc_late": bcc_late,
        "solid": bool(solid_msd and bcc_late >= cc["min_bcc_fraction"]),
    }


def state_point(recs: list[dict], cc: dict, T_K: float) -> dict:
    """Equilibrium verdict of one state point from the records of its flat and rough starts
    (:func:`start_record`; :func:`anodeflow.cft.equilibrium.verdict`), ``cc`` the metal's cft settings.

    ``status``: "melted" (a start's interior MSD grew faster than ``cft.max_msd_rate_fraction`` x the
    liquid's), "not equilibrated within t" also when
    the rough start's imposed mode 1 has not decayed (below a facet's roughening temperature it stays; its
    fluctuations about it are fast and would look equilibrated), "too few modes" (W shorter than
    cft.min_modes wavelengths of the cut), else the verdict's: "equilibrated" (the only status with a
    stiffness), "not equilibrated within t", "starts disagree", "no capillary signal".
    """
    r0 = recs[0]
    W, bA, a = r0["W_A"], r0["b_A"], r0["a_A"]
    n_modes = spectrum.n_fit_modes(W, cc["min_wavelength_spacings"] * a, cc["max_modes"])
    k = equilibrium.mode_wavenumbers(W, n_modes)
    starts, errors = {}, {}
    for r in recs:
        z = r["z"]
        try:
            starts[r["name"]] = equilibrium.analyse_start(
                np.asarray(z["h_top"]), np.asarray(z["h_bot"]), r["dt_ps"], n_modes
            )
        except ValueError as exc:
            errors[r["name"]] = str(exc)
    # every start held to the state point's tau_1: discard >= 3 x it, then 20 x it (equilibrium.analyse_held)
    tau_sp = equilibrium.state_point_tau1([s["tau1_ps"] for s in starts.values()])
    if tau_sp is not None:
        for r in recs:
            if r["name"] in starts:
                z = r["z"]
                starts[r["name"]] = equilibrium.analyse_held(
                    np.asarray(z["h_top"]), np.asarray(z["h_bot"]), r["dt_ps"], n_modes, tau_sp, own=starts[r["name"]]
                )
    # has the rough start's imposed mode decayed (its phase, over the equilibrated frames)? Recomputed here, so an
    # npz written with an older test is judged by this one
    for r in recs:
        if r["imposed_amplitude_A"] > 0 and r["name"] in starts:
            left = equilibrium.imposed_mode_left(
                np.asarray(r["z"]["h_top"]), np.asarray(r["z"]["h_bot"]), r["dt_ps"], starts[r["name"]]["t_equil_ps"]
            )
            r.update(imposed_mode_decayed=left["imposed_mode_decayed"], imposed_coherent_z=left["coherent_z"])
    row = {
        "status": None,
        "stiffness_J_m2": None,
        "stderr_J_m2": None,
        "tau1_ps": None,
        "two_start_agree": None,
        "run_ps": min(r["prod_ps"] for r in recs),
        "needed_ps": None,
        "n_modes": n_modes,
    }
    all_solid = all(r["solid"] for r in recs)
    if not all_solid:
        row["status"] = "melted"
    elif errors:
        row.update(status="not equilibrated within t", analysis_errors=errors)
    elif any(r["imposed_mode_decayed"] is False for r in recs):
        # the rough start still carries its imposed mode 1: it is not in equilibrium, whatever its fluctuations say
        row.update(
            equilibrium.verdict(starts, k, T_K, bA, W, min_modes=cc["min_modes"]) if n_modes >= cc["min_modes"] else {}
        )
        row.update(
            status="not equilibrated within t",
            stiffness_J_m2=None,
            stderr_J_m2=None,
            reason="the rough start's imposed mode 1 has not decayed (below roughening: no surface mobility)",
        )
    elif n_modes < cc["min_modes"]:
        row["status"] = "too few modes"
    else:
        row.update(equilibrium.verdict(starts, k, T_K, bA, W, min_modes=cc["min_modes"]))
    if row["tau1_ps"] is None and starts:
        row["tau1_ps"], row["tau1_resolved"] = equilibrium.combined_tau1(list(starts.values()))
        row["tau1_required_ps"] = tau_sp
        row["needed_ps"] = equilibrium.finite_max(s["needed_ps"] for s in starts.values())
    # a fully molten ribbon is isotropic: its capillary spectrum is the liquid's surface tension (a check of the chain)
    liq = None
    if all(solid.molten(r["msd_interior_max_A2"], r["bcc_late"], a) for r in recs):
        z = r0["z"]
        res = spectrum.capillary_stiffness(
            z["h_top"],
            z["h_bot"],
            T_K,
            bA,
            W,
            n_modes,
            cc["n_blocks"],
            cc["max_exponent"],
            cc["max_rel_err"],
            cc["min_signal_to_floor"],
        )
        liq = res if res["fluctuating"] else None
    row.update(
        b_A=bA,
        W_A=W,
        a_A=a,
        solid=all_solid,
        fluctuating=row["status"] == "equilibrated",
        liquid_surface_tension_J_m2=liq["stiffness_J_m2"] if liq else None,
        liquid_surface_tension_stderr_J_m2=liq["stderr_J_m2"] if liq else None,
        per_start={
            r["name"]: {
                k_: r[k_]
                for k_ in (
                    "natoms",
                    "prod_ps",
                    "chunks",
                    "imposed_amplitude_A",
                    "imposed_mode_decayed",
                    "imposed_coherent_z",
                    "msd_interior_max_A2",
                    "msd_rate_A2_per_ps",
                    "msd_rate_over_liquid",
                    "bcc_interior_mean",
                    "solid",
                )
            }
            for r in recs
        },
        natoms=r0["natoms"],
    )
    return row
