"""What a GPAW text log says about the cost of a job: the size of the problem (k-points, bands, plane
waves, valence electrons, the parallel layout) and every SCF loop (iterations, seconds).

Read after the job from the ``txt`` file GPAW wrote (its layout is GPAW 26's; a field not found is
None), so that the numbers come from the calculation itself, not from a model of it."""

from __future__ import annotations

import re
from pathlib import Path

_SIZE_PATTERNS = {
    "n_ibz_kpts": r"Number of IBZ points:\s+(\d+)",
    "n_bz_kpts": r"Number of BZ points:\s+(\d+)",
    "n_planewaves": r"Plane wave coefficients:\s+(\d+)",
    "n_bands": r"^Bands:\s+(\d+)",
    "n_valence_electrons": r"Valence electrons:\s+([0-9.]+)",
    "n_cores": r"^cores:\s+(\d+)",
}
_LAYOUT = re.compile(r"Parallelization:\s*\n\s*kpt:\s*(\d+)\s*\n\s*domain:\s*(\d+)\s*\n\s*band:\s*(\d+)")
_SCF_DONE = re.compile(r"Converged in (\d+) steps\s*\nSCF loop duration:\s*([0-9.]+) s")


def gpaw_log_stats(txt_path) -> dict:
    """Problem size and SCF loops of one GPAW text log (empty dict when the file is missing)."""
    path = Path(txt_path)
    if not path.exists():
        return {}
    text = path.read_text(errors="replace")
    out: dict = {}
    for key, pat in _SIZE_PATTERNS.items():
        m = re.search(pat, text, flags=re.M)
        out[key] = (float(m.group(1)) if "." in m.group(1) else int(m.group(1))) if m else None
    m = _LAYOUT.search(text)
    out["parallel_kpt_domain_band"] = [int(g) for g in m.groups()] if m else None
    loops = [(int(n), float(t)) for n, t in _SCF_DONE.findall(text)]
    out["scf_iterations"] = [n for n, _ in loops]
    out["scf_seconds"] = [t for _, t in loops]
    out["n_scf_loops"] = len(loops)
    out["n_scf_iterations"] = sum(n for n, _ in loops)
    out["scf_seconds_total"] = sum(t for _, t in loops)
    return out
