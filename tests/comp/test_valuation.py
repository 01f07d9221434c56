"""The plan as reps value it equals what the statements engine pays: for a rep booking evenly,
the plan year's flow + period rewards + year-end reward add up to the pay curve's variable pay."""

from __future__ import annotations

import calendar
from pathlib import Path

import numpy as np
import pytest

from salessim.comp import load_plan
from salessim.comp.curve import pay_curve
from salessim.comp.valuation import plan_year

PLANS = Path(__file__).resolve().parents[2] / "data" / "plans"
QUOTA = 1_500_000.0


def template_year(year: int = 2026) -> tuple[np.ndarray, np.ndarray]:
    days, month = [], []
    for mo in range(12):
        n, d = calendar.monthrange(year, mo + 1)[1], 0
        while d < n:
            days.append(min(7, n - d))
            month.append(mo)
            d += 7
    return np.asarray(days, float), np.asarray(month)


def even_pace_pay(pv, attainment: float) -> float:
    """Variable pay of a year booked evenly at ``attainment`` (share of the annual quota)."""
    yr = pv.year
    periods = 12 // pv.pacing_months if pv.pacing_months < 12 else 0
    g = np.interp(attainment / periods, yr.p_grid, yr.period_reward) * periods if periods else 0.0
    return yr.flow * attainment + g + float(np.interp(attainment, yr.y_grid, yr.year_reward))


# plans whose every component the pay curve prices the same way (no team, SPIF or draw)
EXACT = ["enterprise_annual", "linear_commission", "pay_mix_50_50", "pay_mix_70_30", "quota_bonus_only",
         "tiered_accelerator_cap"]


@pytest.mark.parametrize("name", EXACT)
def test_plan_year_pays_what_the_statements_pay(name):
    plan = load_plan(PLANS / f"{name}.yaml")
    days, month = template_year()
    pv = plan_year(plan, annual_quota=QUOTA, step_days=days, step_month=month)
    grid = np.array([0.0, 0.45, 0.8, 0.9, 1.0, 1.2, 1.3, 1.5, 1.95])  # on the reward grids (5% steps)
    curve = pay_curve(plan, grid, annual_quota=QUOTA)
    want = curve[curve["item"] == "variable"].set_index("attainment")["amount"]
    got = np.array([even_pace_pay(pv, a) for a in grid])
    assert got == pytest.approx(want.reindex(grid).to_numpy(), abs=1.0), pv.treatment


def test_every_component_has_a_documented_treatment():
    days, month = template_year()
    for path in sorted(PLANS.glob("*.yaml")):
        plan = load_plan(path)
        pv = plan_year(plan, annual_quota=QUOTA, step_days=days, step_month=month, team_size=10)
        assert set(pv.treatment) == {c.name for c in plan.components}, path.name


def test_team_award_is_diluted_by_team_size():
    plan = load_plan(PLANS / "monthly_quarterly_team_breakthrough.yaml")
    days, month = template_year()
    small = plan_year(plan, annual_quota=QUOTA, step_days=days, step_month=month, team_size=2, team_pace=1.0)
    big = plan_year(plan, annual_quota=QUOTA, step_days=days, step_month=month, team_size=20, team_pace=1.0)
    # the same plan without the team award isolates the team part of g
    solo = plan_year(plan.model_copy(update={"components": plan.components[:2]}), annual_quota=QUOTA,
                     step_days=days, step_month=month)
    gain = lambda pv: np.diff(pv.year.period_reward - solo.year.period_reward).max()  # noqa: E731
    # one rep's credit moves a 20-person team's chance of its award much less than a 2-person one's
    assert gain(big) < gain(small) / 2


def test_complexity_weakens_every_component():
    plan = load_plan(PLANS / "monthly_quarterly_team_breakthrough.yaml")
    days, month = template_year()
    plain = plan_year(plan, annual_quota=QUOTA, step_days=days, step_month=month)
    complex_ = plan_year(plan, annual_quota=QUOTA, step_days=days, step_month=month, complexity=0.5)
    # three components: attention 1 / (1 + 0.5 x 2) = 0.5
    assert complex_.year.flow == pytest.approx(0.5 * plain.year.flow)
    assert complex_.year.period_reward == pytest.approx(0.5 * plain.year.period_reward)


# Caps whose effect depends on the year so far: a year cap on period-basis pay, a period cap under
# true-up, the plan's total-variable caps over components of different periods. The rep values
# them along an even path of the year; booking evenly, that is what the statements pay.
BASE = {"name": "capped", "currency": "USD", "pay": {"ote": 150000, "mix": "60/40"}}
TIERS = [{"from": 0, "to": 1.0, "multiple": 0.8}, {"from": 1.0, "multiple": 1.5}]
PATH_PLANS = {
    "quarterly commission, plan year cap": dict(
        period="quarter", true_up=False, caps={"year": 70000},
        components=[{"type": "commission", "name": "c", "tiers": [{"from": 0, "multiple": 1.0}]}]),
    "monthly commission with its own year cap, quarterly bonus": dict(
        period="month", true_up=False, components=[
            {"type": "commission", "name": "c", "tiers": [{"from": 0, "multiple": 0.8}], "cap": {"year": 50000}},
            {"type": "quota_bonus", "name": "b", "period": "quarter", "thresholds": [{"attainment": 1.0, "amount": 3000}]}]),
    "quarterly tiers, plan period and year caps": dict(
        period="quarter", true_up=False, caps={"period": 20000, "year": 70000},
        components=[{"type": "commission", "name": "c", "tiers": TIERS}]),
    "monthly true-up, plan period cap": dict(
        period="month", true_up=True, caps={"period": 6000}, components=[{"type": "commission", "name": "c", "tiers": TIERS}]),
    "quarterly true-up, component period cap": dict(
        period="quarter", true_up=True, components=[{"type": "commission", "name": "c", "tiers": TIERS, "cap": {"period": 18000}}]),
    "quarterly bonus and annual commission under one year cap": dict(
        period="quarter", true_up=False, caps={"year": 60000}, components=[
            {"type": "quota_bonus", "name": "b", "thresholds": [{"attainment": 1.0, "amount": 6000}]},
            {"type": "commission", "name": "c", "period": "year",
             "tiers": [{"from": 0, "to": 1.0, "multiple": 0.6}, {"from": 1.0, "multiple": 1.2}]}]),
    "true-up commission with a year cap, quarterly bonus, plan year cap": dict(
        period="month", true_up=True, caps={"year": 65000}, components=[
            {"type": "commission", "name": "c", "tiers": TIERS, "cap": {"year": 60000}},
            {"type": "quota_bonus", "name": "b", "period": "quarter", "true_up": False,
             "thresholds": [{"attainment": 1.0, "amount": 3000}]}]),
}


