# Helpers that turn the validated config into targets, job settings and launch lines. Every input
# function and helper the rules use is here, one section per stage; the logic lives in the package.
import json
from pathlib import Path

from anodeflow import potentials as afpot
from anodeflow import systems as afsystems
from anodeflow.md import settings as afmdset
from anodeflow.pfinputs import surfaces as afsurf
from anodeflow.phasefield import plan as afpfplan

SYSTEMS = afsystems.systems(config)

wildcard_constraints:
    # DFT stages (bulk, interfaces, dft, thermo, analysis, convergence)
    system=r"[A-Za-z0-9_\-\.]+",
    config_id=r"[A-Za-z0-9_]+",
    phase=r"[A-Za-z0-9]+",
    xc=r"PBE|BEEF-vdW",
    # MD, CFT and the phase-field inputs
    metal=r"[A-Z][a-z]?",
    facet=r"[0-9]{3}",
    T=r"[0-9]+(\.[0-9]+)?",
    b=r"[0-9]+",
    start=r"flat|rough",
    direction=r"[0-9]+-?[0-9]+",


# Stages register their targets here (each .smk appends); rule all collects them.
TARGETS = {}


def all_targets():
    out = []
    for stage, paths in TARGETS.items():
        out += list(paths)
    return out


def stage_config(*sections):
    """The named sections of the validated config (schema defaults filled), as JSON for a job's
    ``--config`` option; ``"analysis.bader"`` keeps one subsection. As a rule's params, a change in them
    reruns exactly the jobs that read them."""
    out = {}
    for name in sections:
        top, _, sub = name.partition(".")
        out.setdefault(top, {})
        if sub:
            out[top][sub] = config[top][sub]
        else:
            out[top] = config.get(top)
    return json.dumps(out, sort_keys=True)


# --- 1 bulk, 2 interfaces, 3 dft ------------------------------------------------------------------

def bulk_inputs(wildcards):
    """Bulk references (lattice constants) a system is built from."""
    return [f"results/bulk/{b}.json" for b in afsystems.system(config, wildcards.system).bulk_phases]


def configurations(system):
    """Configurations of a built system (reads the checkpoint's output)."""
    path = checkpoints.build_system.get(system=system).output.configurations
    with open(path) as fh:
        return json.load(fh)


def removed_atoms(wildcards):
    for c in configurations(wildcards.system)["configurations"]:
        if c["id"] == wildcards.config_id:
            return c["removed"]
    raise ValueError(f"{wildcards.system}: unknown configuration {wildcards.config_id}")


def bulk_spec(wildcards):
    """The job spec of a bulk reference (JSON)."""
    return json.dumps(afsystems.bulk_job_spec(config, wildcards.phase, wildcards.xc), sort_keys=True)


def build_spec(wildcards):
    """The job spec of a system's build (JSON): system, preset, interface search settings."""
    return json.dumps(afsystems.build_job_spec(config, wildcards.system), sort_keys=True)


def pristine_spec(wildcards):
    """The job spec of a system's pristine relaxation (JSON)."""
    return json.dumps(afsystems.relax_job_spec(config, wildcards.system, "pristine", []), sort_keys=True)


def relax_spec(wildcards):
    """The job spec of one relaxation (JSON): everything it computes from, as the rule's params."""
    return json.dumps(afsystems.relax_job_spec(config, wildcards.system, wildcards.config_id,
                                                removed_atoms(wildcards)), sort_keys=True)


def dft_ntasks():
    """MPI ranks of a DFT job: the active preset's ntasks (an execution key, never in a job spec)."""
    return afsystems.preset(config)["ntasks"]


# MPI jobs start through `python -m anodeflow.launch [--md] {threads} -- CMD`: the launcher template
# reaches it from the environment (set in the Snakefile from dft.launcher / md.launcher), not from
# params, since it is execution, not science: changing it reruns nothing.


