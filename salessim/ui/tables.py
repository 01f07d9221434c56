"""Tables as pandas ``Styler`` objects: formatted money and percentages, readable headers."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from salessim.ui.formatting import interval, is_deterministic, money, percent

#: CSS of comparison tables: headers wrap, label column wide enough to read, numbers right-aligned.
TABLE_CSS = [{"selector": "th", "props": [("white-space", "normal"), ("vertical-align", "bottom"), ("max-width", "11em")]},
             {"selector": "td", "props": [("vertical-align", "top")]}]


def change_cell(mean: str, diff: float, low: float, high: float, unit: str, currency: str, significant=None) -> str:
    """HTML of a table cell: the level, and under it the paired change and its interval on a
    line each (``*``: the interval excludes zero; a change without spread has no interval)."""
    if pd.isna(diff):
        return mean
    fixed = is_deterministic(low, high, diff)
    star = " *" if not fixed and significant is not pd.NA and significant is not None and bool(significant) else ""
    text = interval(diff, low, high, unit, currency, change=True)
    head, _, bounds = text.partition(" [")
    lines = [f"{head}{star}"] + ([f"[{bounds}"] if bounds else [])
    return f"{mean}<br><small>{'<br>'.join(lines)}</small>"


def _fmt_unit(value: float, unit: str, currency: str) -> str:
    from salessim.ui.formatting import value as fmt_value

    return fmt_value(value, unit, currency)


def kpi_table(kpis: pd.DataFrame, currency: str = "USD", lang: str = "en") -> Styler:
    """Headline KPIs (``kpi``, ``value``, ``unit``; or ``mean``/``ci_low``/``ci_high`` from
    :func:`~salessim.analysis.kpi_summary`) as a readable table; KPI names in ``lang``. A KPI
    without spread (a fixed cost) shows no interval."""
    from salessim.ui.formatting import MISSING, ci_label, is_deterministic
    from salessim.ui.i18n import tr

    names = [tr(k, lang) for k in kpis["kpi"]]
    if "mean" in kpis.columns:
        ci = ci_label(lang)
        fixed = [is_deterministic(lo, hi, m) for m, lo, hi in zip(kpis["mean"], kpis["ci_low"], kpis["ci_high"], strict=True)]
        t = pd.DataFrame({
            tr("KPI", lang): names,
            tr("mean", lang): [_fmt_unit(v, u, currency) for v, u in zip(kpis["mean"], kpis["unit"], strict=True)],
            f"{ci} {'下限' if lang == 'zh' else 'from'}": [
                "" if f else _fmt_unit(v, u, currency) for f, v, u in zip(fixed, kpis["ci_low"], kpis["unit"], strict=True)],
            f"{ci} {'上限' if lang == 'zh' else 'to'}": [
                "" if f else _fmt_unit(v, u, currency) for f, v, u in zip(fixed, kpis["ci_high"], kpis["unit"], strict=True)],
        }).replace({MISSING: "—"})
    else:
        t = pd.DataFrame({tr("KPI", lang): names,
                          tr("value", lang): [_fmt_unit(v, u, currency) for v, u in zip(kpis["value"], kpis["unit"], strict=True)]})
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


def formatted_table(frame: pd.DataFrame) -> Styler:
    """An all-text frame (from :mod:`salessim.ui.formatting`) as a table: no index, labels left,
    numbers right."""
    return _styled(frame)


_NUMERIC = re.compile(r"^[−+\-]?[$€£¥₹]?\d|^—$|^n/a$")


def _styled(t: pd.DataFrame) -> Styler:
    """No index; columns of numbers right-aligned, text columns (and the first) left-aligned."""
    numeric = [c for c in t.columns[1:] if t[c].astype(str).map(lambda v: bool(_NUMERIC.match(v)) or v == "").all()]
    text = [c for c in t.columns[1:] if c not in numeric]
    styler = t.style.hide(axis="index").set_properties(subset=numeric, **{"text-align": "right", "white-space": "nowrap"})
    if text:
        styler = styler.set_properties(subset=text, **{"text-align": "left"}).set_table_styles(
            {c: [{"selector": "th", "props": [("text-align", "left")]}] for c in text}, overwrite=False)
    return _left_first(styler)


def economics_table(econ: pd.DataFrame, currency: str = "USD", baseline: str | None = None,
                    target_pay: dict[str, float] | None = None, lang: str = "en") -> Styler:
    """Decision economics per design (from :func:`~salessim.analysis.economics.economics_summary`):
    revenue, comp, management cost, net contribution with its interval, the paired change of net
    contribution against the baseline, extra revenue per extra unit of comp and P(better)."""
    from salessim.ui.formatting import ci_label, interval, number
    from salessim.ui.i18n import tr

    ci = ci_label(lang)
    t = pd.DataFrame({tr("design", lang): econ["design"].astype(str)})
    if target_pay:
        t[tr("target pay", lang) + " (100%)"] = [money(target_pay.get(str(d)), currency, 1) for d in econ["design"]]
    for col in ("revenue", "comp cost", "management cost"):
        t[tr(col, lang)] = [money(v, currency, 2) for v in econ[col]]
    t[f"{tr('net contribution', lang)} ({ci})"] = [interval(m, lo, hi, currency, currency) for m, lo, hi in
                                                 zip(econ["net contribution"], econ["net_low"], econ["net_high"], strict=True)]
    is_base = econ["design"].astype(str) == str(baseline or econ["design"].iloc[0])
    t[f"{tr('net contribution vs baseline', lang)} ({ci})"] = [
        "—" if b else interval(m, lo, hi, currency, currency, change=True)
        for b, m, lo, hi in zip(is_base, econ["d_net"], econ["d_net_low"], econ["d_net_high"], strict=True)]
    t[tr("incremental revenue per extra $ of comp", lang)] = [
        "—" if b or pd.isna(v) else number(v) for b, v in zip(is_base, econ["revenue_per_comp"], strict=True)]
    t[tr("P(better than baseline)", lang)] = ["—" if b else percent(v, 0) for b, v in zip(is_base, econ["p_better"], strict=True)]
    return _styled(t)


def segment_table(segments: pd.DataFrame, currency: str = "USD", lang: str = "en") -> Styler:
    """Revenue per design and segment (from :func:`~salessim.analysis.economics.segment_revenue`),
    one row per design, one column per segment: the mean revenue and, for the other designs, the
    paired change to the baseline with its interval under it."""
    from salessim.ui.formatting import ci_label
    from salessim.ui.i18n import tr

    designs = list(dict.fromkeys(str(x) for x in segments["design"]))
    base = designs[0]
    cells = segments.assign(design=segments["design"].astype(str), text=[
        change_cell(money(r, currency, 2), np.nan if str(d) == base else m, lo, hi, currency, currency, (lo > 0) or (hi < 0))
        for d, r, m, lo, hi in zip(segments["design"], segments["revenue"], segments["change"], segments["change_low"],
                                   segments["change_high"], strict=True)])
    t = cells.pivot(index="design", columns="segment", values="text").reindex(designs)
    t.columns = [str(c) for c in t.columns]
    t = t.reset_index().rename(columns={"design": tr("design", lang)})
    styler = (t.style.hide(axis="index").set_table_styles(TABLE_CSS)
              .set_properties(subset=t.columns[1:], **{"text-align": "right", "white-space": "nowrap"}))
    return _left_first(styler).set_caption(
        f"{tr('revenue', lang)} {tr('by segment', lang)}; {tr('change', lang)} vs {tr('baseline', lang)} ({ci_label(lang)})")


def rep_changes_table(changes: pd.DataFrame, currency: str = "USD", top: int = 5, lang: str = "en") -> Styler:
    """The ``top`` biggest losers and winners of a plan change (from
    :func:`~salessim.analysis.economics.rep_pay_changes`), for a rollout conversation."""
    from salessim.ui.i18n import tr

    d = pd.concat([changes.head(top), changes.tail(top)]).drop_duplicates("rep")
    group = {"winner": tr("winners", lang), "loser": tr("losers", lang), "about the same": "≈"}
    t = pd.DataFrame({tr("rep", lang): d["rep"],
                      tr("total pay", lang) + f" ({tr('before', lang)})": [money(v, currency, 1) for v in d["pay_current"]],
                      tr("total pay", lang) + f" ({tr('after', lang)})": [money(v, currency, 1) for v in d["pay_proposed"]],
                      tr("change", lang): [money(v, currency, 1, signed=True) for v in d["change"]],
                      "%": [percent(v, 0, signed=True) for v in d["change_share"]],
                      tr("bookings", lang) + f" ({tr('after', lang)})": [money(v, currency, 1) for v in d["bookings_proposed"]],
                      "": [group[g] for g in d["group"]]})
    return _styled(t)


#: Units of the stress-test metrics (:attr:`salessim.experiments.stress.StressTest.METRICS`).
STRESS_UNITS = {"revenue": None, "cost of sales": "%", "attainment median": "%", "reps at or above quota": "%",
                "annual attrition": "%"}


def stress_frame(runs: pd.DataFrame, summary: pd.DataFrame, currency: str = "USD", share: float = 0.1,
                 lang: str = "en", level: float | None = None) -> pd.DataFrame:
    """A stress test (``StressTest.runs`` and ``.summary()``) as text, one row per variant and
    metric: the mean, the unfavourable tail named by direction (the low tail of revenue, the
    high tail of cost of sales and attrition: the level one year in ``1/share`` is worse than),
    the paired change to the baseline with its interval (points for rates), months to recover."""
    from salessim.ui.formatting import ci_label, interval, tail_label, tail_quantile
    from salessim.ui.formatting import value as fmt_value
    from salessim.ui.i18n import tr

    baseline = str(summary["variant"].iloc[0])
    rows = []
    for r in summary[summary["metric"].isin(list(STRESS_UNITS))].to_dict("records"):
        unit = STRESS_UNITS[r["metric"]] or currency
        x = runs.loc[runs["variant"] == r["variant"], r["metric"]].astype(float)
        tail = float(x.quantile(tail_quantile(r["metric"], share)))
        change = "—" if str(r["variant"]) == baseline else interval(
            r["change vs baseline"], r["ci low"], r["ci high"], unit, currency, change=True)
        rows.append({tr("scenario", lang): str(r["variant"]), tr("KPI", lang): tr(r["metric"], lang),
                     tr("mean", lang): fmt_value(r["mean"], unit, currency),
                     "tail": f"{fmt_value(tail, unit, currency)} ({tail_label(r['metric'], share, lang)})",
                     f"{tr('change', lang)} ({ci_label(lang, level)})": change})
    out = pd.DataFrame(rows)
    return out.rename(columns={"tail": "不利年份（十年一遇）" if lang == "zh" else f"bad year (1 in {round(1 / share)})"})


def stress_table(runs: pd.DataFrame, summary: pd.DataFrame, currency: str = "USD", share: float = 0.1,
                 lang: str = "en") -> Styler:
    """:func:`stress_frame` as a table."""
    return _styled(stress_frame(runs, summary, currency, share, lang))


#: Units of the intervention-return metrics (``InterventionROI.summary()``).
ROI_UNITS = {"incremental revenue": None, "incremental margin": None, "intervention cost": None, "net return": None,
             "ROI": "x", "payback month (mean curve)": "month", "share of replications paid back in horizon": "%"}


def roi_frame(summary: pd.DataFrame, currency: str = "USD", lang: str = "en", level: float | None = None) -> pd.DataFrame:
    """An intervention's return (``InterventionROI.summary()``) as text: money compact, a fixed
    cost without an interval, ROI as a multiple, payback as a month (``not in horizon``)."""
    from salessim.ui.formatting import ci_label, interval, number
    from salessim.ui.formatting import value as fmt_value
    from salessim.ui.i18n import tr

    rows = []
    for r in summary.to_dict("records"):
        unit = ROI_UNITS.get(r["metric"], "")
        mean, lo, hi = r["mean"], r["ci low"], r["ci high"]
        if unit is None:
            text = interval(mean, lo, hi, currency, currency)
        elif unit == "x":
            text = f"{number(mean)}x" + ("" if pd.isna(lo) or lo == hi else f" [{number(lo)}x, {number(hi)}x]")
        elif unit == "month":
            if pd.isna(mean):
                text = "不在模拟期内" if lang == "zh" else "not in horizon"
            else:
                text = f"第 {mean:.0f} 月" if lang == "zh" else f"month {mean:.0f}"
        else:
            text = fmt_value(mean, unit, currency)
        rows.append({tr("KPI", lang): tr(r["metric"], lang), f"{tr('mean', lang)} [{ci_label(lang, level)}]": text})
    return pd.DataFrame(rows)


def comparison_frame(summary: pd.DataFrame, currency: str = "USD", kpis: list[str] | None = None,
                     level: float | None = None, lang: str = "en") -> pd.DataFrame:
    """``Comparison.summary()`` as text, one row per KPI and scenario: the mean with its
    interval and, for the other scenarios, the paired difference to the baseline with its
    interval (rates in percentage points; ``*``: the interval excludes 0; a difference without
    spread has neither interval nor star)."""
    from salessim.ui.formatting import ci_label, interval, is_deterministic, percent
    from salessim.ui.i18n import tr

    s = summary if kpis is None else summary[summary["kpi"].isin(kpis)]
    ci = ci_label(lang, level)
    rows = []
    for r in s.to_dict("records"):
        unit = r["unit"]
        diff = "—"
        if pd.notna(r["diff"]):
            fixed = is_deterministic(r["diff_low"], r["diff_high"], r["diff"])
            star = " *" if not fixed and r["significant"] is not pd.NA and bool(r["significant"]) else ""
            rel = "" if unit == "%" or pd.isna(r["diff_pct"]) else f" ({percent(r['diff_pct'], 1, signed=True)})"
            diff = interval(r["diff"], r["diff_low"], r["diff_high"], unit, currency, change=True) + rel + star
        rows.append({tr("KPI", lang): tr(r["kpi"], lang), tr("scenario", lang): str(r["scenario"]),
                     f"{tr('mean', lang)} [{ci}]": interval(r["mean"], r["ci_low"], r["ci_high"], unit, currency),
                     f"{tr('change', lang)} [{ci}]": diff})
    return pd.DataFrame(rows)
