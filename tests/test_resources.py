"""resources/: the potentials table agrees with the config, fetched potentials stay out of git, and the
shipped coating CIF validates and builds the same bulk cell as the formula + space group route."""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

from anodeflow import config as afconfig
from anodeflow.interfaces import structures

ROOT = Path(__file__).resolve().parents[1]
RES = ROOT / "resources"
LIF_CIF = "resources/coatings/LiF.cif"
#: COD 9008667 (Wyckoff 1963), the numbers written into resources/coatings/LiF.cif
LIF_A = 4.0173


@pytest.fixture()
def cfg():
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def test_readme_lists_every_configured_potential(cfg):
    readme = (RES / "README.md").read_text()
    for metal, sp in cfg["potentials"].items():
        row = f"| {metal} | `{sp['source']}` |"
        assert row in readme, f"resources/README.md has no row {row!r}"
        for name in sp["files"]:
            assert f"`{name}`" in readme, name
        hashes = list((sp.get("sha256s") or {}).values()) + ([sp["sha256"]] if sp.get("sha256") else [])
        assert hashes, f"potentials.{metal}: no checksum in the reference config"
        for h in hashes:
            assert f"`{h}`" in readme, f"sha256 of potentials.{metal} missing or stale in resources/README.md"
        if sp.get("url"):
            assert sp["url"] in readme
        # first author's surname: "Y. Zuo et al., ..." -> Zuo, "A. Nichol and G. J. Ackland, ..." -> Nichol
        surname = sp["citation"].split(",")[0].replace(" et al.", "").split(" and ")[0].split()[-1]
        assert surname in readme, (metal, surname)


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs the git checkout")
@pytest.mark.parametrize(
    "path,ignored",
    [
        ("resources/potentials/Na_v2.eam.fs", True),
        ("resources/potentials/anything_fetched.eam.alloy", True),
        ("Na_v2.eam.fs", True),
        ("resources/potentials/.gitignore", False),
        ("resources/README.md", False),
        ("resources/coatings/README.md", False),
        ("resources/coatings/LiF.cif", False),
    ],
)
def test_fetched_potentials_are_ignored_and_the_rest_tracked(path, ignored):
    r = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", path])
    assert r.returncode in (0, 1)
    assert (r.returncode == 0) is ignored, f"{path}: expected {'ignored' if ignored else 'tracked'}"


def _with_coating(cfg, spec):
    cfg["coatings"]["LiF_cif"] = spec
    cfg["systems"]["interfaces"].append(
        {"metal": "Li", "facets": ["100"], "coating": "LiF_cif", "coating_facets": ["100"], "xc": "PBE"}
    )
    return cfg


@pytest.mark.slow
def test_example_cif_validates_and_builds_like_the_formula_route(cfg, monkeypatch):
    monkeypatch.chdir(ROOT)  # relative structure_file paths are relative to the workflow directory
    file_spec = {"kind": "bulk", "structure_file": LIF_CIF}
    afconfig.validate(_with_coating(cfg, file_spec))
    proto = {"kind": "bulk", "formula": "LiF", "spacegroup": 225, "a_A": LIF_A}

    conv_file, conv_proto = structures.coating_structure(file_spec), structures.coating_structure(proto)
    assert conv_file.composition.reduced_formula == "LiF" and len(conv_file) == len(conv_proto) == 8
    assert np.allclose(conv_file.lattice.matrix, conv_proto.lattice.matrix, atol=1e-8)
    assert conv_file.matches(conv_proto, ltol=1e-4, stol=1e-4, angle_tol=1e-3, scale=False)

    # the bulk job's cell (primitive, ASE), at the file's a and at a relaxed a
    for a in (None, 4.06):
        at_file, at_proto = structures.bulk_coating(file_spec, a), structures.bulk_coating(proto, a)
        assert len(at_file) == 2 and sorted(at_file.get_chemical_symbols()) == ["F", "Li"]
        assert np.allclose(at_file.cell.cellpar(), at_proto.cell.cellpar(), atol=1e-8)
        assert at_file.get_volume() == pytest.approx((a or LIF_A) ** 3 / 4, rel=1e-10)
        pos = {s: p for s, p in zip(at_proto.get_chemical_symbols(), at_proto.get_scaled_positions())}
        for s, p in zip(at_file.get_chemical_symbols(), at_file.get_scaled_positions()):
            d = (p - pos[s] + 0.5) % 1.0 - 0.5
            assert np.allclose(d, 0, atol=1e-8), s


def test_missing_structure_file_names_key_and_path(cfg, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _with_coating(cfg, {"kind": "bulk", "structure_file": "resources/coatings/nope.cif"})
    with pytest.raises(afconfig.ConfigError) as e:
        afconfig.validate(cfg)
    msg = str(e.value)
    assert "coatings.LiF_cif.structure_file" in msg
    assert str(tmp_path.resolve() / "resources" / "coatings" / "nope.cif") in msg


def test_unreadable_or_mismatching_structure_file(cfg, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "junk.cif").write_text("this is not a crystal\n")
    shutil.copy(RES / "coatings" / "LiF.cif", tmp_path / "lif.cif")
    cfg["coatings"]["junk"] = {"kind": "bulk", "structure_file": "junk.cif"}
    cfg["coatings"]["NaF_wrong"] = {"kind": "bulk", "structure_file": str(tmp_path / "lif.cif"), "formula": "NaF"}
    with pytest.raises(afconfig.ConfigError) as e:
        afconfig.validate(cfg)
    msg = str(e.value)
    assert "coatings.junk.structure_file" in msg and str(tmp_path.resolve() / "junk.cif") in msg
    assert "coatings.NaF_wrong.structure_file" in msg and "holds LiF" in msg and "'NaF'" in msg