def dft_relax_command(inputs=(), gpw=False, pristine=False):
    """The shell command of every GPAW relaxation (relax_pristine, relax_vacancy, adhesion_slab): the job spec
    ``params.spec`` relaxed from ``input.structure`` under the MPI launcher, resumable in ``params.workdir``,
    writing ``output.json``, ``output.final`` and, with ``gpw``, ``output.gpw``; ``inputs`` names further
    inputs the result's provenance records (``--inputs``); with ``pristine``, ``input.pristine`` is the
    system's pristine result.json (the preconditioner's stiffness, dft.optimizer: precon)."""
    parts = ["python -m anodeflow.launch {threads} -- python -m anodeflow.dft.jobs relax --ntasks {threads}",
             "--spec {params.spec:q} --structure {input.structure}"]
    if pristine:
        parts.append("--pristine-result {input.pristine}")
    if inputs:
        parts.append("--inputs " + " ".join(f"{{input.{name}}}" for name in inputs))
    parts.append("--out {output.json} --final {output.final}")
    if gpw:
        parts.append("--gpw {output.gpw}")
    parts.append("--workdir {params.workdir} > {log} 2>&1")
    return " ".join(parts)


# --- 4 thermo -------------------------------------------------------------------------------------

def system_results(wildcards):
    """result.json of every configuration of a system (pristine, vacancies, divacancies)."""
    conf = configurations(wildcards.system)
    return [f"results/dft/{wildcards.system}/{c['id']}/result.json" for c in conf["configurations"]]


def metal_bulk(wildcards):
    return f"results/bulk/{afsystems.system(config, wildcards.system).bulk_phases[0]}.json"


# --- 5 analysis -----------------------------------------------------------------------------------

def system_built_ok(system):
    """True when the interface of ``system`` was built (reads the checkpoint's output)."""
    return configurations(system).get("status", "ok") != "failed"


def ok_systems():
    return [s for s in SYSTEMS if system_built_ok(s)]


def ok_interfaces():
    return [s for s in SYSTEMS if SYSTEMS[s].is_interface and system_built_ok(s)]


def adhesion_spec(wildcards):
    """Job spec of the metal or coating alone in the interface's cell: the interface minus the other part."""
    ck = checkpoints.build_system.get(system=wildcards.system)
    spec = afsystems.adhesion_job_spec(config, wildcards.system, wildcards.part, ck.output.structure)
    return json.dumps(spec, sort_keys=True)


def system_xc(wildcards):
    """The exchange-correlation functional of a system."""
    return SYSTEMS[wildcards.system].xc


def beef_results(wildcards):
    """The configurations' results when the system uses BEEF-vdW (their ensembles), else nothing."""
    return system_results(wildcards) if SYSTEMS[wildcards.system].xc == "BEEF-vdW" else []


def all_dft_results(wildcards):
    out = []
    for s in ok_systems():
        out += [f"results/dft/{s}/{c['id']}/result.json" for c in configurations(s)["configurations"]]
        if SYSTEMS[s].is_interface:
            out += [f"results/dft/{s}/adhesion_{p}/result.json" for p in ("metal", "coating")]
    return out


def interface_adhesions(wildcards):
    """adhesion.json of every interface that was built."""
    return [f"results/analysis/{s}/adhesion.json" for s in ok_interfaces()]


def per_system_figures(wildcards):
    """The per-system figures of every system that was built (failed builds have none)."""
    out = []
    for s in ok_systems():
        out += [f"results/analysis/{s}/{f}" for f in
                ("bader_height.png", "pdos.png", "density_map.png", "site_resolved.png")]
    return out


# --- 6 convergence --------------------------------------------------------------------------------

def convergence_variant_paths(template):
    """Input function: ``template`` (e.g. "results/thermo/{}/tc.json") for every convergence variant."""
    return lambda w: [template.format(v) for v, _, _ in afsystems.convergence_variants(config, w.system)]


def convergence_spec(wildcards):
    """The job spec of a system's convergence study (JSON)."""
    return json.dumps(afsystems.convergence_job_spec(config, wildcards.system), sort_keys=True)