def even_path_pay(pv, attainment: float) -> float:
    """Variable pay of a year booked evenly, with period rewards that depend on the year so far
    (``g[k, p, y0]``): the ``k``-th period ends at ``p`` = a / n after ``y0`` = k a / n."""
    yr = pv.year
    n = 12 // pv.pacing_months if pv.pacing_months < 12 else 0  # 0: no period rewards
    g = 0.0
    for k in range(n):
        p, y0 = attainment / n, k * attainment / n
        ip, iy = np.abs(yr.p_grid - p).argmin(), np.abs(yr.y_grid - y0).argmin()
        assert yr.p_grid[ip] == pytest.approx(p) and yr.y_grid[iy] == pytest.approx(y0)  # on the grids
        g += yr.period_reward[ip] if yr.period_reward.ndim == 1 else yr.period_reward[k, ip, iy]
    return yr.flow * attainment + g + float(np.interp(attainment, yr.y_grid, yr.year_reward))


@pytest.mark.parametrize("name", PATH_PLANS)
def test_path_dependent_caps_are_valued_as_the_statements_pay(name):
    from salessim.comp.plan import CompPlan

    plan = CompPlan.model_validate({**BASE, **PATH_PLANS[name]})
    days, month = template_year()
    pv = plan_year(plan, annual_quota=QUOTA, step_days=days, step_month=month)
    monthly = pv.pacing_months == 1
    grid = np.array([0.0, 0.6, 1.2, 1.8]) if monthly else np.array([0.0, 0.4, 0.8, 1.0, 1.2, 1.6, 2.0])
    curve = pay_curve(plan, grid, annual_quota=QUOTA)
    want = curve[curve["item"] == "variable"].set_index("attainment")["amount"].reindex(grid).to_numpy()
    got = np.array([even_path_pay(pv, a) for a in grid])
    assert got == pytest.approx(want, abs=1.0), pv.treatment


def test_reps_coast_once_a_year_cap_on_quarterly_pay_binds():
    """Quarterly commission at the on-target rate with a 70,000 year cap (1.17x target): a rep
    who has already earned past the cap by Q4 works at the intrinsic effort; with no cap, the same
    rep keeps normal effort, and a rep well below the cap is unaffected by it."""
    from salessim.comp.plan import CompPlan
    from salessim.model.behaviour import Effort
    from salessim.model.plan_year import Preferences, best_effort, solve

    spec = PATH_PLANS["quarterly commission, plan year cap"]
    capped = CompPlan.model_validate({**BASE, **spec})
    free = CompPlan.model_validate({**BASE, **{k: v for k, v in spec.items() if k != "caps"}})
    days, month = template_year()
    prefs = Preferences(Effort().grid(), intrinsic=0.8, variable=60_000.0, deals_per_quota=40.0)
    rho = np.array([0.5, 1.0, 1.5, 2.0])
    q4 = int(np.flatnonzero(month == 9)[0])  # the first week of October (fiscal year = calendar year)

    def effort(plan, y0):
        tab = solve(plan_year(plan, annual_quota=QUOTA, step_days=days, step_month=month).year, prefs, rho)
        return float(best_effort(tab, q4, np.array([1.5]), np.array([0.0]), np.array([y0]), 7.0)[0])

    assert effort(capped, 1.25) == pytest.approx(0.8)  # 75,000 paid through Q3 on the even path: capped
    assert effort(free, 1.25) >= 1.0
    assert effort(capped, 0.3) == pytest.approx(effort(free, 0.3))  # 18,000 paid: the cap is far away


def test_an_annual_team_award_is_paid_once_a_year():
    """A year-long team award is a year-end reward: nothing at the pacing periods (there are none
    with a flat commission), and the most one rep's credit can move is the member's share of the
    pool (10,000), not that share at every step of the year."""
    from salessim.comp.plan import CompPlan

    plan = CompPlan.model_validate({**BASE, "period": "month", "true_up": False, "components": [
        {"type": "commission", "name": "c", "rate": 0.1},
        {"type": "team_bonus", "name": "team", "period": "year", "threshold": 1.0, "pool_per_member": 10000}]})
    days, month = template_year()
    pv = plan_year(plan, annual_quota=QUOTA, step_days=days, step_month=month, team_size=5, team_pace=1.0)
    yr = pv.year
    assert pv.pacing_months == 12 and not yr.period_reward.any()
    assert 0.0 < yr.year_reward[-1] - yr.year_reward[0] <= 10_000.0
    assert np.all(np.diff(yr.year_reward) >= 0)
