"""The plan year as each rep sees it during a run: the plan's value table and each rep's place in it.

:func:`foresight` builds, once per plan and org (cached, keyed by everything it depends on), the
plan-year value table of :mod:`salessim.model.plan_year` from the plan's rewards
(:func:`salessim.comp.valuation.plan_year`). :class:`Foresight` then maps the engine's clock to a
step of the plan year and each rep's credit to the table's coordinates (annual quotas), and answers
the two questions reps ask: which effort now (:meth:`Foresight.effort`) and what a deal credited
now, or later, is worth to them (:meth:`Foresight.deal_value`).

The plan year is a template fiscal year (the scenario's first fiscal year, months cut into 7-day
steps from each month start); the engine's weekly steps map onto it by fiscal month and day.
"""

from __future__ import annotations

import bisect
import calendar
import json
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from salessim.comp.plan import CompPlan
from salessim.comp.valuation import PlanValue, plan_year
from salessim.model.plan_year import Preferences, ValueTable, best_effort, credit_value, solve
from salessim.scenario import Scenario

#: Paces (expected annual credit at normal effort, in annual quotas) the table is solved for.
RHO_GRID = np.array([0.1, 0.3, 0.5, 0.7, 0.85, 1.0, 1.15, 1.3, 1.6, 2.0, 3.0])


@dataclass(frozen=True)
class Foresight:
    """A plan's value table and the template plan year it was solved on."""

    table: ValueTable
    value: PlanValue
    step_start: np.ndarray  #: (T,) day of the fiscal month each template step starts on
    step_month: np.ndarray  #: (T,) fiscal month (0-11) of each template step
    year_start: int  #: fiscal year start month (1-12)

    @property
    def pacing_months(self) -> int:
        return self.value.pacing_months

    def step(self, fiscal_month: int, day_in_month: float) -> int:
        """The template step covering ``day_in_month`` (days since the month start) of ``fiscal_month``."""
        in_month, starts = self._month_steps[fiscal_month]
        k = bisect.bisect_right(starts, day_in_month + 1e-9) - 1
        return in_month[max(k, 0)]

    @cached_property
    def _month_steps(self) -> dict[int, tuple[list[int], list[float]]]:
        """Per fiscal month: its template steps and the days of the month they start on (read
        once: :meth:`step` is asked several times a work step)."""
        out = {}
        for m in np.unique(self.step_month).tolist():
            in_month = np.flatnonzero(self.step_month == m)
            out[m] = (in_month.tolist(), self.step_start[in_month].tolist())
        return out

    def effort(self, step: int, rho: np.ndarray, p: np.ndarray, y0: np.ndarray, days: float) -> np.ndarray:
        """Each rep's effort for the step (see :func:`salessim.model.plan_year.best_effort`)."""
        return best_effort(self.table, step, rho, p, y0, days)

    def deal_value(self, step: int | np.ndarray, rho: np.ndarray, p: np.ndarray, y0: np.ndarray,
                   credit: np.ndarray) -> np.ndarray:
        """What crediting ``credit`` (annual quotas) at ``step`` adds to each rep's value (currency);
        several (step, p, y0) states per rep may be stacked on leading axes (reps last)."""
        return credit_value(self.table, step, rho, p, y0, credit)


def template_year(fiscal_start: int, year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(step_days, step_month, step_start)`` of a fiscal year starting in month ``fiscal_start`` of ``year``."""
    days, month, start = [], [], []
    for k in range(12):
        cal = (fiscal_start - 1 + k) % 12 + 1
        n = calendar.monthrange(year + (fiscal_start - 1 + k) // 12, cal)[1]
        for d in range(0, n, 7):
            days.append(min(7, n - d))
            month.append(k)
            start.append(d)
    return np.asarray(days, float), np.asarray(month), np.asarray(start, float)


class ForesightCache:
    """Value tables by everything they depend on, at most ``size`` (least recently used first).

    A table is a pure function of its key, so a cached one equals a fresh one: the cache only saves
    the backward induction (~0.1 s per plan)."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._items: OrderedDict[str, Foresight] = OrderedDict()

    def get(self, key: str, build) -> Foresight:
        if key in self._items:
            self._items.move_to_end(key)
        else:
            self._items[key] = build()
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        return self._items[key]

    def clear(self) -> None:
        self._items.clear()


#: The cache :func:`foresight` uses (``TABLES.clear()`` empties it).
TABLES = ForesightCache()


def foresight(scenario: Scenario, plan: CompPlan, *, annual_quota: float, avg_deal: float, size_cv: float,
              team_size: int, team_pace: float) -> Foresight:
    """The plan's value table for this org (cached)."""
    b = scenario.behaviour
    cal = scenario.calendar
    ratchet = 0.0
    if b.ratchet.enabled and scenario.quota.strategy == "ratchet":
        # next year's quota rises by ``weight`` x the beat; each unit of it costs the on-target rate
        ratchet = b.ratchet.weight * b.ratchet.foresight * plan.pay.target_incentive
    clawback = 0.0
    if plan.clawback is not None:
        churn = np.mean([scenario.customers.for_segment(s.name).annual_churn for s in scenario.market.segments])
        clawback = 1.0 - (1.0 - churn) ** (plan.clawback.within_months / 12.0)
    key = json.dumps({"plan": plan.to_dict(), "behaviour": b.model_dump(mode="json"),
                      "fiscal": [cal.fiscal_year_start_month, cal.start_date.year],
                      "q": round(annual_quota, -2), "deal": round(avg_deal, 0), "cv": round(size_cv, 3),
                      "team": [team_size, round(team_pace, 3)], "ratchet": ratchet, "claw": round(clawback, 4)},
                     sort_keys=True, default=str)

    def build() -> Foresight:
        days, month, start = template_year(cal.fiscal_year_start_month, cal.start_date.year)
        pv = plan_year(plan, annual_quota=annual_quota, step_days=days, step_month=month, team_size=team_size,
                       team_pace=team_pace, complexity=b.effort.complexity, ratchet_cost=ratchet,
                       clawback_share=clawback)
        prefs = Preferences(b.effort.grid(), b.effort.intrinsic, b.market_pay.variable,
                            elasticity=1.0, deals_per_quota=annual_quota / max(avg_deal, 1e-9), size_cv=size_cv,
                            impatience=b.effort.impatience)
        return Foresight(solve(pv.year, prefs, RHO_GRID), pv, start, month, cal.fiscal_year_start_month)

    return TABLES.get(key, build)
