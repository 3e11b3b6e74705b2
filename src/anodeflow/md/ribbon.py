"""Quasi-2D ribbon slabs with two free surfaces, and their height profiles (methods.md 7.3).

The ribbon is built at the lattice constant a(T) of the bulk NPT runs, so the in-plane box
(x: length W, y: thickness b) is the equilibrium one at T and stays fixed during sampling
(NVT, Nose-Hoover). A thin layer of atoms at the slab centre (``anchor_A`` thick) is tethered
along z only (``fix spring/self ... z``) so that the slab neither drifts nor bends as a
whole: its two surfaces then fluctuate independently. After ``equil_ps`` of NVT the
height profiles of both surfaces are sampled every ``sample_ps`` on native x bins
(one per lattice spacing along x by default). Solid-like atoms are those with at least
``cn_min`` neighbours within 1.207 a (between the 2nd and 3rd bcc shells), so adatoms and
vapour do not define the surface. Whether the ribbon stayed solid is told by the mean-square
displacement of the interior atoms (|z - z_mid| < 0.3 slab; LAMMPS ``compute msd`` with the
centre-of-mass motion removed, from the start of the run or of the last restart): a solid's stays at
its vibrational plateau (~0.01-0.1 a^2), a liquid's grows by ~0.5 A^2/ps. The instantaneous interior
bcc fraction (``cna/atom``) is recorded too, but in hot ribbons a few spacings thick it under-counts
bcc (thermal displacements push pairs across the fixed CNA cutoff), so it is a diagnostic, not the test.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from anodeflow.cft.profiles import coordination, surface_heights
from anodeflow.md.bulk import PS_IN_FS, _steps
from anodeflow.md.engine import Phase, run_phases
from anodeflow.md.lattice import ribbon_commands, spacing_factors
from anodeflow.md.runtime import make_lammps

#: neighbour cutoff between the 2nd (a) and 3rd (sqrt 2 a) bcc shells, in units of a
CN_CUTOFF_A = 0.5 * (1 + np.sqrt(2))


def ribbon_geometry(a_A: float, facet: str, length_A: float, thickness_spacings: int, slab_A: float,
                    orientations: dict | None = None) -> dict:
    """Whole lattice spacings nearest to the requested sizes; lengths in Angstrom."""
    s = spacing_factors(facet, orientations) * a_A
    nx = max(4, int(round(length_A / s[0])))
    nz = max(2, int(round(slab_A / s[2])))
    return {"nx": nx, "ny": int(thickness_spacings), "nz": nz, "W_A": nx * s[0], "b_A": thickness_spacings * s[1],
            "slab_A": nz * s[2], "spacing_A": s.tolist()}


def _box(lmp):
    lo, hi = lmp.extract_box()[:2]
    return np.array(lo), np.array(hi) - np.array(lo)


@dataclass(frozen=True)
class RibbonSettings:
    """How one ribbon is built, equilibrated and sampled (lengths in Angstrom, times in ps).

    Built from the config by :func:`anodeflow.md.settings.ribbon_settings`: the keys of section ``cft``
    (``cft.per_metal.<metal>`` overrides applied; meanings in workflow/schemas/cft.schema.yaml) and md's
    ``timestep_fs.<metal>``, ``checkpoint_every`` and ``omp_threads``.
    """

    length_A: float
    thickness_spacings: int
    slab_A: float
    vacuum_A: float
    anchor_A: float
    anchor_k_eV_A2: float
    equil_ps: float
    prod_ps: float
    sample_ps: float
    bins_per_spacing: int
    cn_min: int
    orientations: dict
    timestep_fs: float
    checkpoint_every: int
    omp_threads: int

    def geometry(self, a_A: float, facet: str) -> dict:
        """Whole lattice spacings of the ribbon of ``facet`` at lattice constant ``a_A`` (:func:`ribbon_geometry`)."""
        return ribbon_geometry(a_A, facet, self.length_A, self.thickness_spacings, self.slab_A, self.orientations)


def run_ribbon(pot, a_A: float, facet: str, T_K: float, settings: RibbonSettings, seed: int, workdir,
               log=None) -> dict:
    """Equilibrate and sample one ribbon; returns height frames, bcc fraction and geometry."""
    s = settings
    geom = s.geometry(a_A, facet)
    dt_fs, sample_ps, cn_min, omp_threads = s.timestep_fs, s.sample_ps, s.cn_min, s.omp_threads
    tdamp = 100 * dt_fs / PS_IN_FS
    nbins = geom["nx"] * s.bins_per_spacing
    rc = CN_CUTOFF_A * a_A
    common = [*pot.lammps_commands(mass=True), f"timestep {dt_fs / PS_IN_FS}",
              "thermo_style custom step temp pe press", "neighbor 1.0 bin",
              "neigh_modify every 1 delay 0 check yes",
              f"compute cna all cna/atom {rc:.4f}",
              "compute msd inner msd com yes"]
    build = ribbon_commands(a_A, facet, geom["nx"], geom["ny"], geom["nz"], s.vacuum_A, s.orientations)
    lmp = make_lammps(log=log, omp_threads=omp_threads)
    try:
        lmp.commands_list(build)
        lo, L = _box(lmp)
        z = lmp.numpy.extract_atom("x")[:, 2]
        z_mid = 0.5 * (z.min() + z.max())
        top = z > z.max() - 0.1
        n_top = max(1, int(round(top.sum() / nbins)))
        lmp.close()
        lmp = make_lammps(log=log, omp_threads=omp_threads)
        half = 0.5 * s.anchor_A
        interior = (0.3 * geom["slab_A"])
        setup = [*build,
                 f"region mid block INF INF INF INF {z_mid - half:.4f} {z_mid + half:.4f} units box",
                 "group mid region mid",
                 f"region inner block INF INF INF INF {z_mid - interior:.4f} {z_mid + interior:.4f} units box",
                 "group inner region inner",
                 *common,
                 f"velocity all create {T_K} {seed} mom yes rot no dist gaussian"]
        sample_every = _steps(sample_ps, dt_fs)
        nprod = _steps(s.prod_ps, dt_fs)
        nprod -= nprod % sample_every
        fixes = [f"fix ens all nvt temp {T_K} {T_K} {tdamp}", f"fix anchor mid spring/self {s.anchor_k_eV_A2} z"]

        def sample(lmp_):
            n = lmp_.get_natoms()
            # gathered over MPI ranks, ordered by atom ID (works serially too)
            pos = np.ctypeslib.as_array(lmp_.gather_atoms("x", 1, 3)).reshape(n, 3).copy()
            lo_, L_ = _box(lmp_)
            cn = coordination(pos - lo_, L_, rc)
            ht, hb = surface_heights(pos - lo_, cn >= cn_min, L_[0], nbins, z_mid - lo_[2], L_[2], n_top)
            cna = np.ctypeslib.as_array(lmp_.gather("c_cna", 1, 1)).reshape(n).copy()
            dz = pos[:, 2] - z_mid
            dz -= L_[2] * np.round(dz / L_[2])
            inner = np.abs(dz) < interior
            return {"h_top": ht, "h_bot": hb, "bcc_interior": float(np.mean(cna[inner] == 3)),
                    "msd_interior_A2": float(lmp_.extract_compute("msd", 0, 1)[3]),
                    "T": lmp_.get_thermo("temp"), "n_solid": int(np.sum(cn >= cn_min))}

        phases = [Phase("equil", _steps(s.equil_ps, dt_fs), fixes, ["unfix ens", "unfix anchor"]),
                  Phase("prod", nprod, fixes, ["unfix ens", "unfix anchor"], sample_every, sample)]
        out = run_phases(lmp, workdir, setup, common, phases, s.checkpoint_every)
        natoms = lmp.get_natoms()
    finally:
        lmp.close()
    prod = out["prod"]
    return {**prod, "natoms": int(natoms), "nbins": nbins, "n_top": n_top, "z_mid": z_mid,
            "W_A": float(L[0]), "b_A": float(L[1]), "Lz_A": float(L[2]), "a_A": a_A,
            "facet": facet, "T_K": T_K, "dt_fs": dt_fs, "sample_ps": sample_ps, "prod_ps": nprod * dt_fs / PS_IN_FS}
