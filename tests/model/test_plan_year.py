"""The plan-year value function (backward induction): hand-checkable cases and the responses the
research documents, which must emerge from the Bellman equation rather than be coded."""

from __future__ import annotations

import numpy as np
import pytest

from salessim.model.behaviour import Effort
from salessim.model.plan_year import PlanYear, Preferences, best_effort, solve

WEEKS = 52
STEPS = np.full(WEEKS, 7.0)
QUARTER_END = np.zeros(WEEKS, bool)
QUARTER_END[12::13] = True
P_GRID = np.linspace(0.0, 0.75, 41)  # up to 3x a quarterly quota (annual quotas)
Y_GRID = np.linspace(0.0, 3.0, 46)
VARIABLE = 60_000.0
PREFS = Preferences(Effort().grid(), intrinsic=0.8, variable=VARIABLE, deals_per_quota=40.0)
RHO = np.array([0.4, 0.7, 1.0, 1.3, 2.0])


EVERY_STEP = np.ones(WEEKS, bool)  # no pacing period: credit moves into the year's total each step
STEP_GRID = np.linspace(0.0, 0.2, 9)


def table(flow=0.0, period=None, year=None, period_end=QUARTER_END):
    p_grid = P_GRID if period_end is QUARTER_END else STEP_GRID
    yr = PlanYear(STEPS, period_end, p_grid, Y_GRID, flow,
                  np.zeros(len(p_grid)) if period is None else period,
                  np.zeros(len(Y_GRID)) if year is None else year)
    return solve(yr, PREFS, RHO)


def effort(tab, t, rho, p=0.0, y0=0.0):
    return float(best_effort(tab, t, np.array([rho]), np.array([p]), np.array([y0]), 7.0)[0])


def test_linear_plan_at_market_pay_gives_normal_effort():
    # Flow 60,000 per annual quota: a week at effort e earns 60,000 x e x 7/365.25 and costs
    # 60,000 x 7/365.25 x (e - 0.8)^2 / 0.4; the first-order condition 1 = (e - 0.8) / 0.2 gives e = 1.
    tab = table(flow=VARIABLE)
    assert all(effort(tab, t, 1.0) == pytest.approx(1.0) for t in (0, 20, 51))
    # twice the pay per unit: e = 0.8 + 0.2 x 2 = 1.2 (on the 0.08 grid: 1.16 or 1.24)
    assert effort(table(flow=2 * VARIABLE), 10, 1.0) == pytest.approx(1.2, abs=0.041)


def test_the_effort_grid_holds_the_intrinsic_effort():
    assert list(Effort().grid()).count(0.8) == 1 and len(Effort().grid()) == 12  # 11 even levels + 0.8
    assert len(Effort(min=0.6, max=1.4, levels=5).grid()) == 5  # 0.6, 0.8, 1.0, ...: already on it


def test_nothing_at_stake_gives_the_intrinsic_effort_whatever_the_rounding():
    """With a flat reward the value is minus the cost, (e - 0.8)^2: off the grid its two
    neighbours would tie and last-bit noise would pick one (seen: 3% of a lump-sum plan's revenue
    between two CPUs). Perturbing the cost by 1e-12 must not change any choice."""
    tab = table(period=np.where(P_GRID >= 0.25, 15_000.0, 0.0))
    reps = dict(t=np.array([11, 10, 40]), rho=np.array([0.4, 1.3, 1.0]), p=np.array([0.05, 0.30, 0.30]))
    base = [effort(tab, t, r, p=p) for t, r, p in zip(*reps.values(), strict=True)]
    assert base == [PREFS.intrinsic] * 3
    for eps in (1e-12, -1e-12):
        noisy = Preferences(PREFS.effort_grid * (1 + eps), PREFS.intrinsic, PREFS.variable, deals_per_quota=40.0)
        tab2 = solve(tab.year, noisy, RHO)
        assert [effort(tab2, t, r, p=p) for t, r, p in zip(*reps.values(), strict=True)] == pytest.approx(base, abs=1e-9)


def test_value_rises_with_credit_under_a_rising_reward():
    tab = table(period=np.where(P_GRID >= 0.25, 15_000.0, 0.0), year=np.minimum(Y_GRID, 1.5) * 20_000)
    V = tab.V[10]
    assert (np.diff(V, axis=1) >= -1e-6).all() and (np.diff(V, axis=2) >= -1e-6).all()


def test_quarterly_bonus_makes_reps_race_give_up_and_coast():
    tab = table(period=np.where(P_GRID >= 0.25, 15_000.0, 0.0))
    last = 12  # the quarter's last week
    # an on-pace rep a little short of the threshold in the last weeks races
    behind = 0.25 - 1.0 * 2 * 7 / 365.25
    assert effort(tab, last - 1, 1.0, p=behind) > effort(tab, 0, 1.0) + 0.1
    # far out of reach: gives up (back to the effort on salary alone, 0.8)
    assert effort(tab, last - 1, 0.4, p=0.05) == PREFS.intrinsic
    # bonus already secured: coasts
    assert effort(tab, last - 2, 1.3, p=0.30) == PREFS.intrinsic


def test_a_cap_makes_reps_coast_above_it():
    capped = table(year=np.minimum(Y_GRID, 1.5) * VARIABLE, period_end=EVERY_STEP)
    # below the cap the year-end commission works like a flow; above it there is nothing to earn
    assert effort(capped, 30, 1.0, y0=0.5) >= 0.95
    assert effort(capped, 30, 1.0, y0=1.6) == PREFS.intrinsic  # back to the effort on salary alone
    # and a rep who will reach the cap anyway eases off before it (Misra & Nair 2011)
    assert effort(capped, 5, 1.0, y0=1.0) < effort(capped, 5, 1.0, y0=0.2)


def test_ratchet_cost_to_next_year_holds_reps_back_above_quota():
    plain = table(year=Y_GRID * VARIABLE, period_end=EVERY_STEP)
    ratchet = table(year=Y_GRID * VARIABLE - 0.5 * VARIABLE * np.maximum(Y_GRID - 1.0, 0.0), period_end=EVERY_STEP)
    assert effort(ratchet, 40, 1.3, y0=1.1) < effort(plain, 40, 1.3, y0=1.1)
    assert effort(ratchet, 40, 1.0, y0=0.3) == effort(plain, 40, 1.0, y0=0.3)  # far below quota: no change
