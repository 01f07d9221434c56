"""Seaborn/matplotlib charts a non-analyst can read: titled, labelled, currency and % axes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from salessim.analysis.funnel import Bottleneck
from salessim.ui.charts.style import (
    BAD,
    GOOD,
    HIGHLIGHT,
    NEUTRAL,
    currency_axis,
    new_axes,
    percent_axis,
    source_note,
)
from salessim.ui.formatting import money, percent

#: Which direction is good per KPI: True = higher is better (the default), False = lower is
#: better, None = neither (shown grey: a change, not a verdict).
KPI_DIRECTION: dict[str, bool | None] = {
    "median sales cycle (won)": False, "capacity utilisation": None, "leads": None, "pipeline coverage": None,
}


def funnel_chart(funnel: pd.DataFrame, currency: str = "USD", ax: Axes | None = None,
                 title: str = "Sales funnel: deals reaching each stage",
                 highlight: str | None = None) -> Axes:
    """Centred horizontal bars (one per stage, from :func:`~salessim.analysis.funnel_table`)
    labelled with the deal count, the value, and the conversion from the stage above."""
    ax = new_axes(ax, (9, 0.7 * len(funnel) + 1.5))
    widest = float(funnel["deals"].max()) or 1.0
    y = np.arange(len(funnel))[::-1]
    colours = [HIGHLIGHT if s == highlight else NEUTRAL for s in funnel["stage"]]
    ax.barh(y, funnel["deals"], left=(widest - funnel["deals"]) / 2, color=colours, height=0.75)
    for yi, row in zip(y, funnel.itertuples(), strict=True):
        label = f"{row.deals:,.0f} deals · {money(row.value, currency)}"
        if row.deals > 0.4 * widest:
            ax.text(widest / 2, yi, label, ha="center", va="center", color="white", fontsize=10, fontweight="bold")
        else:
            ax.text((widest + row.deals) / 2 + widest * 0.01, yi, label, ha="left", va="center", fontsize=10)
        if not np.isnan(row.conversion):
            ax.text(widest * 1.0, yi + 0.5, f"↓ {percent(row.conversion)}", va="center", ha="right",
                    fontsize=10, color=BAD if row.stage == highlight else "#333")
    ax.set_yticks(y, funnel["stage"])
    ax.set_xticks([])
    ax.set_xlim(0, widest * 1.02)
    ax.grid(False)
    sns.despine(ax=ax, left=True, bottom=True)
    ax.set_title(title)
    ax.set_xlabel("deals that ended in the period (won or lost); ↓ = conversion from the stage above")
    return ax


def bottleneck_chart(bottleneck: Bottleneck, ax: Axes | None = None) -> Axes:
    """Observed vs expected stage conversion; the bottleneck stage is highlighted."""
    ax = new_axes(ax)
    t = bottleneck.table.melt(id_vars="stage", value_vars=["expected_conversion", "conversion"],
                              var_name="which", value_name="rate")
    t["which"] = t["which"].map({"expected_conversion": "if no deal walked away for lack of rep time",
                                 "conversion": "simulated"})
    sns.barplot(t, x="stage", y="rate", hue="which", ax=ax, palette=["#B0B0B0", NEUTRAL])
    stages = list(bottleneck.table["stage"])
    i = stages.index(bottleneck.stage)
    ax.axvspan(i - 0.5, i + 0.5, color=HIGHLIGHT, alpha=0.15, zorder=0)
    percent_axis(ax)
    ax.set_xlabel("")
    ax.set_ylabel("conversion to the next stage")
    ax.set_title(f"Bottleneck: {bottleneck.stage} ({bottleneck.bound}-bound)")
    ax.legend(title=None, loc="upper left")
    return ax


def bookings_chart(bookings: pd.DataFrame, currency: str = "USD", ax: Axes | None = None,
                   title: str = "Bookings over time", replications: int | None = 1) -> Axes:
    """Bars of bookings per period on one axis, the running total written on the last bar's
    side (no second axis); says whether it shows one replication or a mean."""
    ax = new_axes(ax)
    x = np.arange(len(bookings))
    ax.bar(x, bookings["bookings"], color=NEUTRAL)
    ax.set_xticks(x, bookings["period"], rotation=45 if len(bookings) > 6 else 0, ha="right" if len(bookings) > 6 else "center")
    currency_axis(ax, currency)
    ax.set_ylabel(f"bookings per period ({currency})")
    total = float(bookings["cumulative_bookings"].iloc[-1]) if len(bookings) else np.nan
    ax.set_title(f"{title} (total {money(total, currency)})")
    source_note(ax, replications)
    return ax


def distribution_chart(values: pd.Series, currency: str | None = "USD", ax: Axes | None = None,
                       title: str = "Bookings per rep", xlabel: str = "bookings per rep",
                       reference: float | None = None, reference_label: str = "", replications: int | None = 1) -> Axes:
    """Histogram of a per-rep quantity with its median (and an optional reference line).

    ``currency=None`` formats the axis as a percentage (e.g. attainment).
    """
    ax = new_axes(ax)
    v = pd.Series(values, dtype=float).dropna()
    sns.histplot(v, bins=min(30, max(8, len(v) // 4)), color=NEUTRAL, ax=ax)
    med = float(v.median())
    label = money(med, currency) if currency else percent(med)
    ax.axvline(med, color="#333", ls="--", lw=1.2, label=f"median {label}")
    if reference is not None:
        ax.axvline(reference, color=HIGHLIGHT, lw=2, label=reference_label)
    if currency:
        currency_axis(ax, currency, axis="x")
    else:
        percent_axis(ax, axis="x")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("reps")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    source_note(ax, replications)
    return ax


def attainment_chart(attainment: pd.Series, ax: Axes | None = None,
                     title: str = "Quota attainment across reps") -> Axes:
    """Histogram of attainment (bookings / quota, 1 = 100%) with the share of reps at or above quota."""
    v = pd.Series(attainment, dtype=float).dropna()
    share = float((v >= 1.0).mean()) if len(v) else np.nan
    return distribution_chart(v, currency=None, ax=ax, title=f"{title} ({percent(share, 0)} at or above quota)",
                              xlabel="attainment (bookings / quota)", reference=1.0, reference_label="quota (100%)")


def kpi_comparison_chart(differences: pd.DataFrame, kpis: Sequence[str] | None = None,
                         ax: Axes | None = None, title: str = "Change vs baseline (95% confidence interval)",
                         higher_is_better: dict[str, bool | None] | None = None) -> Axes:
    """Relative change per KPI with its confidence interval (from
    :func:`~salessim.analysis.paired_kpi_differences`). Green: the interval is above zero for a
    KPI where more is better (or below zero where less is better); red: the reverse; blue: a
    clear change of a KPI that is neither good nor bad (:data:`KPI_DIRECTION`); grey: the
    interval includes zero (no clear change)."""
    d = differences if kpis is None else differences.set_index("kpi").loc[list(kpis)].reset_index()
    better = {**KPI_DIRECTION, **(higher_is_better or {})}
    ax = new_axes(ax, (9, 0.45 * len(d) + 1.5))
    y = np.arange(len(d))[::-1]
    for yi, row in zip(y, d.itertuples(), strict=True):
        lo, hi, mid = row.relative_ci_low, row.relative_ci_high, row.relative
        clear = bool(np.isfinite(lo) and (lo > 0 or hi < 0))
        direction = better.get(row.kpi, True)
        good = (mid > 0) == direction
        colour = (GOOD if good else BAD) if clear and direction is not None else ("#4C72B0" if clear else "#8C8C8C")
        if np.isfinite(lo):
            ax.plot([lo, hi], [yi, yi], color=colour, lw=3, solid_capstyle="round")
        ax.plot([mid], [yi], "o", color=colour, ms=7)
    ax.axvline(0, color="#333", lw=1)
    ax.set_yticks(y, d["kpi"])
    percent_axis(ax, axis="x", digits=1)
    ax.set_xlabel("change (%)")
    ax.set_title(title)
    return ax


def bottleneck_sentence(b: Bottleneck) -> str:
    """One sentence a sales leader can read."""
    row = b.table.set_index("stage").loc[b.stage]
    util = (f"reps use {b.utilisation:.0%} of their selling hours, "
            f"{b.saturated_share:.0%} of rep-months fully booked")
    if b.vacant_share > 0:
        util += f", {b.vacant_share:.0%} of territory-months without a rep"
    if b.bound == "capacity":
        return (f"Capacity-bound at '{b.stage}': it converts {row.conversion:.1%} instead of "
                f"{row.expected_conversion:.1%} because deals wait for a rep and walk away "
                f"(~{row.lost_for_time:,.0f} deals, {money(row.lost_for_time_value, b.currency)} "
                f"of pipeline); {util}.")
    return (f"Conversion-bound at '{b.stage}': it converts only {row.conversion:.1%} (as designed); "
            f"+1 point of conversion there adds ~{row.wins_per_point:,.1f} won deals; {util}.")
