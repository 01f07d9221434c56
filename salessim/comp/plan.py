"""The compensation-plan language: pydantic models read from YAML, validated and frozen.

Units: money in the plan's currency (annual amounts unless the field says otherwise);
attainment, rates and shares as fractions (``1.0`` = 100%) or strings such as ``"120%"``.
Nothing in a plan is evaluated: YAML is read with ``yaml.safe_load`` and every value is data.
See ``docs/comp_plans.md`` for the full language with examples.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from salessim.errors import SalessimError
from salessim.inputs import (
    Frozen,
    Money,
    as_fraction,
    format_validation_error,
    percent,
    read_mapping,
)

MEASURE_KINDS = ("bookings", "revenue", "new_logos", "gross_margin", "product_bookings")
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}
Period = Literal["month", "quarter", "year"]


class PlanError(SalessimError):
    """A plan that cannot be loaded or applied: ``source: field.path: reason`` on one line."""


#: Attainment: ``"120%"`` or a fraction (1.2); at most 1000%.
Attainment = Annotated[float, percent(10.0), Field(ge=0.0, le=10.0)]
#: A rate or share of an amount: ``"8%"`` or a fraction up to 1 (a bare 8 is an error); at most 1000% with ``%``.
Rate = Annotated[float, percent(1.0), Field(ge=0.0, le=10.0)]
#: A share of a whole: ``"40%"`` or a fraction, at most 100%.
Share = Annotated[float, percent(1.0), Field(ge=0.0, le=1.0)]
#: A multiple of the base commission rate (``2`` = twice it); at most 10.
Multiple = Annotated[float, BeforeValidator(as_fraction), Field(ge=0.0, le=10.0)]


# --------------------------------------------------------------------------- pay and measures


class Pay(Frozen):
    """Base salary and target incentive (annual), given directly or as OTE + pay mix.

    ``ote: 150000, mix: 60/40`` means base 90,000 and target incentive 60,000 a year. ``mix`` is
    input shorthand: the plan keeps (and dumps) base salary, target incentive and OTE.
    """

    base_salary: Money | None = None
    target_incentive: Money | None = None
    ote: Money | None = Field(None, description="on-target earnings: base + target incentive")
    mix: tuple[float, float] | None = Field(None, description="base:variable, e.g. 60/40")

    @field_validator("mix", mode="before")
    @classmethod
    def _parse_mix(cls, v: Any) -> Any:
        if isinstance(v, str):
            parts = v.replace(":", "/").split("/")
            if len(parts) != 2:
                raise ValueError(f"mix '{v}' must look like 60/40 (base/variable)")
            try:
                return (float(parts[0]), float(parts[1]))
            except ValueError:
                raise ValueError(f"mix '{v}' must look like 60/40 (base/variable)") from None
        return v

    @model_validator(mode="after")
    def _derive(self) -> Pay:
        if self.mix is not None:
            b, v = self.mix
            if b < 0 or v < 0 or abs(b + v - 100.0) > 1e-9:
                raise ValueError(f"mix {b:g}/{v:g} must be two non-negative numbers summing to 100")
            if self.ote is None:
                raise ValueError("mix needs ote (on-target earnings)")
            if self.base_salary is not None or self.target_incentive is not None:
                raise ValueError("give either ote + mix or base_salary + target_incentive, not both")
            object.__setattr__(self, "base_salary", self.ote * b / 100.0)
            object.__setattr__(self, "target_incentive", self.ote * v / 100.0)
            object.__setattr__(self, "ote", self.base_salary + self.target_incentive)  # as a reload computes it
            object.__setattr__(self, "mix", None)  # the same plan as base + target incentive
        else:
            base = self.base_salary or 0.0
            ti = self.target_incentive or 0.0
            if self.ote is not None and abs(self.ote - base - ti) > 0.005:
                raise ValueError(f"ote {self.ote:,.2f} != base_salary {base:,.2f} + target_incentive {ti:,.2f}")
            object.__setattr__(self, "base_salary", base)
            object.__setattr__(self, "target_incentive", ti)
            object.__setattr__(self, "ote", base + ti)
        return self


class Measure(Frozen):
    """A performance measure: what is credited, its weight in the target incentive, its quota.

    ``quota: data`` takes quotas from the performance frame; a number is an annual quota for
    every rep, spread evenly over the months (and pro-rated for partial periods).
    """

    name: str = Field(min_length=1)
    kind: Literal["bookings", "revenue", "new_logos", "gross_margin", "product_bookings"] | None = None
    weight: Share = 1.0
    product: str | None = Field(None, description="product line, for product_bookings")
    quota: Literal["data"] | Annotated[float, Field(ge=0.0)] = "data"

    @model_validator(mode="after")
    def _kind(self) -> Measure:
        if self.kind is None:
            if self.name not in MEASURE_KINDS:
                raise ValueError(
                    f"unknown measure '{self.name}': give kind: one of {', '.join(MEASURE_KINDS)}"
                )
            object.__setattr__(self, "kind", self.name)
        if self.kind == "product_bookings" and not self.product:
            raise ValueError("product_bookings needs product: <product line>")
        return self


class Cap(Frozen):
    """Maximum payout (currency) per component period and/or per fiscal year."""

    period: Money | None = None
    year: Money | None = None

    @model_validator(mode="after")
    def _order(self) -> Cap:
        if self.period is not None and self.year is not None and self.year < self.period:
            raise ValueError(f"year cap {self.year:,.2f} is below the period cap {self.period:,.2f}")
        return self


# --------------------------------------------------------------------------- components


class Tier(Frozen):
    """One slice of attainment ``[from, to)`` with its rate.

    ``rate`` is a share of the credited amount (0.08 = 8% commission); ``multiple`` is a multiple
    of the base commission rate (target incentive / quota), so ``multiple: 1`` pays exactly the
    target incentive at 100% attainment.
    """

    model_config = ConfigDict(populate_by_name=True)  # ``start``/``end`` also accepted (merged into Frozen's)

    start: Attainment = Field(alias="from")
    end: Attainment | None = Field(None, alias="to")
    rate: Rate | None = None
    multiple: Multiple | None = None
    label: str | None = None

    @model_validator(mode="after")
    def _one_rate(self) -> Tier:
        if (self.rate is None) == (self.multiple is None):
            raise ValueError("give exactly one of rate (share of credited) or multiple (of the base commission rate)")
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"tier to ({self.end:g}) must be above from ({self.start:g})")
        return self


class _Component(Frozen):
    name: str = Field(min_length=1)
    measure: str = "bookings"
    period: Period | None = Field(None, description="measurement period; default: the plan's")
    true_up: bool | None = Field(None, description="YTD true-up; default: the plan's")
    cap: Cap = Cap()


class Commission(_Component):
    """Commission on credited amounts: flat (one tier) or tiered, marginal or retroactive.

    ``gate``: nothing is paid while attainment is below it (then the tiers apply in full).
    """

    type: Literal["commission"] = "commission"
    method: Literal["marginal", "retroactive"] = "marginal"
    gate: Attainment = 0.0
    rate: Rate | None = Field(None, description="flat rate: shorthand for one tier from 0")
    tiers: list[Tier] = Field(default_factory=list)

    @model_validator(mode="after")
    def _tiers(self) -> Commission:
        if self.rate is not None:
            if self.tiers:
                raise ValueError("give rate (flat) or tiers, not both")
            object.__setattr__(self, "tiers", [Tier(**{"from": 0.0, "rate": self.rate})])
        tiers = self.tiers
        if not tiers:
            raise ValueError("a commission needs rate or tiers")
        if tiers[0].start != 0.0:
            raise ValueError(f"tiers.0.from must be 0 (got {tiers[0].start:g}): use a gate or a 0% tier for a threshold")
        for i, (a, b) in enumerate(zip(tiers, tiers[1:], strict=False)):
            if a.end is None:
                raise ValueError(f"tiers.{i}.to is open but tier {i + 1} follows: only the last tier may be open")
            if b.start < a.end:
                raise ValueError(f"tiers.{i + 1}: overlaps tier {i} ({b.start:g} < {a.end:g}) or tiers are unsorted")
            if b.start > a.end:
                raise ValueError(f"tiers.{i + 1}: gap between {a.end:g} and {b.start:g}; tiers must be contiguous")
        if tiers[-1].end is not None:
            raise ValueError(f"tiers.{len(tiers) - 1}.to must be open (omit it): credit above {tiers[-1].end:g} would be unpaid")
        kinds = {t.rate is None for t in tiers}
        if len(kinds) > 1:
            raise ValueError("tiers must all use rate or all use multiple")
        return self

    @model_serializer(mode="wrap")
    def _dump_flat(self, handler: SerializerFunctionWrapHandler) -> Any:
        """A flat rate is dumped as ``rate`` alone (its one tier is derived), so a dump loads back
        and a sweep over ``...commission.rate`` changes the rate."""
        data = handler(self)
        if self.rate is not None and isinstance(data, dict):
            data.pop("tiers", None)
        return data

    @property
    def uses_multiple(self) -> bool:
        return self.tiers[0].multiple is not None

    @property
    def bounds(self) -> list[float]:
        """Lower attainment bound of each tier."""
        return [t.start for t in self.tiers]

    @property
    def rates(self) -> list[float]:
        return [t.rate if t.rate is not None else t.multiple for t in self.tiers]  # type: ignore[misc]

    def tier_label(self, i: int) -> str:
        t = self.tiers[i]
        if len(self.tiers) == 1:
            return t.label or "flat rate"
        hi = "+" if t.end is None else f"-{t.end:.0%}"
        return t.label or f"tier {i + 1} ({t.start:.0%}{hi})"


class Threshold(Frozen):
    """A quota-bonus step: reaching ``attainment`` pays ``amount`` (currency) or ``target_share``
    (share of the measure's target incentive for the bonus period)."""

    attainment: Attainment
    amount: Money | None = None
    target_share: Rate | None = None
    label: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Threshold:
        if (self.amount is None) == (self.target_share is None):
            raise ValueError("give exactly one of amount or target_share")
        return self


class QuotaBonus(_Component):
    """Lump sums at attainment thresholds. ``mode: highest`` pays the highest step reached,
    ``cumulative`` pays every step reached (a breakthrough bonus on top of the quota bonus)."""

    type: Literal["quota_bonus"] = "quota_bonus"
    thresholds: list[Threshold] = Field(min_length=1)
    mode: Literal["highest", "cumulative"] = "cumulative"

    @model_validator(mode="after")
    def _sorted(self) -> QuotaBonus:
        a = [t.attainment for t in self.thresholds]
        for i in range(1, len(a)):
            if a[i] <= a[i - 1]:
                raise ValueError(f"thresholds.{i}.attainment ({a[i]:g}) must be above the previous one ({a[i - 1]:g})")
        return self

    def step_label(self, i: int) -> str:
        t = self.thresholds[i]
        return t.label or f"at {t.attainment:.0%}"


class TeamBonus(_Component):
    """A pool funded when the team reaches ``threshold`` attainment, shared by its members.

    Pool = ``pool_rate`` x team credited, or ``pool_per_member`` x members; split equally or in
    proportion to each member's credited amount. Teams come from the ``team`` column.
    """

    type: Literal["team_bonus"] = "team_bonus"
    threshold: Attainment = 1.0
    pool_rate: Rate | None = None
    pool_per_member: Money | None = None
    split: Literal["equal", "credited"] = "equal"

    @model_validator(mode="after")
    def _one(self) -> TeamBonus:
        if (self.pool_rate is None) == (self.pool_per_member is None):
            raise ValueError("give exactly one of pool_rate or pool_per_member")
        return self


class Spif(Frozen):
    """A time-boxed incentive per qualifying deal (deal-level rows), outside the caps.

    Pays ``per_deal`` (currency) or ``rate`` x credited for each deal of the measure whose
    product/segment match, closed in a period from ``start`` to ``end`` (inclusive, e.g. '2026-03').
    """

    type: Literal["spif"] = "spif"
    name: str = Field(min_length=1)
    measure: str = "bookings"
    products: list[str] | None = None
    segments: list[str] | None = None
    start: str
    end: str
    per_deal: Money | None = None
    rate: Rate | None = None
    min_amount: Money = 0.0

    @field_validator("start", "end", mode="before")
    @classmethod
    def _period(cls, v: Any) -> Any:
        import pandas as pd

        text = str(v).strip()
        try:
            ok = bool(text) and not pd.isna(pd.Period(text, freq="M"))
        except (ValueError, TypeError, OverflowError):
            ok = False
        if not ok:
            raise ValueError(f"'{text}' is not a month such as 2026-03")
        return text

    @model_validator(mode="after")
    def _one(self) -> Spif:
        import pandas as pd

        if (self.per_deal is None) == (self.rate is None):
            raise ValueError("give exactly one of per_deal or rate")
        if pd.Period(self.end, freq="M") < pd.Period(self.start, freq="M"):
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


Component = Annotated[Commission | QuotaBonus | TeamBonus | Spif, Field(discriminator="type")]


class Clawback(Frozen):
    """Reverse commission on deals whose customer churns within ``within_months`` of the win.

    The reversed amount is the deal's credited amount x the rep's effective commission rate on
    that measure for the period the deal was won: the commission paid for the window holding that
    period (after component caps) over the window's credit; with YTD true-up, commission paid
    year-to-date over credit year-to-date at the end of that window. ``rate`` is used when that
    window was not evaluated in the data (or always, if ``use_effective_rate`` is false). A
    clawback never pays the rep: a rate below zero (true-up pay that fell) counts as zero.
    """

    within_months: int = Field(ge=1, le=120)
    rate: Rate | None = None
    use_effective_rate: bool = True


class Draw(Frozen):
    """A draw for new hires: a guaranteed variable payment per month (currency) during the
    ``months`` calendar months from the rep's hire month (performance column ``hired``; the hire
    month pro-rated by ``employed_share``), or without that column during the rep's first
    ``months`` in the data. Recoverable draws are repaid from later variable pay (at most
    ``recovery_share`` of each period's variable pay above the guarantee); the unrecovered balance
    carries forward, across years."""

    amount: Money = Field(description="guaranteed variable pay per month (currency)")
    months: int = Field(ge=1, le=36)
    recoverable: bool = True
    recovery_share: Annotated[float, percent(1.0), Field(gt=0.0, le=1.0)] = 1.0


class Crediting(Frozen):
    """How deal-level rows are credited: ``credit_share`` splits a deal between reps (primary
    shares of a deal must sum to 1 when ``require_full_split``); ``role: overlay`` rows get
    ``overlay_share`` of the deal on top (double credit); rows with a ``manager`` also credit that
    manager with ``manager_share`` when ``manager_rollup`` is on."""

    require_full_split: bool = True
    overlay_share: Share = 1.0
    manager_rollup: bool = False
    manager_share: Share = 1.0


# --------------------------------------------------------------------------- the plan


class CompPlan(Frozen):
    """A compensation plan (data only). Build it with :func:`load_plan`.

    The calculations take a plan: :func:`salessim.comp.statements` (analyst-facing),
    :func:`salessim.comp.period_payout`, :func:`salessim.comp.marginal_value` and
    :func:`salessim.comp.pay_curve` (engine-facing, vectorised over reps).
    """

    name: str = "plan"
    description: str = ""
    currency: str = "USD"
    period: Period = "month"
    true_up: bool = Field(True, description="recompute attainment year-to-date each period, pay net of what was paid")
    fiscal_year_start_month: int = Field(1, ge=1, le=12)
    pay: Pay = Pay()
    measures: list[Measure] = Field(default_factory=lambda: [Measure(name="bookings")], min_length=1)
    components: list[Component] = Field(default_factory=list)
    caps: Cap = Field(Cap(), description="caps on total variable pay (commissions, quota and team bonuses)")
    draw: Draw | None = None
    clawback: Clawback | None = None
    crediting: Crediting = Crediting()
    negative_balance: Literal["carry_forward", "forgive_at_year_end", "pay_negative"] = Field(
        "carry_forward", description="what happens when a period's variable pay nets below zero"
    )
    sources: list[str] = Field(default_factory=list, description="where the plan's figures come from")

    @model_validator(mode="after")
    def _check(self) -> CompPlan:
        names = [m.name for m in self.measures]
        if len(set(names)) != len(names):
            raise ValueError(f"measures: names must be unique, got {names}")
        total = sum(m.weight for m in self.measures)
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"measures: weights must sum to 1, got {total:.6g}")
        cnames = [c.name for c in self.components]
        if len(set(cnames)) != len(cnames):
            raise ValueError(f"components: names must be unique, got {cnames}")
        for i, c in enumerate(self.components):
            if c.measure not in names:
                raise ValueError(f"components.{i}.measure: unknown measure '{c.measure}' (plan measures: {', '.join(names)})")
            if isinstance(c, Spif):
                continue
            if isinstance(c, QuotaBonus):
                self._check_bonus_cap(i, c)
            if isinstance(c, Commission) and c.uses_multiple and self.pay.target_incentive == 0:
                raise ValueError(f"components.{i}.tiers: multiple needs a target incentive (pay.target_incentive or ote + mix)")
            if isinstance(c, QuotaBonus) and any(t.target_share is not None for t in c.thresholds) and self.pay.target_incentive == 0:
                raise ValueError(f"components.{i}.thresholds: target_share needs a target incentive")
        biggest = max((self._max_bonus(c) for c in self.components if isinstance(c, QuotaBonus)), default=0.0)
        for field in ("period", "year"):
            cap = getattr(self.caps, field)
            if cap is not None and cap < biggest:
                raise ValueError(f"caps.{field}: {cap:,.2f} is below the largest quota bonus it caps ({biggest:,.2f})")
        return self

    def _max_bonus(self, c: QuotaBonus) -> float:
        """Largest amount a quota bonus can pay in one period (currency; target shares at plan TI)."""
        ti = self.pay.target_incentive * self.measure(c.measure).weight * PERIOD_MONTHS[c.period or self.period] / 12
        amounts = [t.amount if t.amount is not None else t.target_share * ti for t in c.thresholds]
        return sum(amounts) if c.mode == "cumulative" else max(amounts)

    def _check_bonus_cap(self, i: int, c: QuotaBonus) -> None:
        biggest = self._max_bonus(c)
        for field in ("period", "year"):
            cap = getattr(c.cap, field)
            if cap is not None and cap < biggest:
                raise ValueError(f"components.{i}.cap.{field}: {cap:,.2f} is below the bonus it caps ({biggest:,.2f})")

    # ------------------------------------------------------------------ helpers

    def measure(self, name: str) -> Measure:
        for m in self.measures:
            if m.name == name:
                return m
        raise KeyError(name)

    @property
    def primary_measure(self) -> str:
        """The measure the engine-facing functions use: bookings if present, else the first one."""
        names = [m.name for m in self.measures]
        return "bookings" if "bookings" in names else names[0]

    def component_period(self, c: Any) -> str:
        return c.period or self.period

    def component_true_up(self, c: Any) -> bool:
        return self.true_up if c.true_up is None else c.true_up

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude={"pay": {"ote", "mix"}})


