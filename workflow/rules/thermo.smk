# Stage 3: ω per pair, E_f per site, Ω and T_c (types 11 and 12), classification, binodal; tables.


def thermo_results(w):
    conf = configurations(w.system)
    return [f"results/dft/{w.system}/{c['id']}/result.json" for c in conf["configurations"]]


rule vacancy_thermo:
    input:
        configurations="results/interfaces/{system}/configurations.json",
        results=thermo_results,
        bulk=lambda w: f"results/bulk/{afcampaign.system(config, w.system).bulk_phases[0]}.json",
    output:
        tc="results/thermo/{system}/tc.json",
        pairs="results/thermo/{system}/pairs.csv",
        sites="results/thermo/{system}/sites.csv",
        plot="results/thermo/{system}/binodal.png",
    log:
        "logs/thermo/{system}.log",
    params:
        thermo=config["thermo"],
    conda:
        "../../envs/analysis.yaml"
    run:
        from anodeflow import vacancy_thermo

        vacancy_thermo.run(input.configurations, input.results, input.bulk, output.tc, output.pairs,
                           output.sites, output.plot, params.thermo)


rule critical_temperature_table:
    input:
        tc=expand("results/thermo/{system}/tc.json", system=SYSTEMS),
        descriptors=expand("results/interfaces/{system}/descriptors.json", system=SYSTEMS),
    output:
        "results/tables/critical_temperatures.csv",
    conda:
        "../../envs/analysis.yaml"
    run:
        from anodeflow import io, vacancy_thermo

        df = vacancy_thermo.critical_temperature_table(input.tc, input.descriptors)
        io.write_csv(output[0], df, io.provenance({"systems": list(SYSTEMS)}, [*input.tc, *input.descriptors]))


TARGETS["thermo"] = ["results/tables/critical_temperatures.csv"]
