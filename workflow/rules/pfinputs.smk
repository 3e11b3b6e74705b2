# Stage 9: phase-field inputs (methods §8): surface energies E_s of the metal facets (DFT slabs,
# unstrained and biaxially strained) and surface self-diffusion barriers E_a (NEB with the MD
# potentials, or with DFT: hop and exchange, barriers.method). Science in anodeflow.pfinputs (jobs: python -m anodeflow.pfinputs.jobs <verb>);
# input functions in common.smk (# --- 9 pfinputs).


rule surface_energy:
    """E_s of one metal x facet x biaxial strain (GPAW on the preset's ntasks ranks, dft.launcher)."""
    input:
        bulk=surface_energy_bulk,
    output:
        "results/surfaces/{metal}/{facet}_{strain}.json",
    wildcard_constraints:
        strain=r"[mp][0-9]+\.[0-9]+",
    log:
        "logs/surfaces/{metal}/{facet}_{strain}.log",
    benchmark:
        "results/benchmarks/surfaces/{metal}/{facet}_{strain}.tsv"
    params:
        cfg=surface_energy_config(),
        workdir="work/surfaces/{metal}/{facet}_{strain}",
    threads: surface_energy_ntasks()
    conda:
        "../../envs/dft.yaml"
    shell:
        "python -m anodeflow.launch {threads} -- python -m anodeflow.pfinputs.jobs surface-energy --ntasks {threads} --config {params.cfg:q} "
        "--metal {wildcards.metal} --facet {wildcards.facet} --strain {wildcards.strain} --bulk {input.bulk} "
        "--out {output} --workdir {params.workdir} > {log} 2>&1"


rule surface_energies:
    """Gather a metal's E_s over facets and strains: table and E_s(strain) per facet."""
    input:
        surface_energy_results,
    output:
        csv="results/surfaces/{metal}/surface_energies.csv",
        png=report("results/surfaces/{metal}/surface_energies.png", caption="../report/surface_energies.rst",
                   category="6. Phase-field inputs", subcategory="{metal}",
                   labels={"metal": "{metal}", "figure": "surface energy vs strain"}),
    log:
        "logs/surfaces/{metal}/gather.log",
    threads: 1
    localrule: True
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.pfinputs.jobs surface-table --metal {wildcards.metal} --inputs {input} "
        "--out {output.csv} --plot {output.png} > {log} 2>&1"


rule adatom_barrier:
    """NEB barrier of an adatom hop on one facet with the metal's MD potential (LAMMPS in-process, 1 rank)."""
    input:
        md_potential_inputs,
    output:
        "results/barriers/{metal}/{facet}.json",
    log:
        job="logs/barriers/{metal}/{facet}.log",
        lammps="logs/barriers/{metal}/{facet}.lammps.log",
    benchmark:
        "results/benchmarks/barriers/{metal}/{facet}.tsv"
    params:
        cfg=barrier_config,
    threads: 1
    conda:
        "../../envs/md.yaml"
    shell:
        "python -m anodeflow.pfinputs.jobs barrier --config {params.cfg:q} --metal {wildcards.metal} "
        "--facet {wildcards.facet} --out {output} --lammps-log {log.lammps} > {log.job} 2>&1"


rule adatom_barrier_dft:
    """DFT NEB barriers on one facet, hop and exchange, the lower kept (GPAW on the preset's ntasks ranks,
    dft.launcher; resumable in work/)."""
    input:
        bulk=barrier_bulk,
    output:
        "results/barriers/{metal}/dft/{facet}.json",
    log:
        "logs/barriers/{metal}/dft/{facet}.log",
    benchmark:
        "results/benchmarks/barriers/{metal}/dft/{facet}.tsv"
    params:
        cfg=barrier_config,
        workdir="work/barriers/{metal}/dft/{facet}",
    threads: barrier_ntasks()
    conda:
        "../../envs/dft.yaml"
    shell:
        "python -m anodeflow.launch {threads} -- python -m anodeflow.pfinputs.jobs barrier-dft --ntasks {threads} "
        "--config {params.cfg:q} --metal {wildcards.metal} --facet {wildcards.facet} --bulk {input.bulk} "
        "--out {output} --workdir {params.workdir} > {log} 2>&1"


rule barriers:
    """Gather a metal's barriers (barriers.method: MD or DFT results): table and the energy along each band."""
    input:
        barrier_results,
    output:
        csv="results/barriers/{metal}/barriers.csv",
        png=report("results/barriers/{metal}/neb_profiles.png", caption="../report/neb_profiles.rst",
                   category="6. Phase-field inputs", subcategory="{metal}",
                   labels={"metal": "{metal}", "figure": "NEB energy profiles"}),
    log:
        "logs/barriers/{metal}/gather.log",
    threads: 1
    localrule: True
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.pfinputs.jobs barrier-table --metal {wildcards.metal} --inputs {input} "
        "--out {output.csv} --plot {output.png} > {log} 2>&1"


TARGETS["pfinputs"] = pfinputs_targets()
