"""What the MD and CFT jobs read from the validated config.

The config reaching these functions has been validated by :func:`anodeflow.config.validate`, which
fills the schema defaults (workflow/schemas/{md,cft,potentials}.schema.yaml): no defaults here.

:func:`job_config` is the part of the config one job reads (its kind and its metal), handed to the job
as JSON through a rule's params: a change in it reruns exactly the jobs that read it, and execution
settings (``md.launcher``, ``md.ntasks``: how many ranks, under which launcher) rerun nothing.
"""

from __future__ import annotations

from anodeflow import potentials as afpot
from anodeflow.cft.width import ribbon_width
from anodeflow.config import ConfigError
from anodeflow.md.lattice import spacing_factors
from anodeflow.md.ribbon import RibbonSettings

#: md keys every MD job reads (the rest is per job kind; launcher and ntasks are execution, not science)
MD_COMMON_KEYS = ("seed", "omp_threads", "checkpoint_every")
#: cft keys (after per-metal overrides) that build and sample a ribbon (md_ribbon)
RIBBON_KEYS = (
    "length_A",
    "slab_A",
    "vacuum_A",
    "anchor_A",
    "anchor_k_eV_A2",
    "equil_ps",
    "prod_ps",
    "max_prod_ps",
    "sample_ps",
    "bins_per_spacing",
    "cn_min",
    "orientations",
    "rough_factor",
    "min_wavelength_spacings",
    "max_modes",
)
#: cft keys (after per-metal overrides) of the capillary analysis of one ribbon (cft_ribbon)
FIT_KEYS = (
    "min_wavelength_spacings",
    "max_modes",
    "min_modes",
    "n_blocks",
    "max_exponent",
    "max_rel_err",
    "min_signal_to_floor",
    "max_msd_rate_fraction",
    "min_bcc_fraction",
)
#: cft keys of the width rule (anodeflow.cft.width), read by the ribbon job besides RIBBON_KEYS
WIDTH_KEYS = ("width_from_tau1", "tau1_reference", "min_modes")
#: job kinds of :func:`job_config`
JOB_KINDS = ("melting", "expansion", "ribbon", "stiffness", "potential", "steps", "step_stiffness")


def T_label(T: float) -> str:
    """Path-safe temperature label: 300 -> '300', 412.5 -> '412.5'."""
    return f"{float(T):g}"


def a0(metal: str, config: dict) -> float:
    """Starting lattice constant of ``metal`` (config ``metals.<metal>.a0_A``, Angstrom)."""
    try:
        return float(config["metals"][metal]["a0_A"])
    except (KeyError, TypeError):
        raise ConfigError(
            f"config key 'metals.{metal}.a0_A': the MD stage needs the starting lattice constant "
            f"of {metal} (Angstrom); add 'metals: {{{metal}: {{a0_A: ...}}}}'"
        ) from None


def uses_Tm(config: dict) -> bool:
    """True when the ribbon temperatures are fractions of each potential's own T_m (``cft.T_over_Tm``)."""
    return bool((config.get("cft") or {}).get("T_over_Tm"))


def Tm_for_cft(melting: dict) -> tuple[float, str]:
    """(T_m in K, its source) of a melting.json: the coexistence value, else the hysteresis estimate."""
    if melting.get("Tm_coexistence_K") is not None:
        return float(melting["Tm_coexistence_K"]), "coexistence"
    if melting.get("Tm_K") is not None:
        return float(melting["Tm_K"]), "hysteresis"
    raise ConfigError(
        f"cft.T_over_Tm: melting.json of {melting.get('metal')} has no melting point (neither "
        "coexistence nor hysteresis); give absolute temperatures in cft.T_K instead, or fix the md "
        f"melting settings ({melting.get('coexistence_note') or melting.get('note')})"
    )


def cft_temperatures(metal: str, config: dict, melting: dict | None = None) -> list[float]:
    """Ribbon temperatures of ``metal`` (K), sorted: ``cft.T_over_Tm`` times the metal's T_m (from its
    melting.json, ``melting``; :func:`Tm_for_cft`), rounded to whole kelvin, when set; else ``cft.T_K.<metal>``."""
    cc = config.get("cft") or {}
    if uses_Tm(config):
        if melting is None:
            raise ValueError(f"cft.T_over_Tm is set: the ribbon temperatures of {metal} need its melting.json")
        Tm, _ = Tm_for_cft(melting)
        return sorted({float(round(f * Tm)) for f in cc["T_over_Tm"]})
    return sorted({float(t) for t in (cc.get("T_K") or {}).get(metal, [])})


