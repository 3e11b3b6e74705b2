# Stage 7: MD (methods §7.1-7.3): potentials, melting by hysteresis, thermal expansion, capillary ribbons.
# Science in anodeflow.md (jobs: python -m anodeflow.md.jobs <verb>); input functions in common.smk (# --- 7 md).
# A LAMMPS job's own log is work/md/<metal>/<job>/lammps.log (beside its restart files); {log} holds the job's output.


rule fetch_potential:
    """Copy (local_dir) or download (url) a potential file into resources/potentials/, sha256-verified."""
    output:
        "resources/potentials/{fname}",
    log:
        "logs/md/fetch_potential/{fname}.log",
    params:
        metal=md_potential_metal,
        cfg=md_potential_config,
    localrule: True
    conda:
        "../../envs/md.yaml"
    shell:
        "python -m anodeflow.md.jobs fetch-potential --metal {params.metal} --config {params.cfg:q} "
        "--out {output:q} > {log} 2>&1"


checkpoint md_melting:
    """Melting point by NPT heating/cooling hysteresis (methods.md 7.1), then by solid-liquid coexistence
    (7.4). A checkpoint: with cft.T_over_Tm its Tm sets the ribbon temperatures (file names) downstream."""
    input:
        md_potential_inputs,
    output:
        json="results/md/{metal}/melting.json",
        npz="results/md/{metal}/melting_ramps.npz",
    log:
        "logs/md/{metal}/melting.log",
    benchmark:
        "results/benchmarks/md/{metal}/melting.tsv"
    params:
        cfg=md_job_config("melting"),
        workdir="work/md/{metal}/melting",
    threads: md_ntasks("melting")
    conda:
        "../../envs/md.yaml"
    shell:
        "python -m anodeflow.launch --md {threads} -- python -m anodeflow.md.jobs melting --metal {wildcards.metal} --config {params.cfg:q} "
        "--out-json {output.json:q} --out-npz {output.npz:q} --workdir {params.workdir:q} > {log} 2>&1"


rule md_melting_plot:
    """Energy per atom against set-point T of the heating and cooling ramps, with T+, T- and Tm."""
    input:
        npz="results/md/{metal}/melting_ramps.npz",
        json="results/md/{metal}/melting.json",
    output:
        report("results/md/{metal}/melting.png", caption="../report/melting.rst",
               category="4. MD: melting and expansion", subcategory="{metal}",
               labels={"metal": "{metal}", "figure": "melting (heating/cooling hysteresis)"}),
    log:
        "logs/md/{metal}/melting_plot.log",
    threads: 1
    localrule: True
    conda:
        "../../envs/md.yaml"
    shell:
        "python -m anodeflow.md.jobs melting-plot --npz {input.npz:q} --json {input.json:q} --out {output:q} "
        "> {log} 2>&1"


rule md_thermal_expansion:
    """a(T) from NPT bulk runs at the md.expansion temperatures plus every ribbon temperature (7.2); the bulk
    liquid's MSD rate at every ribbon temperature (the reference of the ribbons' solid test, 7.3)."""
    input:
        pot=md_potential_inputs,
        melting=md_melting_input,
    output:
        csv="results/md/{metal}/thermal_expansion.csv",
        liquid="results/md/{metal}/liquid_msd.csv",
    log:
        "logs/md/{metal}/thermal_expansion.log",
    benchmark:
        "results/benchmarks/md/{metal}/thermal_expansion.tsv"
    params:
        cfg=md_job_config("expansion"),
        workdir="work/md/{metal}/expansion",
        melting=md_melting_arg,
    threads: md_ntasks("expansion")
    conda:
        "../../envs/md.yaml"
    shell:
        "python -m anodeflow.launch --md {threads} -- python -m anodeflow.md.jobs expansion --metal {wildcards.metal} --config {params.cfg:q} "
        "--out {output.csv:q} --out-liquid {output.liquid:q} --workdir {params.workdir:q} {params.melting} > {log} 2>&1"


rule md_expansion_plot:
    """Lattice constant a(T) of the NPT bulk runs."""
    input:
        "results/md/{metal}/thermal_expansion.csv",
    output:
        report("results/md/{metal}/thermal_expansion.png", caption="../report/thermal_expansion.rst",
               category="4. MD: melting and expansion", subcategory="{metal}",
               labels={"metal": "{metal}", "figure": "thermal expansion a(T)"}),
    log:
        "logs/md/{metal}/thermal_expansion_plot.log",
    threads: 1
    localrule: True
    conda:
        "../../envs/md.yaml"
    shell:
        "python -m anodeflow.md.jobs expansion-plot --csv {input:q} --out {output:q} > {log} 2>&1"


