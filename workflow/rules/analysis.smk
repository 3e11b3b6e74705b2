# Stage 5: interface analyses and uncertainty (methods §6, §9): Bader charges, PDOS, density maps,
# site-resolved plots, lattice Monte Carlo, BEEF-vdW error bars, adhesion, the DFT database, the
# descriptor map. Science in anodeflow.analysis; settings under config `analysis:` (defaults in its schema).


rule electronic_structure:
    input:
        gpw="results/dft/{system}/pristine/final.gpw",
        structure="results/dft/{system}/pristine/final.extxyz",
    output:
        bader_csv="results/analysis/{system}/bader.csv",
        bader_plot=report("results/analysis/{system}/bader_height.png", caption="../report/bader.rst",
                          category="2. Interfaces and electronic structure", subcategory="{system}",
                          labels={"system": "{system}", "figure": "Bader charge vs height"}),
        pdos_csv="results/analysis/{system}/pdos.csv",
        pdos_plot=report("results/analysis/{system}/pdos.png", caption="../report/pdos.rst",
                         category="2. Interfaces and electronic structure", subcategory="{system}",
                         labels={"system": "{system}", "figure": "PDOS per atom group"}),
        density_npz="results/analysis/{system}/density.npz",
    log:
        "logs/analysis/{system}/electronic.log",
    benchmark:
        "results/benchmarks/analysis/{system}/electronic.tsv"
    params:
        cfg=stage_config("analysis.bader"),
    threads: 1
    conda:
        "../../envs/dft.yaml"
    shell:
        "python -m anodeflow.analysis.jobs electronic --system {wildcards.system} --gpw {input.gpw} "
        "--structure {input.structure} --bader-csv {output.bader_csv} --bader-plot {output.bader_plot} "
        "--pdos-csv {output.pdos_csv} --pdos-plot {output.pdos_plot} --density-npz {output.density_npz} "
        "--config {params.cfg:q} > {log} 2>&1"


rule density_map:
    input:
        density="results/analysis/{system}/density.npz",
        pairs="results/thermo/{system}/pairs.csv",
    output:
        report("results/analysis/{system}/density_map.png", caption="../report/density_map.rst",
               category="2. Interfaces and electronic structure", subcategory="{system}",
               labels={"system": "{system}", "figure": "planar density map with ω"}),
    log:
        "logs/analysis/{system}/density_map.log",
    benchmark:
        "results/benchmarks/analysis/{system}/density_map.tsv"
    threads: 1
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.analysis.jobs density-map --system {wildcards.system} --density-npz {input.density} "
        "--pairs {input.pairs} --plot {output} > {log} 2>&1"


rule beef_uncertainty:
    input:
        configurations="results/interfaces/{system}/configurations.json",
        tc="results/thermo/{system}/tc.json",
        pairs="results/thermo/{system}/pairs.csv",
        results=beef_results,
    output:
        "results/analysis/{system}/beef.json",
    log:
        "logs/analysis/{system}/beef.log",
    benchmark:
        "results/benchmarks/analysis/{system}/beef.tsv"
    params:
        xc=system_xc,
        cfg=stage_config("analysis.beef"),
    threads: 1
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.analysis.jobs beef --system {wildcards.system} --xc {params.xc} "
        "--configurations {input.configurations} --tc {input.tc} --pairs {input.pairs} --config {params.cfg:q} "
        "--out {output} --results {input.results} > {log} 2>&1"


rule site_resolved:
    input:
        bader="results/analysis/{system}/bader.csv",
        sites="results/thermo/{system}/sites.csv",
        pairs="results/thermo/{system}/pairs.csv",
        beef="results/analysis/{system}/beef.json",
    output:
        site_table="results/analysis/{system}/sites_bader.csv",
        pair_table="results/analysis/{system}/pairs_bader.csv",
        plot=report("results/analysis/{system}/site_resolved.png", caption="../report/site_resolved.rst",
                    category="2. Interfaces and electronic structure", subcategory="{system}",
                    labels={"system": "{system}", "figure": "site-resolved ω and E_f vs Bader"}),
    log:
        "logs/analysis/{system}/site_resolved.log",
    benchmark:
        "results/benchmarks/analysis/{system}/site_resolved.tsv"
    threads: 1
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.analysis.jobs sites --system {wildcards.system} --bader {input.bader} "
        "--sites {input.sites} --pairs {input.pairs} --beef {input.beef} --site-table {output.site_table} "
        "--pair-table {output.pair_table} --plot {output.plot} > {log} 2>&1"


