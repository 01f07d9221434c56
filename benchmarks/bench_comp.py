"""Speed of the comp layer: statements for 10,000 rep-periods and marginal value for 1,000 reps.

``bench()`` returns rows (name, value, unit, target); run this file to print them.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from salessim.comp import load_plan, marginal_value, statements

PLAN = Path(__file__).resolve().parents[1] / "data" / "plans" / "tiered_accelerator_cap.yaml"


def _performance(n_reps: int, months: int = 12, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    reps = np.repeat([f"r{i:05d}" for i in range(n_reps)], months)
    periods = np.tile([f"2026-{m:02d}" for m in range(1, months + 1)], n_reps)
    credited = rng.gamma(2.0, 25000.0, n_reps * months).round(2)
    return pd.DataFrame({"rep": reps, "period": periods, "measure": "bookings", "credited": credited, "quota": 50000.0})


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench() -> list[dict]:
    plan = load_plan(PLAN)
    perf = _performance(834)  # 834 reps x 12 months = 10,008 rep-periods
    stmt = _best(lambda: statements(plan, perf), 3)
    n = 1000
    rng = np.random.default_rng(1)
    c, ytd = rng.uniform(0, 1e5, n), rng.uniform(0, 6e5, n)
    mv = _best(lambda: marginal_value(plan, c, 50000.0, 20000.0, ytd_credited=ytd, ytd_quota=300000.0,
                                           ytd_paid=10000.0, ytd_periods=6), 50)
    return [
        {"name": "comp statements, 10,008 rep-periods", "value": round(stmt, 3), "unit": "s", "target": "< 1 s"},
        {"name": "comp marginal_value, 1,000 reps", "value": round(mv * 1000, 3), "unit": "ms", "target": "< 5 ms"},
        {"name": "comp marginal_value, 65 calls x 1,000 reps (one simulated year)", "value": round(mv * 65, 3),
         "unit": "s", "target": "< 0.5 s"},
    ]


if __name__ == "__main__":
    print(pd.DataFrame(bench()).to_string(index=False))
