"""Replication sets and paired KPI comparisons, for notebooks and the explorer: thin layers over
the experiments runner (:func:`salessim.experiments.runner.replicate`) and its one confidence
interval (:func:`salessim.experiments.statistics.confidence_interval`, 95% by default).

Replication ``i`` of any scenario uses ``seed_sequence(seed, i)``, so two scenarios replicated
with the same seed share their dice (common random numbers) and their KPIs can be compared in
pairs. A :class:`ReplicationSet` keeps every run's whole result in memory for per-rep analyses;
it runs in this process by default (``executor`` as in :func:`salessim.compare`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import count
from typing import Any

import numpy as np
import pandas as pd

from salessim.engine.streams import seed_sequence
from salessim.experiments.runner import replicate as run_replications
from salessim.experiments.statistics import confidence_interval
from salessim.results.tables import SimResult
from salessim.scenario import Scenario, load_scenario


@dataclass(frozen=True)
class ReplicationSet:
    """Results of ``len(results)`` replications of one scenario from one root seed."""

    scenario: Scenario
    seed: int
    results: tuple[SimResult, ...]

    @property
    def seeds(self) -> list[np.random.SeedSequence]:
        """The seed of each replication (to re-simulate one, e.g. for a counterfactual)."""
        return [seed_sequence(self.seed, i) for i in range(len(self.results))]

    def kpis(self) -> pd.DataFrame:
        """KPIs of every replication, long: ``replication``, ``kpi``, ``value``, ``unit``."""
        return pd.concat([r.kpis().assign(replication=i) for i, r in enumerate(self.results)],
                         ignore_index=True)[["replication", "kpi", "value", "unit"]]


def replicate_all(scenarios: Mapping[str, Scenario], replications: int, seed: int = 0,
                  progress: Callable[[int, int], None] | None = None,
                  executor: Any = "serial") -> dict[str, ReplicationSet]:
    """Simulate every scenario ``replications`` times through the experiments runner, keeping the
    results; replication *i* of every scenario is seeded ``(seed, i)`` (common random numbers).
    ``progress(done, total)`` is called after each run."""
    if not isinstance(replications, int) or replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    total, done = replications * len(scenarios), count(1)
    on_run = None if progress is None else (lambda _rec: progress(next(done), total))
    reps = run_replications(dict(scenarios), replications, seed, executor, progress=False, on_run=on_run,
                            keep_results=True)
    return {name: ReplicationSet(sc, seed, tuple(reps.results[name])) for name, sc in scenarios.items()}


def replicate(scenario: Scenario, replications: int, seed: int = 0,
              progress: Callable[[int, int], None] | None = None, executor: Any = "serial") -> ReplicationSet:
    """Simulate ``replications`` runs of ``scenario`` (replication *i* seeded ``(seed, i)``)."""
    return replicate_all({scenario.name: scenario}, replications, seed, progress, executor)[scenario.name]


def kpi_summary(runs: ReplicationSet, level: float | None = None) -> pd.DataFrame:
    """Per KPI: ``mean``, ``ci_low``, ``ci_high`` (``level`` t interval of the mean, default 95%),
    ``n``, ``unit``."""
    long = runs.kpis()
    rows = []
    for kpi, g in long.groupby("kpi", sort=False):
        ci = confidence_interval(g["value"].to_numpy(dtype=float), level=level)
        rows.append({"kpi": kpi, "mean": ci.mean, "ci_low": ci.low, "ci_high": ci.high,
                     "n": int(g["value"].notna().sum()), "unit": g["unit"].iloc[0]})
    return pd.DataFrame(rows)


def paired_kpi_differences(baseline: ReplicationSet, variant: ReplicationSet,
                           kpis: Sequence[str] | None = None, level: float | None = None) -> pd.DataFrame:
    """Variant minus baseline per KPI, paired by replication (same seeds).

    Columns: ``kpi``, ``unit``, ``baseline``, ``variant`` (means), ``difference`` (mean paired
    difference, the KPI's unit), ``ci_low``, ``ci_high`` (``level`` t interval of the difference,
    default 95%), ``relative`` (difference / baseline mean), ``relative_ci_low``,
    ``relative_ci_high``, ``n`` (pairs with both values). A KPI only one side reports gets NaN
    differences.
    """
    if baseline.seed != variant.seed or len(baseline.results) != len(variant.results):
        raise ValueError("paired comparison needs the same seed and number of replications on both sides")
    b, v = baseline.kpis(), variant.kpis()
    # Outer join: a KPI only one side reports (e.g. comp cost without a plan) shows as n/a.
    both = b.merge(v, on=["replication", "kpi"], how="outer", suffixes=("_b", "_v"), validate="one_to_one")
    order = list(dict.fromkeys([*b["kpi"], *v["kpi"]]))
    rows = []
    for kpi in (kpis or order):
        g = both[both["kpi"] == kpi]
        if g.empty:
            raise ValueError(f"unknown KPI {kpi!r}; known: {order}")
        g = g.assign(unit_b=g["unit_b"].fillna(g["unit_v"]))
        ci = confidence_interval(g["value_v"].to_numpy(dtype=float), g["value_b"].to_numpy(dtype=float), level)
        mean, lo, hi = ci.mean, ci.low, ci.high
        base = float(g["value_b"].mean())
        scale = abs(base) if base else np.nan
        rows.append({"kpi": kpi, "unit": g["unit_b"].iloc[0], "baseline": base,
                     "variant": float(g["value_v"].mean()), "difference": mean, "ci_low": lo,
                     "ci_high": hi, "relative": mean / scale, "relative_ci_low": lo / scale,
                     "relative_ci_high": hi / scale, "n": ci.n})
    return pd.DataFrame(rows)


#: Head counts in the org design that scale with the number of reps (at least 1 when set).
SCALED_HEADCOUNTS = ("org.design.matrix.specialists", "org.design.channel.channel_managers",
                     "org.design.key_account.key_account_managers", "org.design.key_account.low_touch_reps")


def scale_scenario(scenario: Scenario | str, reps: int) -> Scenario:
    """The same organisation with ``reps`` reps: accounts, lead volume and the org design's head
    counts (specialists, channel managers, key-account managers, low-touch reps) scale in
    proportion, so each rep keeps the same book and workload (a fast stand-in for the full org).
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    factor = reps / sc.org.reps
    overrides: dict[str, object] = {
        "org.reps": int(reps),
        "market.accounts": max(int(reps), round(sc.market.accounts * factor)),
        "market.leads_per_year": sc.market.leads_per_year * factor,
    }
    if sc.quota.annual_target is not None:  # the company target scales with the org
        overrides["quota.annual_target"] = sc.quota.annual_target * factor
    if sc.quota.region_targets is not None:
        overrides["quota.region_targets"] = {k: v * factor for k, v in sc.quota.region_targets.items()}
    data = sc.to_dict()
    for path in SCALED_HEADCOUNTS:
        node: object = data
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, int | float) and not isinstance(node, bool) and node > 0:
            overrides[path] = max(1, round(node * factor))
    return load_scenario(sc, **overrides)
