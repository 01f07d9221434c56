"""What the engine records per rep and simulated month, declared once in :data:`COLUMNS`.

The floor and the reps' decisions write to a :class:`Recorder`; the results layer
(:mod:`salessim.results.simulation`) reads it to build the ledger. Months are the run's simulated
months (warm-up included), reps are slot indices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Column:
    """One recorded array: ``(n_months, n_reps)``, or ``(n_months, n_reps, n_stages)`` per stage."""

    name: str
    dtype: type
    meaning: str
    unit: str
    per_stage: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("hours_worked", np.float64, "rep hours spent on deals (incl. hours given to colleagues)", "hours"),
    Column("hours_capacity", np.float64, "weekly hours x effort x ramp-up, pro-rated to the month", "hours"),
    Column("pipeline_value", np.float64, "amount of the qualified open pipeline (past the first stage) at month end", "currency"),
    Column("open_deals", np.int64, "qualified open deals (past the first stage) at month end", "deals"),
    Column("booked", np.float64, "amounts of won deals credited to the rep, by close month", "currency"),
    Column("discounts", np.float64, "amounts given away: pulled-in deals and price-pressure cuts", "currency"),
    Column("pulled_in", np.int64, "deals pulled into the current plan period (at a discount)", "deals"),
    Column("pushed_out", np.int64, "deals pushed into the next plan period", "deals"),
    Column("effort_days", np.float64, "effort level x days worked (1 = normal effort)", "effort-days"),
    Column("status", np.int8, "the slot's RepStatus in the month's last work step", "code"),
    Column("stage_entries", np.int64, "deals entering each stage", "deals", per_stage=True),
)

TRANSITIONS = ["deal", "clock_day", "from_stage", "to_stage"]


class Recorder:
    """The per-rep-month arrays of :data:`COLUMNS` (as attributes), the staff events (who left or
    was hired, when) and, when asked for, every stage transition of every deal."""

    def __init__(self, n_months: int, n_reps: int, n_stages: int, transitions: bool = False):
        for c in COLUMNS:
            shape = (n_months, n_reps, n_stages) if c.per_stage else (n_months, n_reps)
            setattr(self, c.name, np.zeros(shape, dtype=c.dtype))
        self.staff_events: list[dict] = []  # {"rep", "day" (clock day), "event": "left" | "hired"}
        self.record_transitions = transitions
        self.transitions: list[tuple[np.ndarray, ...]] = []

    def staff(self, rep: int, day: float, event: str) -> None:
        """A rep slot became vacant (``"left"``) or filled (``"hired"``) on clock ``day``."""
        self.staff_events.append({"rep": rep, "day": day, "event": event})

    def transition(self, deal: np.ndarray, day: np.ndarray, from_stage: np.ndarray, to_stage: np.ndarray) -> None:
        """Deals moving on (``to_stage`` = n_stages for won, -1 for lost), if transitions are recorded."""
        if self.record_transitions:
            self.transitions.append((deal.copy(), day.copy(), from_stage, to_stage))

    def transition_table(self) -> pd.DataFrame:
        """Stage transitions (``to_stage`` = n_stages for won, -1 for lost); clock days."""
        if not self.transitions:
            return pd.DataFrame(columns=TRANSITIONS)
        cols = [np.concatenate(c) for c in zip(*self.transitions, strict=True)]
        df = pd.DataFrame(dict(zip(TRANSITIONS, cols, strict=True)))
        return df.sort_values(["clock_day", "deal"], kind="stable", ignore_index=True)
