"""Scenarios: validated, immutable descriptions of a sales organisation and its market.

A scenario is loaded from YAML (``yaml.safe_load``, nothing is evaluated) or from a mapping,
validated by pydantic and frozen. Everything a simulation depends on is in the scenario plus a
seed. Units: days for durations, hours for rep time, the scenario's currency for money,
fractions (0-1) for probabilities and shares.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import (
    Field,
    model_validator,
)

from salessim.comp.plan import PlanField
from salessim.inputs import Frozen
from salessim.model import behaviour as _behaviour
from salessim.model import customers as _customers
from salessim.model import quota as _quota
from salessim.model import territory as _territory
from salessim.model.calendar import Calendar
from salessim.model.funnel import Funnel
from salessim.model.market import Market
from salessim.model.org import Org, structure_of
from salessim.model.pricing import DiscountPolicy
from salessim.model.staffing import Staffing
from salessim.scenario import events as _events

TerritoryDesign = _territory.TerritoryDesign
QuotaPlan = _quota.QuotaPlan


class Scenario(Frozen):
    """Everything a simulation run depends on, apart from the seed."""

    name: str = "scenario"
    description: str = ""
    currency: str = "USD"
    seed: int = Field(0, ge=0)
    calendar: Calendar = Calendar()
    market: Market
    funnel: Funnel
    org: Org
    territories: TerritoryDesign = TerritoryDesign()
    quota: QuotaPlan = QuotaPlan()
    plan: PlanField | None = Field(None, description="the comp plan: a YAML path (relative to the scenario) or inline")
    behaviour: _behaviour.Settings = _behaviour.Settings()
    pricing: DiscountPolicy = Field(DiscountPolicy(), description="the discount policy: max discount, approval threshold")
    customers: _customers.CustomerLifecycle = _customers.CustomerLifecycle()
    staffing: Staffing = Staffing()
    events: list[_events.Event] = Field(
        default_factory=list, description="time-stamped risks, changes and interventions (docs/events.md)"
    )

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        segments = [s.name for s in self.market.segments]
        self.customers.check_segments(segments)
        self._check_org(segments)
        if self.org.reps > self.market.accounts:
            raise ValueError(
                f"org.reps ({self.org.reps}) exceeds market.accounts ({self.market.accounts}): "
                "every rep needs at least one account"
            )
        _events.check_events(self)
        self._check_shared()
        return self

    def _check_shared(self) -> None:
        unknown = [r for r in self.territories.shared.regions or [] if r not in self.market.regions]
        if unknown:
            raise ValueError(f"territories.shared names unknown region(s) {unknown}: use some of {self.market.regions}")

    def _check_org(self, segments: list[str]) -> None:
        products = [p.name for p in self.market.products]
        structure_of(self.org).check(segments, products, len(self.funnel.stages))

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain YAML-able data."""
        return self.model_dump(mode="json")

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)


