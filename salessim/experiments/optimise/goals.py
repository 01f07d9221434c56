"""What the optimiser maximises and what it must respect, evaluated on the replications'
distribution of one candidate (never on a single run).

* Objective: ``net contribution`` (revenue - comp cost - management cost, per replication, in
  the scenario's currency; the default), ``revenue``, or any KPI of
  :mod:`salessim.results.kpis` with ``{maximise: KPI}`` / ``{minimise: KPI}``. Its value is the
  mean over replications.
* Constraints on a KPI (or ``net contribution``, ``attainment spread`` = P90 - P10 attainment):
  ``{kpi: cost of sales, max: 12%}``, ``{kpi: reps at or above quota, min: 50%, max: 70%}``,
  ``{kpi: comp cost, stat: p90, max: 9000000}``, or the short form ``"cost of sales <= 12%"``.
  With ``stat: mean`` (the default) the constraint holds when the whole confidence interval of
  the mean (:func:`~salessim.experiments.statistics.confidence_interval`, 95% by default) is
  inside the limits: a plan is not recommended on the luck of a few replications. ``stat: pNN``
  is the NN-th percentile over replications (a risk statement: "P90 comp cost <= budget").
* ``{group_pay: [region, skill], max_loss: 5%}``: no rep group is worse off than today by more
  than 5% at the same performance: for every rep, the annual pay of the candidate plan and of
  today's plan at the attainment the rep reached under the candidate (both from the plans' pay
  curves, for a rep with the median quota); per group and replication the change of the group's
  total; the lower confidence bound of its mean must be >= -5% for every group. Numeric rep
  columns (skill, potential) are cut into thirds (low, mid, high).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from salessim.comp.curve import _synthetic, pay_curve
from salessim.comp.payout import ledger
from salessim.experiments.optimise.space import SearchError, number
from salessim.experiments.statistics import confidence_interval
from salessim.results.kpis import attainment_by_rep

if TYPE_CHECKING:
    from salessim.comp import CompPlan
    from salessim.results.tables import SimResult

NET = "net contribution"
SPREAD = "attainment spread"
DERIVED = (NET, SPREAD)


@dataclass(frozen=True)
class Objective:
    """Maximise (``sense`` = 1) or minimise (-1) the mean of ``kpi`` over replications."""

    kpi: str = NET
    sense: int = 1

    def describe(self) -> str:
        return f"{'maximise' if self.sense > 0 else 'minimise'} {self.kpi}"


@dataclass(frozen=True)
class Constraint:
    """``low <= stat(kpi) <= high``; or, for ``kpi == "group pay"``, every group's pay change at
    the same performance >= ``low`` (``groups``: rep columns)."""

    kpi: str
    low: float | None = None
    high: float | None = None
    stat: str = "mean"
    groups: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.groups:
            return f"no group by {', '.join(self.groups)} loses more than {-self.low:.1%} at the same performance"
        what = self.kpi if self.stat == "mean" else f"{self.stat.upper()} {self.kpi}"
        if self.low is not None and self.high is not None:
            return f"{_show(self.low, self.kpi)} <= {what} <= {_show(self.high, self.kpi)}"
        return f"{what} {'<=' if self.high is not None else '>='} {_show(self.high if self.high is not None else self.low, self.kpi)}"


def _show(v: float, kpi: str) -> str:
    if kpi == "pay-for-performance correlation":
        return f"{v:g}"
    return f"{v:.1%}" if abs(v) <= 1.5 else f"{v:,.0f}"


def objective_of(spec: Any) -> Objective:
    if spec is None:
        return Objective()
    if isinstance(spec, str):
        return Objective(spec)
    if isinstance(spec, Mapping) and len(spec) == 1:
        (verb, kpi), = spec.items()
        if verb in ("maximise", "maximize", "minimise", "minimize"):
            return Objective(str(kpi), 1 if verb.startswith("max") else -1)
    raise SearchError(f"objective: expected a KPI name or {{maximise: KPI}} / {{minimise: KPI}}, got {spec!r}")


_SHORT = re.compile(r"^\s*(?:(p\d{1,2})\s+)?(.+?)\s*(<=|>=)\s*(\S+)\s*$", re.IGNORECASE)


def constraint_of(spec: Any) -> Constraint:
    where = f"constraints: {spec!r}"
    if isinstance(spec, str):
        m = _SHORT.match(spec)
        if not m:
            raise SearchError(f"{where}: write 'KPI <= value', 'KPI >= value' or 'p90 KPI <= value'")
        stat, kpi, op, value = m.groups()
        v = number(value, where)
        return _checked(Constraint(kpi, v if op == ">=" else None, v if op == "<=" else None, (stat or "mean").lower()), where)
    if not isinstance(spec, Mapping):
        raise SearchError(f"{where}: expected a mapping like {{kpi: cost of sales, max: 12%}}")
    spec = dict(spec)
    if "group_pay" in spec:
        groups = spec["group_pay"]
        groups = (groups,) if isinstance(groups, str) else tuple(groups)
        return Constraint("group pay", low=-number(spec.get("max_loss", 0.05), where), groups=groups)
    unknown = set(spec) - {"kpi", "min", "max", "stat"}
    if unknown or "kpi" not in spec:
        raise SearchError(f"{where}: keys are kpi, min, max, stat (or group_pay, max_loss)")
    low = number(spec["min"], where) if spec.get("min") is not None else None
    high = number(spec["max"], where) if spec.get("max") is not None else None
    return _checked(Constraint(str(spec["kpi"]), low, high, str(spec.get("stat", "mean")).lower()), where)


def _checked(c: Constraint, where: str) -> Constraint:
    if c.low is None and c.high is None:
        raise SearchError(f"{where}: give min, max or both")
    if c.stat != "mean" and not re.fullmatch(r"p\d{1,2}", c.stat):
        raise SearchError(f"{where}: stat: 'mean' or a percentile like 'p90'")
    return c


@dataclass(frozen=True)
class Evaluation:
    """One candidate at ``replications`` replications: the objective (mean), each constraint's
    statistic and violation (0 = satisfied; else how far outside, relative to the limit), and the
    means of the headline numbers used by the Pareto front."""

    replications: int
    objective: float
    metrics: dict[str, float]
    checks: tuple[tuple[str, float, float], ...]  # (description, statistic, violation)

    @property
    def feasible(self) -> bool:
        return all(v <= 0 for _, _, v in self.checks)

    @property
    def violation(self) -> float:
        return float(sum(v for _, _, v in self.checks))


def per_replication(kpis: pd.DataFrame) -> pd.DataFrame:
    """One candidate's KPIs wide (replication x KPI), with the derived ``net contribution`` and
    ``attainment spread`` columns."""
    wide = kpis.pivot_table(index="replication", columns="kpi", values="value", aggfunc="first", observed=True)
    wide[NET] = wide["revenue"] - wide.get("comp cost", 0.0).fillna(0.0) - wide["management cost"]
    wide[SPREAD] = wide["attainment P90"] - wide["attainment P10"]
    return wide


def evaluate(kpis: pd.DataFrame, reps: pd.DataFrame | None, objective: Objective,
             constraints: Sequence[Constraint], level: float | None = None) -> Evaluation:
    """Evaluate one candidate from its tidy KPIs (replication, kpi, value) and its per-rep
    outcomes (:func:`rep_outcomes`, with a replication column)."""
    wide = per_replication(kpis)
    if objective.kpi not in wide:
        raise SearchError(f"objective: unknown KPI {objective.kpi!r} (e.g. {', '.join([*DERIVED, *list(wide)[:6]])})")
    checks = []
    for c in constraints:
        if c.groups:
            stat = worst_group_change(reps, c.groups, level)
            checks.append((c.describe(), stat, max(0.0, (c.low - stat))))
            continue
        if c.kpi not in wide:
            raise SearchError(f"constraints: unknown KPI {c.kpi!r}")
        x = wide[c.kpi].to_numpy(float)
        x = x[np.isfinite(x)]
        if c.stat == "mean":
            ci = confidence_interval(x, level=level)
            hi, lo = (ci.mean, ci.mean) if np.isnan(ci.high) else (ci.high, ci.low)
        else:
            hi = lo = float(np.quantile(x, int(c.stat[1:]) / 100)) if len(x) else np.nan
        v = 0.0
        if c.high is not None:
            v += max(0.0, (hi - c.high) / (abs(c.high) or 1.0))
        if c.low is not None:
            v += max(0.0, (c.low - lo) / (abs(c.low) or 1.0))
        stat = hi if c.high is not None else lo
        checks.append((c.describe(), float(stat), float(v) if np.isfinite(v) else 1.0))
    metrics = {k: float(wide[k].mean()) for k in (NET, "revenue", "comp cost", "cost of sales", SPREAD,
                                                  "reps at or above quota", "annual rep attrition",
                                                  "pay-for-performance correlation") if k in wide}
    return Evaluation(len(wide), objective.sense * float(wide[objective.kpi].mean()), metrics, tuple(checks))


def worst_group_change(reps: pd.DataFrame, groups: Sequence[str], level: float | None = None) -> float:
    """The lowest, over rep groups, lower confidence bound of the mean (over replications) change
    of the group's annual pay, candidate vs today at the same performance (fraction)."""
    df = reps.copy()
    keys = []
    for g in groups:
        if g not in df:
            raise SearchError(f"constraints: group_pay: {g!r} is not a rep column ({', '.join(c for c in df.columns if c not in _NUMBERS)})")
        if pd.api.types.is_numeric_dtype(df[g]):
            df[g] = df.groupby("replication")[g].transform(lambda s: pd.qcut(s.rank(method="first"), 3, labels=False))
            df[g] = df[g].map({0: "low", 1: "mid", 2: "high"})
        keys.append(g)
    tot = df.groupby([*keys, "replication"], observed=True)[["pay_plan", "pay_today"]].sum()
    change = (tot["pay_plan"] / tot["pay_today"] - 1).rename("change").reset_index()
    worst = np.inf
    for _, g in change.groupby(keys, observed=True):
        ci = confidence_interval(g["change"].to_numpy(), level=level)
        worst = min(worst, ci.mean if np.isnan(ci.low) else ci.low)
    return float(worst)


