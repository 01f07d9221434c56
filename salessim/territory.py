"""Territory design: which rep serves which account, and how balanced the result is.

Pure numpy/pandas/scipy. The accounts frame is the one :func:`salessim.market.make_accounts`
returns (``account, segment, region, x_km, y_km, lead_weight, potential``). Units: potential is
relative to the mean account (mean 1), workload is rep hours per year, coordinates are km.

Strategies (:data:`STRATEGIES`):

* ``as_is`` — historical territories: compact, drawn once by account count and grown unevenly
  since (each rep's account count drifts by a lognormal factor with log-sd ``drift``), blind to
  potential and workload, so some hold far more work than one rep can do and others too little,
  as found in practice (ZS Associates: 25% over-, 31% under-loaded; secondary).
* ``geographic`` — capacitated k-means: equal account counts (±1; per capacity share) per rep,
  minimising the distance of accounts to their territory centre. Each step solves the transport
  LP with HiGHS (:func:`scipy.optimize.linprog`); the count constraints make it totally
  unimodular, so its optimum is already integral. Centres start from a recursive coordinate
  bisection and move to their territory's centroid (three Lloyd iterations).
* ``balanced_potential`` / ``balanced_workload`` — the same districting model (Hess et al. 1965;
  Zoltners & Sinha 2005) with a balance band instead of counts: every rep's potential (workload)
  within ``tolerance / 2`` of its fair share in the LP. The LP vertex splits at most ~2k accounts;
  they go to their largest share, and single-account moves (each the one that most reduces the
  band violation) bring every rep within ``tolerance``; if that gets stuck a small MILP
  (:func:`scipy.optimize.milp`) re-places the split and boundary accounts, then the full MILP.
* ``min_disruption`` — start from ``current`` and move as few accounts as possible until every
  territory is within ``tolerance`` of its fair share of ``balance_on``. The model is a MILP
  (objective: number of moved accounts, a tiny distance tie-break). By default its LP relaxation
  (band ``0.8 x tolerance``) is rounded as above (fast; 13% more moves than the optimum on the
  midmarket example); ``exact=True`` solves the MILP itself (HiGHS, seconds to minutes).

Fair shares follow ``rep_capacity_hours`` (a rep with half the selling hours gets half the work);
with ``rep_regions`` every rep only gets accounts of its own region, and balance is per region.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from salessim.errors import SalessimError

STRATEGIES = ("as_is", "balanced_potential", "balanced_workload", "geographic", "min_disruption")
MEASURES = ("potential", "workload")
#: Candidate reps per account in the optimisation: the nearest centres (keeps the MILP sparse).
CANDIDATES = 8
#: Share of accounts (those nearest a territory boundary) the LP rounding may move.
BOUNDARY_SHARE = 0.15
#: Default log-sd of the account counts of as-is territories (assumption; see the docs for the
#: over/under-loaded shares it gives on the midmarket example).
DRIFT = 0.2


# --------------------------------------------------------------------------- workload


def workload_hours(
    lead_weight: np.ndarray,
    leads_per_year: float,
    stage_hours: Sequence[float],
    stage_conversion: Sequence[float],
    hours_multiplier: np.ndarray | float = 1.0,
    win_multiplier: np.ndarray | float = 1.0,
    base_hours: float = 0.0,
) -> np.ndarray:
    """Annual rep hours needed to serve each account (hours/year).

    An account receives ``leads_per_year * lead_weight`` leads a year; a lead needs the rep hours
    of every stage it reaches. Stage ``s`` is reached with probability ``prod(conversion[:s])``,
    each conversion scaled by ``win_multiplier ** (1 / n_stages)`` as in the engine. Hours are
    scaled by the account's segment ``hours_multiplier``; ``base_hours`` adds account upkeep
    (calls, QBRs) that does not depend on lead flow.
    """
    w = np.asarray(lead_weight, dtype=float)
    hours = np.asarray(stage_hours, dtype=float)
    conv = np.asarray(stage_conversion, dtype=float)
    if hours.shape != conv.shape or hours.ndim != 1 or len(hours) == 0:
        raise SalessimError("workload_hours: stage_hours and stage_conversion must be equal-length lists")
    if np.any(w < 0) or leads_per_year < 0 or np.any(hours < 0) or base_hours < 0:
        raise SalessimError("workload_hours: lead weights, leads, hours and base_hours must be >= 0")
    mult = np.broadcast_to(np.asarray(win_multiplier, dtype=float), w.shape)[:, None] ** (1 / len(conv))
    p_pass = np.minimum(conv[None, :] * mult, 1.0)
    reach = np.cumprod(np.hstack([np.ones((len(w), 1)), p_pass[:, :-1]]), axis=1)
    per_lead = (reach * hours[None, :]).sum(axis=1) * np.asarray(hours_multiplier, dtype=float)
    return leads_per_year * w * per_lead + base_hours


def scenario_workload(accounts: pd.DataFrame, scenario, base_hours: float = 0.0) -> np.ndarray:
    """:func:`workload_hours` with the inputs taken from a scenario's market and funnel."""
    seg = {s.name: s for s in scenario.market.segments}
    names = accounts["segment"].astype(str)
    return workload_hours(
        accounts["lead_weight"].to_numpy(),
        scenario.market.leads_per_year,
        [s.rep_hours for s in scenario.funnel.stages],
        [s.conversion for s in scenario.funnel.stages],
        names.map(lambda n: seg[n].hours_multiplier).to_numpy(dtype=float),
        names.map(lambda n: seg[n].win_multiplier).to_numpy(dtype=float),
        base_hours,
    )


