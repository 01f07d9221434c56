"""The specification of today's decision rules, as pure functions with hand-computed expectations.

These pin the rules in ``salessim.model.behaviour`` (effort, deal timing, ratchet) and
``salessim.model.staffing`` (quitting, ramp-up, vacancies, hires) as they are now. The behaviour
rewrite (issue 13) will change them deliberately: a rule change must update these tests, with the
new hand computation, in the same commit. Each expectation is worked out in the comments from the
documented defaults (money in currency, time in days, effort as a multiple of normal pace).
"""

from __future__ import annotations

import numpy as np
import pytest

from salessim.model.behaviour import (
    Effort,
    MarketPay,
    Ratchet,
    Timing,
    choose_effort,
    expected_marginal_pay,
    ratchet_penalty,
    timing_moves,
)
from salessim.model.staffing import (
    Attrition,
    Hiring,
    Ramp,
    hire_skill,
    monthly_quit_probability,
    ramp_factor,
    vacancy_days,
)

# ----------------------------------------------------------------------------- effort

# Market variable pay V = 150,000 x 0.4 = 60,000 a year. Effort grid 0.6..1.4 in 9 levels (step 0.1)
# so the optima below lie on the grid. Intrinsic effort i = 0.8, so the cost over d days is
# V x d/365.25 x (e - 0.8)^2 / (2 x 0.2). A linear plan paying rate r on the rest R expected at
# normal pace pays r x R x e in expectation (the lognormal shock has mean 1), so the optimum is
#   e* = 0.8 + 0.2 x r x R / (V x d / 365.25),
# which is 1.0 when the plan pays the market's variable pay for the time left (r x R = V x d/365.25).
MARKET = MarketPay()
GRID9 = Effort(levels=9)
YEAR = 365.25


def linear(rate: float):
    return lambda credited, quota, reps: rate * credited


def effort_of(pay, booked=0.0, rest=1_200_000.0, quota=1_000_000.0, days=YEAR, deals=20.0, penalty=None) -> float:
    one = lambda x: np.array([x], float)  # noqa: E731
    e = choose_effort(pay, one(booked), one(rest), one(quota), one(days), one(deals), MARKET, GRID9,
                      None if penalty is None else one(penalty))
    return float(e[0])


def test_market_variable_pay_is_ote_times_variable_share() -> None:
    assert MARKET.variable == 60_000.0


@pytest.mark.parametrize(("rate", "expected"), [
    (0.05, 1.0),     # r x R = 0.05 x 1.2M = 60,000 = V: e* = 0.8 + 0.2 x 1 = 1.0
    (0.025, 0.9),    # half the pay: e* = 0.8 + 0.2 x 0.5 = 0.9
    (0.1, 1.2),      # double the pay: e* = 0.8 + 0.2 x 2 = 1.2
    (0.2, 1.4),      # e* = 0.8 + 0.2 x 4 = 1.6, above the grid: its top, 1.4
    (0.0, 0.8),      # salary only: the intrinsic effort
])
def test_effort_on_a_linear_plan(rate: float, expected: float) -> None:
    assert effort_of(linear(rate)) == pytest.approx(expected)


def test_effort_cost_scales_with_the_days_left() -> None:
    # a quarter left (91.3125 days) and a quarter's worth of rest (300,000 at 5% = 15,000 =
    # 60,000 x 91.3125/365.25): e* = 1.0
    assert effort_of(linear(0.05), rest=300_000.0, days=YEAR / 4) == pytest.approx(1.0)
    # twice that rest over a whole year: r x R = 30,000 = V/2 -> e* = 0.8 + 0.2 x 0.5 = 0.9
    assert effort_of(linear(0.05), rest=600_000.0, days=YEAR) == pytest.approx(0.9)


def test_effort_under_a_reached_cap_is_the_intrinsic_level() -> None:
    # capped at 20,000 and already booked 1M (paying 50,000 > cap): marginal pay 0 -> e* = 0.8
    capped = lambda c, q, r: np.minimum(0.05 * c, 20_000.0)  # noqa: E731
    assert effort_of(capped, booked=1_000_000.0) == pytest.approx(0.8)


def test_ratchet_penalty_reduces_effort_above_quota() -> None:
    # booked = quota, so all the rest is above quota: the net rate is 0.05 - 0.025 = 0.025 -> e* = 0.9
    assert effort_of(linear(0.05), booked=1_000_000.0, penalty=0.025) == pytest.approx(0.9)
    # with quota far out of reach (10M against at most 1.4 x 1.2M x the largest shock) it never bites
    assert effort_of(linear(0.05), quota=10_000_000.0, penalty=0.025) == pytest.approx(1.0)


def test_no_reps_no_effort() -> None:
    empty = np.empty(0)
    assert choose_effort(linear(0.05), empty, empty, empty, empty, empty, MARKET, GRID9).shape == (0,)


# ----------------------------------------------------------------------------- marginal pay


def marginal(pay, booked, rest, deals, quota, amount) -> float:
    one = lambda x: np.array([x], float)  # noqa: E731
    return float(expected_marginal_pay(pay, one(booked), one(rest), one(deals), one(quota), one(amount), np.array([0]))[0])


