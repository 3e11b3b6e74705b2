# Stage 1b: slabs and coherent interfaces, descriptors, and the enumeration of vacancy
# configurations (a checkpoint: which jobs a system needs is known only once it is built).


def bulk_inputs(wildcards):
    return [f"results/bulk/{b}.json" for b in afcampaign.system(config, wildcards.system).bulk_phases]


checkpoint build_system:
    input:
        bulk=bulk_inputs,
    output:
        structure="results/interfaces/{system}/initial.extxyz",
        descriptors="results/interfaces/{system}/descriptors.json",
        configurations="results/interfaces/{system}/configurations.json",
    log:
        "logs/interfaces/{system}.log",
    params:
        spec=lambda w: json.dumps(afcampaign.build_job_spec(config, w.system), sort_keys=True),
    conda:
        "../../envs/dft.yaml"
    shell:
        "python -m anodeflow.dft.jobs build --spec {params.spec:q} --bulk {input.bulk} "
        "--structure {output.structure} --descriptors {output.descriptors} "
        "--out {output.configurations} > {log} 2>&1"
