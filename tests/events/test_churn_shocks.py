"""Churn shocks in the customer lifecycle: properties over random books of customers."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from salessim.model.customers import (
    ChurnShock,
    CustomerLifecycle,
    SegmentLifecycle,
    simulate_customers,
)
from tests.customers.helpers import won_deals

CFG = CustomerLifecycle(default=SegmentLifecycle(annual_churn=0.3, term_months=12))
HORIZON = 720


def _run(deals, shocks, seed):
    c, _ = simulate_customers(deals, CFG, HORIZON, np.random.default_rng(seed), shocks=shocks)
    return c.set_index("deal_id")


@given(n=st.integers(5, 60), seed=st.integers(0, 10_000), start=st.integers(0, 600),
       months=st.integers(1, 12), factor=st.floats(1.0, 20.0))
def test_a_churn_spike_never_delays_a_churn_and_leaves_earlier_ones_alone(n, seed, start, months, factor):
    deals = won_deals(n, close_day=np.linspace(-300, 500, n))
    base = _run(deals, (), seed)
    shocked = _run(deals, [ChurnShock(start, start + 30.44 * months, factor)], seed)
    b = base["churn_day"].fillna(np.inf).to_numpy()
    s = shocked["churn_day"].fillna(np.inf).to_numpy()
    assert (s <= b + 1e-9).all()
    early = b < start
    np.testing.assert_array_equal(s[early], b[early])


@given(seed=st.integers(0, 10_000))
def test_factor_one_changes_nothing_and_a_lost_account_churns_at_its_next_month_end(seed):
    deals = won_deals(20, close_day=np.linspace(-200, 100, 20))
    base = _run(deals, (), seed)
    same = _run(deals, [ChurnShock(0, 400, 1.0)], seed)
    np.testing.assert_array_equal(base["churn_day"].to_numpy(), same["churn_day"].to_numpy())
    lost = _run(deals, [ChurnShock(150, np.inf, np.inf, account=1005)], seed)
    row = lost.loc[5]  # account 1005 (deal 5, won on day -42)
    if not base.loc[5, "churn_day"] < 150:  # unless it had left before the loss anyway
        assert row["status"] == "churned" and 150 <= row["churn_day"] < 150 + 30.44 + 1e-9
