"""Grain-selection phase field (methods.md section 8): model, parameters, set-up.

Model
-----
One order parameter phi_q per grain q = 0..n-1 (multi-order-parameter Allen-Cahn,
Fan & Chen, Acta Mater. 45, 611 (1997))::

    d phi_q / dt = -L_q dF/dphi_q
    F = int [ w f0(phi) + sum_q (kappa_q / 2) |grad phi_q|^2 ] dr
    f0 = sum_q (-phi_q^2/2 + phi_q^4/4) + gamma sum_{q<p} phi_q^2 phi_p^2

so that ``dF/dphi_q = w (phi_q^3 - phi_q + 2 gamma phi_q (S - phi_q^2)) - kappa_q lap phi_q``
with ``S = sum_p phi_p^2`` (computed once per cell and step).

Non-dimensionalisation (written down as methods.md asks)
-------------------------------------------------------
* length unit l0 = 1 um: the reference grid spacing is dx = 0.5;
* time unit t0 = 1 s: the reference step is dt = 0.01;
* energy-density unit w0 = the Landau barrier scale, so w = 1 by default;
* hence kappa_q is in w0 um^2, L_q in 1/(w0 s), and the constants of methods.md
  (L1 = 7.5, L2 = 0.27, kappa1 = 4.1e-9, kappa2 = 20; anodeflow.constants) give
  L_q and kappa_q of order 0.1-10 in these units. w0 itself never needs a value:
  the texture depends only on L_q w0 and kappa_q / w0, which the mapping fixes.
  Equivalently: t = t~ * (1 s), x = x~ * (1 um), and every equation below is in the
  tilde variables.

Discretisation: explicit Euler, 5-point Laplacian, periodic along x, no flux
through inactive cells (substrate below the rough bottom interface, and rows
not yet activated). Order parameters whose magnitude falls below ``prune``
(default 1e-4) after a step are set to exactly zero; this is part of the
discrete model (both solvers apply it identically) and is what lets the fast
solver track each grain only where it is non-zero.

Linear stability of explicit Euler (methods.md): the linearisation about a grain
interior has rate L (8 kappa / dx^2 + w f0'') for the checkerboard mode, so

    dt <= 2 / [L_max (8 kappa_max / dx^2 + w f''_max)],  f''_max = max(2, 2 gamma - 1)

:func:`stability_bound` computes it and :func:`check_stability` refuses a larger step.

Growth: 75 nuclei at random columns sit on a rough substrate (random-walk
profile of a few cells: nuclei sit at contact points, not on a line), each with
a random orientation (001)/(101)/(111). Rows are activated one by one from the
bottom at the deposition velocity; inactive rows are frozen at phi = 0 and do
not exchange flux. Everything random comes from one ``numpy.random.Generator``
seeded by ``seed``: a run is reproducible bit for bit.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from .. import constants as C

ORIENTATIONS = C.PF_ORIENTATIONS


#: relative odds of (001), (101), (111) nuclei in the grain-selection runs: each nucleus draws
#: its orientation at random (methods.md section 8)
EQUAL_ODDS = (1.0, 1.0, 1.0)


@dataclass(frozen=True)
class GrowthParams:
    """Numerical and geometric settings of one run (normalised units, see module doc).

    Built from the config section ``phasefield`` by :meth:`from_config` (defaults: its schema,
    workflow/schemas/phasefield.schema.yaml)."""

    nx: int                       # cells along the substrate (periodic)
    ny: int                       # cells along the growth direction
    dx: float                     # um
    dt: float                     # s
    n_steps: int                  # steps of t_end_s at the requested dt_s (a run's own count may differ)
    n_nuclei: int
    w: float                      # Landau barrier (w0 units)
    gamma: float                  # cross-coupling of f0 (gamma > 1/2 keeps grains distinct)
    deposition_velocity: float    # um/s: one row of dx every dx/v seconds
    roughness_cells: int          # amplitude (cells) of the rough substrate profile
    nucleus_radius_cells: float
    prune: float                  # |phi| below this is set to 0 after each step
    stability: str                # which explicit-Euler bound is checked: "methods" or "sharp"
    seed: int
    orientation_weights: tuple    # relative odds of (001), (101), (111) nuclei

    @classmethod
    def from_config(cls, pf: dict, grid: dict | None = None, seed: int | None = None,
                    orientation_weights=EQUAL_ODDS) -> "GrowthParams":
        """Settings of a run from the validated ``phasefield`` section; ``grid`` overrides keys of
        ``phasefield.grid`` (the sweeps' smaller grids), ``seed`` replaces ``phasefield.seed``."""
        g = {**pf["grid"], **(grid or {})}
        return cls(nx=g["nx"], ny=g["ny"], dx=g["dx_um"], dt=pf["dt_s"],
                   n_steps=int(math.ceil(pf["t_end_s"] / pf["dt_s"] - 1e-9)), n_nuclei=g["n_nuclei"],
                   w=pf["w"], gamma=pf["gamma"], deposition_velocity=pf["deposition_velocity_um_s"],
                   roughness_cells=g["roughness_cells"], nucleus_radius_cells=g["nucleus_radius_cells"],
                   prune=pf["prune"], stability=pf["stability"], seed=pf["seed"] if seed is None else seed,
                   orientation_weights=tuple(orientation_weights))

    @property
    def steps_per_row(self) -> int:
        return max(1, int(round(self.dx / (self.deposition_velocity * self.dt))))

    def to_dict(self) -> dict:
        return asdict(self)


def mobility(E_a_eV, T_K) -> np.ndarray:
    """L_q = L1 exp(-L2 E_a / (k_B T)) (methods.md section 8), in 1/(w0 s)."""
    E_a = np.asarray(E_a_eV, dtype=float)
    return C.PF_L1 * np.exp(-C.PF_L2 * E_a / (C.KB_EV_PER_K * T_K))


def gradient_coefficient(E_s, E_0) -> np.ndarray:
    """kappa_q = kappa1 exp(kappa2 E_s / E_0) (methods.md section 8), in w0 um^2.

    ``E_s`` and ``E_0`` in the same unit (J/m^2 here); E_0 is the mean surface
    energy over the grains present."""
    E_s = np.asarray(E_s, dtype=float)
    return C.PF_KAPPA1 * np.exp(C.PF_KAPPA2 * E_s / E_0)


def f2_max(gamma: float) -> float:
    """Largest curvature of f0 at the wells: max(2, 2 gamma - 1)."""
    return max(2.0, 2.0 * gamma - 1.0)


def stability_bound(L, kappa, dx: float, w: float, gamma: float, kind: str = "methods") -> float:
    """Largest stable explicit-Euler step.

    ``kind="methods"`` (methods.md): 2 / [L_max (8 kappa_max/dx^2 + w f''_max)].
    ``kind="sharp"``: 2 / [max_q (L_q 8 kappa_q/dx^2) + L_max w f''_max]. Why it is still a
    bound: the linearised update is dt diag(L) (K + W) with K = diag(8 kappa_q/dx^2) for the
    fastest (checkerboard) mode and W the Hessian of w f0 (|W| <= w f''_max); diag(L)(K + W)
    is similar to the symmetric L^1/2 K L^1/2 + L^1/2 W L^1/2 = diag(L_q K_q) + L^1/2 W L^1/2,
    whose largest eigenvalue is at most max_q L_q K_q + L_max w f''_max (Weyl). The methods
    form pairs the largest L with the largest kappa even when no grain has both."""
    L = np.asarray(L, float)
    kappa = np.asarray(kappa, float)
    if kind == "sharp":
        return 2.0 / (float(np.max(L * 8.0 * kappa / dx**2)) + float(np.max(L)) * w * f2_max(gamma))
    L_max = float(np.max(L))
    k_max = float(np.max(kappa))
    return 2.0 / (L_max * (8.0 * k_max / dx**2 + w * f2_max(gamma)))


class UnstableStepError(ValueError):
    """The requested time step exceeds the explicit-Euler stability bound."""


def check_stability(dt: float, L, kappa, dx: float, w: float, gamma: float, kind: str = "methods") -> float:
    """Return the bound; raise :class:`UnstableStepError` (stating it) if dt exceeds it."""
    bound = stability_bound(L, kappa, dx, w, gamma, kind)
    if dt > bound:
        form = ("2 / [L_max (8 kappa_max/dx^2 + w f''_max)]" if kind != "sharp"
                else "2 / [max_q L_q 8 kappa_q/dx^2 + L_max w f''_max]")
        raise UnstableStepError(
            f"time step dt = {dt:g} s is unstable for explicit Euler: the bound is "
            f"dt <= {form} = {bound:.4g} s "
            f"(L_max = {np.max(L):.4g}, kappa_max = {np.max(kappa):.4g}, dx = {dx:g}, "
            f"w = {w:g}, f''_max = {f2_max(gamma):g}); lower phasefield.dt")
    return bound


@dataclass
class Setup:
    """Initial state of a growth run: substrate, nuclei, orientations, per-grain L and kappa."""

    params: GrowthParams
    substrate: np.ndarray          # (nx,) int: cells j < substrate[i] are substrate (inactive)
    nucleus_x: np.ndarray          # (n,) int columns
    orientation: np.ndarray        # (n,) int index into ORIENTATIONS
    L: np.ndarray                  # (n,)
    kappa: np.ndarray              # (n,)
    phi0: np.ndarray = field(repr=False, default=None)   # (n, ny, nx)
    rows0: int = 0                 # rows active at step 0

    def active_rows(self, step: int) -> int:
        """Rows 0..active_rows-1 are activated at the start of ``step``."""
        return min(self.params.ny, self.rows0 + step // self.params.steps_per_row)


def rough_substrate(rng: np.random.Generator, nx: int, amplitude: int) -> np.ndarray:
    """Periodic random-walk profile in {0..amplitude} (cells), smoothed over 3 columns."""
    if amplitude <= 0:
        return np.zeros(nx, dtype=np.int64)
    steps = rng.integers(-1, 2, size=nx)
    h = np.cumsum(steps).astype(float)
    h -= np.linspace(0.0, h[-1], nx)          # close the walk: periodic
    h = (np.roll(h, 1) + h + np.roll(h, -1)) / 3.0
    h -= h.min()
    if h.max() > 0:
        h *= amplitude / h.max()
    return np.rint(h).astype(np.int64)


def make_setup(params: GrowthParams, L_by_orientation, kappa_by_orientation=None, *,
               E_s_by_orientation=None) -> Setup:
    """Build the reproducible initial state.

    Give either ``kappa_by_orientation`` directly, or ``E_s_by_orientation`` (then
    kappa_q = kappa1 exp(kappa2 E_s,q / E_0) with E_0 the mean E_s over the grains present).
    ``L_by_orientation`` is the mobility of (001), (101), (111) grains.
    """
    p = params
    rng = np.random.default_rng(p.seed)
    sub = rough_substrate(rng, p.nx, p.roughness_cells)
    if p.n_nuclei > p.nx:
        raise ValueError(f"n_nuclei = {p.n_nuclei} exceeds nx = {p.nx}")
    xs = np.sort(rng.choice(p.nx, size=p.n_nuclei, replace=False))
    wts = np.asarray(p.orientation_weights, float)
    ori = rng.choice(len(ORIENTATIONS), size=p.n_nuclei, p=wts / wts.sum())
    L = np.asarray(L_by_orientation, float)[ori]
    if E_s_by_orientation is not None:
        E_s = np.asarray(E_s_by_orientation, float)[ori]
        kappa = gradient_coefficient(E_s, float(E_s.mean()))
    else:
        kappa = np.asarray(kappa_by_orientation, float)[ori]
    phi0 = np.zeros((p.n_nuclei, p.ny, p.nx))
    r = p.nucleus_radius_cells
    ri = int(math.ceil(r))
    for q, x in enumerate(xs):              # contact points first: every nucleus touches the substrate
        phi0[q, sub[x], x] = 1.0
    for q, x in enumerate(xs):
        j0 = sub[x]                         # first solid-free cell: the contact point
        for dj in range(0, ri + 1):
            for di in range(-ri, ri + 1):
                if di * di + dj * dj <= r * r + 1e-9:
                    i = (x + di) % p.nx
                    j = j0 + dj
                    if j >= sub[i] and j < p.ny and phi0[:, j, i].max() == 0.0:
                        phi0[q, j, i] = 1.0
    rows0 = int(min(p.ny, sub.max() + ri + 2))
    return Setup(p, sub, xs, ori, L, kappa, phi0, rows0)


def grain_map(phi: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Index of the grain with the largest phi per cell, -1 where no phi exceeds ``threshold``."""
    g = np.argmax(phi, axis=0)
    m = np.take_along_axis(phi, g[None], axis=0)[0]
    return np.where(m > threshold, g, -1)


def custom_setup(params: GrowthParams, phi0, L, kappa, orientation=None, substrate=None,
                 rows0: int | None = None) -> Setup:
    """A set-up from a given initial field (tests, flat-front and flat-boundary problems).

    ``rows0`` defaults to all rows active (no layer-by-layer activation unless
    ``params.deposition_velocity`` brings more rows in over time)."""
    phi0 = np.asarray(phi0, float)
    n = phi0.shape[0]
    sub = np.zeros(params.nx, np.int64) if substrate is None else np.asarray(substrate, np.int64)
    ori = np.zeros(n, np.int64) if orientation is None else np.asarray(orientation, np.int64)
    return Setup(params, sub, np.zeros(n, np.int64), ori, np.asarray(L, float),
                 np.asarray(kappa, float), phi0, params.ny if rows0 is None else int(rows0))


def pulled_front_speed(L: float, kappa: float, w: float, dx: float, dt: float) -> float:
    """Speed v* of :func:`pulled_front`."""
    return pulled_front(L, kappa, w, dx, dt)[0]


def pulled_front(L: float, kappa: float, w: float, dx: float, dt: float) -> tuple[float, float]:
    """(v*, lambda*): speed (um/s) of a flat grain front invading activated, empty cells (phi = 0).

    phi = 0 is the unstable state of f0, so the front is a pulled (Fisher-KPP) front
    whose speed is set by the linearisation d phi/dt = L (w phi + kappa lap phi).
    For the discrete scheme (5-point Laplacian, explicit Euler) a mode exp(-lambda x)
    grows by g = 1 + dt L [w + kappa (2 cosh(lambda dx) - 2)/dx^2] per step, and the
    selected speed is v* = min_lambda ln(g)/(dt lambda) (van Saarloos, Phys. Rep. 386,
    29 (2003), section 2); lambda* (1/um) is the minimiser. Continuum limit: v* = 2 L sqrt(w kappa),
    lambda* = sqrt(w/kappa). From a steep initial step the front lags behind v* t by
    (3 / (2 lambda*)) ln t (Bramson's logarithmic correction, van Saarloos section 3)."""
    from scipy.optimize import minimize_scalar

    def v(lam):
        g = 1.0 + dt * L * (w + kappa * (2.0 * np.cosh(lam * dx) - 2.0) / dx**2)
        return np.log(g) / (dt * lam)

    lam_c = np.sqrt(w / kappa)
    r = minimize_scalar(v, bounds=(1e-3 * lam_c, 20.0 * lam_c), method="bounded",
                        options={"xatol": 1e-10})
    return float(r.fun), float(r.x)
