"""Charts for stress tests, intervention returns and the case study (matplotlib/seaborn).

Each function takes the result object of :mod:`salessim.experiments.stress` or a frame of
:mod:`salessim.experiments.case_study` and returns the matplotlib Axes it drew on. Money in millions of the
scenario currency.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from salessim.experiments.roi import InterventionROI
from salessim.experiments.stress import StressTest


def _axes(ax):
    return ax if ax is not None else plt.subplots(figsize=(8, 4))[1]


def revenue_distribution(st: StressTest, currency: str = "", ax=None):
    """Revenue per replication for each variant, with the P10 marked (box + points)."""
    ax = _axes(ax)
    runs = st.runs.assign(revenue_m=st.runs["revenue"] / 1e6)
    sns.boxplot(data=runs, y="variant", x="revenue_m", ax=ax, color="0.9", whis=(5, 95), showfliers=False)
    sns.stripplot(data=runs, y="variant", x="revenue_m", ax=ax, size=4, alpha=0.7)
    p10 = runs.groupby("variant", sort=False)["revenue_m"].quantile(0.1)
    for i, v in enumerate(p10):
        ax.plot([v, v], [i - 0.4, i + 0.4], color="firebrick", lw=2)
    ax.set(xlabel=f"revenue over the horizon (M {currency}); red: P10, whiskers P5-P95", ylabel="")
    return ax


def monthly_bookings(st: StressTest, currency: str = "", ax=None):
    """Mean monthly bookings per variant, with the 10-90% band over replications."""
    ax = _axes(ax)
    for variant, g in st.monthly.groupby("variant", sort=False):
        by = g.groupby("month_no")["bookings"]
        mean, lo, hi = by.mean() / 1e6, by.quantile(0.1) / 1e6, by.quantile(0.9) / 1e6
        ax.plot(mean.index, mean.to_numpy(), label=variant)
        ax.fill_between(mean.index, lo.to_numpy(), hi.to_numpy(), alpha=0.15)
    ax.set(xlabel="measured month", ylabel=f"bookings (M {currency})")
    ax.legend(frameon=False)
    return ax


def payback_curve(roi: InterventionROI, currency: str = "", ax=None):
    """Cumulative net return (margin - cost) per month: mean and 10-90% band over replications."""
    ax = _axes(ax)
    by = roi.monthly.groupby("month_no")["cumulative net"]
    mean = by.mean() / 1e6
    ax.plot(mean.index, mean.to_numpy(), color="C0", label="mean")
    ax.fill_between(mean.index, by.quantile(0.1).to_numpy() / 1e6, by.quantile(0.9).to_numpy() / 1e6,
                    alpha=0.2, label="10-90% of replications")
    ax.axhline(0, color="0.3", lw=0.8)
    pay = roi.payback_month()
    if np.isfinite(pay):
        ax.axvline(pay, color="firebrick", ls="--", label=f"payback: month {pay:.0f}")
    ax.set(xlabel="measured month", ylabel=f"cumulative net return (M {currency})")
    ax.legend(frameon=False)
    return ax


def outcome_scatter(runs: pd.DataFrame, target_revenue: float = 0.30, target_cycle: float = -0.25, ax=None):
    """Revenue change against cycle change per replication; the target corner shaded."""
    ax = _axes(ax)
    ax.scatter(runs["cycle change"] * 100, runs["revenue change"] * 100, s=18)
    lo_x = min(runs["cycle change"].min() * 100, target_cycle * 100) - 5
    hi_y = max(runs["revenue change"].max() * 100, target_revenue * 100) + 5
    ax.fill_between([lo_x, target_cycle * 100], target_revenue * 100, hi_y, color="C2", alpha=0.15,
                    label="published outcome or better")
    ax.set(xlabel="sales cycle change (%)", ylabel="sales change (%)")
    ax.legend(frameon=False)
    return ax
