"""Seeded paired tests of the people side: training, coaching, recognition, careers, morale and
hires taking over their territory's pipeline.

Each test runs two designs on the same market with the same seeds (common random numbers) and
asserts on the paired difference with a margin of several standard errors (the numbers in the
comments were measured when the tests were written).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import salessim
from salessim.analysis.staffing import ramp_curve

ROOT = Path(__file__).resolve().parents[2]
MIDMARKET = ROOT / "data/scenarios/midmarket.yaml"
SMALL = {"org.reps": 30, "market.accounts": 600, "market.leads_per_year": 15600, "quota.annual_target": 42_000_000}


def runs(seeds, size: dict | None = None, **overrides) -> list[salessim.SimResult]:
    sc = salessim.load_scenario(MIDMARKET, **{**(size or {}), **overrides})
    return [salessim.simulate(sc, seed=s) for s in seeds]


def kpi(results, name: str) -> np.ndarray:
    return np.array([r.kpis().set_index("kpi").loc[name, "value"] for r in results])


def paired(a, b) -> tuple[float, float]:
    """Mean and standard error of the per-seed difference a - b."""
    d = np.asarray(a, float) - np.asarray(b, float)
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))


def leavers(results) -> np.ndarray:
    return np.array([float(r.ledger["left"].sum()) for r in results])


@pytest.mark.slow
def test_training_raises_skill_and_costs_selling_time() -> None:
    seeds = range(6)
    event = {"kind": "training", "at": 4, "skill_gain": 0.1, "days": 3, "ramp_months": 1, "cost_per_rep": 2000}
    base = runs(seeds, SMALL)
    trained = runs(seeds, SMALL, events=[event])
    apr = pd.Period("2026-04", "M")
    for b, t in zip(base, trained, strict=True):
        cap = [r.ledger.loc[r.ledger["month"] == apr, "hours_capacity"].sum() for r in (b, t)]
        assert cap[1] < cap[0]  # three days away from selling in the training month
        assert t.kpis().set_index("kpi").loc["training cost", "value"] > b.kpis().set_index("kpi").loc["training cost", "value"]
    # reps trained in April sell more from May on
    later = [sum(r.ledger.loc[r.ledger["month"] > apr, "bookings"].sum() for r in rs) for rs in (base, trained)]
    assert later[1] > later[0]


@pytest.mark.slow
def test_wider_span_of_control_means_less_coaching_and_lower_skill() -> None:
    seeds = range(6)
    # 25 reps a region: 7 managers each (span 3.6) or one (span 25)
    narrow = runs(seeds, **{"org.design.management.span": 4})
    wide = runs(seeds, **{"org.design.management.span": 25})
    skill = [np.mean([r.reps["skill"].mean() for r in rs]) for rs in (narrow, wide)]
    assert skill[0] > skill[1] * 1.03  # coaching factors 1.0856 / 1.0242 of the reference
    diff, se = paired(kpi(narrow, "revenue"), kpi(wide, "revenue"))
    assert diff > 0 and diff > 2 * se, (diff, se)


def _top_effort(results, per_region: int = 2) -> list[pd.DataFrame]:
    """Each run's rep-months (rep, month, effort) of the month's top bookers per region."""
    out = []
    for r in results:
        led = r.ledger[r.ledger["status"] == "active"]
        led = led.merge(r.reps[["rep", "region"]], on="rep")
        led["rank"] = led.groupby(["month", "region"], observed=True)["bookings"].rank(ascending=False, method="first")
        out.append(led.loc[led["rank"] <= per_region, ["rep", "month", "effort"]])
    return out


@pytest.mark.slow
def test_a_champion_award_raises_the_effort_of_contenders() -> None:
    seeds = range(8)
    award = runs(seeds)
    none = runs(seeds, **{"behaviour.motivation.recognition.enabled": False})
    # the same rep-months (the award run's top bookers) in both runs: effort with and without the award
    diffs = []
    for top, b in zip(_top_effort(award), none, strict=True):
        same = top.merge(b.ledger[["rep", "month", "effort"]], on=["rep", "month"], suffixes=("", "_none"))
        diffs.append(float((same["effort"] - same["effort_none"]).mean()))
    mean, se = float(np.mean(diffs)), float(np.std(diffs, ddof=1) / np.sqrt(len(diffs)))
    assert mean > 0.01 and mean > 3 * se, (mean, se)


@pytest.mark.slow
def test_career_paths_lower_quitting() -> None:
    # strong career terms, so that the direction shows in 10 seeds (at the defaults attrition falls
    # by ~2 points, within the noise of 10 seeds: docs/behaviour.md)
    strong = {"behaviour.motivation.career.prospect_quit_factor": 0.5, "behaviour.motivation.career.promoted_quit_factor": 0.3,
              "behaviour.motivation.career.performance_bar": 0.8}
    seeds = range(10)
    with_paths = runs(seeds, **strong)
    without = runs(seeds, **strong, **{"behaviour.motivation.career.enabled": False})
    diff, se = paired(leavers(without), leavers(with_paths))
    assert diff > 0 and diff > 2 * se, (diff, se)


@pytest.mark.slow
def test_targets_out_of_proportion_lower_morale_and_raise_quitting() -> None:
    seeds = range(10)
    high = {"quota.annual_target": 210_000_000}  # 1.5x what midmarket's territories support
    morale = runs(seeds, **high)
    no_morale = runs(seeds, **high, **{"behaviour.motivation.morale.enabled": False})
    diff, se = paired(leavers(morale), leavers(no_morale))
    assert diff > 0 and diff > 2 * se, (diff, se)
    # at midmarket's own targets (in proportion) morale costs (almost) nobody
    fair = runs(range(4))
    fair_off = runs(range(4), **{"behaviour.motivation.morale.enabled": False})
    assert abs(paired(leavers(fair), leavers(fair_off))[0]) < diff


@pytest.mark.slow
def test_hires_inherit_the_territory_pipeline_and_ramp_faster() -> None:
    seeds = range(8)
    inherit = [ramp_curve(r) for r in runs(seeds)]
    empty = [ramp_curve(r) for r in runs(seeds, **{"staffing.hiring.inherit_share": 0.0})]

    def first_months(curves) -> np.ndarray:  # hires' share of a tenured rep's bookings, months 1-3, per seed
        return np.array([c.loc[c["k"] <= 3, "bookings"].sum() / c.loc[c["k"] <= 3, "expected"].sum() for c in curves])

    diff, se = paired(first_months(inherit), first_months(empty))
    assert diff > 0.05 and diff > 3 * se, (diff, se)
