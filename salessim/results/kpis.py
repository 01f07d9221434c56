"""Headline KPIs of a run, computed from its tidy tables (one row per KPI: kpi, value, unit)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salessim.model.customers import customer_kpis
from salessim.model.org import structure_of

if TYPE_CHECKING:
    from salessim.results.tables import SimResult


def closed_in_window(deals: pd.DataFrame, horizon_days: int) -> pd.Series:
    """Deals closed inside the measured window."""
    return deals["close_day"].between(0, horizon_days, inclusive="left")


def headline_kpis(result: SimResult) -> pd.DataFrame:
    """Revenue, win rate, conversion, cycle, deal size, bookings per rep, pipeline coverage."""
    d, ledger, h = result.deals, result.ledger, result.horizon_days
    cur = result.scenario.currency
    closed = d[closed_in_window(d, h)]
    won = closed[closed["outcome"] == "won"]
    qualified = closed[closed["stage_index"] >= 1]
    revenue = float(won["amount"].sum())
    months = result.scenario.calendar.horizon_months
    last_month = ledger["month"].max()
    end_pipeline = float(ledger.loc[ledger["month"] == last_month, "pipeline_value"].sum())
    quarterly_bookings = revenue / months * 3
    created = d["created_day"].between(0, h, inclusive="left")
    rows = [
        ("revenue", revenue, cur),
        ("deals won", float(len(won)), "deals"),
        ("leads", float(created.sum()), "leads"),
        ("win rate (qualified)", _ratio((qualified["outcome"] == "won").sum(), len(qualified)), "%"),
        ("lead-to-win rate", _ratio(len(won), len(closed)), "%"),
        ("median sales cycle (won)", float(won["cycle_days"].median()) if len(won) else np.nan, "days"),
        ("average deal size", float(won["amount"].mean()) if len(won) else np.nan, cur),
        ("bookings per rep per year", revenue / result.scenario.org.reps * 12 / months, cur),
        ("pipeline coverage", _ratio(end_pipeline, quarterly_bookings), "x next quarter"),
        ("capacity utilisation", _ratio(ledger["hours_worked"].sum(), ledger["hours_capacity"].sum()), "%"),
    ]
    rows += org_kpis(result)
    if result.customers is not None and result.scenario.customers.enabled:
        ck = customer_kpis(result.customers, result.scenario.customers.horizon_days(h), cur)
        rows += list(ck[["kpi", "value", "unit"]].itertuples(index=False, name=None))
    conv = result.stage_conversion()
    rows += [(f"conversion: {r.stage} → {r.next_stage}", float(r.conversion), "%") for r in conv.itertuples()]
    return pd.DataFrame(rows, columns=["kpi", "value", "unit"])


def _ratio(a: float, b: float) -> float:
    return float(a) / float(b) if b else float("nan")


def attainment_by_rep(ledger: pd.DataFrame) -> pd.Series:
    """Each rep slot's attainment over the measured window (bookings / quota)."""
    g = ledger.groupby("rep", observed=True)
    return g["bookings"].sum() / g["quota"].sum().where(lambda q: q > 0)


def hockey_stick_index(deals: pd.DataFrame, horizon_days: int, last_days: int = 14) -> float:
    """Share of each quarter's bookings closed in its last ``last_days`` days (won deals in the
    window; calendar quarters). ~15% when bookings are even (14 of ~91 days)."""
    won = deals[(deals["outcome"] == "won") & deals["close_day"].between(0, horizon_days, inclusive="left")]
    if won.empty:
        return float("nan")
    end = won["close_date"].dt.to_period("Q").dt.end_time.dt.normalize()
    late = (end - won["close_date"]).dt.days < last_days
    return float(won.loc[late, "amount"].sum() / won["amount"].sum())


def on_quarter_last_day(dates: pd.Series) -> pd.Series:
    """Whether each date (datetimes) falls on a calendar quarter's last day."""
    return dates.dt.normalize() == dates.dt.to_period("Q").dt.end_time.dt.normalize()


