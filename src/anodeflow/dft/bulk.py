"""Bulk references (methods §3): equilibrium lattice constant by an equation-of-state scan, and the
energy per atom at the minimum (the metal's chemical potential)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..io import job_fingerprint

EOS_STRAINS = (-0.04, -0.02, 0.0, 0.02, 0.04)  # relative lattice-constant scan around the start
MAX_EOS_SCANS = 4
EOS_RECENTRE = 0.01  # rescan centred on the fit when it lies further than this from the centre


def relax_bulk(spec: dict, calc_factory, workdir, energy_calc_factory=None, is_root: bool = True) -> dict:
    """Equilibrium lattice constant by an equation-of-state scan (isotropic for 3D crystals,
    in-plane for 2D sheets), then the energy per atom at the minimum.

    ``calc_factory`` makes the calculator of the scan; ``energy_calc_factory`` (default: the same)
    that of the final energy at the minimum. They differ when the preset asks for a denser bulk
    scan (``bulk_ecut_eV``, ``bulk_kpt_density``): the lattice constant then comes from the converged
    scan, while the energy per atom (the chemical potential of vacancy formation energies) is at the
    slab settings, so that it can be subtracted from slab energies.

    An E(V) fit avoids stress tensors, which GPAW does not provide for BEEF-vdW; cubic and
    hexagonal-sheet phases have no free internal coordinates, and the forces at the minimum
    are recorded to show it (bulk fmax target ``preset.fmax_bulk``).
    """
    from ase import units
    from ase.eos import EquationOfState

    from ..interfaces import structures

    phase = spec["phase"]
    a0 = spec["a0_A"]
    kind = spec["kind"]

    def build(a):
        if kind == "metal":
            return structures.bulk_metal(phase, a, spec.get("structure", "bcc"))
        return structures.bulk_coating(spec["coating"], a)

    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    cache = work / "eos.json"
    # points are reused only by the same job spec (a killed scan resumes where it stopped); a spec
    # changed in config (cutoff, k-points, functional, ...) starts a fresh scan in the same workdir
    spec_sha = job_fingerprint(spec)
    cached = json.loads(cache.read_text()) if cache.exists() else {}
    done = cached.get("energies", {}) if cached.get("spec_sha256") == spec_sha else {}

    def energy(a):
        atoms = build(a)
        key = f"{a:.6f}"
        if key not in done:
            atoms.calc = calc_factory(atoms)
            done[key] = float(atoms.get_potential_energy())
            if is_root:
                cache.write_text(json.dumps({"spec_sha256": spec_sha, "energies": done}))
        size = atoms.get_volume() if kind != "2d" else np.linalg.norm(np.cross(atoms.cell[0], atoms.cell[1]))
        return done[key], size

    centre = a0
    for scan in range(MAX_EOS_SCANS):
        aa = np.array([centre * (1 + eps) for eps in EOS_STRAINS])
        ee, vv = map(np.asarray, zip(*(energy(a) for a in aa)))
        k = int(np.argmin(ee))
        if k in (0, len(ee) - 1):
            # the minimum is beyond the window: recentre on the lowest point and scan again
            centre, a_eq, fit, inside = float(aa[k]), float(aa[k]), {"method": "none"}, False
            continue
        if kind == "2d":
            c = np.polyfit(aa, ee, 2)
            a_eq = float(-c[1] / (2 * c[0]))
            fit = {"method": "quadratic E(a)", "curvature_eV_per_A2": float(2 * c[0])}
        else:
            eos = EquationOfState(vv, ee, eos="birchmurnaghan")
            v_eq, e_eq, B = eos.fit()
            a_eq = float(centre * (v_eq / vv[len(vv) // 2]) ** (1 / 3))
            fit = {"method": "Birch-Murnaghan E(V)", "bulk_modulus_GPa": float(B / units.GPa)}
        inside = True
        if abs(a_eq / centre - 1) <= EOS_RECENTRE or scan == MAX_EOS_SCANS - 1:
            break
        centre = a_eq  # bracketed but off-centre: one more scan centred on the fit, for accuracy
    fit["scans"] = scan + 1
    if not inside:
        fit["warning"] = f"minimum not bracketed after {MAX_EOS_SCANS} scans: check a0_A and the preset"
    atoms = build(a_eq)
    atoms.calc = (energy_calc_factory or calc_factory)(atoms)
    e = float(atoms.get_potential_energy())
    f = atoms.get_forces()
    return {
        "atoms": atoms,
        "a_A": a_eq,
        "energy_eV": e,
        "energy_per_atom_eV": e / len(atoms),
        "natoms": len(atoms),
        "fmax_eV_A": float(np.abs(f).max()),
        "eos": fit,
        "scan": {"a_A": aa.tolist(), "energy_eV": ee.tolist()},
        "a0_A": a0,
    }


def bulk_scan_preset(preset: dict) -> dict:
    """The preset of the bulk equation-of-state scan: ``bulk_ecut_eV`` / ``bulk_kpt_density`` (when
    set) replace the slab values. A one- or two-atom cell needs a much denser k-mesh and, with a fixed
    plane-wave basis across volumes, a higher cutoff than a slab for its lattice constant: at 250 eV and
    2 k-points per A^-1 (5x5x5), PBE Li came out at 3.61 A (literature 3.43) and LiF at 3.92 A (4.06),
    which also changed which coherent interface cell matched."""
    p = dict(preset)
    if p.get("bulk_ecut_eV"):
        p["ecut_eV"] = p["bulk_ecut_eV"]
    if p.get("bulk_kpt_density"):
        p["kpt_density"] = p["bulk_kpt_density"]
    return p


def plot_eos(result: dict, path) -> None:
    """E(a) of the scan with the fitted minimum marked (``result``: the bulk job's JSON record)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    a = np.asarray(result["scan"]["a_A"])
    e = np.asarray(result["scan"]["energy_eV"]) / result["natoms"]
    fig, ax = plt.subplots(figsize=(4.2, 3.2))
    ax.plot(a, e, "o", label="scan")
    ax.axvline(result["a_A"], color="C3", ls="--", lw=1, label=f"a = {result['a_A']:.4f} Å")
    ax.axvline(result["a0_A"], color="0.6", ls=":", lw=1, label=f"config a0 = {result['a0_A']:.3f} Å")
    ax.set_xlabel("lattice constant a (Å)")
    ax.set_ylabel("E per atom of the scan cell (eV)")
    fit = result["eos"]
    extra = f", B = {fit['bulk_modulus_GPa']:.1f} GPa" if "bulk_modulus_GPa" in fit else ""
    ax.set_title(f"{result['phase']} ({result['xc']}): {fit['method']}{extra}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
