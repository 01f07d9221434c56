"""Fixtures for the experiments layer: a small version of midmarket.yaml (~20 ms a run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from salessim import Scenario, load_scenario
from salessim.experiments import ProcessExecutor

MIDMARKET = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "midmarket.yaml"
SMALL = {
    "name": "small",
    "org.reps": 10,
    "market.accounts": 200,
    "market.leads_per_year": 6000,
    "calendar.horizon_months": 6,
    "calendar.warmup_months": 2,
}


@pytest.fixture(scope="session")
def small_with_plan() -> Scenario:
    """midmarket.yaml shrunk to 10 reps, 200 accounts, 6,000 leads a year, 6 measured months."""
    return load_scenario(MIDMARKET, **SMALL)


@pytest.fixture(scope="session")
def small(small_with_plan: Scenario) -> Scenario:
    """The small scenario without its comp plan (~50 ms a run instead of ~115 ms)."""
    return load_scenario(small_with_plan, plan=None)


@pytest.fixture(scope="session")
def small_yaml(tmp_path_factory: pytest.TempPathFactory, small: Scenario) -> Path:
    path = tmp_path_factory.mktemp("scenarios") / "small.yaml"
    path.write_text(small.to_yaml(), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def pool2():
    """One warm pool of 2 worker processes shared by the tests (spawning workers costs ~1 s)."""
    with ProcessExecutor(workers=2) as pool:
        yield pool