def last_day_share(deals: pd.DataFrame, horizon_days: int) -> float:
    """Share of the won deals in the window signed on a calendar quarter's last day (~1.1% when
    signatures are even: 1 of ~91 days; ~75% at Larkin's 2014 enterprise software vendor)."""
    won = deals[(deals["outcome"] == "won") & deals["close_day"].between(0, horizon_days, inclusive="left")]
    return float(on_quarter_last_day(won["close_date"]).mean()) if len(won) else float("nan")


def org_kpis(result: SimResult) -> list[tuple[str, float, str]]:
    """Quota attainment, pay, timing games and staffing KPIs (those the run has data for)."""
    ledger, deals, sc = result.ledger, result.deals, result.scenario
    cur, months = sc.currency, sc.calendar.horizon_months
    att = attainment_by_rep(ledger)
    won = deals[(deals["outcome"] == "won") & deals["close_day"].between(0, result.horizon_days, inclusive="left")]
    rows = [
        ("reps at or above quota", float((att >= 1).mean()), "%"),
        ("attainment P10", float(att.quantile(0.1)), "%"),
        ("attainment median", float(att.median()), "%"),
        ("attainment P90", float(att.quantile(0.9)), "%"),
        ("hockey-stick index (last 2 weeks of quarter)", hockey_stick_index(deals, result.horizon_days), "%"),
        ("wins on a quarter's last day", last_day_share(deals, result.horizon_days), "%"),
        ("revenue lost to discounts", float(won["list_amount"].sum() - won["amount"].sum()), cur),
        ("deals pulled in", float(ledger["pulled_in"].sum()), "deals"),
        ("deals pushed out", float(ledger["pushed_out"].sum()), "deals"),
        ("average effort", float(ledger.loc[ledger["status"] != "vacant", "effort"].mean()), "x normal"),
    ]
    q4 = won["close_date"].dt.quarter == 4
    if months >= 12:
        rows.append(("Q4 share of annual bookings", _ratio(won.loc[q4, "amount"].sum(), won["amount"].sum()), "%"))
    headcount = sc.org.reps
    rows += [
        ("annual rep attrition", float(ledger["left"].sum()) / headcount * 12 / months, "%"),
        ("vacancy months", float((ledger["status"] == "vacant").sum()), "months"),
        ("training cost", _training_cost(result), cur),
    ]
    sales_revenue = float(won["amount"].sum())
    lines = result.statement_lines  # the amounts, without writing the explanations
    comp = float(lines["amount"].sum()) if lines is not None else float("nan")
    structure, n_regions = structure_of(sc.org), len(sc.market.regions)
    mgmt_total = sum(structure.management_cost(n_regions).values()) * months / 12
    heads = sc.org.reps + structure.management_heads(n_regions) + structure.extra_heads()
    partner = won["channel"] == "partner" if "channel" in won else pd.Series(False, index=won.index)
    margin = sc.org.design.channel.partner_margin
    rows += [
        ("management cost", mgmt_total, cur),
        ("revenue per head per year", sales_revenue / heads * 12 / months, cur),
        ("partner share of revenue", _ratio(won.loc[partner, "amount"].sum(), sales_revenue), "%"),
        ("partner margin paid", float(won.loc[partner, "amount"].sum() * margin / (1 - margin)), cur),
    ]
    if "total_pay" in ledger:
        pay_by_rep = ledger.groupby("rep", observed=True)["variable_pay"].sum()
        rows += [
            ("comp cost", comp, cur),
            ("cost of sales", _ratio(comp, sales_revenue), "%"),
            ("cost of sales incl. management", _ratio(comp + mgmt_total, sales_revenue), "%"),
            ("pay-for-performance correlation", float(att.corr(pay_by_rep)), "r"),
        ]
    if sc.events:
        cost = float(result.event_costs["cost"].sum()) if result.event_costs is not None else 0.0
        rows.append(("event and intervention cost", cost, cur))
        if "total_pay" in ledger:
            rows.append(("cost of sales incl. interventions", _ratio(comp + cost, sales_revenue), "%"))
    return rows


def _training_cost(result: SimResult) -> float:
    """Training programmes and training interventions: ``event_costs`` rows of kind ``training``."""
    costs = result.event_costs
    if costs is None or not len(costs):
        return 0.0
    return float(costs.loc[costs["kind"] == "training", "cost"].sum())