def convergence_spreads():
    """tc_spread.json of the systems whose convergence study feeds the T_c table (convergence.systems;
    none by default: the table then requires no convergence study)."""
    return [f"results/convergence/{s}/tc_spread.json" for s in config.get("convergence", {}).get("systems", [])]


# --- 7 md -----------------------------------------------------------------------------------------
def md_job_config(kind):
    """Params function: the part of the config a job of ``kind`` (melting, expansion, ribbon, stiffness)
    for {metal} reads, as JSON for ``--config`` (anodeflow.md.settings.job_config: that metal only, without
    the execution keys md.launcher / md.ntasks), so a change reruns exactly the jobs that read it."""
    return lambda wildcards: json.dumps(afmdset.job_config(config, kind, wildcards.metal), sort_keys=True)


def md_potential_inputs(wildcards):
    """Potential files of {metal} the workflow fetches (url sources); none for lammps-share/local sources."""
    return afpot.potential_input_files(wildcards.metal, config)


def md_potential_metal(wildcards):
    """The metal whose url-source potential has the file {fname}."""
    return next(m for m, s in config["potentials"].items()
                if s.get("source") == "url" and wildcards.fname in s["files"])


def md_potential_config(wildcards):
    """Params function of fetch_potential: the potential spec of the metal owning {fname}, as JSON."""
    return json.dumps(afmdset.job_config(config, "potential", md_potential_metal(wildcards)), sort_keys=True)


def md_ntasks(kind):
    """MPI ranks of an MD rule: md.ntasks.<kind> (melting, expansion, ribbon); schema default 1."""
    return int(config["md"]["ntasks"][kind])


def ribbon_partner(wildcards):
    """The other start's ribbon of the same state point (rule md_ribbon_paired)."""
    other = {"flat": "rough", "rough": "flat"}[wildcards.start]
    return f"results/md/{wildcards.metal}/ribbons/{wildcards.facet}_b{wildcards.b}_{wildcards.T}K_{other}.npz"


def md_melting_of(metal):
    """The melting.json of ``metal`` (its Tm sets the ribbon temperatures with cft.T_over_Tm); md_melting is a
    checkpoint, so the DAG below it is re-evaluated once it exists."""
    return json.loads(Path(checkpoints.md_melting.get(metal=metal).output.json).read_text())


def md_melting_input(wildcards):
    """melting.json of {metal} when the ribbon temperatures are relative to Tm (cft.T_over_Tm), else nothing."""
    needs = afmdset.uses_Tm(config) or afmdset.steps_use_Tm(config)
    return [f"results/md/{wildcards.metal}/melting.json"] if needs else []


def md_melting_arg(wildcards, input):
    """--melting option of the expansion job (only with cft.T_over_Tm)."""
    return f"--melting {input.melting}" if input.melting else ""


def md_targets():
    return [f"results/md/{m}/{name}" for m in config["md"]["metals"]
            for name in ("melting.json", "melting.png", "thermal_expansion.csv", "thermal_expansion.png",
                         "liquid_msd.csv")]


# --- 8 cft ----------------------------------------------------------------------------------------

def cft_ribbon_results(wildcards):
    """The analysis of every ribbon state point of the campaign (metal x facet x b x T of md.metals and cft);
    with cft.T_over_Tm the temperatures are known once md_melting (a checkpoint) has run."""
    melting_of = md_melting_of if afmdset.uses_Tm(config) else None
    return [f"results/cft/{m}/{f}_b{b}_{T}K.json" for m, f, b, T in afmdset.ribbon_targets(config, melting_of)]


def cft_step_results(wildcards):
    """The step-stiffness analysis of every stripe island (metal x facet x step direction x T, cft.steps)."""
    melting_of = md_melting_of if afmdset.steps_use_Tm(config) else None
    return [f"results/cft/{m}/step_{f}_{d}_{T}K.json" for m, f, d, T in afmdset.step_targets(config, melting_of)]


