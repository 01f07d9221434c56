"""The bookings forecast from today's pipeline in business words: the fan chart, the monthly and
per-owner tables and the forecast back-test (:mod:`salessim.calibrate.forecast`)."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from salessim.calibrate.forecast import Forecast, ForecastBacktest
from salessim.ui.charts.style import NEUTRAL, currency_axis, new_axes, source_note
from salessim.ui.formatting import count, money, percent


def fan_chart(fc: Forecast, ax: Axes | None = None, actual: pd.Series | None = None) -> Axes:
    """Cumulative bookings through the forecast window: the likely path (P50), the 10-90% band
    over the replications, the part already in today's pipeline (mean), and with quotas the team
    quota for the window. ``actual``: cumulative actual bookings by date, drawn on top (back-tests)."""
    ax = new_axes(ax, (8, 4.2))
    d = fc.daily
    x = d["date"] + pd.Timedelta(days=1)  # bookings up to the end of the day
    ax.fill_between(x, d["p10"], d["p90"], color=NEUTRAL, alpha=0.18, lw=0, label="10-90% of outcomes")
    ax.plot(x, d["p50"], color=NEUTRAL, lw=2, label="likely (P50)")
    open_total = float(fc.monthly.set_index("month").loc["total", "from_open_pipeline"])
    ax.axhline(open_total, color="#777", lw=1, ls=":", label=f"expected from today's open deals ({money(open_total, fc.currency)})")
    if "quota" in fc.owners and np.isfinite(fc.owners["quota"]).any():
        q = float(np.nansum(fc.owners["quota"]))
        ax.axhline(q, color="#C44E52", lw=1.2, ls="--", label=f"team quota ({money(q, fc.currency)})")
    if actual is not None:
        ax.plot(pd.to_datetime(actual.index), actual.to_numpy(), color="#222", lw=1.5, label="actual")
    for m in fc.months[1:]:
        ax.axvline(m.start_time, color="#ccc", lw=0.8, zorder=0)
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    currency_axis(ax, fc.currency)
    ax.set(xlabel="", ylabel="bookings so far in the window", ylim=(0, None))
    ax.set_title(f"Bookings forecast {fc.months[0].strftime('%b')}-{fc.months[-1].strftime('%b %Y')} "
                 f"from the pipeline on {fc.as_of:%d %b %Y}")
    ax.legend(frameon=False, loc="upper left", fontsize=9)
    source_note(ax, fc.replications, spread=True)
    return ax


def monthly_frame(fc: Forecast) -> pd.DataFrame:
    """Bookings per month and in total as text: low (P10), likely (P50), high (P90), and the
    expected split between today's open deals and new leads."""
    c = fc.currency
    m = fc.monthly
    return pd.DataFrame({
        "month": [("whole window" if x == "total" else pd.Period(x, "M").strftime("%b %Y")) for x in m["month"]],
        "low (P10)": [money(v, c) for v in m["p10"]], "likely (P50)": [money(v, c) for v in m["p50"]],
        "high (P90)": [money(v, c) for v in m["p90"]],
        "from open deals": [money(v, c) for v in m["from_open_pipeline"]],
        "from new leads": [money(v, c) for v in m["from_new_leads"]],
    })


def owner_frame(fc: Forecast, top: int | None = None) -> pd.DataFrame:
    """Per owner as text: open deals and their value, bookings P10/P50/P90 over the window and,
    with quotas, the quota, likely attainment and the chance of reaching quota."""
    c = fc.currency
    o = fc.owners if top is None else fc.owners.head(top)
    out = pd.DataFrame({
        "owner": [f"{n} (pool)" if p else n for n, p in zip(o["owner"], o["pooled"], strict=True)],
        "open deals": [count(v) for v in o["open_deals"]], "open value": [money(v, c) for v in o["open_value"]],
        "low (P10)": [money(v, c) for v in o["p10"]], "likely (P50)": [money(v, c) for v in o["p50"]],
        "high (P90)": [money(v, c) for v in o["p90"]],
    })
    if "quota" in o:
        out["quota"] = [money(v, c) for v in o["quota"]]
        out["likely attainment"] = [percent(v, 0) for v in o["attainment_p50"]]
        out["chance at quota"] = [percent(v, 0) for v in o["chance_at_quota"]]
    return out


def backtest_frame(bt: ForecastBacktest, currency: str = "USD") -> pd.DataFrame:
    """The forecast back-test as text: per cut and month the actual bookings, the forecast's
    P10/P50/P90, the P50's error and whether the actual fell inside P10-P90."""
    t = bt.table
    return pd.DataFrame({
        "forecast made on": [f"{(c - pd.Timedelta(days=1)):%d %b %Y}" for c in t["cut"]],
        "month": [("whole window" if x == "total" else pd.Period(x, "M").strftime("%b %Y")) for x in t["month"]],
        "actual": [money(v, currency) for v in t["actual"]],
        "low (P10)": [money(v, currency) for v in t["p10"]], "likely (P50)": [money(v, currency) for v in t["p50"]],
        "high (P90)": [money(v, currency) for v in t["p90"]],
        "error of P50": [percent(v, 1, signed=True) for v in t["error"]],
        "inside P10-P90": ["yes" if v else "no" for v in t["inside"]],
    })


def backtest_summary(bt: ForecastBacktest) -> str:
    """One sentence per level: mean absolute error of the likely value and the share of actuals
    inside the 10-90% band (about 80% when the spread is right)."""
    lines = []
    for r in bt.summary.itertuples():
        what = "months" if r.level == "month" else "whole windows"
        lines.append(f"{r.forecasts} {what}: likely value off by {percent(r.mean_abs_error)} on average; "
                     f"{percent(r.inside_p10_p90, 0)} of actuals inside the 10-90% band (80% expected)")
    return "\n".join(lines)