def test_marginal_pay_of_a_linear_plan_is_rate_times_amount() -> None:
    # 5% of 10,000 = 500, whatever the uncertainty about the rest
    assert marginal(linear(0.05), 40_000.0, 60_000.0, 3.0, 100_000.0, 10_000.0) == pytest.approx(500.0)


def test_marginal_pay_of_a_step_bonus() -> None:
    bonus = lambda c, q, r: np.where(c >= q[:, None], 1000.0, 0.0)  # noqa: E731
    # nothing more expected (rest 0): the amount alone decides whether the 1,000 is earned
    assert marginal(bonus, 90_000.0, 0.0, 0.0, 100_000.0, 20_000.0) == pytest.approx(1000.0) # 110,000 >= 100,000
    assert marginal(bonus, 90_000.0, 0.0, 0.0, 100_000.0, 5_000.0) == 0.0      # 95,000 < 100,000
    assert marginal(bonus, 120_000.0, 0.0, 0.0, 100_000.0, 5_000.0) == 0.0     # already earned
    # rest 100,000 with 3 deals expected: shock S = exp(0.5 Z - 0.125) (sd 1/sqrt(1 + 3) = 0.5);
    # without the amount the bonus needs S >= 1, i.e. Z >= 0.25; with 100,000 more it is certain.
    # Exactly, the gain is 1,000 x P(Z < 0.25) = 599; the 15-point Gauss-Hermite rule has a node at
    # Z = 0 with weight 0.318259 and the rest symmetric, so it counts P(Z < 0.25) as
    # 0.5 + 0.318259 / 2 = 0.659130: gain 659.13
    assert marginal(bonus, 0.0, 100_000.0, 3.0, 100_000.0, 100_000.0) == pytest.approx(659.13, abs=0.01)


def test_marginal_pay_prices_the_uncertainty_of_the_rest() -> None:
    # commission on credit above quota only (rate 1): quota 100,000, nothing booked, 100,000 more
    # expected from 3 deals (S lognormal, mean 1, log-sd 0.5). Adding 100,000 gains
    # E[min(100,000, 100,000 S)] = 100,000 x E[min(1, S)] = 100,000 x (2 - 2 Phi(0.25)) = 80,259
    # (E[(S - 1)+] = 2 Phi(sd/2) - 1 for a mean-1 lognormal); the quadrature gets 79,946 (-0.4%)
    above = lambda c, q, r: np.maximum(c - q[:, None], 0.0)  # noqa: E731
    assert marginal(above, 0.0, 100_000.0, 3.0, 100_000.0, 100_000.0) == pytest.approx(80_259.0, rel=0.01)


# ----------------------------------------------------------------------------- deal timing


def test_timing_moves_by_hand() -> None:
    # defaults: hassle 25% of the larger of pay now / pay later, push_loss 15%
    value_now = np.array([1000.0, 1000.0, 1000.0, 100.0, 650.0, 500.0, 0.0])
    value_now_disc = np.array([900.0, 700.0, 900.0, 90.0, 600.0, 450.0, 0.0])
    value_later = np.array([500.0, 500.0, 500.0, 1000.0, 1000.0, 1000.0, 0.0])
    due_now = np.array([False, False, True, True, True, True, True])
    pull, push = timing_moves(value_now, value_now_disc, value_later, value_now, due_now, Timing())
    # 0: due next period, 900 - 500 = 400 > 250 (25% of 1000): pulled in
    # 1: 700 - 500 = 200 < 250: stays
    # 2: the same gain but already due this period: never pulled
    # 3: due now, 0.85 x 1000 - 100 = 750 > 250: pushed out
    # 4: 0.85 x 1000 - 650 = 200 < 250: stays
    # 5: 0.85 x 1000 - 500 = 350 > 250: pushed out
    # 6: nothing either way: stays
    assert pull.tolist() == [True, False, False, False, False, False, False]
    assert push.tolist() == [False, False, False, True, False, True, False]
    # with a 50% chance that a pushed customer walks away: 0.5 x 1000 - 500 = 0 (row 5 stays) and
    # 0.5 x 1000 - 100 = 400 > 250 (row 3 still goes)
    _, push = timing_moves(value_now, value_now_disc, value_later, value_now, due_now, Timing(push_loss=0.5))
    assert push.tolist() == [False, False, False, True, False, False, False]
    # without the hassle threshold row 1 is pulled too (200 > 0)
    pull, _ = timing_moves(value_now, value_now_disc, value_later, value_now, due_now, Timing(hassle=0.0))
    assert pull.tolist() == [True, True, False, False, False, False, False]


def test_ratchet_penalty_is_weight_times_foresight_times_rate() -> None:
    # defaults: 0.5 x 0.8 x 5% = 2% of every unit sold above quota
    np.testing.assert_allclose(ratchet_penalty(np.array([0.05, 0.1]), Ratchet()), [0.02, 0.04])
    np.testing.assert_allclose(ratchet_penalty(np.array([0.05]), Ratchet(weight=1.0, foresight=0.5)), [0.025])


# ----------------------------------------------------------------------------- staffing


