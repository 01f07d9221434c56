"""Published effects of plan design, as paired simulations (common random numbers, 20-60 replications
by the power each comparison needs, of midmarket scaled to 40 reps, and for the pacing of quarterly
bonuses of the high-volume SMB market; every pair pays the same target incentive at 100% of quota,
see ``published.py``). Nothing here is tuned: each effect must come out of the reps' plan-year
decisions. Effects the model does not (yet) reproduce are strict xfails stating what it measures.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from published import (  # noqa: E402
    ANNUAL_BONUS,
    CAP_REPLICATIONS,
    CAPPED,
    CONVEX,
    COST_REPLICATIONS,
    LINEAR,
    QUARTERLY_BONUS,
    TIMING_REPLICATIONS,
    UNCAPPED,
    VOLUME,
    laggard_gap,
    matched_linear,
    pacing_runs,
    paired,
    quarter_share_diff,
    replicate,
    scenario,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def timing_runs():
    return replicate({"linear": scenario(LINEAR), "annual bonus": scenario(ANNUAL_BONUS),
                      "convex": scenario(CONVEX)}, TIMING_REPLICATIONS)


def test_annual_bonus_moves_bookings_from_q1_to_q4(timing_runs):
    # Oyer (1998): sales peak at fiscal-year end under annual quota bonuses. Measured (60 pairs):
    # Q4 +1.2 pt [+0.8, +1.6], Q1 -1.0 pt [-1.3, -0.6]; reps within reach race, secured reps coast
    q1, q4 = quarter_share_diff(timing_runs, "linear", "annual bonus")
    assert q4.low > 0 and q1.high < 0


def test_accelerating_plan_bunches_bookings_at_quarter_end_and_buys_them_with_discounts(timing_runs):
    # Larkin (2014): reps time closings to accelerated quarters and give discounts to do it
    bunching = paired(timing_runs, "hockey-stick index (last 2 weeks of quarter)", "linear", "convex")
    assert bunching.low > 0  # measured +13.6 points [+13.1, +14.0] (60 pairs)
    lost = paired(timing_runs, "revenue lost to discounts", "linear", "convex")
    assert lost.low > 0  # the linear plan gives no reason to discount


@pytest.mark.xfail(strict=True, reason=(
    "Larkin (2014) measures mispricing of 6-8% of revenue at an enterprise software vendor; salessim "
    "measures 2.5% [2.4%, 2.5%] of revenue lost to discounts under an accelerating quarterly plan vs 0.000% "
    "linear (60 paired runs), and 9.1% of wins signed on a quarter's last day (~75% at Larkin's vendor; "
    "linear 1.1%). Strategic buyers hold signatures to the deadline only when the discount there beats the "
    "wait, and at a delay cost of 1 a year waiting costs 11% of the price for the median candidate (41 days "
    "out); at 0.25 a year it would be 3.8% and 28% (6 runs). The delay cost is an unsourced assumption, "
    "left at 1 rather than tuned."))
def test_discounts_cost_what_larkin_measured(timing_runs):
    lost = paired(timing_runs, "revenue lost to discounts", "linear", "convex")
    revenue = paired(timing_runs, "revenue", "linear", "linear")
    assert lost.mean / revenue.mean > 0.04


@pytest.fixture(scope="module")
def volume_pacing_runs():
    # Chung et al.'s firm sold office products: many small orders a quarter, so quarterly attainment
    # is something effort steers (published.VOLUME). On lumpy midmarket (~10 deals a rep-quarter)
    # the quarterly bonus is closer to a lottery and does not pace laggards (docs/behaviour.md)
    return pacing_runs(VOLUME)


def test_removing_quarterly_bonuses_costs_revenue(volume_pacing_runs):
    # Chung, Steenburgh & Sudhir (2014): quarterly bonuses pace reps through the year
    drop = paired(volume_pacing_runs, "revenue", "annual + quarterly", "annual only")
    assert drop.high < 0  # measured -2.0% [-2.6%, -1.3%] (30 pairs)


def test_removing_quarterly_bonuses_costs_laggards_most(volume_pacing_runs):
    # ... and the laggards lose most: without quarterly targets weaker reps fall behind early in
    # the year and give up on the annual bonus; strong reps reach it either way
    gap, bottom, top = laggard_gap(volume_pacing_runs, "annual + quarterly", "annual only")
    assert bottom < 0 and gap.high < 0  # measured -3.7% vs -0.4%, gap -3.4 pt [-5.2, -1.6] (30 pairs)


def test_removing_cap_and_ratchet_raises_revenue_through_both_channels():
    # Misra & Nair (2011): caps and ratcheting quotas make reps hold back. The ratchet alone is a
    # ~3-4% revenue effect: 20 paired replications give it the power (at 10 its interval touched 0)
    res = replicate({"capped + ratchet": scenario(CAPPED, **{"quota.strategy": "ratchet"}),
                     "capped": scenario(CAPPED), "ratchet": scenario(UNCAPPED, **{"quota.strategy": "ratchet"}),
                     "neither": scenario(UNCAPPED)}, CAP_REPLICATIONS)
    assert paired(res, "revenue", "capped + ratchet", "neither").low > 0  # measured +25.7%
    assert paired(res, "revenue", "capped", "neither").low > 0  # the cap channel (measured +17.0%)
    assert paired(res, "average effort", "ratchet", "neither").low > 0  # the ratchet channel: effort
    assert paired(res, "revenue", "ratchet", "neither").low > 0  # measured +3.9% [+2.7%, +5.0%] (20 runs)


@pytest.mark.xfail(strict=True, reason=(
    "Kishore et al. (2013) find output up 24% after a bonus-to-commission switch (+37% in the bottom quarter "
    "of performers, by the Carlson School's summary); salessim measures +0.1% "
    "[-0.8%, +0.9%] (60 paired runs, commission at the bonus plan's cost: 0.60x). It measured +2.0% "
    "[+0.9%, +3.0%] until 2026-12-03, when reps' paces ran ~25% low into Q1 (learned from the warm-up's "
    "empty pipeline) and the quarterly bonus looked out of reach early in the year; with paces right, the "
    "bonus's contenders race as much as its far-off and secured reps give up and coast, and the cheaper "
    "commission rate pulls less everywhere. By skill half (30 pairs) the less skilled lose 1.8% and the more "
    "skilled gain 1.3%: the opposite of Kishore et al.'s heterogeneity. The least skilled fifth still makes "
    "its quarterly quota in about half the quarters (so it races for the bonus), and with output = skill x "
    "effort a commission pulls in proportion to pace (docs/behaviour.md, by skill quintile)."))
def test_bonus_to_commission_at_equal_cost_raises_output():
    # Kishore, Rao, Narasimhan & John (2013). Cost matched on the bonus plan's own results: the
    # linear multiple that would have paid the same variable pay for what the bonus plan sold.
    bonus = replicate({"quarterly bonus": scenario(QUARTERLY_BONUS)}, COST_REPLICATIONS)
    linear = matched_linear(bonus.results["quarterly bonus"], reps=40)
    res = replicate({"quarterly bonus": scenario(QUARTERLY_BONUS), "commission": scenario(linear)}, COST_REPLICATIONS)
    assert paired(res, "revenue", "quarterly bonus", "commission").low > 0
