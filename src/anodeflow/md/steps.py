"""Step-stiffness MD (methods.md 7.3, beyond the seed; Freitas, Frolov & Asta, Phys. Rev. E 96, 043308 (2017)):
a one-layer stripe island on a thicker slab, its two straight steps along y.

Geometry per (facet, step direction): z is the facet normal, y the step direction (the island's long axis,
periodic length L = L_y), x across the steps (periodic L_x). The slab is ``slab_A`` thick; its bottom
``fixed_A`` are held (``fix setforce 0 0 0``, zero velocities) so that it neither drifts nor bends and acts as a
thicker crystal. On its top surface the next atomic layer is filled for a width ``island_fraction`` x L_x:
the stripe island, bounded by two straight steps along y. Built at a(T) of the expansion table, NVT
(Nose-Hoover) on the free atoms. Every ``sample_ps`` the positions of the atoms above the top surface layer
(z > surface layer + half a layer spacing: the island and any adatoms) are stored; the step profiles
x_s(y) and the stiffness are the analysis's (:mod:`anodeflow.cft.step`). Production grows in chunks
of ``prod_ps`` from the LAMMPS restart until the equilibrium analysis of the step profiles says enough
(>= 20 tau_1 after equilibration) or ``max_prod_ps``.

Step directions (orient x, y; z = x cross y in the facet's family):

* (110): "001" (y [001], x [1-10]) and "1-10" (y [1-10], x [001]): the two high-symmetry steps of (110);
* (100): "010" (y [010], x [100]).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from anodeflow.md.bulk import PS_IN_FS, _steps
from anodeflow.md.engine import Phase, chunked_fingerprint, run_phases
from anodeflow.md.runtime import make_lammps

#: (facet, step direction) -> orient x, y
STEP_ORIENTATIONS = {
    ("110", "001"): ([1, -1, 0], [0, 0, 1]),
    ("110", "1-10"): ([0, 0, 1], [1, -1, 0]),
    ("100", "010"): ([1, 0, 0], [0, 1, 0]),
}

#: atomic layer spacing normal to the facet, in units of a
LAYER_SPACING_A = {"110": np.sqrt(2) / 2, "100": 0.5}


@dataclass(frozen=True)
class StepSettings:
    """One stripe-island run (config ``cft.steps``; defaults in cft.schema.yaml). Lengths in Angstrom, times in ps."""

    length_A: float
    width_A: float
    slab_A: float
    fixed_A: float
    island_fraction: float
    vacuum_A: float
    equil_ps: float
    prod_ps: float
    max_prod_ps: float
    sample_ps: float
    min_wavelength_spacings: float
    max_modes: int
    timestep_fs: float
    checkpoint_every: int
    omp_threads: int


def geometry(a_A: float, facet: str, direction: str, s: StepSettings) -> dict:
    """Whole lattice spacings: nx across the steps, ny along them (L = ny spacings), nz of the slab."""
    if (facet, direction) not in STEP_ORIENTATIONS:
        raise ValueError(
            f"config key 'cft.steps.directions.{facet}': step direction {direction!r} of ({facet}) "
            f"not known; known: {sorted(STEP_ORIENTATIONS)}"
        )
    x, y = STEP_ORIENTATIONS[(facet, direction)]
    z = np.cross(x, y)
    sp = np.array([np.linalg.norm(v) for v in (x, y, z)]) * a_A
    nx, ny, nz = (
        max(4, int(round(s.width_A / sp[0]))),
        max(4, int(round(s.length_A / sp[1]))),
        max(2, int(round(s.slab_A / sp[2]))),
    )
    return {
        "x": x,
        "y": y,
        "z": [int(c) for c in z],
        "nx": nx,
        "ny": ny,
        "nz": nz,
        "spacing_A": sp.tolist(),
        "Lx_A": nx * sp[0],
        "L_A": ny * sp[1],
        "layer_A": LAYER_SPACING_A[facet] * a_A,
    }


def build_commands(a_A: float, g: dict, s: StepSettings) -> list[str]:
    """Slab of nz spacings (0 <= z < nz) plus the next atomic layer for x in the island's width."""
    o = lambda v: " ".join(str(i) for i in v)  # noqa: E731
    sz = g["spacing_A"][2]
    vac = s.vacuum_A / sz
    half = 0.5 * s.island_fraction * g["nx"]
    x0, x1 = 0.5 * g["nx"] - half, 0.5 * g["nx"] + half
    lay = g["layer_A"] / sz  # one atomic layer, in z spacings
    return [
        "units metal",
        "atom_style atomic",
        "boundary p p p",
        f"lattice bcc {a_A} orient x {o(g['x'])} orient y {o(g['y'])} orient z {o(g['z'])}",
        f"region box block 0 {g['nx']} 0 {g['ny']} {-vac:.6f} {g['nz'] + 1 + vac:.6f}",
        "create_box 1 box",
        f"region slab block INF INF INF INF -1e-3 {g['nz'] - 1e-3}",
        "create_atoms 1 region slab",
        f"region island block {x0:.6f} {x1:.6f} INF INF {g['nz'] - 1e-3} {g['nz'] + 0.5 * lay:.6f}",
        "create_atoms 1 region island",
    ]


