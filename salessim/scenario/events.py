"""Scenario events: time-stamped market, customer and team risks, plan and org changes, and
management interventions with a cost.

A scenario lists any number of events under ``events:``; each has a ``kind`` and a date ``at``:
a calendar date inside the measured horizon (``2026-07-01``) or a measured month number
(``7`` = the first day of the seventh measured month). Effects start with the first work step
that begins on or after that day (steps are at most 7 days, and cut at month starts); an event
on a month start applies after the previous month's close (pay, attrition) and before the new
month's first step. Factors multiply what the scenario configures (1 = unchanged) and combine
multiplicatively across events. Interventions ramp linearly in monthly steps over
``ramp_months`` (1/ramp of the effect in the first month, full after ``ramp_months``).

Money in the scenario currency; durations in months unless named ``_days``. The engine process
that applies them is :func:`salessim.engine.events.run_events`; see docs/events.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from salessim.comp.plan import PlanField
from salessim.inputs import Frozen, Money, Probability

Factor = Annotated[float, Field(ge=0.0, description="multiplier, 1 = unchanged")]
PositiveFactor = Annotated[float, Field(gt=0.0, description="multiplier, 1 = unchanged")]
Fraction = Probability
Months = Annotated[int, Field(ge=0, le=120)]
#: A date inside the measured horizon, or a measured month number (1 = the first month).
When = Annotated[int, Field(ge=1)] | dt.date


class _Event(Frozen):
    name: str = Field("", description="label in results (default: kind and date)")
    at: When

    @property
    def label(self) -> str:
        return self.name or f"{self.kind} @ {self.at if isinstance(self.at, dt.date) else f'month {self.at}'}"

    def dates(self) -> dict[str, When]:
        """The event's dates by field name (all must lie in the horizon)."""
        return {k: getattr(self, k) for k in ("at", "until") if getattr(self, k, None) is not None}

    def check(self, ctx: Context) -> None:
        """Raise ``ValueError("field: reason")`` for references the scenario does not have."""
        for field_name, when in self.dates().items():
            ctx.day(when, field_name)
        if "until" in self.dates() and ctx.day(self.until) <= ctx.day(self.at):
            raise ValueError(f"until: must be after at ({self.at})")
        for region in getattr(self, "regions", None) or ():
            ctx.region(region, "regions")


# --------------------------------------------------------------------------- market risks


class DemandShock(_Event):
    """Inbound lead rate x ``factor`` from ``at``; from ``until`` it recovers linearly over
    ``recovery_months`` (0 = at once). Without ``until`` the shock lasts to the horizon."""

    kind: Literal["demand_shock"] = "demand_shock"
    factor: Factor
    regions: list[str] = Field(default_factory=list, description="empty = every region")
    until: When | None = None
    recovery_months: Months = 0


class PricePressure(_Event):
    """New deals' amounts x ``size_factor`` (list prices fall) and open deals discounted by
    ``discount`` (recorded as discounts), until ``until`` (default: the horizon)."""

    kind: Literal["price_pressure"] = "price_pressure"
    size_factor: PositiveFactor = 1.0
    discount: Fraction = 0.0
    until: When | None = None


class Competitor(_Event):
    """A competitor enters ``region``: win probability of its accounts' deals x ``win_factor``,
    reached over ``ramp_months``; a second ``lead_factor`` for the leads it takes away."""

    kind: Literal["competitor"] = "competitor"
    region: str
    win_factor: Factor = 0.85
    lead_factor: Factor = 1.0
    ramp_months: Months = 0
    until: When | None = None

    def check(self, ctx: Context) -> None:
        super().check(ctx)
        ctx.region(self.region, "region")


class SeasonalityChange(_Event):
    """A new monthly lead pattern (Jan..Dec, normalised to mean 1: same volume) from ``at``."""

    kind: Literal["seasonality_change"] = "seasonality_change"
    seasonality: list[PositiveFactor] = Field(min_length=12, max_length=12)


# --------------------------------------------------------------------------- customer risks


class ChurnSpike(_Event):
    """Customers of ``segment`` (all if empty) churn ``factor`` times as fast (monthly survival
    raised to ``factor``) from ``at`` for ``months``."""

    kind: Literal["churn_spike"] = "churn_spike"
    factor: Factor
    months: Annotated[int, Field(ge=1, le=120)] = 3
    segment: str | None = None

    def check(self, ctx: Context) -> None:
        super().check(ctx)
        if self.segment is not None:
            ctx.segment(self.segment, "segment")


class KeyAccountLoss(_Event):
    """A key account walks away: its open deals are lost, it sends no more leads, and its
    contracts churn at the first month end from ``at``. ``account`` is an account number;
    without it, the ``rank``-th largest account (by potential) of ``segment`` (default: the
    first segment, usually A)."""

    kind: Literal["key_account_loss"] = "key_account_loss"
    account: Annotated[int, Field(ge=0)] | None = None
    rank: Annotated[int, Field(ge=1)] = 1
    segment: str | None = None

    def check(self, ctx: Context) -> None:
        super().check(ctx)
        if self.account is not None and self.account >= ctx.scenario.market.accounts:
            raise ValueError(f"account: no account {self.account} (the market has {ctx.scenario.market.accounts})")
        if self.segment is not None:
            ctx.segment(self.segment, "segment")


