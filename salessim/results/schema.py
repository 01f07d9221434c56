"""The results schema, declared once: every column of every table of a :class:`SimResult`.

Days are counted from the scenario's ``start_date`` (day 0; negative = warm-up), months are
calendar months of the measured window, amounts are in the scenario's currency. A column whose
``each`` is set stands for one column per item: ``reached {stage}`` per funnel stage after the
first, ``pay: {component}`` per pay-statement component (sorted by name). ``plan_only`` columns
(and the ``statements`` table) exist only when the scenario has a comp plan.
:func:`markdown` renders the schema for docs/architecture.md; ``tests/test_schema.py`` checks that
:func:`salessim.simulate` produces exactly these columns, in this order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from salessim.engine import recorder
from salessim.engine.pipeline import Outcome, RepStatus, Timing, labels


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    unit: str = ""
    each: str | None = None  # "stage" or "component": a template, one column per item
    plan_only: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    row: str  # what one row is
    columns: tuple[Column, ...]

    def names(self, stages: Sequence[str] = (), components: Sequence[str] = (), plan: bool = True) -> list[str]:
        """Column names in order; ``stages``: the funnel stages after the first, ``components``:
        the pay-statement components, ``plan``: whether the scenario has a comp plan."""
        items = {"stage": stages, "component": components}
        out: list[str] = []
        for c in self.columns:
            if c.plan_only and not plan:
                continue
            out += [c.name.format(**{c.each: x}) for x in items[c.each]] if c.each else [c.name]
        return out


def _recorded(name: str) -> Column:
    """A ledger column copied from the engine's recorder, with its meaning and unit."""
    c = next(c for c in recorder.COLUMNS if c.name == name)
    return Column(name, c.meaning, c.unit)


def _codes(codes) -> str:
    return ", ".join(f"`{x}`" for x in labels(codes))


