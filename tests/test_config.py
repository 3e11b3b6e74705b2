"""Bad input is rejected before any job runs, with a message naming the key."""

import subprocess
import sys

import pytest
import yaml

from anodeflow import config
from anodeflow import systems as campaign_systems


@pytest.fixture()
def cfg(root):
    return yaml.safe_load((root / "config" / "config.yaml").read_text())


def rejected(cfg, *needles):
    with pytest.raises(config.ConfigError) as exc:
        config.validate(cfg)
    msg = str(exc.value)
    for n in needles:
        assert n in msg, msg
    return msg


def test_reference_and_quick_configs_are_valid(root):
    ref = config.load(root / "config" / "config.yaml")
    quick = config.load(root / "config" / "config.yaml", root / "config" / "quick.yaml")
    ids = list(campaign_systems.systems(ref))
    # every reference system of methods.md section 2 (isolated x2 functionals, fluorides, 2D)
    assert len(ids) == 12 + 6 + 9 + 12
    for sid in [
        "Li-100",
        "Na-111",
        "Li-100__LiF-100",
        "Na-110__NaF-111",
        "Li-110__graphene",
        "Na-100__hBN",
        "Li-100_BEEF-vdW",
    ]:
        assert sid in ids
    # the quick campaign: the systems whose cells stay small under the single-image rule (config/quick.yaml)
    assert list(campaign_systems.systems(quick)) == ["Li-110", "Na-110"]
    # and its interface overlay (1-2 h more on 2 cores)
    with_if = config.load(
        root / "config" / "config.yaml", root / "config" / "quick.yaml", root / "config" / "quick_interface.yaml"
    )
    assert list(campaign_systems.systems(with_if)) == ["Li-110", "Na-110", "Li-110__LiF-100"]
    assert with_if["interfaces"]["select"] == "min_area" and quick["interfaces"]["select"] == "min_strain"


def test_schema_violation_names_key(cfg):
    cfg["presets"]["reference"]["ecut_eV"] = "lots"
    rejected(cfg, "presets.reference.ecut_eV")


def test_unknown_top_level_key_lists_allowed(cfg):
    cfg["interfacez"] = {}
    rejected(cfg, "interfacez", "allowed keys")


def test_unknown_functional_lists_allowed(cfg):
    cfg["systems"]["interfaces"][0]["xc"] = "B3LYP"
    rejected(cfg, "systems.interfaces[0].xc", "PBE", "BEEF-vdW")


def test_unknown_element(cfg):
    cfg["metals"]["Xx"] = {"a0_A": 5.0}
    rejected(cfg, "metals.Xx", "unknown element")


def test_unknown_element_in_coating_formula(cfg):
    cfg["coatings"]["LiF"]["formula"] = "LiQ"
    rejected(cfg, "coatings.LiF.formula")


@pytest.mark.parametrize("bad", [[1, 0], "1a0", [1.0, 0, 0], "1100", [1, 0, "x"]])
def test_miller_index_not_three_integers(cfg, bad):
    cfg["systems"]["isolated"][0]["facets"][1] = bad
    rejected(cfg, "systems.isolated[0].facets[1]", "Miller index")


@pytest.mark.parametrize("bad", [0, -0.01, 0.11, 1.0])
def test_strain_limit_outside_range(cfg, bad):
    cfg["interfaces"]["max_strain"] = bad
    rejected(cfg, "interfaces.max_strain")


def test_undefined_metal_reference(cfg):
    cfg["systems"]["interfaces"][0]["metal"] = "K"
    rejected(cfg, "systems.interfaces[0].metal", "allowed values")


def test_unknown_precision_preset(cfg):
    cfg["precision"] = "ultra"
    rejected(cfg, "precision", "reference", "quick")


def test_neb_slab_without_free_planes(cfg):
    cfg["barriers"]["fixed_layers"] = cfg["barriers"]["layers"]
    rejected(cfg, "barriers.fixed_layers", "smaller than barriers.layers")


def test_vacuum_below_15_A(cfg):
    cfg["presets"]["reference"]["vacuum_A"] = 10
    rejected(cfg, "presets.reference.vacuum_A")


