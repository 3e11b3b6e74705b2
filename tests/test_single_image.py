"""The single-image rule (methods §6): every vacancy pair is bonded through exactly one periodic image.

Hand-derived facts used here, for bcc (lattice constant a) (100) slabs, tag1 plane z = 0:
* (11) pairs are in-plane neighbours at distance a, (12) pairs second-plane atoms at (±a/2, ±a/2, −a/2),
  distance a√3/2; d_max = a, so every in-plane lattice vector must exceed 2 (a + 0.15 Å).
* In a 2×2 cell (vectors 2a x, 2a y) the tag1 atom at (a, 0) is at distance a from the one at the
  origin both directly and through the image shifted by −2a x: the (11) "pair" is bonded twice (an
  infinite vacancy row). The (12) neighbour at (a/2, a/2, −a/2) has its next image at (−3a/2, a/2, −a/2),
  at a√(11)/2 > a: bonded once.
* In the 1×1 cell the atom's own four images at ±a x, ±a y are within the cutoff: 4.
* 3×3 is the smallest repeat of the (100) cell that satisfies the rule (3a > 2 (a + 0.15) > 2a).
"""

import json

import numpy as np
import pytest

from anodeflow.interfaces import sites, structures
from anodeflow.interfaces.build import build_system

A_LI = 3.44
TOL = sites.SHELL_TOL_A


def _li100(n: int):
    """Li(100), 3 planes, n x n surface cells."""
    return structures.metal_slab("Li", (1, 0, 0), A_LI, 3, 1, n * A_LI - 0.01, 15.0)


def _atom_at(atoms, xy, tag):
    d = np.linalg.norm(atoms.positions[:, :2] - np.asarray(xy), axis=1) + 100 * (atoms.get_tags() != tag)
    return int(d.argmin())


def test_pair_image_count_by_hand_on_2x2_bcc100():
    slab = _li100(2)
    i = _atom_at(slab, slab.positions[slab.get_tags() == 1][0, :2], 1)
    x0 = slab.positions[i, :2]
    j11 = _atom_at(slab, x0 + [A_LI, 0], 1)
    j12 = _atom_at(slab, (x0 + [A_LI / 2, A_LI / 2]) % (2 * A_LI), 2)
    assert sites.bonding_images(slab, i, j11, A_LI + TOL) == 2
    assert sites.bonding_images(slab, i, j12, A_LI * 3**0.5 / 2 + TOL) == 1
    one = _li100(1)
    k = int(np.flatnonzero(one.get_tags() == 1)[0])
    assert sites.bonding_images(one, k, k, A_LI + TOL) == 4
    three = _li100(3)
    i3 = int(np.flatnonzero(three.get_tags() == 1)[0])
    j3 = _atom_at(three, (three.positions[i3, :2] + [A_LI, 0]) % (3 * A_LI), 1)
    assert sites.bonding_images(three, i3, j3, A_LI + TOL) == 1


def test_2x2_bcc100_is_enlarged_to_3x3_or_refused():
    with pytest.raises(sites.SingleImageError, match=r"^Li-100: .*shortest lattice vector 6\.880"):
        sites.enumerate_vacancies(_li100(2), name="Li-100")
    # the build path: from the surface cell with at least 2 repeats, the smallest admissible repeat is 3x3
    spec = {
        "id": "Li-100",
        "metal": "Li",
        "facet": [1, 0, 0],
        "xc": "PBE",
        "coating": None,
        "preset": {
            "metal_layers": 3,
            "fixed_layers": 1,
            "inplane_min_length_A": 2.0,
            "inplane_min_repeats": 2,
            "vacuum_A": 15.0,
        },
        "max_area_A2": 400.0,
    }
    atoms, desc, enum = build_system(spec, {"Li": {"a_A": A_LI}})
    assert desc["repeat"] == [3, 3] and len(atoms) == 27
    assert enum.single_image["shortest_vector_A"] == pytest.approx(3 * A_LI)
    assert enum.single_image["required_length_A"] == pytest.approx(2 * (A_LI + TOL))
    assert all(p["bonding_images"] == 1 for p in enum.pairs)
    # 3x3 = 106.5 A^2 does not fit in 100 A^2: refused, naming the system
    with pytest.raises(sites.SingleImageError, match=r"^Li-100: no in-plane repeat within max_area_A2 = 100.*3x3"):
        build_system({**spec, "max_area_A2": 100.0}, {"Li": {"a_A": A_LI}})


