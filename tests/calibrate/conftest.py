"""Fixtures: the sample exports of data/crm and their known parameters (truth.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CRM = ROOT / "data" / "crm"


@pytest.fixture(scope="session")
def truth() -> dict:
    return yaml.safe_load((CRM / "truth.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def stages() -> list[str]:
    from salessim.calibrate.scenario import default_base

    return default_base().funnel.stage_names
