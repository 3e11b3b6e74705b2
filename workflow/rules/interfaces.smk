# Stage 2: slabs and coherent interfaces (methods §4), their descriptors, and the enumeration of
# vacancy configurations (methods §6): a checkpoint, since which DFT jobs a system needs is known only
# once it is built. Science in anodeflow.interfaces (no DFT is run here).


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
        spec=build_spec,
    conda:
        "../../envs/dft.yaml"
    shell:
        "python -m anodeflow.interfaces.jobs build --spec {params.spec:q} --bulk {input.bulk} "
        "--structure {output.structure} --descriptors {output.descriptors} "
        "--out {output.configurations} > {log} 2>&1"
