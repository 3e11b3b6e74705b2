"""What a DFT job costs, before it runs: a model fitted to the workflow's own finished jobs.

The cost of one relaxation is

    core-seconds = t_iter × (SCF iterations of the first step + steps × SCF iterations of a later step)

and the cost of a system is the sum over its configurations (methods §6: pristine, every distinct
vacancy and divacancy, or a sample of the pairs). ``t_iter``, the core-seconds of one SCF iteration,
follows the two costs of a plane-wave iteration per k-point: applying the Hamiltonian to every band
(FFTs, projectors: ∝ N_b N_pw) and orthonormalising and rotating the bands (∝ N_b² N_pw),

    t_iter = N_k N_pw N_b (a + b N_b) / 10⁶        (× ``beef_factor`` for BEEF-vdW)

with a, b ≥ 0 fitted to finished jobs (each job's result.json carries its GPAW log statistics:
``anodeflow.dft.gpawlog``). The N_b² term must dominate at large N_b, but cells of up to 64 bands do
not resolve it (b fits to 0 on them): until a large cell is measured (``--refit`` on the campaign's own
jobs), the plan's core-hours for the 200–450-atom reference interfaces are a lower bound. The problem size
of a planned job comes from its cell alone, as GPAW computes it: plane waves V k_c³/(6π²) with
k_c = (E_cut / (ħ²/2m))^½, bands 4 + 1.2 N_e/2 (GPAW's default for a plane-wave calculation),
irreducible k-points of the Γ-centred grid with time reversal only (the slab jobs run without
point-group symmetry; ``anodeflow.dft.ranks.irreducible_slab_kpoints``). Iterations and steps per
relaxation are measured per relaxation path (``dft.optimizer``) and kind of system (isolated slab,
interface).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

#: ħ²/(2 m_e) in eV Å² (CODATA 2018: ħ²/(2m_e) = 3.80998 eV Å²)
HBAR2_2M_EV_A2 = 3.80998212
#: GPAW's default band count in plane-wave mode: nbands = 4 + 1.2 × (valence electrons)/2, rounded up
GPAW_BAND_FACTOR, GPAW_EXTRA_BANDS = 1.2, 4


def n_planewaves(volume_A3: float, ecut_eV: float) -> float:
    """Plane waves within the cutoff sphere: V k_c³ / (6π²)."""
    kc = math.sqrt(ecut_eV / HBAR2_2M_EV_A2)
    return volume_A3 * kc**3 / (6 * math.pi**2)


def n_bands(n_valence: float) -> int:
    """GPAW's default number of bands for ``n_valence`` electrons (plane-wave mode)."""
    return int(math.ceil(GPAW_EXTRA_BANDS + GPAW_BAND_FACTOR * n_valence / 2 - 1e-9))


def size_terms(n_kpts: int, bands: int, planewaves: float) -> tuple[float, float]:
    """The two features of the cost law: N_k N_pw N_b / 10⁶ and N_k N_pw N_b² / 10⁶."""
    x = float(n_kpts) * float(planewaves) * float(bands) / 1e6
    return x, x * float(bands)


@dataclass
class CostModel:
    """core-seconds per SCF iteration = N_k N_pw N_b (a + b N_b)/10⁶ (× beef_factor for BEEF-vdW), with
    the relaxation's SCF iterations and ionic steps per configuration (``iterations``: path -> kind)."""

    a: float
    b: float
    beef_factor: float = 2.5
    iterations: dict = field(default_factory=dict)
    fitted_on: list = field(default_factory=list)  # job labels the law was fitted on
    note: str = ""

    def seconds_per_iteration(self, n_kpts: int, bands: int, planewaves: float, xc: str = "PBE") -> float:
        x1, x2 = size_terms(n_kpts, bands, planewaves)
        return (self.a * x1 + self.b * x2) * (self.beef_factor if xc == "BEEF-vdW" else 1.0)

    def iteration_counts(self, path: str, kind: str) -> dict | None:
        """The measured SCF iterations and steps of one relaxation on ``path`` for ``kind`` (else the path's
        "any" entry): first_scf, steps, later_scf; None when the model has neither."""
        by_kind = self.iterations.get(path, {})
        return by_kind.get(kind) or by_kind.get("any")

    def relaxation_iterations(self, path: str, kind: str) -> float:
        """SCF iterations of one relaxation: first SCF + steps × later SCFs (+ the stiffness probe)."""
        it = self.iteration_counts(path, kind)
        if not it:
            raise KeyError(f"no measured iterations for path {path!r}, kind {kind!r}")
        return it["first_scf"] + it["steps"] * it["later_scf"]

    def to_dict(self) -> dict:
        return {
            "a": self.a,
            "b": self.b,
            "beef_factor": self.beef_factor,
            "iterations": self.iterations,
            "fitted_on": self.fitted_on,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, d: dict) -> CostModel:
        return cls(
            d["a"],
            d["b"],
            d.get("beef_factor", 2.5),
            d.get("iterations", {}),
            d.get("fitted_on", []),
            d.get("note", ""),
        )