def test_fluoride_interface_below_the_fluorine_cutoff_is_refused_unless_a_demo(cfg):
    """dft.min_ecut_eV (F: 500 eV, measured): a NaF or LiF interface at a preset with less is refused before any
    job, naming the preset's key, the element's minimum and the allowed values; a demonstration preset
    (allow_low_ecut) passes; isolated slabs (no F) pass at any cutoff; the flag is not science (no rerun)."""
    cfg["presets"]["reference"]["ecut_eV"] = 300
    rejected(cfg, "presets.reference.ecut_eV", "dft.min_ecut_eV.F = 500", "coating LiF", "allow_low_ecut: true")
    cfg["presets"]["reference"]["allow_low_ecut"] = True
    checked = config.validate(cfg)
    assert "allow_low_ecut" not in campaign_systems.science(campaign_systems.preset(checked))
    cfg["presets"]["reference"]["allow_low_ecut"] = False
    cfg["presets"]["reference"]["ecut_eV"] = 500
    cfg["presets"]["reference"]["bulk_ecut_eV"] = 400  # the coating's lattice-constant scan is checked too
    rejected(cfg, "presets.reference.bulk_ecut_eV", "lattice constant")
    cfg["presets"]["reference"]["bulk_ecut_eV"] = None  # null: the scan runs at ecut_eV
    config.validate(cfg)
    cfg["presets"]["reference"]["ecut_eV"] = 300
    cfg["systems"]["interfaces"] = []
    config.validate(cfg)


def test_t_c_table_cutoff_column_flags_the_demo_interface(root):
    """The quick interface overlay (a demonstration preset, 200 eV) runs LiF below F's 500 eV: its row of the
    T_c table says so; the isolated slabs (no coating) and a reference-preset interface read 'ok'."""
    cfg = config.load(*(root / "config" / f for f in ("config.yaml", "quick.yaml", "quick_interface.yaml")))
    ids = list(campaign_systems.systems(cfg))
    notes = {sid: config.cutoff_note(cfg, campaign_systems.system(cfg, sid).coating) for sid in ids}
    assert notes["Li-110"] == "ok" and notes["Na-110"] == "ok"
    assert (
        notes["Li-110__LiF-100"].startswith("below dft.min_ecut_eV")
        and "F needs 500 eV: ecut_eV 200" in notes["Li-110__LiF-100"]
    )
    ref = config.load(root / "config" / "config.yaml")
    assert config.cutoff_note(ref, "LiF") == "ok"


def test_cutoff_guard_reads_a_coating_given_as_a_structure_file(cfg, tmp_path):
    """A coating given only by its structure file: its elements come from the file (here rock-salt LiF)."""
    from pymatgen.core import Lattice, Structure

    Structure.from_spacegroup("Fm-3m", Lattice.cubic(4.03), ["Li", "F"], [[0, 0, 0], [0.5, 0.5, 0.5]]).to(
        filename=str(tmp_path / "LiF.cif")
    )
    cfg["coatings"]["myLiF"] = {"kind": "bulk", "structure_file": str(tmp_path / "LiF.cif")}
    cfg["systems"]["interfaces"] = [
        {"metal": "Li", "facets": ["100"], "coating": "myLiF", "coating_facets": ["100"], "xc": "PBE"}
    ]
    cfg["presets"]["reference"]["ecut_eV"] = 300
    rejected(cfg, "presets.reference.ecut_eV", "dft.min_ecut_eV.F", "coating myLiF")


@pytest.mark.parametrize(
    "overlays",
    [
        [],
        ["quick.yaml"],
        ["quick.yaml", "quick_interface.yaml"],
        ["validation.yaml"],
        ["validation_interface.yaml"],
        ["validation_cft.yaml"],
        ["quick.yaml", "validation_barriers.yaml"],
    ],
)
def test_shipped_overlays_validate(root, overlays):
    config.validate(config.load(root / "config" / "config.yaml", *(root / "config" / o for o in overlays)))


def test_user_adds_metal_and_coating_in_config_only(cfg):
    """K and a coating given by formula + space group + lattice constant: no code change."""
    cfg["metals"]["K"] = {"a0_A": 5.28}
    cfg["coatings"]["KF"] = {"kind": "bulk", "formula": "KF", "spacegroup": 225, "a_A": 5.35}
    cfg["systems"]["interfaces"].append(
        {"metal": "K", "facets": ["110"], "coating": "KF", "coating_facets": [[1, 0, 0]], "xc": "PBE"}
    )
    config.validate(cfg)
    assert "K-110__KF-100" in campaign_systems.systems(cfg)


