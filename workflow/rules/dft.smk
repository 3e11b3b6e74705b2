# Stage 3: one GPAW relaxation job per configuration (pristine, each vacancy, each divacancy), methods
# §5. Resumable state lives in work/dft/{system}/{config_id}/ (not a declared output). Science in
# anodeflow.dft.


rule relax_pristine:
    input:
        structure="results/interfaces/{system}/initial.extxyz",
    output:
        json="results/dft/{system}/pristine/result.json",
        final="results/dft/{system}/pristine/final.extxyz",
        gpw="results/dft/{system}/pristine/final.gpw",
    log:
        "logs/dft/{system}/pristine.log",
    benchmark:
        "results/benchmarks/dft/{system}/pristine.tsv"
    params:
        spec=pristine_spec,
        workdir="work/dft/{system}/pristine",
    threads: dft_ntasks()
    conda:
        "../../envs/dft.yaml"
    shell:
        dft_relax_command(gpw=True)


rule relax_vacancy:
    input:
        # vacancy jobs start from the relaxed pristine geometry
        structure="results/dft/{system}/pristine/final.extxyz",
        # the preconditioner's stiffness measured by the pristine job (dft.optimizer: precon)
        pristine="results/dft/{system}/pristine/result.json",
        # the atoms removed come from the checkpoint's enumeration: a job run remotely (a SLURM job
        # step) must declare every output of the checkpoint its params read
        configurations="results/interfaces/{system}/configurations.json",
        built="results/interfaces/{system}/initial.extxyz",
        descriptors="results/interfaces/{system}/descriptors.json",
    output:
        json="results/dft/{system}/{config_id}/result.json",
        final="results/dft/{system}/{config_id}/final.extxyz",
    wildcard_constraints:
        config_id=r"vv?_[0-9_]+",
    log:
        "logs/dft/{system}/{config_id}.log",
    benchmark:
        "results/benchmarks/dft/{system}/{config_id}.tsv"
    params:
        spec=relax_spec,
        workdir="work/dft/{system}/{config_id}",
    threads: dft_ntasks()
    conda:
        "../../envs/dft.yaml"
    shell:
        dft_relax_command(pristine=True, inputs=("configurations", "built", "descriptors"))