TABLES: tuple[Table, ...] = (
    Table("deals", "one opportunity still relevant in the measured window (open at its start or created later)", (
        Column("deal_id", "the deal's index in the run", "id"),
        Column("account", "the account it belongs to", "id"),
        Column("segment", "the account's segment", "category"),
        Column("region", "region of the account's territory rep", "category"),
        Column("product", "product line", "category"),
        Column("rep", "the rep slot owning the deal now (`R001`...)", "category"),
        Column("created_day", "day the lead arrived", "days"),
        Column("created_date", "date the lead arrived", "date"),
        Column("stage", "current stage, `closed won` once won (a lost deal keeps the stage it was lost in)", "category"),
        Column("stage_index", "index of `stage` (number of stages = won)", "index"),
        Column("outcome", _codes(Outcome), "category"),
        Column("amount", "the company's revenue: after discounts and the partner margin", "currency"),
        Column("list_amount", "the amount when the deal was created", "currency"),
        Column("source", "`inbound` (lead flow) or `self-sourced` (rep prospecting)", "category"),
        Column("timing", f"close date or price moved at a period end, by the rep or a strategic buyer ("
               f"`held to period end`: signed on its last day): {_codes(Timing)}", "category"),
        Column("channel", "`direct` or `partner`", "category"),
        Column("specialist", "matrix org: specialist supporting the deal (1, 2, ...; 0 = none)", "id"),
        Column("close_day", "day the deal was won or lost (NaN while open)", "days"),
        Column("close_date", "date the deal was won or lost (NaT while open)", "date"),
        Column("cycle_days", "close day - created day (NaN while open)", "days"),
        Column("close_month", "month of the close date", "month"),
    )),
    Table("ledger", "one rep slot and measured month", (
        Column("rep", "rep slot", "category"),
        Column("month", "calendar month", "month"),
        Column("leads", "deals created for the rep", "deals"),
        Column("deals_won", "deals won and credited to the rep", "deals"),
        Column("deals_lost", "credited deals lost", "deals"),
        Column("bookings", "amount of the deals won and credited", "currency"),
        _recorded("hours_worked"),
        _recorded("hours_capacity"),
        _recorded("pipeline_value"),
        _recorded("open_deals"),
        Column("quota", "the slot's quota for the month", "currency"),
        Column("effort", "mean effort level over the days the slot was filled (1 = normal)", "ratio"),
        _recorded("discounts"),
        _recorded("pulled_in"),
        _recorded("pushed_out"),
        Column("status", f"in the month's last work step: {_codes(RepStatus)}", "category"),
        Column("left", "the rep holding the slot left in the month", "bool"),
        Column("reached {stage}", "deals entering the stage", "deals", each="stage"),
        Column("attainment", "bookings / quota (NaN when the quota is 0)", "ratio"),
        Column("base_pay", "base salary paid for the month", "currency", plan_only=True),
        Column("variable_pay", "total pay - base pay", "currency", plan_only=True),
        Column("total_pay", "everything the statements pay for the month", "currency", plan_only=True),
        Column("pay: {component}", "pay from one statement component", "currency", each="component", plan_only=True),
    )),
    Table("statements", "one line of a pay statement: person, period, item (only with a comp plan)", (
        Column("rep", "the person paid (`R007`, a later holder of the slot `R007#2`, a specialist `S01`)", "id"),
        Column("period", "pay period (month)", "month"),
        Column("fiscal_year", "fiscal year of the period", "year"),
        Column("item", "kind of line (base, commission, quota bonus, ...)", "category"),
        Column("component", "the plan component the line comes from", "name"),
        Column("detail", "which tier, deal or adjustment", "text"),
        Column("measure", "the measure credited (bookings)", "name"),
        Column("basis", "period the attainment is measured over (e.g. `YTD`)", "text"),
        Column("credited", "credited amount the line is computed on", "currency"),
        Column("quota", "quota the line is computed against", "currency"),
        Column("attainment", "credited / quota", "ratio"),
        Column("amount", "the line's pay", "currency"),
        Column("explanation", "how the amount was computed, in words", "text"),
    )),
    Table("customers", "one won deal (warm-up included) followed as a customer contract", (
        Column("deal_id", "the won deal", "id"),
        Column("account", "the deal's account", "id"),
        Column("segment", "the account's segment", "category"),
        Column("product", "product line", "category"),
        Column("rep", "rep slot credited with the sale", "category"),
        Column("amount", "first contract value", "currency"),
        Column("start_day", "sale day (= the deal's close day)", "days"),
        Column("term_months", "renewal term of the customer's segment", "months"),
        Column("status", "`active` or `churned` at the horizon", "category"),
        Column("churn_day", "day of churn (NaN if active)", "days"),
        Column("churn_month", "months from sale to churn, 1, 2, ... (NaN if active)", "months"),
        Column("churned_at_renewal", "the churn fell on a renewal date (did not renew)", "bool"),
        Column("renewals", "renewals before the horizon", "count"),
        Column("contract_value", "contract value in force at the horizon (0 if churned)", "currency"),
        Column("revenue", "revenue recognised in the measured window", "currency"),
        Column("months_at_risk", "monthly churn draws in the window (denominator of the churn rate)", "months"),
        Column("value_at_risk", "contract value in force at those draws", "currency x months"),
        Column("churned_value", "contract value lost by a churn in the window", "currency"),
        Column("renewed_value", "contract value up for renewal at renewals in the window", "currency"),
        Column("expansion_value", "upsell at renewals in the window (>= 0)", "currency"),
        Column("contraction_value", "downsell at renewals in the window (>= 0)", "currency"),
        Column("ltv", "expected discounted margin over the customer's life, at the sale", "currency"),
    )),
    Table("customer_events", "one renewal, expansion or churn before the horizon", (
        Column("deal_id", "the customer's won deal", "id"),
        Column("account", "the customer's account", "id"),
        Column("segment", "the account's segment", "category"),
        Column("rep", "rep slot credited with the sale", "category"),
        Column("day", "day of the event", "days"),
        Column("month", "months since the sale", "months"),
        Column("event", "`renewal`, `expansion` or `churn`", "category"),
        Column("amount", "renewal: new contract value; expansion: the change; churn: the value lost", "currency"),
    )),
    Table("reps", "one rep slot as simulated at the end of the run", (
        Column("rep", "rep slot", "category"),
        Column("region", "the slot's region", "category"),
        Column("skill", "skill multiplier on the win probability of the slot's current holder (mean 1)", "ratio"),
        Column("weekly_hours", "selling hours per week", "hours/week"),
        Column("accounts", "accounts in the slot's territory", "accounts"),
        Column("potential", "summed potential of those accounts (mean account = 1)", "ratio"),
    )),
    Table("accounts", "one account of the market", (
        Column("account", "account index", "id"),
        Column("segment", "segment", "category"),
        Column("region", "region", "category"),
        Column("x_km", "location, east", "km"),
        Column("y_km", "location, north", "km"),
        Column("lead_weight", "share of the inbound leads (sums to 1)", "share"),
        Column("potential", "expected share of the market's value relative to the mean account (mean 1)", "ratio"),
        Column("workload_hours", "rep hours a year the account needs", "hours/year"),
        Column("rep", "territory rep at the end of the run", "category"),
    )),
    Table("events", "one stage transition of a deal (only with `record_events=True`)", (
        Column("deal", "deal index (`deal_id`)", "id"),
        Column("from_stage", "stage index left", "index"),
        Column("to_stage", "stage index entered; number of stages = won, -1 = lost", "index"),
        Column("day", "day of the transition", "days"),
    )),
    Table("event_costs", "one cost item of a scenario event or intervention", (
        Column("day", "day the cost falls", "days"),
        Column("date", "date the cost falls", "date"),
        Column("month", "month the cost falls", "month"),
        Column("event", "the event's label", "text"),
        Column("kind", "the event's kind", "text"),
        Column("item", "what the cost is for (one-off, monthly, licences, ...)", "text"),
        Column("cost", "the cost", "currency"),
    )),
    Table("event_log", "one thing a scenario event did", (
        Column("day", "day it happened", "days"),
        Column("date", "date it happened", "date"),
        Column("event", "the event's label", "text"),
        Column("kind", "the event's kind", "text"),
        Column("detail", "what changed, in words", "text"),
    )),
)

SCHEMA: dict[str, Table] = {t.name: t for t in TABLES}


def markdown() -> str:
    """The schema as markdown: one heading and one ``column | unit | meaning`` table per table."""
    parts = []
    for t in TABLES:
        rows = [f"| `{c.name}` | {c.unit} | {c.meaning}{' (with a comp plan)' if c.plan_only else ''} |" for c in t.columns]
        parts.append("\n".join([f"### `{t.name}`: {t.row}", "", "| column | unit | meaning |", "|---|---|---|", *rows]))
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    print(markdown())
