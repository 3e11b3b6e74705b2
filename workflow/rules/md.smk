# MD stage (methods.md section 7.1-7.2): potentials, melting by hysteresis, thermal expansion.
# Work is in anodeflow.potentials / anodeflow.md; rules only wire files.
from anodeflow import potentials as afpot


rule fetch_potential:
    """Copy (local_dir) or download (url) a potential file into resources/potentials/, sha256-verified."""
    output:
        "resources/potentials/{fname}",
    log:
        "logs/md/fetch_potential/{fname}.log",
    params:
        metal=lambda wc: next(m for m, s in config["potentials"].items()
                              if s.get("source") == "url" and wc.fname in s["files"]),
    localrule: True
    conda:
        "../../envs/md.yaml"
    run:
        afpot.fetch(params.metal, config, workdir=".")
