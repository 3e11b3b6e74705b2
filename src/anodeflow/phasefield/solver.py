"""Two solvers of the same discrete equations (see :mod:`anodeflow.phasefield.model`).

* :class:`DenseSolver` - the reference: vectorised NumPy over all grains and all
  activated rows (slices, S = sum phi^2 computed once per cell, in-place updates
  into preallocated buffers).
* :class:`FastSolver` - numba-compiled kernels; each grain is updated only inside
  its bounding box (rows x circular column interval) grown by one cell, because
  outside it phi_q and all its neighbours are exactly zero and stay zero.

Both evaluate every floating-point expression in the same order, so on the same
set-up they agree to round-off (tests/test_phasefield_solver.py states the tolerance).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .model import Setup, check_electrolyte_stable, check_stability, f2_max, grain_map


class _Base:
    """Order parameters ``phi`` (n grains, then the electrolyte at index n) and the activation of rows:
    at the start of a step that brings rows in, they become electrolyte (phi_e = 1)."""

    def __init__(self, setup: Setup, check: bool = True):
        p = setup.params
        self.setup = setup
        self.p = p
        L, kappa, g = setup.all_L_max(), setup.all_kappa(), setup.all_g()
        if check:
            self.dt_bound = check_stability(p.dt, L, kappa, p.dx, p.w, p.gamma_max, p.stability, g)
            check_electrolyte_stable(setup.g, p.w, p.gamma_electrolyte)
        self.phi = np.ascontiguousarray(setup.phi0, dtype=np.float64).copy()
        self.n, self.ny, self.nx = self.phi.shape
        self.ng = self.n - 1  # grains; index ng: electrolyte
        self.L_all = setup.all_L()  # L_k (grains, then the electrolyte)
        self.sqrtL = np.sqrt(self.L_all)
        self.L_front = float(setup.L_front)
        # pair mobilities (docs/phasefield.md): grain q moves with L_q(x) = sum_l L_ql phi_l^2 / sum_l phi_l^2
        # over the other order parameters l, L_qp = sqrt(L_q L_p) between grains, L_qe with the electrolyte
        # (setup.front_mobilities, or sqrt(L_q L_e) without a front mobility); the electrolyte likewise
        self.use_front = self.L_front > 0
        self.front_L = (
            setup.front_mobilities() if self.use_front else self.sqrtL[:-1] * self.sqrtL[-1]
        )  # L_qe per grain
        # seed relaxation (a numerical preparation, not physical kinetics): the first n_relax steps run every
        # order parameter at one mobility L_c, without the front term, so that the sharp initial seed
        # boundaries become diffuse without favouring the fastest grain. L_c is the largest stable common
        # mobility: L_c (8 kappa_max/dx^2 + w f''_max + 6 g_max) dt = 1.8
        self.n_relax = int(p.seed_relax_steps)
        stiff = 8.0 * float(np.max(kappa)) / p.dx**2 + p.w * f2_max(p.gamma_max) + 6.0 * float(np.max(np.abs(g)))
        self.L_relax = 1.8 / (p.dt * stiff)
        self.kappa = kappa
        self.tilt = 6.0 * g  # 6 g_k: d/dphi of g h(phi) = 6 g (phi - phi^2)
        # pruning (model.py): a value is set to zero only if both it and its point-relaxation target
        # phi - mu / D_k are below ``prune``; D_k = 4 kappa_k/dx^2 + w f''_max + 6 |g_k| bounds the local
        # stiffness d mu/d phi from above, so the target never exceeds the cell's local equilibrium. The
        # criterion holds no dt and no mobility: a tail is cut where its equilibrium value falls below ~prune,
        # whatever the step, and a slowly moving boundary can always enter the next cell
        self.inv_stiff = 1.0 / (4.0 * kappa / p.dx**2 + p.w * f2_max(p.gamma_max) + 6.0 * np.abs(g))
        # cross terms: grain q: 2 gamma p (S - p^2) + 2 (gamma_e - gamma) p phi_e^2; electrolyte: 2 gamma_e p (S - p^2)
        ge = p.gamma if p.gamma_e is None else p.gamma_e
        self.tg = np.full(self.n, 2.0 * p.gamma)
        self.tg[-1] = 2.0 * ge
        self.te = np.full(self.n, 2.0 * (ge - p.gamma))
        self.te[-1] = 0.0
        self.sub = np.asarray(setup.substrate, np.int64)
        # anchored bottom: below the first cell of column i the substrate holds phi_k = 1 for the grain
        # owner[i] and 0 for every other order parameter (Dirichlet); owner -1 everywhere: no flux
        own = setup.owner
        self.anchored = own is not None
        self.owner = (
            np.full(setup.phi0.shape[2], -1, np.int64) if own is None else np.array(own, dtype=np.int64, copy=True)
        )  # released grains change it
        self.step_index = 0
        self._na_filled = setup.rows0  # rows handed to the model so far

    def active_rows(self) -> int:
        return self.setup.active_rows(self.step_index)

    def relax_coef_now(self) -> float:
        """dt L_c during the seed relaxation (every order parameter at one mobility), else 0 (the local
        pair mobility of :func:`_cell_mobility`)."""
        return self.p.dt * self.L_relax if self.step_index < self.n_relax else 0.0

    @property
    def grains(self) -> np.ndarray:
        """The grains' order parameters (n, ny, nx) (a view)."""
        return self.phi[: self.ng]

    @property
    def electrolyte(self) -> np.ndarray:
        return self.phi[self.ng]

    def grain_map(self, threshold: float = 0.5) -> np.ndarray:
        return grain_map(self.grains, threshold)

    def _activate(self, na: int) -> int:
        """Rows _na_filled..na-1 enter as electrolyte; returns the first new row (== na if none).
        At each activation, anchored grains buried deeper than ``release_rows`` below the newest row are
        released (:meth:`_release_buried`)."""
        j0 = self._na_filled
        if na > j0:
            self.phi[self.ng, j0:na, :] = 1.0  # activated rows lie above the substrate
            self._na_filled = na
            if self.anchored and self.p.release_rows > 0:
                self._release_buried(na)
        return j0

    def _release_buried(self, na: int) -> bool:
        """Release the anchor of every grain whose highest cell with phi > 1/2 lies more than
        ``release_rows`` below the newest row: it has been overgrown and no longer reaches the growth
        front, so the substrate stops holding it (its columns get a no-flux bottom) and its remnant is
        free to shrink. Decided from phi alone, so both solvers release the same grains at the same step."""
        held = np.unique(self.owner[self.owner >= 0])
        if held.size == 0:
            return False
        body = self.phi[held, :na, :] > 0.5
        rows = np.where(body.any(axis=2), np.arange(na)[None, :], -1).max(axis=1)
        gone = held[rows < na - 1 - self.p.release_rows]
        if gone.size == 0:
            return False
        self.owner[np.isin(self.owner, gone)] = -1
        self._owner_changed()
        return True

    def _owner_changed(self):
        pass

    def run(self, n_steps: int, callback=None, every: int = 0):
        """Advance ``n_steps``; call ``callback(self)`` every ``every`` steps (and at the end)."""
        for _k in range(n_steps):
            self.step()
            if callback is not None and every and self.step_index % every == 0:
                callback(self)
        return self