def expansion_temperatures(metal: str, config: dict, melting: dict | None = None) -> list[float]:
    """``md.expansion.T_K.<metal>`` plus every ribbon temperature (:func:`cft_temperatures`), sorted."""
    Ts = set(float(t) for t in config["md"]["expansion"]["T_K"].get(metal, []))
    if "cft" in config:
        Ts |= set(cft_temperatures(metal, config, melting))
        if "steps" in config["cft"] and cft_settings(metal, config)["steps"].get("facets"):
            Ts |= set(step_temperatures(metal, config, melting))
    return sorted(Ts)


def cft_settings(metal: str, config: dict) -> dict:
    """The cft section with ``cft.per_metal.<metal>`` overrides applied (e.g. larger ribbons for cheap potentials)."""
    cc = {k: v for k, v in config["cft"].items() if k != "per_metal"}
    over = dict(config["cft"].get("per_metal", {}).get(metal, {}))
    if "steps" in over:  # merged key by key: {Li: {steps: {facets: []}}} keeps the other step settings
        over["steps"] = {**cc.get("steps", {}), **over["steps"]}
    cc.update(over)
    return cc


def gamma_guess(metal: str, config: dict) -> float:
    """Stiffness guess of ``metal`` (J/m^2) that sets the rough start's amplitude (``cft.gamma_guess_J_m2``; 0.5)."""
    return float((config["cft"].get("gamma_guess_J_m2") or {}).get(metal, 0.5))


def ribbon_settings(
    metal: str, config: dict, b: int = 2, start: str = "flat", facet: str | None = None, a_A: float | None = None
) -> RibbonSettings:
    """Settings of a ribbon run of ``metal``, ``b`` spacings thick, from ``start`` (flat or rough): the cft
    section (per-metal overrides applied) and md's timestep, checkpoint interval and OpenMP threads. With
    ``cft.width_from_tau1`` the length W comes from :func:`anodeflow.cft.width.ribbon_width` for ``facet`` at the
    lattice constant ``a_A`` (both needed then)."""
    cc, md = cft_settings(metal, config), config["md"]
    keys = {k: cc[k] for k in RIBBON_KEYS}
    if cc.get("width_from_tau1"):
        if facet is None or a_A is None:
            raise ValueError("cft.width_from_tau1: the ribbon width needs the facet and a(T)")
        sx = float(spacing_factors(facet, cc.get("orientations"))[0]) * a_A
        keys["length_A"] = ribbon_width(metal, facet, a_A, sx, cc)["W_A"]
    return RibbonSettings(
        **keys,
        b=int(b),
        start=start,
        gamma_guess_J_m2=gamma_guess(metal, config),
        timestep_fs=md["timestep_fs"][metal],
        checkpoint_every=md["checkpoint_every"],
        omp_threads=md["omp_threads"],
    )


def ribbon_seed(config: dict, facet: str, T_K: float, b: int = 0, start: str = "flat") -> int:
    """Velocity seed of a ribbon: ``md.seed + int(T) + 1000 * int(facet) + 100000 * b`` (+ 7 for the rough start)."""
    return config["md"]["seed"] + int(T_K) + 1000 * int(facet) + 100000 * int(b) + (7 if start == "rough" else 0)


#: the two starts of every ribbon state point (methods.md 7.3): flat, and mode 1 imposed on both surfaces
STARTS = ("flat", "rough")


def ribbon_targets(config: dict, melting_of=None) -> list[tuple[str, str, int, str]]:
    """(metal, facet, b, T label) of every ribbon state point of the campaign (each run from both
    :data:`STARTS`); ``melting_of(metal) -> dict`` (its melting.json) when ``cft.T_over_Tm`` is set."""
    out = []
    for m in config["md"]["metals"]:
        Ts = cft_temperatures(m, config, melting_of(m) if uses_Tm(config) else None)
        for f in config["cft"]["facets"]:
            for b in cft_settings(m, config)["b_spacings"]:
                for T in Ts:
                    out.append((m, f, int(b), T_label(T)))
    return out


def step_temperatures(metal: str, config: dict, melting: dict | None = None) -> list[float]:
    """Temperatures of the stripe islands of ``metal``: ``cft.steps.T_over_Tm`` x Tm, else ``cft.steps.T_K``,
    else the ribbon temperatures (:func:`cft_temperatures`)."""
    st = cft_settings(metal, config)["steps"]
    if st.get("T_over_Tm"):
        if melting is None:
            raise ValueError(f"cft.steps.T_over_Tm is set: the step temperatures of {metal} need its melting.json")
        return sorted({float(round(f * Tm_for_cft(melting)[0])) for f in st["T_over_Tm"]})
    if (st.get("T_K") or {}).get(metal):
        return sorted(float(t) for t in st["T_K"][metal])
    return cft_temperatures(metal, config, melting)


