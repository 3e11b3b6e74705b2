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


# ----------------------------------------------------------------------------- both mechanisms, DFT slabs


def _tiny_settings(**kw):
    base = dict(layers=4, fixed_layers=2, inplane_min_length_A=7.0, vacuum_A=10.0, n_images=3, fmax=0.05)
    return barriers.NEBSettings(**{**base, "max_steps": 10, "climb": True, "periodic_z": False, **kw})


@pytest.mark.parametrize("facet", ["100", "110", "111"])
def test_exchange_ends_in_the_same_state_by_symmetry(facet):
    """The exchange: the adatom takes the site of a top-plane atom, which goes onto an equivalent hollow.
    The hollow (bulk continuation) is a bcc lattice site, so both atoms move by the nearest-neighbour
    distance sqrt(3) a/2; the final state is the initial one translated by a surface lattice vector with
    the two atoms' roles swapped, so a displaced initial state and its final state have the same energy
    with any calculator (EMT here, a tiny bcc slab with every atom displaced), yet differ atom by atom."""
    from ase.calculators.emt import EMT

    a = 2.9  # bcc Cu: an element EMT knows; the geometry is what is tested
    ideal, _, _ = barriers.adatom_images("Cu", facet, a, _tiny_settings())
    mech = barriers.mechanism("exchange", ideal)
    fin = mech.forward(ideal)
    s, n = mech.swap, len(ideal) - 1
    nn = np.sqrt(3) * a / 2
    assert np.linalg.norm(fin.positions[n] - ideal.positions[n]) == pytest.approx(nn, rel=1e-9)
    assert np.linalg.norm(fin.positions[s] - ideal.positions[s]) == pytest.approx(nn, rel=1e-9)
    # the adatom ends where the surface atom was (periodic image), the surface atom on a hollow as high as the start
    assert fin.positions[n, 2] == pytest.approx(ideal.positions[s, 2], abs=1e-9)
    assert fin.positions[s, 2] == pytest.approx(ideal.positions[n, 2], abs=1e-9)
    if facet in ("100", "110"):  # centrosymmetric stacking: the hollow mirrored through the surface atom
        mirror = 2 * fin.positions[n] - ideal.positions[n]
        np.testing.assert_allclose(fin.positions[s, :2], mirror[:2], atol=1e-9)
    rng = np.random.default_rng(3)
    ini = ideal.copy()
    ini.set_constraint()
    ini.positions += rng.normal(scale=0.08, size=(len(ini), 3))
    fin = mech.forward(ini)
    assert np.abs(fin.positions - ini.positions).max() > 1.0  # a different configuration of the atoms ...
    np.testing.assert_allclose(mech.backward(fin).positions, ini.positions, atol=1e-9)
    ini.calc, fin.calc = EMT(), EMT()
    e_ini, e_fin = ini.get_potential_energy(), fin.get_potential_energy()
    assert e_fin == pytest.approx(e_ini, abs=1e-9)  # ... of the same energy
    np.testing.assert_allclose(fin.get_forces()[mech.swap], ini.get_forces()[n], atol=1e-9)


