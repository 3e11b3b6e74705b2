"""Every reference-campaign interface gets a coherent match with film strain <= 4 % and is built and
enumerated (none refused); a system without a match fails alone with a message naming the system and
the best strain found."""

import numpy as np
import pytest

from anodeflow.interfaces import structures
from anodeflow.interfaces.coherent import InterfaceSettings, coherent_interface
from anodeflow.interfaces.descriptors import area_mismatch


@pytest.mark.slow  # every reference system built once per session (conftest.reference_builds): ~100 s
def test_every_reference_interface_is_built_and_enumerated(reference_config, reference_builds):
    outcomes = {}
    for sid, built in reference_builds.items():
        assert not isinstance(built, Exception), built  # none refused
        s, atoms, desc, enum = built
        if not s.is_interface:
            continue
        assert desc["strain"] <= reference_config["interfaces"]["max_strain"] + 1e-9, (sid, desc["strain"])
        bound = reference_config["interfaces"]["max_area_A2"]
        if desc["area_bound_extended"]:
            # the single-image repeat needs more than max_area_A2: the smallest admissible cell, up to
            # max_area_single_image_A2 (Na(111)/NaF(100), (110))
            bound = reference_config["interfaces"]["max_area_single_image_A2"]
        assert desc["zsl_area_A2"] <= desc["area_A2"] + 1e-6 <= bound + 2e-6
        assert 0 <= desc["a_m"] < 1 and desc["dchi_max_eV"] > 0
        z = atoms.positions[:, 2]
        metal = atoms.arrays["is_metal"]
        assert z[~metal].min() > z[metal].max()  # coating on top of the metal
        assert atoms.cell[2, 2] - (z.max() - z.min()) >= 15.0 - 1e-6
        assert enum.z_11 > 0 and enum.z_12 > 0
        # every distinct site and pair enumerated (no site cap), each pair bonded through one image
        assert enum.sampling is None and all(p["bonding_images"] == 1 for p in enum.pairs)
        assert len(enum.configurations()) == 1 + len(enum.sites) + len(enum.pairs)
        outcomes[sid] = (desc["strain"], desc["area_bound_extended"], len(enum.configurations()))
    assert len(outcomes) == 27
    print(outcomes)
    extended = sorted(k for k, v in outcomes.items() if v[1])
    assert extended == ["Na-111__NaF-100", "Na-111__NaF-110"], extended


@pytest.mark.slow  # ZSL search over a large area: ~6 s CPU
def test_no_match_fails_with_best_strain():
    li = structures.conventional_metal("Li", 3.44)
    gr = structures.coating_structure({"kind": "2d", "formula": "C", "spacegroup": 191, "a_A": 2.47})
    with pytest.raises(structures.InterfaceError, match=r"^Li-100__graphene: .*best strain found: 0\.\d+"):
        coherent_interface(
            "Li-100__graphene",
            li,
            gr,
            (1, 0, 0),
            (0, 0, 1),
            InterfaceSettings(
                max_strain=0.04,
                max_area_A2=40,
                angle_tol=0.01,
                gap_A=2.5,
                coating_layers=1,
                metal_layers=3,
                fixed_layers=1,
                vacuum_A=15,
            ),
            film_is_2d=True,
        )


@pytest.mark.slow  # two ZSL searches: ~8 s CPU
def test_polar_film_cut_to_one_plane_is_refused():
    """Rock-salt LiF(111) cut to one plane is a plane of Li or of F only: not the coating."""
    li = structures.conventional_metal("Li", 3.447)
    lif = structures.coating_structure({"kind": "bulk", "formula": "LiF", "spacegroup": 225}, 4.082)
    kw = dict(
        max_strain=0.04,
        max_area_A2=200,
        angle_tol=0.01,
        gap_A=2.5,
        metal_layers=3,
        fixed_layers=1,
        vacuum_A=15,
        inplane_min_length_A=2.9,
    )
    with pytest.raises(structures.InterfaceError, match=r"^Li-111__LiF-111: .*lacks (F|Li).*coating_layers"):
        coherent_interface("Li-111__LiF-111", li, lif, (1, 1, 1), (1, 1, 1), InterfaceSettings(coating_layers=1, **kw))
    atoms, _ = coherent_interface(
        "Li-111__LiF-111", li, lif, (1, 1, 1), (1, 1, 1), InterfaceSettings(coating_layers=2, **kw)
    )
    film = np.array(atoms.get_chemical_symbols())[~atoms.arrays["is_metal"].astype(bool)]
    assert set(film) == {"Li", "F"}


def test_area_mismatch_descriptor():
    am, q = area_mismatch(11.83, 8.24)  # bcc Li(100) a^2 vs LiF(100) primitive (a/√2)^2
    # A_m/A_c = 1.43568; fractions p/s with p, s <= 8 nearest to it: 7/5 = 1.4 (0.0357), 3/2 (0.064),
    # 4/3 (0.102) (10/7 = 1.4286 would be nearer but needs p = 10)
    assert q == (7, 5) and am == pytest.approx(11.83 / 8.24 - 1.4)
    assert area_mismatch(11.83, 8.24, max_index=10)[1] == (10, 7)