_NUMBERS = ("replication", "attainment", "bookings", "quota", "total_pay", "variable_pay", "pay_plan", "pay_today")


def rep_outcomes(today: CompPlan | None, result: SimResult) -> pd.DataFrame:
    """Per rep seat of one run: the reps table's columns, attainment (fraction), bookings, quota
    and actual total and variable pay over the measured window, and the annual pay of this run's
    plan (``pay_plan``) and of today's plan (``pay_today``) at that attainment, for a rep with
    the median annual quota (currency). A per-run measure of the experiments runner."""
    led = result.ledger
    g = led.groupby("rep", observed=True)
    out = result.reps.set_index("rep").copy()
    out.index = out.index.astype(str)
    att = attainment_by_rep(led)
    att.index = att.index.astype(str)
    out["attainment"] = att.reindex(out.index).fillna(0.0)
    for col in ("bookings", "quota"):
        s = g[col].sum()
        out[col] = s.set_axis(s.index.astype(str)).reindex(out.index)
    for col in ("total_pay", "variable_pay"):
        s = g[col].sum() if col in led else pd.Series(np.nan, index=out.index)
        out[col] = s.set_axis(s.index.astype(str)).reindex(out.index)
    annual_quota = float(np.nanmedian(out["quota"])) * 12 / result.scenario.calendar.horizon_months
    level = out["attainment"].clip(0.0, 10.0).to_numpy()
    out["pay_plan"] = _curve_total(result.scenario.plan, level, annual_quota)
    out["pay_today"] = _curve_total(today, level, annual_quota)
    return out.reset_index()


#: The fiscal year pay_curve's synthetic reps book in (its default).
_PAY_CURVE_YEAR = inspect.signature(pay_curve).parameters["fiscal_year"].default


def _curve_total(plan: CompPlan | None, attainment: np.ndarray, annual_quota: float) -> np.ndarray:
    if plan is None:
        return np.full(len(attainment), np.nan)
    levels = np.unique(attainment)
    # The "total" rows of pay_curve(plan, levels, annual_quota=...), without building its tidy
    # table of every component (ten times the cost of the statements themselves): the same
    # synthetic reps and statements, the same sum, so the same numbers.
    led = ledger(plan, _synthetic(plan, levels, max(annual_quota, 1.0), _PAY_CURVE_YEAR), include_draw=False)
    total = led.total.sum(axis=1) / 100.0
    return total[np.searchsorted(levels, attainment)]


def rep_measure(today: CompPlan | None) -> partial:
    """:func:`rep_outcomes` bound to today's plan (picklable, for the runner's ``measures``)."""
    return partial(rep_outcomes, today)
