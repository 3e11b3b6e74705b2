"""Bulk phases, metal slabs and coherent metal/coating interfaces.

Conventions for every slab and interface this module returns (ASE ``Atoms``):

* the surface normal is +z, the metal is at the bottom, the coating (if any) on top;
* ``atoms.cell[2]`` is along z and its length is the slab thickness plus the vacuum gap;
* ``atoms.get_tags()``: 1 for metal atoms in the top metal plane (``tag1``), 2 for the
  second plane (``tag2``), 0 otherwise;
* ``atoms.arrays["is_metal"]`` (bool): substrate (metal) atoms;
* ``atoms.arrays["fixed"]`` (bool): the bottom metal planes, held at bulk positions
  (also applied as an ASE ``FixAtoms`` constraint by :func:`apply_fixed`).
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.build import bulk as ase_bulk
from ase.build import surface as ase_surface
from ase.constraints import FixAtoms

#: two atoms whose heights differ by less than this belong to one plane (Å). The closest
#: distinct planes of the reference campaign are bcc(111) planes of Li, 0.99 Å apart.
PLANE_TOL_A = 0.3

# Prototypes for coatings given as formula + space group (no basis): (space group, reduced
# formula) -> Wyckoff representatives in fractional coordinates of the conventional cell.
PROTOTYPES = {
    (225, "AB"): [(0, (0.0, 0.0, 0.0)), (1, (0.5, 0.5, 0.5))],  # rock salt
    (221, "AB"): [(0, (0.0, 0.0, 0.0)), (1, (0.5, 0.5, 0.5))],  # CsCl
    (216, "AB"): [(0, (0.0, 0.0, 0.0)), (1, (0.25, 0.25, 0.25))],  # zinc blende
    (191, "A"): [(0, (1 / 3, 2 / 3, 0.5))],  # graphene (2c)
    (187, "AB"): [(0, (1 / 3, 2 / 3, 0.5)), (1, (2 / 3, 1 / 3, 0.5))],  # hBN monolayer
}
#: extra vacuum (Å) the builder adds to the preset's vacuum_A for the vacancy systems, so that the gap
#: between periodic images stays >= vacuum_A after relaxation (surfaces relax outward by tenths of an Å;
#: a coating can move out by ~1 Å from its initial 2-3 Å gap). Checked after every relaxation.
VACUUM_MARGIN_A = 2.0
#: c length of the cell that holds a 2D sheet as a "bulk" phase (Å)
SHEET_CELL_C_A = 20.0


class BuildError(RuntimeError):
    """A system that cannot be built as methods.md requires. The message names the system; the
    build job records it and that system fails alone (the others go on)."""


class InterfaceError(BuildError):
    """No coherent interface within the limits; the message names the system and the best strain."""


# ----------------------------------------------------------------------------- bulk phases


def bulk_metal(metal: str, a: float, structure: str = "bcc") -> Atoms:
    """Primitive bulk cell of an alkali metal with lattice constant ``a`` (Å)."""
    return ase_bulk(metal, structure, a=a)


def coating_structure(spec: dict, a: float | None = None):
    """Conventional pymatgen ``Structure`` of a coating from its config entry.

    ``spec`` has either ``structure_file`` or ``formula`` + ``spacegroup`` + ``a_A``
    (+ optional ``c_A`` and ``basis``). ``a`` overrides the lattice constant (relaxed value);
    for a file, the whole cell is scaled isotropically in-plane (2D) or in volume (bulk).
    """
    from pymatgen.core import Composition, Lattice, Structure
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    if "structure_file" in spec:
        s = Structure.from_file(spec["structure_file"])
        if spec["kind"] == "bulk":
            s = SpacegroupAnalyzer(s).get_conventional_standard_structure()
        if a is not None:
            f = a / s.lattice.a
            m = s.lattice.matrix.copy()
            m[:2] *= f
            if spec["kind"] == "bulk":
                m[2] *= f
            s = Structure(
                Lattice(m), s.species, s.cart_coords @ np.linalg.inv(s.lattice.matrix) @ m, coords_are_cartesian=True
            )
        return s
    sg = spec["spacegroup"]
    a = a if a is not None else spec["a_A"]
    comp = Composition(spec["formula"])
    if "basis" in spec:
        species = [b[0] for b in spec["basis"]]
        coords = [b[1] for b in spec["basis"]]
    else:
        proto = PROTOTYPES.get((sg, comp.anonymized_formula))
        if proto is None:
            raise ValueError(
                f"coating {spec['formula']} in space group {sg}: no built-in prototype; give 'basis' "
                f"(Wyckoff representatives) or a structure_file. Built-in: {sorted(PROTOTYPES)}"
            )
        els = sorted(comp.elements, key=lambda e: e.X)  # cation (less electronegative) first
        species = [str(els[i]) for i, _ in proto]
        coords = [c for _, c in proto]
    if spec["kind"] == "2d":
        lat = Lattice.hexagonal(a, spec.get("c_A", SHEET_CELL_C_A))
    else:
        lat = _lattice_for_spacegroup(sg, a, spec.get("c_A"))
    return Structure.from_spacegroup(sg, lat, species, coords)


def _lattice_for_spacegroup(sg: int, a: float, c: float | None):
    from pymatgen.core import Lattice

    if sg >= 195:
        return Lattice.cubic(a)
    if 168 <= sg <= 194:
        return Lattice.hexagonal(a, c or a)
    if 75 <= sg <= 142:
        return Lattice.tetragonal(a, c or a)
    raise ValueError(f"space group {sg}: give a structure_file for lower symmetries")


def bulk_coating(spec: dict, a: float | None = None) -> Atoms:
    """The coating as ASE ``Atoms``, primitive cell for 3D crystals, the sheet cell for 2D."""
    from pymatgen.io.ase import AseAtomsAdaptor
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    s = coating_structure(spec, a)
    if spec["kind"] == "bulk":
        s = SpacegroupAnalyzer(s).get_primitive_standard_structure()
    atoms = AseAtomsAdaptor.get_atoms(s)
    atoms.pbc = True
    return atoms


def conventional_metal(metal: str, a: float):
    from pymatgen.core import Lattice, Structure

    return Structure(Lattice.cubic(a), [metal, metal], [[0, 0, 0], [0.5, 0.5, 0.5]])


# ----------------------------------------------------------------------------- planes, tags


def plane_index(z: np.ndarray, tol: float = PLANE_TOL_A) -> np.ndarray:
    """Index of the atomic plane of each height, 0 = lowest."""
    order = np.argsort(z)
    idx = np.empty(len(z), int)
    plane, last = 0, None
    for k in order:
        if last is not None and z[k] - last > tol:
            plane += 1
        idx[k] = plane
        last = z[k]
    return idx


def normalise_slab(atoms: Atoms, vacuum: float) -> Atoms:
    """Put a1, a2 in the xy plane and c along z, the slab centred with a ``vacuum`` Å gap
    between periodic images (half below, half above), z non-periodic, atoms wrapped in-plane."""
    atoms = atoms.copy()
    a1, a2 = atoms.cell[0], atoms.cell[1]
    n = np.cross(a1, a2)
    n /= np.linalg.norm(n)
    ex = a1 / np.linalg.norm(a1)
    ey = np.cross(n, ex)
    R = np.array([ex, ey, n])
    pos = atoms.positions @ R.T
    cell = np.array([a1 @ R.T, a2 @ R.T, [0, 0, 1.0]])
    cell[:2, 2] = 0.0
    pos[:, 2] -= pos[:, 2].min()
    thickness = pos[:, 2].max()
    cell[2, 2] = thickness + vacuum
    pos[:, 2] += 0.5 * vacuum  # centred: non-periodic z needs room on both sides
    out = Atoms(atoms.get_chemical_symbols(), positions=pos, cell=cell, pbc=[True, True, False])
    for k, v in atoms.arrays.items():
        if k not in ("numbers", "positions"):
            out.arrays[k] = v.copy()
    out.wrap()
    return out


def keep_planes(atoms: Atoms, mask_region: np.ndarray, n_planes: int, from_top: bool) -> Atoms:
    """Keep ``n_planes`` atomic planes of the atoms in ``mask_region`` (counted from the top or
    the bottom of that region) and every atom outside it."""
    z = atoms.positions[:, 2]
    idx = np.full(len(atoms), -1)
    idx[mask_region] = plane_index(z[mask_region])
    top = idx[mask_region].max()
    if top + 1 < n_planes:
        raise ValueError(f"only {top + 1} planes available, {n_planes} requested")
    keep_region = (idx > top - n_planes) if from_top else (idx < n_planes)
    keep = ~mask_region | keep_region
    return atoms[keep]


def annotate_metal(atoms: Atoms, fixed_layers: int) -> Atoms:
    """Set tags (1 top metal plane, 2 second plane) and the ``fixed`` bottom planes."""
    is_metal = atoms.arrays["is_metal"].astype(bool)
    z = atoms.positions[:, 2]
    idx = np.full(len(atoms), -1)
    idx[is_metal] = plane_index(z[is_metal])
    top = idx[is_metal].max()
    tags = np.zeros(len(atoms), int)
    tags[idx == top] = 1
    tags[idx == top - 1] = 2
    atoms.set_tags(tags)
    atoms.arrays["fixed"] = (idx >= 0) & (idx < fixed_layers)
    apply_fixed(atoms)
    return atoms


def apply_fixed(atoms: Atoms) -> Atoms:
    """Constrain the atoms flagged in ``atoms.arrays['fixed']`` (survives extxyz round trips)."""
    atoms.set_constraint()
    if "fixed" in atoms.arrays and atoms.arrays["fixed"].any():
        atoms.set_constraint(FixAtoms(mask=atoms.arrays["fixed"].astype(bool)))
    return atoms


def inplane_repeats(cell, min_length: float, min_repeats: int = 1) -> tuple[int, int]:
    """Smallest (n1, n2) with n_i |a_i| >= min_length and n_i >= min_repeats."""
    return tuple(max(min_repeats, int(np.ceil(min_length / np.linalg.norm(cell[i]) - 1e-9))) for i in (0, 1))


# ----------------------------------------------------------------------------- slabs


def metal_slab(
    metal: str,
    facet,
    a: float,
    layers: int,
    fixed_layers: int,
    min_length: float,
    vacuum: float,
    strain: float = 0.0,
    min_repeats: int = 1,
) -> Atoms:
    """Isolated bcc metal slab: ``layers`` atomic planes of the ``facet`` surface, repeated
    in-plane until both cell vectors are >= ``min_length`` Å (and at least ``min_repeats`` surface
    cells along each), ``vacuum`` Å gap,
    optional biaxial in-plane ``strain`` (fraction) applied to the cell and positions."""
    conv = ase_bulk(metal, "bcc", a=a, cubic=True)
    slab = ase_surface(conv, tuple(facet), layers=layers + 2, vacuum=None, periodic=True)
    slab.arrays["is_metal"] = np.ones(len(slab), bool)
    slab = normalise_slab(slab, vacuum)
    slab = keep_planes(slab, np.ones(len(slab), bool), layers, from_top=True)
    slab = normalise_slab(slab, vacuum)
    slab = slab.repeat((*inplane_repeats(slab.cell, min_length, min_repeats), 1))
    if strain:
        cell = slab.cell.array.copy()
        cell[:2] *= 1.0 + strain
        slab.set_cell(cell, scale_atoms=False)
        slab.positions[:, :2] *= 1.0 + strain
        slab.wrap()
    return annotate_metal(slab, fixed_layers)