@pytest.mark.parametrize(
    "facet, spacing_over_a, planes_li, planes_na",
    # d = a/2, a/sqrt(2), a/(2 sqrt(3)); planes = ceil(10 A / d) at Li 3.43 A and Na 4.20 A
    [("100", 0.5, 6, 5), ("110", 1 / np.sqrt(2), 5, 4), ("111", 1 / (2 * np.sqrt(3)), 11, 9)],
)
def test_slab_thickness_in_angstrom_sets_the_planes(facet, spacing_over_a, planes_li, planes_na):
    """barriers.dft.min_thickness_A = 10 A: the planes follow from the bcc interplanar spacing, and the
    slab built has them at that spacing; in-plane cell lengths >= 9 A, vacuum >= 15 A, z not periodic."""
    dft = {
        "min_thickness_A": 10.0,
        "free_thickness_A": 3.5,
        "min_image_distance_A": 9.0,
        "vacuum_A": 15.0,
        "n_images": 5,
        "fmax": 0.05,
        "max_steps": 200,
        "climb": True,
        "max_restarts": 1,
    }
    for metal, a, planes in (("Li", 3.43, planes_li), ("Na", 4.20, planes_na)):
        assert barriers.interplanar_spacing(facet, a) == pytest.approx(spacing_over_a * a, rel=1e-12)
        s = barriers.dft_settings(dft, facet, a)
        assert s.layers == planes and s.layers * spacing_over_a * a >= 10.0 > (s.layers - 1) * spacing_over_a * a
        free = int(np.ceil(3.5 / (spacing_over_a * a)))
        assert s.fixed_layers == planes - free >= 1
        ideal, _, _ = barriers.adatom_images(metal, facet, a, s)
        slab = ideal[:-1]
        z = np.sort(np.unique(np.round(slab.positions[:, 2], 6)))
        assert len(z) == planes
        np.testing.assert_allclose(np.diff(z), spacing_over_a * a, atol=1e-6)
        assert min(np.linalg.norm(slab.cell[0]), np.linalg.norm(slab.cell[1])) >= 9.0
        assert slab.cell[2, 2] - (z[-1] - z[0]) >= 15.0 - 1e-5
        assert not ideal.pbc[2]
    with pytest.raises(ValueError, match="barriers.dft.free_thickness_A"):
        barriers.slab_layers("110", 3.43, 5.0, 4.9)  # 2 planes, both free


def test_barrier_table_keeps_the_lower_mechanism_and_the_method_per_row(tmp_path, root):
    """One row per facet: E_a = the lower mechanism's, both reported (an MD row: the hop only), and the
    method, which the phase field records per input (inputs.methods)."""
    from anodeflow import config as afconfig
    from anodeflow.phasefield import inputs

    dft_row = {
        "metal": "Li",
        "facet": "100",
        "E_a_eV": 0.11,
        "mechanism": "exchange",
        "E_a_hop_eV": 0.16,
        "E_a_exchange_eV": 0.11,
        "E_a_reverse_eV": 0.11,
        "hop_length_A": 3.43,
        "n_atoms": 64,
        "layers": 6,
        "converged": True,
        "method": "NEB/DFT-PBE",
        "a_A": 3.43,
    }
    md_row = {"metal": "Li", "facet": "110", "E_a_eV": 0.03, "E_a_reverse_eV": 0.03, "hop_length_A": 2.97}
    md_row.update({"n_atoms": 97, "converged": True, "method": "NEB/snap", "a_A": 3.44})
    df = barriers.barrier_table([dft_row, md_row])
    assert list(df.columns) == list(barriers.TABLE_COLUMNS)
    assert df.mechanism.tolist() == ["exchange", "hop"] and df.E_a_hop_eV.tolist() == [0.16, 0.03]
    assert df.E_a_exchange_eV.isna().tolist() == [False, True]
    csv = tmp_path / "barriers.csv"
    df.to_csv(csv, index=False)
    cfg = afconfig.load(root / "config" / "config.yaml", root / "tests" / "configs" / "pf_standalone.yaml")
    cfg["phasefield"]["inputs"]["Li"]["E_a_eV"] = {"111": 0.10}
    got = inputs.resolve_inputs(cfg, "Li", "liquid", barriers=str(csv))
    assert got["E_a_eV"]["001"] == 0.11 and got["E_a_eV"]["101"] == 0.03
    assert got["methods"] == {"E_a_001": "NEB/DFT-PBE", "E_a_101": "NEB/snap"}


