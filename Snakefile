# anodeflow: see README.md. Thin on purpose: config, validation, rules, targets.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir) / "src"))
from anodeflow import config as afconfig

configfile: str(Path(workflow.basedir) / "config" / "config.yaml")

try:
    afconfig.validate(config)
except afconfig.ConfigError as exc:
    raise WorkflowError(str(exc)) from None

# How DFT jobs are launched (dft.launcher) reaches them through the environment, not through params:
# it is execution, not science, so switching profile or rank count reruns nothing (anodeflow.launch).
import os
from anodeflow import launch as aflaunch
os.environ[aflaunch.ENV] = config["dft"]["launcher"]

include: "workflow/rules/common.smk"
include: "workflow/rules/bulk.smk"
include: "workflow/rules/interfaces.smk"
include: "workflow/rules/dft.smk"
include: "workflow/rules/thermo.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/convergence.smk"
include: "workflow/rules/md.smk"
include: "workflow/rules/cft.smk"
include: "workflow/rules/surfaces.smk"
include: "workflow/rules/phasefield.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        all_targets(),
    default_target: True
