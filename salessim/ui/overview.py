"""A scenario described in a few lines a sales leader recognises."""

from __future__ import annotations

import pandas as pd

from salessim.scenario import Scenario
from salessim.ui.formatting import money, percent


def scenario_overview(scenario: Scenario) -> pd.DataFrame:
    """Two columns, ``item`` and ``value`` (text): the org, the market and the funnel settings."""
    sc = scenario
    cal, m, org = sc.calendar, sc.market, sc.org
    rows = [
        ("scenario", f"{sc.name}: {sc.description}" if sc.description else sc.name),
        ("period simulated", f"{cal.horizon_months} months from {cal.start_date:%d %b %Y} "
                             f"(after {cal.warmup_months} warm-up months)"),
        ("sales reps", f"{org.reps:,} in {len(m.regions)} regions ({', '.join(m.regions)}), "
                       f"{org.weekly_hours:g} selling hours a week each"),
        ("accounts", f"{m.accounts:,} (" + ", ".join(f"{s.name}: {percent(s.share_of_accounts, 0)}" for s in m.segments) + ")"),
        ("leads per year", f"{m.leads_per_year:,.0f}"),
        ("median deal size by segment", ", ".join(f"{s.name}: {money(s.deal_size.median, sc.currency)}" for s in m.segments)),
        ("products", ", ".join(f"{p.name} ({percent(p.share, 0)} of leads)" for p in m.products)),
        ("funnel (conversion to next stage)", " → ".join(f"{s.name} {percent(s.conversion, 0)}" for s in sc.funnel.stages)),
        ("deals lost per week unworked", percent(sc.funnel.slip_loss_per_week, 0)),
        ("comp plan", getattr(sc.plan, "name", sc.plan) or "none"),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])
