# Stage 11: the report. `snakemake --report report.html` collects every output flagged with report()
# by the stages (figures, with the captions in workflow/report/) and the campaign's CSV tables,
# rendered here as HTML pages so that the report shows them inline. Science-free: anodeflow.report.


rule report_table:
    input:
        "results/tables/{name}.csv",
    output:
        report("results/report/tables/{name}.html", caption="../report/table.rst", category="Tables",
               labels={"table": "{name}"}),
    log:
        "logs/report/table_{name}.log",
    params:
        cfg=stage_config("report"),
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.report.jobs table --csv {input} --out {output} --config {params.cfg:q} > {log} 2>&1"


rule report_stiffness_table:
    input:
        "results/cft/stiffness.csv",
    output:
        report("results/report/tables/cft_stiffness.html", caption="../report/table.rst", category="Tables",
               labels={"table": "stiffness"}),
    log:
        "logs/report/table_stiffness.log",
    params:
        cfg=stage_config("report"),
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.report.jobs table --csv {input} --out {output} --config {params.cfg:q} > {log} 2>&1"


TARGETS["report"] = [f"results/report/tables/{n}.html" for n in report_tables()] + [
    "results/report/tables/cft_stiffness.html"
]
