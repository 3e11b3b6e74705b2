"""Job entry points of the DFT stage (each is one Snakemake job).

Run under MPI as ``{launcher} python -m anodeflow.dft.jobs <command> --spec '<json>' ...`` with
``GPAW_MPI_BACKEND=cgpaw`` (set by the rules), so the same command works with ``mpiexec`` and
``srun``. ``--spec`` carries everything the job depends on (preset, functional, system), so a
change in it is a change in the rule's params, and Snakemake reruns exactly what depends on it.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from ..io import atomic_path, job_fingerprint, provenance, read_json, write_json

EOS_STRAINS = (-0.04, -0.02, 0.0, 0.02, 0.04)   # relative lattice-constant scan around the start
MAX_EOS_SCANS = 4
EOS_RECENTRE = 0.01   # rescan centred on the fit when it lies further than this from the centre


class _SingleRank:
    size, rank = 1, 0


def _world(need_gpaw: bool = False):
    """GPAW's MPI world in GPAW jobs; a single rank in jobs that never import GPAW (the structure
    build), so that they do not initialise MPI inside a scheduler step that gave them no PMI."""
    if need_gpaw or "gpaw.mpi" in sys.modules:   # ASE plugins import the gpaw package, not its MPI
        from gpaw.mpi import world
        return world
    return _SingleRank()


def _check_ranks(expected: int | None) -> int:
    world = _world(need_gpaw=True)
    if expected and world.size != expected:
        raise RuntimeError(f"GPAW runs on {world.size} MPI ranks but {expected} were asked for: check the launcher "
                           "(config dft.launcher) and GPAW_MPI_BACKEND=cgpaw")
    return world.size


def write_extxyz(path, atoms, prov: dict | None = None) -> None:
    """Write a structure atomically (rank 0); its provenance goes next to it as
    ``<name>.provenance.json`` (JSON inside extxyz headers does not survive ASE's quoting)."""
    from ase.io import write

    if _world().rank == 0:
        if prov is not None:
            write_json(Path(str(path) + ".provenance.json"), prov)
        with atomic_path(path) as tmp:
            write(str(tmp), atoms, format="extxyz")


def read_structure(path):
    from ase.io import read

    from ..structures import apply_fixed
    return apply_fixed(read(str(path), format="extxyz"))


# ----------------------------------------------------------------------------- bulk

def relax_bulk(spec: dict, calc_factory, workdir, energy_calc_factory=None) -> dict:
    """Equilibrium lattice constant by an equation-of-state scan (isotropic for 3D crystals,
    in-plane for 2D sheets), then the energy per atom at the minimum.

    ``calc_factory`` makes the calculator of the scan; ``energy_calc_factory`` (default: the same)
    that of the final energy at the minimum. They differ when the preset asks for a denser bulk
    scan (``bulk_ecut_eV``, ``bulk_kpt_density``): the lattice constant then comes from the converged
    scan, while the energy per atom (the chemical potential of vacancy formation energies) is at the
    slab settings, so that it can be subtracted from slab energies.

    An E(V) fit avoids stress tensors, which GPAW does not provide for BEEF-vdW; cubic and
    hexagonal-sheet phases have no free internal coordinates, and the forces at the minimum
    are recorded to show it (bulk fmax target ``preset.fmax_bulk``).
    """
    from ase import units
    from ase.eos import EquationOfState

    from .. import structures as S

    phase = spec["phase"]
    a0 = spec["a0_A"]
    kind = spec["kind"]

    def build(a):
        if kind == "metal":
            return S.bulk_metal(phase, a, spec.get("structure", "bcc"))
        return S.bulk_coating(spec["coating"], a)

    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    cache = work / "eos.json"
    # points are reused only by the same job spec (a killed scan resumes where it stopped); a spec
    # changed in config (cutoff, k-points, functional, ...) starts a fresh scan in the same workdir
    spec_sha = job_fingerprint(spec)
    cached = json.loads(cache.read_text()) if cache.exists() else {}
    done = cached.get("energies", {}) if cached.get("spec_sha256") == spec_sha else {}
    def energy(a):
        atoms = build(a)
        key = f"{a:.6f}"
        if key not in done:
            atoms.calc = calc_factory(atoms)
            done[key] = float(atoms.get_potential_energy())
            if _world().rank == 0:
                cache.write_text(json.dumps({"spec_sha256": spec_sha, "energies": done}))
        size = atoms.get_volume() if kind != "2d" else np.linalg.norm(np.cross(atoms.cell[0], atoms.cell[1]))
        return done[key], size

    centre = a0
    for scan in range(MAX_EOS_SCANS):
        aa = np.array([centre * (1 + eps) for eps in EOS_STRAINS])
        ee, vv = map(np.asarray, zip(*(energy(a) for a in aa)))
        k = int(np.argmin(ee))
        if k in (0, len(ee) - 1):
            # the minimum is beyond the window: recentre on the lowest point and scan again
            centre, a_eq, fit, inside = float(aa[k]), float(aa[k]), {"method": "none"}, False
            continue
        if kind == "2d":
            c = np.polyfit(aa, ee, 2)
            a_eq = float(-c[1] / (2 * c[0]))
            fit = {"method": "quadratic E(a)", "curvature_eV_per_A2": float(2 * c[0])}
        else:
            eos = EquationOfState(vv, ee, eos="birchmurnaghan")
            v_eq, e_eq, B = eos.fit()
            a_eq = float(centre * (v_eq / vv[len(vv) // 2]) ** (1 / 3))
            fit = {"method": "Birch-Murnaghan E(V)", "bulk_modulus_GPa": float(B / units.GPa)}
        inside = True
        if abs(a_eq / centre - 1) <= EOS_RECENTRE or scan == MAX_EOS_SCANS - 1:
            break
        centre = a_eq   # bracketed but off-centre: one more scan centred on the fit, for accuracy
    fit["scans"] = scan + 1
    if not inside:
        fit["warning"] = f"minimum not bracketed after {MAX_EOS_SCANS} scans: check a0_A and the preset"
    atoms = build(a_eq)
    atoms.calc = (energy_calc_factory or calc_factory)(atoms)
    e = float(atoms.get_potential_energy())
    f = atoms.get_forces()
    return {"atoms": atoms, "a_A": a_eq, "energy_eV": e, "energy_per_atom_eV": e / len(atoms),
            "natoms": len(atoms), "fmax_eV_A": float(np.abs(f).max()), "eos": fit,
            "scan": {"a_A": aa.tolist(), "energy_eV": ee.tolist()}, "a0_A": a0}


def bulk_scan_preset(preset: dict) -> dict:
    """The preset of the bulk equation-of-state scan: ``bulk_ecut_eV`` / ``bulk_kpt_density`` (when
    set) replace the slab values. A one- or two-atom cell needs a much denser k-mesh and, with a fixed
    plane-wave basis across volumes, a higher cutoff than a slab for its lattice constant: at 250 eV and
    2 k-points per A^-1 (5x5x5), PBE Li came out at 3.61 A (literature 3.43) and LiF at 3.92 A (4.06),
    which also changed which coherent interface cell matched."""
    p = dict(preset)
    if p.get("bulk_ecut_eV"):
        p["ecut_eV"] = p["bulk_ecut_eV"]
    if p.get("bulk_kpt_density"):
        p["kpt_density"] = p["bulk_kpt_density"]
    return p


def cmd_bulk(args) -> None:
    from .calculators import gpaw_calculator

    spec = json.loads(args.spec)
    t0 = time.time()
    nranks = _check_ranks(args.ntasks)
    txt = str(Path(args.workdir) / "gpaw.txt")
    p = spec["preset"]
    scan_p = bulk_scan_preset(p)
    res = relax_bulk(spec, lambda at: gpaw_calculator(scan_p, spec["xc"], at, txt=txt, slab=False), args.workdir,
                     lambda at: gpaw_calculator(p, spec["xc"], at, txt=txt, slab=False))
    res["scan_precision"] = {"ecut_eV": scan_p["ecut_eV"], "kpt_density": scan_p["kpt_density"]}
    res["energy_precision"] = {"ecut_eV": p["ecut_eV"], "kpt_density": p["kpt_density"]}
    atoms = res.pop("atoms")
    prov = provenance(spec, [])
    write_extxyz(args.structure, atoms, prov)
    res.update({"phase": spec["phase"], "xc": spec["xc"], "wall_s": time.time() - t0, "mpi_ranks": nranks,
                "provenance": prov})
    if _world().rank == 0:
        write_json(args.out, res)


# ----------------------------------------------------------------------------- structures

def build_system(spec: dict, bulk: dict[str, dict]) -> tuple:
    """Build the pristine slab/interface of a system and enumerate its vacancy configurations."""
    from pymatgen.core import Element

    from .. import sites, structures as S

    p = spec["preset"]
    metal = spec["metal"]
    a_m = bulk[metal]["a_A"]
    desc: dict = {"system": spec["id"], "metal": metal, "facet": spec["facet"], "xc": spec["xc"],
                  "metal_a_A": a_m}
    if spec.get("coating") is None:
        atoms = S.metal_slab(metal, spec["facet"], a_m, p["metal_layers"], p["fixed_layers"],
                             p["inplane_min_length_A"], p["vacuum_A"],
                             min_repeats=p.get("inplane_min_repeats", 1))
    else:
        coat = spec["coating_spec"]
        cb = bulk[spec["coating"]]
        film = S.coating_structure(coat, cb["a_A"])
        metal_struct = S.conventional_metal(metal, a_m)
        film_facet = spec["coating_facet"] or (0, 0, 1)
        ic = spec["interfaces"]
        atoms, match = S.coherent_interface(
            spec["id"], metal_struct, film, spec["facet"], film_facet,
            max_strain=ic["max_strain"], max_area=ic["max_area_A2"], angle_tol=ic["angle_tol"], gap=ic["gap_A"],
            metal_layers=p["metal_layers"], fixed_layers=p["fixed_layers"],
            film_layers=ic.get("coating_layers", 2), vacuum=p["vacuum_A"],
            min_length=p["inplane_min_length_A"], film_is_2d=coat["kind"] == "2d")
        area_metal = S.reduced_surface_area(metal_struct, spec["facet"])
        area_coat = S.reduced_surface_area(film, film_facet)
        am, q = S.area_mismatch(area_metal, area_coat)
        chi = {str(e): (Element(str(e)).ionization_energies[0] + Element(str(e)).electron_affinity) / 2
               for e in set(film.species)}
        chi_m = (Element(metal).ionization_energies[0] + Element(metal).electron_affinity) / 2
        desc.update({
            "coating": spec["coating"], "coating_facet": list(film_facet), "coating_a_A": cb["a_A"],
            "a_m": am, "a_r": area_metal / area_coat, "q": f"{q[0]}/{q[1]}",
            "area_metal_cell_A2": area_metal, "area_coating_cell_A2": area_coat,
            "zsl_area_A2": match.area_A2, "strain": match.strain, "strain_von_mises": match.strain_von_mises,
            "film_supercell_vectors": match.film_vectors, "substrate_supercell_vectors": match.substrate_vectors,
            "n_matches_within_limit": match.n_matches, "termination": atoms.info.get("termination"),
            # Mulliken electronegativity (IE + EA)/2 from pymatgen's element data (eV)
            "chi_metal_eV": chi_m, "chi_coating_eV": chi,
            "dchi_max_eV": max(abs(c - chi_m) for c in chi.values()),
        })
    area = float(np.linalg.norm(np.cross(atoms.cell[0], atoms.cell[1])))
    enum = sites.enumerate_vacancies(atoms, spec.get("max_vacancy_sites"))
    desc.update({"area_A2": area, "natoms": len(atoms), "n_tag1": int((atoms.get_tags() == 1).sum()),
                 "n_tag2": int((atoms.get_tags() == 2).sum()), "n_fixed": int(atoms.arrays["fixed"].sum())})
    return atoms, desc, enum


def cmd_build(args) -> None:
    from .. import structures as S

    spec = json.loads(args.spec)
    bulk = {}
    for path in args.bulk:
        d = read_json(path)
        bulk[d["phase"]] = d
    try:
        atoms, desc, enum = build_system(spec, bulk)
    except S.InterfaceError as exc:
        # This system fails alone and says why; the artifacts record the failure so that the
        # tables still list it and no other system is held up.
        msg = str(exc)
        sys.stderr.write(f"[anodeflow] FAILED {msg}\n")
        prov = provenance(spec, args.bulk)
        failed = {"system": spec["id"], "status": "failed", "reason": msg, "provenance": prov}
        write_json(args.descriptors, failed)
        write_json(args.out, {**failed, "configurations": []})
        with atomic_path(args.structure) as tmp:
            tmp.write_text("")   # no structure: see configurations.json
        return
    prov = provenance(spec, args.bulk)
    write_extxyz(args.structure, atoms, prov)
    write_json(args.descriptors, {**desc, "provenance": prov})
    write_json(args.out, {"system": spec["id"], "status": "ok", **enum.to_dict(), "provenance": prov})


# ----------------------------------------------------------------------------- configurations

RELOCATION_FRACTION = 0.4


def relocation(atoms, start) -> dict:
    """How far the relaxation moved atoms from the starting geometry (minimum image, in-plane periodic).

    ``relocated`` is set when any atom moved by more than ``RELOCATION_FRACTION`` x the shortest
    metal-metal distance of the start: an atom has then hopped (typically into the vacancy), and the
    relaxed configuration is no longer the one enumerated."""
    from ase.geometry import find_mic, get_distances

    d, _ = find_mic(atoms.positions - start, atoms.cell, pbc=atoms.pbc)
    disp = np.linalg.norm(d, axis=1)
    metal = np.asarray(atoms.arrays.get("is_metal", np.ones(len(atoms), bool)), bool)
    pos = start[metal]
    if len(pos) > 1:
        _, dist = get_distances(pos, cell=atoms.cell, pbc=atoms.pbc)
        dist[np.diag_indices_from(dist)] = np.inf
        d_nn = float(dist.min())
    else:
        d_nn = float("nan")
    i = int(disp.argmax()) if len(disp) else 0
    dmax = float(disp.max()) if len(disp) else 0.0
    return {"max_displacement_A": dmax, "max_displacement_atom": i, "metal_nn_distance_A": d_nn,
            "relocated": bool(np.isfinite(d_nn) and dmax > RELOCATION_FRACTION * d_nn)}


def cmd_relax(args) -> None:
    from .calculators import beef_contributions, gpaw_calculator
    from .relax import optimizer_kwargs, relax

    spec = json.loads(args.spec)
    nranks = _check_ranks(args.ntasks)
    atoms = read_structure(args.structure)
    removed = sorted(spec["removed"], reverse=True)
    for i in removed:
        del atoms[i]
    from ..structures import apply_fixed
    apply_fixed(atoms)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    p = spec["preset"]
    start = atoms.positions.copy()
    calc = gpaw_calculator(p, spec["xc"], atoms, txt=str(work / "gpaw.txt"), slab=True)
    # the saved state belongs to this spec and this starting structure only
    res = relax(atoms, calc, p["fmax_slab"], p["max_steps"], work,
                logfile=str(work / "opt.log") if _world().rank == 0 else None,
                fingerprint=job_fingerprint(spec, args.structure), **optimizer_kwargs(p))
    out = {
        "system": spec["system"], "config_id": spec["config_id"], "removed": spec["removed"],
        "xc": spec["xc"], "natoms": len(atoms),
        "energy_eV": res.energy_eV, "free_energy_eV": res.free_energy_eV, "energy_kind": "GPAW energy extrapolated to zero smearing",
        "fmax": res.fmax, "fmax_target": p["fmax_slab"], "converged": res.converged, "steps": res.steps,
        "resumed_from_step": res.resumed_from_step, "wall_s": res.wall_s, "mpi_ranks": nranks,
        **relocation(res.atoms, start),
        "beef_nsc_eV": beef_contributions(calc) if spec["xc"] == "BEEF-vdW" else None,
        "provenance": provenance(spec, [args.structure, *(args.inputs or [])]),
    }
    if args.gpw:
        # GPAW writes collectively (the master rank does the I/O); rename once it is complete
        part = Path(str(args.gpw) + ".part")
        calc.write(str(part), mode="all")
        world = _world()
        if hasattr(world, "barrier"):
            world.barrier()
        if world.rank == 0:
            os.replace(part, args.gpw)
    write_extxyz(args.final, res.atoms, out["provenance"])
    if _world().rank == 0:
        write_json(args.out, out)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m anodeflow.dft.jobs")
    sub = ap.add_subparsers(dest="cmd", required=True)
    # command -> required options (all strings), optional ones below
    required = {"bulk": ("--spec", "--out", "--structure", "--workdir"),
                "build": ("--spec", "--structure", "--descriptors", "--out"),
                "relax": ("--spec", "--structure", "--out", "--final", "--workdir")}
    parsers = {}
    for cmd, opts in required.items():
        parsers[cmd] = p = sub.add_parser(cmd)
        for opt in opts:
            p.add_argument(opt, required=True)
    for cmd in ("bulk", "relax"):   # GPAW jobs: the launcher's rank count is checked against GPAW's world
        parsers[cmd].add_argument("--ntasks", type=int, default=None, help="MPI ranks the launcher started")
    parsers["build"].add_argument("--bulk", nargs="+", required=True)
    parsers["relax"].add_argument("--gpw", default=None)
    parsers["relax"].add_argument("--inputs", nargs="*", default=None,
                                  help="further inputs the job depends on (hashed into its provenance)")
    args = ap.parse_args(argv)
    {"bulk": cmd_bulk, "build": cmd_build, "relax": cmd_relax}[args.cmd](args)


if __name__ == "__main__":
    main()