def test_quit_probability_at_market_and_on_quota_gives_the_base_annual_rate() -> None:
    # monthly hazard h0 = -ln(1 - 0.24) / 12 = 0.0228697; p = 1 - exp(-h0) = 0.0226102,
    # and twelve months of it: 1 - (1 - p)^12 = 0.24
    p = monthly_quit_probability(np.array([1.0]), np.array([1.0]), np.array([False]), Attrition())[0]
    assert p == pytest.approx(0.0226102, rel=1e-5)
    assert 1 - (1 - p) ** 12 == pytest.approx(0.24, rel=1e-12)


@pytest.mark.parametrize(("pay_ratio", "attainment", "top", "expected"), [
    (1.2, 1.5, False, 0.0226102),  # above market and quota: no discount on the base hazard
    (0.8, 1.0, False, 0.0335422),  # pay lag 0.2: h0 x exp(2 x 0.2) = h0 x 1.4918; p = 1 - exp(-0.0341176)
    (1.0, 0.5, False, 0.0370038),  # shortfall 0.5: h0 x exp(1 x 0.5) = h0 x 1.6487
    (1.0, -1.0, False, 0.0602735),  # shortfall capped at 1: h0 x e = 0.0621670 -> 0.0602735
    (0.8, 0.5, False, 0.0546977),  # both: h0 x exp(0.4 + 0.5)
    (1.0, 1.0, True, 0.0293780),   # a star: + -ln(1 - 0.08)/12 = 0.0069485 poaching hazard
])
def test_quit_probability_by_hand(pay_ratio, attainment, top, expected) -> None:
    p = monthly_quit_probability(np.array([pay_ratio]), np.array([attainment]), np.array([top]), Attrition())
    assert p[0] == pytest.approx(expected, rel=1e-5)


def test_pay_sensitivity_zero_removes_the_pay_term() -> None:
    p = monthly_quit_probability(np.array([0.5]), np.array([1.0]), np.array([False]), Attrition(pay_sensitivity=0.0))
    assert p[0] == pytest.approx(0.0226102, rel=1e-5)


def test_ramp_factor_by_hand() -> None:
    # full productivity after 5 x 30.44 = 152.2 days; nothing in the first 10 (onboarding), then
    # linear over 142.2 days: halfway at 10 + 71.1 = 81.1 days
    tenure = np.array([0.0, 10.0, 81.1, 152.2, 400.0])
    np.testing.assert_allclose(ramp_factor(tenure, 10.0, 5.0), [0.0, 0.0, 0.5, 1.0, 1.0], atol=1e-12)
    # a 2-month ramp without onboarding: 30.44 days -> 0.5
    np.testing.assert_allclose(ramp_factor(np.array([30.44]), 0.0, 2.0), [0.5])
    # the default ramp starts at half capacity after onboarding: 3 months, halfway at 10 + 40.66 days -> 0.75
    r = Ramp()
    np.testing.assert_allclose(ramp_factor(np.array([9.9, 10.0, 50.66, 91.32]), 10.0, r.months_to_full, r.start_capacity),
                               [0.0, 0.5, 0.75, 1.0], atol=1e-12)


def test_vacancy_days_by_hand() -> None:
    # median draw (u = 0.5): 60 x 0.5 / (1 - 0.5) = 60 days; one sd up (u = Phi(1) = 0.841345):
    # 60 x exp(0.5) = 98.92; a bar of 0.75 doubles the median: 60 x 0.5 / 0.25 = 120
    assert vacancy_days(0.5, Hiring()) == pytest.approx(60.0)
    assert vacancy_days(0.8413447460685429, Hiring()) == pytest.approx(98.923276, rel=1e-6)
    assert vacancy_days(0.5, Hiring(hiring_bar=0.75)) == pytest.approx(120.0)


def test_hire_skill_by_hand() -> None:
    # sd 0.3: log-sd sigma = sqrt(ln(1 + 0.09)) = 0.293560; centre = -ln(2 Phi(sigma)) - sigma^2/2
    # = -ln(1.230906) - 0.043089 = -0.250839. At bar 0.5 the draw u maps to the quantile
    # q = 0.5 + 0.5 u: u = 0 -> the weakest hire, exp(centre) = 0.778147; u = 0.5 -> q = 0.75,
    # exp(centre + sigma x 0.674490) = 0.948536
    assert hire_skill(0.0, 0.3, Hiring()) == pytest.approx(0.778147, rel=1e-5)
    assert hire_skill(0.5, 0.3, Hiring()) == pytest.approx(0.948536, rel=1e-5)
    assert hire_skill(0.7, 0.0, Hiring()) == 1.0  # no skill spread: every hire is average
    # the centring: hires at the default bar average skill 1 (E[exp(c + sigma Z) | Z > 0] = 1)
    u = (np.arange(20_000) + 0.5) / 20_000
    assert np.mean([hire_skill(x, 0.3, Hiring()) for x in u]) == pytest.approx(1.0, abs=2e-3)
    # a higher bar gives a better hire for the same draw
    assert hire_skill(0.5, 0.3, Hiring(hiring_bar=0.8)) > hire_skill(0.5, 0.3, Hiring())
