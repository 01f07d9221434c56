"""Shared fixtures: paths and small scenarios that run in a fraction of a second."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "data" / "scenarios"


@pytest.fixture(scope="session")
def midmarket_data() -> dict:
    return yaml.safe_load((SCENARIOS / "midmarket.yaml").read_text())


@pytest.fixture(scope="session")
def small_scenario():
    """Midmarket scaled down to 10 reps / 200 accounts / 6,000 leads a year."""
    import salessim

    return salessim.load_scenario(
        SCENARIOS / "midmarket.yaml",
        **{"org.reps": 10, "market.accounts": 200, "market.leads_per_year": 6000},
    )
