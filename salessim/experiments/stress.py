"""Stress tests and the return on an intervention, from replicated runs with common random numbers.

Replication ``i`` of every variant runs with ``seed_sequence(seed, i)`` (the same seeding as
:mod:`salessim.experiments`), so a shocked run and its baseline share arrivals, deal dice and
reps until the shock: differences are paired and their confidence intervals narrow.

* :func:`stress_test`: for a scenario and named shocks (lists of events), the distribution of
  revenue, cost of sales, quota attainment and attrition over replications, with downside
  percentiles (P10, P5) and the months bookings take to recover.
* :func:`intervention_roi`: incremental revenue and margin of interventions against their cost,
  paired, with a confidence interval and the payback month.

Money in the scenario currency; months are measured months (1 = the first).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from salessim.engine.streams import seed_sequence
from salessim.errors import SalessimError
from salessim.results.kpis import attainment_by_rep
from salessim.results.simulation import simulate
from salessim.results.tables import SimResult
from salessim.scenario import Scenario, load_scenario

EventLike = Any  # an event model or a mapping with ``kind``


def with_events(scenario: Scenario | str, events: Sequence[EventLike], name: str | None = None) -> Scenario:
    """The scenario with ``events`` appended to its own (validated like YAML)."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    data = sc.to_dict()
    data["events"] = data.get("events", []) + [e.model_dump(mode="json") if hasattr(e, "model_dump") else dict(e)
                                               for e in events]
    if name is not None:
        data["name"] = name
    return load_scenario(data)


def replicate(variants: Mapping[str, Scenario], replications: int, seed: int | None = None,
              on_run: Callable[[str, int, SimResult], None] | None = None) -> dict[str, list[SimResult]]:
    """Run every variant ``replications`` times; replication ``i`` uses ``seed_sequence(seed, i)``."""
    if not isinstance(replications, int) or replications < 2:
        raise SalessimError(f"replications: must be a whole number >= 2 (for a confidence interval), got {replications!r}")
    first = next(iter(variants.values()))
    seed = first.seed if seed is None else seed
    out: dict[str, list[SimResult]] = {k: [] for k in variants}
    for i in range(replications):
        for label, sc in variants.items():
            r = simulate(sc, seed=seed_sequence(seed, i))
            out[label].append(r)
            if on_run is not None:
                on_run(label, i, r)
    return out


def monthly(result: SimResult) -> pd.DataFrame:
    """Per measured month: bookings, comp cost, event cost, leavers (currency, reps)."""
    led = result.ledger
    g = led.groupby("month", observed=True)
    out = pd.DataFrame({"bookings": g["bookings"].sum(), "leavers": g["left"].sum().astype(float)})
    out["comp_cost"] = g["total_pay"].sum() if "total_pay" in led else 0.0
    costs = result.event_costs
    out["event_cost"] = costs.groupby("month")["cost"].sum().reindex(out.index).fillna(0.0) if costs is not None and len(costs) else 0.0
    out.index = out.index.astype(str)
    out.insert(0, "month_no", np.arange(1, len(out) + 1))
    return out.reset_index()


def _run_row(r: SimResult) -> dict[str, float]:
    k = r.kpis().set_index("kpi")["value"]
    led = r.ledger
    att = attainment_by_rep(led)
    months = r.scenario.calendar.horizon_months
    return {
        "revenue": float(led["bookings"].sum()),
        "cost of sales": float(k.get("cost of sales", np.nan)),
        "cost of sales incl. events": float(k.get("cost of sales incl. interventions", k.get("cost of sales", np.nan))),
        "attainment median": float(att.median()),
        "reps at or above quota": float((att >= 1).mean()),
        "annual attrition": float(led["left"].sum()) / r.scenario.org.reps * 12 / months,
        "event cost": float(r.event_costs["cost"].sum()) if r.event_costs is not None else 0.0,
    }


def months_to_recover(shocked: np.ndarray, base: np.ndarray, start: int, share: float = 0.95, window: int = 3) -> float:
    """Months from the shock's month ``start`` (0-based) until trailing ``window``-month bookings are
    back to ``share`` of the baseline's, after their trough. 0 if they never fell below; NaN if
    they do not recover within the horizon."""
    s = pd.Series(shocked).rolling(window, min_periods=1).sum().to_numpy()
    b = pd.Series(base).rolling(window, min_periods=1).sum().to_numpy()
    ratio = np.divide(s, b, out=np.ones_like(s), where=b > 0)[start:]
    if len(ratio) == 0 or ratio.min() >= share:
        return 0.0
    trough = int(np.argmin(ratio))
    back = np.flatnonzero(ratio[trough:] >= share)
    return float(trough + back[0]) if len(back) else np.nan


