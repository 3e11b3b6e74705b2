"""bcc geometry for LAMMPS: bulk cells and ribbon slabs with a chosen free facet.

Ribbon axes: x long (length W), y thin (thickness b), z normal to the free surfaces.
Default in-plane directions per facet (config ``cft.orientations`` overrides them):

* (100): x [100], y [010]
* (110): x [001], y [1-10]
* (111): x [1-10], y [11-2]

LAMMPS lattice spacings along these orient vectors are the lengths of the vectors in
units of a (|[100]| = 1, |[1-10]| = sqrt 2, |[11-2]| = sqrt 6, |[111]| = sqrt 3), which
are periods of the bcc lattice, so periodic boxes of whole spacings are commensurate.
"""

from __future__ import annotations

import numpy as np

DEFAULT_ORIENTATIONS = {
    "100": {"x": [1, 0, 0], "y": [0, 1, 0]},
    "110": {"x": [0, 0, 1], "y": [1, -1, 0]},
    "111": {"x": [1, -1, 0], "y": [1, 1, -2]},
}


def orientation(facet: str, overrides: dict | None = None) -> tuple[list[int], list[int], list[int]]:
    """(x, y, z) integer directions for a ribbon with free ``facet`` (z = x cross y, reduced)."""
    spec = (overrides or {}).get(facet) or DEFAULT_ORIENTATIONS.get(facet)
    if spec is None:
        raise ValueError(
            f"config key 'cft.orientations.{facet}': no default orientation for facet {facet}; "
            "give x and y directions (integers) with x.y = 0 and x cross y along the facet normal"
        )
    x, y = np.array(spec["x"], int), np.array(spec["y"], int)
    z = np.cross(x, y)
    z = z // np.gcd.reduce(np.abs(z))
    normal = np.array([int(c) for c in facet])
    normal = normal // np.gcd.reduce(np.abs(normal))
    # cubic symmetry: any member of the {hkl} family will do
    if int(x @ y) != 0 or sorted(np.abs(z)) != sorted(np.abs(normal)):
        raise ValueError(
            f"config key 'cft.orientations.{facet}': x={x.tolist()}, y={y.tolist()} are not "
            f"orthogonal directions with x cross y in the {{{facet}}} family (got {z.tolist()})"
        )
    return x.tolist(), y.tolist(), z.tolist()


def spacing_factors(facet: str, overrides: dict | None = None) -> np.ndarray:
    """Periodic lengths along x, y, z in units of a (norms of the orient vectors)."""
    return np.array([np.linalg.norm(v) for v in orientation(facet, overrides)])


def bulk_commands(a_A: float, cells: int) -> list[str]:
    """Periodic bcc cube of ``cells``^3 conventional cells (2 atoms each), one atom type."""
    return [
        "units metal",
        "atom_style atomic",
        "boundary p p p",
        f"lattice bcc {a_A}",
        f"region box block 0 {cells} 0 {cells} 0 {cells}",
        "create_box 1 box",
        "create_atoms 1 box",
    ]


def ribbon_commands(
    a_A: float, facet: str, nx: int, ny: int, nz: int, vacuum_A: float, overrides: dict | None = None, extra: int = 0
) -> list[str]:
    """Ribbon: nx x ny x nz lattice spacings of bcc with free (facet) surfaces at z, vacuum_A on each side.

    The slab occupies 0 <= z < nz spacings (the layer at z = nz is left out, so the two
    surfaces are equivalent for even stacking); the box is periodic in x and y and padded
    in z (periodic images separated by 2 vacuum_A). ``extra`` > 0 adds that many spacings of crystal
    on both sides (material a rough start is carved from; the vacuum is kept beyond it).
    """
    x, y, z = orientation(facet, overrides)
    sz = a_A * np.linalg.norm(z)
    vac = vacuum_A / sz + extra
    o = lambda v: " ".join(str(i) for i in v)  # noqa: E731
    return [
        "units metal",
        "atom_style atomic",
        "boundary p p p",
        f"lattice bcc {a_A} orient x {o(x)} orient y {o(y)} orient z {o(z)}",
        f"region box block 0 {nx} 0 {ny} {-vac:.6f} {nz + vac:.6f}",
        "create_box 1 box",
        f"region slab block INF INF INF INF {-extra - 1e-3} {nz + extra - 1e-3}",
        "create_atoms 1 region slab",
    ]
