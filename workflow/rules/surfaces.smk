# Inputs of the phase field (issue 4): surface energies E_s of the metal facets (DFT slabs,
# unstrained and biaxially strained) and surface self-diffusion barriers E_a (NEB, MD potentials).
# Work is in anodeflow.surfaces and anodeflow.barriers.
import json

from anodeflow import barriers as afbar
from anodeflow import potentials as afpot
from anodeflow import surfaces as afsurf

SURF = config["surfaces"]
BARR = config["barriers"]

wildcard_constraints:
    strain=r"[mp][0-9]+\.[0-9]+",


def _strain_value(label):
    return (-1.0 if label[0] == "m" else 1.0) * float(label[1:])


rule surface_energy:
    """E_s of one metal x facet x biaxial strain (GPAW, dft.launcher ranks)."""
    input:
        bulk=lambda wc: f"results/bulk/{wc.metal}_{SURF['xc']}.json",
    output:
        "results/surfaces/{metal}/{facet}_{strain}.json",
    log:
        "logs/surfaces/{metal}/{facet}_{strain}.log",
    benchmark:
        "results/benchmarks/surface_energy_{metal}_{facet}_{strain}.tsv"
    params:
        spec=lambda wc: json.dumps(afsurf.job_spec(config, wc.metal, wc.facet, _strain_value(wc.strain)), sort_keys=True),
        workdir="work/surfaces/{metal}/{facet}_{strain}",
    threads: afcampaign.preset(config, SURF.get("precision")).get("ntasks", 1)
    conda:
        "../../envs/dft.yaml"
    shell:
        "GPAW_MPI_BACKEND=cgpaw python -m anodeflow.launch {threads} -- python -m anodeflow.surfaces job --spec {params.spec:q} "
        "--bulk {input.bulk} --out {output} --workdir {params.workdir} > {log} 2>&1"


rule surface_energies:
    """Gather a metal's E_s over facets and strains: results/surfaces/{metal}/surface_energies.csv."""
    input:
        lambda wc: [f"results/surfaces/{wc.metal}/{f}_{afsurf.strain_label(s)}.json"
                    for f in SURF["facets"] for s in SURF["strains"]],
    output:
        "results/surfaces/{metal}/surface_energies.csv",
    log:
        "logs/surfaces/{metal}/gather.log",
    threads: 1
    localrule: True
    conda:
        "../../envs/analysis.yaml"
    run:
        afsurf.gather(input, output[0])


rule adatom_barrier:
    """NEB barrier of an adatom hop on one facet with the metal's MD potential (LAMMPS via ASE)."""
    input:
        lambda wc: afpot.potential_input_files(wc.metal, config),
    output:
        "results/barriers/{metal}/{facet}.json",
    log:
        "logs/barriers/{metal}/{facet}.lammps.log",
    benchmark:
        "results/benchmarks/barrier_{metal}_{facet}.tsv"
    threads: 1
    conda:
        "../../envs/md.yaml"
    run:
        afbar.barrier_job(config, wildcards.metal, wildcards.facet, output[0], log[0])


rule barriers:
    """Gather a metal's barriers: results/barriers/{metal}/barriers.csv."""
    input:
        lambda wc: [f"results/barriers/{wc.metal}/{f}.json" for f in BARR["facets"]],
    output:
        "results/barriers/{metal}/barriers.csv",
    log:
        "logs/barriers/{metal}/gather.log",
    threads: 1
    localrule: True
    conda:
        "../../envs/analysis.yaml"
    run:
        afbar.gather(input, output[0])


TARGETS["surfaces"] = [f"results/surfaces/{m}/surface_energies.csv" for m in SURF["metals"]]
TARGETS["barriers"] = [f"results/barriers/{m}/barriers.csv" for m in BARR["metals"]]
