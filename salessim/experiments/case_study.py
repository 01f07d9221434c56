"""Reproducing a published outcome ("sales +30%, sales cycle -25%") with intervention events.

* :func:`effect_grid`: which effect sizes of the scenario's events reproduce the outcome: a grid
  over event fields (dotted paths such as ``events.0.duration_factor``), each point paired with
  the baseline (the scenario without its events) over the same replications.
* :func:`outcome_likelihood`: how likely the outcome is when the effect sizes are uncertain:
  each replication draws them uniformly from ranges, and we count the replications that reach
  the target.

Outcomes are measured over a window of measured months (e.g. months 13-24: the year after the
roll-out), as revenue change (bookings) and median sales-cycle change of deals won in it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salessim.engine.streams import seed_sequence
from salessim.experiments import statistics
from salessim.experiments.grid import code_version, run_specs
from salessim.experiments.runner import replicate, run_experiment
from salessim.experiments.statistics import confidence_interval
from salessim.experiments.store import Store
from salessim.results.tables import SimResult
from salessim.scenario import Scenario, load_scenario


def window_outcome(result: SimResult, months: tuple[int, int]) -> pd.DataFrame:
    """One row: ``bookings`` and ``median cycle`` (days, deals won) in measured months
    ``months[0]..months[1]``."""
    first, last = months
    led = result.ledger
    periods = sorted(led["month"].unique())[first - 1 : last]
    bookings = float(led.loc[led["month"].isin(periods), "bookings"].sum())
    d = result.deals
    won = d[(d["outcome"] == "won") & d["close_month"].isin(periods)]
    return pd.DataFrame({"bookings": [bookings], "median cycle": [float(won["cycle_days"].median())]})


def _window(months: tuple[int, int]) -> dict[str, Any]:
    """The per-run measure of a window, named after it (stored with the runs)."""
    return {f"window_{months[0]}_{months[1]}": partial(window_outcome, months=tuple(months))}


def _baseline(scenario: Scenario) -> Scenario:
    return load_scenario(scenario, events=[])


def effect_grid(scenario: Scenario | str, grid: Mapping[str, Sequence[Any]], replications: int = 5,
                seed: int | None = None, months: tuple[int, int] | None = None, level: float | None = None,
                executor: Any = None, *, store: Store | str | Path | None = None,
                progress: bool = True) -> pd.DataFrame:
    """One row per grid point: the field values, mean revenue and cycle change vs the baseline
    (paired over ``replications``, common random numbers) and their ``level`` confidence
    intervals (default 95%). ``executor``, ``store``, ``progress`` as in
    :func:`salessim.experiments.compare`."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    seed = sc.seed if seed is None else seed
    months = months or (1, sc.calendar.horizon_months)
    keys = list(grid)
    points = [dict(zip(keys, values, strict=True)) for values in product(*(grid[k] for k in keys))]
    variants = {"baseline": _baseline(sc)} | {f"point {j}": load_scenario(sc, **p) for j, p in enumerate(points)}
    measure = _window(months)
    reps = replicate(variants, replications, seed, executor, store=store, progress=progress,
                     measures=measure, desc="effect grid")
    out = reps.measures[next(iter(measure))].set_index(["scenario", "replication"])
    base = out.loc["baseline"]
    rows = []
    for j, point in enumerate(points):
        treated = out.loc[f"point {j}"]
        rev = confidence_interval(treated["bookings"] / base["bookings"] - 1, level=level)
        cyc = confidence_interval(treated["median cycle"] / base["median cycle"] - 1, level=level)
        rows.append({**point, "revenue change": rev.mean, "revenue ci low": rev.low, "revenue ci high": rev.high,
                     "cycle change": cyc.mean, "cycle ci low": cyc.low, "cycle ci high": cyc.high})
    return pd.DataFrame(rows)


def outcome_likelihood(scenario: Scenario | str, ranges: Mapping[str, tuple[float, float]], replications: int = 20,
                       seed: int | None = None, months: tuple[int, int] | None = None,
                       target_revenue: float = 0.30, target_cycle: float = -0.25, level: float | None = None,
                       executor: Any = None, *, store: Store | str | Path | None = None,
                       progress: bool = True) -> tuple[pd.DataFrame, dict[str, float]]:
    """Per replication: effect sizes drawn uniformly from ``ranges`` (dotted path -> (low, high)),
    the paired revenue and cycle change. Returns ``(runs, summary)``; the summary has the share
    of replications with revenue change >= ``target_revenue`` and cycle change <= ``target_cycle``
    (each, and both), with a ``level`` (default 95%) Wilson interval for "both"."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    seed = sc.seed if seed is None else seed
    months = months or (1, sc.calendar.horizon_months)
    draw = np.random.Generator(np.random.PCG64(seed_sequence(seed, 10**6)))  # effect sizes: their own stream
    points = [{k: float(draw.uniform(lo, hi)) for k, (lo, hi) in ranges.items()} for _ in range(replications)]
    version = code_version()
    # replication i: the baseline and the scenario with draw i, both seeded seed_sequence(seed, i)
    specs = run_specs({"baseline": _baseline(sc)}, replications, seed, True, version)
    specs += [run_specs({f"draw {i}": load_scenario(sc, **p)}, i + 1, seed, True, version)[i]
              for i, p in enumerate(points)]
    measure = _window(months)
    name = next(iter(measure))
    _, _, _, records = run_experiment(specs, executor=executor, store=store, progress=progress,
                                      desc="outcome likelihood", measures=measure)
    base, treated = specs[:replications], specs[replications:]
    rows = []
    for i, point in enumerate(points):
        b = records[base[i].run_id].measures[name].iloc[0]
        t = records[treated[i].run_id].measures[name].iloc[0]
        rows.append({"replication": i, **point, "revenue change": t["bookings"] / b["bookings"] - 1,
                     "cycle change": t["median cycle"] / b["median cycle"] - 1})
    runs = pd.DataFrame(rows)
    hit_r = runs["revenue change"] >= target_revenue
    hit_c = runs["cycle change"] <= target_cycle
    both = (hit_r & hit_c).to_numpy(float)
    share = confidence_interval(both, level=level, method="wilson")
    pct = f"{(statistics.LEVEL if level is None else level):.0%}"
    return runs, {"P(revenue target)": float(hit_r.mean()), "P(cycle target)": float(hit_c.mean()),
                  "P(both)": share.mean, f"P(both) {pct} low": share.low, f"P(both) {pct} high": share.high,
                  "revenue change median": float(runs["revenue change"].median()),
                  "cycle change median": float(runs["cycle change"].median())}
