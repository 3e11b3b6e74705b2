# Stage 8: CFT (methods §7.3): capillary-fluctuation stiffness, one analysis per ribbon, then the table
# and plot. Science in anodeflow.cft (jobs: python -m anodeflow.cft.jobs <verb>); the ribbons come from
# rule md_ribbon (md.smk); input functions in common.smk (# --- 8 cft).


rule cft_ribbon:
    """Equilibrium verdict (both starts) and stiffness of one (metal, facet, b, T), with the solid/molten test."""
    input:
        flat="results/md/{metal}/ribbons/{facet}_b{b}_{T}K_flat_paired.npz",
        rough="results/md/{metal}/ribbons/{facet}_b{b}_{T}K_rough_paired.npz",
        liquid="results/md/{metal}/liquid_msd.csv",
    output:
        "results/cft/{metal}/{facet}_b{b}_{T}K.json",
    log:
        "logs/cft/{metal}/{facet}_b{b}_{T}K.log",
    params:
        cfg=md_job_config("stiffness"),
    threads: 1
    localrule: True
    conda:
        "../../envs/md.yaml"
    shell:
        "python -m anodeflow.cft.jobs ribbon-stiffness --metal {wildcards.metal} --facet {wildcards.facet} "
        "--T {wildcards.T} --b {wildcards.b} --config {params.cfg:q} --flat {input.flat:q} --rough {input.rough:q} "
        "--liquid {input.liquid:q} --out {output:q} > {log} 2>&1"


rule cft_stiffness:
    """Every ribbon's result -> results/cft/stiffness.csv and the stiffness plot."""
    input:
        cft_ribbon_results,
    output:
        csv="results/cft/stiffness.csv",
        png=report("results/cft/stiffness.png", caption="../report/stiffness.rst",
                   category="5. Capillary stiffness", labels={"figure": "stiffness vs T"}),
    log:
        "logs/cft/stiffness.log",
    params:
        cfg=stage_config("cft"),
    threads: 1
    localrule: True
    conda:
        "../../envs/md.yaml"
    shell:
        "python -m anodeflow.cft.jobs stiffness-table --config {params.cfg:q} --out-csv {output.csv:q} "
        "--out-png {output.png:q} {input:q} > {log} 2>&1"


rule cft_step:
    """Step profiles and step stiffness (anodeflow.cft.step) of one stripe island."""
    input:
        "results/md/{metal}/steps/{facet}_{direction}_{T}K.npz",
    output:
        "results/cft/{metal}/step_{facet}_{direction}_{T}K.json",
    log:
        "logs/cft/{metal}/step_{facet}_{direction}_{T}K.log",
    params:
        cfg=md_job_config("step_stiffness"),
    threads: 1
    localrule: True
    conda:
        "../../envs/md.yaml"
    shell:
        "python -m anodeflow.cft.jobs step-stiffness --metal {wildcards.metal} --facet {wildcards.facet} "
        "--direction {wildcards.direction} --T {wildcards.T} --config {params.cfg:q} --steps {input:q} "
        "--out {output:q} > {log} 2>&1"


rule cft_step_stiffness:
    """Every stripe island's result -> results/cft/step_stiffness.csv and its plot."""
    input:
        cft_step_results,
    output:
        csv="results/cft/step_stiffness.csv",
        png=report("results/cft/step_stiffness.png", caption="../report/step_stiffness.rst",
                   category="5. Capillary stiffness", labels={"figure": "step stiffness vs T"}),
    log:
        "logs/cft/step_stiffness.log",
    params:
        cfg=stage_config("cft"),
    threads: 1
    localrule: True
    conda:
        "../../envs/md.yaml"
    shell:
        "python -m anodeflow.cft.jobs step-table --config {params.cfg:q} --out-csv {output.csv:q} "
        "--out-png {output.png:q} {input:q} > {log} 2>&1"


TARGETS["cft"] = cft_targets()
