# Stage 1: bulk references (methods §3): relaxed lattice constants, and the metal's energy per atom
# (its chemical potential). Science in anodeflow.dft.bulk.


rule bulk_reference:
    output:
        json="results/bulk/{phase}_{xc}.json",
        structure="results/bulk/{phase}_{xc}.extxyz",
    log:
        "logs/bulk/{phase}_{xc}.log",
    benchmark:
        "results/benchmarks/bulk/{phase}_{xc}.tsv"
    params:
        spec=bulk_spec,
        workdir="work/bulk/{phase}_{xc}",
    threads: dft_ntasks()
    conda:
        "../../envs/dft.yaml"
    shell:
        "python -m anodeflow.launch {threads} -- python -m anodeflow.dft.jobs bulk --ntasks {threads} --spec {params.spec:q} "
        "--out {output.json} --structure {output.structure} --workdir {params.workdir} > {log} 2>&1"


rule bulk_eos_plot:
    input:
        "results/bulk/{phase}_{xc}.json",
    output:
        report("results/bulk/{phase}_{xc}_eos.png", caption="../report/bulk_eos.rst",
               category="1. Bulk references", labels={"phase": "{phase}", "functional": "{xc}"}),
    log:
        "logs/bulk/{phase}_{xc}_eos.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.dft.jobs eos-plot --bulk {input} --plot {output} > {log} 2>&1"


TARGETS["bulk"] = [f"results/bulk/{b}{ext}" for b in afsystems.bulk_phases(config) for ext in (".json", "_eos.png")]
