# Capillary-fluctuation stiffness (methods.md 7.3): one analysis per ribbon, then the table and plot.
# Ribbons are made by rule md_ribbon (md.smk); the analysis is anodeflow.cft.

rule cft_ribbon:
    input:
        "results/md/{metal}/ribbons/{facet}_{T}K.npz",
    output:
        "results/cft/{metal}/{facet}_{T}K.json",
    log:
        "logs/cft/{metal}/{facet}_{T}K.log",
    threads: 1
    localrule: True
    conda:
        "../../envs/md.yaml"
    run:
        afmd.cft_job(wildcards.metal, wildcards.facet, float(wildcards.T), config, input[0], output[0])


rule cft_stiffness:
    input:
        [f"results/cft/{m}/{f}_{T}K.json" for m, f, T in afmd.ribbon_targets(config)],
    output:
        csv="results/cft/stiffness.csv",
        png="results/cft/stiffness.png",
    log:
        "logs/cft/stiffness.log",
    threads: 1
    localrule: True
    conda:
        "../../envs/md.yaml"
    run:
        afmd.gather_stiffness(input, output.csv, output.png, config)


TARGETS["cft"] = ["results/cft/stiffness.csv", "results/cft/stiffness.png"]
