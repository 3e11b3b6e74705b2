"""Which phase-field jobs a config asks for: runs, sweep points, the workflow tables each job reads, targets.

Pure bookkeeping on the validated config (no science); the workflow's input functions
(workflow/rules/common.smk) call these, and so do the jobs, so that both read one definition.
"""

from __future__ import annotations

from .inputs import barriers_csv, needed_inputs, surfaces_csv
from .phase_map import phase_map_axes


def ta_conditions(pf: dict) -> list[str]:
    """Conditions of the temperature analysis: temperature_analysis.conditions, null: every phasefield.conditions."""
    c = pf["temperature_analysis"].get("conditions")
    return list(pf["conditions"]) if c is None else list(c)


def current_label(j_mA_cm2: float) -> str:
    """Path label of a current density: 0.1 -> '0.1mAcm2'."""
    return f"{j_mA_cm2:g}mAcm2"


def temperature_point_path(metal: str, condition: str, T_K: float, j_mA_cm2: float) -> str:
    return f"results/phasefield/temperature/{metal}-{condition}_{T_K:g}K_{current_label(j_mA_cm2)}.json"


def temperature_points(pf: dict) -> list[str]:
    """Every phase-field run of the sweep: metals x conditions x pf_T_K x current densities."""
    ta = pf["temperature_analysis"]
    return [
        temperature_point_path(m, c, T, j)
        for m in ta["metals"]
        for c in ta_conditions(pf)
        for T in ta["pf_T_K"]
        for j in ta["current_densities_mA_cm2"]
    ]


def phase_map_points(pf: dict) -> list[str]:
    A, B = phase_map_axes(pf["phase_map"])
    return [f"results/phasefield/phase_map/point_{i}_{j}.json" for i in range(len(A)) for j in range(len(B))]


def runs(pf: dict, kind: str, metal: str | None = None, condition: str | None = None) -> list[tuple[str, str]]:
    """The (metal, condition) runs behind a phase-field job of ``kind``: their inputs decide which
    workflow tables (E_s, E_a) the job reads. ``metal``/``condition``: the job's wildcards (single runs)."""
    ta, pm = pf["temperature_analysis"], pf["phase_map"]
    if kind in ("grain_selection", "temperature_point"):
        return [(metal, condition)]
    if kind == "temperature_analysis":
        return [(m, c) for m in ta["metals"] for c in ta_conditions(pf)]
    if kind == "phase_map_point":
        return [(pm["metal"], pm["condition"])]
    if kind == "phase_map":
        return [(m, c) for m in pf["metals"] for c in pf["conditions"]]
    raise ValueError(f"phase-field job kind {kind!r}")


def tables(config: dict, kind: str, metal: str | None = None, condition: str | None = None) -> dict:
    """The workflow tables a phase-field job of ``kind`` reads, as named inputs surfaces_<metal> /
    barriers_<metal>: none for the values phasefield.inputs gives."""
    out = {}
    for m, c in runs(config["phasefield"], kind, metal, condition):
        need = needed_inputs(config, m, [c])
        if need["surfaces"]:
            out[f"surfaces_{m}"] = surfaces_csv(m)
        if need["barriers"]:
            out[f"barriers_{m}"] = barriers_csv(m)
    return out


def table_options(tabs: dict) -> str:
    """The same tables as job options: ``--surfaces Li=<csv> --barriers Li=<csv>``."""
    out = []
    for what in ("surfaces", "barriers"):
        pairs = [f"{k.split('_', 1)[1]}={v}" for k, v in tabs.items() if k.startswith(f"{what}_")]
        if pairs:
            out.append(f"--{what} " + " ".join(pairs))
    return " ".join(out)


def targets(pf: dict) -> list[str]:
    return [f"results/phasefield/{m}-{c}/texture.json" for m in pf["metals"] for c in pf["conditions"]] + [
        "results/phasefield/temperature_analysis.csv",
        "results/phasefield/winners.csv",
        "results/phasefield/phase_map.csv",
    ]
