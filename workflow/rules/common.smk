# Helpers that turn the validated config into targets. The logic lives in anodeflow.campaign.
from anodeflow import campaign as afcampaign

SYSTEMS = afcampaign.systems(config)

wildcard_constraints:
    system=r"[A-Za-z0-9_\-\.]+",
    config_id=r"[A-Za-z0-9_]+",
    phase=r"[A-Za-z0-9]+",
    xc=r"PBE|BEEF-vdW",


# Stages register their targets here (each .smk appends); rule all collects them.
TARGETS = {}


def all_targets():
    out = []
    for stage, paths in TARGETS.items():
        out += list(paths)
    return out


def system_spec(wildcards):
    return SYSTEMS[wildcards.system]