def _first_month(sc: Scenario, events: Sequence) -> int:
    from salessim.scenario.events import Context

    ctx = Context(sc)
    days = [ctx.day(e.at) for e in events]
    start = pd.Timestamp(sc.calendar.start_date)
    first = start + pd.Timedelta(days=min(days))
    return (first.year - start.year) * 12 + first.month - start.month


def paired_ci(diff: np.ndarray, level: float = 0.9) -> tuple[float, float, float]:
    """Mean and t-interval of paired differences (one per replication)."""
    d = np.asarray(diff, float)
    d = d[np.isfinite(d)]
    if len(d) < 2:
        return float(d.mean()) if len(d) else np.nan, np.nan, np.nan
    half = stats.t.ppf(0.5 + level / 2, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return float(d.mean()), float(d.mean() - half), float(d.mean() + half)


# --------------------------------------------------------------------------- stress test


@dataclass(frozen=True)
class StressTest:
    """Replicated runs of a baseline and shocked variants.

    ``runs``: one row per variant and replication (revenue, cost of sales, attainment, attrition,
    event cost, months to recover); ``monthly``: bookings per variant, replication and month.
    """

    runs: pd.DataFrame
    monthly: pd.DataFrame
    baseline: str
    level: float = 0.9

    METRICS = ("revenue", "cost of sales", "attainment median", "reps at or above quota", "annual attrition")

    def summary(self) -> pd.DataFrame:
        """Per variant and metric: mean, median, P10, P5, and the paired change vs the baseline
        with its confidence interval; months to recover (median, share recovered)."""
        rows = []
        base = self.runs[self.runs["variant"] == self.baseline].set_index("replication")
        for variant, g in self.runs.groupby("variant", sort=False):
            g = g.set_index("replication")
            for m in self.METRICS:
                x = g[m].to_numpy(float)
                mean, lo, hi = paired_ci(x - base.loc[g.index, m].to_numpy(float), self.level)
                rows.append({"variant": variant, "metric": m, "mean": x.mean(), "median": np.median(x),
                             "P10": np.quantile(x, 0.10), "P5": np.quantile(x, 0.05),
                             "change vs baseline": mean, "ci low": lo, "ci high": hi})
            rec = g["months to recover"].to_numpy(float)
            if variant != self.baseline:
                rows.append({"variant": variant, "metric": "months to recover (median)",
                             "mean": np.nanmean(rec) if np.isfinite(rec).any() else np.nan,
                             "median": np.nanmedian(rec) if np.isfinite(rec).any() else np.nan,
                             "P10": np.nan, "P5": np.nan, "change vs baseline": np.nan,
                             "ci low": np.nan, "ci high": np.nan,
                             "recovered within horizon": float(np.isfinite(rec).mean())})
        return pd.DataFrame(rows)


def stress_test(scenario: Scenario | str, shocks: Mapping[str, Sequence[EventLike]], replications: int = 20,
                seed: int | None = None, recover_share: float = 0.95, level: float = 0.9) -> StressTest:
    """Run the baseline and each named shock (a list of events added to the scenario) with common
    random numbers. Example: ``stress_test(sc, {"demand -20% from Q3": [{"kind": "demand_shock",
    "at": 7, "factor": 0.8}]})``."""
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if not shocks:
        raise SalessimError("shocks: give at least one named list of events")
    variants = {"baseline": base} | {name: with_events(base, evs, name) for name, evs in shocks.items()}
    starts = {name: _first_month(variants[name], variants[name].events[len(base.events):]) for name in shocks}
    results = replicate(variants, replications, seed)
    rows, months = [], []
    for label, runs in results.items():
        for i, r in enumerate(runs):
            m = monthly(r)
            months.append(m.assign(variant=label, replication=i))
            row = {"variant": label, "replication": i, **_run_row(r), "months to recover": np.nan}
            if label != "baseline":
                b = monthly(results["baseline"][i])["bookings"].to_numpy()
                row["months to recover"] = months_to_recover(m["bookings"].to_numpy(), b, starts[label], recover_share)
            rows.append(row)
    return StressTest(pd.DataFrame(rows), pd.concat(months, ignore_index=True), "baseline", level)


# --------------------------------------------------------------------------- intervention ROI


def revenue_margin(scenario: Scenario) -> float:
    """Gross margin on bookings implied by the customer lifecycle: segment margins weighted by the
    segments' expected share of bookings (lead share x mean deal size)."""
    m = scenario.market
    w = np.array([s.share_of_accounts * s.potential_weight * s.deal_size.median * np.exp(s.deal_size.sigma**2 / 2)
                  for s in m.segments])
    margins = np.array([scenario.customers.for_segment(s.name).gross_margin for s in m.segments])
    return float((w * margins).sum() / w.sum())


@dataclass(frozen=True)
class InterventionROI:
    """Paired per-replication and per-month increments of an intervention over its baseline.

    ``runs``: per replication: incremental revenue, margin (gross margin on bookings minus extra
    comp), cost, net (margin - cost), ROI (net / cost), payback month. ``monthly``: per
    replication and month, the same increments and their cumulative net.
    """

    runs: pd.DataFrame
    monthly: pd.DataFrame
    gross_margin: float
    start_month: int
    level: float = 0.9

    def summary(self) -> pd.DataFrame:
        """Mean and paired confidence interval of each increment; payback of the mean curve."""
        rows = []
        for m in ("incremental revenue", "incremental margin", "intervention cost", "net return", "ROI"):
            mean, lo, hi = paired_ci(self.runs[m].to_numpy(float), self.level)
            rows.append({"metric": m, "mean": mean, "ci low": lo, "ci high": hi})
        rows.append({"metric": "payback month (mean curve)", "mean": self.payback_month(), "ci low": np.nan, "ci high": np.nan})
        pay = self.runs["payback month"].to_numpy(float)
        rows.append({"metric": "share of replications paid back in horizon", "mean": float(np.isfinite(pay).mean()),
                     "ci low": np.nan, "ci high": np.nan})
        return pd.DataFrame(rows)

    def payback_month(self) -> float:
        """First measured month in which the mean cumulative net return is >= 0 (NaN: not in the horizon)."""
        curve = self.monthly.groupby("month_no")["cumulative net"].mean()
        hit = curve[(curve >= 0) & (curve.index >= self.start_month)]
        return float(hit.index[0]) if len(hit) else np.nan


def intervention_roi(scenario: Scenario | str, interventions: Sequence[EventLike], replications: int = 20,
                     seed: int | None = None, gross_margin: float | None = None, level: float = 0.9) -> InterventionROI:
    """Return on ``interventions`` (events added to the scenario), paired with common random numbers.

    Incremental margin per month = ``gross_margin`` x incremental bookings - incremental comp
    pay; net = margin - the interventions' costs (their ``event_costs``). ``gross_margin``
    defaults to :func:`revenue_margin`. Effects after the horizon are not counted.
    """
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    treated = with_events(base, interventions, f"{base.name} + interventions")
    gm = revenue_margin(base) if gross_margin is None else float(gross_margin)
    start = _first_month(treated, treated.events[len(base.events):]) + 1  # measured month number
    results = replicate({"baseline": base, "treated": treated}, replications, seed)
    rows, months = [], []
    for i, (b, t) in enumerate(zip(results["baseline"], results["treated"], strict=True)):
        mb, mt = monthly(b), monthly(t)
        d = pd.DataFrame({"replication": i, "month": mt["month"], "month_no": mt["month_no"]})
        d["incremental revenue"] = mt["bookings"] - mb["bookings"]
        d["incremental comp"] = mt["comp_cost"] - mb["comp_cost"]
        d["intervention cost"] = mt["event_cost"] - mb["event_cost"]
        d["incremental margin"] = gm * d["incremental revenue"] - d["incremental comp"]
        d["net return"] = d["incremental margin"] - d["intervention cost"]
        d["cumulative net"] = d["net return"].cumsum()
        months.append(d)
        paid = d.loc[(d["cumulative net"] >= 0) & (d["month_no"] >= start), "month_no"]
        cost = float(d["intervention cost"].sum())
        net = float(d["net return"].sum())
        rows.append({"replication": i, "incremental revenue": float(d["incremental revenue"].sum()),
                     "incremental margin": float(d["incremental margin"].sum()), "intervention cost": cost,
                     "net return": net, "ROI": net / cost if cost > 0 else np.nan,
                     "payback month": float(paid.iloc[0]) if len(paid) else np.nan,
                     "revenue change": float(mt["bookings"].sum() / mb["bookings"].sum() - 1),
                     "cycle change": _median_cycle(t) / _median_cycle(b) - 1})
    return InterventionROI(pd.DataFrame(rows), pd.concat(months, ignore_index=True), gm, start, level)


def _median_cycle(r: SimResult) -> float:
    k = r.kpis().set_index("kpi")["value"]
    return float(k["median sales cycle (won)"])