@pytest.mark.workflow
def test_snakemake_refuses_bad_config_before_any_job(root, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("interfaces:\n  max_strain: 0.5\n")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-n",
            "--cores",
            "1",
            "-s",
            str(root / "Snakefile"),
            "-d",
            str(tmp_path),
            "--configfile",
            str(bad),
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0
    assert "interfaces.max_strain" in r.stdout + r.stderr


def test_defaults_of_referenced_sub_schemas_are_filled(cfg):
    """Defaults in $ref'd stage schemas (md, cft, ...) are filled like those of the main schema."""
    import yaml as _yaml

    from anodeflow.config import SCHEMA_DIR

    sub = _yaml.safe_load((SCHEMA_DIR / "cft.schema.yaml").read_text())
    defaults = {k: v["default"] for k, v in sub["properties"].items() if isinstance(v, dict) and "default" in v}
    assert defaults
    for k in defaults:
        cfg["cft"].pop(k, None)
    config.validate(cfg)
    for k, v in defaults.items():
        if v == {} and "properties" in sub["properties"][k]:  # an object default: filled with its own defaults
            inner = {kk: vv["default"] for kk, vv in sub["properties"][k]["properties"].items() if "default" in vv}
            assert cfg["cft"][k] == inner, k
        else:
            assert cfg["cft"][k] == v, k


def test_moved_analysis_settings_are_pointed_to_their_new_section(reference_config):
    import copy

    cfg = copy.deepcopy(reference_config)
    cfg["report"] = {"montecarlo": {"n_small": 16}}
    with pytest.raises(config.ConfigError, match=r"'report'.*montecarlo moved to 'analysis:'"):
        config.validate(cfg)


def test_bad_termination_and_select_name_key_and_allowed_values(cfg):
    cfg["systems"]["interfaces"][1]["termination"] = "neutral"
    cfg["interfaces"]["select"] = "smallest"
    msg = rejected(
        cfg, "systems.interfaces[1].termination", "'anion', 'cation'", "interfaces.select", "min_strain", "min_area"
    )
    assert "neutral" in msg and "smallest" in msg


def test_convergence_systems_must_be_campaign_systems():
    from pathlib import Path

    from anodeflow import config as afc

    root = Path(__file__).resolve().parents[1]
    cfg = afc.load(root / "config" / "config.yaml", root / "config" / "quick.yaml")
    assert not afc.semantic_errors(dict(cfg, convergence=dict(cfg["convergence"], systems=["Li-110"])), root)
    errs = afc.semantic_errors(dict(cfg, convergence=dict(cfg["convergence"], systems=["Li-999"])), root)
    assert any("convergence.systems[0]" in e and "Li-999" in e for e in errs)


@pytest.mark.parametrize(
    "key, bad, needles",
    [
        ("method", "vasp", ("barriers.method", "allowed values", "dft")),
        ("dft.vacuum_A", 10.0, ("barriers.dft.vacuum_A",)),
        ("dft.min_thickness_A", 1.0, ("barriers.dft.min_thickness_A",)),
        ("dft.n_images", 0, ("barriers.dft.n_images",)),
        ("dft.mechanisms", ["hop", "swap"], ("barriers.dft.mechanisms[1]", "exchange")),
        ("dft.precision", "ultra", ("barriers.dft.precision", "not a preset")),
        ("dft.free_thickness_A", 12.0, ("barriers.dft.free_thickness_A", "smaller than barriers.dft.min_thickness_A")),
        ("dft.cutoff", 300, ("barriers.dft", "allowed keys")),
    ],
)
def test_bad_dft_barrier_settings_name_the_key(cfg, key, bad, needles):
    sec = cfg["barriers"]
    *parents, last = key.split(".")
    for p in parents:
        sec = sec.setdefault(p, {})
    sec[last] = bad
    rejected(cfg, *needles)


def test_reference_barriers_are_dft_and_quick_ones_md(root):
    """The reference campaign's NEB is DFT (its job config: the dft keys and the preset's science keys,
    no ntasks); quick keeps the MD potentials, whose job config carries no DFT keys."""
    ref = config.load(root / "config" / "config.yaml")
    quick = config.load(root / "config" / "config.yaml", root / "config" / "quick.yaml")
    assert ref["barriers"]["method"] == "dft" and quick["barriers"]["method"] == "md"
    job = campaign_systems.barrier_job_config(ref, "Li")
    assert job["barriers"]["dft"]["vacuum_A"] >= 15 and job["preset"]["ecut_eV"] == 500
    assert "ntasks" not in job["preset"] and "potentials" not in job
    md_job = campaign_systems.barrier_job_config(quick, "Li")
    assert "dft" not in md_job["barriers"] and md_job["barriers"]["method"] == "md"
