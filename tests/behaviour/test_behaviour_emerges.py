"""Seeded statistical tests: the behaviour the research reports emerges from the plan.

Each test compares two designs on the same market and reps (common random numbers: same seeds)
over several replications of a 30-rep org, and asserts on averages with margins measured to be
several standard errors wide (numbers in the comments were measured when the tests were written).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import salessim
from salessim.results.kpis import attainment_by_rep, hockey_stick_index

ROOT = Path(__file__).resolve().parents[2]
SEEDS = range(12)
SMALL = {"org.reps": 30, "market.accounts": 600, "market.leads_per_year": 15600, "quota.annual_target": 42_000_000}

# Equal cost at target: both pay the 60,000 target incentive at 100% of a 1.4M annual quota.
LINEAR = {"name": "linear", "period": "month", "true_up": False, "pay": {"ote": 150000, "mix": "60/40"},
          "components": [{"type": "commission", "name": "commission", "rate": 60000 / 1_400_000}]}
QUOTA_BONUS = {"name": "quarterly quota bonus", "period": "quarter", "true_up": False, "pay": {"ote": 150000, "mix": "60/40"},
               "components": [{"type": "quota_bonus", "name": "bonus", "mode": "cumulative",
                               "thresholds": [{"attainment": "100%", "target_share": "100%"}]}]}
# The same commission, paid quarterly, capped at the quarter's target incentive (15,000).
CAPPED = {**LINEAR, "name": "capped linear", "period": "quarter",
          "components": [{"type": "commission", "name": "commission", "rate": 60000 / 1_400_000, "cap": {"period": 15000}}]}


def runs(plan: dict, seeds=SEEDS, size: dict | None = None, **overrides) -> list[salessim.SimResult]:
    sc = salessim.load_scenario(ROOT / "data/scenarios/midmarket.yaml", **{**(SMALL if size is None else size), "plan": plan, **overrides})
    return [salessim.simulate(sc, seed=s) for s in seeds]


def mean_sem(values: list[float]) -> tuple[float, float]:
    v = np.asarray(values, float)
    return float(v.mean()), float(v.std(ddof=1) / np.sqrt(len(v)))


def hockey(results) -> list[float]:
    return [hockey_stick_index(r.deals, r.horizon_days) for r in results]


def paired(a: list[float], b: list[float]) -> tuple[float, float]:
    """Mean and standard error of the per-seed difference a - b (common random numbers)."""
    return mean_sem(list(np.asarray(a) - np.asarray(b)))


# An accelerating quarterly commission at equal target pay: 0.5x the base rate below quota, 2.5x above.
ACCELERATOR = {"name": "quarterly accelerator", "period": "quarter", "true_up": False, "pay": {"ote": 150000, "mix": "60/40"},
               "components": [{"type": "commission", "name": "commission", "tiers": [
                   {"from": 0, "to": 1.0, "multiple": 0.5}, {"from": 1.0, "multiple": 2.5}]}]}


@pytest.mark.slow
def test_accelerating_plan_makes_a_hockey_stick_and_timing_off_removes_it() -> None:
    """Reps above quota in an accelerated quarter pull next quarter's deals in (Larkin 2014).
    (A lump-sum quarterly bonus makes both pulls, by contenders, and pushes, by reps who have
    secured it: on this org they offset, so bunching is tested on the accelerator.)"""
    full = {"org.structure": "line"}  # the 100-rep midmarket org
    linear = hockey(runs(LINEAR, range(12), full))
    accel = hockey(runs(ACCELERATOR, range(12), full))
    no_gaming = hockey(runs(ACCELERATOR, range(12), full, **{"behaviour.timing.enabled": False}))
    # a larger share of each quarter's bookings closes in its last two weeks (measured on 40 reps,
    # 6 seeds: 17.5% vs 15.5%)
    diff, se = paired(accel, linear)
    assert diff > 0.01 and diff > 3 * se, (diff, se)
    # without timing games most of the stick is gone
    diff, se = paired(accel, no_gaming)
    assert diff > 0.005 and diff > 3 * se, (diff, se)


def _late_quarter_effort(results, ahead: bool) -> tuple[float, float]:
    """Mean effort in the last month of each quarter, of rep-quarters that had (not) reached
    their quarterly quota after its first two months."""
    out = []
    for r in results:
        led = r.ledger[r.ledger["status"] == "active"].copy()
        led["q"] = led["month"].dt.quarter
        led["m"] = (led["month"].dt.month - 1) % 3
        first2 = led[led["m"] < 2].groupby(["rep", "q"], observed=True).agg(b=("bookings", "sum"))
        quota = led.groupby(["rep", "q"], observed=True)["quota"].sum()
        reached = (first2["b"] >= quota.reindex(first2.index)).rename("reached")
        last = led[led["m"] == 2].set_index(["rep", "q"]).join(reached, how="inner")
        out.append(float(last.loc[last["reached"] == ahead, "effort"].mean()))
    return mean_sem(out)


@pytest.mark.slow
def test_reps_coast_once_the_cap_is_reached() -> None:
    uncapped, capped = runs(LINEAR), runs(CAPPED)
    e_uncapped, e_capped = _late_quarter_effort(uncapped, True), _late_quarter_effort(capped, True)
    assert e_capped[0] < e_uncapped[0] - 0.1, (e_capped, e_uncapped)
    assert e_capped[0] < 0.9  # near the intrinsic effort (0.8): coasting
    # the cap weighs most on those who reached it (reps behind also ease off a little: they might)
    behind_gap = _late_quarter_effort(uncapped, False)[0] - _late_quarter_effort(capped, False)[0]
    assert e_uncapped[0] - e_capped[0] > behind_gap
    # and the capped plan books less in the final month of quarters
    late = [r.ledger.loc[r.ledger["month"].dt.month % 3 == 0, "bookings"].sum() for r in capped]
    late_u = [r.ledger.loc[r.ledger["month"].dt.month % 3 == 0, "bookings"].sum() for r in uncapped]
    assert mean_sem(late)[0] < mean_sem(late_u)[0]


def effort(results) -> list[float]:
    return [float(r.ledger.loc[r.ledger["status"] != "vacant", "effort"].mean()) for r in results]


@pytest.mark.slow
def test_unreachable_quota_lowers_effort() -> None:
    reachable = mean_sem(effort(runs(QUOTA_BONUS)))
    unreachable = mean_sem(effort(runs(QUOTA_BONUS, **{"quota.annual_target": 3 * SMALL["quota.annual_target"]})))
    assert unreachable[0] < reachable[0] - 5 * np.hypot(reachable[1], unreachable[1]), (reachable, unreachable)
    assert unreachable[0] < 0.88  # most give up: close to the intrinsic effort (0.8)


@pytest.mark.slow
def test_pay_below_market_raises_attrition() -> None:
    def leavers(results):
        return [float(r.ledger["left"].sum()) for r in results]

    at_market = mean_sem(leavers(runs(LINEAR)))
    below = mean_sem(leavers(runs(LINEAR, **{"behaviour.market_pay.ote": 300_000})))  # plan pays half of market
    assert below[0] > at_market[0] + 3 * np.hypot(at_market[1], below[1]), (at_market, below)


def test_behaviour_off_means_plan_does_not_change_selling(midmarket_data) -> None:
    """With behaviour disabled, reps sell the same under any plan (the classic IC-tool view)."""
    kw = {**SMALL, "behaviour.enabled": False, "staffing.attrition.enabled": False}
    a = salessim.simulate(salessim.load_scenario(midmarket_data, **kw, plan=LINEAR), seed=1)
    b = salessim.simulate(salessim.load_scenario(midmarket_data, **kw, plan=QUOTA_BONUS), seed=1)
    assert a.ledger["bookings"].sum() == b.ledger["bookings"].sum()
    assert a.ledger["variable_pay"].sum() != b.ledger["variable_pay"].sum()


def test_attainment_by_rep_is_bookings_over_quota(midmarket_data) -> None:
    r = salessim.simulate(salessim.load_scenario(midmarket_data, **SMALL), seed=2)
    att = attainment_by_rep(r.ledger)
    rep = att.index[0]
    rows = r.ledger[r.ledger["rep"] == rep]
    assert att[rep] == pytest.approx(rows["bookings"].sum() / rows["quota"].sum())


TEAM_PLAN = str(ROOT / "data/plans/monthly_quarterly_team_breakthrough.yaml")


@pytest.mark.slow
def test_team_award_makes_reps_help_colleagues() -> None:
    """Under a plan with a team award, reps give spare hours to the region's waiting deals and the
    org sells more (paired, same seeds; measured on the 30-rep midmarket org with the
    monthly+quarterly+team plan, 10 seeds: +4.7M +- 0.7M on 54.4M, +8.6%, ~7 standard errors)."""
    seeds = range(10)
    helping = runs(TEAM_PLAN, seeds)
    alone = runs(TEAM_PLAN, seeds, **{"behaviour.team.enabled": False})
    booked_alone = [r.ledger["bookings"].sum() for r in alone]
    diff, se = paired([r.ledger["bookings"].sum() for r in helping], booked_alone)
    assert diff > 4 * se, (diff, se)
    assert 0.03 < diff / mean_sem(booked_alone)[0] < 0.15, diff  # rough size: +3% to +15%
    # the extra work is the colleagues' spare hours: more hours worked in every replication
    for h, a in zip(helping, alone, strict=True):
        assert h.ledger["hours_worked"].sum() > a.ledger["hours_worked"].sum()


def test_team_switch_changes_nothing_without_a_team_award() -> None:
    a = runs(LINEAR, range(1))[0]
    b = runs(LINEAR, range(1), **{"behaviour.team.enabled": False})[0]
    assert a.ledger["bookings"].sum() == b.ledger["bookings"].sum()
    # while under the team plan the same switch moves bookings (same seed)
    c = runs(TEAM_PLAN, range(1))[0]
    d = runs(TEAM_PLAN, range(1), **{"behaviour.team.enabled": False})[0]
    assert c.ledger["bookings"].sum() != d.ledger["bookings"].sum()
