"""Did a ribbon stay solid? The growth rate of its interior MSD against the liquid's (methods.md 7.3).

The ribbon's interior atoms (|z - z_mid| < 0.3 slab) have a mean-square displacement MSD(t) in x and z
(centre of mass removed; y, the thin periodic direction, is left out: see anodeflow.md.ribbon). A solid's
MSD rises within a picosecond to its vibrational plateau and then grows only by vacancy and interstitial
diffusion; a liquid's grows at 4 D_liq (x and z). A bound on the *total* MSD calls any slowly diffusing
solid "melted" on a long enough run (Na (100), b = 2, 413 K: 80 A^2 after 5 ns at 0.016 A^2/ps, bcc order
kept), so the test compares *rates*:

    rate = d MSD / dt over the second half of the run (least squares; past the vibrational rise),
    solid  <=>  rate <= max_msd_rate_fraction * rate_liq(T),

with rate_liq(T) from a bulk liquid at the same T and the same MSD definition (anodeflow.md.bulk.liquid_run:
the supercooled melt of the same potential; ribbon temperatures lie below T_m).

The threshold (``cft.max_msd_rate_fraction``, default 0.1). If a fraction phi of the interior region is
liquid and the rest crystal, the region's MSD grows at ~phi rate_liq (the crystal contributes ~0 on the
liquid's scale), so the ratio rate/rate_liq measures the molten fraction: 1 for a melted interior. A crystal
diffuses by vacancies, orders of magnitude slower than its melt even at T_m; the two-spacing Na ribbon at
0.9 T_m, the fastest-diffusing solid ribbon measured (bcc order kept), gave 0.016 against ~1.6 A^2/ps
(ratio 0.01). 0.1 is a decade from either: a ribbon whose interior is at least ~10 % molten is called
melted, a solid diffusing ten times faster than that ribbon still passes.

A fully molten ribbon (``molten``) is isotropic: its capillary spectrum is the liquid's surface tension.
"""

from __future__ import annotations

import numpy as np


def msd_rate(msd_A2, dt_ps: float) -> float:
    """Growth rate (A^2/ps) of an MSD series sampled every ``dt_ps``: the least-squares slope over the second
    half of the samples (NaN with fewer than 3 there)."""
    msd = np.asarray(msd_A2, float)
    t = np.arange(len(msd)) * dt_ps
    half = len(msd) // 2
    ok = np.isfinite(msd[half:])
    if ok.sum() < 3:
        return float("nan")
    return float(np.polyfit(t[half:][ok], msd[half:][ok], 1)[0])


def interior_solid(msd_A2, dt_ps: float, liquid_rate_A2_per_ps: float, max_fraction: float) -> tuple[float, bool]:
    """(interior MSD rate, solid?): solid while the rate stays at or below ``max_fraction`` (config
    ``cft.max_msd_rate_fraction``) times the liquid's rate at the same T."""
    if not (np.isfinite(liquid_rate_A2_per_ps) and liquid_rate_A2_per_ps > 0):
        raise ValueError(
            f"liquid MSD rate {liquid_rate_A2_per_ps} A^2/ps: the solid test needs a positive rate "
            "of the bulk liquid at the ribbon's T (results/md/<metal>/liquid_msd.csv, config md.liquid)"
        )
    rate = msd_rate(msd_A2, dt_ps)
    return rate, bool(np.isfinite(rate) and rate <= max_fraction * liquid_rate_A2_per_ps)


def molten(msd_max_A2: float, bcc_fraction: float, a_A: float) -> bool:
    """Fully liquid: the interior atoms diffused farther than a lattice constant (MSD > a^2) and no
    bcc order is left (CNA-bcc fraction < 0.05 over the second half of the run)."""
    return bool(np.isfinite(msd_max_A2) and msd_max_A2 > a_A**2 and bcc_fraction < 0.05)


#: a bulk "liquid" reference with more CNA-bcc order than this has crystallised during its run
MAX_LIQUID_BCC = 0.2


def liquid_rate_at(table, T_K: float) -> float:
    """The liquid MSD rate (A^2/ps) at ``T_K`` from the rows of liquid_msd.csv (``T_K``,
    ``msd_rate_xz_A2_per_ps``, ``bcc_fraction``); an error naming the config keys when T is missing or the
    reference crystallised."""
    rows = [r for r in table if abs(float(r["T_K"]) - float(T_K)) < 1e-6]
    if not rows:
        raise ValueError(
            f"no bulk-liquid reference at {T_K} K in liquid_msd.csv (its temperatures: "
            f"{sorted(float(r['T_K']) for r in table)}); it is run at every ribbon temperature"
        )
    row = rows[0]
    if float(row["bcc_fraction"]) > MAX_LIQUID_BCC:
        raise ValueError(
            f"the bulk-liquid reference at {T_K} K crystallised (CNA-bcc {float(row['bcc_fraction']):.2f}"
            f" > {MAX_LIQUID_BCC}): shorten md.liquid.prod_ps or enlarge md.liquid.cells"
        )
    return float(row["msd_rate_xz_A2_per_ps"])
