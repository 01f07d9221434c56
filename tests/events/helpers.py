"""A small org (20 reps, 400 accounts) on the midmarket funnel and plan: one run ~0.2 s."""

from __future__ import annotations

from functools import cache

import yaml

from salessim import load_scenario
from salessim.scenario import Scenario
from tests.conftest import SCENARIOS


@cache
def small_data() -> dict:
    data = yaml.safe_load((SCENARIOS / "midmarket.yaml").read_text())
    data["plan"] = str((SCENARIOS / data["plan"]).resolve())
    data["org"]["reps"] = 20
    data["market"]["accounts"] = 400
    data["market"]["leads_per_year"] = 10400
    data["quota"]["annual_target"] = 28_000_000
    return data


def small(*events: dict, **overrides) -> Scenario:
    """The small org with ``events``."""
    return load_scenario({**small_data(), "events": list(events)}, **overrides)


def month_rows(ledger, first: int, last: int):
    """Ledger rows of measured months ``first``..``last`` (1-based), sorted, index reset."""
    months = sorted(ledger["month"].unique())[first - 1 : last]
    return ledger[ledger["month"].isin(months)].reset_index(drop=True)