def job_record(result: dict) -> dict | None:
    """The cost facts of one finished relaxation (its result.json), or None without GPAW statistics."""
    g = result.get("gpaw") or {}
    if not g.get("n_scf_iterations") or not g.get("n_planewaves") or not g.get("n_bands"):
        return None
    ranks = int(result.get("mpi_ranks") or g.get("n_cores") or 1)
    iters = list(g["scf_iterations"])
    # CPU time where the job recorded it (load-independent), else the SCF loops' wall time
    busy_s = result.get("cpu_s_rank0") or g["scf_seconds_total"]
    return {
        "label": f"{result.get('system')}/{result.get('config_id')}",
        "xc": result.get("xc", "PBE"),
        "natoms": result.get("natoms"),
        "ranks": ranks,
        "n_kpts": g["n_ibz_kpts"],
        "n_bands": g["n_bands"],
        "n_planewaves": g["n_planewaves"],
        "core_s_per_iteration": busy_s * ranks / g["n_scf_iterations"],
        "timing": "cpu" if result.get("cpu_s_rank0") else "wall",
        "steps": result.get("steps"),
        "optimizer": result.get("optimizer", "bfgs"),
        "first_scf": iters[0],
        "later_scf": float(np.mean(iters[1:])) if len(iters) > 1 else None,
        "n_scf_loops": len(iters),
        "core_s_total": busy_s * ranks,
    }


def fit_cost_law(records: list[dict], beef_factor: float = 2.5) -> tuple[float, float]:
    """Non-negative least squares of the core-seconds per iteration on the two size terms, each record
    weighted by 1/measured (relative errors: small and large cells count alike; BEEF-vdW records divided
    by ``beef_factor`` first). Returns (a, b)."""
    from scipy.optimize import nnls

    if not records:
        raise ValueError("no job records to fit the cost law on")
    A = np.array([size_terms(r["n_kpts"], r["n_bands"], r["n_planewaves"]) for r in records], float)
    t = np.array([r["core_s_per_iteration"] / (beef_factor if r["xc"] == "BEEF-vdW" else 1.0) for r in records])
    w = 1.0 / t
    (a, b), _ = nnls(A * w[:, None], t * w)
    return float(a), float(b)


def iteration_table(records: list[dict], kind_of=lambda r: "any") -> dict:
    """Mean ionic steps, first-SCF and later-SCF iterations per relaxation path and kind of system."""
    out: dict = {}
    groups: dict = {}
    for r in records:
        groups.setdefault((r["optimizer"], kind_of(r)), []).append(r)
    for (path, kind), rs in groups.items():
        later = [r["later_scf"] for r in rs if r["later_scf"] is not None]
        out.setdefault(path, {})[kind] = {
            "steps": float(np.mean([r["steps"] for r in rs])),
            "first_scf": float(np.mean([r["first_scf"] for r in rs])),
            # later SCF loops per ionic step: every loop after the first (the stiffness probe included)
            "later_scf": float(np.mean(later)) if later else 0.0,
            "loops_per_step": float(np.mean([(r["n_scf_loops"] - 1) / max(r["steps"], 1) for r in rs])),
            "n_jobs": len(rs),
        }
    # the iterations of a relaxation: first + steps × later × (loops per step)
    for path in out.values():
        for it in path.values():
            it["later_scf"] = it["later_scf"] * it.pop("loops_per_step")
    return out


def predict_relative_error(model: CostModel, records: list[dict]) -> list[dict]:
    """Predicted against measured core-seconds per SCF iteration for each record (the model's check)."""
    rows = []
    for r in records:
        pred = model.seconds_per_iteration(r["n_kpts"], r["n_bands"], r["n_planewaves"], r["xc"])
        rows.append(
            {
                "label": r["label"],
                "n_kpts": r["n_kpts"],
                "n_bands": r["n_bands"],
                "n_planewaves": r["n_planewaves"],
                "measured_core_s": r["core_s_per_iteration"],
                "predicted_core_s": pred,
                "ratio": pred / r["core_s_per_iteration"],
            }
        )
    return rows
