# Grain-selection phase field (issue 4, methods.md section 8): texture per metal and condition,
# temperature analysis and phase map as parallel jobs. Work is in anodeflow.phasefield.stage.
from anodeflow.phasefield import stage as afpf

PF = config["phasefield"]

wildcard_constraints:
    condition=r"[a-z]+",
    pfT=r"[0-9]+(\.[0-9]+)?",
    i=r"[0-9]+",
    j=r"[0-9]+",


def pf_inputs(metal, conditions=None):
    """Workflow results a metal's runs need (none when config phasefield.inputs gives everything)."""
    need = afpf.needed_inputs(config, metal, conditions)
    out = {}
    if need["surfaces"]:
        out["surfaces"] = afpf.surfaces_csv(metal)
    if need["barriers"]:
        out["barriers"] = afpf.barriers_csv(metal)
    return out


def pf_all_inputs(metals_conditions):
    out = []
    for m, c in metals_conditions:
        out += list(pf_inputs(m, [c]).values())
    return sorted(set(out))


rule pf_grain_selection:
    """One growth run (reference grid) for a metal under a condition: texture, figures, animation."""
    input:
        unpack(lambda wc: pf_inputs(wc.metal, [wc.condition])),
    output:
        csv="results/phasefield/{metal}-{condition}/texture.csv",
        json="results/phasefield/{metal}-{condition}/texture.json",
        png="results/phasefield/{metal}-{condition}/snapshots.png",
        gif="results/phasefield/{metal}-{condition}/animation.gif",
        npz="results/phasefield/{metal}-{condition}/frames.npz",
    log:
        "logs/phasefield/{metal}-{condition}.log",
    benchmark:
        "results/benchmarks/phasefield_run_{metal}-{condition}.tsv"
    params:
        outdir="results/phasefield/{metal}-{condition}",
    threads: 1
    conda:
        "../../envs/analysis.yaml"
    run:
        afpf.grain_selection(config, wildcards.metal, wildcards.condition, params.outdir,
                             input.get("surfaces"), input.get("barriers"))


rule pf_temperature_point:
    """Growth run of one metal at one temperature (temperature sweep, one job per point)."""
    input:
        unpack(lambda wc: pf_inputs(wc.metal, [PF["temperature_analysis"]["condition"]])),
    output:
        "results/phasefield/temperature/{metal}_{pfT}K.json",
    log:
        "logs/phasefield/temperature/{metal}_{pfT}K.log",
    benchmark:
        "results/benchmarks/phasefield_T_{metal}_{pfT}K.tsv"
    threads: 1
    conda:
        "../../envs/analysis.yaml"
    run:
        afpf.temperature_point(config, wildcards.metal, float(wildcards.pfT), output[0],
                               input.get("surfaces"), input.get("barriers"))


def pf_T_points():
    ta = PF["temperature_analysis"]
    return [f"results/phasefield/temperature/{m}_{T:g}K.json" for m in ta["metals"] for T in ta["pf_T_K"]]


rule pf_temperature_analysis:
    """Delta U(T) between (001) and (101) with the crossover temperature, next to the sweep's winners."""
    input:
        points=pf_T_points(),
        data=pf_all_inputs([(m, PF["temperature_analysis"]["condition"]) for m in PF["temperature_analysis"]["metals"]]),
    output:
        csv="results/phasefield/temperature_analysis.csv",
        png="results/phasefield/temperature_analysis.png",
    log:
        "logs/phasefield/temperature_analysis.log",
    threads: 1
    conda:
        "../../envs/analysis.yaml"
    run:
        ta = PF["temperature_analysis"]
        ins = {}
        for m in ta["metals"]:
            files = pf_inputs(m, [ta["condition"]])
            ins[m] = afpf.resolve_inputs(config, m, ta["condition"], files.get("surfaces"), files.get("barriers"))
        afpf.temperature_analysis(config, ins, input.points, output.csv, output.png)


def pf_map_points():
    A, B = afpf.phase_map_axes(config)
    return [f"results/phasefield/phase_map/point_{i}_{j}.json" for i in range(len(A)) for j in range(len(B))]


rule pf_phase_map_point:
    """One point of the phase map (anisotropy index i, (101)-barrier index j)."""
    input:
        unpack(lambda wc: pf_inputs(PF["phase_map"]["metal"], [PF["phase_map"]["condition"]])),
    output:
        "results/phasefield/phase_map/point_{i}_{j}.json",
    log:
        "logs/phasefield/phase_map/point_{i}_{j}.log",
    benchmark:
        "results/benchmarks/phasefield_map_{i}_{j}.tsv"
    threads: 1
    conda:
        "../../envs/analysis.yaml"
    run:
        afpf.phase_map_point(config, int(wildcards.i), int(wildcards.j), output[0],
                             input.get("surfaces"), input.get("barriers"))


rule pf_phase_map:
    """Gather the sweep: phase_map.csv and the (101)/(001) region figure, with Li/Na (K) marked."""
    input:
        points=pf_map_points(),
        data=pf_all_inputs([(m, c) for m in PF["metals"] for c in PF["conditions"]]),
    output:
        csv="results/phasefield/phase_map.csv",
        png="results/phasefield/phase_map.png",
    log:
        "logs/phasefield/phase_map.log",
    threads: 1
    conda:
        "../../envs/analysis.yaml"
    run:
        markers = {}
        for m in PF["metals"]:
            for c in PF["conditions"]:
                files = pf_inputs(m, [c])
                inp = afpf.resolve_inputs(config, m, c, files.get("surfaces"), files.get("barriers"))
                markers[f"{m} {c}"] = (inp["E_s_J_m2"]["001"] / inp["E_s_J_m2"]["101"] - 1.0, inp["E_a_eV"]["101"])
        afpf.phase_map(config, input.points, output.csv, output.png, markers)


TARGETS["phasefield"] = (
    [f"results/phasefield/{m}-{c}/texture.json" for m in PF["metals"] for c in PF["conditions"]]
    + ["results/phasefield/temperature_analysis.csv", "results/phasefield/phase_map.csv"]
)