def steps_use_Tm(config: dict) -> bool:
    """True when some step temperature depends on a melting point."""
    st = (config.get("cft") or {}).get("steps") or {}
    return bool(st.get("T_over_Tm")) or (uses_Tm(config) and not st.get("T_K"))


def step_targets(config: dict, melting_of=None) -> list[tuple[str, str, str, str]]:
    """(metal, facet, step direction, T label) of every stripe island of the campaign."""
    out = []
    for m in config["md"]["metals"]:
        st = cft_settings(m, config)["steps"]
        if not st["facets"]:
            continue
        Ts = step_temperatures(m, config, melting_of(m) if steps_use_Tm(config) else None)
        for f in st["facets"]:
            for d in st["directions"].get(f, []):
                for T in Ts:
                    out.append((m, f, d, T_label(T)))
    return out


def md_subset(metal: str, config: dict, *keys: str) -> dict:
    """Provenance record of an MD job: the potential, md's seed/threads/timestep and the named md sections."""
    sub = {
        "potential": afpot.spec(metal, config),
        "md": {k: config["md"].get(k) for k in ("seed", "omp_threads", "timestep_fs")},
    }
    for k in keys:
        sub[k] = config["md"][k]
    return sub


def _for_metal(section: dict, metal: str) -> dict:
    return {metal: section[metal]} if metal in section else {}


def job_config(config: dict, kind: str, metal: str) -> dict:
    """The part of the validated ``config`` a job of ``kind`` (one of :data:`JOB_KINDS`) for ``metal`` reads.

    Maps keyed by metal keep only ``metal``; md's execution keys (launcher, ntasks) are left out; a ribbon
    gets its cft settings with the per-metal overrides applied, and only the keys it uses (so changing a
    fit threshold does not rerun the MD of a ribbon). The job functions accept it in place of the whole
    config and read the same values from it.
    """
    if kind not in JOB_KINDS:
        raise ValueError(f"job kind {kind!r}; allowed: {list(JOB_KINDS)}")
    pot = {"potentials": _for_metal(config["potentials"], metal)}
    if kind == "potential":
        return pot
    if kind == "stiffness":
        cc = cft_settings(metal, config)
        return {"cft": {k: cc[k] for k in FIT_KEYS}}
    if kind == "step_stiffness":
        return {"cft": {"steps": cft_settings(metal, config)["steps"]}}
    md = config["md"]
    base = {k: md[k] for k in MD_COMMON_KEYS}
    base["timestep_fs"] = _for_metal(md["timestep_fs"], metal)
    metals = {"metals": _for_metal(config.get("metals") or {}, metal)}
    if kind == "melting":
        mc = {**md["melting"], "T_range_K": _for_metal(md["melting"]["T_range_K"], metal)}
        co = md.get("coexistence", {})
        co = {**co, "per_metal": _for_metal(co.get("per_metal", {}), metal)}
        return {"md": {**base, "melting": mc, "coexistence": co}, **pot, **metals}
    if kind == "expansion":
        ec = {**md["expansion"], "T_K": _for_metal(md["expansion"]["T_K"], metal)}
        cc = config.get("cft") or {}
        ribbon_T = {"T_K": _for_metal(cc.get("T_K") or {}, metal), "T_over_Tm": cc.get("T_over_Tm")}
        if "steps" in cc:
            st = cft_settings(metal, config)["steps"]
            ribbon_T["steps"] = {
                "facets": st["facets"],
                "T_over_Tm": st.get("T_over_Tm"),
                "T_K": _for_metal(st.get("T_K") or {}, metal),
            }
        return {"md": {**base, "expansion": ec, "liquid": md["liquid"]}, "cft": ribbon_T, **pot, **metals}
    cc = cft_settings(metal, config)
    if kind == "steps":
        return {"md": base, "cft": {"steps": cc["steps"]}, **pot}
    width = {k: cc[k] for k in WIDTH_KEYS}
    width["tau1_reference"] = _for_metal(cc.get("tau1_reference") or {}, metal)
    return {
        "md": base,
        "cft": {
            **{k: cc[k] for k in RIBBON_KEYS},
            **width,
            "gamma_guess_J_m2": _for_metal(cc.get("gamma_guess_J_m2") or {}, metal),
        },
        **pot,
    }