# --------------------------------------------------------------------------- team risks


class RepsLeave(_Event):
    """Named reps (``reps: [R007]``) or the ``top`` k reps by bookings so far leave at ``at``
    (bookings in the measured horizon up to the event day, warm-up months excluded; ties by skill).
    ``pipeline_loss`` of their open deals dies (default: ``staffing.hiring.pipeline_loss``);
    the rest and their accounts go to colleagues of the region; each vacancy starts a search."""

    kind: Literal["reps_leave"] = "reps_leave"
    reps: list[str] = Field(default_factory=list)
    top: Annotated[int, Field(ge=0)] = 0
    pipeline_loss: Fraction | None = None

    def check(self, ctx: Context) -> None:
        super().check(ctx)
        if bool(self.reps) == bool(self.top):
            raise ValueError("reps: give either reps (ids like R007) or top (a number of reps), not both")
        for i, rep in enumerate(self.reps):
            ctx.rep(rep, f"reps.{i}")
        if self.top > ctx.scenario.org.reps:
            raise ValueError(f"top: {self.top} exceeds org.reps ({ctx.scenario.org.reps})")


class HiringFreeze(_Event):
    """Vacancies found after ``at`` wait until ``until`` (default: the horizon) to be filled."""

    kind: Literal["hiring_freeze"] = "hiring_freeze"
    until: When | None = None


class ManagerLeaves(_Event):
    """The manager of ``region`` leaves: without coaching, the region's reps in post lose
    ``skill_penalty`` of their skill (win multiplier) until a new manager arrives after
    ``vacancy_months``. Assumption (no published figure): 5%."""

    kind: Literal["manager_leaves"] = "manager_leaves"
    region: str
    skill_penalty: Fraction = 0.05
    vacancy_months: Annotated[int, Field(ge=1, le=120)] = 4

    def check(self, ctx: Context) -> None:
        super().check(ctx)
        ctx.region(self.region, "region")


# --------------------------------------------------------------------------- plan and org changes


class PlanChange(_Event):
    """Switch the comp plan at the first month start on or after ``at``. The old plan's open
    period closes (pro-rated: its quota covers the months before the switch); the new plan
    starts with an empty year-to-date. Statements use the plan in force in each month."""

    kind: Literal["plan_change"] = "plan_change"
    plan: PlanField

    def check(self, ctx: Context) -> None:
        super().check(ctx)
        if isinstance(self.at, dt.date) and self.at.day != 1:
            raise ValueError(f"at: a plan change takes effect at a month start: use the first day of a month "
                             f"or a month number, got {self.at}")
        if ctx.scenario.plan is None:
            raise ValueError("plan: the scenario has no plan to switch from; set plan:")


class QuotaChange(_Event):
    """Quotas x ``factor`` from ``at`` (quota relief < 1, stretch > 1), for ``regions`` (all if
    empty). The month containing ``at`` is pro-rated by days."""

    kind: Literal["quota_change"] = "quota_change"
    factor: Factor
    regions: list[str] = Field(default_factory=list)


class Reterritory(_Event):
    """Re-align territories within each region. ``min_disruption`` (default) asks
    :func:`salessim.model.territory.design_territories` for the fewest moves that bring every rep within
    ``tolerance`` of a fair share of ``balance_on`` (potential or workload; a MILP capped at
    ``time_limit`` seconds); ``greedy`` moves the smallest accounts of over-loaded reps to the
    least-loaded rep (instant, more moves). ``pipeline_loss`` of the open deals on moved
    accounts is lost in the hand-over; the rest go to the new owner."""

    kind: Literal["reterritory"] = "reterritory"
    strategy: Literal["min_disruption", "greedy"] = "min_disruption"
    balance_on: Literal["potential", "workload"] = "potential"
    tolerance: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.10
    pipeline_loss: Fraction = 0.10
    time_limit: Annotated[float, Field(gt=0.0, le=600.0)] = 10.0


# --------------------------------------------------------------------------- interventions


class _Intervention(_Event):
    cost: Money = Field(0.0, description="one-off cost at the start (currency)")
    monthly_cost: Money = Field(0.0, description="cost every month from the start (currency)")
    ramp_months: Months = 3


class Training(_Intervention):
    """A training programme for the reps in post at ``at`` (in ``regions``): ``days`` away from
    selling, skill (win multiplier) x (1 + ``skill_gain``), ramping over ``ramp_months``
    (:mod:`salessim.model.training`). Reps hired later are not trained; the gain leaves with a
    rep who quits."""

    kind: Literal["training"] = "training"
    skill_gain: Annotated[float, Field(ge=0.0, le=2.0)] = 0.10
    days: Annotated[float, Field(ge=0.0, le=30.0)] = Field(2.0, description="working days away from selling per rep")
    cost_per_rep: Money = 0.0
    regions: list[str] = Field(default_factory=list)