def run_steps(
    pot,
    a_A: float,
    facet: str,
    direction: str,
    T_K: float,
    s: StepSettings,
    seed: int,
    workdir,
    analyse=None,
    log=None,
    say=None,
) -> dict:
    """Equilibrate, then produce in chunks; returns the top-layer positions per frame (NaN-padded), the
    geometry and the chunk count. ``analyse(top_xyz, cell, dt_ps) -> dict`` with key ``enough`` decides
    when to stop (None: run to ``max_prod_ps``)."""
    g = geometry(a_A, facet, direction, s)
    dt = s.timestep_fs
    tdamp = 100 * dt / PS_IN_FS
    sz = g["spacing_A"][2]
    z_surf = (g["nz"] - 1) * sz + (sz - g["layer_A"])  # the slab's top atomic layer (two layers per z spacing)
    z_cut = z_surf + 0.5 * g["layer_A"]
    common = [
        *pot.lammps_commands(mass=True),
        f"timestep {dt / PS_IN_FS}",
        "thermo_style custom step temp pe press",
        "neighbor 1.0 bin",
        "neigh_modify every 1 delay 0 check yes",
    ]
    setup = [
        *build_commands(a_A, g, s),
        f"region bottom block INF INF INF INF INF {s.fixed_A - 1e-3:.4f} units box",
        "group bottom region bottom",
        "group mobile subtract all bottom",
        *common,
        f"velocity mobile create {T_K} {seed} mom yes rot no dist gaussian",
    ]
    fixes = [
        "velocity bottom set 0.0 0.0 0.0",
        "fix hold bottom setforce 0.0 0.0 0.0",
        f"fix ens mobile nvt temp {T_K} {T_K} {tdamp}",
    ]
    unfix = ["unfix ens", "unfix hold"]
    sample_every = _steps(s.sample_ps, dt)
    nchunk = max(sample_every, _steps(s.prod_ps, dt) // sample_every * sample_every)
    max_chunks = max(1, int(np.ceil(s.max_prod_ps / (nchunk * dt / PS_IN_FS) - 1e-9)))
    n_island = None

    def sample(lmp):
        n = lmp.get_natoms()
        pos = np.ctypeslib.as_array(lmp.gather_atoms("x", 1, 3)).reshape(n, 3)
        top = pos[pos[:, 2] > z_cut]
        out = np.full((n_max, 3), np.nan)
        out[: min(len(top), n_max)] = top[:n_max]
        return {"top_xyz": out, "top_count": len(top), "T": lmp.get_thermo("temp")}

    equil = Phase("equil", _steps(s.equil_ps, dt), fixes, unfix)
    chunk = Phase("prod", nchunk, fixes, unfix, sample_every, sample)
    lmp = make_lammps(log=log, omp_threads=s.omp_threads)
    try:
        lmp.commands_list(build_commands(a_A, g, s))
        z = lmp.numpy.extract_atom("x")[:, 2]
        n_island = int(np.sum(z > z_cut))
        natoms = lmp.get_natoms()
    finally:
        lmp.close()
    n_max = 2 * n_island + 20  # room for adatoms and vacancies
    fp = chunked_fingerprint(setup, common, equil, chunk, max_chunks, z_cut)
    cell = None
    analysis: dict = {}
    for k in range(1, max_chunks + 1):
        lmp = make_lammps(log=log, omp_threads=s.omp_threads)
        try:
            out = run_phases(lmp, workdir, setup, common, [equil] + [chunk] * k, s.checkpoint_every, fingerprint=fp)
            lo, hi = lmp.extract_box()[:2]
            cell = (np.array(hi) - np.array(lo)).tolist()
        finally:
            lmp.close()
        prod = out["prod"]
        if analyse is not None:
            analysis = analyse(prod["top_xyz"], cell, sample_every * dt / PS_IN_FS)
            if say:
                say(
                    f"chunk {k}/{max_chunks}: {k * nchunk * dt / PS_IN_FS:g} ps, status {analysis.get('status')}, "
                    f"tau1 = {analysis.get('tau1_ps')} ps, enough = {analysis.get('enough')}"
                )
            if analysis.get("enough"):
                break
    return {
        **prod,
        "cell_A": np.asarray(cell),
        "L_A": float(cell[1]),
        "Lx_A": float(cell[0]),
        "a_A": a_A,
        "z_cut_A": z_cut,
        "n_island": n_island,
        "natoms": int(natoms),
        "facet": facet,
        "direction": direction,
        "T_K": T_K,
        "dt_ps": sample_every * dt / PS_IN_FS,
        "prod_ps": len(prod["T"]) * sample_every * dt / PS_IN_FS,
        "chunks": k,
        "analysis": json.dumps(analysis, default=float),
    }
