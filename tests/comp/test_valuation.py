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
