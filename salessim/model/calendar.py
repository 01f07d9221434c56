"""Simulation time: days from the start of warm-up, mapped to dates, months and quarters.

The engine counts *clock days* from the start of the warm-up. Results report *days* from the
scenario's ``start_date`` (negative during warm-up) and calendar dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from salessim.inputs import Frozen


class Calendar(Frozen):
    """Simulated time. Day 0 of the results is ``start_date``; warm-up runs before it."""

    start_date: dt.date = dt.date(2026, 1, 1)
    horizon_months: int = Field(12, ge=1, le=120, description="measured months")
    warmup_months: int = Field(3, ge=0, le=36, description="unmeasured months that fill the pipeline")
    fiscal_year_start_month: int = Field(1, ge=1, le=12)

    @model_validator(mode="after")
    def _first_of_month(self) -> Calendar:
        if self.start_date.day != 1:
            raise ValueError(f"start_date must be the first day of a month, got {self.start_date}")
        return self



@dataclass(frozen=True)
class Clock:
    """Day arithmetic for one scenario calendar."""

    calendar: Calendar

    @cached_property
    def sim_start(self) -> np.datetime64:
        start = pd.Timestamp(self.calendar.start_date)
        return np.datetime64((start - pd.DateOffset(months=self.calendar.warmup_months)).date(), "D")

    @cached_property
    def month_starts(self) -> np.ndarray:
        """Clock day of each month start, warm-up included, plus the end day (length months+1)."""
        n = self.calendar.warmup_months + self.calendar.horizon_months
        first = self.sim_start.astype("datetime64[M]")
        months = first + np.arange(n + 1)
        return (months.astype("datetime64[D]") - self.sim_start).astype(np.int64)

    @property
    def warmup_days(self) -> int:
        """Clock day on which measurement starts (``start_date``)."""
        return int(self.month_starts[self.calendar.warmup_months])

    @property
    def end_day(self) -> int:
        return int(self.month_starts[-1])

    @cached_property
    def calendar_month(self) -> np.ndarray:
        """Calendar month (1-12) of each simulated month."""
        first = self.sim_start.astype("datetime64[M]").astype(int)
        n = len(self.month_starts) - 1
        return (first + np.arange(n)) % 12 + 1

    @cached_property
    def steps(self) -> np.ndarray:
        """Boundaries of the work steps: every 7 days, also cut at month starts."""
        weekly = np.arange(0, self.end_day, 7)
        return np.union1d(np.union1d(weekly, self.month_starts), [self.end_day])

    def month_index(self, day: np.ndarray) -> np.ndarray:
        """Simulated-month index (0 = first warm-up month) of clock days."""
        return np.searchsorted(self.month_starts, day, side="right") - 1

    def months(self) -> pd.PeriodIndex:
        """The measured months, as pandas monthly periods."""
        return pd.period_range(self.calendar.start_date, periods=self.calendar.horizon_months, freq="M")
