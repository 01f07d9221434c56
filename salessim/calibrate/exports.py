"""Snapshot-only CRM exports generated from parameters (not by salessim's engine, not copied data).

:func:`snapshot_export` draws opportunities the way a pipeline export looks on the day it is
pulled: current stage (two open stages plus Closed Won / Closed Lost), engage date, close date
and value, with what real exports have -- open deals without an amount, early leads never
engaged (created before the snapshot, engaged after it: blank engage date, a created date), a bimodal won cycle (quick wins and a slower hump),
reps who differ in win rate, owners who leave, and optionally wins pushed to the quarter's end.
The parameters are the truth a calibration should recover (:meth:`ExportSpec.truth`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from salessim.model.distributions import LognormalMixture

#: Mapping of the generated export (columns and its two open stages onto the funnel).
MAPPING = {
    "columns": {"opportunity_id": "Opportunity ID", "owner": "Owner", "stage": "Stage", "amount": "Value",
                "created": "Engage Date", "first_seen": "Created Date", "closed": "Close Date"},
    "won": ["Closed Won"], "lost": ["Closed Lost"], "open": ["Prospecting", "Engaging"],
    "stages": {"Prospecting": "prospecting", "Engaging": "demo"},
}


@dataclass(frozen=True)
class ExportSpec:
    """Parameters of a generated export (days, fractions, currency units)."""

    opportunities: int = 8800
    months: int = 24
    as_of: str = "2026-06-30"
    reps: int = 30
    win_rate: float = 0.63
    quick_share: float = 0.35  # share of wins in the quick component
    quick_median_days: float = 5.0
    quick_sigma: float = 0.6
    slow_median_days: float = 75.0
    slow_sigma: float = 0.3
    lost_median_days: float = 40.0
    lost_sigma: float = 0.8
    deal_median: float = 20000.0
    deal_sigma: float = 0.7
    rep_sd: float = 0.25  # sd of the reps' win-rate multipliers
    open_missing_amount: float = 0.3  # share of open deals exported without a value
    engage_delay_days: float = 30.0  # mean days from a lead's creation to its engagement (exponential);
    # leads created before the snapshot but engaged after it are exported unengaged (blank engage date)
    leavers: int = 4  # owners who stop appearing before the snapshot
    quarter_end_push: float = 0.0  # share of wins due in a quarter's first 30 days pulled into the last 3 of the one before

    def won_cycle(self) -> LognormalMixture:
        return LognormalMixture(weights=[self.quick_share, 1 - self.quick_share],
                                median_days=[self.quick_median_days, self.slow_median_days],
                                sigma=[self.quick_sigma, self.slow_sigma])

    def truth(self) -> dict:
        """The generating parameters plus the won cycle's quantiles (days)."""
        q = self.won_cycle().quantile(np.array([0.25, 0.5, 0.75, 0.9]))
        return {**asdict(self), "won_cycle_p25": q[0], "won_cycle_p50": q[1], "won_cycle_p75": q[2],
                "won_cycle_p90": q[3]}


def snapshot_export(spec: ExportSpec = ExportSpec(), seed: int = 0) -> pd.DataFrame:
    """The export as text columns, as a CRM would write it (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n = spec.opportunities
    as_of = pd.Timestamp(spec.as_of)
    first = as_of - pd.DateOffset(months=spec.months) + pd.Timedelta(days=1)
    span = (as_of - first).days + 1
    created = first + pd.to_timedelta(rng.integers(0, span, n), unit="D")
    engaged = created + pd.to_timedelta(np.floor(rng.exponential(spec.engage_delay_days, n)), unit="D")
    skill = np.exp(spec.rep_sd * rng.standard_normal(spec.reps) - spec.rep_sd**2 / 2)
    # Owners who leave stop getting deals at a random date in the export's second half.
    leave = np.full(spec.reps, np.inf)
    leave[: spec.leavers] = rng.uniform(span / 2, span * 0.85, spec.leavers)
    day = (engaged - first).days.to_numpy()
    owner = rng.integers(0, spec.reps, n)
    gone = day >= leave[owner]  # deals after an owner left go to one who stayed
    owner[gone] = rng.integers(spec.leavers, spec.reps, int(gone.sum()))
    p_win = np.clip(spec.win_rate * skill[owner], 0.01, 0.99)
    won = rng.random(n) < p_win
    dur = np.where(won, spec.won_cycle().quantile(rng.random(n)),
                   spec.lost_median_days * np.exp(spec.lost_sigma * rng.standard_normal(n)))
    close = engaged + pd.to_timedelta(np.floor(dur), unit="D")
    if spec.quarter_end_push > 0:  # wins due in a quarter's first 30 days pulled into the last quarter's end
        prev_end = close.to_period("Q").start_time - pd.Timedelta(days=1)
        due = won & ((close - prev_end).days.to_numpy() <= 30) & (rng.random(n) < spec.quarter_end_push)
        pulled = np.maximum(prev_end - pd.to_timedelta(rng.integers(0, 3, n), unit="D"), engaged)
        close = close.where(~due, pulled)
    is_open = np.asarray(close > as_of)
    age = (as_of - engaged).days.to_numpy()
    stage = np.where(is_open, np.where(age < 14, "Prospecting", "Engaging"), np.where(won, "Closed Won", "Closed Lost"))
    amount = np.round(spec.deal_median * np.exp(spec.deal_sigma * rng.standard_normal(n)), 0)
    no_value = is_open & (rng.random(n) < spec.open_missing_amount)
    names = np.array([f"Rep {i + 1:02d}" for i in range(spec.reps)])
    unengaged = np.asarray(engaged > as_of)
    stage = np.where(unengaged, "Prospecting", stage)
    no_value = no_value | unengaged
    out = pd.DataFrame({
        "Opportunity ID": [f"OPP-{i + 1:06d}" for i in range(n)],
        "Owner": names[owner],
        "Stage": stage,
        "Value": np.where(no_value, "", amount.astype(np.int64).astype(str)),
        "Created Date": created.strftime("%Y-%m-%d"),
        "Engage Date": np.where(unengaged, "", engaged.strftime("%Y-%m-%d")),
        # Open deals carry an expected close date, as CRMs do: never an outcome.
        "Close Date": np.where(unengaged, "", np.where(is_open, (as_of + pd.Timedelta(days=30)).strftime("%Y-%m-%d"),
                                                       close.strftime("%Y-%m-%d"))),
    })
    return out
