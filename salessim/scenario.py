"""Scenarios: validated, immutable descriptions of a sales organisation and its market.

A scenario is loaded from YAML (``yaml.safe_load``, nothing is evaluated) or from a mapping,
validated by pydantic and frozen. Everything a simulation depends on is in the scenario plus a
seed. Units: days for durations, hours for rep time, the scenario's currency for money,
fractions (0-1) for probabilities and shares.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from salessim import behaviour as _behaviour
from salessim import customers as _customers
from salessim import events as _events
from salessim import org as _org
from salessim import quota as _quota
from salessim import staffing as _staffing
from salessim import territory as _territory
from salessim.comp.plan import PlanField
from salessim.distributions import Duration
from salessim.errors import ScenarioError
from salessim.yamlfile import read_mapping

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Share = Annotated[float, Field(gt=0.0, le=1.0)]
PositiveFloat = Annotated[float, Field(gt=0.0)]
NonNegativeFloat = Annotated[float, Field(ge=0.0)]

#: Canonical B2B stage order; a funnel listing two of these must keep this relative order.
CANONICAL_STAGE_ORDER = {
    "lead": 0,
    "prospecting": 1,
    "qualification": 2,
    "needs analysis": 2,
    "discovery": 2,
    "demo": 3,
    "solution design": 3,
    "proposal": 4,
    "quote": 4,
    "proposal/quote": 4,
    "negotiation": 5,
    "contracting": 5,
}
OUTCOME_NAMES = {"closed won", "closed lost", "won", "lost", "closed"}


def _norm(name: str) -> str:
    return " ".join(name.replace("_", " ").lower().split())


class Frozen(BaseModel):
    """Base for scenario parts: immutable, unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Calendar(Frozen):
    """Simulated time. Day 0 of the results is ``start_date``; warm-up runs before it."""

    start_date: dt.date = dt.date(2026, 1, 1)
    horizon_months: int = Field(12, ge=1, le=120, description="measured months")
    warmup_months: int = Field(3, ge=0, le=36, description="unmeasured months that fill the pipeline")
    fiscal_year_start_month: int = Field(1, ge=1, le=12)

    @model_validator(mode="after")
    def _first_of_month(self) -> Calendar:
        if self.start_date.day != 1:
            raise ValueError(f"start_date must be the first day of a month, got {self.start_date}")
        return self


class DealSize(Frozen):
    """Deal amount (currency): lognormal with the given median and log-sd."""

    median: PositiveFloat
    sigma: Annotated[float, Field(ge=0.0, le=3.0)] = 0.8


class Segment(Frozen):
    """An account class (A/B/C). Multipliers act on the overall win probability and stage durations."""

    name: str = Field(min_length=1)
    share_of_accounts: Share
    potential_weight: PositiveFloat = Field(description="relative lead flow per account")
    deal_size: DealSize
    win_multiplier: PositiveFloat = 1.0
    duration_multiplier: PositiveFloat = 1.0
    hours_multiplier: PositiveFloat = 1.0


class Product(Frozen):
    """A product line: its share of leads and its effect on deal size and win probability."""

    name: str = Field(min_length=1)
    share: Share
    size_multiplier: PositiveFloat = 1.0
    win_multiplier: PositiveFloat = 1.0


def _check_shares(items: list, attr: str, where: str) -> None:
    names = [i.name for i in items]
    if len(set(names)) != len(names):
        raise ValueError(f"{where} names must be unique, got {names}")
    total = sum(getattr(i, attr) for i in items)
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"{where} {attr} must sum to 1, got {total:.4g}")


class Market(Frozen):
    """Accounts and the leads they generate (inbound and marketing leads; Poisson arrivals)."""

    accounts: int = Field(ge=1)
    regions: list[str] = Field(min_length=1)
    segments: list[Segment] = Field(min_length=1)
    products: list[Product] = Field(min_length=1)
    leads_per_year: PositiveFloat
    seasonality: list[PositiveFloat] = Field(
        default_factory=lambda: [1.0] * 12,
        min_length=12,
        max_length=12,
        description="relative lead rate for Jan..Dec; normalised to mean 1",
    )

    @model_validator(mode="after")
    def _check(self) -> Market:
        _check_shares(self.segments, "share_of_accounts", "market.segments")
        _check_shares(self.products, "share", "market.products")
        if len(set(self.regions)) != len(self.regions):
            raise ValueError(f"market.regions must be unique, got {self.regions}")
        return self

    @property
    def monthly_factors(self) -> list[float]:
        mean = sum(self.seasonality) / 12.0
        return [s / mean for s in self.seasonality]


