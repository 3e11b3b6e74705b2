"""Turn a validated config into the campaign's systems (ids, metals, facets, coatings, functionals).

System ids are path-safe and stable, because users ask for targets by them:

* isolated slab, PBE:        ``Li-100``
* isolated slab, other xc:   ``Li-100_BEEF-vdW`` (the reference for metal/2D systems)
* metal/bulk coating:        ``Na-110__NaF-111``
* metal/2D sheet:            ``Li-110__graphene``
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .config import miller, miller_label

DEFAULT_XC = "PBE"


@dataclass(frozen=True)
class SystemSpec:
    id: str
    metal: str
    facet: tuple
    xc: str
    coating: str | None = None
    coating_kind: str | None = None
    coating_facet: tuple | None = None
    termination: str | int | None = None  # interfaces: "anion" (default), "cation" or an index

    @property
    def is_interface(self) -> bool:
        return self.coating is not None

    @property
    def bulk_phases(self) -> list[str]:
        """Bulk references this system needs, as ``{phase}_{xc}`` ids."""
        out = [f"{self.metal}_{self.xc}"]
        if self.coating:
            out.append(f"{self.coating}_{self.xc}")
        return out

    def to_dict(self) -> dict:
        return asdict(self)


def isolated_id(metal: str, facet, xc: str) -> str:
    base = f"{metal}-{miller_label(facet)}"
    return base if xc == DEFAULT_XC else f"{base}_{xc}"


def interface_id(metal: str, facet, coating: str, coating_facet=None) -> str:
    right = coating if coating_facet is None else f"{coating}-{miller_label(coating_facet)}"
    return f"{metal}-{miller_label(facet)}__{right}"


def systems(config: dict) -> dict[str, SystemSpec]:
    """All systems of the campaign, keyed by id, in config order."""
    out: dict[str, SystemSpec] = {}
    for grp in config["systems"]["isolated"]:
        for xc in grp.get("xc", [DEFAULT_XC]):
            for m in grp["metals"]:
                for f in grp["facets"]:
                    s = SystemSpec(isolated_id(m, f, xc), m, miller(f), xc)
                    out[s.id] = s
    for grp in config["systems"]["interfaces"]:
        coat = config["coatings"][grp["coating"]]
        cfacets = [None] if coat["kind"] == "2d" else [miller(c) for c in grp["coating_facets"]]
        for f in grp["facets"]:
            for cf in cfacets:
                s = SystemSpec(
                    interface_id(grp["metal"], f, grp["coating"], cf),
                    grp["metal"],
                    miller(f),
                    grp["xc"],
                    grp["coating"],
                    coat["kind"],
                    cf,
                    grp.get("termination", "anion"),
                )
                out[s.id] = s
    return out


def bulk_phases(config: dict) -> list[str]:
    """Every bulk reference ``{phase}_{xc}`` the campaign needs."""
    seen: dict[str, None] = {}
    for s in systems(config).values():
        for b in s.bulk_phases:
            seen[b] = None
    return list(seen)


def preset(config: dict, name: str | None = None) -> dict:
    """The active precision preset (or a named one), as data."""
    return dict(config["presets"][name or config["precision"]])


#: preset keys that say how a job runs (ntasks) or how the config is checked (allow_low_ecut), not what
#: it computes: kept out of job specs (rule params), so changing them reruns nothing
EXECUTION_KEYS = ("ntasks", "allow_low_ecut")


def science(p: dict) -> dict:
    """A preset without its execution keys (what goes into a job spec)."""
    return {k: v for k, v in p.items() if k not in EXECUTION_KEYS}


# ----------------------------------------------------------------------------- job specs
# Everything a job depends on, as plain data: passed to the job and used as the rule's params,
# so that changing one system's settings reruns exactly what depends on them.


def bulk_job_spec(config: dict, phase: str, xc: str) -> dict:
    p = science(preset(config))
    if phase in config["metals"]:
        m = config["metals"][phase]
        return {
            "phase": phase,
            "xc": xc,
            "kind": "metal",
            "structure": m.get("structure", "bcc"),
            "a0_A": m["a0_A"],
            "preset": p,
        }
    c = config["coatings"][phase]
    spec = {"phase": phase, "xc": xc, "kind": c["kind"], "a0_A": c.get("a_A"), "coating": c, "preset": p}
    if "structure_file" in c:
        # the scan starts from the file's lattice constant, and an edited file reruns the job
        from .interfaces.structures import coating_structure
        from .io import sha256_file

        spec["a0_A"] = spec["a0_A"] or float(coating_structure(c).lattice.a)
        spec["structure_sha256"] = sha256_file(c["structure_file"])
    return spec


# Convergence variants are systems too: ``Li-100.conv-metal_layers-5`` is Li-100 with the active
# preset's ``metal_layers`` set to 5. They reuse every rule of the chain under their own id.
CONVERGENCE_PARAMS = ("inplane_min_length_A", "metal_layers", "kpt_density")
_CONV_SEP = ".conv-"


def convergence_variant_id(system_id: str, param: str, value) -> str:
    return f"{system_id}{_CONV_SEP}{param}-{value}"


def convergence_variants(config: dict, system_id: str) -> list[tuple[str, str, object]]:
    """(variant id, parameter, value) for every value of every parameter in config 'convergence'."""
    conv = config.get("convergence", {})
    return [(convergence_variant_id(system_id, p, v), p, v) for p in CONVERGENCE_PARAMS for v in conv.get(p, [])]


def system(config: dict, system_id: str) -> SystemSpec:
    """The SystemSpec of an id, convergence variants included."""
    return systems(config)[system_id.split(_CONV_SEP)[0]]


def system_preset(config: dict, system_id: str) -> dict:
    """The active preset (execution keys dropped), with a convergence variant's override applied."""
    p = science(preset(config))
    if _CONV_SEP in system_id:
        param, value = system_id.split(_CONV_SEP)[1].rsplit("-", 1)
        if param not in CONVERGENCE_PARAMS:
            raise ValueError(f"{system_id}: unknown convergence parameter {param!r}; allowed: {CONVERGENCE_PARAMS}")
        p[param] = type(p[param])(float(value)) if isinstance(p[param], int) else float(value)
    return p


