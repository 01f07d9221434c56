"""The whole plan as a rep values it over the plan year: every component, on every period.

:func:`plan_year` turns a :class:`~salessim.comp.plan.CompPlan` into the rewards of the plan-year
value function (:mod:`salessim.model.plan_year`), using the statements engine's own formulas
(:func:`salessim.comp.curve.period_payout`: tiers, gates, accelerators, thresholds, caps, the
YTD true-up). Credit is measured in annual quotas, money in the plan currency. How each kind of
component enters (documented choices, listed per plan by :attr:`PlanValue.treatment`):

* a commission with one rate, no gate and no cap is a *flow*: paid per unit of credit;
* components measured on the plan's pacing period (the shortest period of a non-linear
  component without true-up: a month or a quarter) pay ``g(p)`` at each of its ends;
* year-to-date true-up components, and components measured on the year, pay ``f(y)`` at year end
  (under true-up what a year pays is what its cumulative formula pays on the year's credit);
* a component measured on a second sub-annual period is valued on the pacing period, pro rata;
* team awards pay the rep's share of the pool when the team reaches its threshold, with the rest
  of the team at its expected pace: one rep's credit moves the team's attainment by 1/size
  (free-riding grows with team size); at each period end, or at the year end for an annual award;
* SPIFs pay per deal: they steer which deals a rep works and sources, not the effort level;
* a draw guarantees pay but is recovered (or, if not recoverable, paid whatever the effort): it
  does not change the value of a sale and is not valued;
* a clawback lowers the value of every commission by the chance the customer churns in its window;
* plan complexity: each component is weighted by the rep's attention, ``1 / (1 + complexity x
  (components - 1))`` (Zoltners et al.: plans too complex to understand lose their pull);
* a ratchet adds next year's cost of beating quota to ``f`` (Leone, Misra & Zimmerman 2004);
* caps that depend on the year so far (a year cap on period-basis pay, the plan's caps across
  components, a period cap under true-up) are applied along an even path of the year: ``g``
  becomes ``g[k, p, y0]`` per pacing period ``k``, the year's pay so far being what ``y0`` spread
  evenly over the ``k`` periods before paid (:func:`_pay_path`), and ``f`` caps the year-end
  components after that pay. A commission under a plan cap is therefore never a flow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from salessim.comp.curve import period_payout
from salessim.comp.plan import PERIOD_MONTHS, Cap, Commission, CompPlan, Spif, TeamBonus
from salessim.model.plan_year import PlanYear

#: Grids: period-to-date credit up to 2 period quotas and year-to-date credit up to 3 annual quotas,
#: both in steps of 5% of their quota, so thresholds at round attainments sit on grid points.
P_POINTS, P_MAX, Y_POINTS, Y_MAX = 41, 2.0, 61, 3.0
TEAM_ATTAINMENT_SD = 0.35  #: spread of a rep's attainment around the team's pace (CSO Insights P10-P90 ~ 55-145%)


@dataclass(frozen=True)
class PlanValue:
    """A plan's plan-year rewards and how each component was treated."""

    year: PlanYear
    pacing_months: int  #: months of the pacing period (12: none below the year)
    treatment: dict[str, str]  #: component name -> how reps value it


def _is_flow(c: Commission, plan: CompPlan) -> bool:
    """One rate, no gate, and no cap on it (its own or the plan's total-variable cap)."""
    return (len(c.tiers) == 1 and c.gate == 0.0 and c.cap.period is None and c.cap.year is None
            and plan.caps.period is None and plan.caps.year is None)


def _sub(plan: CompPlan, comps: list, period: str, caps: bool) -> CompPlan:
    """The plan restricted to ``comps``, measured on ``period`` (plan-level caps kept if ``caps``)."""
    update = {"components": [c.model_copy(update={"period": None}) for c in comps], "period": period}
    if not caps:
        update["caps"] = plan.caps.model_copy(update={"period": None, "year": None})
    return plan.model_copy(update=update)