class DenseSolver(_Base):
    """Reference formulation: NumPy over (grains, activated rows, columns)."""

    def __init__(self, setup: Setup, check: bool = True):
        super().__init__(setup, check)
        n, ny, nx = self.n, self.ny, self.nx
        self._T = np.empty((n, ny, nx))
        self._lap = np.empty((n, ny, nx))
        self._G = np.empty((n, ny, nx))
        self._P2 = np.empty((n, ny, nx))
        self._B = np.empty((n, ny, nx), dtype=bool)
        self._S = np.empty((ny, nx))
        self._na = -1
        self._k = self.kappa[:, None, None]
        self._istiff = self.inv_stiff[:, None, None]
        self._B2 = np.empty((n, ny, nx), dtype=bool)
        self._h = self.tilt[:, None, None]
        self._tg = self.tg[:, None, None]
        self._te = self.te[:, None, None]
        self._E2 = np.empty((ny, nx))
        self._U = np.empty((n, ny, nx))
        self._acc = np.empty((2, ny, nx))  # A = sum sqrt(L_q) phi_q^2, B = sum L_qe phi_q^2
        self._M = np.empty((n, ny, nx))  # dt L_k(x)
        self._N = np.empty((n, ny, nx))
        self._sq = self.sqrtL[:-1, None, None]
        self._fq = self.front_L[:, None, None]
        self._Lall = self.L_all[:, None, None]
        nx_ = nx
        onehot = np.zeros((n, nx_))
        for i in range(nx_):
            if self.owner[i] >= 0:
                onehot[self.owner[i], i] = 1.0
        self._own = onehot

    def _owner_changed(self):
        self._own[...] = 0.0
        for i in range(self.nx):
            if self.owner[i] >= 0:
                self._own[self.owner[i], i] = 1.0
        self._na = -1  # rebuild the bottom weights

    def _weights(self, na: int):
        """0/1 weights of the four neighbours of each activated cell (no flux into inactive cells)."""
        j = np.arange(na)[:, None]
        sub = self.sub[None, :]
        act = j >= sub
        wu = act & (j + 1 < na)
        wd = act & (j - 1 >= sub)
        wl = act & (j >= np.roll(self.sub, 1)[None, :])
        wr = act & (j >= np.roll(self.sub, -1)[None, :])
        self._w = [a.astype(np.float64) for a in (wu, wd, wl, wr)]
        # bottom cells of anchored columns: Dirichlet face below
        self._wb = ((j == sub) & (self.owner[None, :] >= 0) & act).astype(np.float64) if self.anchored else None
        self._na = na

    def step(self):
        na = self.active_rows()
        self._activate(na)
        if na != self._na:
            self._weights(na)
        wu, wd, wl, wr = self._w
        P = self.phi[:, :na]
        T = self._T[:, :na]
        lap = self._lap[:, :na]
        G = self._G[:, :na]
        P2 = self._P2[:, :na]
        S = self._S[:na]
        # Laplacian with neighbour weights, summed in the order up, down, left, right
        T[:, : na - 1] = P[:, 1:] - P[:, :-1]
        T[:, na - 1] = 0.0
        np.multiply(wu, T, out=lap)
        T[:, 1:] = P[:, :-1] - P[:, 1:]
        T[:, 0] = 0.0
        np.multiply(wd, T, out=T)
        if self._wb is not None:
            U = self._U[:, :na]
            np.subtract(self._own[:, None, :], P, out=U)
            U *= self._wb
            T += U
        lap += T
        np.subtract(P[:, :, :-1], P[:, :, 1:], out=T[:, :, 1:])
        np.subtract(P[:, :, -1], P[:, :, 0], out=T[:, :, 0])
        np.multiply(wl, T, out=T)
        lap += T
        np.subtract(P[:, :, 1:], P[:, :, :-1], out=T[:, :, :-1])
        np.subtract(P[:, :, 0], P[:, :, -1], out=T[:, :, -1])
        np.multiply(wr, T, out=T)
        lap += T
        lap *= 1.0 / self.p.dx**2
        # local part: w (p^3 - p + 2 gamma p (S - p^2)), S computed once per cell
        np.multiply(P, P, out=P2)
        S[...] = P2[0]
        for q in range(1, self.n):
            S += P2[q]
        np.multiply(P2, P, out=G)
        G -= P
        np.subtract(S, P2, out=T)
        T *= P
        T *= self._tg
        G += T
        E2 = self._E2[:na]
        E2[...] = P2[self.n - 1]  # phi_e^2 (before the update)
        np.multiply(E2, P, out=T)
        T *= self._te
        G += T
        G *= self.p.w
        np.subtract(P, P2, out=T)  # bulk energies: 6 g_k (phi - phi^2)
        T *= self._h
        G += T
        lap *= self._k
        G -= lap
        # local mobilities dt L_k(x) of the old state (the fast kernel's expressions and order)
        M = self._M[:, :na]
        relax = self.relax_coef_now()
        if relax > 0.0:
            M[...] = relax
        else:
            acc = self._acc[:, :na]
            acc[...] = 0.0
            for q in range(self.ng):
                acc[0] += self.sqrtL[q] * P2[q]
                acc[1] += self.front_L[q] * P2[q]
            Nm = self._N[:, :na]
            ng = self.ng
            np.subtract(acc[0], self._sq * P2[:ng], out=Nm[:ng])
            Nm[:ng] *= self._sq
            Nm[:ng] += self._fq * P2[ng]
            Nm[ng] = acc[1] if self.use_front else self.sqrtL[-1] * acc[0]
            np.subtract(S, P2, out=T)
            M[...] = self._Lall
            np.divide(Nm, T, out=M, where=T > 1e-12)
            np.maximum(M, 0.0, out=M)
            M *= self.p.dt
        # point-relaxation target phi - mu / D_k (pruning: kept if it or the new value reaches prune)
        keep = self._B[:, :na]
        np.multiply(G, self._istiff, out=T)
        np.subtract(P, T, out=T)
        np.abs(T, out=T)
        np.greater_equal(T, self.p.prune, out=keep)
        G *= M
        P -= G
        np.abs(P, out=T)
        np.greater_equal(T, self.p.prune, out=self._B2[:, :na])
        keep |= self._B2[:, :na]
        P *= keep
        self.step_index += 1