# --------------------------------------------------------------------------- loading


#: The component types (the discriminator of ``components`` items).
COMPONENT_TYPES = ("commission", "quota_bonus", "team_bonus", "spif")


def load_plan(source: str | Path | Mapping[str, Any] | CompPlan) -> CompPlan:
    """Load and validate a plan from a YAML path, a mapping or an existing plan.

    Raises :class:`PlanError` with one line ``source: field.path: reason``.
    """
    if isinstance(source, CompPlan):
        return source
    if isinstance(source, Mapping):
        data, name = dict(source), "<mapping>"
    else:
        path = Path(source)
        data, name = read_mapping(path, PlanError, "plan fields"), str(path)
    try:
        return CompPlan.model_validate(data)
    except ValidationError as e:
        raise PlanError(format_validation_error(name, e, COMPONENT_TYPES)) from None


def _coerce_plan(value: Any) -> Any:
    """A plan given as a YAML path or a mapping, loaded and validated (errors as one line)."""
    if value is None or isinstance(value, CompPlan):
        return value
    if not isinstance(value, str | Path | Mapping):
        raise ValueError(f"expected the path of a plan YAML file or an inline plan mapping, got {value!r}")
    try:
        return load_plan(value if isinstance(value, Mapping) else Path(value))
    except SalessimError as e:
        raise ValueError(str(e)) from None


#: A comp plan field in a scenario or an event: a path, a mapping or a plan; dumped as a mapping.
PlanField = Annotated[CompPlan, BeforeValidator(_coerce_plan), PlainSerializer(lambda p: p.to_dict(), return_type=dict)]
