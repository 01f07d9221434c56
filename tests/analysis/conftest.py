from __future__ import annotations

from pathlib import Path

import pytest

import salessim
from salessim.analysis import scale_scenario

MIDMARKET = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "midmarket.yaml"


@pytest.fixture(scope="session")
def small():
    """The mid-market scenario scaled to 20 reps (accounts and leads in proportion)."""
    return scale_scenario(salessim.load_scenario(MIDMARKET), 20)


@pytest.fixture(scope="session")
def small_result(small):
    return salessim.simulate(small, seed=7)
