# Stage 2: one GPAW relaxation job per configuration (pristine, each vacancy, each divacancy).
# Resumable state lives in work/dft/{system}/{config_id}/ (not a declared output).


def configurations(system):
    """Configurations of a built system (reads the checkpoint's output)."""
    path = checkpoints.build_system.get(system=system).output.configurations
    with open(path) as fh:
        return json.load(fh)


def removed_atoms(w):
    for c in configurations(w.system)["configurations"]:
        if c["id"] == w.config_id:
            return c["removed"]
    raise ValueError(f"{w.system}: unknown configuration {w.config_id}")


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
        spec=lambda w: json.dumps(afcampaign.relax_job_spec(config, w.system, "pristine", []), sort_keys=True),
        workdir="work/dft/{system}/pristine",
    threads: afcampaign.preset(config).get("ntasks", 1)
    conda:
        "../../envs/dft.yaml"
    shell:
        "GPAW_MPI_BACKEND=cgpaw python -m anodeflow.launch {threads} -- python -m anodeflow.dft.jobs relax --ntasks {threads} --spec {params.spec:q} "
        "--structure {input.structure} --out {output.json} --final {output.final} --gpw {output.gpw} "
        "--workdir {params.workdir} > {log} 2>&1"


rule relax_vacancy:
    input:
        # vacancy jobs start from the relaxed pristine geometry
        structure="results/dft/{system}/pristine/final.extxyz",
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
        spec=lambda w: json.dumps(afcampaign.relax_job_spec(config, w.system, w.config_id, removed_atoms(w)), sort_keys=True),
        workdir="work/dft/{system}/{config_id}",
    threads: afcampaign.preset(config).get("ntasks", 1)
    conda:
        "../../envs/dft.yaml"
    shell:
        "GPAW_MPI_BACKEND=cgpaw python -m anodeflow.launch {threads} -- python -m anodeflow.dft.jobs relax --ntasks {threads} --spec {params.spec:q} "
        "--structure {input.structure} --inputs {input.configurations} {input.built} {input.descriptors} "
        "--out {output.json} --final {output.final} --workdir {params.workdir} > {log} 2>&1"
