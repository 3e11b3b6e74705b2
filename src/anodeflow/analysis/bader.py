"""Bader charges from GPAW's all-electron density (methods §6).

The partition itself is BaderKit (PyPI ``baderkit``, a maintained numba
reimplementation of the Henkelman group's grid-based Bader algorithm; pinned in
requirements-nodeps.txt).  This module only feeds it GPAW's all-electron density
(``calc.get_all_electron_density``, e/Å^3, core electrons included) and turns the
electrons per basin into net charges q = Z - N_Bader (e).

Charge-density convention: BaderKit reads VASP-style grids, values rho * V_cell.
"""

from __future__ import annotations

import logging

import numpy as np

#: a density maximum farther than this from every nucleus is a non-nuclear attractor (BaderKit's default)
NNA_DISTANCE_A = 1.0


def all_electron_density(gpw_path, gridrefinement: int):
    """(atoms, density) from a GPAW restart file; density in e/Å^3 on the refined grid."""
    from gpaw import GPAW

    calc = GPAW(str(gpw_path), txt=None)
    atoms = calc.get_atoms()
    rho = calc.get_all_electron_density(gridrefinement=gridrefinement)
    return atoms, np.asarray(rho)


def bader_charges(atoms, density, vacuum_density: float | None, method: str = "neargrid") -> dict:
    """Bader partition of an all-electron ``density`` (e/Å^3, shape of the periodic grid).

    ``vacuum_density`` (e/Å^3, config ``analysis.bader.vacuum_density_e_per_A3``, default 1e-3 as in
    Henkelman's bader code ``-vac auto`` and BaderKit): grid points below it belong to no atom.

    Returns per-atom ``electrons`` (e), ``charge`` = Z - electrons (e), ``volume``
    (Å^3), the total electron count of the grid, and the charge left in vacuum.
    """
    from pymatgen.io.ase import AseAtomsAdaptor

    for name in ("baderkit", "numba"):
        logging.getLogger(name).setLevel(logging.WARNING)
    from baderkit import Bader, Grid

    density = np.asarray(density, dtype=float)
    vol = atoms.get_volume()
    structure = AseAtomsAdaptor.get_structure(atoms)
    grid = Grid(structure=structure, data={"total": density * vol})
    vac = False if vacuum_density is None else float(vacuum_density)  # BaderKit multiplies by the volume
    b = Bader(charge_grid=grid, method=method, vacuum_tol=vac)
    electrons = np.asarray(b.atom_charges, dtype=float)
    Z = atoms.get_atomic_numbers().astype(float)
    # non-nuclear attractors (density maxima farther than NNA_DISTANCE_A from every nucleus: common
    # between the planes of Li and Na slabs) are counted in the nearest atom's charge, as in
    # Henkelman's code, and listed here so that a reader sees how much charge they carry
    dist = np.asarray(b.basin_atom_dists, dtype=float)
    nna = np.flatnonzero(dist > NNA_DISTANCE_A)
    return {
        "nna": [
            {
                "position_A": np.asarray(b.maxima_cart)[k].tolist(),
                "electrons": float(b.basin_charges[k]),
                "assigned_atom": int(b.basin_atoms[k]),
            }
            for k in nna
        ],
        "electrons": electrons,
        "charge": Z - electrons,
        "volume_A3": np.asarray(b.atom_volumes, dtype=float),
        "total_electrons": float(density.sum() * vol / density.size),
        "vacuum_electrons": float(b.vacuum_charge) if vac is not False else 0.0,
        "method": method,
    }
