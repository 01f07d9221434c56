"""Charts for stress tests, intervention returns and the case study (matplotlib/seaborn).

Each function takes the result object of :mod:`salessim.experiments.stress` or a frame of
:mod:`salessim.experiments.case_study` and returns the matplotlib Axes it drew on. Money in the scenario
currency (compact ticks); every chart says how many replications it summarises.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from salessim.experiments.roi import InterventionROI
from salessim.experiments.stress import StressTest
from salessim.ui.charts.style import currency_axis, percent_axis, plan_colours, source_note


def _axes(ax):
    return ax if ax is not None else plt.subplots(figsize=(8, 4))[1]


def revenue_distribution(st: StressTest, currency: str = "USD", ax=None):
    """Revenue per replication for each variant as a box (middle half, whiskers P5-P95) with
    its P10 marked and the number of replications in the label."""
    ax = _axes(ax)
    runs = st.runs
    order = list(dict.fromkeys(runs["variant"]))
    colours = plan_colours(order)
    sns.boxplot(data=runs, y="variant", x="revenue", order=order, hue="variant", hue_order=order, palette=colours,
                legend=False, ax=ax, whis=(5, 95), showfliers=False, width=0.55, boxprops={"alpha": 0.8})
    p10 = runs.groupby("variant", sort=False)["revenue"].quantile(0.1)
    for i, name in enumerate(order):
        v = p10[name]
        ax.plot([v, v], [i - 0.35, i + 0.35], color="#222", lw=2.5)
    n = runs.groupby("variant", sort=False).size()
    ax.set_yticks(range(len(order)), [f"{o}\n(n={n[o]})" for o in order])
    currency_axis(ax, currency, axis="x")
    ax.set(xlabel="revenue over the horizon; black bar: bad year (P10), whiskers P5-P95", ylabel="")
    ax.set_title("Revenue per replication")
    source_note(ax, int(n.max()), spread=True)
    return ax


def monthly_bookings(st: StressTest, currency: str = "USD", ax=None):
    """Mean monthly bookings per variant, with the 10-90% band over replications."""
    ax = _axes(ax)
    colours = plan_colours(list(dict.fromkeys(st.monthly["variant"])))
    for variant, g in st.monthly.groupby("variant", sort=False):
        by = g.groupby("month_no")["bookings"]
        mean, lo, hi = by.mean(), by.quantile(0.1), by.quantile(0.9)
        ax.plot(mean.index, mean.to_numpy(), label=variant, color=colours[str(variant)])
        ax.fill_between(mean.index, lo.to_numpy(), hi.to_numpy(), alpha=0.12, color=colours[str(variant)])
    currency_axis(ax, currency)
    ax.set(xlabel="measured month", ylabel="bookings per month")
    ax.set_title("Monthly bookings (band: 10-90% of replications)")
    ax.legend(frameon=False, loc="lower left", fontsize=9)
    source_note(ax, int(st.monthly["replication"].nunique()) if "replication" in st.monthly else None)
    return ax


def payback_curve(roi: InterventionROI, currency: str = "", ax=None):
    """Cumulative net return (margin - cost) per month: mean and 10-90% band over replications."""
    ax = _axes(ax)
    by = roi.monthly.groupby("month_no")["cumulative net"]
    mean = by.mean()
    ax.plot(mean.index, mean.to_numpy(), color="C0", label="mean")
    ax.fill_between(mean.index, by.quantile(0.1).to_numpy(), by.quantile(0.9).to_numpy(),
                    alpha=0.2, label="10-90% of replications")
    ax.axhline(0, color="0.3", lw=0.8)
    pay = roi.payback_month()
    if np.isfinite(pay):
        ax.axvline(pay, color="firebrick", ls="--", label=f"payback: month {pay:.0f}")
    currency_axis(ax, currency)
    ax.set(xlabel="measured month", ylabel="cumulative net return")
    ax.set_title("CRM: cumulative net return (margin − cost)")
    ax.legend(frameon=False, loc="upper left", fontsize=9)
    if "replication" in roi.monthly:
        source_note(ax, int(roi.monthly["replication"].nunique()))
    return ax


def outcome_scatter(runs: pd.DataFrame, target_revenue: float = 0.30, target_cycle: float = -0.25, ax=None):
    """Revenue change against cycle change per replication; the target corner shaded."""
    ax = _axes(ax)
    ax.scatter(runs["cycle change"], runs["revenue change"], s=18, alpha=0.7)
    lo_x = min(runs["cycle change"].min(), target_cycle) - 0.05
    hi_y = max(runs["revenue change"].max(), target_revenue) + 0.05
    ax.fill_between([lo_x, target_cycle], target_revenue, hi_y, color="C2", alpha=0.15,
                    label="published outcome or better")
    percent_axis(ax)
    percent_axis(ax, axis="x")
    ax.set(xlabel="sales cycle change", ylabel="sales change")
    ax.set_title("Drawn effect sizes: outcome per replication")
    ax.legend(frameon=False, loc="lower right", fontsize=9)
    source_note(ax, len(runs), spread=True)
    return ax