@pytest.mark.slow  # two ZSL searches within 400 A^2: ~25 s
def test_min_strain_selects_the_least_strained_match():
    """methods §4: least strain within the area bound. For Li(110)/LiF(100) (a = 3.44, 4.06 A) a
    0.70 % match exists within 400 A^2 (issue 13); the smallest cell is strained 3.77 %."""
    li = structures.conventional_metal("Li", 3.44)
    lif = structures.coating_structure({"kind": "bulk", "formula": "LiF", "spacegroup": 225}, 4.06)
    kw = dict(
        max_strain=0.04,
        max_area_A2=400,
        angle_tol=0.01,
        gap_A=2.5,
        coating_layers=1,
        metal_layers=3,
        fixed_layers=1,
        vacuum_A=15,
    )
    atoms, m = coherent_interface("Li-110__LiF-100", li, lif, (1, 1, 0), (1, 0, 0), InterfaceSettings(**kw))
    assert m.strain <= 0.01
    # the strain actually applied, seen in the built film: its in-plane Li-F neighbours are a/2 = 2.03 A
    # apart in bulk LiF, stretched or compressed by at most the recorded principal strain
    film = np.flatnonzero(~atoms.arrays["is_metal"].astype(bool))
    d = atoms.get_all_distances(mic=True)[np.ix_(film, film)]
    np.fill_diagonal(d, np.inf)
    ratio = d.min(axis=1) / (4.06 / 2) - 1
    assert np.abs(ratio).max() <= m.strain + 1e-6
    cell_area = float(np.linalg.norm(np.cross(atoms.cell[0], atoms.cell[1])))
    assert m.area_A2 == pytest.approx(cell_area) and cell_area <= 400
    small, s = coherent_interface(
        "Li-110__LiF-100", li, lif, (1, 1, 0), (1, 0, 0), InterfaceSettings(select="min_area", **kw)
    )
    assert s.area_A2 < m.area_A2 and s.strain > m.strain
    # the area recorded is the built cell's, not pymatgen's film match_area
    assert s.area_A2 == pytest.approx(np.prod(s.repeat) * s.coincidence_area_A2)


@pytest.mark.slow  # four interface builds within 200 A^2: ~15 s
def test_both_naf111_terminations_and_anion_toward_the_metal_by_default():
    """Rock-salt (111) is a stack of alternating Na and F planes: the face has an F- and a Na-terminated
    version (pymatgen's default symmetry filter merges them). methods §4: F faces the metal by default."""
    na = structures.conventional_metal("Na", 4.20)
    naf = structures.coating_structure({"kind": "bulk", "formula": "NaF", "spacegroup": 225}, 4.70)
    kw = dict(
        max_strain=0.04,
        max_area_A2=200,
        angle_tol=0.01,
        gap_A=2.5,
        coating_layers=2,
        metal_layers=3,
        fixed_layers=1,
        vacuum_A=15,
        select="min_area",
    )

    def lowest_coating_plane(atoms):
        coat = ~atoms.arrays["is_metal"].astype(bool)
        z = atoms.positions[coat, 2]
        return set(np.array(atoms.get_chemical_symbols())[coat][z < z.min() + structures.PLANE_TOL_A])

    default, m = coherent_interface("Na-100__NaF-111", na, naf, (1, 0, 0), (1, 1, 1), InterfaceSettings(**kw))
    assert lowest_coating_plane(default) == {"F"} and m.termination["facing"] == "anion"
    assert sorted(o["facing"] for o in m.termination["offered"]) == ["anion", "cation"]
    cation, mc = coherent_interface(
        "Na-100__NaF-111", na, naf, (1, 0, 0), (1, 1, 1), InterfaceSettings(termination="cation", **kw)
    )
    assert lowest_coating_plane(cation) == {"Na"} and mc.termination["facing"] == "cation"
    for atoms in (default, cation):  # two planes of a rock-salt (111) film: one Na and one F plane, same size
        film = np.array(atoms.get_chemical_symbols())[~atoms.arrays["is_metal"].astype(bool)]
        assert (film == "Na").sum() == (film == "F").sum() > 0
    k = [o["facing"] for o in m.termination["offered"]].index("cation")
    by_index, mi = coherent_interface(
        "Na-100__NaF-111", na, naf, (1, 0, 0), (1, 1, 1), InterfaceSettings(termination=k, **kw)
    )
    assert lowest_coating_plane(by_index) == {"Na"}
    with pytest.raises(structures.InterfaceError, match=r"^Na-100__NaF-111: termination 5 requested"):
        coherent_interface("Na-100__NaF-111", na, naf, (1, 0, 0), (1, 1, 1), InterfaceSettings(termination=5, **kw))


def test_termination_index_0_from_config_is_kept():
    """termination: 0 in a config is the first offered termination, not "unset" (0 is falsy in Python)."""
    from anodeflow.interfaces.build import termination_of

    assert termination_of({"termination": 0}) == 0
    assert termination_of({"termination": "cation"}) == "cation"
    assert termination_of({}) == "anion" and termination_of({"termination": None}) == "anion"
