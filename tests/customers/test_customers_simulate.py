"""simulate_customers and clawback_rows: hand-computed cases, input errors, reproducibility, invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salessim.errors import SalessimError
from salessim.model.customers import (
    MONTH_DAYS,
    CustomerLifecycle,
    clawback_rows,
    simulate_customers,
)
from tests.customers.helpers import one_segment, won_deals


def run(deals, cfg, horizon, seed=0):
    return simulate_customers(deals, cfg, horizon, np.random.default_rng(seed))


# ----------------------------------------------------------------------------- hand-computed


def test_zero_churn_everyone_renews_every_term():
    cfg = one_segment(annual_churn=0.0, expansion_mean=0.0, expansion_sd=0.0)
    # Horizon 1,096 days: renewals at months 12, 24, 36 = days 365.25, 730.5, 1,095.75 (< 1,096).
    customers, events = run(won_deals(5), cfg, 1096)
    assert (customers["renewals"] == 3).all()
    assert (customers["status"] == "active").all() and customers["churn_day"].isna().all()
    # Revenue: 12,000 per 365.25 days over 1,096 days = 12,000 x 1,096 / 365.25 = 36,008.21.
    assert customers["revenue"].to_numpy() == pytest.approx(12_000 * 1096 / 365.25)
    assert (customers["contract_value"] == 12_000).all()
    assert events["event"].tolist() == ["renewal"] * 15
    assert events["day"].to_numpy() == pytest.approx(np.repeat([365.25, 730.5, 1095.75], 5))
    # One day earlier the third renewal falls on/after the horizon and is not known.
    customers, _ = run(won_deals(5), cfg, 1095)
    assert (customers["renewals"] == 2).all()


def test_expansion_compounds_at_renewals():
    cfg = one_segment(annual_churn=0.0, expansion_mean=0.10, expansion_sd=0.0)
    # amount 36,525 = 100 a day. Renewals at 365.25 (-> 40,177.50) and 730.5 (-> 44,195.25).
    # Revenue to day 731: 36,525 + 40,177.50 + 0.5 day x 121 a day (60.50) = 76,763.00.
    customers, events = run(won_deals(1, amount=36_525.0), cfg, 731)
    row = customers.iloc[0]
    assert row["renewals"] == 2
    assert row["revenue"] == pytest.approx(76_763.00)
    assert row["contract_value"] == pytest.approx(44_195.25)
    assert row["renewed_value"] == pytest.approx(36_525 + 40_177.50)
    assert row["expansion_value"] == pytest.approx(3_652.50 + 4_017.75)
    assert events["event"].tolist() == ["renewal", "expansion", "renewal", "expansion"]
    assert events["amount"].to_numpy() == pytest.approx([40_177.50, 3_652.50, 44_195.25, 4_017.75])


def test_certain_churn_leaves_after_one_month_and_is_clawed_back():
    cfg = one_segment(annual_churn=1.0, expansion_mean=0.0, expansion_sd=0.0)
    deals = won_deals(3, close_day=np.array([0.0, 10.0, 300.0]), amount=np.array([12_000.0, 24_000.0, 6_000.0]))
    customers, events = run(deals, cfg, 365)
    assert (customers["status"] == "churned").all()
    assert customers["churn_day"].to_numpy() == pytest.approx([MONTH_DAYS, 10 + MONTH_DAYS, 300 + MONTH_DAYS])
    assert (customers["churn_month"] == 1).all()
    # One month of revenue each: amount / 12.
    assert customers["revenue"].to_numpy() == pytest.approx([1_000.0, 2_000.0, 500.0])
    assert customers["churned_value"].tolist() == [12_000.0, 24_000.0, 6_000.0]
    assert events["event"].tolist() == ["churn"] * 3
    claw = clawback_rows(customers, 1)
    assert list(claw.columns) == ["rep", "deal_id", "account", "segment", "product", "sale_day", "churn_day",
                                  "months_to_churn", "amount"]
    assert claw["deal_id"].tolist() == [0, 1, 2] and claw["amount"].tolist() == [12_000.0, 24_000.0, 6_000.0]
    assert clawback_rows(customers, 0).empty


def test_churn_just_after_horizon_is_unknown():
    cfg = one_segment(annual_churn=1.0)
    # Sold on day 340: the churn would be on day 370.4, after the 365-day horizon.
    customers, events = run(won_deals(1, close_day=340.0), cfg, 365)
    assert customers["status"].tolist() == ["active"] and events.empty
    assert customers["months_at_risk"].tolist() == [0]
    assert customers["revenue"].iloc[0] == pytest.approx(12_000 / 365.25 * 25)


def test_warmup_customer_counts_only_window_revenue_and_draws():
    cfg = one_segment(annual_churn=0.0, expansion_mean=0.0, expansion_sd=0.0)
    customers, events = run(won_deals(1, close_day=-100.0), cfg, 365)
    row = customers.iloc[0]
    # Days 0..365 at 12,000 per 365.25 days; renewal on day -100 + 365.25 = 265.25.
    assert row["revenue"] == pytest.approx(12_000 * 365 / 365.25)
    assert events["day"].tolist() == pytest.approx([265.25])
    # Month ends in [0, 365): months 4 (day 21.75) .. 15 (day 356.56) = 12 draws, all at 12,000.
    assert row["months_at_risk"] == 12 and row["value_at_risk"] == pytest.approx(144_000.0)


def test_disabled_lifecycle_returns_empty_frames_with_columns():
    customers, events = run(won_deals(4), CustomerLifecycle(enabled=False), 365)
    enabled, enabled_events = run(won_deals(4), CustomerLifecycle(), 365)
    assert customers.empty and list(customers.columns) == list(enabled.columns)
    assert events.empty and list(events.columns) == list(enabled_events.columns)


# ----------------------------------------------------------------------------- inputs


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.drop(columns="rep"), "won_deals: missing columns: rep"),
        (lambda d: d.assign(deal_id=[1, 1, 2]), "won_deals: deal_id: duplicated id 1"),
        (lambda d: d.assign(segment=["A", None, "C"]), "won_deals: segment: 1 rows are missing"),
        (lambda d: d.assign(amount=[1.0, -5.0, 1.0]), "won_deals: amount: 1 rows must be a finite number >= 0 (deal_id 1)"),
        (lambda d: d.assign(close_day=[0.0, np.nan, 1.0]), "won_deals: close_day: 1 rows must be < horizon (365 days) (deal_id 1)"),
        (lambda d: d.assign(close_day=[0.0, 365.0, 400.0]), "won_deals: close_day: 2 rows must be < horizon (365 days) (deal_id 1)"),
    ],
)
def test_bad_won_deals_are_one_line_errors(change, message):
    with pytest.raises(SalessimError) as info:
        run(change(won_deals(3)), CustomerLifecycle(), 365)
    assert str(info.value) == message


def test_bad_horizon_and_window():
    with pytest.raises(SalessimError, match="horizon_days: must be positive"):
        run(won_deals(3), CustomerLifecycle(), 0)
    customers, _ = run(won_deals(3), CustomerLifecycle(), 365)
    with pytest.raises(SalessimError, match="window_months: must be a whole number"):
        clawback_rows(customers, -1)
    with pytest.raises(SalessimError, match="window_months"):
        clawback_rows(customers, 2.5)


# ----------------------------------------------------------------------------- reproducibility


def _mixed(n=400, seed=3):
    rng = np.random.default_rng(seed)
    return won_deals(n, amount=rng.lognormal(9.5, 0.6, n), close_day=rng.uniform(-90, 360, n),
                     segment=rng.choice(["A", "B", "C", "D"], n))


def test_same_seed_identical_frames_other_seed_differs():
    deals = _mixed()
    c1, e1 = run(deals, CustomerLifecycle(), 1095, seed=7)
    c2, e2 = run(deals, CustomerLifecycle(), 1095, seed=7)
    pd.testing.assert_frame_equal(c1, c2)
    pd.testing.assert_frame_equal(e1, e2)
    c3, _ = run(deals, CustomerLifecycle(), 1095, seed=8)
    assert not c1["churn_day"].equals(c3["churn_day"])


def test_input_row_order_does_not_matter():
    deals = _mixed()
    shuffled = deals.sample(frac=1.0, random_state=1)
    c1, e1 = run(deals, CustomerLifecycle(), 730)
    c2, e2 = run(shuffled, CustomerLifecycle(), 730)
    pd.testing.assert_frame_equal(c1, c2)
    pd.testing.assert_frame_equal(e1, e2)


def test_higher_churn_with_same_seed_never_delays_a_churn():
    # Common random numbers: one uniform per customer, inverted through the churn distribution.
    deals = _mixed()
    low, _ = run(deals, one_segment(annual_churn=0.10), 1095)
    high, _ = run(deals, one_segment(annual_churn=0.30), 1095)
    low_month = low["churn_month"].fillna(np.inf).to_numpy()
    high_month = high["churn_month"].fillna(np.inf).to_numpy()
    assert (high_month <= low_month).all() and (high_month < low_month).any()


# ----------------------------------------------------------------------------- invariants


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 30),
    churn=st.floats(0.0, 1.0),
    g=st.floats(-0.5, 0.5),
    sd=st.floats(0.0, 0.3),
    term=st.integers(1, 24),
    horizon=st.integers(1, 1500),
    window=st.integers(0, 24),
    seed=st.integers(0, 2**16),
)
def test_lifecycle_invariants(n, churn, g, sd, term, horizon, window, seed):
    rng = np.random.default_rng(seed)
    deals = won_deals(n, amount=rng.uniform(0, 50_000, n), close_day=rng.uniform(-400, horizon - 1e-6, n))
    cfg = one_segment(annual_churn=churn, expansion_mean=g, expansion_sd=sd, term_months=term)
    c, e = run(deals, cfg, horizon, seed)
    assert len(c) == n and c["deal_id"].is_unique
    churned = c["status"] == "churned"
    assert (c.loc[churned, "churn_day"] < horizon).all()
    assert (c.loc[churned, "churn_day"] > c.loc[churned, "start_day"]).all()
    assert (c.loc[churned, "contract_value"] == 0).all() and c.loc[~churned, "churn_day"].isna().all()
    assert (c["revenue"] >= 0).all() and (c["months_at_risk"] >= 0).all()
    # Revenue never exceeds the largest contract value's daily rate over the window.
    assert (c["revenue"] <= c["amount"] * (1 + max(g + 6 * sd, 0)) ** c["renewals"] * horizon / (term * MONTH_DAYS) + 1e-6).all()
    # Renewals happen once per elapsed term before the horizon and before the churn.
    elapsed_terms = np.floor((horizon - c["start_day"]) / (term * MONTH_DAYS) + 1e-9)
    assert (c["renewals"] <= elapsed_terms).all()
    # The events agree with the customer rows: renewals counted, one churn per churned deal, last.
    counts = pd.crosstab(e["deal_id"], e["event"]).reindex(index=c["deal_id"], columns=["renewal", "churn"], fill_value=0)
    assert (counts["renewal"].to_numpy() == c["renewals"].to_numpy()).all()
    assert (counts["churn"].to_numpy() == churned.to_numpy()).all()
    last = e.groupby("deal_id", observed=True).tail(1)
    assert set(e.loc[e["event"] == "churn", "deal_id"]) <= set(last.loc[last["event"] == "churn", "deal_id"])
    assert (e["day"] < horizon).all() and e["day"].is_monotonic_increasing
    # Clawbacks are exactly the churns within the window.
    claw = clawback_rows(c, window)
    assert set(claw["deal_id"]) == set(c.loc[churned & (c["churn_month"] <= window), "deal_id"])
    assert (claw["months_to_churn"].between(1, window)).all()


# ----------------------------------------------------------------------------- churn multiplier


def test_churn_multiplier_one_changes_nothing():
    deals = _mixed()
    plain, plain_events = run(deals, CustomerLifecycle(), 1095)
    ones, ones_events = run(deals.assign(churn_multiplier=1.0), CustomerLifecycle(), 1095)
    pd.testing.assert_frame_equal(plain, ones.drop(columns="churn_multiplier"))
    pd.testing.assert_frame_equal(plain_events, ones_events)


def test_churn_multiplier_scales_log_survival_and_ltv():
    n = 6_000
    deals = won_deals(n).assign(churn_multiplier=2.0)
    customers, _ = run(deals, one_segment(annual_churn=0.20), 731, seed=21)
    # Annual churn 1 - 0.8^2 = 0.36; binomial sd = sqrt(0.36 x 0.64 / 6,000) = 0.006.
    assert (customers["churn_month"] <= 12).mean() == pytest.approx(0.36, abs=0.025)
    same, _ = run(won_deals(1), one_segment(annual_churn=0.36), 731)
    assert customers["ltv"].iloc[0] == pytest.approx(same["ltv"].iloc[0], rel=1e-12)
    never, _ = run(won_deals(50).assign(churn_multiplier=0.0), one_segment(annual_churn=1.0), 731)
    assert (never["status"] == "active").all()


def test_bad_churn_multiplier_is_an_error():
    with pytest.raises(SalessimError, match="won_deals: churn_multiplier: 1 rows must be a finite number >= 0"):
        run(won_deals(3).assign(churn_multiplier=[1.0, -1.0, 1.0]), CustomerLifecycle(), 365)
    cfg = CustomerLifecycle(ltv_years=None, discount_rate=0.0, default={"annual_churn": 0.1, "expansion_mean": 0.0})
    with pytest.raises(SalessimError, match="churn_multiplier: makes lifetime value unbounded"):
        run(won_deals(3).assign(churn_multiplier=[1.0, 0.0, 1.0]), cfg, 365)


def test_clawback_since_day_drops_churns_before_the_first_pay_period():
    cfg = one_segment(annual_churn=1.0)
    # Sold on days -60 and -10: churns on days -29.6 and 20.4 (one month later).
    customers, _ = run(won_deals(2, close_day=np.array([-60.0, -10.0])), cfg, 365)
    assert clawback_rows(customers, 3)["deal_id"].tolist() == [0, 1]
    kept = clawback_rows(customers, 3, since_day=0)
    assert kept["deal_id"].tolist() == [1] and kept["churn_day"].iloc[0] == pytest.approx(-10 + MONTH_DAYS)
