# anodeflow: see README.md. Thin on purpose: config, validation, launchers, stage includes, targets.
import gc
import os
import sys
from pathlib import Path

from snakemake.utils import min_version

# the tested version is pinned in requirements.txt; Snakemake 9 is the oldest whose API the tests and
# profiles use (workflow profile, executor plugins)
min_version("9.0")

sys.path.insert(0, str(Path(workflow.basedir) / "src"))
from anodeflow import config as afconfig
from anodeflow import launch as aflaunch

configfile: str(Path(workflow.basedir) / "config" / "config.yaml")

report: "workflow/report/workflow.rst"

# Validated (schema defaults filled, semantic checks) before any job is scheduled.
try:
    afconfig.validate(config)
except afconfig.ConfigError as exc:
    raise WorkflowError(str(exc)) from None

# How MPI jobs are launched (dft.launcher, md.launcher) reaches them through the environment, not
# through params: it is execution, not science, so switching profile or rank count reruns nothing.
os.environ[aflaunch.ENV] = config["dft"]["launcher"]
os.environ[aflaunch.MD_ENV] = config["md"].get("launcher") or config["dft"]["launcher"]

include: "workflow/rules/common.smk"
include: "workflow/rules/bulk.smk"         # 1
include: "workflow/rules/interfaces.smk"   # 2
include: "workflow/rules/dft.smk"          # 3
include: "workflow/rules/thermo.smk"       # 4
include: "workflow/rules/analysis.smk"     # 5
include: "workflow/rules/convergence.smk"  # 6
include: "workflow/rules/md.smk"           # 7
include: "workflow/rules/cft.smk"          # 8
include: "workflow/rules/pfinputs.smk"     # 9
include: "workflow/rules/phasefield.smk"   # 10
include: "workflow/rules/report.smk"       # 11


# Everything built above lives until snakemake exits: keep it out of the cyclic garbage collector while
# the DAG is built (a no-op rerun and a dry run spend most of their own time re-scanning it otherwise).
gc.freeze()


rule all:
    input:
        all_targets(),
    default_target: True
