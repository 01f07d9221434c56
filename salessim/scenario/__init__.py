"""The input language: the scenario and events schema, and loading (``base:``, overrides)."""

from salessim.model.calendar import Calendar
from salessim.scenario.loading import load_scenario
from salessim.scenario.schema import Scenario

__all__ = ["Calendar", "Scenario", "load_scenario"]
