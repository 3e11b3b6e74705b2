"""Command-line entry of the report stage: ``python -m anodeflow.report.jobs <verb> ...``

- ``table``: a campaign CSV table as one HTML page (shown inline by ``snakemake --report``)

The figures of every stage are filed in the report by the rules that make them (``report(...)``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..io import run_verb
from .tables import csv_to_html, describe


def cmd_table(args) -> None:
    cfg = json.loads(args.config)["report"]
    name = Path(args.csv).stem
    csv_to_html(args.csv, args.out, f"{name}.csv", describe(name), cfg["float_format"])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m anodeflow.report.jobs")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("table", help="a CSV table as an HTML page")
    for opt in ("--csv", "--out", "--config"):
        p.add_argument(opt, required=True)
    p.set_defaults(fn=cmd_table)
    args = ap.parse_args(argv)
    run_verb("anodeflow.report.jobs", args.cmd, args.fn, args)


if __name__ == "__main__":
    main()
