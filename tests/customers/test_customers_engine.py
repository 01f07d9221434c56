"""The lifecycle on a real run's deals frame (categorical segment/rep columns, real amounts)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import salessim
from salessim.model.customers import (
    CustomerLifecycle,
    clawback_rows,
    customer_kpis,
    simulate_customers,
)

COLUMNS = ["deal_id", "account", "segment", "product", "rep", "amount", "close_day"]


def test_lifecycle_on_simulated_deals(small_scenario):
    result = salessim.simulate(small_scenario, seed=1)
    won = result.deals.loc[result.deals["outcome"] == "won", COLUMNS]
    cfg = CustomerLifecycle()
    cfg.check_segments([s.name for s in small_scenario.market.segments])
    h = cfg.horizon_days(result.horizon_days)
    customers, events = simulate_customers(won, cfg, h, salessim.engine.streams.streams(1)["customers"])
    assert len(customers) == len(won) > 100
    # Identity columns keep the run's dtypes, so they join back to deals and reps.
    assert customers["rep"].dtype == result.deals["rep"].dtype
    assert customers["segment"].dtype == result.deals["segment"].dtype
    merged = customers.merge(result.deals[["deal_id", "amount"]], on="deal_id", suffixes=("", "_deal"))
    assert (merged["amount"] == merged["amount_deal"]).all()
    # Revenue recognised never exceeds what the contracts in force could bill (no expansion yet
    # in a 12-month window of new sales): amount x days in the window / 365.25.
    days_in = h - customers["start_day"]
    assert (customers["revenue"] <= customers["amount"] * days_in / 365.25 + 1e-6).all()
    claw = clawback_rows(customers, 6)
    assert set(claw["rep"]) <= set(result.reps["rep"]) and (claw["months_to_churn"] <= 6).all()
    k = customer_kpis(customers, h, small_scenario.currency).set_index("kpi")
    assert k.loc["new customers", "value"] == len(won)
    assert k.loc["average LTV: A", "value"] > k.loc["average LTV: C", "value"]
    assert set(events["event"].unique()) <= {"churn", "renewal", "expansion"}
    assert isinstance(events["day"].dtype, np.dtype) and not pd.isna(events["day"]).any()
