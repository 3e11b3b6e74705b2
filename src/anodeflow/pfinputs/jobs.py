"""Job entry points of the phase-field inputs (each verb is one Snakemake job).

    python -m anodeflow.pfinputs.jobs surface-energy --ntasks N --config JSON --metal Li --facet 100
        --strain m0.030 --bulk results/bulk/Li_PBE.json --out JSON --workdir DIR     (under the DFT launcher)
    python -m anodeflow.pfinputs.jobs surface-table --inputs JSON... --metal Li --out CSV --plot PNG
    python -m anodeflow.pfinputs.jobs barrier --config JSON --metal Li --facet 100 --out JSON --lammps-log LOG
    python -m anodeflow.pfinputs.jobs barrier-dft --ntasks N --config JSON --metal Li --facet 100
        --bulk results/bulk/Li_PBE.json --out JSON --workdir DIR                  (under the DFT launcher)
    python -m anodeflow.pfinputs.jobs barrier-table --inputs JSON... --metal Li --out CSV --plot PNG

``--config`` is JSON of the validated config (schema defaults filled): for ``surface-energy``
``{"surfaces": ..., "preset": <science keys of the surfaces' precision preset>}``, for ``barrier``
the sections ``barriers``, ``metals`` and ``potentials``, for ``barrier-dft`` ``{"barriers": {"method":
"dft", "dft": ...}, "preset": <science keys of barriers.dft.precision>}``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys

from ..io import job_fingerprint, provenance, read_json, write_csv, write_json
from . import barriers as barrier_calc
from . import plots
from . import surfaces as surface_calc

# ----------------------------------------------------------------------------- surface energies


def surface_energy_job(
    cfg: dict,
    metal: str,
    facet: str,
    strain: float,
    bulk_json,
    out,
    workdir,
    ntasks: int | None = None,
    calc_factory=None,
) -> dict:
    """E_s of one metal x facet x strain -> ``out`` (JSON). GPAW on ``ntasks`` ranks unless a
    ``calc_factory(atoms, slab, txt)`` is given (tests: a cheap calculator, one process)."""
    spec = surface_calc.surface_job_spec(cfg["surfaces"], cfg["preset"], metal, facet, strain)
    ref = read_json(bulk_json)
    rank = 0
    if calc_factory is None:
        from ..dft.calculators import gpaw_calculator
        from ..dft.mpi import check_ranks, world

        check_ranks(ntasks)

        rank = world(need_gpaw=True).rank

        def calc_factory(atoms, slab, txt):
            return gpaw_calculator(spec["preset"], spec["xc"], atoms, txt=txt, slab=slab)

    res = surface_calc.relaxed_surface_energy(
        spec, float(ref["a_A"]), workdir, calc_factory, fingerprint=job_fingerprint(spec, bulk_json)
    )
    res["bulk_reference_energy_per_atom_eV"] = ref.get("energy_per_atom_eV")
    res["provenance"] = provenance({"surface_spec": spec}, [bulk_json])
    if rank == 0:
        write_json(out, res)
    return res


def surface_table_job(jsons, metal: str, out_csv, out_png) -> None:
    """Gather a metal's E_s over facets and strains: CSV and the E_s(strain) figure."""
    df = surface_calc.surface_energy_table([read_json(j) for j in jsons])
    write_csv(out_csv, df, provenance({}, jsons))
    plots.plot_surface_energies(df, out_png, f"{metal}: surface energy per facet")


# ----------------------------------------------------------------------------- barriers


def barrier_job(cfg: dict, metal: str, facet: str, out, lammps_log=None) -> dict:
    """The NEB barrier of ``metal`` on ``facet`` with its MD potential (LAMMPS in this process)."""
    from .. import potentials as afpot

    b = cfg["barriers"]
    factory = lambda: barrier_calc.lammps_calculator(metal, cfg, lammps_log)  # noqa: E731
    a = barrier_calc.lattice_constant(metal, cfg["metals"][metal]["a0_A"], factory)
    res = barrier_calc.neb_barrier(metal, facet, a, factory, barrier_calc.NEBSettings.from_config(b))
    pot = afpot.resolve(metal, cfg)
    res.update(
        {
            "method": "NEB/" + pot.pair_style,
            "a_A": a,
            "potential": pot.citation,
            "provenance": provenance({"barriers": b, "potential": pot.as_dict()}, [str(f) for f in pot.files]),
        }
    )
    write_json(out, res)
    return res


def dft_barrier_job(
    cfg: dict,
    metal: str,
    facet: str,
    bulk_json,
    out,
    workdir,
    ntasks: int | None = None,
    calc_factory=None,
) -> dict:
    """E_a of ``metal`` on ``facet`` by DFT NEB, hop and exchange, the lower kept -> ``out`` (JSON). GPAW on
    ``ntasks`` ranks (every image's SCF on all of them) unless a ``calc_factory()`` is given (tests: a
    cheap calculator, one process); the lattice constant is the workflow's relaxed bulk reference."""
    d = cfg["barriers"]["dft"]
    a = float(read_json(bulk_json)["a_A"])
    settings = barrier_calc.dft_settings(d, facet, a)
    rank = 0
    if calc_factory is None:
        from ..dft.calculators import gpaw_parameters
        from ..dft.mpi import check_ranks, world

        check_ranks(ntasks)
        rank = world(need_gpaw=True).rank
        ideal, _, _ = barrier_calc.adatom_images(metal, facet, a, settings)
        params = gpaw_parameters(cfg["preset"], d["xc"], ideal, slab=True)  # k-points of the slab's cell
        count = itertools.count()

        def calc_factory():
            from gpaw import GPAW

            return GPAW(txt=f"{workdir}/gpaw_{next(count):02d}.txt", **params)

    res = barrier_calc.dft_barriers(
        metal,
        facet,
        a,
        calc_factory,
        settings,
        mechanisms=d["mechanisms"],
        workdir=workdir,
        fingerprint=job_fingerprint(cfg, bulk_json) + f"/{metal}/{facet}",
    )
    res.update(
        {
            "method": f"NEB/DFT-{d['xc']}",
            "a_A": a,
            "xc": d["xc"],
            "preset": cfg["preset"],
            "provenance": provenance({"barriers": cfg["barriers"], "preset": cfg["preset"]}, [bulk_json]),
        }
    )
    if rank == 0:
        write_json(out, res)
    return res


