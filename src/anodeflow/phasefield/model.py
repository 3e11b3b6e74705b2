"""Grain-selection phase field (methods.md section 8): model, parameters, set-up.

Model (docs/phasefield.md derives everything stated here)
---------------------------------------------------------
Order parameters phi_q, q = 0..n-1 one per grain, and phi_e (index n) for the electrolyte, i.e.
the not-yet-filled domain (multi-order-parameter Allen-Cahn, Fan & Chen, Acta Mater. 45, 611
(1997); Moelans et al., PRB 78, 024113 (2008))::

    d phi_k / dt = -L_k(x) dF/dphi_k                       k = 0..n (n = electrolyte)
    F = int [ w f0(phi) + sum_k g_k h(phi_k) + sum_k (kappa_k / 2) |grad phi_k|^2 ] dr
    f0 = sum_k (phi_k^4/4 - phi_k^2/2) + gamma sum_{k<l} phi_k^2 phi_l^2 + 1/4
    h(phi) = phi^2 (3 - 2 phi)          (h(0) = 0, h(1) = 1, h'(0) = h'(1) = 0)

so that ``dF/dphi_k = w (phi^3 - phi + 2 gamma phi (S - phi^2)) + 6 g_k (phi - phi^2) - kappa_k lap phi``
with ``S = sum_l phi_l^2`` (computed once per cell and step). Every pure state (one phi_k = 1,
the others 0) is a minimum of the local energy, the electrolyte included: the not-yet-filled
domain is stable, and grains enter it by pushed (bistable) fronts, not pulled ones. The bulk
energies (h has zero slope at 0 and 1, so the wells stay at exactly 0 and 1):

* electrolyte g_e = 0 (reference);
* grain q: g_q = -dmu + (U_q - <U>)/w0, U_q = E_s,q/h + F_strain,q(T) (:mod:`.calibration`,
  :func:`.energy_balance.grain_energy_density`). dmu > 0 (``deposition_drive``) is the driving force of
  deposition, which turns electrolyte into metal; the metal source is the row-by-row activation at the
  deposition velocity v = j V_m/(z F) (new rows enter as electrolyte, phi_e = 1). Without the strain
  term, (U_q - <U>)/w0 = sigma_ref (E_s,q/E_0 - 1) l0/h (:func:`surface_drive`).

L_k(x) is the pair mobility of the cell: sum_l L_kl phi_l^2 / sum_l phi_l^2 over the other order
parameters, L_qp = sqrt(L_q L_p) between grains, L_qe (the front mobility) with the electrolyte
(:mod:`.solver`); L_q from D_q(T) (:mod:`.calibration`; :func:`mobility` is methods' dimensionless
mapping, kept for the model-unit tests), kappa_q = kappa1 exp(kappa2 E_s/E_0) (methods); a grain of
higher E_s has a larger kappa_q, hence a higher interface energy (sigma = sqrt(2 w kappa)/3 for a
symmetric pair, gamma = 3/2) and a higher bulk energy g_q.

Units
-----
* length in um (reference dx = 0.5), time in s (physical; dt from the stability bound);
* energy density w0 = E_0 / (sigma_ref l0), l0 = 1 um, sigma_ref = sqrt(2 w kappa_ref)/3, kappa_ref =
  kappa1 exp(kappa2) (the kappa of a grain with E_s = E_0): the model surface energy of the mean
  grain equals the DFT mean surface energy E_0. For w = 1: kappa_ref = 1.99, sigma_ref = 0.665,
  w0 = 1.50 E_0/um (Li: ~7e5 J/m^3, Na: ~3e5 J/m^3);
* L_q in 1/(w0 s), kappa_q in w0 um^2, g_q in w0.

Discretisation: explicit Euler, 5-point Laplacian, periodic along x, no flux through inactive
cells (substrate below the rough bottom interface, and rows not yet activated). After a step, a value
is set to exactly zero where both it and its point-relaxation target phi - mu/D_k (D_k = 4 kappa_k/dx^2 +
w f''_max + 6 |g_k|) are below ``prune`` (default 1e-4): no time step in the rule, so tails end where their
equilibrium value falls to ~prune and slow boundaries are not pinned by a small dt L. This is part of the
discrete model (both solvers apply it identically) and is what lets the fast solver track each order
parameter only where it is non-zero.

Linear stability of explicit Euler: the update of a perturbation is (1 - dt diag(L)(K + W)) with
K = diag(8 kappa_k/dx^2) for the checkerboard mode and W the Hessian of w f0 + sum g_k h(phi_k),
whose largest eigenvalue is at most w f''_max + 6 max|g_k| (f''_max = max(2, 2 gamma - 1); the
h term is diagonal, |g h''| = |g (6 - 12 phi)| <= 6|g| on [0, 1]), so

    dt <= 2 / [L_max (8 kappa_max/dx^2 + w f''_max + 6 g_max)]        (maxima over grains and electrolyte)

:func:`stability_bound` computes it (and the per-grain "sharp" form), :func:`check_stability`
refuses a larger step.

Growth: 75 nuclei at random columns sit on a rough substrate (random-walk profile of a few
cells: nuclei sit at contact points, not on a line), each with a random orientation
(001)/(101)/(111), and own the substrate columns nearest to them: a closed seed layer that
fills the rough bottom and is ``seed_layer_cells`` thick above its highest point (an isolated
nucleus of one cell, or a thinner layer, would lie below the critical size and dissolve into the
stable electrolyte), under one row of electrolyte. With ``anchor_seeds`` the substrate holds each
nucleus on its columns (Dirichlet bottom) until the grain is overgrown (``release_rows`` below the
front); ``seed_relax_steps``: the first steps run every order parameter at one mobility. Rows are activated one by one
from the bottom at the deposition velocity (phi_e = 1 in a new row); inactive rows are frozen at
zero and do not exchange flux. Everything random comes from one ``numpy.random.Generator`` seeded
by ``seed``: a run is reproducible bit for bit.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from .. import constants as const

ORIENTATIONS = const.PF_ORIENTATIONS


#: relative odds of (001), (101), (111) nuclei in the grain-selection runs: each nucleus draws
#: its orientation at random (methods.md section 8)
EQUAL_ODDS = (1.0, 1.0, 1.0)


@dataclass(frozen=True)
class GrowthParams:
    """Numerical and geometric settings of one run (normalised units, see module doc).

    Built from the config section ``phasefield`` by :meth:`from_config` (defaults: its schema,
    workflow/schemas/phasefield.schema.yaml)."""

    nx: int  # cells along the substrate (periodic)
    ny: int  # cells along the growth direction
    dx: float  # um
    dt: float  # s
    n_steps: int  # steps of t_end_s at dt (0: not fixed; a run sets its own count)
    n_nuclei: int
    w: float  # Landau barrier (w0 units)
    gamma: float  # cross-coupling of f0 (gamma > 1/2 keeps grains distinct; 3/2: analytic profiles)
    deposition_velocity: float  # um/s: one row of dx every dx/v seconds (v = j V_m/(z F), calibration)
    roughness_cells: int  # amplitude (cells) of the rough substrate profile
    seed_layer_cells: int  # seed layer thickness above the rough bottom (cells)
    prune: float  # set to 0 after a step where |phi| and its relaxation target |phi - mu/D| are below this
    stability: str  # which explicit-Euler bound is checked: "methods" or "sharp"
    seed: int
    orientation_weights: tuple  # relative odds of (001), (101), (111) nuclei
    gamma_e: float | None = None  # cross-coupling grain-electrolyte (None: gamma)
    deposition_drive: float = 0.15  # dmu (w0): metal against electrolyte
    surface_drive_h_um: float | None = 10.0  # h of dGamma = (E_s - E_0)/h when only E_s is given; None: none
    electrolyte_L: float | None = None  # L_e (1/(w0 s)); None: the front mobility L_f, else the largest grain L
    electrolyte_kappa: float | None = None  # kappa_e (w0 um^2); None: kappa_ref = kappa1 exp(kappa2)
    anchor_seeds: bool = True  # the substrate holds each nucleus's contact columns (Dirichlet)
    seed_relax_steps: int = 0  # first steps: every order parameter at one (the largest stable) L
    release_rows: int = 10  # anchored grains buried this many rows below the front are released

    @classmethod
    def from_config(
        cls,
        pf: dict,
        grid: dict | None = None,
        seed: int | None = None,
        orientation_weights=EQUAL_ODDS,
        *,
        deposition_velocity: float = 1.0,
        dt: float | None = None,
    ) -> GrowthParams:
        """Settings of a run from the validated ``phasefield`` section; ``grid`` overrides keys of
        ``phasefield.grid`` (the sweeps' smaller grids), ``seed`` replaces ``phasefield.seed``. The
        deposition velocity (um/s, from the metal and the current density: :mod:`.calibration`) and the
        time step (from the stability bound: :func:`anodeflow.phasefield.growth.stable_time_step`) are
        the run's; ``dt`` defaults to ``phasefield.dt_s`` (1 s if null, until the run sets it)."""
        g = {**pf["grid"], **(grid or {})}
        dt = dt if dt is not None else (pf["dt_s"] if pf.get("dt_s") else 1.0)
        t_end = pf.get("t_end_s")
        return cls(
            nx=g["nx"],
            ny=g["ny"],
            dx=g["dx_um"],
            dt=dt,
            n_steps=int(math.ceil(t_end / dt - 1e-9)) if t_end else 0,
            n_nuclei=g["n_nuclei"],
            w=pf["w"],
            gamma=pf["gamma"],
            deposition_velocity=deposition_velocity,
            roughness_cells=g["roughness_cells"],
            seed_layer_cells=g["seed_layer_cells"],
            prune=pf["prune"],
            stability=pf["stability"],
            seed=pf["seed"] if seed is None else seed,
            orientation_weights=tuple(orientation_weights),
            deposition_drive=pf["deposition_drive"],
            gamma_e=pf["gamma_e"],
            surface_drive_h_um=pf["film"]["h_um"],
            electrolyte_L=pf["electrolyte_L"],
            electrolyte_kappa=pf["electrolyte_kappa"],
            anchor_seeds=pf["anchor_seeds"],
            seed_relax_steps=pf["seed_relax_steps"],
            release_rows=pf["release_rows"],
        )

    @property
    def gamma_electrolyte(self) -> float:
        return self.gamma if self.gamma_e is None else self.gamma_e

    @property
    def gamma_max(self) -> float:
        """The largest cross-coupling: it sets f''_max of the stability bound."""
        return max(self.gamma, self.gamma_electrolyte)

    @property
    def steps_per_row(self) -> int:
        return max(1, int(round(self.dx / (self.deposition_velocity * self.dt))))

    def to_dict(self) -> dict:
        return asdict(self)


def mobility(E_a_eV, T_K) -> np.ndarray:
    """L_q = L1 exp(-L2 E_a / (k_B T)) (methods.md section 8), in 1/(w0 s)."""
    E_a = np.asarray(E_a_eV, dtype=float)
    return const.PF_L1 * np.exp(-const.PF_L2 * E_a / (const.KB_EV_PER_K * T_K))


def gradient_coefficient(E_s, E_0) -> np.ndarray:
    """kappa_q = kappa1 exp(kappa2 E_s / E_0) (methods.md section 8), in w0 um^2.

    ``E_s`` and ``E_0`` in the same unit (J/m^2 here); E_0 is the mean surface
    energy over the grains present."""
    E_s = np.asarray(E_s, dtype=float)
    return const.PF_KAPPA1 * np.exp(const.PF_KAPPA2 * E_s / E_0)


def kappa_ref() -> float:
    """kappa of a grain with E_s = E_0: kappa1 exp(kappa2) (w0 um^2)."""
    return float(gradient_coefficient(1.0, 1.0))


def interface_energy(kappa: float, w: float) -> float:
    """sigma = sqrt(2 w kappa)/3 (w0 um) of a flat boundary between two order parameters of equal
    kappa at gamma = 3/2 (profile phi = 1/(1 + exp(x/l)), l = sqrt(kappa/(2w)); docs/phasefield.md)."""
    return math.sqrt(2.0 * w * kappa) / 3.0


def sigma_ref(w: float) -> float:
    """The model surface energy of the mean grain, sigma(kappa_ref): the energy-density unit is
    w0 = E_0/(sigma_ref l0)."""
    return interface_energy(kappa_ref(), w)


def surface_drive(E_s, E_0: float, h_um: float | None, w: float) -> np.ndarray:
    """dGamma_q = (E_s,q - E_0)/h in w0 units: sigma_ref (E_s,q/E_0 - 1) (1 um / h). Zero if h is None."""
    E_s = np.asarray(E_s, dtype=float)
    if h_um is None:
        return np.zeros_like(E_s)
    return sigma_ref(w) * (E_s / E_0 - 1.0) / h_um


def bulk_energies(params: GrowthParams, dGamma) -> np.ndarray:
    """g_q = -dmu + dGamma_q of the grains (the electrolyte has g_e = 0)."""
    return -params.deposition_drive + np.asarray(dGamma, dtype=float)


def f2_max(gamma: float) -> float:
    """Largest curvature of f0 over the wells and two-grain boundaries: max(2, 2 gamma - 1)
    (at a boundary midpoint the Hessian's largest eigenvalue is 3 gamma/2 - 1/4, below this)."""
    return max(2.0, 2.0 * gamma - 1.0)


def stability_bound(L, kappa, dx: float, w: float, gamma: float, kind: str = "methods", g=None) -> float:
    """Largest stable explicit-Euler step (L, kappa, g: every order parameter, electrolyte included).

    ``kind="methods"``: 2 / [L_max (8 kappa_max/dx^2 + w f''_max + 6 g_max)].
    ``kind="sharp"``: 2 / [max_k (L_k 8 kappa_k/dx^2) + L_max (w f''_max + 6 g_max)]. Why it is still a
    bound: the linearised update is dt diag(L) (K + W) with K = diag(8 kappa_k/dx^2) for the fastest
    (checkerboard) mode and W the Hessian of w f0 + sum g_k h(phi_k) (|W| <= w f''_max + 6 g_max);
    diag(L)(K + W) is similar to the symmetric diag(L_k K_k) + L^1/2 W L^1/2, whose largest eigenvalue
    is at most max_k L_k K_k + L_max (w f''_max + 6 g_max) (Weyl). The methods form pairs the largest
    L with the largest kappa even when no order parameter has both."""
    L = np.asarray(L, float)
    kappa = np.asarray(kappa, float)
    gm = 0.0 if g is None else float(np.max(np.abs(np.asarray(g, float)), initial=0.0))
    local = w * f2_max(gamma) + 6.0 * gm
    if kind == "sharp":
        return 2.0 / (float(np.max(L * 8.0 * kappa / dx**2)) + float(np.max(L)) * local)
    L_max = float(np.max(L))
    k_max = float(np.max(kappa))
    return 2.0 / (L_max * (8.0 * k_max / dx**2 + local))


class UnstableStepError(ValueError):
    """The requested time step exceeds the explicit-Euler stability bound."""


def check_stability(dt: float, L, kappa, dx: float, w: float, gamma: float, kind: str = "methods", g=None) -> float:
    """Return the bound; raise :class:`UnstableStepError` (stating it) if dt exceeds it."""
    bound = stability_bound(L, kappa, dx, w, gamma, kind, g)
    if dt > bound:
        form = (
            "2 / [L_max (8 kappa_max/dx^2 + w f''_max + 6 g_max)]"
            if kind != "sharp"
            else "2 / [max_k L_k 8 kappa_k/dx^2 + L_max (w f''_max + 6 g_max)]"
        )
        gm = 0.0 if g is None else float(np.max(np.abs(g)))
        raise UnstableStepError(
            f"time step dt = {dt:g} s is unstable for explicit Euler: the bound is "
            f"dt <= {form} = {bound:.4g} s "
            f"(L_max = {np.max(L):.4g}, kappa_max = {np.max(kappa):.4g}, dx = {dx:g}, "
            f"w = {w:g}, f''_max = {f2_max(gamma):g}, g_max = {gm:.3g}); lower phasefield.dt"
        )
    return bound


def check_electrolyte_stable(g, w: float, gamma: float) -> None:
    """The electrolyte (phi_e = 1) is a minimum only if every grain's curvature there,
    (2 gamma - 1) w + 6 g_q, is positive: refuse a deposition drive that would make it a pulled front."""
    g = np.asarray(g, float)
    c = (2.0 * gamma - 1.0) * w + 6.0 * g
    if np.any(c <= 0):
        raise ValueError(
            f"the electrolyte is not a stable state: (2 gamma - 1) w + 6 g_q = {c.min():.3g} <= 0; "
            f"lower phasefield.deposition_drive below (2 gamma - 1) w / 6 - max dGamma"
        )


@dataclass
class Setup:
    """Initial state of a growth run: substrate, nuclei, orientations, per-grain L, kappa, g, and the
    electrolyte's L_e, kappa_e. ``phi0`` holds n grains then the electrolyte: shape (n + 1, ny, nx)."""

    params: GrowthParams
    substrate: np.ndarray  # (nx,) int: cells j < substrate[i] are substrate (inactive)
    nucleus_x: np.ndarray  # (n,) int columns
    orientation: np.ndarray  # (n,) int index into ORIENTATIONS
    L: np.ndarray  # (n,)
    kappa: np.ndarray  # (n,)
    g: np.ndarray  # (n,) bulk energies -dmu + dGamma_q (w0)
    L_e: float
    kappa_e: float
    phi0: np.ndarray = field(repr=False, default=None)  # (n + 1, ny, nx)
    rows0: int = 0  # rows active at step 0
    owner: np.ndarray | None = None  # (nx,) grain anchored below each column (-1: none); None: no-flux bottom
    L_front: float = 0.0  # L_f: a grain's order parameter moves with L_q + L_f phi_e (the front)

    @property
    def n_grains(self) -> int:
        return len(self.L)

    def all_L(self) -> np.ndarray:
        return np.append(np.asarray(self.L, float), self.L_e)

    def front_mobilities(self) -> np.ndarray:
        """L_qe of each grain's front with the electrolyte: L_f sqrt(kappa_ref/kappa_q), so that every grain's
        front moves at about the same speed 3 l_q L_qe dmu = 3 l_ref L_f dmu (the deposition is electrochemical,
        not a grain property) and the stiff, high-kappa grains are not driven at L_f; zeros without L_f."""
        if self.L_front <= 0:
            return np.zeros(self.n_grains)
        return self.L_front * np.sqrt(kappa_ref() / np.asarray(self.kappa, float))

    def pair_mobility(self, q: int, p: int) -> float:
        """Mobility of the boundary between order parameters q and p (index n_grains: the electrolyte):
        sqrt(L_q L_p) between grains; L_qe (:meth:`front_mobilities`) between grain q and the electrolyte if
        L_f > 0, else sqrt(L_q L_e)."""
        L = self.all_L()
        n = self.n_grains
        if (q == n) != (p == n) and self.L_front > 0:
            return float(self.front_mobilities()[min(q, p)])
        return float(np.sqrt(L[q] * L[p]))

    def all_L_max(self) -> np.ndarray:
        """The largest local mobility each order parameter can see (the stability bound): its pairs' mobilities
        (sqrt(L_q L_gmax) with the grains, L_qe with the electrolyte) and its own L (alone in a cell)."""
        L = np.asarray(self.L, float)
        if L.size == 0:
            return np.array([self.L_e])
        front = self.front_mobilities() if self.L_front > 0 else np.sqrt(L * self.L_e)
        grains = np.maximum.reduce([L, np.sqrt(L * L.max()), front])
        return np.append(grains, max(self.L_e, float(front.max())))

    def all_kappa(self) -> np.ndarray:
        return np.append(np.asarray(self.kappa, float), self.kappa_e)

    def all_g(self) -> np.ndarray:
        return np.append(np.asarray(self.g, float), 0.0)

    def active_rows(self, step: int) -> int:
        """Rows 0..active_rows-1 are activated at the start of ``step``."""
        return min(self.params.ny, self.rows0 + step // self.params.steps_per_row)


def electrolyte_coefficients(params: GrowthParams, L, L_front: float = 0.0) -> tuple[float, float]:
    """(L_e, kappa_e): ``electrolyte_L`` (None: the front mobility L_f if > 0, else the largest grain L),
    ``electrolyte_kappa`` (None: kappa_ref)."""
    if params.electrolyte_L is not None:
        L_e = float(params.electrolyte_L)
    else:
        L_e = float(L_front) if L_front > 0 else float(np.max(L))
    k_e = kappa_ref() if params.electrolyte_kappa is None else float(params.electrolyte_kappa)
    return L_e, k_e


def rough_substrate(rng: np.random.Generator, nx: int, amplitude: int) -> np.ndarray:
    """Periodic random-walk profile in {0..amplitude} (cells), smoothed over 3 columns."""
    if amplitude <= 0:
        return np.zeros(nx, dtype=np.int64)
    steps = rng.integers(-1, 2, size=nx)
    h = np.cumsum(steps).astype(float)
    h -= np.linspace(0.0, h[-1], nx)  # close the walk: periodic
    h = (np.roll(h, 1) + h + np.roll(h, -1)) / 3.0
    h -= h.min()
    if h.max() > 0:
        h *= amplitude / h.max()
    return np.rint(h).astype(np.int64)


def seed_layer_draw(params: GrowthParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The random part of a set-up, from ``params.seed``: (substrate profile, nucleus columns, orientation
    index of each nucleus). :func:`make_setup` draws the same, so a run can compute what depends on the
    grains present (E_0, w0, <U>) before building it."""
    p = params
    rng = np.random.default_rng(p.seed)
    sub = rough_substrate(rng, p.nx, p.roughness_cells)
    if p.n_nuclei > p.nx:
        raise ValueError(f"n_nuclei = {p.n_nuclei} exceeds nx = {p.nx}")
    xs = np.sort(rng.choice(p.nx, size=p.n_nuclei, replace=False))
    wts = np.asarray(p.orientation_weights, float)
    ori = rng.choice(len(ORIENTATIONS), size=p.n_nuclei, p=wts / wts.sum())
    return sub, xs, ori


def make_setup(
    params: GrowthParams,
    L_by_orientation,
    kappa_by_orientation=None,
    *,
    E_s_by_orientation=None,
    g_by_orientation=None,
    L_front: float = 0.0,
) -> Setup:
    """Build the reproducible initial state.

    Give either ``kappa_by_orientation`` directly, or ``E_s_by_orientation`` (then kappa_q = kappa1
    exp(kappa2 E_s,q / E_0), E_0 the mean E_s over the grains present). Bulk energies g_q = -dmu +
    ``g_by_orientation`` offsets (w0; the physical run: (U_q - <U>)/w0, :mod:`.calibration`); without
    offsets and with E_s, the surface drive dGamma_q = sigma_ref (E_s,q/E_0 - 1) l0/h, else 0.
    ``L_by_orientation`` is the mobility of (001), (101), (111) grains; ``L_front`` the front mobility L_f.
    """
    p = params
    sub, xs, ori = seed_layer_draw(p)
    L = np.asarray(L_by_orientation, float)[ori]
    off = None if g_by_orientation is None else np.asarray(g_by_orientation, float)[ori]
    if E_s_by_orientation is not None:
        E_s = np.asarray(E_s_by_orientation, float)[ori]
        E_0 = float(E_s.mean())
        kappa = gradient_coefficient(E_s, E_0)
        g = bulk_energies(p, surface_drive(E_s, E_0, p.surface_drive_h_um, p.w) if off is None else off)
    else:
        kappa = np.asarray(kappa_by_orientation, float)[ori]
        g = bulk_energies(p, np.zeros(len(ori)) if off is None else off)
    L_e, k_e = electrolyte_coefficients(p, L, L_front)
    n = p.n_nuclei
    phi0 = np.zeros((n + 1, p.ny, p.nx))
    th = int(p.seed_layer_cells)
    # seed layer: every nucleus sits at its contact point on the rough substrate and owns the columns
    # nearest to it (periodic Voronoi partition); the layer fills the rough bottom and is th cells
    # thick above its highest point, with one row of electrolyte above it (a flat front); a nucleus
    # alone, or a thinner layer, would be below the critical size (~1.5 sqrt(kappa/(2w)) for a
    # layer on the no-flux bottom) and dissolve into the (stable) electrolyte
    cols = np.arange(p.nx)
    d = np.abs(cols[:, None] - xs[None, :])
    d = np.minimum(d, p.nx - d)
    owner = np.argmin(d, axis=1)
    top = int(min(p.ny - 1, sub.max() + th))
    for i in range(p.nx):
        phi0[owner[i], sub[i] : top, i] = 1.0
    rows0 = top + 1
    jj = np.arange(p.ny)[:, None]
    active = (jj >= sub[None, :]) & (jj < rows0)
    phi0[n] = np.where(active & (phi0[:n].max(axis=0) == 0.0), 1.0, 0.0)  # the rest is electrolyte
    own = owner.astype(np.int64) if p.anchor_seeds else None
    return Setup(p, sub, xs, ori, L, kappa, g, L_e, k_e, phi0, rows0, own, float(L_front))


def grain_map(phi: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Index of the grain with the largest phi per cell, -1 where the grains' phi sum to
    ``threshold`` or less (electrolyte, not yet activated, substrate). ``phi``: the grains' order
    parameters only (``solver.grains`` / ``phi[:n]``). A cell inside a diffuse grain boundary
    (several phi_q ~ 1/2) is metal and belongs to the largest."""
    g = np.argmax(phi, axis=0)
    return np.where(phi.sum(axis=0) > threshold, g, -1)


def custom_setup(
    params: GrowthParams,
    phi0,
    L,
    kappa,
    orientation=None,
    substrate=None,
    rows0: int | None = None,
    g=None,
    electrolyte=None,
    L_e=None,
    kappa_e=None,
    owner=None,
    L_front: float = 0.0,
) -> Setup:
    """A set-up from given grain fields ``phi0`` (n, ny, nx) (tests, flat-front and flat-boundary problems).

    ``g``: bulk energies of the grains (default -deposition_drive each); ``electrolyte``: phi_e
    (default 1 - sum of the grains, clipped to [0, 1], in the active rows). ``L_e``, ``kappa_e``
    default as in :func:`electrolyte_coefficients`. ``rows0`` defaults to all rows active (no
    layer-by-layer activation unless ``params.deposition_velocity`` brings more rows in over time).
    ``owner``: (nx,) grain held by the substrate below each column (-1 none); None: no-flux bottom."""
    phi0 = np.asarray(phi0, float)
    n = phi0.shape[0]
    sub = np.zeros(params.nx, np.int64) if substrate is None else np.asarray(substrate, np.int64)
    ori = np.zeros(n, np.int64) if orientation is None else np.asarray(orientation, np.int64)
    r0 = params.ny if rows0 is None else int(rows0)
    L = np.asarray(L, float)
    Le, ke = electrolyte_coefficients(params, L, L_front)
    Le = Le if L_e is None else float(L_e)
    ke = ke if kappa_e is None else float(kappa_e)
    g = bulk_energies(params, np.zeros(n)) if g is None else np.asarray(g, float)
    if electrolyte is None:
        jj = np.arange(params.ny)[:, None]
        active = (jj >= sub[None, :]) & (jj < r0)
        electrolyte = np.where(active, np.clip(1.0 - phi0.sum(axis=0), 0.0, 1.0), 0.0)
    full = np.concatenate([phi0, np.asarray(electrolyte, float)[None]], axis=0)
    own = None if owner is None else np.asarray(owner, np.int64)
    return Setup(
        params, sub, np.zeros(n, np.int64), ori, L, np.asarray(kappa, float), g, Le, ke, full, r0, own, float(L_front)
    )


# ------------------------------------------------------------------------- what the model predicts


def boundary_profile(
    kappa_a: float,
    kappa_b: float,
    w: float,
    gamma: float,
    dx: float,
    n: int = 160,
    tol: float = 1e-10,
    max_steps: int = 200000,
) -> dict:
    """Stationary flat boundary between two order parameters a (left, phi_a = 1) and b (right) of
    gradient coefficients kappa_a, kappa_b, on the lattice dx (no driving force): relaxed by explicit
    Euler (dt = 0.9 x the 1D bound) on a line of ``n`` cells (no-flux ends) until the dissipation
    integrals change by less than ``tol`` (relative) over 500 steps. Returns the profiles, the
    dissipation integrals I_a = int phi_a'^2 dx, I_b = int phi_b'^2 dx (1/um) and the boundary energy
    ``sigma`` (w0 um), from which a boundary moves at v = dg / (I_a/L_a + I_b/L_b)
    (:func:`boundary_velocity`)."""
    x = (np.arange(n) - n / 2 + 0.5) * dx
    lw = math.sqrt(max(kappa_a, kappa_b) / (2.0 * w))
    a = 1.0 / (1.0 + np.exp(np.clip(x / lw, -50, 50)))
    b = 1.0 - a
    ka, kb = kappa_a / dx**2, kappa_b / dx**2
    dt = 0.9 * 2.0 / (4.0 * max(ka, kb) + w * f2_max(gamma))

    def lap(u):
        out = np.empty_like(u)
        out[1:-1] = u[2:] - 2 * u[1:-1] + u[:-2]
        out[0] = u[1] - u[0]
        out[-1] = u[-2] - u[-1]
        return out

    def integrals(a, b):
        return float(np.sum(np.diff(a) ** 2) / dx), float(np.sum(np.diff(b) ** 2) / dx)

    prev = integrals(a, b)
    for k in range(1, max_steps + 1):
        S = a * a + b * b
        ma = w * (a**3 - a + 2 * gamma * a * (S - a * a)) - ka * lap(a)
        mb = w * (b**3 - b + 2 * gamma * b * (S - b * b)) - kb * lap(b)
        a = a - dt * ma
        b = b - dt * mb
        if k % 500 == 0:
            cur = integrals(a, b)
            if abs(cur[0] - prev[0]) + abs(cur[1] - prev[1]) < tol * (cur[0] + cur[1]):
                break
            prev = cur
    Ia, Ib = integrals(a, b)
    f = w * (a**4 / 4 - a**2 / 2 + b**4 / 4 - b**2 / 2 + gamma * a * a * b * b + 0.25)
    sigma = float(np.sum(f) * dx + 0.5 * (kappa_a * Ia + kappa_b * Ib))
    return {"x": x, "a": a, "b": b, "I_a": Ia, "I_b": Ib, "sigma": sigma, "steps": k}


def boundary_velocity(
    dg: float, L_a: float, L_b: float, kappa_a: float, kappa_b: float, w: float, gamma: float, dx: float | None = None
) -> float:
    """Velocity (um/s) of a flat boundary between a and b towards b, driven by dg = g_b - g_a > 0
    (bulk energy of b above a). Both order parameters move with the boundary's pair mobility
    L_ab = sqrt(L_a L_b) (:func:`anodeflow.phasefield.solver._cell_mobility`; give L_a = L_b = L_f for a
    grain/electrolyte front with a front mobility). The solvability (dissipation) condition of a steadily
    travelling profile of the gradient flow, dg v = v^2 sum_k int phi_k'^2 dx / L_ab, gives

        v = L_ab dg / (I_a + I_b).

    Continuum, kappa_a = kappa_b = kappa, gamma = 3/2: the profile is phi_a = 1/(1 + exp(x/l)),
    phi_b = 1 - phi_a, l = sqrt(kappa/(2 w)), so I_a = I_b = 1/(6 l) and v = 3 l L_ab dg. ``dx`` given:
    the integrals of the stationary lattice profile (:func:`boundary_profile`); else the continuum ones
    (kappa_a = kappa_b only)."""
    if dx is None:
        if not math.isclose(kappa_a, kappa_b) or not math.isclose(gamma, 1.5):
            raise ValueError("the closed form needs kappa_a = kappa_b and gamma = 3/2; give dx")
        integral = math.sqrt(2.0 * w / kappa_a) / 6.0
        Ia = Ib = integral
    else:
        pr = boundary_profile(kappa_a, kappa_b, w, gamma, dx)
        Ia, Ib = pr["I_a"], pr["I_b"]
    return math.sqrt(L_a * L_b) * dg / (Ia + Ib)