# ----------------------------------------------------------------------------------------
# compiled kernels


@njit(cache=True)
def _circular_cover(occ):
    """Smallest circular interval (start, width) covering the True entries of ``occ``."""
    nx = occ.shape[0]
    first = -1
    for i in range(nx):
        if occ[i]:
            first = i
            break
    if first < 0:
        return 0, 0
    # largest run of False, circularly, starting the scan at an occupied column
    best_len = 0
    best_end = first  # the gap ends just before best_end
    run = 0
    for k in range(1, nx + 1):
        i = (first + k) % nx
        if occ[i]:
            if run > best_len:
                best_len = run
                best_end = i
            run = 0
        else:
            run += 1
    start = best_end
    return start, nx - best_len


@njit(cache=True)
def _fast_step(
    phi,
    S,
    S_next,
    acc,
    acc_next,
    relax,
    dt,
    use_front,
    sqrt_Le,
    scratch,
    occ,
    r0,
    r1,
    c0,
    cw,
    sub,
    smax,
    il,
    ir,
    na,
    L,
    sqrtL,
    front_L,
    kappa,
    tilt,
    inv_stiff,
    owner,
    inv_dx2,
    w,
    tgv,
    tev,
    prune,
):
    """One explicit step of every live grain inside its bounding box grown by one cell.

    ``S`` holds sum_q phi_q^2 of the current state; ``S_next`` receives that of the new one
    (accumulated in grain order, as the dense solver sums)."""
    n, ny, nx = phi.shape
    for j in range(na):
        for i in range(nx):
            S_next[j, i] = 0.0
            acc_next[0, j, i] = 0.0
            acc_next[1, j, i] = 0.0
    for q in range(n):
        if cw[q] == 0:
            continue
        ja = r0[q] - 1
        if ja < 0:
            ja = 0
        jb = r1[q] + 1
        if jb > na:
            jb = na
        if cw[q] + 2 >= nx:
            cs = 0
            width = nx
        else:
            cs = c0[q] - 1
            if cs < 0:
                cs += nx
            width = cw[q] + 2
        kq = kappa[q]
        iq = inv_stiff[q]
        lq = L[q]
        sq = sqrtL[q]
        fq = front_L[q] if q < n - 1 else 0.0
        grain = q < n - 1
        hq = tilt[q]
        tg = tgv[q]
        te = tev[q]
        lo_r = ny
        hi_r = -1
        lo_c = nx
        hi_c = -1
        if width == nx:
            for i in range(nx):
                occ[i] = False
        for j in range(ja, jb):
            for c in range(width):
                i = cs + c
                if i >= nx:
                    i -= nx
                if j < sub[i]:
                    scratch[j, i] = 0.0
                    continue
                p = phi[q, j, i]
                lap = 0.0
                if j + 1 < na:
                    lap = phi[q, j + 1, i] - p
                if j - 1 >= sub[i]:
                    lap = lap + (phi[q, j - 1, i] - p)
                elif owner[i] >= 0:
                    if owner[i] == q:
                        lap = lap + (1.0 - p)
                    else:
                        lap = lap + (0.0 - p)
                a = il[i]
                if j >= sub[a]:
                    lap = lap + (phi[q, j, a] - p)
                b = ir[i]
                if j >= sub[b]:
                    lap = lap + (phi[q, j, b] - p)
                lap = lap * inv_dx2
                p2 = p * p
                t = ((S[j, i] - p2) * p) * tg
                g = (p2 * p - p) + t
                e = phi[n - 1, j, i]
                g = g + ((e * e) * p) * te
                g = g * w
                g = g + (p - p2) * hq
                mu = g - lap * kq
                if relax > 0.0:
                    cm = relax
                else:
                    den = S[j, i] - p2
                    if den > 1e-12:
                        if grain:
                            num = sq * (acc[0, j, i] - sq * p2) + fq * (e * e)
                        elif use_front:
                            num = acc[1, j, i]
                        else:
                            num = sqrt_Le * acc[0, j, i]
                        m = num / den
                        if m < 0.0:
                            m = 0.0
                    else:
                        m = lq
                    cm = dt * m
                target = p - mu * iq
                new = p - mu * cm
                if abs(new) < prune and abs(target) < prune:
                    new = 0.0
                else:
                    if j < lo_r:
                        lo_r = j
                    if j > hi_r:
                        hi_r = j
                    if width == nx:
                        occ[i] = True
                    else:
                        if c < lo_c:
                            lo_c = c
                        if c > hi_c:
                            hi_c = c
                scratch[j, i] = new
        for j in range(ja, jb):
            for c in range(width):
                i = cs + c
                if i >= nx:
                    i -= nx
                v = scratch[j, i]
                phi[q, j, i] = v
                v2 = v * v
                S_next[j, i] += v2
                if grain:
                    acc_next[0, j, i] += sq * v2
                    acc_next[1, j, i] += fq * v2
        if hi_r < 0:
            cw[q] = 0
            r0[q] = 0
            r1[q] = 0
            continue
        r0[q] = lo_r
        r1[q] = hi_r + 1
        if width == nx:
            s0, wd = _circular_cover(occ)
            c0[q] = s0
            cw[q] = wd
        else:
            s0 = cs + lo_c
            if s0 >= nx:
                s0 -= nx
            c0[q] = s0
            cw[q] = hi_c - lo_c + 1


