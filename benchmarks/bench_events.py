"""Cost of scenario events: seconds per replication of midmarket with no events, with one demand
shock, and with every event kind at once (prints a table; CPU time, median of 3 runs)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from salessim import load_scenario, simulate

ROOT = Path(__file__).resolve().parents[1]
PLAN = str(ROOT / "data" / "plans" / "linear_commission.yaml")
ALL = [
    {"kind": "demand_shock", "at": 7, "factor": 0.8, "until": 10, "recovery_months": 2},
    {"kind": "price_pressure", "at": 9, "size_factor": 0.95, "discount": 0.05},
    {"kind": "competitor", "at": 4, "region": "East", "ramp_months": 2},
    {"kind": "seasonality_change", "at": 6, "seasonality": [1] * 12},
    {"kind": "churn_spike", "at": 6, "factor": 3, "segment": "B"},
    {"kind": "key_account_loss", "at": 6},
    {"kind": "reps_leave", "at": 5, "top": 2},
    {"kind": "hiring_freeze", "at": 2, "until": 8},
    {"kind": "manager_leaves", "at": 4, "region": "North"},
    {"kind": "plan_change", "at": 7, "plan": PLAN},
    {"kind": "quota_change", "at": "2026-09-15", "factor": 0.9, "regions": ["South"]},
    {"kind": "reterritory", "at": 8},
    {"kind": "training", "at": 3, "cost_per_rep": 2000},
    {"kind": "process_standardisation", "at": 2, "cost": 50000},
    {"kind": "crm_adoption", "at": 4, "cost_per_rep_month": 50},
    {"kind": "add_sdrs", "at": 2, "sdrs": 5, "cost_per_sdr_month": 8000},
    {"kind": "add_partners", "at": 6, "lead_uplift": 0.05, "monthly_cost": 10000},
]


def seconds(sc) -> float:
    times = []
    for seed in range(3):
        t = time.process_time()
        simulate(sc, seed=seed)
        times.append(time.process_time() - t)
    return float(np.median(times))


def bench() -> list[dict]:
    """Rows for ``make bench``: CPU seconds per midmarket replication with and without events."""
    path = ROOT / "data" / "scenarios" / "midmarket.yaml"
    rows = [("no events", load_scenario(path)), ("one demand shock", load_scenario(path, events=ALL[:1])),
            (f"all {len(ALL)} event kinds", load_scenario(path, events=ALL))]
    return [{"name": f"midmarket replication, {label}", "value": seconds(sc), "unit": "s cpu", "target": ""}
            for label, sc in rows]


def main() -> None:
    path = ROOT / "data" / "scenarios" / "midmarket.yaml"
    rows = [("no events", load_scenario(path)), ("one demand shock", load_scenario(path, events=ALL[:1])),
            (f"all {len(ALL)} kinds", load_scenario(path, events=ALL))]
    print(f"{'midmarket (100 reps)':<22} {'s / replication':>16}")
    for label, sc in rows:
        print(f"{label:<22} {seconds(sc):>16.3f}")


if __name__ == "__main__":
    main()
