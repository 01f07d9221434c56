"""Districting: the optimisation models behind :func:`salessim.model.territory.design_territories`.

All functions work on one region: account coordinates ``xy`` (km, n x 2), a per-account
``measure`` (potential or workload hours) and per-rep capacity ``cap``; they return each account's
rep (0..k-1). Models: the transport LP / MILP "every account once, every rep's measure within a
band around its fair share, minimise distance to territory centres" (Hess et al. 1965), solved by
HiGHS through :func:`scipy.optimize.linprog` and :func:`scipy.optimize.milp`, on sparse
candidate (account, rep) pairs.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from salessim.errors import SalessimError

#: Candidate reps per account in the optimisation: the nearest centres (keeps the MILP sparse).
CANDIDATES = 8
#: Share of accounts (those nearest a territory boundary) the fallback MILP rounding may move.
BOUNDARY_SHARE = 0.15


def _centres(xy: np.ndarray, weight: np.ndarray, k: int) -> np.ndarray:
    """Starting centres by recursive coordinate bisection: cut the accounts along the wider axis
    at the weighted quantile that gives each side its number of reps, until one rep is left; the
    centres are the cells' centroids. Every centre starts with about its share of the weight."""
    if k == 1 or len(xy) <= 1:
        return np.repeat(xy.mean(axis=0, keepdims=True), k, axis=0)
    axis = int(np.argmax(np.ptp(xy, axis=0)))
    order = np.argsort(xy[:, axis], kind="stable")
    k1 = k // 2
    cum = np.cumsum(weight[order])
    cut = int(np.searchsorted(cum, cum[-1] * k1 / k)) + 1 if cum[-1] > 0 else len(xy) * k1 // k
    cut = min(max(cut, 1), len(xy) - 1)
    left, right = order[:cut], order[cut:]
    return np.vstack([_centres(xy[left], weight[left], k1), _centres(xy[right], weight[right], k - k1)])


def _scaled(d: np.ndarray) -> np.ndarray:
    """Distances relative to their mean (1 if all accounts sit on one spot)."""
    return d / d.mean() if d.mean() > 0 else np.ones_like(d)


def as_is(xy: np.ndarray, cap: np.ndarray, drift: float, rng: np.random.Generator, time_limit: float) -> np.ndarray:
    """Compact territories whose account counts drifted: count share ~ capacity x lognormal(0, drift)."""
    n, k = len(xy), len(cap)
    share = cap * np.exp(rng.normal(0.0, drift, k))
    counts = np.maximum(largest_remainder((n - k) * share / share.sum(), n - k), 0) + 1  # >= 1 each
    return aligned(xy, np.ones(n), cap, 0.0, time_limit, counts=counts)


