"""Rep scorecard: one row per rep and reporting period, with a ranking inside each period."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salessim.analysis.periods import period_labels
from salessim.results.tables import SimResult

#: Ledger columns summed over the months of a period.
SUMMED = ["leads", "deals_won", "deals_lost", "bookings", "hours_worked", "hours_capacity"]


def rep_scorecard(result: SimResult, period: str = "all") -> pd.DataFrame:
    """Quantitative KPIs per rep and period, ranked by bookings within the period (1 = best).

    ``period``: ``"all"`` (whole horizon), ``"Y"``, ``"Q"`` (fiscal) or ``"M"``.
    Columns: ``period``, ``rank``, ``rep``, ``region``, ``bookings`` (currency),
    ``share_of_team`` (% of the period's bookings), ``deals_won``, ``deals_lost``,
    ``win_rate`` (won / closed, %), ``average_deal`` (currency), ``leads``,
    ``pipeline_end`` (qualified pipeline at the period's last month end, currency),
    ``utilisation`` (hours worked / hours available, %), ``skill`` (win multiplier, 1 = average);
    plus ``quota`` and ``attainment`` (%) when the ledger carries a ``quota`` column.
    """
    ledger = result.ledger
    labels = period_labels(ledger["month"], period, result.scenario.calendar)
    led = ledger.assign(period=labels, rep=ledger["rep"].astype(str))
    summed = [c for c in [*SUMMED, "quota"] if c in led.columns]
    g = led.groupby(["period", "rep"], sort=True)
    out = g[summed].sum()
    last = led.sort_values("month").groupby(["period", "rep"], sort=True)["pipeline_value"].last()
    out["pipeline_end"] = last
    out = out.reset_index()
    closed = out["deals_won"] + out["deals_lost"]
    out["win_rate"] = np.where(closed > 0, out["deals_won"] / closed.where(closed > 0, 1), np.nan)
    out["average_deal"] = np.where(out["deals_won"] > 0, out["bookings"] / out["deals_won"].where(out["deals_won"] > 0, 1), np.nan)
    team = out.groupby("period")["bookings"].transform("sum")
    out["share_of_team"] = np.where(team > 0, out["bookings"] / team.where(team > 0, 1), np.nan)
    out["utilisation"] = np.where(out["hours_capacity"] > 0, out["hours_worked"] / out["hours_capacity"].where(out["hours_capacity"] > 0, 1), np.nan)
    if "quota" in out.columns:
        out["attainment"] = np.where(out["quota"] > 0, out["bookings"] / out["quota"].where(out["quota"] > 0, 1), np.nan)
    reps = result.reps.assign(rep=result.reps["rep"].astype(str))[["rep", "region", "skill"]]
    out = out.merge(reps, on="rep", how="left", validate="many_to_one")
    out["rank"] = out.groupby("period")["bookings"].rank(ascending=False, method="min").astype(np.int64)
    cols = ["period", "rank", "rep", "region", "bookings", "share_of_team", "deals_won", "deals_lost",
            "win_rate", "average_deal", "leads", "pipeline_end", "utilisation", "skill"]
    if "quota" in out.columns:
        cols[5:5] = ["quota", "attainment"]
    return out[cols].sort_values(["period", "rank", "rep"], ignore_index=True)
