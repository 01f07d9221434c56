"""Fixtures for territory and quota tests: the midmarket accounts and a quarter-size market."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from salessim.model.market import make_accounts
from salessim.model.territory import scenario_workload
from salessim.scenario import load_scenario

MIDMARKET = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "midmarket.yaml"


def market(reps: int, accounts: int, seed: int = 1):
    """Accounts (with ``workload_hours``), the rep regions (spread in turn) and the scenario."""
    sc = load_scenario(MIDMARKET, **{"org.reps": reps, "market.accounts": accounts,
                                     "market.leads_per_year": 30 * accounts})
    acc = make_accounts(sc.market, np.random.default_rng(seed))
    acc["workload_hours"] = scenario_workload(acc, sc)
    regions = [sc.market.regions[i % len(sc.market.regions)] for i in range(reps)]
    return acc, regions, sc


@pytest.fixture(scope="session")
def small_market():
    """500 accounts, 24 reps in 4 regions (midmarket's ratio of ~20 accounts a rep)."""
    return market(24, 500)


@pytest.fixture(scope="session")
def midmarket():
    """The midmarket example: 2,000 accounts, 100 reps in 4 regions."""
    return market(100, 2000)
