# Stage 10: phase field (methods §8): grain selection per metal and condition (texture, snapshots,
# animation), the Delta U(T) temperature analysis and the phase map, every run its own job. Science in
# anodeflow.phasefield (jobs: python -m anodeflow.phasefield.jobs <verb>); input functions in
# common.smk (# --- 10 phasefield).


rule pf_grain_selection:
    """One growth run (reference grid) for a metal under a condition: texture, figures, animation."""
    input:
        unpack(pf_table_inputs("grain_selection")),
    output:
        csv="results/phasefield/{metal}-{condition}/texture.csv",
        json="results/phasefield/{metal}-{condition}/texture.json",
        png=report("results/phasefield/{metal}-{condition}/snapshots.png", caption="../report/pf_snapshots.rst",
                   category="7. Phase field", subcategory="{metal} {condition}",
                   labels={"run": "{metal} {condition}", "figure": "grain-map snapshots"}),
        gif=report("results/phasefield/{metal}-{condition}/animation.gif", caption="../report/pf_animation.rst",
                   category="7. Phase field", subcategory="{metal} {condition}",
                   labels={"run": "{metal} {condition}", "figure": "growth animation"}),
        npz="results/phasefield/{metal}-{condition}/frames.npz",
    wildcard_constraints:
        condition=r"[a-z]+",
    log:
        "logs/phasefield/{metal}-{condition}.log",
    benchmark:
        "results/benchmarks/phasefield/{metal}-{condition}.tsv"
    params:
        cfg=stage_config("phasefield"),
        tables=pf_table_options("grain_selection"),
    threads: 1
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.phasefield.jobs grain-selection --config {params.cfg:q} --metal {wildcards.metal} "
        "--condition {wildcards.condition} {params.tables} --csv {output.csv} --json {output.json} "
        "--snapshots {output.png} --animation {output.gif} --frames {output.npz} > {log} 2>&1"


rule pf_temperature_point:
    """Growth run of one metal under one condition at one temperature (temperature sweep, one job per point)."""
    input:
        unpack(pf_table_inputs("temperature_point")),
    output:
        "results/phasefield/temperature/{metal}-{condition}_{pfT}K_{pfj}mAcm2.json",
    wildcard_constraints:
        pfT=r"[0-9]+(\.[0-9]+)?",
        pfj=r"[0-9]+(\.[0-9]+)?(e-?[0-9]+)?",
        condition=r"[a-z]+",
    log:
        "logs/phasefield/temperature/{metal}-{condition}_{pfT}K_{pfj}mAcm2.log",
    benchmark:
        "results/benchmarks/phasefield/temperature/{metal}-{condition}_{pfT}K_{pfj}mAcm2.tsv"
    params:
        cfg=stage_config("phasefield"),
        tables=pf_table_options("temperature_point"),
    threads: 1
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.phasefield.jobs temperature-point --config {params.cfg:q} --metal {wildcards.metal} "
        "--condition {wildcards.condition} --temperature {wildcards.pfT} --current-density {wildcards.pfj} "
        "{params.tables} --out {output} > {log} 2>&1"


rule pf_temperature_analysis:
    """Delta U(T) between (001) and (101) per metal, condition (liquid, solid) and current density with the
    crossover temperatures; the phase-field winner next to the sign of Delta U at every run of the sweep."""
    input:
        unpack(pf_table_inputs("temperature_analysis")),
        points=pf_temperature_points(),
    output:
        csv="results/phasefield/temperature_analysis.csv",
        png=report("results/phasefield/temperature_analysis.png", caption="../report/pf_temperature_analysis.rst",
                   category="7. Phase field", subcategory="sweeps",
                   labels={"run": "temperature sweep", "figure": "Delta U(T)"}),
        winners="results/phasefield/winners.csv",
        winners_png=report("results/phasefield/winners.png", caption="../report/pf_winners.rst",
                           category="7. Phase field", subcategory="sweeps",
                           labels={"run": "temperature x current sweep", "figure": "winners vs Delta U"}),
    log:
        "logs/phasefield/temperature_analysis.log",
    params:
        cfg=stage_config("phasefield"),
        tables=pf_table_options("temperature_analysis"),
    threads: 1
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.phasefield.jobs temperature-analysis --config {params.cfg:q} --points {input.points} "
        "{params.tables} --out {output.csv} --plot {output.png} --winners {output.winners} "
        "--winners-plot {output.winners_png} > {log} 2>&1"


rule pf_phase_map_point:
    """One point of the phase map (anisotropy index i, (101)-barrier index j)."""
    input:
        unpack(pf_table_inputs("phase_map_point")),
    output:
        "results/phasefield/phase_map/point_{i}_{j}.json",
    wildcard_constraints:
        i=r"[0-9]+",
        j=r"[0-9]+",
    log:
        "logs/phasefield/phase_map/point_{i}_{j}.log",
    benchmark:
        "results/benchmarks/phasefield/phase_map/point_{i}_{j}.tsv"
    params:
        cfg=stage_config("phasefield"),
        tables=pf_table_options("phase_map_point"),
    threads: 1
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.phasefield.jobs phase-map-point --config {params.cfg:q} --i {wildcards.i} "
        "--j {wildcards.j} {params.tables} --out {output} > {log} 2>&1"


rule pf_phase_map:
    """Gather the sweep: phase_map.csv and the (101)/(001) region figure, the metals x conditions marked."""
    input:
        unpack(pf_table_inputs("phase_map")),
        points=pf_phase_map_points(),
    output:
        csv="results/phasefield/phase_map.csv",
        png=report("results/phasefield/phase_map.png", caption="../report/pf_phase_map.rst",
                   category="7. Phase field", subcategory="sweeps",
                   labels={"run": "phase map", "figure": "texture phase map"}),
    log:
        "logs/phasefield/phase_map.log",
    params:
        cfg=stage_config("phasefield"),
        tables=pf_table_options("phase_map"),
    threads: 1
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.phasefield.jobs phase-map --config {params.cfg:q} --points {input.points} "
        "{params.tables} --out {output.csv} --plot {output.png} > {log} 2>&1"


TARGETS["phasefield"] = pf_targets()
