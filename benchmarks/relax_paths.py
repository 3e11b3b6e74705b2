"""Plain BFGS against the preconditioned path (dft.optimizer: bfgs vs precon) on one built system, and either
of them after a pre-relaxation with a machine-learned potential (arms ``bfgs+chgnet``, ``precon+chgnet``).

    python benchmarks/relax_paths.py --system Li-110__LiF-100 \
        --configfile config/quick.yaml config/quick_interface.yaml --set fmax_slab=0.05 max_steps=200

Both arms run the workflow's own relax job (``python -m anodeflow.dft.jobs relax``) on the same
configurations: the pristine cell, then the vacancies and divacancies of one (11) and one (12) pair (the
most frequent ones), each vacancy job starting from its own arm's relaxed pristine geometry, as in the
workflow. The two arms run at the same time, each through its own chain of configurations on one MPI
rank (``--ranks``), so both see the same load while both run; an arm that finishes first leaves the
machine to the other (which can only flatter the slower arm).

An arm ``<optimizer>+chgnet`` first relaxes each configuration's start with CHGNet
(``benchmarks/ml_prerelax.py`` under ``--ml-python``, an interpreter with torch and chgnet; the workflow's
environment has neither), then runs the same relax job from there; its wall time includes the ML stage, and
its relocation flag is recomputed against the start before the ML stage (the job's own check sees only the
GPAW part). Every energy and force that reaches ω is still GPAW's.

Per configuration and arm: ionic steps, SCF loops and iterations (first SCF and later ones), wall time,
energy, flags (converged, relocated); per arm: ω_11 and ω_12 of the pair and the total time. Writes
``benchmarks/results/relax_paths_<system>.json`` (machine, load, preset, every record).
The system must be built first (``snakemake ... results/interfaces/<system>/configurations.json`` with
the same config files, or ``--until build_system``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from workflow_run import relax_job  # noqa: E402

from anodeflow import config as afc  # noqa: E402
from anodeflow import systems as afsystems  # noqa: E402


def _value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def chosen_configurations(conf: dict) -> list[dict]:
    """pristine, then per pair type the pair of largest multiplicity with its two sites, then the pair."""
    rep = {a: s["index"] for s in conf["sites"] for a in s["orbit"]}
    by_id = {c["id"]: c for c in conf["configurations"]}
    out = [by_id["pristine"]]
    for t in ("11", "12"):
        pairs = sorted((p for p in conf["pairs"] if p["type"] == t), key=lambda p: -p["multiplicity"])
        if not pairs:
            continue
        p = pairs[0]
        for k in (p["i"], p["j"]):
            c = by_id[f"v_{rep[k]}"]
            if c not in out:
                out.append(c)
        out.append(by_id[f"vv_{p['i']}_{p['j']}"])
    return out


def omegas(conf: dict, energies: dict) -> dict:
    """ω of the chosen (11) and (12) pair of one arm (eV), from its energies."""
    rep = {a: s["index"] for s in conf["sites"] for a in s["orbit"]}
    out = {}
    for t in ("11", "12"):
        for p in sorted((p for p in conf["pairs"] if p["type"] == t), key=lambda p: -p["multiplicity"])[:1]:
            ids = ("pristine", f"v_{rep[p['i']]}", f"v_{rep[p['j']]}", f"vv_{p['i']}_{p['j']}")
            if all(i in energies for i in ids):
                e0, ei, ej, eij = (energies[i] for i in ids)
                out[f"omega_{t}_eV"] = ei + ej - e0 - eij
                out[f"pair_{t}"] = f"vv_{p['i']}_{p['j']}"
    return out


def run_pair(jobs: list[tuple[str, list[str], dict, Path]]) -> dict:
    """Start every (arm, argv, env, log) at once; wait for all; wall seconds per arm."""
    procs = {}
    for arm, argv, env, log in jobs:
        log.parent.mkdir(parents=True, exist_ok=True)
        procs[arm] = (
            time.time(),
            subprocess.Popen(argv, stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env, cwd=ROOT),
        )
    out = {}
    for arm, (t0, p) in procs.items():
        rc = p.wait()
        out[arm] = {"returncode": rc, "wall_s": time.time() - t0}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--system", required=True)
    ap.add_argument("--configfile", nargs="*", default=[])
    ap.add_argument("--set", nargs="*", default=[], help="preset overrides key=value (e.g. fmax_slab=0.05)")
    ap.add_argument("--arms", nargs="+", default=["bfgs", "precon"])
    ap.add_argument("--ranks", type=int, default=1)
    ap.add_argument("--ml-python", default=os.environ.get("ANODEFLOW_ML_PYTHON"), help="python with torch+chgnet")
    ap.add_argument(
        "--configs", nargs="*", default=None, help="configuration ids (default: pristine + one pair per type)"
    )
    ap.add_argument("--work", default=str(ROOT / "work" / "bench_relax_paths"))
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    cfg = afc.load(ROOT / "config" / "config.yaml", *args.configfile)
    overrides = dict(kv.split("=", 1) for kv in args.set)
    sysdir = ROOT / "results" / "interfaces" / args.system
    conf = json.loads((sysdir / "configurations.json").read_text())
    chosen = (
        [c for c in conf["configurations"] if c["id"] in args.configs] if args.configs else chosen_configurations(conf)
    )
    work = Path(args.work) / args.system
    out_path = Path(args.out or ROOT / "benchmarks" / "results" / f"relax_paths_{args.system}.json")
    records = []
    t_start = time.time()
    load0 = os.getloadavg()

    def chain(arm):
        optimizer, _, ml = arm.partition("+")
        if ml and ml != "chgnet":
            raise SystemExit(f"arm {arm!r}: the only pre-relaxation is '+chgnet'")
        if ml and not args.ml_python:
            raise SystemExit(f"arm {arm!r} needs --ml-python (or ANODEFLOW_ML_PYTHON): a python with torch and chgnet")
        for c in chosen:
            cfg_arm = json.loads(json.dumps(cfg))
            cfg_arm["dft"]["optimizer"] = optimizer
            spec = afsystems.relax_job_spec(cfg_arm, args.system, c["id"], c["removed"])
            spec["preset"].update({k: _value(v) for k, v in overrides.items()})
            d = work / arm / c["id"]
            start = sysdir / "initial.extxyz" if c["id"] == "pristine" else work / arm / "pristine" / "final.extxyz"
            pristine = None if c["id"] == "pristine" else work / arm / "pristine" / "result.json"
            if ml and not (d / "ml_start.json").exists():
                d.mkdir(parents=True, exist_ok=True)
                ml_argv = [args.ml_python, str(ROOT / "benchmarks" / "ml_prerelax.py"), "--structure", str(start)]
                ml_argv += ["--removed", *map(str, c["removed"]), "--out", str(d / "ml_start.extxyz")]
                ml_argv += ["--fmax", str(spec["preset"]["fmax_slab"])]
                env_ml = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
                with open(d / "ml_start.log", "w") as log:
                    if subprocess.run(ml_argv, stdout=log, stderr=subprocess.STDOUT, env=env_ml).returncode:
                        print(f"[relax_paths] {arm} {c['id']}: ML stage failed; see {d / 'ml_start.log'}", flush=True)
                        return
            job_start = d / "ml_start.extxyz" if ml else start
            argv, env = relax_job(spec, job_start, d, args.ranks, pristine)
            if not (d / "result.json").exists():
                wall = run_pair([(arm, argv, env, d / "job.log")])[arm]
                if wall["returncode"]:
                    print(f"[relax_paths] {arm} {c['id']}: failed ({wall}); see {d / 'job.log'}", flush=True)
                    return
            collect(arm, c, start)
            write()

    def collect(arm, c, start):
        d = work / arm / c["id"]
        r = json.loads((d / "result.json").read_text())
        g = r.get("gpaw") or {}
        ml = json.loads((d / "ml_start.json").read_text()) if (d / "ml_start.json").exists() else None
        if ml:  # the relocation against the start before the ML stage, and the ML stage's time in the arm's
            from ase.io import read

            from anodeflow.dft.relax import relocation

            at0 = read(str(start), format="extxyz")
            keep = [i for i in range(len(at0)) if i not in set(c["removed"])]
            r.update(relocation(read(str(d / "final.extxyz"), format="extxyz"), at0.positions[keep]))
            r["wall_s"] += ml["wall_s"]
            r["cpu_s_rank0"] = (r.get("cpu_s_rank0") or 0) + ml["cpu_s"]
        rec = {
            "arm": arm,
            "config_id": c["id"],
            "natoms": r["natoms"],
            "steps": r["steps"],
            "converged": r["converged"],
            "relocated": r["relocated"],
            "fmax": r["fmax"],
            "energy_eV": r["energy_eV"],
            "wall_s": r["wall_s"],
            "cpu_s_rank0": r.get("cpu_s_rank0"),
            "precon": r.get("precon"),
            "scf_iterations": g.get("scf_iterations"),
            "scf_seconds": g.get("scf_seconds"),
            "n_scf_iterations": g.get("n_scf_iterations"),
            "first_scf_s": (g.get("scf_seconds") or [None])[0],
            "n_ibz_kpts": g.get("n_ibz_kpts"),
            "n_bands": g.get("n_bands"),
            "n_planewaves": g.get("n_planewaves"),
            "mpi_ranks": r.get("mpi_ranks"),
            "loadavg_at_end": os.getloadavg()[0],
            "ml": ml,
        }
        with lock:
            records[:] = [x for x in records if not (x["arm"] == arm and x["config_id"] == c["id"])] + [rec]
        print(
            f"[relax_paths] {arm:7s} {c['id']:12s} steps {rec['steps']:3d}  SCF iterations "
            f"{rec['n_scf_iterations']}  wall {rec['wall_s']:.0f} s  E {rec['energy_eV']:.4f}",
            flush=True,
        )

    def write():
        with lock:
            recs = list(records)
            summary = {}
            for arm in args.arms:
                rs = [x for x in recs if x["arm"] == arm]
                summary[arm] = {
                    "configurations": len(rs),
                    "steps": sum(x["steps"] for x in rs),
                    "scf_iterations": sum(x["n_scf_iterations"] or 0 for x in rs),
                    "wall_s": sum(x["wall_s"] for x in rs),
                    "first_scf_s": sum(x["first_scf_s"] or 0 for x in rs),
                    "all_converged": all(x["converged"] for x in rs),
                    "relocated": [x["config_id"] for x in rs if x["relocated"]],
                    **omegas(conf, {x["config_id"]: x["energy_eV"] for x in rs}),
                }
            if len(args.arms) == 2 and all(summary[a]["configurations"] for a in args.arms):
                a, b = args.arms
                # over the configurations both arms finished
                both = {x["config_id"] for x in recs if x["arm"] == a} & {x["config_id"] for x in recs if x["arm"] == b}
                tot = {
                    arm: {
                        k: sum(x[k] or 0 for x in recs if x["arm"] == arm and x["config_id"] in both)
                        for k in ("wall_s", "steps", "n_scf_iterations", "cpu_s_rank0")
                    }
                    for arm in (a, b)
                }
                summary["common_configurations"] = sorted(both)
                summary["ratio_wall_" + f"{b}_over_{a}"] = tot[b]["wall_s"] / max(tot[a]["wall_s"], 1e-9)
                summary["ratio_cpu_" + f"{b}_over_{a}"] = tot[b]["cpu_s_rank0"] / max(tot[a]["cpu_s_rank0"], 1e-9)
                summary["ratio_steps_" + f"{b}_over_{a}"] = tot[b]["steps"] / max(tot[a]["steps"], 1)
                summary["ratio_scf_iterations_" + f"{b}_over_{a}"] = tot[b]["n_scf_iterations"] / max(
                    tot[a]["n_scf_iterations"], 1
                )
                for t in ("11", "12"):
                    if f"omega_{t}_eV" in summary[a] and f"omega_{t}_eV" in summary[b]:
                        summary[f"delta_omega_{t}_meV"] = 1e3 * (
                            summary[b][f"omega_{t}_eV"] - summary[a][f"omega_{t}_eV"]
                        )
            doc = {
                "benchmark": "relaxation paths",
                "system": args.system,
                "configfiles": args.configfile,
                "preset": {**afsystems.system_preset(cfg, args.system), **{k: _value(v) for k, v in overrides.items()}},
                "ranks_per_arm": args.ranks,
                "arms_run": "concurrently, each arm its own chain of configurations",
                "machine": {"node": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version()},
                "loadavg_start": load0,
                "loadavg_now": os.getloadavg(),
                "elapsed_s": time.time() - t_start,
                "date": time.strftime("%Y-%m-%d %H:%M"),
                "summary": summary,
                "records": recs,
            }
            out_path.write_text(json.dumps(doc, indent=1))

    import threading

    lock = threading.Lock()
    threads = [threading.Thread(target=chain, args=(arm,)) for arm in args.arms]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    write()
    print(json.loads(out_path.read_text())["summary"])


if __name__ == "__main__":
    main()
