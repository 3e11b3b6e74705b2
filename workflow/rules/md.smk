# MD stage (methods.md section 7.1-7.2): potentials, melting by hysteresis, thermal expansion.
# Work is in anodeflow.potentials / anodeflow.md; rules only wire files.
from anodeflow import potentials as afpot


rule fetch_potential:
    """Copy (local_dir) or download (url) a potential file into resources/potentials/, sha256-verified."""
    output:
        "resources/potentials/{fname}",
    log:
        "logs/md/fetch_potential/{fname}.log",
    params:
        metal=lambda wc: next(m for m, s in config["potentials"].items()
                              if s.get("source") == "url" and wc.fname in s["files"]),
    localrule: True
    conda:
        "../../envs/md.yaml"
    run:
        afpot.fetch(params.metal, config, workdir=".")


from anodeflow.md import stage as afmd

afmd.fill_defaults(config)  # schema defaults of md/cft/potentials (see fill_defaults)

wildcard_constraints:
    metal=r"[A-Z][a-z]?",
    facet=r"[0-9]{3}",
    T=r"[0-9]+(\.[0-9]+)?",


def md_potential_inputs(wc):
    return afpot.potential_input_files(wc.metal, config)


def md_ntasks(rule_kind):
    """MPI ranks of an MD rule: md.ntasks.<rule kind> (melting, expansion, ribbon), default 1."""
    return int(config["md"].get("ntasks", {}).get(rule_kind, 1))


MD_LAUNCHER = config["md"].get("launcher") or config.get("dft", {}).get("launcher")


rule md_melting:
    """Melting point by NPT heating/cooling hysteresis (methods.md 7.1)."""
    input:
        md_potential_inputs,
    output:
        json="results/md/{metal}/melting.json",
        npz="results/md/{metal}/melting_ramps.npz",
    log:
        "logs/md/{metal}/melting.lammps.log",
    benchmark:
        "results/benchmarks/md_melting_{metal}.tsv"
    params:
        workdir="work/md/{metal}/melting",
    threads: md_ntasks("melting")
    conda:
        "../../envs/md.yaml"
    run:
        afmd.run_job("melting", config, threads, MD_LAUNCHER, metal=wildcards.metal, out_json=output.json,
                     out_npz=output.npz, workdir=params.workdir, log=log[0])


rule md_melting_plot:
    input:
        npz="results/md/{metal}/melting_ramps.npz",
        json="results/md/{metal}/melting.json",
    output:
        "results/md/{metal}/melting.png",
    log:
        "logs/md/{metal}/melting_plot.log",
    threads: 1
    localrule: True
    conda:
        "../../envs/md.yaml"
    run:
        afmd.plot_melting(input.npz, input.json, output[0])


rule md_thermal_expansion:
    """a(T) from NPT bulk runs at the md.expansion temperatures plus every ribbon temperature (7.2)."""
    input:
        md_potential_inputs,
    output:
        "results/md/{metal}/thermal_expansion.csv",
    log:
        "logs/md/{metal}/thermal_expansion.lammps.log",
    benchmark:
        "results/benchmarks/md_expansion_{metal}.tsv"
    params:
        workdir="work/md/{metal}/expansion",
    threads: md_ntasks("expansion")
    conda:
        "../../envs/md.yaml"
    run:
        afmd.run_job("expansion", config, threads, MD_LAUNCHER, metal=wildcards.metal, out_csv=output[0],
                     workdir=params.workdir, log=log[0])


rule md_ribbon:
    """Ribbon with free {facet} surfaces at T, built at a(T); height profiles sampled (7.3)."""
    input:
        pot=md_potential_inputs,
        expansion="results/md/{metal}/thermal_expansion.csv",
    output:
        "results/md/{metal}/ribbons/{facet}_{T}K.npz",
    log:
        "logs/md/{metal}/ribbon_{facet}_{T}K.lammps.log",
    benchmark:
        "results/benchmarks/md_ribbon_{metal}_{facet}_{T}K.tsv"
    params:
        workdir="work/md/{metal}/ribbon_{facet}_{T}K",
    threads: md_ntasks("ribbon")
    conda:
        "../../envs/md.yaml"
    run:
        afmd.run_job("ribbon", config, threads, MD_LAUNCHER, metal=wildcards.metal, facet=wildcards.facet,
                     T_K=float(wildcards.T), expansion_csv=input.expansion, out_npz=output[0],
                     workdir=params.workdir, log=log[0])


TARGETS["md"] = [f"results/md/{m}/{name}" for m in config["md"]["metals"]
                 for name in ("melting.json", "melting.png", "thermal_expansion.csv")]