class ProcessStandardisation(_Intervention):
    """A standard sales process: stage durations x ``duration_factor`` (deals entering a stage
    from then on; fewer rep hours per deal) and win probability x ``win_factor``."""

    kind: Literal["process_standardisation"] = "process_standardisation"
    duration_factor: PositiveFactor = 0.85
    win_factor: PositiveFactor = 1.05


class CrmAdoption(_Intervention):
    """A CRM: the weekly loss of deals nobody had time for x ``slip_factor`` (less leakage)."""

    kind: Literal["crm_adoption"] = "crm_adoption"
    slip_factor: Factor = 0.7
    cost_per_rep_month: Money = 0.0


class AddSdrs(_Intervention):
    """Sales development reps: ``sdrs`` x ``leads_per_sdr_month`` extra qualified inbound leads
    (in ``regions``), each SDR costing ``cost_per_sdr_month``."""

    kind: Literal["add_sdrs"] = "add_sdrs"
    sdrs: Annotated[int, Field(ge=1, le=10_000)]
    leads_per_sdr_month: Annotated[float, Field(ge=0.0)] = 40.0
    cost_per_sdr_month: Money = 0.0
    regions: list[str] = Field(default_factory=list)


class AddPartners(_Intervention):
    """Channel partners bring ``lead_uplift`` more leads (fraction, in ``regions``) for a fixed
    ``monthly_cost``; partner margin sharing is not modelled (put it in ``monthly_cost``)."""

    kind: Literal["add_partners"] = "add_partners"
    lead_uplift: Annotated[float, Field(ge=0.0)] = 0.10
    regions: list[str] = Field(default_factory=list)


Event = Annotated[
    DemandShock | PricePressure | Competitor | SeasonalityChange | ChurnSpike | KeyAccountLoss
    | RepsLeave | HiringFreeze | ManagerLeaves | PlanChange | QuotaChange | Reterritory
    | Training | ProcessStandardisation | CrmAdoption | AddSdrs | AddPartners,
    Field(discriminator="kind"),
]
KINDS = frozenset(m.model_fields["kind"].default for m in _Event.__subclasses__() + _Intervention.__subclasses__()
                  if "kind" in m.model_fields)
INTERVENTIONS = (Training, ProcessStandardisation, CrmAdoption, AddSdrs, AddPartners)


# --------------------------------------------------------------------------- validation context


class Context:
    """What an event may refer to in its scenario: dates, regions, segments, reps."""

    def __init__(self, scenario: Any):
        self.scenario = scenario
        cal = scenario.calendar
        self.start = pd.Timestamp(cal.start_date)
        self.end = self.start + pd.DateOffset(months=cal.horizon_months)

    def day(self, when: When, field: str = "at") -> int:
        """Days from the scenario start (``start_date`` = 0) of a date or month number."""
        months = self.scenario.calendar.horizon_months
        if isinstance(when, dt.date):
            ts = pd.Timestamp(when)
            if not self.start <= ts < self.end:
                raise ValueError(f"{field}: {when} is outside the horizon ({self.start.date()} to "
                                 f"{(self.end - pd.Timedelta(days=1)).date()})")
            return int((ts - self.start).days)
        if when > months:
            raise ValueError(f"{field}: month {when} is outside the horizon (1 to {months})")
        return int(((self.start + pd.DateOffset(months=when - 1)) - self.start).days)

    def region(self, name: str, field: str) -> None:
        if name not in self.scenario.market.regions:
            raise ValueError(f"{field}: unknown region {name!r}; the scenario's regions are "
                             f"{', '.join(self.scenario.market.regions)}")

    def segment(self, name: str, field: str) -> None:
        names = [s.name for s in self.scenario.market.segments]
        if name not in names:
            raise ValueError(f"{field}: unknown segment {name!r}; the scenario's segments are {', '.join(names)}")

    def rep(self, rep_id: str, field: str) -> int:
        n = self.scenario.org.reps
        ok = len(rep_id) >= 2 and rep_id[0] == "R" and rep_id[1:].isdigit() and 1 <= int(rep_id[1:]) <= n
        if not ok:
            raise ValueError(f"{field}: unknown rep {rep_id!r}; reps are R001 to R{n:03d}")
        return int(rep_id[1:]) - 1


def check_events(scenario: Any) -> None:
    """Validate every event against its scenario; raises ``ValueError("events.i.field: reason")``."""
    ctx = Context(scenario)
    for i, ev in enumerate(scenario.events):
        try:
            ev.check(ctx)
        except ValueError as e:
            raise ValueError(f"events.{i}.{e}") from None


def rep_index(rep_id: str) -> int:
    """``'R007'`` -> 6."""
    return int(rep_id[1:]) - 1


def months_between(a: int, b: int, month_starts: np.ndarray) -> list[int]:
    """Month-start days (clock days) strictly after ``a`` and before ``b``."""
    return [int(d) for d in month_starts if a < d < b]
