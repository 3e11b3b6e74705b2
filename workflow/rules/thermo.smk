# Stage 4: vacancy thermodynamics (methods §6): ω per pair, E_f per site, Ω and T_c (pair types 11
# and 12), classification, binodal; the campaign's T_c table. Science in anodeflow.thermo.


rule vacancy_thermo:
    input:
        configurations="results/interfaces/{system}/configurations.json",
        results=system_results,
        bulk=metal_bulk,
    output:
        tc="results/thermo/{system}/tc.json",
        pairs="results/thermo/{system}/pairs.csv",
        sites="results/thermo/{system}/sites.csv",
        plot=report("results/thermo/{system}/binodal.png", caption="../report/binodal.rst",
                    category="3. Vacancy thermodynamics", subcategory="{system}",
                    labels={"system": "{system}", "figure": "binodal (mean field)"}),
    log:
        "logs/thermo/{system}.log",
    params:
        cfg=stage_config("thermo"),
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.thermo.jobs vacancy --config {params.cfg:q} --configurations {input.configurations} "
        "--results {input.results} --bulk {input.bulk} --tc {output.tc} --pairs {output.pairs} "
        "--sites {output.sites} --plot {output.plot} > {log} 2>&1"


rule critical_temperature_table:
    input:
        tc=expand("results/thermo/{system}/tc.json", system=SYSTEMS),
        descriptors=expand("results/interfaces/{system}/descriptors.json", system=SYSTEMS),
        # T_c error bars: the BEEF-vdW ensemble where that functional is used (methods 5)
        beef=expand("results/analysis/{system}/beef.json", system=SYSTEMS),
        # second T_c error bar: the convergence spread, only for the systems of convergence.systems
        conv=convergence_spreads(),
    output:
        "results/tables/critical_temperatures.csv",
    log:
        "logs/thermo/critical_temperature_table.log",
    params:
        # the 'cutoff' column: systems run below an element's dft.min_ecut_eV (a demonstration preset)
        cfg=json.dumps({"systems": list(SYSTEMS), "cutoff": {
            sid: afconfig.cutoff_note(config, afsystems.system(config, sid).coating) for sid in SYSTEMS}}),
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.thermo.jobs table --config {params.cfg:q} --tc {input.tc} "
        "--descriptors {input.descriptors} --beef {input.beef} --conv {input.conv} --out {output} > {log} 2>&1"


TARGETS["thermo"] = ["results/tables/critical_temperatures.csv"]
