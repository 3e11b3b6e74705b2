# Stage 1a: bulk references (relaxed lattice constants; metal energy per atom = chemical potential).
import json


rule bulk_reference:
    output:
        json="results/bulk/{phase}_{xc}.json",
        structure="results/bulk/{phase}_{xc}.extxyz",
    log:
        "logs/bulk/{phase}_{xc}.log",
    benchmark:
        "results/benchmarks/bulk/{phase}_{xc}.tsv"
    params:
        spec=lambda w: json.dumps(afcampaign.bulk_job_spec(config, w.phase, w.xc), sort_keys=True),
        workdir="work/bulk/{phase}_{xc}",
    threads: afcampaign.preset(config).get("ntasks", 1)
    conda:
        "../../envs/dft.yaml"
    shell:
        "GPAW_MPI_BACKEND=cgpaw python -m anodeflow.launch {threads} -- python -m anodeflow.dft.jobs bulk --ntasks {threads} --spec {params.spec:q} "
        "--out {output.json} --structure {output.structure} --workdir {params.workdir} > {log} 2>&1"


TARGETS["bulk"] = [f"results/bulk/{b}.json" for b in afcampaign.bulk_phases(config)]
