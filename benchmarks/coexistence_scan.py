"""Coexistence melting point of one metal with the workflow's own code (anodeflow.md.coexistence).

Reads config/config.yaml (+ overlays), ``--set key=value`` overrides of md.coexistence, the hysteresis T_m
and latent heat given on the command line (``--Tm-hyst``, ``--latent``), so no ramp is needed first.

    source scripts/env.sh
    python benchmarks/coexistence_scan.py Na --Tm-hyst 444 --latent 0.027 \
        --config-overlay tests/configs/md_local_potentials.yaml \
        --set cells=[6,6,24] run_ps=60 --out benchmarks/results/coexistence_Na.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from anodeflow import config as afconfig  # noqa: E402
from anodeflow import potentials as afpot  # noqa: E402
from anodeflow.io import code_versions  # noqa: E402
from anodeflow.md import coexistence  # noqa: E402
from anodeflow.md.settings import a0  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("metal")
    ap.add_argument("--Tm-hyst", type=float, required=True)
    ap.add_argument("--latent", type=float, required=True, help="eV/atom")
    ap.add_argument("--a0", type=float, default=None, help="starting lattice constant (default metals.<metal>.a0_A)")
    ap.add_argument("--config-overlay", nargs="*", default=[])
    ap.add_argument("--set", nargs="*", default=[], help="md.coexistence overrides key=value (YAML values)")
    ap.add_argument("--workdir", default="/tmp/coex_scan")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())

    def merge(base, over):
        for k, v in over.items():
            base[k] = merge(base.get(k, {}), v) if isinstance(v, dict) and isinstance(base.get(k), dict) else v
        return base

    for o in args.config_overlay:
        merge(cfg, yaml.safe_load(Path(o).read_text()))
    for kv in args.set:
        k, v = kv.split("=", 1)
        cfg["md"].setdefault("coexistence", {})[k] = yaml.safe_load(v)
    cfg = afconfig.validate(cfg)
    import os

    os.chdir(ROOT)
    pot = afpot.resolve(args.metal, cfg)
    s = coexistence.CoexistenceSettings.from_config(cfg["md"], args.metal)
    t0, c0 = time.time(), time.process_time()
    res = coexistence.coexistence_melting_point(
        pot,
        args.a0 or a0(args.metal, cfg),
        args.Tm_hyst,
        lambda T: args.latent,
        s,
        args.workdir,
        say=lambda *x: print(*x, flush=True),
    )
    for r in res["runs"]:
        tr = r.pop("trace")
        r["t_ps_every_10"] = tr["t_ps"][::10].round(2).tolist()
        f_solid = coexistence.solid_fraction(tr["pe"], args.latent, tr["pe_solid"])
        r["f_solid_every_10"] = f_solid[::10].round(3).tolist()
        r["bcc_every_10"] = tr["bcc"][::10].round(3).tolist()
    res.update(
        settings=s.__dict__,
        wall_s=time.time() - t0,
        cpu_s=time.process_time() - c0,
        Tm_hyst_K=args.Tm_hyst,
        latent_eV=args.latent,
        versions=code_versions(),
    )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(res, indent=1, default=str))
    print(json.dumps({k: res[k] for k in ("Tm_K", "Tm_err_K", "bracket_K", "consistent", "note", "wall_s", "cpu_s")}))


if __name__ == "__main__":
    main()
