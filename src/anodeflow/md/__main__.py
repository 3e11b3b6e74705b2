"""``python -m anodeflow.md JOB.json``: run one MD job (written by ``stage.run_job``), e.g. under mpiexec."""
import json
import sys

from anodeflow.md import stage


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.exit("usage: python -m anodeflow.md JOB.json")
    spec = json.loads(open(argv[0]).read())
    fn = {"melting": stage.melting_job, "expansion": stage.expansion_job, "ribbon": stage.ribbon_job}[spec["kind"]]
    kw = dict(spec["kw"])
    if "T_K" in kw:
        kw["T_K"] = float(kw["T_K"])
    fn(config=spec["config"], **kw)


if __name__ == "__main__":
    main()
