"""Command-line entry of the DFT stage (each verb is one Snakemake job): ``bulk`` (bulk reference by an
equation-of-state scan) and ``relax`` (one pristine, vacancy, divacancy or adhesion-part relaxation).

Run under MPI as ``{launcher} python -m anodeflow.dft.jobs <verb> --spec '<json>' ...`` with
``GPAW_MPI_BACKEND=cgpaw`` (set by ``anodeflow.launch``), so the same command works with ``mpiexec`` and
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

from ..io import job_fingerprint, provenance, read_json, run_verb, write_extxyz, write_json
from . import mpi
from .bulk import bulk_scan_preset, relax_bulk
from .gpawlog import gpaw_log_stats
from .relax import estimate_precon_mu, optimizer_kwargs, precon_hessian, relax, relocation, slab_vacuum


def cmd_bulk(args) -> None:
    from .calculators import gpaw_calculator

    spec = json.loads(args.spec)
    t0 = time.time()
    nranks = mpi.check_ranks(args.ntasks)
    txt = str(Path(args.workdir) / "gpaw.txt")
    p = spec["preset"]
    scan_p = bulk_scan_preset(p)
    res = relax_bulk(
        spec,
        lambda at: gpaw_calculator(scan_p, spec["xc"], at, txt=txt, slab=False),
        args.workdir,
        lambda at: gpaw_calculator(p, spec["xc"], at, txt=txt, slab=False),
        is_root=mpi.world().rank == 0,
    )
    res["scan_precision"] = {"ecut_eV": scan_p["ecut_eV"], "kpt_density": scan_p["kpt_density"]}
    res["energy_precision"] = {"ecut_eV": p["ecut_eV"], "kpt_density": p["kpt_density"]}
    atoms = res.pop("atoms")
    prov = provenance(spec, [])
    if mpi.world().rank == 0:
        write_extxyz(args.structure, atoms, prov)
    res.update(
        {"phase": spec["phase"], "xc": spec["xc"], "wall_s": time.time() - t0, "mpi_ranks": nranks, "provenance": prov}
    )
    if mpi.world().rank == 0:
        write_json(args.out, res)


# ----------------------------------------------------------------------------- configurations


def cmd_relax(args) -> None:
    from ase.io import read

    from ..interfaces.structures import apply_fixed
    from .calculators import beef_contributions, gpaw_calculator

    spec = json.loads(args.spec)
    cpu0 = time.process_time()
    nranks = mpi.check_ranks(args.ntasks)
    atoms = read(str(args.structure), format="extxyz")
    for i in sorted(spec["removed"], reverse=True):
        del atoms[i]
    apply_fixed(atoms)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    p = spec["preset"]
    start = atoms.positions.copy()
    calc = gpaw_calculator(p, spec["xc"], atoms, txt=str(work / "gpaw.txt"), slab=True)
    fingerprint = job_fingerprint(spec, args.structure)
    optimizer = spec.get("optimizer", "bfgs")
    precon = {"mu_eV_A2": None, "mu_source": None}
    hessian0 = None
    if optimizer == "precon":
        # the Exp preconditioner's stiffness: the pristine job measures it once per system (one extra
        # force evaluation), every other job of the system takes it from the pristine result
        mu = read_json(args.pristine_result).get("precon", {}).get("mu_eV_A2") if args.pristine_result else None
        precon["mu_source"] = "pristine" if mu is not None else "measured"

        def hessian0(at):
            if precon["mu_source"] == "measured":
                at.calc = calc
                precon["mu_eV_A2"] = estimate_precon_mu(at)
            else:
                precon["mu_eV_A2"] = float(mu)
            if mpi.world().rank == 0:  # kept for a resume, which continues from the saved Hessian instead
                write_json(work / "precon.json", precon)
            return precon_hessian(at, precon["mu_eV_A2"], alpha=float(p["bfgs_alpha_eV_A2"]))

    res = relax(
        atoms,
        calc,
        p["fmax_slab"],
        p["max_steps"],
        work,
        logfile=str(work / "opt.log") if mpi.world().rank == 0 else None,
        fingerprint=fingerprint,
        hessian0=hessian0,
        **optimizer_kwargs(p),
    )
    if optimizer == "precon" and precon["mu_eV_A2"] is None:
        # resumed from a saved Hessian: the stiffness measured before the kill is in the work folder
        if (work / "precon.json").exists():
            precon = read_json(work / "precon.json")
        else:
            precon["mu_source"] = "unknown (resumed from a saved Hessian)"
    out = {
        "system": spec["system"],
        "config_id": spec["config_id"],
        "removed": spec["removed"],
        "xc": spec["xc"],
        "natoms": len(atoms),
        "energy_eV": res.energy_eV,
        "free_energy_eV": res.free_energy_eV,
        "energy_kind": "GPAW energy extrapolated to zero smearing",
        "fmax": res.fmax,
        "fmax_target": p["fmax_slab"],
        "converged": res.converged,
        "steps": res.steps,
        "resumed_from_step": res.resumed_from_step,
        "wall_s": res.wall_s,
        "mpi_ranks": nranks,
        "optimizer": optimizer,
        "precon": precon,
        # CPU seconds of rank 0 (× mpi_ranks: the job's core-seconds), unlike wall_s independent of load
        "cpu_s_rank0": time.process_time() - cpu0,
        # problem size and SCF loops of this process (a resumed job counts its own loops only)
        "gpaw": gpaw_log_stats(work / "gpaw.txt") if mpi.world().rank == 0 else None,
        **relocation(res.atoms, start),
        **slab_vacuum(res.atoms, p["vacuum_A"]),
        "beef_nsc_eV": beef_contributions(calc) if spec["xc"] == "BEEF-vdW" else None,
        "provenance": provenance(
            spec, [args.structure, *([args.pristine_result] if args.pristine_result else []), *(args.inputs or [])]
        ),
    }
    if args.gpw:
        # GPAW writes collectively (the master rank does the I/O); rename once it is complete
        part = Path(str(args.gpw) + ".part")
        calc.write(str(part), mode="all")
        world = mpi.world()
        if hasattr(world, "barrier"):
            world.barrier()
        if world.rank == 0:
            os.replace(part, args.gpw)
    if mpi.world().rank == 0:
        if out["vacuum_too_thin"]:
            sys.stderr.write(
                f"[anodeflow] WARNING {spec['system']}/{spec['config_id']}: vacuum after relaxation "
                f"{out['vacuum_A']:.2f} A < {p['vacuum_A']} A\n"
            )
        write_extxyz(args.final, res.atoms, out["provenance"])
        write_json(args.out, out)


def cmd_eos_plot(args) -> None:
    from ..io import read_json
    from .bulk import plot_eos

    plot_eos(read_json(args.bulk), args.plot)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m anodeflow.dft.jobs")
    sub = ap.add_subparsers(dest="cmd", required=True)
    # verb -> required options (all strings), optional ones below
    required = {
        "bulk": ("--spec", "--out", "--structure", "--workdir"),
        "relax": ("--spec", "--structure", "--out", "--final", "--workdir"),
        "eos-plot": ("--bulk", "--plot"),
    }
    parsers = {}
    for cmd, opts in required.items():
        parsers[cmd] = p = sub.add_parser(cmd)
        for opt in opts:
            p.add_argument(opt, required=True)
    for cmd in ("bulk", "relax"):  # GPAW jobs: the launcher's rank count is checked against GPAW's world
        parsers[cmd].add_argument("--ntasks", type=int, required=True, help="MPI ranks the launcher started (checked)")
    parsers["relax"].add_argument("--gpw", default=None)
    parsers["relax"].add_argument(
        "--pristine-result", default=None, help="the system's pristine result.json (the preconditioner's stiffness)"
    )
    parsers["relax"].add_argument(
        "--inputs", nargs="*", default=None, help="further inputs the job depends on (hashed into its provenance)"
    )
    args = ap.parse_args(argv)
    fn = {"bulk": cmd_bulk, "relax": cmd_relax, "eos-plot": cmd_eos_plot}[args.cmd]
    run_verb("anodeflow.dft.jobs", args.cmd, fn, args)


if __name__ == "__main__":
    main()