def test_refused_system_fails_alone_in_the_build_job(tmp_path):
    from anodeflow.interfaces import jobs

    spec = {
        "id": "Li-100",
        "metal": "Li",
        "facet": [1, 0, 0],
        "xc": "PBE",
        "coating": None,
        "preset": {"metal_layers": 3, "fixed_layers": 1, "inplane_min_length_A": 2.0, "vacuum_A": 15.0},
        "max_area_A2": 60.0,
    }
    bulk = tmp_path / "bulk.json"
    bulk.write_text(json.dumps({"phase": "Li", "a_A": A_LI}))
    out = {k: tmp_path / f"{k}.json" for k in ("descriptors", "configurations")}
    jobs.main(
        [
            "build",
            "--spec",
            json.dumps(spec),
            "--bulk",
            str(bulk),
            "--structure",
            str(tmp_path / "s.extxyz"),
            "--descriptors",
            str(out["descriptors"]),
            "--out",
            str(out["configurations"]),
        ]
    )
    conf = json.loads(out["configurations"].read_text())
    assert conf["status"] == "failed" and conf["configurations"] == []
    assert conf["reason"].startswith("Li-100: no in-plane repeat within max_area_A2")


def test_many_distinct_sites_are_all_enumerated():
    """No site cap: a cell whose symmetry is broken keeps every distinct site (methods §6)."""
    slab = _li100(3)
    k = int(np.flatnonzero(slab.get_tags() == 1)[0])
    slab.positions[k, 0] += 0.2  # breaks the symmetry: several distinct tag1 sites
    e = sites.enumerate_vacancies(slab, name="Li-100")
    assert sum(s["multiplicity"] for s in e.sites) == int(((slab.get_tags() == 1) | (slab.get_tags() == 2)).sum())
    assert e.sampling is None and len(e.configurations()) == e.n_full_configurations()


def test_shortest_vector_of_an_oblique_cell():
    # (1, 0) and (5, 0.1) span a lattice whose shortest vector is (5, 0.1) - 5 (1, 0) = (0, 0.1)
    assert sites.shortest_inplane_vector([1, 0, 0], [5, 0.1, 0]) == pytest.approx(0.1)
    # hexagonal cell, 60 or 120 degrees: the shortest vector is a
    assert sites.shortest_inplane_vector([3, 0, 0], [1.5, 1.5 * 3**0.5, 0]) == pytest.approx(3)
    assert sites.shortest_inplane_vector([3, 0, 0], [-1.5, 1.5 * 3**0.5, 0]) == pytest.approx(3)
    # an oblique cell whose two vectors are long but whose difference is short (|(1, 1)| = 1.41):
    # lengths alone would accept it as it is
    v1, v2 = np.array([10.0, 0, 0]), np.array([9.0, 1.0, 0])
    rep = sites.single_image_repeats(v1, v2, d_max=2.0)
    assert rep != (1, 1)
    assert sites.shortest_inplane_vector(rep[0] * v1, rep[1] * v2) > 2 * (2.0 + TOL)


@pytest.mark.slow  # every reference system, built once per session (conftest.reference_builds)
def test_every_reference_system_bonds_each_pair_through_one_image(reference_config, reference_builds):
    built, refused = [], []
    for sid, b in reference_builds.items():
        if isinstance(b, structures.BuildError):
            assert str(b).startswith(sid + ":"), str(b)
            refused.append(sid)
            continue
        _, atoms, desc, enum = b
        si = enum.single_image
        assert si["shortest_vector_A"] > 2 * (si["d_max_A"] + TOL), sid
        bound = reference_config["interfaces"]["max_area_A2"]
        if desc.get("area_bound_extended"):  # the smallest admissible cell beyond max_area_A2 (docs/cost.md)
            bound = reference_config["interfaces"]["max_area_single_image_A2"]
        assert desc["area_A2"] <= bound + 1e-6, sid
        assert enum.pairs and all(p["bonding_images"] == 1 for p in enum.pairs), sid
        # an independent count: every tag1 atom has no second image of any atom within the pair cutoff
        tags = atoms.get_tags()
        for p in enum.pairs:
            cutoff = (enum.d_11_A if p["type"] == "11" else enum.d_12_A) + TOL
            assert sites.bonding_images(atoms, p["i"], p["j"], cutoff) == 1
        for k in np.flatnonzero(tags == 1):
            assert sites.bonding_images(atoms, k, k, max(enum.d_11_A, enum.d_12_A) + TOL) == 0, sid
        built.append(sid)
    print("built", len(built), "refused", refused)
    assert len(built) == 39 and not refused  # no site cap, no area refusal: every system is built
    assert len([s for s in built if "__" not in s]) == 12  # every isolated slab is buildable
