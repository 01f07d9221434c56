"""The plans of the published-effects tests: pairs at equal target pay (OTE 150,000, 60:40 mix, so
every plan pays 60,000 of variable at 100% of quota), on the midmarket market scaled to 40 reps."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import salessim
from salessim.analysis import scale_scenario

SCENARIO = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "midmarket.yaml"
PAY = {"ote": 150000, "mix": "60/40"}


def plan(name: str, period: str, components: list[dict], true_up: bool = False, **extra) -> dict:
    return {"name": name, "period": period, "true_up": true_up, "pay": PAY, "components": components, **extra}


LINEAR = plan("linear", "month", [{"type": "commission", "name": "commission", "tiers": [{"from": 0, "multiple": 1.0}]}])
ANNUAL_BONUS = plan("annual bonus", "year", [
    {"type": "quota_bonus", "name": "annual bonus", "thresholds": [{"attainment": 1.0, "target_share": 1.0}]}])
ANNUAL_PLUS_QUARTERLY = plan("annual + quarterly", "year", [
    {"type": "quota_bonus", "name": "annual bonus", "thresholds": [{"attainment": 1.0, "target_share": 0.5}]},
    {"type": "quota_bonus", "name": "quarterly bonus", "period": "quarter",
     "thresholds": [{"attainment": 1.0, "target_share": 0.5}]}])
CONVEX = plan("convex quarterly", "quarter", [{"type": "commission", "name": "accelerating commission", "tiers": [
    {"from": 0, "to": 1.0, "multiple": 0.5}, {"from": 1.0, "multiple": 2.5}]}])
CAPPED = plan("capped", "quarter", [{"type": "commission", "name": "commission", "tiers": [
    {"from": 0, "to": 1.2, "multiple": 1.0}, {"from": 1.2, "multiple": 0.0}]}])
UNCAPPED = plan("uncapped", "quarter", [{"type": "commission", "name": "commission", "tiers": [{"from": 0, "multiple": 1.0}]}])
QUARTERLY_BONUS = plan("quarterly bonus", "quarter", [
    {"type": "quota_bonus", "name": "quarterly bonus", "thresholds": [{"attainment": 1.0, "target_share": 1.0}]}])


def scenario(plan_data: dict, reps: int = 40, **overrides) -> salessim.Scenario:
    """Midmarket scaled to ``reps`` reps (same book and quota per rep) under ``plan_data``."""
    small = scale_scenario(SCENARIO, reps)
    return salessim.load_scenario(small, **{"plan": plan_data, **overrides})


def quarter_shares(result) -> np.ndarray:
    """Share of the measured year's won amount closed in each calendar quarter."""
    d = result.deals
    won = d[(d["outcome"] == "won") & d["close_day"].between(0, result.horizon_days, inclusive="left")]
    by_q = won.groupby(won["close_date"].dt.quarter)["amount"].sum().reindex([1, 2, 3, 4], fill_value=0.0)
    return (by_q / by_q.sum()).to_numpy()


def compare(designs: dict[str, salessim.Scenario], replications: int, measures=None):
    return salessim.experiments.runner.replicate(designs, replications=replications, measures=measures or {},
                                                 executor="serial", keep_results=True)
