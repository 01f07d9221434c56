"""A scenario described in a few lines a sales leader recognises, in English or Chinese."""

from __future__ import annotations

import pandas as pd

from salessim.scenario import Scenario
from salessim.ui.formatting import money, percent
from salessim.ui.i18n import check_lang


def scenario_overview(scenario: Scenario, lang: str = "en") -> pd.DataFrame:
    """Two columns, ``item`` and ``value`` (text): the org, the market and the funnel settings,
    in ``lang`` (``en`` or ``zh``; names from the scenario stay as written)."""
    sc = scenario
    cal, m, org = sc.calendar, sc.market, sc.org
    plan = getattr(sc.plan, "name", sc.plan)
    stages = " → ".join(f"{s.name} {percent(s.conversion, 0)}" for s in sc.funnel.stages)
    sizes = ", ".join(f"{s.name}: {money(s.deal_size.median, sc.currency)}" for s in m.segments)
    mix = ", ".join(f"{s.name}: {percent(s.share_of_accounts, 0)}" for s in m.segments)
    if check_lang(lang) == "zh":
        rows = [
            ("情景", f"{sc.name}：{sc.description}" if sc.description else sc.name),
            ("模拟期间", f"自 {cal.start_date:%Y-%m-%d} 起 {cal.horizon_months} 个月（另有 {cal.warmup_months} 个月预热）"),
            ("销售代表", f"{org.reps:,} 人，分布于 {len(m.regions)} 个区域（{'、'.join(m.regions)}），"
                      f"每人每周 {org.weekly_hours:g} 小时销售时间"),
            ("客户", f"{m.accounts:,} 家（{mix}）"),
            ("每年线索", f"{m.leads_per_year:,.0f}"),
            ("各细分中位交易额", sizes),
            ("产品", "、".join(f"{p.name}（占线索 {percent(p.share, 0)}）" for p in m.products)),
            ("销售漏斗（到下一阶段的转化率）", stages),
            ("无人跟进的商机每周流失", percent(sc.funnel.slip_loss_per_week, 0)),
            ("薪酬方案", plan or "无"),
        ]
    else:
        rows = [
            ("scenario", f"{sc.name}: {sc.description}" if sc.description else sc.name),
            ("period simulated", f"{cal.horizon_months} months from {cal.start_date:%d %b %Y} "
                                 f"(after {cal.warmup_months} warm-up months)"),
            ("sales reps", f"{org.reps:,} in {len(m.regions)} regions ({', '.join(m.regions)}), "
                           f"{org.weekly_hours:g} selling hours a week each"),
            ("accounts", f"{m.accounts:,} ({mix})"),
            ("leads per year", f"{m.leads_per_year:,.0f}"),
            ("median deal size by segment", sizes),
            ("products", ", ".join(f"{p.name} ({percent(p.share, 0)} of leads)" for p in m.products)),
            ("funnel (conversion to next stage)", stages),
            ("deals lost per week unworked", percent(sc.funnel.slip_loss_per_week, 0)),
            ("comp plan", plan or "none"),
        ]
    return pd.DataFrame(rows, columns=["item", "value"])