class Stage(Frozen):
    """One working stage of the funnel."""

    name: str = Field(min_length=1)
    conversion: Probability = Field(description="probability a deal leaving the stage moves on")
    duration: Duration
    rep_hours: NonNegativeFloat = Field(description="rep hours of work the stage needs in total")


class Funnel(Frozen):
    """Ordered working stages; a deal that passes the last one is won, one that fails any is lost."""

    stages: list[Stage] = Field(min_length=1, max_length=20)
    slip_loss_per_week: Probability = Field(
        0.10, description="chance a deal the rep had no time for is lost, per week unworked"
    )

    @model_validator(mode="after")
    def _check(self) -> Funnel:
        names = [_norm(s.name) for s in self.stages]
        if len(set(names)) != len(names):
            raise ValueError(f"stage names must be unique, got {[s.name for s in self.stages]}")
        for n in names:
            if n in OUTCOME_NAMES:
                raise ValueError(
                    f"'{n}' is an outcome, not a working stage: list only open stages "
                    "(a deal passing the last stage is won)"
                )
        ranks = [(CANONICAL_STAGE_ORDER[n], n) for n in names if n in CANONICAL_STAGE_ORDER]
        for (r1, n1), (r2, n2) in zip(ranks, ranks[1:], strict=False):
            if r2 < r1:
                raise ValueError(f"stages out of order: '{n2}' must come before '{n1}'")
        return self

    @property
    def stage_names(self) -> list[str]:
        return [s.name for s in self.stages]


class Skill(Frozen):
    """Rep skill: a multiplier on the win probability, lognormal with mean 1 and this sd."""

    sd: Annotated[float, Field(ge=0.0, le=1.0)] = 0.15


class Org(Frozen):
    """The sales organisation. Reps are spread over regions in turn."""

    reps: int = Field(ge=1, description="number of quota-carrying reps")
    weekly_hours: PositiveFloat = Field(
        30.0, le=80.0, description="selling hours a rep has per week (after admin and meetings)"
    )
    skill: Skill = Skill()
    structure: _org.Structure = Field("regional", description="line, regional, matrix, channel or key_account")
    design: _org.OrgDesign = _org.OrgDesign()


