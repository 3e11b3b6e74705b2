"""NEB adatom-hop barriers with the MD potential (Na EAM through LAMMPS: tiny slabs, seconds)."""

import json

import numpy as np
import pandas as pd
import pytest

from anodeflow import config
from anodeflow.interfaces.structures import metal_slab, plane_index
from anodeflow.pfinputs import barriers, jobs


@pytest.fixture(scope="module")
def na_cfg(root):
    cfg = config.load(root / "config" / "config.yaml")
    cfg["potentials"]["Na"]["local_dir"] = str(root.parent / "shared" / "potentials")
    return cfg


@pytest.mark.parametrize("facet, hop_over_a", [("100", 1.0), ("110", np.sqrt(3) / 2), ("111", np.sqrt(2))])
def test_hop_goes_between_equivalent_hollow_sites(facet, hop_over_a):
    a = 4.2
    slab = metal_slab("Na", tuple(int(c) for c in facet), a, 4, 2, 8.0, 10.0)
    p0, p1, hop = barriers.hop_endpoints(slab)
    assert hop == pytest.approx(hop_over_a * a, rel=1e-6)  # nearest equivalent site
    top = slab.positions[plane_index(slab.positions[:, 2]) == plane_index(slab.positions[:, 2]).max()]
    assert p0[2] > top[:, 2].max()  # above the surface
    d = np.linalg.norm((top - p0)[:, :2], axis=1)
    assert d.min() > 0.3 * a  # a hollow, not an on-top site


def test_neb_settings_come_from_the_config_section(na_cfg):
    s = barriers.NEBSettings.from_config(na_cfg["barriers"])
    assert s == barriers.NEBSettings(
        layers=6,
        fixed_layers=4,
        inplane_min_length_A=12.0,
        vacuum_A=12.0,
        n_images=7,
        fmax=0.02,
        max_steps=1000,
        climb=True,
    )


@pytest.mark.parametrize("facet", ["100", "110", "111"])
def test_final_state_is_the_initial_state_translated_by_the_hop(facet):
    """The final state is built as the initial one moved by the hop vector, a lattice translation of
    the slab, with the substrate renumbered (same state by symmetry, so E_fin = E_ini exactly). On the
    ideal lattice that is the ideal final state itself, atom for atom; a displaced initial state is
    carried along (each substrate atom keeps its displacement from its own site)."""
    s = barriers.NEBSettings(
        layers=4,
        fixed_layers=2,
        inplane_min_length_A=9.0,
        vacuum_A=10.0,
        n_images=3,
        fmax=0.05,
        max_steps=10,
        climb=True,
    )
    ini, fin, hop = barriers.adatom_images("Na", facet, 4.2, s)
    shift = fin.positions[-1] - ini.positions[-1]
    assert np.linalg.norm(shift) == pytest.approx(hop)
    np.testing.assert_allclose(barriers.translated_state(ini, ini[:-1], shift).positions, fin.positions, atol=1e-9)
    rng = np.random.default_rng(1)
    moved = ini.copy()
    u = rng.normal(scale=0.05, size=(len(ini), 3))
    moved.positions += u
    t = barriers.translated_state(moved, ini[:-1], shift)
    perm, lat = barriers.translation_permutation(ini[:-1], shift)
    np.testing.assert_allclose(t.positions[perm] - fin.positions[perm], u[:-1], atol=1e-9)
    with pytest.raises(ValueError, match="not a lattice translation"):
        barriers.translation_permutation(ini[:-1], 0.37 * shift)


@pytest.mark.lammps
def test_na_110_barrier_is_small_and_symmetric(na_cfg, tmp_path):
    """Na(110) hollow-to-hollow hop with the Nichol-Ackland EAM: a few tens of meV (methods.md
    quotes 0.04 eV for Na (101)); tolerance 0.02-0.08 eV on this small 5-image band (0.059 eV with 7
    images; benchmarks/neb_layers.py). fmax 0.02: the Na EAM is soft, and a band stopped at 0.05 eV/A
    still lies on a 0.11 eV path."""
    f = lambda: barriers.lammps_calculator("Na", na_cfg)  # noqa: E731
    a = barriers.lattice_constant("Na", na_cfg["metals"]["Na"]["a0_A"], f)
    assert a == pytest.approx(4.29, abs=0.05)  # the potential's bcc Na (exp. 4.23 A at 5 K)
    tiny = barriers.NEBSettings(
        layers=4,
        fixed_layers=2,
        inplane_min_length_A=9.0,
        vacuum_A=10.0,
        n_images=5,
        fmax=0.02,
        max_steps=1000,
        climb=True,
    )
    r = barriers.neb_barrier("Na", "110", a, f, tiny)
    assert r["converged"] and r["endpoints_are_minima"]
    assert min(r["energies_eV"][1:-1]) > -tiny.tol_eV  # no image below the end points
    assert 0.02 < r["E_a_eV"] < 0.08
    assert r["E_a_eV"] == pytest.approx(r["E_a_reverse_eV"], abs=1e-9)  # end points equal by symmetry
    # the table and the band figure of the gather job
    (tmp_path / "110.json").write_text(json.dumps({**r, "method": "NEB/eam/fs", "a_A": a}))
    jobs.barrier_table_job([tmp_path / "110.json"], "Na", tmp_path / "b.csv", tmp_path / "b.png")
    df = pd.read_csv(tmp_path / "b.csv")
    assert list(df.columns) == list(barriers.TABLE_COLUMNS) and df.E_a_eV.iloc[0] == r["E_a_eV"]
    assert (tmp_path / "b.png").stat().st_size > 0


@pytest.mark.lammps
def test_barrier_job_command_line(na_cfg, tmp_path):
    """python -m anodeflow.pfinputs.jobs barrier: the config JSON of the rule (barriers, the metal's
    metals and potentials entries), the result JSON and the LAMMPS log."""
    small = {
        "layers": 4,
        "fixed_layers": 2,
        "inplane_min_length_A": 9.0,
        "vacuum_A": 10.0,
        "n_images": 5,
        "fmax": 0.02,
        "max_steps": 1000,
    }
    cfg = {
        "barriers": {**na_cfg["barriers"], **small},
        "metals": {"Na": na_cfg["metals"]["Na"]},
        "potentials": {"Na": na_cfg["potentials"]["Na"]},
    }
    out, log = tmp_path / "110.json", tmp_path / "110.lammps.log"
    jobs.main(
        [
            "barrier",
            "--config",
            json.dumps(cfg),
            "--metal",
            "Na",
            "--facet",
            "110",
            "--out",
            str(out),
            "--lammps-log",
            str(log),
        ]
    )
    r = json.loads(out.read_text())
    assert 0.02 < r["E_a_eV"] < 0.08 and r["method"].startswith("NEB/")
    assert r["provenance"]["config"]["barriers"]["n_images"] == 5
    assert log.stat().st_size > 0