def cft_targets():
    """stiffness.csv/png, and step_stiffness.csv/png when some metal has stripe islands (cft.steps.facets)."""
    out = ["results/cft/stiffness.csv", "results/cft/stiffness.png"]
    if any(afmdset.cft_settings(m, config)["steps"]["facets"] for m in config["md"]["metals"]):
        out += ["results/cft/step_stiffness.csv", "results/cft/step_stiffness.png"]
    return out


# --- 9 pfinputs -----------------------------------------------------------------------------------
def surface_energy_config():
    """Config of an E_s job, as JSON for ``--config`` (anodeflow.systems.surface_energy_job_config)."""
    return json.dumps(afsystems.surface_energy_job_config(config), sort_keys=True)


def surface_energy_ntasks():
    """MPI ranks of an E_s job: ntasks of its preset."""
    return int(afsystems.surface_energy_preset(config)["ntasks"])


def surface_energy_bulk(wildcards):
    """The relaxed bulk reference an E_s job takes its lattice constant from."""
    return f"results/bulk/{wildcards.metal}_{config['surfaces']['xc']}.json"


def surface_energy_results(wildcards):
    """E_s results of {metal}: every facet x strain of config surfaces."""
    s = config["surfaces"]
    return [f"results/surfaces/{wildcards.metal}/{f}_{afsurf.strain_label(e)}.json"
            for f in s["facets"] for e in s["strains"]]


def barrier_config(wildcards):
    """Config of a barrier job of {metal}, as JSON for ``--config`` (anodeflow.systems.barrier_job_config)."""
    return json.dumps(afsystems.barrier_job_config(config, wildcards.metal), sort_keys=True)


def barrier_results(wildcards):
    """Barrier results of {metal}: every facet of config barriers, by barriers.method (MD: {facet}.json,
    DFT: dft/{facet}.json; the two never overwrite each other)."""
    sub = "dft/" if config["barriers"]["method"] == "dft" else ""
    return [f"results/barriers/{wildcards.metal}/{sub}{f}.json" for f in config["barriers"]["facets"]]


def barrier_bulk(wildcards):
    """The relaxed bulk reference a DFT barrier job takes its lattice constant from."""
    return f"results/bulk/{wildcards.metal}_{config['barriers']['dft']['xc']}.json"


def barrier_ntasks():
    """MPI ranks of a DFT barrier job: ntasks of its preset (barriers.dft.precision)."""
    return int(afsystems.barrier_preset(config)["ntasks"])


def pfinputs_targets():
    return ([f"results/surfaces/{m}/surface_energies.csv" for m in config["surfaces"]["metals"]]
            + [f"results/barriers/{m}/barriers.csv" for m in config["barriers"]["metals"]])


# --- 10 phasefield --------------------------------------------------------------------------------


def pf_table_inputs(kind):
    """Input function (use with unpack): the workflow tables (E_s, E_a) a phase-field job of ``kind`` reads."""
    return lambda wildcards: afpfplan.tables(config, kind, wildcards.get("metal"), wildcards.get("condition"))


def pf_table_options(kind):
    """Params function: the same tables as job options, ``--surfaces Li=<csv> --barriers Li=<csv>``."""
    return lambda wildcards: afpfplan.table_options(
        afpfplan.tables(config, kind, wildcards.get("metal"), wildcards.get("condition")))


def pf_temperature_points():
    return afpfplan.temperature_points(config["phasefield"])


def pf_phase_map_points():
    return afpfplan.phase_map_points(config["phasefield"])


def pf_targets():
    return afpfplan.targets(config["phasefield"])


# --- 11 report ------------------------------------------------------------------------------------

def report_tables():
    """Every CSV table any stage registered as a target (results/tables/*.csv)."""
    names = []
    for paths in TARGETS.values():
        for p in paths:
            if p.startswith("results/tables/") and p.endswith(".csv"):
                names.append(Path(p).stem)
    return list(dict.fromkeys(names))