class FastSolver(_Base):
    """Compiled solver; grains tracked only inside their (grown) bounding boxes."""

    def __init__(self, setup: Setup, check: bool = True):
        super().__init__(setup, check)
        n, ny, nx = self.n, self.ny, self.nx
        self._S = np.zeros((ny, nx))
        self._S_next = np.zeros((ny, nx))
        self._acc = np.zeros((2, ny, nx))
        self._acc_next = np.zeros((2, ny, nx))
        self._smax = int(self.sub.max())
        self._scratch = np.zeros((ny, nx))
        self._occ = np.zeros(nx, dtype=np.bool_)
        self.r0 = np.zeros(n, np.int64)
        self.r1 = np.zeros(n, np.int64)
        self.c0 = np.zeros(n, np.int64)
        self.cw = np.zeros(n, np.int64)
        for q in range(n):
            nz = np.nonzero(self.phi[q])
            if nz[0].size == 0:
                continue
            self.r0[q], self.r1[q] = nz[0].min(), nz[0].max() + 1
            occ = np.zeros(nx, dtype=np.bool_)
            occ[nz[1]] = True
            self.c0[q], self.cw[q] = _circular_cover(occ)
        for q in range(n):
            self._S += self.phi[q] ** 2
        for q in range(self.ng):  # the grains' sums, in grain order (as the kernel adds)
            p2 = self.phi[q] * self.phi[q]
            self._acc[0] += self.sqrtL[q] * p2
            self._acc[1] += self.front_L[q] * p2
        i = np.arange(nx)
        self._il = ((i - 1) % nx).astype(np.int64)
        self._ir = ((i + 1) % nx).astype(np.int64)

    def step(self):
        na = self.active_rows()
        j0 = self._activate(na)
        if na > j0:  # new electrolyte rows: S = 1 there, the box grows
            self._S[j0:na, :] = 1.0
            e = self.ng
            if self.cw[e] == 0:
                self.r0[e] = j0
            self.r1[e] = na
            self.c0[e] = 0
            self.cw[e] = self.nx
        p = self.p
        _fast_step(
            self.phi,
            self._S,
            self._S_next,
            self._acc,
            self._acc_next,
            self.relax_coef_now(),
            p.dt,
            self.use_front,
            self.sqrtL[-1],
            self._scratch,
            self._occ,
            self.r0,
            self.r1,
            self.c0,
            self.cw,
            self.sub,
            self._smax,
            self._il,
            self._ir,
            na,
            self.L_all,
            self.sqrtL,
            self.front_L,
            self.kappa,
            self.tilt,
            self.inv_stiff,
            self.owner,
            1.0 / p.dx**2,
            p.w,
            self.tg,
            self.te,
            p.prune,
        )
        self._S, self._S_next = self._S_next, self._S
        self._acc, self._acc_next = self._acc_next, self._acc
        self.step_index += 1

    def box_cells(self) -> int:
        """Cells updated per step (sum of the grown boxes): the work the sparsity saves."""
        return int(np.sum((self.r1 - self.r0 + 2) * np.where(self.cw > 0, np.minimum(self.cw + 2, self.nx), 0)))
