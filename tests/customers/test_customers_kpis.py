"""customer_kpis: hand-computed tables and seeded statistical checks against the configured rates."""

from __future__ import annotations

import numpy as np
import pytest

from salessim.model.customers import CustomerLifecycle, customer_kpis, simulate_customers
from tests.customers.helpers import one_segment, won_deals


def kpis(deals, cfg, horizon, seed=0):
    customers, _ = simulate_customers(deals, cfg, horizon, np.random.default_rng(seed))
    return customers, customer_kpis(customers, horizon, currency="EUR").set_index("kpi")


def test_kpis_hand_computed_no_churn_with_expansion():
    cfg = one_segment(annual_churn=0.0, expansion_mean=0.10, expansion_sd=0.0, gross_margin=0.5)
    # Two 12,000 contracts sold on day -100 (warm-up) and day 0; horizon 400 days.
    deals = won_deals(2, close_day=np.array([-100.0, 0.0]))
    _, k = kpis(deals, cfg, 400)
    v = k["value"]
    assert v["new customers"] == 1 and v["customers at horizon"] == 2 and v["customers churned"] == 0
    assert v["logo churn rate (annualised)"] == 0.0 and v["average customer lifetime"] == np.inf
    assert v["gross revenue retention (annualised)"] == 1.0
    # Both renew once in the window (days 265.25 and 365.25), each +10% of 12,000:
    # NRR = 1 x (1 + 2,400 / 24,000)^(12/12) = 1.10.
    assert v["net revenue retention (annualised)"] == pytest.approx(1.10)
    assert v["expansion bookings"] == pytest.approx(2_400.0)
    # Revenue: deal 1 days 0..265.25 at 12,000/yr + 265.25..400 at 13,200/yr
    #          deal 2 days 0..365.25 at 12,000/yr + 365.25..400 at 13,200/yr.
    per_day = 12_000 / 365.25
    expected = per_day * (265.25 + 134.75 * 1.1) + per_day * (365.25 + 34.75 * 1.1)
    assert v["customer revenue recognised"] == pytest.approx(expected)
    # LTV with the default 10-year horizon and 10% discount rate, only for the deal won in the window.
    assert v["average LTV"] > 0 and k.loc["average LTV", "unit"] == "EUR"
    assert list(k.index[k.index.str.startswith("average LTV:")]) == ["average LTV: X"]


def test_kpis_with_no_renewal_leave_nrr_unknown():
    _, k = kpis(won_deals(50), one_segment(annual_churn=0.3), 200)
    assert np.isnan(k.loc["net revenue retention (annualised)", "value"])
    assert 0 < k.loc["gross revenue retention (annualised)", "value"] < 1


def test_observed_annual_churn_matches_configured():
    # 6,000 customers sold on day 0, followed 3 years (~150k monthly churn draws).
    cfg = one_segment(annual_churn=0.20, expansion_mean=0.0, expansion_sd=0.0)
    customers, k = kpis(won_deals(6_000), cfg, 1096, seed=11)
    v = k["value"]
    # Share churned within the first 12 months: binomial sd = sqrt(0.2 x 0.8 / 6,000) = 0.005.
    first_year = (customers["churn_month"] <= 12).mean()
    assert first_year == pytest.approx(0.20, abs=0.025)
    # Annualised estimate from all draws: sd ~ 0.003.
    assert v["logo churn rate (annualised)"] == pytest.approx(0.20, abs=0.015)
    assert v["gross revenue retention (annualised)"] == pytest.approx(0.80, abs=0.015)
    # Mean lifetime 1 / h = 1 / (1 - 0.8^(1/12)) = 54.3 months.
    assert v["average customer lifetime"] == pytest.approx(54.3, rel=0.1)


def test_net_revenue_retention_matches_churn_times_expansion():
    # A young book (sold over one year, followed two): NRR ~ (1 - 0.2) x (1 + 0.1) = 0.88
    # (seeds 100-199: sd 0.0051, worst deviation 0.012).
    rng = np.random.default_rng(5)
    deals = won_deals(8_000, close_day=rng.uniform(0, 365, 8_000), amount=rng.lognormal(9, 0.5, 8_000))
    cfg = one_segment(annual_churn=0.20, expansion_mean=0.10, expansion_sd=0.10)
    _, k = kpis(deals, cfg, 730, seed=12)
    assert k.loc["net revenue retention (annualised)", "value"] == pytest.approx(0.88, abs=0.02)
    # Downsell: E[max(-g, 0)] for g ~ N(0.1, 0.1) = 0.1 x phi(1) - 0.1 x (1 - Phi(1)) = 0.0083,
    # so GRR ~ 0.80 x (1 - 0.0083) = 0.793 (seeds 100-199: sd 0.0046, worst 0.013).
    assert k.loc["gross revenue retention (annualised)", "value"] == pytest.approx(0.793, abs=0.02)


def test_default_a_customers_churn_less_than_c():
    n = 3_000
    deals = won_deals(3 * n, segment=np.repeat(["A", "B", "C"], n))
    customers, k = kpis(deals, CustomerLifecycle(), 731, seed=13)
    first_year = customers.groupby("segment")["churn_month"].apply(lambda m: (m <= 12).mean())
    # Configured 10% / 15% / 25%; sd of each share <= 0.008.
    assert first_year["A"] < first_year["B"] < first_year["C"]
    assert first_year.to_numpy() == pytest.approx([0.10, 0.15, 0.25], abs=0.025)
    ltv = k["value"]
    # Same contract size: A's LTV per currency unit beats C's despite the lower margin (0.60 vs 0.75).
    assert ltv["average LTV: A"] > ltv["average LTV: B"] > ltv["average LTV: C"]
