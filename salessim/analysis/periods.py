"""Calendar periods for reporting: months rolled up to (fiscal) quarters and years."""

from __future__ import annotations

import calendar as _cal

import pandas as pd

from salessim.scenario import Calendar

#: Reporting period codes accepted by the analyses.
PERIODS = {"M": "month", "Q": "quarter", "Y": "year", "all": "whole horizon"}


def period_labels(months: pd.Series, period: str, calendar: Calendar) -> pd.Series:
    """Label each month (``period[M]`` values) with its reporting period.

    ``period``: ``"M"`` (``2026-01``), ``"Q"`` (fiscal quarter, ``FY2026 Q1``), ``"Y"``
    (fiscal year, ``FY2026``) or ``"all"`` (one label for the whole horizon). A fiscal year is
    named after the calendar year in which it ends, as pandas does for ``Q-<month>`` periods.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {sorted(PERIODS)}, got {period!r}")
    if period == "M":
        return months.astype(str)
    if period == "all":
        return pd.Series("horizon", index=months.index, dtype=str)
    end_month = (calendar.fiscal_year_start_month - 2) % 12 + 1
    anchor = _cal.month_abbr[end_month].upper()
    if period == "Q":
        q = months.dt.asfreq(f"Q-{anchor}")
        return pd.Series([f"FY{p.qyear} Q{p.quarter}" for p in q], index=months.index, dtype=str)
    y = months.dt.asfreq(f"Y-{anchor}")
    return pd.Series([f"FY{p.year}" for p in y], index=months.index, dtype=str)
