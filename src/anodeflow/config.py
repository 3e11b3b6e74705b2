"""Configuration: JSON-schema validation plus the semantic checks a schema cannot express.

Every error names the offending key as a dotted path (``systems.interfaces[0].facets[1]``)
and, where the set is finite, the allowed values. Called from the Snakefile before any
job is scheduled.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "workflow" / "schemas"


#: settings that moved between sections (old configs get told where to)
MOVED_TO = {"report": {"keys": ("montecarlo", "beef", "bader"), "to": "analysis"}}


class ConfigError(ValueError):
    """A configuration value is invalid; the message names the key."""


def _key(path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "<config root>"


def _with_defaults(cls):
    validate_props = cls.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for prop, sub in properties.items():
                if isinstance(sub, dict) and "default" in sub:
                    instance.setdefault(prop, copy.deepcopy(sub["default"]))
        yield from validate_props(validator, properties, instance, schema)

    return validators.extend(cls, {"properties": set_defaults})


# libyaml's parser when PyYAML has it: the schemas then load in ~6 ms instead of ~50 ms, which every
# snakemake start (dry runs included) pays. Same safe constructors and resolver as yaml.safe_load.
_SCHEMA_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=4)
def load_schemas(schema_dir: Path = SCHEMA_DIR):
    """(main schema, registry of every schema in ``schema_dir``), read once per process. Treat as read-only."""
    registry = Registry()
    main = None
    for f in sorted(schema_dir.glob("*.schema.yaml")):
        doc = yaml.load(f.read_text(), Loader=_SCHEMA_LOADER)
        # Without its own "$schema", a $ref'd sub-schema is evaluated by the same (default-filling)
        # validator class as the main schema; with it, jsonschema would switch to the plain class.
        doc.pop("$schema", None)
        registry = registry.with_resource(doc.get("$id", f.name), Resource(contents=doc, specification=DRAFT202012))
        if f.name == "config.schema.yaml":
            main = doc
    return main, registry


def _describe(err) -> str:
    key = _key(err.absolute_path)
    sch = err.schema if isinstance(err.schema, dict) else {}
    if err.validator == "enum":
        return f"config key '{key}': {err.instance!r} is not allowed; allowed values: {err.validator_value}"
    if err.validator == "additionalProperties":
        allowed = sorted(sch.get("properties", {}))
        moved = sorted(set(err.instance) & set(MOVED_TO.get(key, {}).get("keys", ())))
        hint = f"; {', '.join(moved)} moved to '{MOVED_TO[key]['to']}:'" if moved else ""
        return f"config key '{key}': {err.message}; allowed keys: {allowed}{hint}"
    if err.validator == "oneOf" and "miller" in str(sch.get("description", "")).lower():
        return (
            f"config key '{key}': {err.instance!r} is not a Miller index; "
            'allowed: three integers [h, k, l] or a string of three digits such as "110"'
        )
    if err.validator == "oneOf" and key.endswith(".termination"):
        return (
            f"config key '{key}': {err.instance!r} is not allowed; allowed values: 'anion', 'cation' "
            "or an index (integer >= 0) into the terminations the coating face offers"
        )
    if err.validator == "oneOf" and any("structure_file" in str(s) for s in err.validator_value):
        return (
            f"config key '{key}': give either structure_file, or formula + spacegroup + a_A "
            f"(got keys {sorted(err.instance)})"
        )
    return f"config key '{key}': {err.message}"


def validate(config: dict, schema_dir: Path = SCHEMA_DIR) -> dict:
    """Validate ``config`` in place (filling schema defaults) and return it.

    Raises :class:`ConfigError` with every problem found, each naming its key.
    """
    main, registry = load_schemas(schema_dir)
    V = _with_defaults(Draft202012Validator)
    errors = sorted(V(main, registry=registry).iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    msgs = [_describe(e) for e in errors]
    if not msgs:
        msgs = semantic_errors(config)
    if msgs:
        raise ConfigError("invalid configuration:\n  - " + "\n  - ".join(msgs))
    return config


def semantic_errors(config: dict, workdir=".") -> list[str]:
    """Checks beyond the schema: known elements, cross references, Miller indices, and the input files
    a campaign would otherwise only miss mid-way (coating structure files, local potential files and
    their checksums; see :func:`anodeflow.potentials.config_errors`).

    Relative paths in the config are relative to ``workdir``, the workflow directory (where snakemake
    runs and the jobs run).
    """
    from ase.data import chemical_symbols
    from ase.formula import Formula  # not pymatgen: this runs at every snakemake start

    errs: list[str] = []
    known = set(chemical_symbols[1:])
    if config["precision"] not in config["presets"]:
        errs.append(
            f"config key 'precision': {config['precision']!r} is not a preset; "
            f"allowed values: {sorted(config['presets'])}"
        )
    for name, p in config["presets"].items():
        if p["fixed_layers"] >= p["metal_layers"]:
            errs.append(
                f"config key 'presets.{name}.fixed_layers': must be smaller than metal_layers ({p['metal_layers']})"
            )
    errs += _cutoff_errors(config, workdir)
    b = config.get("barriers", {})
    if b and b["fixed_layers"] >= b["layers"]:
        errs.append(f"config key 'barriers.fixed_layers': must be smaller than barriers.layers ({b['layers']})")
    bd = b.get("dft", {}) if b else {}
    if bd and bd["free_thickness_A"] >= bd["min_thickness_A"]:
        errs.append(
            f"config key 'barriers.dft.free_thickness_A': must be smaller than barriers.dft.min_thickness_A "
            f"({bd['min_thickness_A']} A), so that the bottom planes are held at bulk positions"
        )
    for key, sec in (("surfaces.precision", config.get("surfaces", {})), ("barriers.dft.precision", bd)):
        if sec and sec.get("precision") is not None and sec["precision"] not in config["presets"]:
            errs.append(
                f"config key '{key}': {sec['precision']!r} is not a preset; allowed values: {sorted(config['presets'])}"
            )
    for el in config["metals"]:
        if el not in known:
            errs.append(
                f"config key 'metals.{el}': unknown element {el!r}; allowed: chemical symbols such as Li, Na, K"
            )
    for name, c in config["coatings"].items():
        if "formula" in c:
            try:
                counts = Formula(c["formula"]).count()
                bad = [e for e in counts if e not in known] if counts else [c["formula"]]
            except ValueError:  # not parseable as a formula at all
                bad = [c["formula"]]
            if bad:
                errs.append(f"config key 'coatings.{name}.formula': unknown element(s) {bad} in {c['formula']!r}")
        for i, (el, _) in enumerate(c.get("basis", [])):
            if el not in known:
                errs.append(f"config key 'coatings.{name}.basis[{i}][0]': unknown element {el!r}")
        if "structure_file" in c:
            errs += _structure_file_errors(name, c, workdir)
    for gi, grp in enumerate(config["systems"]["isolated"]):
        for mi, m in enumerate(grp["metals"]):
            if m not in config["metals"]:
                errs.append(
                    f"config key 'systems.isolated[{gi}].metals[{mi}]': {m!r} is not defined; "
                    f"allowed values (keys of 'metals'): {sorted(config['metals'])}"
                )
        errs += _miller_errors(grp["facets"], f"systems.isolated[{gi}].facets")
    for gi, grp in enumerate(config["systems"]["interfaces"]):
        if grp["metal"] not in config["metals"]:
            errs.append(
                f"config key 'systems.interfaces[{gi}].metal': {grp['metal']!r} is not defined; "
                f"allowed values (keys of 'metals'): {sorted(config['metals'])}"
            )
        if grp["coating"] not in config["coatings"]:
            errs.append(
                f"config key 'systems.interfaces[{gi}].coating': {grp['coating']!r} is not defined; "
                f"allowed values (keys of 'coatings'): {sorted(config['coatings'])}"
            )
        elif config["coatings"][grp["coating"]]["kind"] == "bulk" and not grp.get("coating_facets"):
            errs.append(
                f"config key 'systems.interfaces[{gi}].coating_facets': required for bulk coating {grp['coating']!r}"
            )
        errs += _miller_errors(grp["facets"], f"systems.interfaces[{gi}].facets")
        errs += _miller_errors(grp.get("coating_facets", []), f"systems.interfaces[{gi}].coating_facets")
    conv_systems = (config.get("convergence") or {}).get("systems") or []
    if conv_systems and not errs:  # (system ids need valid metals and coatings)
        from anodeflow import systems as afsystems

        ids = set(afsystems.systems(config))
        for i, sid in enumerate(conv_systems):
            if sid not in ids:
                errs.append(
                    f"config key 'convergence.systems[{i}]': {sid!r} is not a system of the campaign; "
                    f"allowed values: {sorted(ids)}"
                )
    if "potentials" in config:
        from anodeflow import potentials as afpot

        errs += afpot.config_errors(config["potentials"], workdir)
    return errs


def _coating_elements(coating: dict, workdir) -> set[str]:
    """Element symbols of a coating: its formula, its basis, or its structure file (empty if unreadable: the
    formula and structure-file checks report that)."""
    from ase.formula import Formula

    try:
        if "formula" in coating:
            return set(Formula(coating["formula"]).count())
        if coating.get("basis"):
            return {el for el, _ in coating["basis"]}
        if "structure_file" in coating:
            s = _read_structure(_structure_path(coating["structure_file"], workdir))
            return {el.symbol for el in s.composition.elements}
    except Exception:  # unparseable formula, unreadable file: reported by their own checks
        return set()
    return set()


def low_cutoffs(config: dict, coating: str, workdir=".") -> list[tuple[str, str, float, float]]:
    """(element, preset key, its cutoff, the element's minimum) for every element of ``coating`` whose
    ``dft.min_ecut_eV`` exceeds the active preset's ``ecut_eV`` (the interface jobs) or ``bulk_ecut_eV``
    (the coating's lattice-constant scan), whatever ``allow_low_ecut`` says."""
    p = config["presets"].get(config["precision"])
    need = (config.get("dft") or {}).get("min_ecut_eV") or {}
    if not p or not need:
        return []
    cutoffs = {"ecut_eV": p["ecut_eV"]}
    if p.get("bulk_ecut_eV") is not None:
        cutoffs["bulk_ecut_eV"] = p["bulk_ecut_eV"]
    elements = _coating_elements(config["coatings"].get(coating, {}), workdir)
    return [
        (el, key, float(ecut), float(need[el]))
        for el in sorted(elements & set(need))
        for key, ecut in cutoffs.items()
        if float(ecut) < float(need[el])
    ]


def _cutoff_errors(config: dict, workdir=".") -> list[str]:
    """Interfaces whose coating holds an element that needs more cutoff than the active preset gives it
    (``low_cutoffs``): refused unless the preset is a demonstration (``allow_low_ecut``)."""
    name = config["precision"]
    if (config["presets"].get(name) or {}).get("allow_low_ecut"):
        return []
    what = {"ecut_eV": "forces", "bulk_ecut_eV": "lattice constant"}
    errs = []
    for gi, grp in enumerate(config["systems"]["interfaces"]):
        for el, key, ecut, need in low_cutoffs(config, grp["coating"], workdir):
            errs.append(
                f"config key 'presets.{name}.{key}': {ecut:g} eV is below dft.min_ecut_eV.{el} = {need:g} eV, "
                f"which systems.interfaces[{gi}] (coating {grp['coating']}) needs: its {what[key]} would not be "
                f"converged. Allowed: {key} >= {need:g} (or another preset), or presets.{name}.allow_low_ecut: "
                "true for a demonstration"
            )
    return errs


def cutoff_note(config: dict, coating: str | None, workdir=".") -> str:
    """A system's ``cutoff`` column (T_c table, cost plan): 'ok', or which element of its ``coating`` (None for
    an isolated slab) the active (demonstration) preset runs below its ``dft.min_ecut_eV``."""
    low = low_cutoffs(config, coating, workdir) if coating else []
    if not low:
        return "ok"
    by_el: dict[str, list[str]] = {}
    for el, key, ecut, need in low:
        by_el.setdefault(f"{el} needs {need:g} eV", []).append(f"{key} {ecut:g}")
    return "below dft.min_ecut_eV (not converged): " + "; ".join(f"{k}: {', '.join(v)}" for k, v in by_el.items())


def _structure_path(given: str, workdir) -> Path:
    """A coating's ``structure_file``: absolute, or relative to the workflow directory ``workdir``."""
    path = Path(given)
    return path if path.is_absolute() else Path(workdir).resolve() / path


def _read_structure(path: Path):
    """pymatgen's structure of ``path``, without the CIF parser's chatter (e.g. rounded occupancies)."""
    import warnings

    from pymatgen.core import Structure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Structure.from_file(path)


def _structure_file_errors(name: str, coating: dict, workdir) -> list[str]:
    """The coating's structure file exists, pymatgen reads it, and it agrees with ``formula`` if given."""
    from pymatgen.core import Composition

    key = f"config key 'coatings.{name}.structure_file'"
    given = coating["structure_file"]
    path = _structure_path(given, workdir)
    if Path(given).is_absolute():
        where = str(path)
    else:
        where = f"{path} ({given!r} is relative to the workflow directory {Path(workdir).resolve()})"
    if not path.is_file():
        return [
            f"{key}: file not found: {where}; put the structure file there (user structures go in "
            f"resources/coatings/, see resources/README.md) or give formula + spacegroup + a_A"
        ]
    try:
        s = _read_structure(path)
    except Exception as exc:  # pymatgen raises several kinds on unreadable files
        return [f"{key}: pymatgen cannot read a structure from {where}: {type(exc).__name__}: {exc}"]
    if "formula" in coating:
        try:
            want = Composition(coating["formula"]).reduced_formula
        except Exception:
            return []  # the formula itself is reported above
        if s.composition.reduced_formula != want:
            return [
                f"{key}: {where} holds {s.composition.reduced_formula}, but "
                f"'coatings.{name}.formula' is {coating['formula']!r}"
            ]
    return []


def _miller_errors(facets, key) -> list[str]:
    errs = []
    for i, f in enumerate(facets):
        try:
            hkl = miller(f)
        except ValueError as exc:
            errs.append(f"config key '{key}[{i}]': {exc}")
            continue
        if hkl == (0, 0, 0):
            errs.append(f"config key '{key}[{i}]': (0 0 0) is not a plane")
    return errs


def miller(value) -> tuple[int, int, int]:
    """Parse a Miller index given as [h, k, l] or "hkl" (three digits)."""
    if isinstance(value, str) and len(value) == 3 and value.isdigit():
        return tuple(int(c) for c in value)
    is_int = [isinstance(v, int) and not isinstance(v, bool) for v in value] if isinstance(value, (list, tuple)) else []
    if len(is_int) == 3 and all(is_int):
        return tuple(value)
    raise ValueError(
        f'{value!r} is not a Miller index; allowed: three integers [h, k, l] or a string of three digits such as "110"'
    )


def miller_label(value) -> str:
    """Path-safe label of a Miller index: (1,1,0) -> '110', (1,-1,0) -> '1m10'."""
    return "".join(str(i) if i >= 0 else f"m{-i}" for i in miller(value))


def load(path, *overrides) -> dict:
    """Load and validate a config file (later files deep-merge over earlier ones), as Snakemake does."""
    cfg: dict = {}
    for p in (path, *overrides):
        _deep_update(cfg, yaml.safe_load(Path(p).read_text()))
    return validate(cfg)


def _deep_update(base: dict, new: dict) -> dict:
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            _deep_update(base[k], v)
        else:
            base[k] = v
    return base