def plan_year(plan: CompPlan, *, annual_quota: float, step_days: np.ndarray, step_month: np.ndarray,
              team_size: int = 1, team_pace: float = 1.0, complexity: float = 0.0,
              ratchet_cost: float = 0.0, clawback_share: float = 0.0) -> PlanValue:
    """The plan year's rewards for a rep with ``annual_quota`` (currency).

    ``step_days``/``step_month``: length (days) and fiscal month (0-11) of each work step of the
    year; ``team_size``/``team_pace``: members of the rep's team and the credit the others are
    expected to reach (share of their quota); ``ratchet_cost``: next year's pay lost per annual
    quota of credit above quota (currency); ``clawback_share``: share of commission expected to be
    clawed back.
    """
    Q = float(annual_quota)
    m = plan.primary_measure
    weight = plan.measure(m).weight
    comps = [c for c in plan.components if c.measure == m]
    seen = [c for c in comps if not isinstance(c, Spif)]
    attention = 1.0 / (1.0 + complexity * max(len(seen) - 1, 0))
    keep = 1.0 - clawback_share
    treatment: dict[str, str] = {c.name: "steers deal choice (per-deal pay)" for c in comps if isinstance(c, Spif)}
    treatment.update({c.name: "not valued: measure not simulated" for c in plan.components if c.measure != m})
    flow = 0.0
    year_comps, period_comps, year_teams = [], [], []
    for c in seen:
        months = PERIOD_MONTHS[plan.component_period(c)]
        if isinstance(c, Commission) and _is_flow(c, plan):
            rate = c.rates[0] * (plan.pay.target_incentive * weight / Q if c.uses_multiple else 1.0)
            flow += rate * Q * attention * keep
            treatment[c.name] = "flow: paid per unit of credit"
        elif isinstance(c, TeamBonus) and months == 12:
            year_teams.append(c)
            treatment[c.name] = f"team share at the year end (team of {team_size})"
        elif isinstance(c, TeamBonus) or not (plan.component_true_up(c) or months == 12):
            period_comps.append((c, months))
        else:
            year_comps.append(c)
            treatment[c.name] = "year-end value of the year's credit (true-up or annual)"
    nonlinear = [mo for c, mo in period_comps if not isinstance(c, TeamBonus)] or [mo for _, mo in period_comps]
    pacing = min(nonlinear) if nonlinear else 12
    y_grid = np.linspace(0.0, Y_MAX, Y_POINTS)
    if pacing < 12:
        p_grid = np.linspace(0.0, P_MAX * pacing / 12, P_POINTS)
        period_end = np.r_[(step_month[1:] != step_month[:-1]) & ((step_month[:-1] + 1) % pacing == 0), True]
    else:  # no pacing period: a step's credit moves straight into the year's total
        p_grid = np.linspace(0.0, 0.2, 9)
        period_end = np.ones(len(step_days), bool)
    fns = [_period_fn(plan, c, months, pacing, Q, team_size, team_pace) for c, months in period_comps]
    g = np.zeros(len(p_grid))
    for (c, _), fn in zip(period_comps, fns, strict=True):
        g += fn(p_grid) * attention * (keep if isinstance(c, Commission) else 1.0)
        treatment[c.name] = (f"team share at each period end (team of {team_size})" if isinstance(c, TeamBonus) else
                             f"paid at each {'month' if pacing == 1 else 'quarter' if pacing == 3 else f'{pacing}-month period'} end")
    f = np.zeros(len(y_grid))
    by_period: dict[str, list] = {}
    for c in year_comps:
        by_period.setdefault(plan.component_period(c), []).append(c)
    for period, cs in by_period.items():
        K = 12 // PERIOD_MONTHS[period]
        sub = _sub(plan, cs, period, caps=True)
        share = np.array([keep if isinstance(c, Commission) else 1.0 for c in cs]).mean()
        f += period_payout(sub, y_grid * Q / K, np.full(len(y_grid), Q / K),
                           ytd_credited=y_grid * Q * (K - 1) / K, ytd_quota=np.full(len(y_grid), Q * (K - 1) / K),
                           ytd_paid=0.0, ytd_periods=K - 1) * attention * share
    capped = plan.caps.period is not None or plan.caps.year is not None
    if period_comps and (capped or any(c.cap.year is not None for c, _ in period_comps)):
        # a year cap (the component's or the plan's) or the plan's period cap on period-basis pay:
        # what a period pays depends on what the year has paid so far
        weights = [attention * (keep if isinstance(c, Commission) else 1.0) for c, _ in period_comps]
        g = _path_period_reward(fns, [Cap(year=c.cap.year) for c, _ in period_comps], weights,
                                Cap(period=plan.caps.period, year=plan.caps.year), p_grid, y_grid, 12 // pacing)
        for c, _ in period_comps:
            treatment[c.name] += "; capped on the year's pay so far (an even path)"
        before = _pay_path([fn(np.broadcast_to(y_grid / (12 // pacing), (12 // pacing, len(y_grid)))) for fn in fns],
                           [Cap(year=c.cap.year) for c, _ in period_comps], plan.caps)[-1]
    else:
        before = None
    if year_comps and (any(c.cap.period is not None for c in year_comps) or plan.caps.period is not None
                       or (plan.caps.year is not None and before is not None)):
        f = _path_year_reward(plan, by_period, Q, y_grid, keep, before) * attention
        for c in year_comps:
            treatment[c.name] += "; caps along an even path"
    for c in year_teams:
        f += _team_share(c, y_grid * Q, Q, team_size, team_pace) * attention
    f -= ratchet_cost * np.maximum(y_grid - 1.0, 0.0)
    year = PlanYear(np.asarray(step_days, float), period_end, p_grid, y_grid, flow, g, f)
    return PlanValue(year, pacing, treatment)


def _period_fn(plan: CompPlan, c, months: int, pacing: int, Q: float, team_size: int, team_pace: float):
    """What a period-basis component pays (currency) per pacing period on credit ``x`` (annual
    quotas; any shape), before year caps; a second sub-annual period is valued pro rata on the
    pacing one."""
    scale = months / pacing
    q = Q * months / 12.0
    if isinstance(c, TeamBonus):
        return lambda x: _team_share(c, np.asarray(x) * Q * scale, q, team_size, team_pace) / scale
    sub = _sub(plan, [c], plan.component_period(c), caps=False)
    return lambda x: period_payout(sub, np.asarray(x) * Q * scale, np.full(np.shape(x), q)) / scale


def _capped(x: np.ndarray, limit: Cap) -> np.ndarray:
    """Cumulative pay (currency, axis 0 = periods) of per-period earnings ``x`` under ``limit``: the
    period cap forfeits the excess, the year cap bounds the year-to-date pay."""
    if limit.period is not None:
        x = np.minimum(x, limit.period)
    cum = np.cumsum(x, axis=0)
    return np.minimum(cum, limit.year) if limit.year is not None else cum


def _pay_path(earned: list[np.ndarray], caps: list[Cap], total: Cap) -> np.ndarray:
    """Cumulative pay (currency) after each period of a path (axis 0), as the statements cap it:
    ``earned[c]`` is what component ``c`` earns in each period (non-negative), capped per period
    (the excess forfeited) and on its year-to-date pay by ``caps[c]``; the sum is then capped the
    same way by ``total`` (the plan's total-variable caps)."""
    return _total(sum(_capped(x, limit) for x, limit in zip(earned, caps, strict=True)), total)


def _total(paid: np.ndarray, total: Cap) -> np.ndarray:
    """The components' summed cumulative pay ``paid`` under the plan's total caps."""
    return _capped(np.diff(paid, axis=0, prepend=0.0), total)


def _path_period_reward(fns: list, caps: list[Cap], weights: list[float], total: Cap, p_grid: np.ndarray,
                        y_grid: np.ndarray, periods: int) -> np.ndarray:
    """``G[k, p, y0]``: what the ``k``-th pacing period of the year (0-based) pays, as the rep values
    it, when it ends with credit ``p`` after ``y0`` in the ``k`` periods before, spread evenly over
    them (the year's pay so far is what that even path paid). ``fns``: each component's pay per
    period on its credit; ``weights``: the rep's attention (x clawback keep) per component."""
    P, Y = len(p_grid), len(y_grid)
    now = [fn(p_grid) for fn in fns]
    raw = sum(now)
    w = np.divide(sum(wt * x for wt, x in zip(weights, now, strict=True)), raw, out=np.full(P, float(np.mean(weights))),
                  where=raw > 0)
    G = np.empty((periods, P, Y))
    for k in range(periods):
        earned = []
        for fn, x in zip(fns, now, strict=True):
            past = fn(y_grid / k) if k else np.zeros(Y)
            earned.append(np.concatenate([np.broadcast_to(past, (k, P, Y)), np.broadcast_to(x[None, :, None], (1, P, Y))]))
        cum = _pay_path(earned, caps, total)
        G[k] = (cum[k] - (cum[k - 1] if k else 0.0)) * w[:, None]
    return G


def _path_year_reward(plan: CompPlan, by_period: dict[str, list], Q: float, y_grid: np.ndarray, keep: float,
                      before: np.ndarray | None) -> np.ndarray:
    """``f(y)`` (currency) of the year-end components when caps make their pay path-dependent: each
    component's earnings along an even path of the year's credit over its periods (true-up: the
    rise of what its cumulative formula pays), capped as the statements cap them
    (:func:`_pay_path`); ``before``: what the period-basis components paid along the same path,
    which the plan's year cap counts first."""
    f = np.zeros(len(y_grid))
    total = before.copy() if before is not None else np.zeros(len(y_grid))
    for period, cs in by_period.items():
        K = 12 // PERIOD_MONTHS[period]
        earned, caps, share = [], [], []
        for c in cs:
            sub = _sub(plan, [c.model_copy(update={"cap": Cap()})], period, caps=False)
            ks = np.arange(1, K + 1)[:, None]
            if plan.component_true_up(c):
                cum = period_payout(sub, y_grid * Q / K, np.full(len(y_grid), Q / K), ytd_credited=(ks - 1) * y_grid * Q / K,
                                    ytd_quota=np.full((K, len(y_grid)), 1.0) * (ks - 1) * Q / K, ytd_paid=0.0,
                                    ytd_periods=ks - 1)
                earned.append(np.maximum(np.diff(cum, axis=0, prepend=0.0), 0.0))
            else:
                each = period_payout(sub, y_grid * Q / K, np.full(len(y_grid), Q / K))
                earned.append(np.broadcast_to(each, (K, len(y_grid))))
            caps.append(c.cap)
            share.append(keep if isinstance(c, Commission) else 1.0)
        paths = [_capped(x, cap) for x, cap in zip(earned, caps, strict=True)]
        paid = _total(sum(paths), Cap(period=plan.caps.period))[-1]
        parts = [path[-1] for path in paths]  # each component's capped year, to weight clawback keep
        mix = np.divide(sum(s * x for s, x in zip(share, parts, strict=True)), sum(parts),
                        out=np.full(len(y_grid), float(np.mean(share))), where=sum(parts) > 0)
        if plan.caps.year is not None:
            paid = np.minimum(total + paid, plan.caps.year) - np.minimum(total, plan.caps.year)
        total = total + paid
        f += paid * mix
    return f


def _team_share(c: TeamBonus, own: np.ndarray, quota: float, size: int, pace: float) -> np.ndarray:
    """A member's expected share of the team pool (currency) when crediting ``own`` against
    ``quota`` while the other ``size - 1`` members reach ``pace`` of theirs on average, each with
    attainment sd :data:`TEAM_ATTAINMENT_SD` (their total is normal: closed-form expectations)."""
    mean = own + (size - 1) * pace * quota  # team credit
    sd = max(np.sqrt(size - 1) * TEAM_ATTAINMENT_SD * quota, 1e-9 * quota)
    d = (mean - c.threshold * size * quota) / sd
    reach = norm.cdf(d)
    if c.pool_rate is not None:
        pool = c.pool_rate * (mean * reach + sd * norm.pdf(d))  # E[pool; team reaches the threshold]
    else:
        pool = c.pool_per_member * size * reach
    return pool / size if c.split == "equal" else pool * own / np.maximum(mean, 1e-9)