rule lattice_montecarlo:
    input:
        structure="results/interfaces/{system}/initial.extxyz",
        tc="results/thermo/{system}/tc.json",
    output:
        json="results/analysis/{system}/montecarlo.json",
        plot=report("results/analysis/{system}/montecarlo.png", caption="../report/montecarlo.rst",
                    category="3. Vacancy thermodynamics", subcategory="{system}",
                    labels={"system": "{system}", "figure": "lattice Monte Carlo (Binder cumulants)"}),
    log:
        "logs/analysis/{system}/montecarlo.log",
    benchmark:
        "results/benchmarks/analysis/{system}/montecarlo.tsv"
    params:
        cfg=stage_config("analysis.montecarlo"),
    threads: 1
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.analysis.jobs montecarlo --system {wildcards.system} --structure {input.structure} "
        "--tc {input.tc} --config {params.cfg:q} --out {output.json} --plot {output.plot} > {log} 2>&1"


rule adhesion_slab:
    # the metal or the coating alone, in the interface's own (strained) cell, relaxed from the
    # relaxed interface geometry with the same settings (the lead's relax job, atoms removed)
    input:
        structure="results/dft/{system}/pristine/final.extxyz",
        pristine="results/dft/{system}/pristine/result.json",
        built="results/interfaces/{system}/initial.extxyz",
    output:
        json="results/dft/{system}/adhesion_{part}/result.json",
        final="results/dft/{system}/adhesion_{part}/final.extxyz",
    wildcard_constraints:
        part="metal|coating",
    log:
        "logs/dft/{system}/adhesion_{part}.log",
    benchmark:
        "results/benchmarks/dft/{system}/adhesion_{part}.tsv"
    params:
        spec=adhesion_spec,
        workdir="work/dft/{system}/adhesion_{part}",
    threads: dft_ntasks()
    conda:
        "../../envs/dft.yaml"
    shell:
        dft_relax_command(pristine=True)


rule adhesion:
    input:
        descriptors="results/interfaces/{system}/descriptors.json",
        structure="results/dft/{system}/pristine/final.extxyz",
        interface="results/dft/{system}/pristine/result.json",
        metal="results/dft/{system}/adhesion_metal/result.json",
        coating="results/dft/{system}/adhesion_coating/result.json",
    output:
        "results/analysis/{system}/adhesion.json",
    log:
        "logs/analysis/{system}/adhesion.log",
    threads: 1
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.analysis.jobs adhesion --descriptors {input.descriptors} --structure {input.structure} "
        "--interface {input.interface} --metal {input.metal} --coating {input.coating} --out {output} > {log} 2>&1"


rule dft_database:
    # ONE aggregation job writes the database (no concurrent writers)
    input:
        all_dft_results,
    output:
        db="results/database/dft.db",
        summary="results/database/dft.json",
    log:
        "logs/analysis/dft_database.log",
    benchmark:
        "results/benchmarks/analysis/dft_database.tsv"
    threads: 1
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.analysis.jobs database --out {output.db} --summary {output.summary} "
        "--results {input} > {log} 2>&1"


rule analysis_tables:
    input:
        tc_table="results/tables/critical_temperatures.csv",
        montecarlo=expand("results/analysis/{system}/montecarlo.json", system=SYSTEMS),
        beef=expand("results/analysis/{system}/beef.json", system=SYSTEMS),
        adhesion=interface_adhesions,
    output:
        mc="results/tables/montecarlo_tc.csv",
        beef="results/tables/beef_uncertainty.csv",
        adhesion="results/tables/adhesion.csv",
        descriptor_map=report("results/figures/descriptor_map.png", caption="../report/descriptor_map.rst",
                              category="0. Campaign overview", labels={"figure": "descriptor map"}),
    log:
        "logs/analysis/tables.log",
    params:
        cfg=stage_config("thermo"),
    threads: 1
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.analysis.jobs tables --tc-table {input.tc_table} --montecarlo {input.montecarlo} "
        "--beef {input.beef} --adhesion {input.adhesion} --mc-table {output.mc} --beef-table {output.beef} "
        "--adhesion-table {output.adhesion} --descriptor-map {output.descriptor_map} --config {params.cfg:q} > {log} 2>&1"


rule analysis_figures:
    # gathers the per-system figures of every system that was built (failed builds have none)
    input:
        per_system_figures,
    output:
        "results/analysis/figures.json",
    log:
        "logs/analysis/figures.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.analysis.jobs figures --figures {input} --out {output} > {log} 2>&1"


TARGETS["analysis"] = [
    "results/tables/montecarlo_tc.csv",
    "results/tables/beef_uncertainty.csv",
    "results/tables/adhesion.csv",
    "results/figures/descriptor_map.png",
    "results/database/dft.db",
    "results/analysis/figures.json",
]
