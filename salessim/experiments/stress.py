"""Stress tests: a scenario against named shocks, from replicated runs with common random numbers.

:func:`stress_test` runs the baseline and every shocked variant through the experiments runner
(:func:`salessim.experiments.runner.replicate`: executors, results store, resume). Replication
``i`` of every variant runs with ``seed_sequence(seed, i)``, so a shocked run and its baseline
share arrivals, deal dice and reps until the shock: differences are paired and their confidence
intervals (:func:`salessim.experiments.statistics.confidence_interval`) narrow. The summary
gives the distribution of revenue, cost of sales, quota attainment and attrition over
replications, downside percentiles (P10, P5) and the months bookings take to recover.

Money in the scenario currency; months are measured months (1 = the first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salessim.errors import SalessimError
from salessim.experiments.runner import replicate
from salessim.experiments.statistics import confidence_interval
from salessim.experiments.store import Store
from salessim.results.kpis import attainment_by_rep
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


def run_metrics(r: SimResult) -> pd.DataFrame:
    """One row: revenue, cost of sales (with and without event costs), median attainment, share of
    reps at or above quota, annual attrition (fraction of the org) and event cost of one run."""
    k = r.kpis().set_index("kpi")["value"]
    led = r.ledger
    att = attainment_by_rep(led)
    months = r.scenario.calendar.horizon_months
    return pd.DataFrame([{
        "revenue": float(led["bookings"].sum()),
        "cost of sales": float(k.get("cost of sales", np.nan)),
        "cost of sales incl. events": float(k.get("cost of sales incl. interventions", k.get("cost of sales", np.nan))),
        "attainment median": float(att.median()),
        "reps at or above quota": float((att >= 1).mean()),
        "annual attrition": float(led["left"].sum()) / r.scenario.org.reps * 12 / months,
        "event cost": float(r.event_costs["cost"].sum()) if r.event_costs is not None else 0.0,
    }])


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


def first_event_month(sc: Scenario, events: Sequence) -> int:
    """0-based measured month of the earliest of ``events``."""
    from salessim.scenario.events import Context

    ctx = Context(sc)
    days = [ctx.day(e.at) for e in events]
    start = pd.Timestamp(sc.calendar.start_date)
    first = start + pd.Timedelta(days=min(days))
    return (first.year - start.year) * 12 + first.month - start.month


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
    level: float | None = None  # None: salessim.experiments.statistics.LEVEL
    store: Path | None = None
    experiment: str | None = None
    run_log: pd.DataFrame | None = None  # the runner's runs: run_id, cached, sim_seconds...

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
                ci = confidence_interval(x, base.loc[g.index, m].to_numpy(float), self.level)
                rows.append({"variant": variant, "metric": m, "mean": x.mean(), "median": np.median(x),
                             "P10": np.quantile(x, 0.10), "P5": np.quantile(x, 0.05),
                             "change vs baseline": ci.mean, "ci low": ci.low, "ci high": ci.high})
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
                seed: int | None = None, recover_share: float = 0.95, level: float | None = None,
                executor: Any = None, *, store: Store | str | Path | None = None, progress: bool = True,
                experiment: str | None = None) -> StressTest:
    """Run the baseline and each named shock (a list of events added to the scenario) with common
    random numbers. Example: ``stress_test(sc, {"demand -20% from Q3": [{"kind": "demand_shock",
    "at": 7, "factor": 0.8}]})``. ``executor``, ``store`` (resume), ``progress`` and ``experiment``
    as in :func:`salessim.experiments.compare`; ``level`` of the intervals (default 95%)."""
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if not shocks:
        raise SalessimError("shocks: give at least one named list of events")
    check_replications(replications)
    variants = {"baseline": base} | {name: with_events(base, evs, name) for name, evs in shocks.items()}
    starts = {name: first_event_month(variants[name], variants[name].events[len(base.events):]) for name in shocks}
    reps = replicate(variants, replications, seed, executor, store=store, progress=progress, experiment=experiment,
                     measures=RISK_MEASURES, desc="stress")
    months = reps.measures["monthly"].rename(columns={"scenario": "variant"})
    bookings = {key: g["bookings"].to_numpy() for key, g in months.groupby(["variant", "replication"], sort=False)}
    runs = reps.measures["run_metrics"].rename(columns={"scenario": "variant"})
    runs["months to recover"] = [
        np.nan if v == "baseline" else months_to_recover(bookings[(v, i)], bookings[("baseline", i)], starts[v], recover_share)
        for v, i in zip(runs["variant"], runs["replication"], strict=True)]
    months = months[[*[c for c in months.columns if c not in ("variant", "replication")], "variant", "replication"]]
    return StressTest(runs, months, "baseline", level, reps.store, reps.experiment, reps.runs)


def check_replications(replications: int) -> None:
    if not isinstance(replications, int) or replications < 2:
        raise SalessimError(f"replications: must be a whole number >= 2 (for a confidence interval), got {replications!r}")


#: The per-run tables stress tests and intervention ROI need (stored with each run).
RISK_MEASURES = {"monthly": monthly, "run_metrics": run_metrics}
