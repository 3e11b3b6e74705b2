# Report stage: `snakemake --report report.html` collects every output flagged with report()
# (figures of the analysis rules, the tables below) with the captions in workflow/report/.
# The campaign's CSV tables are rendered as HTML pages so that the report shows them inline.


def report_tables():
    """Every CSV table any stage registered as a target (results/tables/*.csv)."""
    names = []
    for paths in TARGETS.values():
        for p in paths:
            if p.startswith("results/tables/") and p.endswith(".csv"):
                names.append(Path(p).stem)
    return list(dict.fromkeys(names))


rule report_table:
    input:
        "results/tables/{name}.csv",
    output:
        report("results/report/tables/{name}.html", caption="../report/table.rst", category="Tables",
               labels={"table": "{name}"}),
    params:
        description=lambda w: __import__("anodeflow.analysis.report", fromlist=["describe"]).describe(w.name),
    conda:
        "../../envs/analysis.yaml"
    run:
        from anodeflow.analysis.report import csv_to_html

        csv_to_html(input[0], output[0], f"{wildcards.name}.csv", params.description)


rule report_binodal:
    input:
        "results/thermo/{system}/binodal.png",
    output:
        report("results/report/thermo/{system}_binodal.png", caption="../report/binodal.rst",
               category="Vacancy thermodynamics", subcategory="{system}",
               labels={"system": "{system}", "figure": "binodal (mean field)"}),
    conda:
        "../../envs/analysis.yaml"
    shell:
        "cp {input} {output}"


TARGETS["report"] = [f"results/report/tables/{n}.html" for n in report_tables()] + [
    f"results/report/thermo/{s}_binodal.png" for s in SYSTEMS
]