# --------------------------------------------------------------------------- design


def design_territories(
    accounts: pd.DataFrame,
    n_reps: int,
    strategy: str,
    *,
    rep_regions: Sequence | None = None,
    rep_capacity_hours: Sequence[float] | None = None,
    current: Sequence[int] | None = None,
    tolerance: float = 0.1,
    rng: np.random.Generator | None = None,
    workload: Sequence[float] | None = None,
    balance_on: str = "workload",
    drift: float = DRIFT,
    exact: bool = False,
    time_limit: float = 60.0,
) -> np.ndarray:
    """Rep index (0..n_reps-1) of every account, in the accounts' row order.

    ``workload`` (hours/year per account; default: an ``accounts["workload_hours"]`` column) is
    needed by ``balanced_workload`` and by ``min_disruption`` with ``balance_on="workload"``.
    ``rep_regions`` gives each rep's region (names as in ``accounts["region"]``);
    ``rep_capacity_hours`` each rep's selling hours (fair shares are proportional to it).
    ``tolerance`` is the allowed relative deviation from a fair share (0.1 = ±10%); balanced
    designs aim at half of it. ``rng`` draws the as-is drift (None: fixed seed 0); the other
    strategies are deterministic.
    ``exact=True`` makes ``min_disruption`` solve the exact MILP (fewest moves; seconds to minutes)
    instead of rounding its LP relaxation (a few more moves, well under a second for 2,000
    accounts). ``time_limit`` (seconds) caps each MILP; the best solution found by then is used.
    Raises :class:`SalessimError` on bad input (more reps than accounts, negative potential...).
    """
    if strategy not in STRATEGIES:
        raise SalessimError(f"territories.strategy: unknown strategy '{strategy}' (choose from {', '.join(STRATEGIES)})")
    if balance_on not in MEASURES:
        raise SalessimError(f"territories.balance_on: unknown measure '{balance_on}' (choose from {', '.join(MEASURES)})")
    if not 0 < tolerance < 1:
        raise SalessimError(f"territories.tolerance: must be between 0 and 1, got {tolerance}")
    xy, potential = _check_accounts(accounts, n_reps)
    n = len(accounts)
    cap = _rep_vector(rep_capacity_hours, n_reps, "rep_capacity_hours", positive=True)
    regions, rep_reg = _regions(accounts, n_reps, rep_regions)
    rng = np.random.default_rng(0) if rng is None else rng
    load = None
    if strategy == "balanced_workload" or (strategy == "min_disruption" and balance_on == "workload"):
        load = _workload(accounts, workload)
    cur = None
    if strategy == "min_disruption":
        if current is None:
            raise SalessimError("territories: min_disruption needs the current assignment ('current')")
        cur = _check_assignment(current, n, n_reps, "current")
        bad = np.flatnonzero(rep_reg[cur] != regions)
        if rep_regions is not None and len(bad):
            raise SalessimError(f"territories.current: account {accounts['account'].iloc[bad[0]]} is assigned to a rep of another region")

    out = np.empty(n, dtype=np.int64)
    for r in np.unique(rep_reg):
        acc = np.flatnonzero(regions == r)
        reps = np.flatnonzero(rep_reg == r)
        p, c = xy[acc], cap[reps]
        if strategy == "as_is":
            local = _as_is(p, c, drift, rng, time_limit)
        elif strategy == "geographic":  # equal counts (per capacity share), largest remainder
            counts = _largest_remainder(len(acc) * c / c.sum(), len(acc))
            local = _aligned(p, np.ones(len(acc)), c, 0.0, time_limit, counts=counts)
        elif strategy == "balanced_potential":
            local = _aligned(p, potential[acc], c, tolerance / 2, time_limit)
        elif strategy == "balanced_workload":
            local = _aligned(p, load[acc], c, tolerance / 2, time_limit)
        else:
            measure = load[acc] if balance_on == "workload" else potential[acc]
            local = _min_disruption(p, measure, c, np.searchsorted(reps, cur[acc]), tolerance, time_limit, exact)
        out[acc] = reps[local]
    return out