@pytest.mark.gpaw
def test_dft_barrier_job_runs_both_mechanisms_and_resumes(tmp_path):
    """python -m anodeflow.pfinputs.jobs barrier-dft on a tiny Li(100) slab (2x2 in-plane, 3 planes, 200 eV,
    Gamma only, 10 A vacuum, 3 images, 3 optimiser steps per stage): plumbing, not a converged barrier.
    Both bands reach a finite maximum above the initial state; the final states are the initial one by symmetry, so GPAW
    gives them its energy up to the plane-wave grid's egg-box error; the table carries both barriers and
    the lower; a second run reads everything from the work folder."""
    bulk = tmp_path / "Li_PBE.json"
    bulk.write_text(json.dumps({"a_A": 3.43}))
    preset = {"mode": "pw", "ecut_eV": 200, "kpt_density": 0.1, "smearing_eV": 0.1}
    preset.update({"scf_convergence_density": 1e-3, "scf_convergence_eigenstates": 1e-6})
    dft = {"precision": None, "xc": "PBE", "min_thickness_A": 5.0, "free_thickness_A": 3.0}
    dft.update({"min_image_distance_A": 6.0, "vacuum_A": 10.0, "n_images": 3, "fmax": 0.2, "max_steps": 3})
    dft.update({"climb": True, "max_restarts": 0, "mechanisms": ["hop", "exchange"]})
    cfg = json.dumps({"barriers": {"method": "dft", "dft": dft}, "preset": preset})
    out, work = tmp_path / "100.json", tmp_path / "work"
    argv = ["barrier-dft", "--ntasks", "1", "--config", cfg, "--metal", "Li", "--facet", "100", "--bulk", str(bulk)]
    jobs.main([*argv, "--out", str(out), "--workdir", str(work)])
    r = json.loads(out.read_text())
    assert r["layers"] == 3 and r["n_atoms"] == 13 and r["method"] == "NEB/DFT-PBE"
    for name in ("hop", "exchange"):
        band = r["mechanisms"][name]
        assert 0 < band["E_a_eV"] < 3 and np.isfinite(band["energies_eV"]).all()
        assert abs(band["energies_eV"][-1]) < 0.01  # E_final = E_initial by symmetry (egg-box)
        assert r[f"E_a_{name}_eV"] == band["E_a_eV"]
    assert r["E_a_eV"] == min(r["E_a_hop_eV"], r["E_a_exchange_eV"])
    assert r["mechanism"] == min(("hop", "exchange"), key=lambda m: r[f"E_a_{m}_eV"])
    jobs.barrier_table_job([out], "Li", tmp_path / "b.csv", tmp_path / "b.png")
    row = pd.read_csv(tmp_path / "b.csv").iloc[0]
    assert row.E_a_hop_eV == pytest.approx(r["E_a_hop_eV"])
    assert row.E_a_exchange_eV == pytest.approx(r["E_a_exchange_eV"])
    assert row.method == "NEB/DFT-PBE" and row.mechanism == r["mechanism"]
    n_txt = len(list(work.glob("gpaw_*.txt")))
    out2 = tmp_path / "again.json"
    jobs.main([*argv, "--out", str(out2), "--workdir", str(work)])
    assert json.loads(out2.read_text())["E_a_eV"] == r["E_a_eV"]
    assert len(list(work.glob("gpaw_*.txt"))) == n_txt  # no new GPAW calculation


@pytest.mark.slow
def test_both_mechanisms_from_one_initial_state_and_resumed_from_the_work_folder(tmp_path):
    """The DFT path's driver with a cheap calculator (EMT, tiny bcc slab; ~4 CPU-s): both bands converge
    from the same relaxed initial state, each ends at the initial energy (the final states are the initial
    one by symmetry), the lower is kept, and a second call reads everything from the work folder without
    making a calculator."""
    from ase.calculators.emt import EMT

    s = _tiny_settings(inplane_min_length_A=5.0, fmax=0.1, max_steps=60)
    r = barriers.dft_barriers("Cu", "100", 2.9, EMT, s, workdir=tmp_path, fingerprint="job")
    assert r["converged"] and set(r["mechanisms"]) == {"hop", "exchange"}
    for band in r["mechanisms"].values():
        assert band["E_a_eV"] > 0 and band["energies_eV"][-1] == pytest.approx(0.0, abs=1e-6)
    assert r["E_a_eV"] == min(r["E_a_hop_eV"], r["E_a_exchange_eV"])

    def no_calculator():
        raise AssertionError("a resumed job made a calculator")

    again = barriers.dft_barriers("Cu", "100", 2.9, no_calculator, s, workdir=tmp_path, fingerprint="job")
    assert again["E_a_eV"] == r["E_a_eV"] and again["mechanism"] == r["mechanism"]