def barrier_table_job(jsons, metal: str, out_csv, out_png) -> None:
    """Gather a metal's barriers: CSV and the energy along each band."""
    rows = [read_json(j) for j in jsons]
    write_csv(out_csv, barrier_calc.barrier_table(rows), provenance({}, jsons))
    methods = ", ".join(sorted({r["method"] for r in rows}))
    plots.plot_neb_profiles(rows, out_png, f"{metal}: adatom on its hollow (NEB, {methods})")


# ----------------------------------------------------------------------------- command line


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m anodeflow.pfinputs.jobs", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="verb", required=True)

    p = sub.add_parser("surface-energy", help="E_s of one metal x facet x strain (GPAW, under the DFT launcher)")
    p.add_argument("--ntasks", type=int, required=True, help="MPI ranks the launcher started (checked)")
    p.add_argument("--config", required=True, help="JSON: surfaces section and the preset's science keys")
    p.add_argument("--metal", required=True)
    p.add_argument("--facet", required=True)
    p.add_argument("--strain", required=True, help="strain label, e.g. m0.030 (-3 %%) or p0.000")
    p.add_argument("--bulk", required=True, help="relaxed bulk reference results/bulk/{metal}_{xc}.json")
    p.add_argument("--out", required=True)
    p.add_argument("--workdir", required=True, help="resumable relaxation state")

    p = sub.add_parser("barrier", help="NEB barrier of an adatom hop on one facet (LAMMPS, one process)")
    p.add_argument("--config", required=True, help="JSON: sections barriers, metals, potentials")
    p.add_argument("--metal", required=True)
    p.add_argument("--facet", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--lammps-log", required=True)

    p = sub.add_parser("barrier-dft", help="DFT NEB barriers (hop, exchange) on one facet (GPAW, DFT launcher)")
    p.add_argument("--ntasks", type=int, required=True, help="MPI ranks the launcher started (checked)")
    p.add_argument("--config", required=True, help="JSON: barriers section and the preset's science keys")
    p.add_argument("--metal", required=True)
    p.add_argument("--facet", required=True)
    p.add_argument("--bulk", required=True, help="relaxed bulk reference results/bulk/{metal}_{xc}.json")
    p.add_argument("--out", required=True)
    p.add_argument("--workdir", required=True, help="resumable state: relaxed initial state, bands, results")

    for verb, what in (
        ("surface-table", "a metal's E_s over facets and strains"),
        ("barrier-table", "a metal's barriers over facets"),
    ):
        p = sub.add_parser(verb, help=f"gather {what}: CSV and figure")
        p.add_argument("--inputs", nargs="+", required=True, help="the job results (JSON)")
        p.add_argument("--metal", required=True)
        p.add_argument("--out", required=True, help="CSV")
        p.add_argument("--plot", required=True, help="PNG")

    a = ap.parse_args(argv)
    if a.verb == "surface-energy":
        d = surface_energy_job(
            json.loads(a.config),
            a.metal,
            a.facet,
            surface_calc.strain_from_label(a.strain),
            a.bulk,
            a.out,
            a.workdir,
            ntasks=a.ntasks,
        )
        print(
            f"{a.metal}({a.facet}) at strain {d['strain']:+g}: E_s = {d['E_s_J_m2']:.4f} J/m^2 "
            f"(unrelaxed {d['E_s_unrelaxed_J_m2']:.4f}), relax converged: {d['relax_converged']}"
        )
    elif a.verb == "barrier":
        d = barrier_job(json.loads(a.config), a.metal, a.facet, a.out, a.lammps_log)
        print(
            f"{a.metal}({a.facet}): E_a = {d['E_a_eV']:.4f} eV ({d['method']}, a = {d['a_A']:.4f} A), "
            f"converged: {d['converged']} after {d['neb_steps']} steps"
        )
    elif a.verb == "barrier-dft":
        d = dft_barrier_job(json.loads(a.config), a.metal, a.facet, a.bulk, a.out, a.workdir, ntasks=a.ntasks)
        per = ", ".join(f"{m} {r['E_a_eV']:.4f} eV" for m, r in d["mechanisms"].items())
        print(
            f"{a.metal}({a.facet}): E_a = {d['E_a_eV']:.4f} eV ({d['mechanism']}; {per}; {d['method']}, "
            f"{d['layers']} planes, a = {d['a_A']:.4f} A), converged: {d['converged']}"
        )
    elif a.verb == "surface-table":
        surface_table_job(a.inputs, a.metal, a.out, a.plot)
        print(f"{a.out}: {len(a.inputs)} surface energies")
    elif a.verb == "barrier-table":
        barrier_table_job(a.inputs, a.metal, a.out, a.plot)
        print(f"{a.out}: {len(a.inputs)} barriers")


if __name__ == "__main__":
    main(sys.argv[1:])
