"""Surface energies E_s of metal facets, unstrained and under biaxial in-plane strain (DFT slabs).

One job per metal x facet x strain (``python -m anodeflow.pfinputs.jobs surface-energy`` under the
DFT launcher). Energies are the calculator's energies (GPAW: extrapolated to zero smearing).

Formula (slab with its bottom ``fixed_layers`` held at bulk positions, so only the top
surface relaxes; e_b the bulk energy per atom under the same in-plane strain)::

    gamma_unrelaxed = (E_slab,unrelaxed - N e_b) / (2 A)              (both faces bulk-terminated)
    E_s = gamma_top,relaxed = (E_slab,relaxed - N e_b) / A - gamma_unrelaxed

e_b is computed in the job from a periodic cell of the same orientation, in-plane strain and
k-point density as the slab (same basis, same Brillouin-zone sampling: the errors cancel), with
the lattice constant of the workflow's relaxed bulk reference ``results/bulk/{metal}_{xc}.json``
(``a_A``; its ``energy_per_atom_eV`` is recorded next to e_b for comparison). The strained slab
and the strained bulk share the unstrained interplanar spacing (strain is in-plane only).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import miller
from ..constants import EV_PER_A2_IN_J_PER_M2

#: columns of results/surfaces/{metal}/surface_energies.csv
TABLE_COLUMNS = (
    "metal",
    "facet",
    "strain",
    "xc",
    "E_s_J_m2",
    "E_s_eV_A2",
    "E_s_unrelaxed_J_m2",
    "n_atoms",
    "area_A2",
    "e_bulk_eV",
    "a_A",
    "relaxed",
    "relax_converged",
)


def strain_label(strain: float) -> str:
    """Path-safe strain label: -0.03 -> 'm0.030', 0.03 -> 'p0.030', 0 -> 'p0.000'."""
    return ("m" if strain < 0 else "p") + f"{abs(strain):.3f}"


def strain_from_label(label: str) -> float:
    """Inverse of :func:`strain_label`: 'm0.030' -> -0.03."""
    if label[:1] not in ("m", "p"):
        raise ValueError(f"strain label {label!r}: expected 'm' or 'p' then the magnitude, e.g. m0.030")
    return (-1.0 if label[0] == "m" else 1.0) * float(label[1:])


def surface_job_spec(surfaces: dict, preset: dict, metal: str, facet: str, strain: float) -> dict:
    """Everything an E_s job computes from: the ``surfaces`` config section's settings and the science
    keys of its precision preset. Its hash ties the job's resumable relaxation in work/ to the job."""
    return {
        "metal": metal,
        "facet": facet,
        "strain": float(strain),
        "xc": surfaces["xc"],
        "preset": preset,
        "relax": surfaces["relax"],
    }


def oriented_bulk(metal: str, facet, a: float, strain: float = 0.0):
    """Periodic bulk cell with the ``facet`` planes normal to z, biaxially strained in-plane."""
    from ase import Atoms
    from ase.build import bulk
    from ase.build import surface as ase_surface

    conv = bulk(metal, "bcc", a=a, cubic=True)
    # 6 layers of the conventional cell along the normal are a whole number of stacking periods
    # of bcc (100), (110) and (111) (2, 2 and 3 planes): a valid bulk supercell (checked in tests)
    cell0 = ase_surface(conv, tuple(miller(facet)), layers=6, vacuum=None, periodic=True)
    a1, a2, a3 = cell0.cell.array
    n = np.cross(a1, a2)
    n /= np.linalg.norm(n)
    ex = a1 / np.linalg.norm(a1)
    R = np.array([ex, np.cross(n, ex), n])
    F = np.diag([1.0 + strain, 1.0 + strain, 1.0])
    M = F @ R
    at = Atoms(cell0.get_chemical_symbols(), positions=cell0.positions @ M.T, cell=cell0.cell.array @ M.T, pbc=True)
    at.wrap()
    return at


def surface_energy(E_relaxed: float, E_unrelaxed: float, n_atoms: int, e_bulk: float, area_A2: float) -> dict:
    """E_s (top face, relaxed) and the unrelaxed value, eV/Å^2 and J/m^2 (formula in the module doc)."""
    g_un = (E_unrelaxed - n_atoms * e_bulk) / (2.0 * area_A2)
    g_top = (E_relaxed - n_atoms * e_bulk) / area_A2 - g_un
    return {
        "E_s_eV_A2": g_top,
        "E_s_J_m2": g_top * EV_PER_A2_IN_J_PER_M2,
        "E_s_unrelaxed_eV_A2": g_un,
        "E_s_unrelaxed_J_m2": g_un * EV_PER_A2_IN_J_PER_M2,
    }


def relaxed_surface_energy(spec: dict, a_A: float, workdir, calc_factory, fingerprint: str | None = None) -> dict:
    """E_s of one metal x facet x strain (``spec`` from :func:`surface_job_spec`) at lattice constant
    ``a_A``: strained oriented bulk, unrelaxed slab, then the slab relaxed (resumable state in
    ``workdir``, tied to the job by ``fingerprint``). ``calc_factory(atoms, slab, txt)`` makes the
    calculator of each of the three."""
    from ..dft.relax import optimizer_kwargs, relax
    from ..interfaces.structures import metal_slab

    t0 = time.time()
    p = spec["preset"]
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    b = oriented_bulk(spec["metal"], spec["facet"], a_A, spec["strain"])
    b.calc = calc_factory(b, False, str(work / "bulk.txt"))
    e_b = b.get_potential_energy() / len(b)
    slab = metal_slab(
        spec["metal"],
        miller(spec["facet"]),
        a_A,
        p["metal_layers"],
        p["fixed_layers"],
        p["inplane_min_length_A"],
        p["vacuum_A"],
        strain=spec["strain"],
    )
    area = float(np.linalg.norm(np.cross(slab.cell[0], slab.cell[1])))
    s0 = slab.copy()
    s0.calc = calc_factory(s0, True, str(work / "slab_unrelaxed.txt"))
    E_un = s0.get_potential_energy()
    res_relax = None
    if spec["relax"]:
        res_relax = relax(
            slab,
            calc_factory(slab, True, str(work / "slab_relax.txt")),
            p["fmax_slab"],
            p["max_steps"],
            work / "relax",
            **optimizer_kwargs(p),
            fingerprint=fingerprint,
        )
        E_rel = res_relax.energy_eV
    else:
        E_rel = E_un
    return {
        "metal": spec["metal"],
        "facet": "".join(map(str, miller(spec["facet"]))),
        "strain": spec["strain"],
        "xc": spec["xc"],
        **surface_energy(E_rel, E_un, len(slab), e_b, area),
        "E_slab_relaxed_eV": E_rel,
        "E_slab_unrelaxed_eV": E_un,
        "n_atoms": len(slab),
        "area_A2": area,
        "e_bulk_eV": e_b,
        "a_A": a_A,
        "relaxed": bool(spec["relax"]),
        "relax_converged": None if res_relax is None else res_relax.converged,
        "relax_steps": None if res_relax is None else res_relax.steps,
        "wall_s": time.time() - t0,
    }


def surface_energy_table(results) -> pd.DataFrame:
    """A metal's E_s over facets and strains (one row per job result), sorted by facet then strain."""
    df = pd.DataFrame([{k: r[k] for k in TABLE_COLUMNS} for r in results]).sort_values(["facet", "strain"])
    df["facet"] = df["facet"].astype(str)
    return df
