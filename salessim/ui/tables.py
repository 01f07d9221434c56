"""Tables as pandas ``Styler`` objects: formatted money and percentages, readable headers."""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from salessim.ui.formatting import money, percent


def _fmt_unit(value: float, unit: str, currency: str) -> str:
    if pd.isna(value):
        return "n/a"
    if unit == "%":
        return percent(value)
    if unit == currency:
        return money(value, currency, digits=2)
    if unit == "days":
        return f"{value:,.1f} days"
    if unit.startswith("x "):
        return f"{value:.2f}{unit}"
    return f"{value:,.0f}"


def kpi_table(kpis: pd.DataFrame, currency: str = "USD") -> Styler:
    """Headline KPIs (``kpi``, ``value``, ``unit``; or ``mean``/``ci_low``/``ci_high`` from
    :func:`~salessim.analysis.kpi_summary`) as a two- or four-column readable table."""
    if "mean" in kpis.columns:
        t = pd.DataFrame({
            "KPI": kpis["kpi"],
            "mean": [_fmt_unit(v, u, currency) for v, u in zip(kpis["mean"], kpis["unit"], strict=True)],
            "95% CI from": [_fmt_unit(v, u, currency) for v, u in zip(kpis["ci_low"], kpis["unit"], strict=True)],
            "95% CI to": [_fmt_unit(v, u, currency) for v, u in zip(kpis["ci_high"], kpis["unit"], strict=True)],
        })
    else:
        t = pd.DataFrame({"KPI": kpis["kpi"],
                          "value": [_fmt_unit(v, u, currency) for v, u in zip(kpis["value"], kpis["unit"], strict=True)]})
    return _left_first(t.style.hide(axis="index").set_properties(subset=t.columns[1:], **{"text-align": "right"}))


def _left_first(styler: Styler) -> Styler:
    """Left-align the first column (labels), cells and header."""
    first = styler.data.columns[0]
    return (styler.set_properties(subset=[first], **{"text-align": "left"})
            .set_table_styles({first: [{"selector": "th", "props": [("text-align", "left")]}]}, overwrite=False))


def overview_table(overview: pd.DataFrame) -> Styler:
    """A two-column ``item``/``value`` description (e.g. :func:`~salessim.analysis.scenario_overview`)."""
    return (overview.style.hide(axis="index").hide(axis="columns")
            .set_properties(**{"text-align": "left"})
            .set_properties(subset=[overview.columns[0]], **{"font-weight": "bold"}))


def comparison_table(differences: pd.DataFrame, currency: str = "USD",
                     labels: tuple[str, str] = ("baseline", "variant")) -> Styler:
    """Baseline, variant and the paired difference with its 95% CI, per KPI."""
    units = differences["unit"]
    t = pd.DataFrame({
        "KPI": differences["kpi"],
        labels[0]: [_fmt_unit(v, u, currency) for v, u in zip(differences["baseline"], units, strict=True)],
        labels[1]: [_fmt_unit(v, u, currency) for v, u in zip(differences["variant"], units, strict=True)],
        "change": [f"{r:+.1%}" if pd.notna(r) else "n/a" for r in differences["relative"]],
        "95% CI of change": [f"{lo:+.1%} to {hi:+.1%}" if pd.notna(lo) else "n/a"
                             for lo, hi in zip(differences["relative_ci_low"], differences["relative_ci_high"], strict=True)],
    })
    return _left_first(t.style.hide(axis="index").set_properties(subset=t.columns[1:], **{"text-align": "right"}))


def scorecard_table(scorecard: pd.DataFrame, currency: str = "USD", top: int | None = 10,
                    bottom: int | None = 5) -> Styler:
    """Rep ranking (from :func:`~salessim.analysis.rep_scorecard`): the ``top`` and ``bottom``
    reps of each period, money and rates formatted, bookings shown as in-cell bars."""
    parts = []
    for _period, g in scorecard.groupby("period", sort=True):
        if top is None or bottom is None or len(g) <= top + bottom:
            parts.append(g)
        else:
            parts += [g.head(top), g.tail(bottom)]
    t = pd.concat(parts)
    if t["period"].nunique() == 1:
        t = t.drop(columns="period")
    t = t.rename(columns={
        "rank": "rank", "share_of_team": "share of team", "deals_won": "won", "deals_lost": "lost",
        "win_rate": "win rate", "average_deal": "avg deal", "pipeline_end": "pipeline at end",
        "attainment": "attainment"})
    money_cols = [c for c in ("bookings", "avg deal", "pipeline at end", "quota") if c in t.columns]
    pct_cols = [c for c in ("share of team", "win rate", "utilisation", "attainment") if c in t.columns]
    fmt = {c: (lambda v, _c=currency: money(v, _c, digits=2)) for c in money_cols}
    fmt.update({c: (lambda v: percent(v)) for c in pct_cols})
    fmt["skill"] = "{:.2f}"
    return (t.style.hide(axis="index").format(fmt, na_rep="n/a")
            .bar(subset=["bookings"], color="#9ab8dc", vmin=0))


def stage_table(bottleneck_table: pd.DataFrame, currency: str = "USD") -> Styler:
    """Per-stage bottleneck diagnosis (from :func:`~salessim.analysis.find_bottleneck`)."""
    t = bottleneck_table.rename(columns={
        "exited": "deals", "conversion": "simulated", "expected_conversion": "without walk-aways",
        "lost_for_time": "lost for lack of time", "lost_for_time_value": "pipeline lost for lack of time",
        "wins_per_point": "wins per +1 pt conversion", "bound": "bound by"}).drop(columns=["shortfall", "significant"])
    fmt = {"deals": "{:,.0f}", "simulated": percent, "without walk-aways": percent,
           "lost for lack of time": "{:,.0f}",
           "pipeline lost for lack of time": lambda v: money(v, currency),
           "wins per +1 pt conversion": "{:,.1f}"}
    return _left_first(t.style.hide(axis="index").format(fmt, na_rep="n/a"))


def html_paragraph(text: str):
    """A sentence displayed as HTML (for notebooks and reports)."""
    import html

    from IPython.display import HTML

    return HTML(f"<p>{html.escape(text)}</p>")