rule md_ribbon:
    """Ribbon with free {facet} surfaces, {b} spacings thick, at T, built at a(T), from the flat or rough
    {start}; production in chunks until the equilibrium analysis says enough or cft.max_prod_ps (7.3)."""
    input:
        pot=md_potential_inputs,
        expansion="results/md/{metal}/thermal_expansion.csv",
    output:
        "results/md/{metal}/ribbons/{facet}_b{b}_{T}K_{start}.npz",
    log:
        "logs/md/{metal}/ribbon_{facet}_b{b}_{T}K_{start}.log",
    benchmark:
        "results/benchmarks/md/{metal}/ribbon_{facet}_b{b}_{T}K_{start}.tsv"
    params:
        cfg=md_job_config("ribbon"),
        workdir="work/md/{metal}/ribbon_{facet}_b{b}_{T}K_{start}",
    threads: md_ntasks("ribbon")
    conda:
        "../../envs/md.yaml"
    shell:
        "python -m anodeflow.launch --md {threads} -- python -m anodeflow.md.jobs ribbon --metal {wildcards.metal} --facet {wildcards.facet} "
        "--T {wildcards.T} --b {wildcards.b} --start {wildcards.start} --config {params.cfg:q} "
        "--expansion {input.expansion:q} --out {output:q} "
        "--workdir {params.workdir:q} > {log} 2>&1"


rule md_ribbon_paired:
    """The paired pass of a ribbon start (methods 7.3): resumed from its work folder and run on until its
    equilibrated part holds 20 x the larger tau_1 of the state point's two starts, or cft.max_prod_ps; a start
    that already does stops at once."""
    input:
        pot=md_potential_inputs,
        expansion="results/md/{metal}/thermal_expansion.csv",
        own="results/md/{metal}/ribbons/{facet}_b{b}_{T}K_{start}.npz",
        partner=ribbon_partner,
    output:
        "results/md/{metal}/ribbons/{facet}_b{b}_{T}K_{start}_paired.npz",
    log:
        "logs/md/{metal}/ribbon_{facet}_b{b}_{T}K_{start}_paired.log",
    benchmark:
        "results/benchmarks/md/{metal}/ribbon_{facet}_b{b}_{T}K_{start}_paired.tsv"
    params:
        cfg=md_job_config("ribbon"),
        workdir="work/md/{metal}/ribbon_{facet}_b{b}_{T}K_{start}",
    threads: md_ntasks("ribbon")
    conda:
        "../../envs/md.yaml"
    shell:
        "python -m anodeflow.launch --md {threads} -- python -m anodeflow.md.jobs ribbon --metal {wildcards.metal} --facet {wildcards.facet} "
        "--T {wildcards.T} --b {wildcards.b} --start {wildcards.start} --config {params.cfg:q} "
        "--expansion {input.expansion:q} --partner {input.partner:q} --out {output:q} "
        "--workdir {params.workdir:q} > {log} 2>&1"


rule md_steps:
    """Stripe island with two straight steps along {direction} on {facet} at T, built at a(T); top-layer
    positions sampled in chunks until the step analysis says enough or cft.steps.max_prod_ps (7.3)."""
    input:
        pot=md_potential_inputs,
        expansion="results/md/{metal}/thermal_expansion.csv",
    output:
        "results/md/{metal}/steps/{facet}_{direction}_{T}K.npz",
    log:
        "logs/md/{metal}/steps_{facet}_{direction}_{T}K.log",
    benchmark:
        "results/benchmarks/md/{metal}/steps_{facet}_{direction}_{T}K.tsv"
    params:
        cfg=md_job_config("steps"),
        workdir="work/md/{metal}/steps_{facet}_{direction}_{T}K",
    threads: md_ntasks("ribbon")
    conda:
        "../../envs/md.yaml"
    shell:
        "python -m anodeflow.launch --md {threads} -- python -m anodeflow.md.jobs steps --metal {wildcards.metal} "
        "--facet {wildcards.facet} --direction {wildcards.direction} --T {wildcards.T} --config {params.cfg:q} "
        "--expansion {input.expansion:q} --out {output:q} --workdir {params.workdir:q} > {log} 2>&1"


TARGETS["md"] = md_targets()
