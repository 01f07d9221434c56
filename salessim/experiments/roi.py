"""The return on an intervention: incremental revenue and margin against its cost, paired.

:func:`intervention_roi` runs the scenario with and without the interventions (events) through
the experiments runner (:func:`salessim.experiments.runner.replicate`: common random numbers,
executors, results store, resume) and reports each increment with its confidence interval
(:func:`salessim.experiments.statistics.confidence_interval`) and the payback month.

Money in the scenario currency; months are measured months (1 = the first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salessim.experiments.runner import replicate
from salessim.experiments.statistics import confidence_interval
from salessim.experiments.store import Store
from salessim.experiments.stress import (
    RISK_MEASURES,
    EventLike,
    check_replications,
    first_event_month,
    with_events,
)
from salessim.scenario import Scenario, load_scenario


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
    level: float | None = None  # None: salessim.experiments.statistics.LEVEL
    store: Path | None = None
    experiment: str | None = None
    run_log: pd.DataFrame | None = None  # the runner's runs: run_id, cached, sim_seconds...

    def summary(self) -> pd.DataFrame:
        """Mean and paired confidence interval of each increment; payback of the mean curve."""
        rows = []
        for m in ("incremental revenue", "incremental margin", "intervention cost", "net return", "ROI"):
            ci = confidence_interval(self.runs[m].to_numpy(float), level=self.level)
            rows.append({"metric": m, "mean": ci.mean, "ci low": ci.low, "ci high": ci.high})
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
                     seed: int | None = None, gross_margin: float | None = None, level: float | None = None,
                     executor: Any = None, *, store: Store | str | Path | None = None, progress: bool = True,
                     experiment: str | None = None) -> InterventionROI:
    """Return on ``interventions`` (events added to the scenario), paired with common random numbers.

    Incremental margin per month = ``gross_margin`` x incremental bookings - incremental comp
    pay; net = margin - the interventions' costs (their ``event_costs``). ``gross_margin``
    defaults to :func:`revenue_margin`. Effects after the horizon are not counted. ``level`` of
    the intervals (default 95%); ``executor``, ``store`` (resume), ``progress``, ``experiment``
    as in :func:`salessim.experiments.compare`.
    """
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    check_replications(replications)
    treated = with_events(base, interventions, f"{base.name} + interventions")
    gm = revenue_margin(base) if gross_margin is None else float(gross_margin)
    start = first_event_month(treated, treated.events[len(base.events):]) + 1  # measured month number
    reps = replicate({"baseline": base, "treated": treated}, replications, seed, executor, store=store,
                     progress=progress, experiment=experiment, measures=RISK_MEASURES, desc="roi")
    monthly = {key: g.reset_index(drop=True) for key, g in reps.measures["monthly"].groupby(["scenario", "replication"])}
    k = reps.kpis[reps.kpis["kpi"] == "median sales cycle (won)"]
    cycle = dict(zip(zip(k["scenario"].astype(str), k["replication"], strict=True), k["value"], strict=True))
    rows, months = [], []
    for i in range(replications):
        mb, mt = monthly[("baseline", i)], monthly[("treated", i)]
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
                     "cycle change": float(cycle[("treated", i)]) / float(cycle[("baseline", i)]) - 1})
    return InterventionROI(pd.DataFrame(rows), pd.concat(months, ignore_index=True), gm, start, level,
                           reps.store, reps.experiment, reps.runs)