class Staffing(Frozen):
    """Attrition, hiring and ramp-up of reps (see :mod:`salessim.staffing`)."""

    attrition: _staffing.Attrition = _staffing.Attrition()
    hiring: _staffing.Hiring = _staffing.Hiring()
    ramp: _staffing.Ramp = _staffing.Ramp()


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
        return self

    def _check_org(self, segments: list[str]) -> None:
        o, d = self.org, self.org.design
        if o.structure == "key_account":
            k = d.key_account
            for field in ("key_segment", "low_touch_segment"):
                if getattr(k, field) not in segments:
                    raise ValueError(f"org.design.key_account.{field}: unknown segment '{getattr(k, field)}' (segments: {', '.join(segments)})")
            if (k.key_account_managers or 1) + (k.low_touch_reps or 1) >= o.reps:
                raise ValueError(f"org.design.key_account: {k.key_account_managers} key-account managers + {k.low_touch_reps} "
                                 f"low-touch reps leave no account executives among org.reps = {o.reps}")
        if o.structure == "channel":
            bad = [x for x in d.channel.segments if x not in segments]
            if bad:
                raise ValueError(f"org.design.channel.segments: unknown segment '{bad[0]}' (segments: {', '.join(segments)})")
        if o.structure == "matrix":
            products = [p.name for p in self.market.products]
            bad = [x for x in d.matrix.products or [] if x not in products]
            if bad:
                raise ValueError(f"org.design.matrix.products: unknown product '{bad[0]}' (products: {', '.join(products)})")
            if d.matrix.from_stage >= len(self.funnel.stages):
                raise ValueError(f"org.design.matrix.from_stage: {d.matrix.from_stage} is past the last stage "
                                 f"(the funnel has {len(self.funnel.stages)})")

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain YAML-able data."""
        return self.model_dump(mode="json")

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)


# --------------------------------------------------------------------------- loading


def _format_error(source: str, err: ValidationError) -> str:
    errors = err.errors()
    first = errors[0]
    parts = list(first["loc"])
    if len(parts) > 2 and parts[0] == "events" and parts[2] in _events.KINDS:  # the union's tag: noise
        del parts[2]
    loc = ".".join(str(p) for p in parts)
    msg = first["msg"].removeprefix("Value error, ")
    if not loc:  # a cross-field check names its own field first: "org.reps (...): reason"
        head = msg.split(" ", 1)[0].rstrip(":")
        loc, msg = (head, msg.split(" ", 1)[1].lstrip(": ")) if "." in head and " " in msg else ("(top level)", msg)
    if first["type"] == "extra_forbidden":
        msg = "unknown field"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{source}: {loc}: {msg}{more}"


def _set_path(data: dict[str, Any], path: str, value: Any, source: str) -> None:
    """Set a dotted path (``org.reps``, ``funnel.stages.0.conversion``) in nested data."""
    parts = path.replace("__", ".").split(".")
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        here = ".".join(parts[: i + 1])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ScenarioError(f"{source}: {here}: no such list item in override '{path}'")
            key: Any = int(part)
        elif isinstance(node, dict):
            key = part
            if not last and key not in node:
                node[key] = {}
        else:
            raise ScenarioError(f"{source}: {here}: cannot override inside a value ('{path}')")
        if last:
            node[key] = value
        else:
            node = node[key]


def _read_yaml(path: Path) -> dict[str, Any]:
    return read_mapping(path, ScenarioError, "scenario fields")


def load_scenario(source: str | Path | Mapping[str, Any] | Scenario, **overrides: Any) -> Scenario:
    """Load and validate a scenario from a YAML path, a mapping or an existing scenario.

    ``overrides`` replace fields by dotted path, written with ``__`` as keyword arguments
    (``org__reps=50``) or passed as a dict (``**{"org.reps": 50}``). Unknown fields are errors.
    Raises :class:`ScenarioError` with one line: ``source: field.path: reason``.
    """
    base_dir: Path | None = None
    if isinstance(source, Scenario):
        data, name = source.to_dict(), "<scenario>"
    elif isinstance(source, Mapping):
        data, name = _deep_copy(dict(source)), "<mapping>"
    else:
        path = Path(source)
        data, name = _with_base(_read_yaml(path), path), str(path)
        base_dir = path.parent
    if base_dir is not None:  # plan paths are relative to the scenario file
        _resolve_plan(data, base_dir)
        for ev in data.get("events") or []:
            if isinstance(ev, dict):
                _resolve_plan(ev, base_dir)
    for key, value in overrides.items():  # paths in overrides are relative to the working folder
        _set_path(data, key, value, name)
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        raise ScenarioError(_format_error(name, e)) from None


def _with_base(data: dict[str, Any], path: Path, depth: int = 0) -> dict[str, Any]:
    """A scenario file may start from another: ``base: midmarket.yaml`` (relative to the file);
    its own fields replace the base's, mappings merge key by key, lists are replaced whole."""
    if "base" not in data:
        return data
    base_ref = data.pop("base")
    if not isinstance(base_ref, str) or depth > 5:
        raise ScenarioError(f"{path}: base: expected the path of another scenario file (at most 5 levels)")
    base_path = (path.parent / base_ref).resolve()
    base = _with_base(_read_yaml(base_path), base_path, depth + 1)
    _resolve_plan(base, base_path.parent)
    for ev in base.get("events") or []:
        if isinstance(ev, dict):
            _resolve_plan(ev, base_path.parent)
    return _merge(base, data)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _resolve_plan(data: dict[str, Any], base_dir: Path) -> None:
    if isinstance(data.get("plan"), str) and not Path(data["plan"]).is_absolute():
        data["plan"] = str((base_dir / data["plan"]).resolve())


def _deep_copy(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {k: _deep_copy(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_deep_copy(v) for v in obj]
    return obj
