"""The specification of today's decision rules, as pure functions with hand-computed expectations.

These pin the rules reps decide by: effort from the plan-year value (``salessim.model.plan_year``:
the one-step optimum of a linear plan, the weight of later pay), discounts
(``salessim.model.pricing``) and ``salessim.model.staffing`` (quitting, ramp-up, vacancies, hires).
The behaviour rewrite (issue 13) replaced the one-period rules (``choose_effort``, ``timing_moves``,
``ratchet_penalty``) in the same commit as these tests; a rule change must update them, with the
new hand computation, in the same commit. Each expectation is worked out in the comments from the
documented defaults (money in currency, time in days, effort as a multiple of normal pace).
"""

from __future__ import annotations

import numpy as np
import pytest

from salessim.model.behaviour import Effort, MarketPay
from salessim.model.plan_year import PlanYear, Preferences, best_effort, solve
from salessim.model.pricing import (
    DiscountPolicy,
    bargained_discount,
    choose_discount,
    expected_discount,
    holds_to_deadline,
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

# Market variable pay V = 150,000 x 0.4 = 60,000 a year. Effort grid 0.6..1.4 in 9 levels (step
# 0.1). Intrinsic effort i = 0.8, so a step of d days costs V x d/365.25 x (e - 0.8)^2 / 0.4. A flow
# plan paying F per annual quota of credit, for a rep of pace rho, pays F x rho x e x d/365.25, so
#   e* = 0.8 + 0.2 x F x rho / V,
# which is 1.0 when the plan pays the market's variable pay at quota (F = V, rho = 1).
MARKET = MarketPay()
GRID9 = Effort(levels=9)
STEPS = np.full(52, 7.0)


def flow_effort(flow: float, rho: float) -> float:
    year = PlanYear(STEPS, np.ones(52, bool), np.linspace(0, 0.2, 9), np.linspace(0, 3, 61), flow,
                    np.zeros(9), np.zeros(61))
    prefs = Preferences(GRID9.grid(), GRID9.intrinsic, MARKET.variable)
    table = solve(year, prefs, np.array([0.5, 1.0, 1.5]))
    return float(best_effort(table, 10, np.array([rho]), np.zeros(1), np.zeros(1), 7.0)[0])


def test_market_variable_pay_is_ote_times_variable_share() -> None:
    assert MARKET.variable == 60_000.0


@pytest.mark.parametrize(("flow", "rho", "expected"), [
    (60_000.0, 1.0, 1.0),   # 0.8 + 0.2 x 1
    (90_000.0, 1.0, 1.1),   # 0.8 + 0.2 x 1.5
    (30_000.0, 1.0, 0.9),   # 0.8 + 0.2 x 0.5
    (60_000.0, 1.5, 1.1),   # a faster rep earns more per unit of effort
    (0.0, 1.0, 0.8),        # salary only: the intrinsic level
])
def test_effort_on_a_flow_plan(flow: float, rho: float, expected: float) -> None:
    assert flow_effort(flow, rho) == pytest.approx(expected)


def test_later_pay_weighs_less_with_impatience() -> None:
    # exp(-0.65 x 91.3125 / 365.25) = exp(-0.1625) = 0.850: pay a quarter away weighs 85%
    prefs = Preferences(GRID9.grid(), 0.8, 60_000.0, impatience=0.65)
    assert prefs.discount(365.25 / 4) == pytest.approx(0.850, abs=5e-4)
    assert Preferences(GRID9.grid(), 0.8, 60_000.0).discount(365.25) == 1.0


# ----------------------------------------------------------------------------- discounts

# Default policy: max 20%, steps of 1%, approval needed above 10% (granted half the time), 10% of
# customers sign early for nothing, the rest with probability 1 - exp(-d / 0.06):
#   accept(d) = (0.1 + 0.9 x (1 - exp(-d / 0.06))) x (0.5 if d > 0.10 else 1).
# A 100,000 deal whose credit is worth 0.1 per unit now; it adds `later` if it closes as due.
POLICY = DiscountPolicy()


def discount(gain_now: float, later: float, amount: float = 100_000.0, marginal: float = 0.1):
    one = lambda x: np.array([x], float)  # noqa: E731
    depth, accept = choose_discount(one(gain_now), one(marginal), one(later), one(amount), one(0.0), POLICY)
    return float(depth[0]), float(accept[0])


def test_acceptance_by_hand() -> None:
    assert POLICY.acceptance(np.array([0.0]))[0] == pytest.approx(0.1)
    assert POLICY.acceptance(np.array([0.10]))[0] == pytest.approx(0.1 + 0.9 * (1 - np.exp(-0.10 / 0.06)))  # 0.830
    assert POLICY.acceptance(np.array([0.11]))[0] == pytest.approx(0.5 * (0.1 + 0.9 * (1 - np.exp(-0.11 / 0.06))))


def test_customers_want_more_for_signing_further_ahead() -> None:
    # willingness 6% buys 30 days (willingness_days): a customer 15 days from signing reacts to
    # d / 0.03, one 60 days away to d / 0.12; delay = willingness_days is the plain curve
    d = np.array([0.05])
    assert POLICY.acceptance(d, 15.0)[0] == pytest.approx(0.1 + 0.9 * (1 - np.exp(-0.05 / 0.03)))  # 0.830
    assert POLICY.acceptance(d, 60.0)[0] == pytest.approx(0.1 + 0.9 * (1 - np.exp(-0.05 / 0.12)))  # 0.406
    assert POLICY.acceptance(d, 30.0)[0] == pytest.approx(POLICY.acceptance(d)[0])
    assert POLICY.acceptance(d, 0.0)[0] == pytest.approx(POLICY.acceptance(d, 1.0)[0])  # at least a day


def test_a_deal_likely_in_time_is_secured_cheaply() -> None:
    # a deal 3 days from signing, whose slip would cost the rep 1,000 (its value as it stands 2,000
    # against 3,000 now): surplus(d) = 1,000 - 10,000 d; with w = 0.006 the rep offers 2%
    # (accept 0.1 + 0.9 (1 - e^(-1/0.6)) = 0.830, x 900 = 747; 2%: 0.968 x 800 = 774; 3%: 0.994 x 700 = 696)
    one = lambda x: np.array([x], float)  # noqa: E731
    depth, accept = choose_discount(one(3_000.0), one(0.1), one(2_000.0), one(100_000.0), one(0.0), POLICY,
                                    delay=one(3.0))
    assert depth[0] == pytest.approx(0.02)
    assert accept[0] == pytest.approx(0.1 + 0.9 * (1 - np.exp(-0.02 / 0.006)))


def test_small_stakes_buy_a_small_discount() -> None:
    # surplus(d) = 3,000 - 10,000 d - 2,000: accept x surplus = 0.355 x 800 = 284 at 2%,
    # 0.454 x 700 = 318 at 3%, 0.538 x 600 = 323 at 4%, 0.609 x 500 = 304 at 5%: the rep offers 4%
    depth, accept = discount(3_000.0, 2_000.0)
    assert depth == pytest.approx(0.04)
    assert accept == pytest.approx(0.1 + 0.9 * (1 - np.exp(-0.04 / 0.06)))


def test_large_stakes_buy_the_deepest_discount_without_approval() -> None:
    # surplus(d) = 10,000 - 10,000 d - 2,000: 0.799 x 7,100 = 5,674 at 9%, 0.830 x 7,000 = 5,810 at
    # 10%, 0.428 x 6,900 = 2,950 at 11% (approval halves the chance): the rep offers 10%
    assert discount(10_000.0, 2_000.0)[0] == pytest.approx(0.10)


def test_no_pull_when_the_deal_is_worth_as_much_later() -> None:
    assert discount(2_000.0, 2_000.0) == (0.0, 0.0)
    assert discount(1_000.0, 2_000.0) == (0.0, 0.0)


def bargain(now: float, later: float, delay: float, approve: float = 0.0, policy: DiscountPolicy = POLICY) -> float:
    one = lambda x: np.array([x], float)  # noqa: E731
    return float(bargained_discount(one(now), one(later), one(delay), policy, one(approve))[0])


def test_a_strategic_buyer_takes_half_the_reps_gain_less_half_their_threats_cost() -> None:
    # d* = 1 - 2,000 / 2,500 = 20%; at the period end (delay 0) the buyer takes half: 10%
    assert bargain(2_500.0, 2_000.0, 0.0) == pytest.approx(0.10)
    # 36.525 days before it their threat costs 10% of the price (delay cost 1 a year): 10% - 5% = 5%
    assert bargain(2_500.0, 2_000.0, 36.525) == pytest.approx(0.05)
    # 73.05 days before it nothing is left to bargain
    assert bargain(2_500.0, 2_000.0, 73.05) == 0.0


def test_a_rep_who_gains_nothing_now_concedes_nothing() -> None:
    # a linear plan: crediting now and next period are worth the same
    assert bargain(2_000.0, 2_000.0, 0.0) == 0.0
    assert bargain(1_000.0, 2_000.0, 0.0) == 0.0  # the rep would rather close next period
    assert bargain(-100.0, 0.0, 0.0) == 0.0


def test_the_discount_policy_caps_bargained_discounts() -> None:
    # d* = 80%: the buyer wants 40%; the policy allows 20%, a manager approves above 10% (uniform < 0.5)
    assert bargain(10_000.0, 2_000.0, 0.0, approve=0.2) == pytest.approx(0.20)
    assert bargain(10_000.0, 2_000.0, 0.0, approve=0.7) == pytest.approx(0.10)  # refused: the threshold
    tight = DiscountPolicy(max_discount=0.05)
    assert bargain(10_000.0, 2_000.0, 0.0, approve=0.2, policy=tight) == pytest.approx(0.05)
    assert bargain(10_000.0, 2_000.0, 0.0, policy=DiscountPolicy(max_discount=0.0)) == 0.0
    # on the policy's 1% steps, rounded down: d* = 15%, half is 7.5% -> 7%
    assert bargain(2_000.0, 1_700.0, 0.0) == pytest.approx(0.07)


def test_a_buyer_expects_the_policy_to_cap_and_approve_the_bargain() -> None:
    # default policy: at most 20%, above 10% a manager approves half the time (else 10%)
    got = expected_discount(np.array([-0.02, 0.05, 0.16, 0.40]), POLICY)
    assert got == pytest.approx([0.0, 0.05, 0.5 * 0.16 + 0.5 * 0.10, 0.5 * 0.20 + 0.5 * 0.10])


def hold(now: float, at_end: float, wait: float) -> bool:
    return bool(holds_to_deadline(np.array([now]), np.array([at_end]), np.array([wait]), POLICY)[0])


def test_a_buyer_holds_the_signature_to_the_deadline_when_its_discount_outweighs_the_wait() -> None:
    # waiting 10 days costs 10 / 365.25 = 2.74% of the price (delay cost 1 a year): 5% at the
    # deadline less 2.74% beats nothing now; waiting 20 days (5.48%) does not
    assert hold(0.0, 0.05, 10.0)
    assert not hold(0.0, 0.05, 20.0)
    # 3% on offer now: 5% three days later (0.82% of waiting) is worth it, ten days later not
    assert hold(0.03, 0.05, 3.0)
    assert not hold(0.03, 0.05, 10.0)
    # a rep who gains nothing now or at the deadline (a linear plan): nobody waits for nothing
    assert not hold(0.0, 0.0, 0.0)
    # the policy caps what waiting can win: 40% wanted at the deadline is worth 15% expected
    assert hold(0.10, 0.40, 7.0) and not hold(0.10, 0.40, 20.0)


# ----------------------------------------------------------------------------- staffing
# (hand numbers for a base annual quit rate of 0.24; the default is 0.17)


def test_quit_probability_at_market_and_on_quota_gives_the_base_annual_rate() -> None:
    # monthly hazard h0 = -ln(1 - 0.24) / 12 = 0.0228697; p = 1 - exp(-h0) = 0.0226102,
    # and twelve months of it: 1 - (1 - p)^12 = 0.24
    p = monthly_quit_probability(np.array([1.0]), np.array([1.0]), np.array([False]), Attrition(base_annual_quit=0.24))[0]
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
    p = monthly_quit_probability(np.array([pay_ratio]), np.array([attainment]), np.array([top]), Attrition(base_annual_quit=0.24))
    assert p[0] == pytest.approx(expected, rel=1e-5)


def test_pay_sensitivity_zero_removes_the_pay_term() -> None:
    p = monthly_quit_probability(np.array([0.5]), np.array([1.0]), np.array([False]), Attrition(base_annual_quit=0.24, pay_sensitivity=0.0))
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
