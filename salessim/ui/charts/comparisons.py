"""Charts and tables comparing designs (comp plans, org structures, quota strategies) side by side.

Inputs are the tidy frames of :mod:`salessim.analysis.comparisons` and ``Comparison.summary()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator
from pandas.io.formats.style import Styler

from salessim.ui.charts.style import (
    BAD,
    GOOD,
    HIGHLIGHT,
    currency_axis,
    new_axes,
    percent_axis,
    plan_colours,
    source_note,
)
from salessim.ui.formatting import money, percent
from salessim.ui.formatting import value as fmt_value
from salessim.ui.i18n import tr
from salessim.ui.tables import TABLE_CSS, change_cell


def _fmt(value: float, unit: str, currency: str, signed: bool = False) -> str:
    """A value in its unit; ``signed``: a difference (rates in percentage points)."""
    return fmt_value(value, unit, currency, change=signed)


def _n_label(name: str, n: int) -> str:
    return f"{name}\n(n={n:,})"


def _axis(ax: Axes, unit: str, currency: str, axis: str = "y") -> None:
    if unit == "%":
        percent_axis(ax, axis=axis, digits=0)
    elif unit == currency:
        currency_axis(ax, currency, axis=axis)


def pay_curve_chart(curves: Mapping[str, pd.DataFrame], currency: str = "USD", ax: Axes | None = None,
                    component: str = "total", title: str = "Pay curves: annual pay by quota attainment") -> Axes:
    """One line per plan of annual pay (``component``: ``total`` or ``variable``) against attainment,
    from ``{plan name: salessim.comp.pay_curve(plan)}``."""
    ax = new_axes(ax, (9, 5))
    colours = plan_colours(list(curves))
    for name, c in curves.items():
        d = c[c["component"] == component]
        ax.plot(d["attainment"], d["amount"], lw=2, label=name, color=colours[str(name)])
    ax.axvline(1.0, color="#333", ls=":", lw=1)
    percent_axis(ax, axis="x")
    currency_axis(ax, currency)
    ax.set_xlabel("quota attainment (bookings / quota)")
    ax.set_ylabel(f"{'total' if component == 'total' else 'variable'} pay per year ({currency})")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    return ax


def per_rep_by_design_chart(outcomes: pd.DataFrame, value: str, currency: str | None = None, ax: Axes | None = None,
                            title: str = "", ylabel: str = "", reference: float | None = None) -> Axes:
    """Box plot (with the reps as dots) of a per-rep quantity by design, from
    :func:`~salessim.analysis.comparisons.rep_outcomes`. ``currency=None``: a percentage axis."""
    ax = new_axes(ax, (9, 4.8))
    d = outcomes.dropna(subset=[value])
    order = [str(x) for x in d["design"].cat.categories] if hasattr(d["design"], "cat") else list(dict.fromkeys(map(str, d["design"])))
    order = [o for o in order if (d["design"].astype(str) == o).any()]
    colours = plan_colours(order)
    sns.boxplot(d.assign(design=d["design"].astype(str)), x="design", y=value, order=order, hue="design", hue_order=order,
                palette=colours, legend=False, ax=ax, showfliers=False, whis=(5, 95), width=0.6,
                boxprops={"alpha": 0.75})
    counts = d["design"].astype(str).value_counts()
    ax.set_xticks(range(len(order)), [_n_label(o, int(counts[o])) for o in order], rotation=15, ha="right", fontsize=9)
    if reference is not None:
        ax.axhline(reference, color=HIGHLIGHT, lw=1.5)
    if currency:
        currency_axis(ax, currency)
    else:
        percent_axis(ax)
    ax.set_xlabel("")
    ax.set_ylabel(ylabel or value)
    for label in ax.get_xticklabels():
        label.set_rotation(15)
        label.set_ha("right")
    ax.set_title(title)
    return ax


def design_kpi_chart(summary: pd.DataFrame, kpi: str, currency: str = "USD", ax: Axes | None = None,
                     title: str | None = None, baseline: str | None = None, lang: str = "en") -> Axes:
    """Bars of one KPI's mean per design with its 95% confidence interval (from
    ``Comparison.summary()``); the baseline bar is highlighted."""
    d = summary[summary["kpi"] == kpi].reset_index(drop=True)
    unit = str(d["unit"].iloc[0])
    ax = new_axes(ax, (9, 4.5))
    x = np.arange(len(d))
    base = baseline or str(d["scenario"].iloc[0])
    colours = plan_colours([str(s) for s in d["scenario"]])
    ax.bar(x, d["mean"], color=[colours[str(s)] for s in d["scenario"]],
           edgecolor=["#222" if str(s) == base else "none" for s in d["scenario"]], linewidth=1.5)
    err = np.vstack([d["mean"] - d["ci_low"], d["ci_high"] - d["mean"]])
    ok = np.isfinite(err).all(axis=0)
    ax.errorbar(x[ok], d["mean"][ok], yerr=err[:, ok], fmt="none", ecolor="#333", capsize=4)
    top = np.where(np.isfinite(d["ci_high"]), np.fmax(d["ci_high"], d["mean"]), d["mean"])
    for xi, t, m in zip(x, top, d["mean"], strict=True):  # labels above the error bars
        ax.annotate(_fmt(m, unit, currency), (xi, t), xytext=(0, 3), textcoords="offset points",
                    ha="center", va="bottom", fontsize=9)
    ax.margins(y=0.12)
    ax.set_xticks(x, [str(s) for s in d["scenario"]], rotation=15, ha="right")
    _axis(ax, unit, currency)
    ax.set_ylabel(tr(kpi, lang) + ("" if unit in ("%", currency) else f" ({unit})"))
    ax.set_title(title or f"{tr(kpi, lang)} (mean, 95% CI; outlined = {base})")
    n = int(d["n"].max()) if "n" in d and d["n"].notna().any() else None
    source_note(ax, n, lang)
    return ax


def paired_difference_chart(summary: pd.DataFrame, kpis: Sequence[str], currency: str = "USD",
                            higher_is_better: Mapping[str, bool | None] | None = None,
                            title: str = "Difference to the baseline, paired by replication (95% CI)") -> Axes:
    """One panel per KPI: each design's paired difference to the baseline with its 95% CI
    (green: clearly better, red: clearly worse, grey: no clear difference)."""
    import matplotlib.pyplot as plt

    better = higher_is_better or {}
    d = summary[summary["kpi"].isin(kpis) & summary["diff"].notna()]
    designs = list(dict.fromkeys(str(s) for s in d["scenario"]))
    cols = min(2, len(kpis))
    nrows = -(-len(kpis) // cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(6 * cols, (0.45 * len(designs) + 1.6) * nrows), sharey=True, squeeze=False)
    for ax in axes.flat[len(kpis):]:
        ax.set_visible(False)
    for ax, kpi in zip(axes.flat, kpis, strict=False):
        g = d[d["kpi"] == kpi]
        unit = str(g["unit"].iloc[0]) if len(g) else ""
        y = np.arange(len(designs))[::-1]
        for yi, name in zip(y, designs, strict=True):
            r = g[g["scenario"].astype(str) == name]
            if r.empty:
                continue
            r = r.iloc[0]
            clear = bool(np.isfinite(r["diff_low"]) and (r["diff_low"] > 0 or r["diff_high"] < 0))
            direction = better.get(kpi, True)
            colour = "#8C8C8C" if not clear else ("#4C72B0" if direction is None else (GOOD if (r["diff"] > 0) == direction else BAD))
            if np.isfinite(r["diff_low"]):
                ax.plot([r["diff_low"], r["diff_high"]], [yi, yi], color=colour, lw=3, solid_capstyle="round")
            ax.plot([r["diff"]], [yi], "o", color=colour, ms=7)
        ax.axvline(0, color="#333", lw=1)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.set_yticks(y, designs)
        _axis(ax, unit, currency, axis="x")
        ax.set_title(kpi, fontsize=11)
        ax.set_xlabel("percentage points" if unit == "%" else f"difference ({unit})")
    fig.suptitle(title, fontweight="bold")
    fig.tight_layout()
    return axes.flat[0]


def pay_change_chart(changes: pd.DataFrame, currency: str = "USD", ax: Axes | None = None,
                     title: str = "Winners and losers: change in each rep's annual pay") -> Axes:
    """Bars per rep seat (sorted) of the change in total pay, from
    :func:`~salessim.analysis.comparisons.pay_changes`: green = gains, red = loses."""
    ax = new_axes(ax, (9, 4.5))
    x = np.arange(len(changes))
    ax.bar(x, changes["change"], color=[GOOD if v >= 0 else BAD for v in changes["change"]])
    ax.axhline(0, color="#333", lw=1)
    if len(changes) <= 40:
        ax.set_xticks(x, changes["rep"], rotation=90, fontsize=9)
    else:  # too many reps to name: count them instead
        ax.set_xlim(-1, len(changes))
    currency_axis(ax, currency)
    ax.set_xlabel("reps (territory seats), from biggest loser to biggest winner")
    ax.set_ylabel(f"change in annual pay ({currency})")
    ax.set_title(title)
    return ax


def hockey_stick_chart(weeks: pd.DataFrame, ax: Axes | None = None,
                       title: str = "Hockey stick: share of bookings by week of the quarter") -> Axes:
    """Lines per design of the share of bookings closed in each week of the quarter, from
    :func:`~salessim.analysis.comparisons.hockey_stick_by_week`; even bookings = 1/13 per week."""
    ax = new_axes(ax, (9, 4.5))
    names = list(dict.fromkeys(str(x) for x in weeks["design"]))
    sns.lineplot(weeks.assign(design=weeks["design"].astype(str)), x="week", y="share", hue="design", hue_order=names,
                 palette=plan_colours(names), marker="o", ax=ax)
    ax.axhline(1 / 13, color="#333", ls=":", lw=1, label="even (1/13 a week)")
    percent_axis(ax, digits=0)
    ax.set_xticks(range(1, 14))
    ax.set_xlabel("week of the quarter")
    ax.set_ylabel("share of bookings")
    ax.set_title(title)
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def effort_band_chart(bands: pd.DataFrame, ax: Axes | None = None,
                      title: str = "Coasting: rep effort by year-to-date attainment") -> Axes:
    """Grouped bars of mean effort (1.0 = normal) per band of year-to-date attainment and design,
    from :func:`~salessim.analysis.comparisons.effort_by_ytd_attainment`."""
    ax = new_axes(ax, (9, 4.5))
    names = list(dict.fromkeys(str(x) for x in bands["design"]))
    sns.barplot(bands.assign(design=bands["design"].astype(str)), x="band", y="effort", hue="design", hue_order=names,
                palette=plan_colours(names), ax=ax)
    ax.axhline(1.0, color="#333", ls=":", lw=1)
    percent_axis(ax)
    ax.set_xlabel("year-to-date attainment at the start of the month")
    ax.set_ylabel("effort (100% = normal)")
    ax.set_title(title)
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


#: Most designs side by side in one table (more are split into tables of this many, baseline repeated).
MAX_DESIGNS = 6
class Tables:
    """Several tables shown one under the other (a wide comparison split by columns)."""

    def __init__(self, parts: Sequence[Styler]):
        self.parts = list(parts)

    def _repr_html_(self) -> str:
        return "".join(p.to_html() for p in self.parts)

    def to_html(self) -> str:
        return self._repr_html_()


def design_table(summary: pd.DataFrame, kpis: Sequence[str], currency: str = "USD", lang: str = "en",
                 max_designs: int = MAX_DESIGNS) -> Styler | Tables:
    """Per KPI and design: the mean and, for non-baseline designs, the paired difference to the
    baseline with its confidence interval under it (``*`` = the interval excludes zero); a
    difference without spread (a fixed cost) is shown without an interval or star. More than
    ``max_designs`` designs: several tables, each starting with the baseline."""
    d = summary[summary["kpi"].isin(kpis)]
    rows = []
    for r in d.itertuples():
        cell = change_cell(_fmt(r.mean, r.unit, currency), r.diff, r.diff_low, r.diff_high, r.unit, currency, r.significant)
        rows.append({"KPI": tr(r.kpi, lang), "design": str(r.scenario), "cell": cell})
    designs = list(dict.fromkeys(str(s) for s in d["scenario"]))
    t = pd.DataFrame(rows).pivot(index="KPI", columns="design", values="cell")
    t = t.reindex(index=[tr(k, lang) for k in kpis if tr(k, lang) in t.index], columns=designs)
    t.columns.name = None
    t = t.reset_index().rename(columns={"KPI": tr("KPI", lang)})
    first = t.columns[0]
    others = designs[1:]
    step = max(1, max_designs - 1)
    groups = [others[i:i + step] for i in range(0, len(others), step)] or [[]]
    parts = []
    for g in groups:
        part = t[[first, designs[0], *g]].rename(columns=lambda n: tr(n, lang) if n != first else n)
        parts.append(part.style.hide(axis="index").set_table_styles(TABLE_CSS)
                     .set_properties(subset=part.columns[1:], **{"text-align": "right", "white-space": "nowrap"})
                     .set_properties(subset=[first], **{"text-align": "left", "font-weight": "bold", "min-width": "10em"}))
    return parts[0] if len(parts) == 1 else Tables(parts)


def frame_table(frame: pd.DataFrame, currency: str = "USD", money_cols: Sequence[str] = (),
                pct_cols: Sequence[str] = (), digits: Mapping[str, str] | None = None, lang: str = "en") -> Styler:
    """Any tidy frame as a readable table: money and percentage columns formatted, no index,
    headers in ``lang``."""
    fmt: dict = {c: (lambda v, _c=currency: money(v, _c, digits=2)) for c in money_cols}
    fmt.update({c: (lambda v: percent(v)) for c in pct_cols})
    fmt.update(digits or {})
    names = {c: tr(c, lang) for c in frame.columns}
    frame = frame.rename(columns=names)
    fmt = {names.get(k, k): v for k, v in fmt.items()}
    first = frame.columns[0]
    return (frame.style.hide(axis="index").format(fmt, na_rep="—")
            .set_properties(subset=[first], **{"text-align": "left"})
            .set_table_styles({first: [{"selector": "th", "props": [("text-align", "left")]}]}, overwrite=False))


def territory_load_chart(loads: pd.DataFrame, measure: str = "workload", ax: Axes | None = None,
                         tolerance: float = 0.1, title: str = "Territory balance: each rep's workload vs a fair share") -> Axes:
    """Each rep's ``measure`` index (its workload or potential over its fair share; 100% = fair),
    sorted, one line per design, with the ±``tolerance`` band (from
    :func:`~salessim.analysis.comparisons.territory_loads`)."""
    ax = new_axes(ax, (9, 4.5))
    col = f"{measure}_index"
    for name, g in loads.groupby("design", observed=True, sort=False):
        v = np.sort(g[col].to_numpy())[::-1]
        ax.plot(np.arange(1, len(v) + 1), v, marker="o", ms=3, lw=1.8, label=str(name))
    ax.axhspan(1 - tolerance, 1 + tolerance, color=GOOD, alpha=0.12, label=f"fair ±{tolerance:.0%}")
    ax.axhline(1.0, color="#333", lw=1, ls=":")
    percent_axis(ax)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("reps, from most to least loaded")
    ax.set_ylabel(f"{measure} / fair share")
    ax.set_title(title)
    ax.legend(fontsize=9)
    return ax


def fairness_chart(points: pd.DataFrame, ax: Axes | None = None,
                   title: str = "Fairness: attainment against territory potential") -> Axes:
    """Small multiples, one panel per design: each rep's attainment against its territory
    potential (100% = the average territory; all replications, n in the panel title) with the
    least-squares line, from :func:`~salessim.analysis.comparisons.attainment_vs_potential`.
    A flat line is a fair quota. ``ax`` is ignored (the chart needs one panel per design)."""
    import matplotlib.pyplot as plt

    d = points.dropna()
    names = list(dict.fromkeys(str(x) for x in d["design"]))
    colours = plan_colours(names)
    cols = min(3, len(names))
    nrows = -(-len(names) // cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(4.2 * cols, 3.4 * nrows), sharex=True, sharey=True, squeeze=False)
    for a in axes.flat[len(names):]:
        a.set_visible(False)
    for a, name in zip(axes.flat, names, strict=False):
        g = d[d["design"].astype(str) == name]
        alpha = float(np.clip(8 / np.sqrt(max(len(g), 1)), 0.15, 0.8))  # few reps: solid dots; thousands: faint
        a.scatter(g["potential_index"], g["attainment"], s=10, alpha=alpha, color=colours[name], linewidths=0)
        if len(g) > 2 and g["potential_index"].nunique() > 1:
            slope, icpt = np.polyfit(g["potential_index"], g["attainment"], 1)
            x = np.linspace(g["potential_index"].min(), g["potential_index"].max(), 20)
            a.plot(x, icpt + slope * x, color="#222", lw=2)
        a.axhline(1.0, color="#333", ls=":", lw=1)
        a.set_title(f"{name} (n={len(g):,})", fontsize=10)
        percent_axis(a)
        percent_axis(a, axis="x")
    for a in axes[-1]:
        a.set_xlabel("territory potential (100% = average)")
    for a in axes[:, 0]:
        a.set_ylabel("attainment")
    fig.suptitle(title, fontweight="bold", x=0.01, ha="left")
    fig.tight_layout()
    return axes.flat[0]