def _distances(xy: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return np.sqrt(((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))


def _pairs(xy: np.ndarray, centres: np.ndarray, extra: np.ndarray | None = None, scale: int = 1) -> tuple[np.ndarray, ...]:
    """Candidate (account, rep) pairs and their distances (km), sorted by account.

    Each account may go to its ``CANDIDATES x scale`` nearest centres, and each rep may take its
    ``3 x scale x n / k`` nearest accounts (so an outlying centre is never starved); ``extra`` adds
    each account's current rep. Sparse pairs keep the LP and MILP small.
    """
    n, k = len(xy), len(centres)
    d = _distances(xy, centres)
    keep = np.zeros((n, k), dtype=bool)
    m, q = min(CANDIDATES * scale, k), min(n, 3 * scale * -(-n // k))
    keep[np.arange(n)[:, None], np.argpartition(d, m - 1, axis=1)[:, :m]] = True
    keep[np.argpartition(d, q - 1, axis=0)[:q, :], np.arange(k)[None, :]] = True
    if extra is not None:
        keep[np.arange(n), extra] = True
    i, j = np.nonzero(keep)
    return i, j, d[i, j]


def _relaxed(xy: np.ndarray, centres: np.ndarray, measure: np.ndarray, lo: np.ndarray, hi: np.ndarray,
             cost_of, extra: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """LP relaxation on candidate pairs, with more pairs until it is feasible (dense at worst).

    Returns ``i, j, d, cost, x``; ``x`` is None if even the dense LP is infeasible.
    """
    n, k = len(xy), len(centres)
    scale = 1
    while True:
        i, j, d = _pairs(xy, centres, extra, scale)
        cost = cost_of(i, j, d)
        x = _solve(cost, _problem(i, j, measure, n, k, lo, hi), integer=False, time_limit=np.inf)
        dense = CANDIDATES * scale >= k or 3 * scale * -(-n // k) >= n
        if x is not None or dense:
            return i, j, d, cost, x
        scale *= 2


def _problem(i: np.ndarray, j: np.ndarray, measure: np.ndarray, n: int, k: int, lo: np.ndarray, hi: np.ndarray) -> list[LinearConstraint]:
    """Every account once; every rep's measure within [lo, hi]."""
    cols = np.arange(len(i))
    once = sparse.csr_matrix((np.ones(len(i)), (i, cols)), shape=(n, len(i)))
    load = sparse.csr_matrix((measure[i], (j, cols)), shape=(k, len(i)))
    return [LinearConstraint(once, 1.0, 1.0), LinearConstraint(load, lo, hi)]


def _band(measure: np.ndarray, cap: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    target = measure.sum() * cap / cap.sum()
    return target * (1 - tol), target * (1 + tol)


def _solve(cost: np.ndarray, cons: list[LinearConstraint], integer: bool, time_limit: float) -> np.ndarray | None:
    """HiGHS LP (``integer=False``) or MILP; the variable values, or None when none was found.

    Band LPs go through :func:`scipy.optimize.milp` without integrality (ranged rows stay
    ranged); count LPs (every band a single value) through :func:`scipy.optimize.linprog` as
    pairs of inequalities, which HiGHS solved 4x faster than equality rows here (measured).
    """
    once, load = cons
    if not integer and np.array_equal(load.lb, load.ub):
        res = linprog(cost, A_ub=sparse.vstack([load.A, -load.A]), b_ub=np.concatenate([load.ub, -load.lb]),
                      A_eq=once.A, b_eq=once.lb, bounds=(0, 1), method="highs")
        return res.x
    options = {"time_limit": time_limit, "mip_rel_gap": 0.02} if integer else {}
    res = milp(cost, integrality=np.full(cost.size, int(integer)), bounds=Bounds(0, 1), constraints=cons, options=options)
    return res.x


def _pick(i: np.ndarray, j: np.ndarray, x: np.ndarray, n: int) -> np.ndarray:
    """The rep with the largest share of each account (pairs are sorted by account)."""
    order = np.lexsort((-x, i))
    first = order[np.searchsorted(i[order], np.arange(n))]
    return j[first]


def aligned(xy: np.ndarray, measure: np.ndarray, cap: np.ndarray, tol: float, time_limit: float, counts: np.ndarray | None = None) -> np.ndarray:
    """Compact territories with each rep's measure within ``tol`` of its fair share (the LP aims
    at ``tol``, the rounding of split accounts may use ``2 x tol``).

    With ``counts`` the measure is ignored and rep ``j`` gets exactly ``counts[j]`` accounts.
    """
    n, k = len(xy), len(cap)
    if k == 1:
        return np.zeros(n, np.int64)
    if counts is not None:
        measure = np.ones(n)
        lo = hi = np.asarray(counts, dtype=float)
    else:
        lo, hi = _band(measure, cap, tol)

    def cost_of(i, j, d):
        return _scaled(d)

    centres = _centres(xy, measure, k)
    for _ in range(3):  # Lloyd iterations on the LP relaxation: move centres to territory centroids
        i, j, d, cost, x = _relaxed(xy, centres, measure, lo, hi, cost_of)
        if x is None:
            break
        w = np.bincount(j, x, k)
        centres = np.column_stack([np.bincount(j, x * xy[i, c], k) / np.maximum(w, 1e-12) for c in range(2)])
    i, j, d, cost, x = _relaxed(xy, centres, measure, lo, hi, cost_of)
    if counts is not None and x is not None:  # totally unimodular: the LP optimum is integral
        return _pick(i, j, x, n)
    if x is not None:
        rep = _repair(i, j, x, cost, d, measure, n, k, *_band(measure, cap, 2 * tol), time_limit)
        if rep is not None:
            return rep
    target = measure.sum() * cap / cap.sum()
    for _ in range(6):  # a band too tight for the biggest accounts is widened step by step
        x = _solve(cost, _problem(i, j, measure, n, k, lo, hi), integer=True, time_limit=time_limit)
        if x is not None:
            return _pick(i, j, x, n)
        tol = min(2 * tol + 0.05, 1.0)
        lo, hi = target * (1 - tol), target * (1 + tol)
    return np.argmin(_distances(xy, centres), axis=1)  # pragma: no cover - a ±100% band is always feasible


def _repair(i: np.ndarray, j: np.ndarray, x: np.ndarray, cost: np.ndarray, d: np.ndarray, measure: np.ndarray,
            n: int, k: int, lo: np.ndarray, hi: np.ndarray, time_limit: float) -> np.ndarray | None:
    """Round an LP vertex into the band ``lo..hi``; None if no way was found.

    A vertex of the LP splits at most ~2k accounts (one per binding balance constraint). Each
    split account goes to the rep with its largest share; if that leaves a rep outside the band,
    single-account moves along candidate pairs are made, each time the one that most reduces the
    total band violation (ties: the cheapest). If that gets stuck, a MILP re-places the split
    accounts plus the ``BOUNDARY_SHARE`` of accounts with the least extra distance to another
    candidate rep.
    """
    rep = _pick(i, j, x, n)
    rep = _local_moves(i, j, cost, measure, rep, k, lo, hi)
    if rep is not None:
        return rep
    rep = _pick(i, j, x, n)
    whole = np.zeros(n, dtype=bool)
    whole[i[x > 1 - 1e-7]] = True
    mine = j == rep[i]
    other = np.full(n, np.inf)
    np.minimum.at(other, i[~mine], d[~mine])
    regret = other - d[mine][np.searchsorted(i[mine], np.arange(n))]
    free = ~whole | (regret <= np.quantile(regret, BOUNDARY_SHARE))
    fixed_load = np.bincount(rep[~free], measure[~free], k)
    sel = free[i]
    fi = np.searchsorted(np.flatnonzero(free), i[sel])
    cons = _problem(fi, j[sel], measure[free], int(free.sum()), k, lo - fixed_load, hi - fixed_load)
    y = _solve(cost[sel], cons, integer=True, time_limit=time_limit)
    if y is None:
        return None
    rep[free] = _pick(fi, j[sel], y, int(free.sum()))
    return rep


def _violation(load: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return np.maximum(load - hi, 0.0) + np.maximum(lo - load, 0.0)


def _local_moves(i: np.ndarray, j: np.ndarray, cost: np.ndarray, measure: np.ndarray, rep: np.ndarray, k: int,
                 lo: np.ndarray, hi: np.ndarray, max_moves: int | None = None) -> np.ndarray | None:
    """Greedy single-account moves until every rep's load is in ``lo..hi`` (None if stuck)."""
    rep = rep.copy()
    load = np.bincount(rep, measure, k)
    own_cost = np.zeros(len(rep))
    for _ in range(max_moves or 4 * k + 10):
        viol = _violation(load, lo, hi)
        if viol.sum() <= 1e-9 * max(measure.sum(), 1e-12):
            return rep
        src = rep[i]
        own_cost[i[j == src]] = cost[j == src]
        ok = (j != src) & ((viol[src] > 0) | (viol[j] > 0))  # only moves that touch an offender
        w = measure[i]
        gain = (viol[src] + viol[j]) - (_violation(load[src] - w, lo[src], hi[src]) + _violation(load[j] + w, lo[j], hi[j]))
        gain = np.where(ok, gain, -np.inf)
        best = gain.max()
        if not best > 1e-12:
            return None
        cand = np.flatnonzero(gain >= best - 1e-12)
        m = cand[np.argmin(cost[cand] - own_cost[i[cand]])]
        load[src[m]] -= measure[i[m]]
        load[j[m]] += measure[i[m]]
        rep[i[m]] = j[m]
    return None


def min_disruption(xy: np.ndarray, measure: np.ndarray, cap: np.ndarray, current: np.ndarray, tol: float,
                    time_limit: float, exact: bool = False) -> np.ndarray:
    """Fewest moved accounts (tie-break: distance) so that every rep is within ``tol``.

    ``exact``: the MILP over candidate pairs. Otherwise its LP relaxation (band ``0.8 x tol``),
    rounded by :func:`_repair` within ``tol``: a few more moves than the optimum (13% more on
    the midmarket example), much faster; the MILP remains the fallback.
    """
    n, k = len(xy), len(cap)
    lo, hi = _band(measure, cap, tol)
    load = np.bincount(current, measure, k)
    if k == 1 or np.all((load >= lo) & (load <= hi)):
        return current.copy()
    counts = np.maximum(np.bincount(current, minlength=k), 1)
    centres = np.column_stack([np.bincount(current, xy[:, c], k) / counts for c in range(2)])

    def cost_of(i, j, d):  # one per moved account; distance only breaks ties
        return (j != current[i]) + 1e-3 * d / max(d.max(), 1e-9)

    i, j, d = _pairs(xy, centres, extra=current)
    if not exact:
        lo_in, hi_in = _band(measure, cap, 0.8 * tol)
        i, j, d, cost, x = _relaxed(xy, centres, measure, lo_in, hi_in, cost_of, extra=current)
        if x is not None:
            rep = _repair(i, j, x, cost, d, measure, n, k, lo, hi, time_limit)
            if rep is not None:
                return rep
    for dense in (False, True):
        if dense:  # all reps as candidates
            i, j = np.repeat(np.arange(n), k), np.tile(np.arange(k), n)
            d = _distances(xy, centres)[i, j]
        x = _solve(cost_of(i, j, d), _problem(i, j, measure, n, k, lo, hi), integer=True, time_limit=time_limit)
        if x is not None:
            return _pick(i, j, x, n)
    raise SalessimError(f"territories: min_disruption: no assignment brings every territory within ±{tol:.0%} of its share (an account is bigger than a territory's share?); raise the tolerance")


def largest_remainder(values: np.ndarray, total: int) -> np.ndarray:
    """Integers summing to ``total``, each the floor of ``values`` plus one for the largest remainders."""
    base = np.floor(values).astype(np.int64)
    short = int(total - base.sum())
    order = np.argsort(-(values - base), kind="stable")
    base[order[:short]] += 1
    return base