def build_job_spec(config: dict, system_id: str) -> dict:
    s = system(config, system_id)
    spec = {
        "id": system_id,
        "metal": s.metal,
        "facet": list(s.facet),
        "xc": s.xc,
        "coating": s.coating,
        "coating_facet": list(s.coating_facet) if s.coating_facet else None,
        "preset": system_preset(config, system_id),
        # every distinct site and pair (methods §6), or a sample of the pairs within a budget
        "sampling": {
            "max_configurations": config["dft"].get("max_configurations"),
            "seed": config["dft"].get("sampling_seed", 0),
        },
        # the single-image rule (methods §6) refuses a system whose cell would exceed this
        "max_area_A2": config["interfaces"]["max_area_A2"],
    }
    if s.coating:
        spec["coating_spec"] = config["coatings"][s.coating]
        spec["interfaces"] = config["interfaces"]
        spec["termination"] = s.termination
    return spec


def relax_job_spec(config: dict, system_id: str, config_id: str, removed: list[int]) -> dict:
    return {
        "system": system_id,
        "config_id": config_id,
        "removed": list(removed),
        "xc": system(config, system_id).xc,
        "preset": system_preset(config, system_id),
        # the relaxation path (dft.optimizer): precon (default) or plain bfgs
        "optimizer": config["dft"].get("optimizer", "precon"),
    }


def adhesion_job_spec(config: dict, system_id: str, part: str, structure) -> dict:
    """Job spec of the metal or the coating alone (``part``) in the interface's cell: the built interface
    ``structure`` (extxyz with the ``is_metal`` array) minus the other part (methods §6, adhesion)."""
    from ase.io import read

    from anodeflow.analysis.adhesion import part_removed

    atoms = read(structure, format="extxyz")
    removed = part_removed(atoms.arrays["is_metal"], part)
    return relax_job_spec(config, system_id, f"adhesion_{part}", removed)


def convergence_job_spec(config: dict, system_id: str) -> dict:
    """The job spec of a system's convergence study (``anodeflow.thermo.jobs convergence``): its variants as
    [variant id, parameter, value], the active preset they vary (execution keys dropped), and over how
    many of each parameter's largest settings the T_c spread is taken (convergence.spread_settings)."""
    conv = config.get("convergence", {})
    return {
        "variants": [list(v) for v in convergence_variants(config, system_id)],
        "preset": science(preset(config)),
        "spread_settings": conv.get("spread_settings", 2),
    }


def surface_energy_preset(config: dict) -> dict:
    """The precision preset of the E_s jobs: surfaces.precision (null: the active one)."""
    return preset(config, config["surfaces"]["precision"])


def surface_energy_job_config(config: dict) -> dict:
    """The config an E_s job reads (``anodeflow.pfinputs.jobs surface-energy --config``): the surfaces settings
    without the lists of metals, facets and strains (adding a strain must not rerun the others) and the science
    keys of its preset (execution keys such as ntasks left out, so changing them reruns nothing)."""
    job = {k: v for k, v in config["surfaces"].items() if k not in ("metals", "facets", "strains")}
    return {"surfaces": job, "preset": science(surface_energy_preset(config))}


def barrier_preset(config: dict) -> dict:
    """The precision preset of the DFT barrier jobs: barriers.dft.precision (null: the active one)."""
    return preset(config, config["barriers"]["dft"]["precision"])


def barrier_job_config(config: dict, metal: str) -> dict:
    """The config a barrier job of ``metal`` reads (``anodeflow.pfinputs.jobs barrier --config`` or ``barrier-dft``),
    so that a change reruns exactly the barriers that read it. method md: the barriers section without its lists
    and its dft keys, and that metal's entries of metals (a0_A) and potentials; method dft: the method, the dft
    keys and the science keys of their preset (ntasks left out: changing it reruns nothing)."""
    b = config["barriers"]
    if b["method"] == "dft":
        return {"barriers": {"method": "dft", "dft": b["dft"]}, "preset": science(barrier_preset(config))}
    job = {k: v for k, v in b.items() if k not in ("metals", "facets", "dft")}
    return {
        "barriers": job,
        "metals": {metal: config["metals"][metal]},
        "potentials": {metal: config["potentials"][metal]},
    }
