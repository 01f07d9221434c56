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
from itertools import product
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from salessim.engine.streams import seed_sequence
from salessim.experiments.stress import paired_ci
from salessim.results.simulation import simulate
from salessim.results.tables import SimResult
from salessim.scenario import Scenario, load_scenario


def window_outcome(result: SimResult, months: tuple[int, int]) -> tuple[float, float]:
    """(bookings, median cycle days of deals won) in measured months ``months[0]..months[1]``."""
    first, last = months
    led = result.ledger
    periods = sorted(led["month"].unique())[first - 1 : last]
    bookings = float(led.loc[led["month"].isin(periods), "bookings"].sum())
    d = result.deals
    won = d[(d["outcome"] == "won") & d["close_month"].isin(periods)]
    return bookings, float(won["cycle_days"].median())


def _baseline(scenario: Scenario) -> Scenario:
    return load_scenario(scenario, events=[])


def _paired(base: list[tuple[float, float]], treated: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    b, t = np.array(base), np.array(treated)
    return t[:, 0] / b[:, 0] - 1, t[:, 1] / b[:, 1] - 1


def effect_grid(scenario: Scenario | str, grid: Mapping[str, Sequence[Any]], replications: int = 5,
                seed: int | None = None, months: tuple[int, int] | None = None, level: float = 0.9) -> pd.DataFrame:
    """One row per grid point: the field values, mean revenue and cycle change vs the baseline
    (paired over ``replications``, common random numbers) and their confidence intervals."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    seed = sc.seed if seed is None else seed
    months = months or (1, sc.calendar.horizon_months)
    base_sc = _baseline(sc)
    base = [window_outcome(simulate(base_sc, seed=seed_sequence(seed, i)), months) for i in range(replications)]
    rows = []
    keys = list(grid)
    for values in product(*(grid[k] for k in keys)):
        point = dict(zip(keys, values, strict=True))
        variant = load_scenario(sc, **point)
        treated = [window_outcome(simulate(variant, seed=seed_sequence(seed, i)), months) for i in range(replications)]
        rev, cyc = _paired(base, treated)
        r_mean, r_lo, r_hi = paired_ci(rev, level)
        c_mean, c_lo, c_hi = paired_ci(cyc, level)
        rows.append({**point, "revenue change": r_mean, "revenue ci low": r_lo, "revenue ci high": r_hi,
                     "cycle change": c_mean, "cycle ci low": c_lo, "cycle ci high": c_hi})
    return pd.DataFrame(rows)


def outcome_likelihood(scenario: Scenario | str, ranges: Mapping[str, tuple[float, float]], replications: int = 20,
                       seed: int | None = None, months: tuple[int, int] | None = None,
                       target_revenue: float = 0.30, target_cycle: float = -0.25) -> tuple[pd.DataFrame, dict[str, float]]:
    """Per replication: effect sizes drawn uniformly from ``ranges`` (dotted path -> (low, high)),
    the paired revenue and cycle change. Returns ``(runs, summary)``; the summary has the share
    of replications with revenue change >= ``target_revenue`` and cycle change <= ``target_cycle``
    (each, and both), with a 90% Wilson interval for "both"."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    seed = sc.seed if seed is None else seed
    months = months or (1, sc.calendar.horizon_months)
    base_sc = _baseline(sc)
    draw = np.random.Generator(np.random.PCG64(seed_sequence(seed, 10**6)))  # effect sizes: their own stream
    rows = []
    for i in range(replications):
        point = {k: float(draw.uniform(lo, hi)) for k, (lo, hi) in ranges.items()}
        ss = seed_sequence(seed, i)
        b = window_outcome(simulate(base_sc, seed=ss), months)
        t = window_outcome(simulate(load_scenario(sc, **point), seed=ss), months)
        rows.append({"replication": i, **point, "revenue change": t[0] / b[0] - 1, "cycle change": t[1] / b[1] - 1})
    runs = pd.DataFrame(rows)
    hit_r = runs["revenue change"] >= target_revenue
    hit_c = runs["cycle change"] <= target_cycle
    both = int((hit_r & hit_c).sum())
    lo, hi = _wilson(both, len(runs))
    return runs, {"P(revenue target)": float(hit_r.mean()), "P(cycle target)": float(hit_c.mean()),
                  "P(both)": both / len(runs), "P(both) 90% low": lo, "P(both) 90% high": hi,
                  "revenue change median": float(runs["revenue change"].median()),
                  "cycle change median": float(runs["cycle change"].median())}


def _wilson(k: int, n: int, level: float = 0.9) -> tuple[float, float]:
    z = stats.norm.ppf(0.5 + level / 2)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return float(max(centre - half, 0.0)), float(min(centre + half, 1.0))