def _check_accounts(accounts: pd.DataFrame, n_reps: int) -> tuple[np.ndarray, np.ndarray]:
    missing = {"x_km", "y_km", "potential"} - set(accounts.columns)
    if missing:
        raise SalessimError(f"territories: accounts: missing columns {sorted(missing)}")
    if not isinstance(n_reps, int | np.integer) or n_reps < 1:
        raise SalessimError(f"territories: n_reps must be a positive integer, got {n_reps!r}")
    if n_reps > len(accounts):
        raise SalessimError(f"territories: n_reps ({n_reps}) exceeds the number of accounts ({len(accounts)}): every rep needs at least one account")
    pot = accounts["potential"].to_numpy(dtype=float)
    xy = accounts[["x_km", "y_km"]].to_numpy(dtype=float)
    if not np.all(np.isfinite(pot)) or not np.all(np.isfinite(xy)):
        raise SalessimError("territories: accounts: potential and coordinates must be finite numbers")
    if np.any(pot < 0):
        i = int(np.argmax(pot < 0))
        raise SalessimError(f"territories: accounts.potential: negative potential {pot[i]:g} for account {accounts['account'].iloc[i] if 'account' in accounts else i}")
    return xy, pot


def _workload(accounts: pd.DataFrame, workload) -> np.ndarray:
    if workload is None:
        if "workload_hours" not in accounts.columns:
            raise SalessimError("territories: workload balance needs 'workload' or an accounts.workload_hours column (see workload_hours())")
        workload = accounts["workload_hours"]
    w = np.asarray(workload, dtype=float)
    if w.shape != (len(accounts),):
        raise SalessimError(f"territories: workload: expected {len(accounts)} values, got {w.size}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise SalessimError("territories: workload: hours must be finite and >= 0")
    return w


def _rep_vector(values, n_reps: int, name: str, positive: bool) -> np.ndarray:
    if values is None:
        return np.ones(n_reps)
    v = np.asarray(values, dtype=float)
    if v.shape != (n_reps,):
        raise SalessimError(f"territories: {name}: expected {n_reps} values (one per rep), got {v.size}")
    if not np.all(np.isfinite(v)) or (positive and np.any(v <= 0)):
        raise SalessimError(f"territories: {name}: values must be finite and > 0")
    return v


def _regions(accounts: pd.DataFrame, n_reps: int, rep_regions) -> tuple[np.ndarray, np.ndarray]:
    """Region code of each account and of each rep (all zero when regions are ignored)."""
    if rep_regions is None:
        return np.zeros(len(accounts), np.int64), np.zeros(n_reps, np.int64)
    if "region" not in accounts.columns:
        raise SalessimError("territories: rep_regions given but accounts have no 'region' column")
    rr = np.asarray([str(x) for x in rep_regions])
    if rr.shape != (n_reps,):
        raise SalessimError(f"territories: rep_regions: expected {n_reps} values (one per rep), got {rr.size}")
    names = sorted(set(accounts["region"].astype(str)) | set(rr))
    acc = np.searchsorted(names, accounts["region"].astype(str).to_numpy())
    rep = np.searchsorted(names, rr)
    for code, name in enumerate(names):
        n_acc, n_rep = int(np.sum(acc == code)), int(np.sum(rep == code))
        if n_acc and not n_rep:
            raise SalessimError(f"territories: rep_regions: region '{name}' has {n_acc} accounts but no rep")
        if n_rep > n_acc:
            raise SalessimError(f"territories: rep_regions: region '{name}' has {n_rep} reps but only {n_acc} accounts")
    return acc, rep


def _check_assignment(assignment, n: int, n_reps: int, name: str) -> np.ndarray:
    a = np.asarray(assignment)
    if a.shape != (n,) or not np.issubdtype(a.dtype, np.integer):
        raise SalessimError(f"territories: {name}: expected {n} integer rep indices, got shape {a.shape} of {a.dtype}")
    if len(a) and (a.min() < 0 or a.max() >= n_reps):
        raise SalessimError(f"territories: {name}: rep indices must lie in 0..{n_reps - 1}")
    return a.astype(np.int64)


# --------------------------------------------------------------------------- strategies


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


def _as_is(xy: np.ndarray, cap: np.ndarray, drift: float, rng: np.random.Generator, time_limit: float) -> np.ndarray:
    """Compact territories whose account counts drifted: count share ~ capacity x lognormal(0, drift)."""
    n, k = len(xy), len(cap)
    share = cap * np.exp(rng.normal(0.0, drift, k))
    counts = np.maximum(_largest_remainder((n - k) * share / share.sum(), n - k), 0) + 1  # >= 1 each
    return _aligned(xy, np.ones(n), cap, 0.0, time_limit, counts=counts)


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
    """HiGHS LP (``integer=False``) or MILP; the variable values, or None when none was found."""
    if integer:
        res = milp(cost, integrality=np.ones(cost.size), bounds=Bounds(0, 1), constraints=cons,
                   options={"time_limit": time_limit, "mip_rel_gap": 0.02})
        return res.x
    a_eq, a_ub = cons[0].A, cons[1].A
    res = linprog(cost, A_ub=sparse.vstack([a_ub, -a_ub]), b_ub=np.concatenate([cons[1].ub, -cons[1].lb]),
                  A_eq=a_eq, b_eq=np.ones(a_eq.shape[0]), bounds=(0, 1), method="highs")
    return res.x


def _pick(i: np.ndarray, j: np.ndarray, x: np.ndarray, n: int) -> np.ndarray:
    """The rep with the largest share of each account (pairs are sorted by account)."""
    order = np.lexsort((-x, i))
    first = order[np.searchsorted(i[order], np.arange(n))]
    return j[first]


def _aligned(xy: np.ndarray, measure: np.ndarray, cap: np.ndarray, tol: float, time_limit: float, counts: np.ndarray | None = None) -> np.ndarray:
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


def _min_disruption(xy: np.ndarray, measure: np.ndarray, cap: np.ndarray, current: np.ndarray, tol: float,
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


def _largest_remainder(values: np.ndarray, total: int) -> np.ndarray:
    """Integers summing to ``total``, each the floor of ``values`` plus one for the largest remainders."""
    base = np.floor(values).astype(np.int64)
    short = int(total - base.sum())
    order = np.argsort(-(values - base), kind="stable")
    base[order[:short]] += 1
    return base


# --------------------------------------------------------------------------- reporting


def territory_summary(
    accounts: pd.DataFrame,
    assignment: Sequence[int],
    n_reps: int | None = None,
    *,
    workload: Sequence[float] | None = None,
    rep_capacity_hours: Sequence[float] | None = None,
    rep_regions: Sequence | None = None,
    tolerance: float = 0.1,
) -> pd.DataFrame:
    """One row per rep: accounts, potential, workload (hours/yr), load indices and status.

    ``potential_index``/``workload_index`` = the rep's total over its fair share (market total x the
    rep's share of capacity; with ``rep_regions``: its region's total x its share of the region); ``status`` is ``over`` / ``under`` when the workload index (potential
    index if no workload is known) lies outside ``1 ± tolerance``. With capacities:
    ``utilisation`` = workload / capacity hours and ``coverage`` = min(1, capacity / workload), the
    share of the territory's work the rep can do (an over-loaded territory leaves the rest untouched).
    """
    a = np.asarray(assignment, dtype=np.int64)
    k = int(a.max()) + 1 if n_reps is None else n_reps
    a = _check_assignment(a, len(accounts), k, "assignment")
    cap = _rep_vector(rep_capacity_hours, k, "rep_capacity_hours", positive=True)
    _, rep_reg = _regions(accounts, k, rep_regions)
    region_cap = np.bincount(rep_reg, cap)[rep_reg]

    def fair(total_per_rep: np.ndarray) -> np.ndarray:  # region (or market) total x capacity share
        return np.bincount(rep_reg, total_per_rep)[rep_reg] * cap / region_cap

    pot = np.bincount(a, accounts["potential"].to_numpy(dtype=float), k)
    df = pd.DataFrame({"rep": np.arange(k), "accounts": np.bincount(a, minlength=k), "potential": pot,
                       "potential_index": pot / fair(pot)})
    if rep_regions is not None:
        df.insert(1, "region", np.asarray([str(x) for x in rep_regions]))
    index = df["potential_index"].to_numpy()
    if workload is not None or "workload_hours" in accounts.columns:
        wl = np.bincount(a, _workload(accounts, workload), k)
        df["workload_hours"] = wl
        df["workload_index"] = index = wl / fair(wl)
        if rep_capacity_hours is not None:
            df["utilisation"] = wl / cap
            df["coverage"] = np.minimum(1.0, cap / np.maximum(wl, 1e-12))
    df["status"] = np.where(index > 1 + tolerance, "over", np.where(index < 1 - tolerance, "under", "ok"))
    return df


def moves(current: Sequence[int], new: Sequence[int], accounts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Accounts that change hands: ``account, from_rep, to_rep``."""
    cur, nxt = np.asarray(current), np.asarray(new)
    if cur.shape != nxt.shape:
        raise SalessimError(f"territories: current and new assignments differ in length ({cur.size} vs {nxt.size})")
    i = np.flatnonzero(cur != nxt)
    ids = accounts["account"].to_numpy()[i] if accounts is not None else i
    return pd.DataFrame({"account": ids, "from_rep": cur[i], "to_rep": nxt[i]})


def balance_report(
    accounts: pd.DataFrame,
    assignment: Sequence[int],
    n_reps: int | None = None,
    *,
    workload: Sequence[float] | None = None,
    rep_capacity_hours: Sequence[float] | None = None,
    rep_regions: Sequence | None = None,
    current: Sequence[int] | None = None,
    tolerance: float = 0.1,
) -> pd.DataFrame:
    """Tidy balance metrics: ``metric, measure, value, unit``.

    Per measure (potential, and workload when known): ``cv`` (sd / mean of the per-rep index, so
    part-time reps are judged on their share), ``max_min_ratio`` of the per-rep totals,
    ``share_over`` / ``share_under`` (territories beyond ``1 ± tolerance`` of their fair share).
    With capacities: ``max_utilisation`` and ``potential_covered`` (potential x coverage, summed,
    over total potential: what the reps can work if leads follow potential).
    With ``current``: ``share_moved`` (accounts that change hands) and ``potential_moved``.
    """
    s = territory_summary(accounts, assignment, n_reps, workload=workload, rep_capacity_hours=rep_capacity_hours,
                          rep_regions=rep_regions, tolerance=tolerance)
    rows = []
    for measure in ("potential", "workload"):
        col = "potential" if measure == "potential" else "workload_hours"
        if col not in s:
            continue
        idx, tot = s[f"{measure}_index"].to_numpy(), s[col].to_numpy()
        rows += [
            ("cv", measure, float(idx.std() / idx.mean()) if idx.mean() > 0 else np.nan, "ratio"),
            ("max_min_ratio", measure, float(tot.max() / tot.min()) if tot.min() > 0 else np.inf, "ratio"),
            ("share_over", measure, float(np.mean(idx > 1 + tolerance)), "share"),
            ("share_under", measure, float(np.mean(idx < 1 - tolerance)), "share"),
        ]
    if "utilisation" in s:
        pot = s["potential"].to_numpy()
        rows += [("max_utilisation", "workload", float(s["utilisation"].max()), "ratio"),
                 ("potential_covered", "potential", float((pot * s["coverage"]).sum() / pot.sum()), "share")]
    if current is not None:
        cur = _check_assignment(current, len(accounts), len(s), "current")
        moved = cur != np.asarray(assignment)
        pot = accounts["potential"].to_numpy(dtype=float)
        rows += [("share_moved", "accounts", float(moved.mean()), "share"),
                 ("potential_moved", "potential", float(pot[moved].sum() / pot.sum()) if pot.sum() > 0 else 0.0, "share")]
    return pd.DataFrame(rows, columns=["metric", "measure", "value", "unit"])


# --------------------------------------------------------------------------- scenario model


class TerritoryDesign(BaseModel):
    """Scenario section ``territories:`` (drop-in replacement for ``scenario.Territories``).

    ``min_disruption`` rebalances the as-is territories of the same market (``drift`` and the
    seed give the as-is design), moving as few accounts as possible.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    strategy: Literal["as_is", "balanced_potential", "balanced_workload", "geographic", "min_disruption"] = "as_is"
    tolerance: float = Field(0.10, gt=0.0, lt=1.0, description="allowed deviation from a rep's fair share (0.1 = ±10%)")
    balance_on: Literal["workload", "potential"] = Field("workload", description="what min_disruption balances")
    drift: float = Field(DRIFT, ge=0.0, le=2.0, description="log-sd of as-is territory sizes (assumption)")
    base_hours_per_account: float = Field(0.0, ge=0.0, description="annual upkeep hours per account on top of lead work")
    exact: bool = Field(False, description="min_disruption: solve the exact MILP (fewest moves, slower)")
    time_limit_s: float = Field(60.0, gt=0.0, le=3600.0, description="cap per MILP solve (seconds)")
