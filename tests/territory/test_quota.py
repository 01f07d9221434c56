"""Quota setting: money by hand (to the cent), properties, attainability, fairness, config."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from salessim.errors import SalessimError
from salessim.model.quota import (
    QuotaPlan,
    allocate,
    attainability,
    attainability_summary,
    bottom_up,
    by_quarter,
    capacity_based,
    check_reconciles,
    equal_split,
    fairness,
    historical_growth,
    ramp_factors,
    ratchet,
    set_quotas,
    split_quota,
    top_down,
)


def cents(values) -> int:
    return int(np.round(np.asarray(values) * 100).sum())


# --------------------------------------------------------------------------- by hand


def test_top_down_by_hand():
    # 1,000,000 x 1/6.3, 2/6.3, 3.3/6.3 = 158,730.1587 / 317,460.3174 / 523,809.5238.
    # Floors in cents sum to 99,999,998: the two cents go to the largest remainders (.87, .74).
    np.testing.assert_array_equal(top_down(1_000_000, [1, 2, 3.3]), [158_730.16, 317_460.32, 523_809.52])


def test_top_down_with_region_targets_and_over_assignment():
    # 1,000,000 x 1.10 = 1,100,000: region a (400k of 1M) gets 440,000, b 660,000; split 1:1 within.
    np.testing.assert_array_equal(
        top_down(1e6, [1, 1, 2, 2], 0.10, regions=list("aabb"), region_targets={"a": 4e5, "b": 6e5}),
        [220_000, 220_000, 330_000, 330_000],
    )


def test_equal_split_by_hand():
    # 100 / 3 = 33.333...: the odd cent goes to the first rep (ties broken in rep order).
    np.testing.assert_array_equal(equal_split(100, 3), [33.34, 33.33, 33.33])


def test_historical_growth_by_hand():
    np.testing.assert_array_equal(historical_growth([100_000, 200_000], 0.10), [110_000, 220_000])
    # Scaled to a target of 600,000: 110 : 220 = 1 : 2.
    np.testing.assert_array_equal(historical_growth([100_000, 200_000], 0.10, target=600_000), [200_000, 400_000])


def test_capacity_based_by_hand():
    # Rep 0: 500/h x 1,500 h x ramp 1 = 750,000. Rep 1: 2 months in on a 5-month ramp, so month
    # mid-points 2.5, 3.5, 4.5 months -> 0.5, 0.7, 0.9, then 1 x 9: mean 11.1/12 = 0.925;
    # 3 vacant months -> x 0.75: 500 x 1,500 x 0.925 x 0.75 = 520,312.50.
    ramp = ramp_factors([24, 2], ramp_months=5)
    np.testing.assert_allclose(ramp[1, :4], [0.5, 0.7, 0.9, 1.0])
    np.testing.assert_array_equal(capacity_based(500, 1500, ramp, [0, 3]), [750_000, 520_312.50])


def test_bottom_up_by_hand():
    # Forecasts 100 and 300 under-called by 10% -> 110 and 330; blended 50/50 with a top-down
    # 200/200 -> 155 and 265 (total 420 is kept without a target).
    np.testing.assert_array_equal(bottom_up([100, 300], 0.10, [200, 200], 0.5), [155, 265])


def test_ratchet_by_hand():
    # Quota 100 both; beat by 20 -> 100 + 0.5 x 20 = 110; miss by 20 -> 100 - 0.25 x 20 = 95.
    np.testing.assert_array_equal(ratchet([100, 100], [120, 80]), [110, 95])


def test_split_quota_by_hand():
    # Fiscal year from April. Seasonality doubles December. Rep 0: 1,300 over weights 1 x 11 + 2
    # = 13 -> 100 a month, 200 in December (fiscal month 9). Rep 1 hired in fiscal month 4 (July):
    # 1,300 x 10/13 = 1,000 over July..March. Rep 2 leaves after fiscal month 6 (September): 600.
    season = [1] * 11 + [2]
    m = split_quota([1300, 1300, 1300], season, 4, fiscal_year=2026, start_month=[1, 4, 1], end_month=[12, 12, 6])
    q = m.pivot(index="rep", columns="fiscal_month", values="quota")
    assert list(q.loc[0]) == [100] * 8 + [200] + [100] * 3
    assert list(q.loc[1]) == [0] * 3 + [100] * 5 + [200] + [100] * 3
    assert list(q.loc[2]) == [100] * 6 + [0] * 6
    assert str(m["month"].iloc[0]) == "2026-04" and str(m["month"].iloc[9]) == "2027-01"
    quarters = by_quarter(m)
    assert list(quarters.query("rep == 0")["quota"]) == [300, 300, 400, 300]


# --------------------------------------------------------------------------- properties

amounts = st.floats(0.0, 1e6, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    weights=st.lists(st.floats(0.01, 1e4, allow_nan=False), min_size=1, max_size=60),
    target=st.floats(1.0, 1e9, allow_nan=False),
    over=st.floats(0.0, 0.5),
    strategy=st.sampled_from(["top_down", "historical_growth", "equal_split", "capacity_based", "bottom_up", "ratchet"]),
)
def test_quotas_always_sum_to_the_target(weights, target, over, strategy):
    plan = QuotaPlan(strategy=strategy, annual_target=target, over_assignment=over)
    w = np.asarray(weights)
    q = set_quotas(plan, len(w), potential=w, last_result=w, last_quota=w[::-1].copy(), forecasts=w,
                   productivity_per_hour=w, selling_hours=1500.0)["quota"].to_numpy()
    assert cents(q) == round(target * (1 + over) * 100)
    assert (q >= 0).all()
    check_reconciles(q, target, over)


@settings(max_examples=100, deadline=None)
@given(annual=st.lists(amounts, min_size=1, max_size=10), fy=st.integers(1, 12),
       season=st.lists(st.floats(0.1, 5), min_size=12, max_size=12), start=st.integers(1, 12))
def test_months_add_up_to_the_year(annual, fy, season, start):
    m = split_quota(annual, season, fy)
    assert [cents(g) for _, g in m.groupby("rep")["quota"]] == [round(a * 100) for a in annual]
    assert cents(by_quarter(m)["quota"]) == cents(m["quota"])
    hired = split_quota(annual, season, fy, start_month=[start] * len(annual))
    assert (hired.query("fiscal_month < @start")["quota"] == 0).all()
    assert cents(hired["quota"]) <= cents(m["quota"])


@settings(max_examples=200, deadline=None)
@given(quota=st.floats(1e3, 1e7), gap=st.floats(0.01, 0.9), up=st.floats(0.05, 1), down_share=st.floats(0, 0.99))
def test_ratchet_rises_more_after_a_beat_than_it_falls_after_a_miss(quota, gap, up, down_share):
    nxt = ratchet([quota, quota], [quota * (1 + gap), quota * (1 - gap)], up_weight=up, down_weight=up * down_share)
    assert nxt[0] - quota > quota - nxt[1] - 0.01  # to the cent
    assert nxt[0] >= quota - 0.01 and quota >= nxt[1] - 0.01


# --------------------------------------------------------------------------- attainability, fairness


def test_attainability_by_hand():
    # Bookings lognormal with mean = quota and cv 0.3: sigma = sqrt(ln 1.09) = 0.29356, the median
    # sits sigma^2/2 below the mean, so P(bookings >= quota) = 1 - Phi(sigma / 2) = 1 - Phi(0.14678) = 0.4417.
    t = attainability([100.0, 100.0], [100.0, 150.0], cv=0.3)
    assert t["p_attain"].iloc[0] == pytest.approx(0.4417, abs=1e-4)
    assert t["expected_attainment"].tolist() == [1.0, 1.5]
    # Mean 150: mu = ln 150 - 0.04309 = 4.96755; z = (ln 100 - mu) / sigma = -1.2344 -> Phi(1.2344) = 0.8915.
    assert t["p_attain"].iloc[1] == pytest.approx(0.8915, abs=1e-4)
    s = attainability_summary(t).set_index("metric")["value"]
    assert s["expected_share_at_quota"] == pytest.approx(t["p_attain"].mean())


def test_fairness_by_hand():
    # Attainment 0.8, 1.0, 1.2 on potentials 1, 2, 3 (index 0.5, 1, 1.5): r = 1, slope 0.4 per unit.
    f = fairness([0.8, 1.0, 1.2], [1, 2, 3]).set_index("metric")["value"]
    assert f["pearson_r"] == pytest.approx(1.0) and f["slope_per_potential_index"] == pytest.approx(0.4)


def test_top_down_quotas_are_fair_when_bookings_follow_potential():
    # Seeded: bookings = potential x noise. Top-down quotas follow potential, so attainment does not
    # depend on it; equal quotas make rich territories attain more.
    rng = np.random.default_rng(7)
    pot = rng.lognormal(0, 0.5, 200)
    bookings = 1000 * pot * rng.lognormal(-0.045, 0.3, 200)
    td = top_down(bookings.sum(), pot)
    eq = equal_split(bookings.sum(), 200)
    r_td = fairness(bookings / td, pot).set_index("metric")["value"]["pearson_r"]
    r_eq = fairness(bookings / eq, pot).set_index("metric")["value"]["pearson_r"]
    assert abs(r_td) < 0.15 and r_eq > 0.6


# --------------------------------------------------------------------------- bad input and config


def test_targets_that_do_not_reconcile():
    with pytest.raises(SalessimError, match="sum to 999.99 but target x"):
        check_reconciles([500, 499.99], 1000)
    with pytest.raises(ValidationError, match="region targets sum to 900,000.00 but the annual target is 1,000,000.00"):
        QuotaPlan(annual_target=1e6, region_targets={"a": 5e5, "b": 4e5})
    with pytest.raises(ValidationError, match="need an annual_target"):
        QuotaPlan(region_targets={"a": 5e5})
    with pytest.raises(ValidationError, match="only apply to strategy top_down"):
        QuotaPlan(strategy="ratchet", annual_target=1e6, region_targets={"a": 1e6})
    with pytest.raises(SalessimError, match=r"no target for region\(s\) \['c'\]"):
        top_down(100, [1, 1], regions=["a", "c"], region_targets={"a": 100})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: top_down(100, [1, -1]), "negative potential -1 for rep 1"),
        (lambda: top_down(100, [0, 0]), "weights that are all zero"),
        (lambda: allocate([1, 1], 100, over_assignment=2), "over_assignment: must be between 0 and 1"),
        (lambda: historical_growth([1, 2], growth=-1.5), "growth: must be > -1"),
        (lambda: ratchet([1, 2], [1]), "last_result: expected 2 values"),
        (lambda: split_quota([100], [1] * 11), "seasonality: expected 12 positive numbers"),
        (lambda: split_quota([100], None, 1, start_month=[6], end_month=[3]), "start <= end"),
        (lambda: capacity_based(100, 1000, 1.5, n_reps=2), "ramp within 0-1"),
        (lambda: set_quotas(QuotaPlan(strategy="ratchet"), 2, last_result=[1, 2]), "'ratchet' needs last_quota"),
        (lambda: set_quotas(QuotaPlan(), 2, potential=[1, 2]), "'top_down' needs target"),
        (lambda: set_quotas(QuotaPlan(strategy="equal_split", annual_target=10), 0), "n_reps must be >= 1"),
    ],
)
def test_invalid_quota_inputs(call, message):
    with pytest.raises(SalessimError, match=message):
        call()


def test_quota_plan_model():
    assert QuotaPlan().strategy == "top_down" and QuotaPlan().annual_target is None  # placeholder defaults
    with pytest.raises(ValidationError, match="strategy"):
        QuotaPlan(strategy="gut_feel")
    with pytest.raises(ValidationError, match="Extra inputs"):
        QuotaPlan.model_validate({"strategy": "top_down", "target": 5})
    with pytest.raises(ValidationError):
        QuotaPlan(annual_target=-1)
    with pytest.raises(ValidationError):
        QuotaPlan(seasonality=[1.0] * 11)
