"""Projected density of states per atom group (methods §6): tag1, tag2, the rest of the metal
slab, and each coating element, from the pristine GPAW restart file.

Projections are GPAW's PAW-projector PDOS (``gpaw.dos.DOSCalculator.raw_pdos``), summed over
the angular momenta of each atom's setup and over the atoms of a group, Gaussian-broadened,
energies relative to the Fermi level.
"""

from __future__ import annotations

import numpy as np

DEFAULT_WIDTH_EV = 0.15
DEFAULT_WINDOW_EV = (-12.0, 5.0)


def atom_groups(symbols, tags, is_metal) -> dict[str, list[int]]:
    """Group name -> atom indices: tag1, tag2, metal_rest, and coating_<element> per element."""
    tags = np.asarray(tags)
    is_metal = np.asarray(is_metal, bool)
    groups = {
        "tag1": np.flatnonzero(tags == 1),
        "tag2": np.flatnonzero(tags == 2),
        "metal_rest": np.flatnonzero(is_metal & (tags == 0)),
    }
    for el in sorted({s for s, m in zip(symbols, is_metal) if not m}):
        groups[f"coating_{el}"] = np.flatnonzero((~is_metal) & (np.asarray(symbols) == el))
    return {k: [int(i) for i in v] for k, v in groups.items() if len(v)}


def group_pdos(
    gpw_path, groups: dict, width: float = DEFAULT_WIDTH_EV, window=DEFAULT_WINDOW_EV, npoints: int = 600
) -> dict:
    """Energies (eV, E - E_F) and the summed PDOS (states/eV) of every group, plus the total DOS."""
    from gpaw.dos import DOSCalculator

    dos = DOSCalculator.from_calculator(str(gpw_path))
    e = np.asarray(dos.get_energies(window[0], window[1], npoints))
    out = {"energy_eV": e, "total": np.asarray(dos.raw_dos(e, width=width))}
    cache = {}
    for name, atoms in groups.items():
        acc = np.zeros_like(e)
        for index in atoms:
            if index not in cache:
                channels = sorted(set(dos.setups[index].l_j))  # angular momenta of the atom's projectors
                cache[index] = sum(np.asarray(dos.raw_pdos(e, index, ell, width=width)) for ell in channels)
            acc += cache[index]
        out[name] = acc
    return out


def plot_pdos(pdos: dict, groups: dict, path, title: str = "") -> None:
    from .plots import _plt, finish

    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    e = pdos["energy_eV"]
    for name, idx in groups.items():
        ax.plot(e, pdos[name] / len(idx), label=f"{name} ({len(idx)} atoms)")
    ax.axvline(0.0, color="0.4", ls=":", lw=1)
    finish(fig, ax, path, "E - E$_F$ (eV)", "PDOS per atom (states/eV)", title)
