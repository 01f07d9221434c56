"""Shared fixtures: paths and small scenarios that run in a fraction of a second."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

# CI runs hypothesis deterministically (the same examples every run); locally it explores anew.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
# a notebook cell in fast mode takes seconds: past 10 minutes the kernel's reply was lost, and the
# report run starts once more instead of hanging the suite (salessim.ui.report.CELL_TIMEOUT_ENV)
os.environ.setdefault("SALESSIM_CELL_TIMEOUT", "600")

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "data" / "scenarios"


def scenario_data(name: str) -> dict:
    """A scenario file as a plain mapping, with its plan path made absolute."""
    data = yaml.safe_load((SCENARIOS / name).read_text())
    if isinstance(data.get("plan"), str):
        data["plan"] = str((SCENARIOS / data["plan"]).resolve())
    return data


@pytest.fixture
def midmarket_data() -> dict:
    return scenario_data("midmarket.yaml")


@pytest.fixture(scope="session")
def small_scenario():
    """Midmarket scaled down to 10 reps / 200 accounts / 6,000 leads a year."""
    import salessim

    return salessim.load_scenario(
        SCENARIOS / "midmarket.yaml",
        **{"org.reps": 10, "market.accounts": 200, "market.leads_per_year": 6000},
    )
