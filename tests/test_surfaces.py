"""Surface-energy jobs: oriented strained bulk reference, the fixed-bottom E_s formula, the job and the
table with its figure (EMT instead of GPAW, seconds)."""

import json

import numpy as np
import pandas as pd
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT

from anodeflow.pfinputs import jobs, surfaces


@pytest.mark.parametrize("facet", ["100", "110", "111"])
def test_oriented_bulk_is_bulk_and_strained_in_plane(facet):
    ref = bulk("Cu", "bcc", a=2.9, cubic=True)
    ref.calc = EMT()
    e0 = ref.get_potential_energy() / len(ref)
    b = surfaces.oriented_bulk("Cu", facet, 2.9)
    b.calc = EMT()
    assert b.get_potential_energy() / len(b) == pytest.approx(e0, abs=1e-9)
    s = surfaces.oriented_bulk("Cu", facet, 2.9, strain=0.03)
    assert np.linalg.norm(s.cell[0]) == pytest.approx(1.03 * np.linalg.norm(b.cell[0]))
    assert s.cell[2, 2] == pytest.approx(b.cell[2, 2])  # out-of-plane spacing kept
    assert abs(s.cell[0, 2]) < 1e-9 and abs(s.cell[1, 2]) < 1e-9


def test_formula_for_symmetric_unrelaxed_slab():
    d = surfaces.surface_energy(E_relaxed=-10.0, E_unrelaxed=-10.0, n_atoms=4, e_bulk=-3.0, area_A2=10.0)
    assert d["E_s_eV_A2"] == pytest.approx(0.1) and d["E_s_unrelaxed_eV_A2"] == pytest.approx(0.1)
    assert d["E_s_J_m2"] == pytest.approx(0.1 * 16.021766, rel=1e-6)


def test_surface_job_with_a_cheap_calculator(tmp_path):
    """The whole job (bulk reference, unrelaxed slab, resumable relaxation) with EMT on bcc Cu:
    relaxation lowers E_s, strain changes it; the table and its figure gather the results."""
    (tmp_path / "bulk.json").write_text(json.dumps({"a_A": 2.87, "energy_per_atom_eV": None}))
    preset = {
        "metal_layers": 5,
        "fixed_layers": 2,
        "inplane_min_length_A": 2.0,
        "vacuum_A": 10.0,
        "fmax_slab": 0.05,
        "max_steps": 50,
        "bfgs_alpha_eV_A2": 70.0,
        "bfgs_maxstep_A": 0.2,
    }
    cfg = {"surfaces": {"xc": "PBE", "relax": True}, "preset": preset}
    out = {}
    for strain in (0.0, 0.03):
        out[strain] = jobs.surface_energy_job(
            cfg,
            "Cu",
            "100",
            strain,
            str(tmp_path / "bulk.json"),
            str(tmp_path / f"{strain}.json"),
            str(tmp_path / f"w{strain}"),
            calc_factory=lambda a, slab, txt: EMT(),
        )
    d = out[0.0]
    assert 0.0 < d["E_s_J_m2"] <= d["E_s_unrelaxed_J_m2"] + 1e-9
    assert d["relax_converged"]
    assert out[0.03]["E_s_J_m2"] != pytest.approx(d["E_s_J_m2"], rel=1e-3)
    assert json.loads((tmp_path / "0.03.json").read_text())["strain"] == 0.03
    jobs.surface_table_job(
        [tmp_path / "0.0.json", tmp_path / "0.03.json"], "Cu", tmp_path / "s.csv", tmp_path / "s.png"
    )
    df = pd.read_csv(tmp_path / "s.csv")
    assert list(df.strain) == [0.0, 0.03] and list(df.columns) == list(surfaces.TABLE_COLUMNS)
    assert (tmp_path / "s.png").stat().st_size > 0


def test_strain_labels_are_path_safe_and_invertible():
    assert surfaces.strain_label(-0.03) == "m0.030" and surfaces.strain_label(0.0) == "p0.000"
    for e in (-0.03, 0.0, 0.03, 0.1):
        assert surfaces.strain_from_label(surfaces.strain_label(e)) == e
    with pytest.raises(ValueError, match="m0.030"):
        surfaces.strain_from_label("0.03")


def test_gpaw_jobs_check_the_rank_count(monkeypatch):
    """Every GPAW job (bulk, relaxations, surface energies) refuses to run on another rank count than
    the launcher was asked for (anodeflow.dft.mpi.check_ranks)."""
    from anodeflow.dft import mpi

    class World:
        size, rank = 2, 0

    monkeypatch.setattr(mpi, "world", lambda need_gpaw=False: World)
    assert mpi.check_ranks(2) == 2
    with pytest.raises(RuntimeError, match="2 MPI ranks but 4"):
        mpi.check_ranks(4)
