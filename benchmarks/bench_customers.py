"""Customer lifecycle speed, and its KPIs on the midmarket scenario.

Prints (1) the median time of ``simulate_customers`` + ``customer_kpis`` for 1k / 10k / 100k won
deals spread over a year and followed for 1 and 5 years, and (2) the customer KPIs of midmarket
(seed 0) with the default lifecycle, followed over the 12-month horizon and over 5 years.
Run from the repository root: ``python benchmarks/bench_customers.py``.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

import salessim
from salessim.engine.floor import SalesFloor
from salessim.engine.pipeline import Outcome
from salessim.model.customers import CustomerLifecycle, customer_kpis, simulate_customers
from salessim.ui.formatting import format_kpis

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ["deal_id", "account", "segment", "product", "rep", "amount", "close_day"]


def synthetic(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "deal_id": np.arange(n), "account": rng.integers(0, n, n),
        "segment": pd.Categorical(rng.choice(["A", "B", "C"], n, p=[0.2, 0.3, 0.5])),
        "product": "Core", "rep": pd.Categorical(rng.integers(0, 100, n).astype(str)),
        "amount": rng.lognormal(9.9, 0.6, n), "close_day": rng.uniform(-90, 365, n),
    })


def seconds(n: int, years: int, repeats: int = 5) -> tuple[float, int]:
    """Median seconds of simulate_customers + customer_kpis for ``n`` won deals over ``years``,
    and the number of events of the last run."""
    deals, h = synthetic(n), round(365.25 * years)
    times, events = [], pd.DataFrame()
    for seed in range(repeats):
        t = time.perf_counter()
        customers, events = simulate_customers(deals, CustomerLifecycle(), h, np.random.default_rng(seed))
        customer_kpis(customers, h)
        times.append(time.perf_counter() - t)
    return statistics.median(times), len(events)


def timing() -> None:
    print(f"{'won deals':>10} {'horizon':>8} {'median s':>9} {'events':>9}")
    for n in (1_000, 10_000, 100_000):
        for years in (1, 5):
            median, events = seconds(n, years)
            print(f"{n:>10,} {years:>6} y {median:>9.4f} {events:>9,}")


def won_with_warmup(floor: SalesFloor) -> pd.DataFrame:
    """All won deals of a run, including those won in the warm-up (negative close_day)."""
    sc, p = floor.scenario, floor.pipe
    idx = np.flatnonzero(p.outcome == Outcome.WON)
    return pd.DataFrame({
        "deal_id": idx, "account": p.account[idx],
        "segment": pd.Categorical.from_codes(p.segment[idx], [s.name for s in sc.market.segments]),
        "product": pd.Categorical.from_codes(p.product[idx], [x.name for x in sc.market.products]),
        "rep": p.rep[idx], "amount": p.amount[idx], "close_day": p.close[idx] - floor.clock.warmup_days,
    })


def midmarket() -> None:
    result = salessim.simulate(ROOT / "data" / "scenarios" / "midmarket.yaml", seed=0)
    in_window = result.deals.loc[result.deals["outcome"] == "won", COLUMNS]
    floor = SalesFloor(result.scenario, 0).run()
    with_warmup = won_with_warmup(floor)
    h = result.horizon_days
    cases = (("won in the 12-month window", in_window, h), ("plus warm-up wins", with_warmup, h),
             ("plus warm-up wins, followed 5 years", with_warmup, 1826))
    for label, won, horizon in cases:
        t = time.perf_counter()
        customers, _ = simulate_customers(won, CustomerLifecycle(), horizon, salessim.engine.streams.streams(0)["customers"])
        k = customer_kpis(customers, horizon, result.scenario.currency)
        elapsed = time.perf_counter() - t
        print(f"\nmidmarket, seed 0: {len(won):,} deals {label} ({elapsed * 1000:.0f} ms):")
        print(format_kpis(k))


def bench() -> list[dict]:
    """Rows for ``make bench``: customer lifecycle time for 10k and 100k won deals over 5 years."""
    return [{"name": f"customer lifecycle, {n:,} won deals followed 5 years", "value": seconds(n, 5, 3)[0],
             "unit": "s", "target": ""} for n in (10_000, 100_000)]


if __name__ == "__main__":
    timing()
    midmarket()
