"""Behaviour and staffing estimated from an export's history, each with an interval.

* **End-of-quarter bunching** (hockey-stick index): the share of wins closed in the last month
  of a quarter over 1/3 (1 = no bunching), and the **Q4 share** of wins over Q4's share of the
  observed days; Wilson 95% intervals on the shares. Not set directly: the engine's timing
  behaviour (pull-ins, push-outs near quarter ends) produces bunching; the check compares them.
* **Rep heterogeneity**: the between-rep sd of the win-rate multiplier
  (:func:`~salessim.calibrate.fit.rep_productivity`), 95% bootstrap interval over reps -> ``org.skill.sd``.
* **Owner turnover**: an owner *left* when no opportunity of theirs was created in the last
  ``max(60, 5 x their median gap)`` days before the snapshot; the yearly quit probability is
  ``1 - exp(-leavers / rep-years)``, exact Poisson 95% interval ->
  ``staffing.attrition.base_annual_quit`` when at least 10 rep-years are observed and the base's
  value lies outside the interval (the data contradict it); otherwise the base's is kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

MIN_REP_YEARS = 10.0
Z = 1.959964


def _wilson(k: float, n: float) -> tuple[float, float]:
    if n <= 0:
        return np.nan, np.nan
    p = k / n
    d = 1 + Z**2 / n
    c = (p + Z**2 / (2 * n)) / d
    h = Z * np.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / d
    return float(c - h), float(c + h)


def quarter_end_index(closed: pd.Series) -> tuple[float, int]:
    """Hockey-stick index of close dates (share in a quarter's last month x 3) and the count."""
    closed = closed.dropna()
    n = len(closed)
    return (3.0 * float((closed.dt.month % 3 == 0).mean()) if n else np.nan), n


def bunching(deals: pd.DataFrame) -> list[dict]:
    won = deals.loc[deals["status"] == "won", "closed"].dropna()
    idx, n = quarter_end_index(won)
    lo, hi = _wilson(idx * n / 3, n)
    rows = [{"estimate": "end-of-quarter bunching (hockey-stick index)", "value": idx, "low": 3 * lo, "high": 3 * hi,
             "unit": "x (1 = even)", "set to": "not set: the engine's timing behaviour makes it (compared in the check)",
             "basis": f"{n:,} won deals; share closed in a quarter's last month x 3"}]
    if n:
        days = pd.date_range(won.min(), won.max(), freq="D")
        q4_days = float((days.month >= 10).mean())
        k = float((won.dt.month >= 10).sum())
        lo, hi = _wilson(k, n)
        rows.append({"estimate": "Q4 share of wins", "value": k / n, "low": lo, "high": hi, "unit": "share",
                     "set to": "not set (seasonality of leads is fitted; the plan year drives the rest)",
                     "basis": f"Q4 holds {q4_days:.0%} of the observed close days"})
    return rows


def skill_interval(reps: pd.DataFrame, draws: int = 400, seed: int = 0) -> tuple[float, float]:
    """95% bootstrap interval (reps resampled) of the between-rep sd of :func:`rep_productivity`."""
    ok = reps[reps["expected"] >= 1.0]
    if len(ok) < 3:
        return np.nan, np.nan
    x = ((ok["raw"] - 1) ** 2 - ok["noise"]).to_numpy()
    rng = np.random.default_rng(seed)
    tau2 = np.maximum(x[rng.integers(0, len(x), (draws, len(x)))].mean(axis=1), 0.0)
    lo, hi = np.quantile(np.sqrt(tau2), [0.025, 0.975])
    return float(lo), float(hi)


def turnover(deals: pd.DataFrame, as_of: pd.Timestamp) -> dict:
    """Owners who stopped appearing, rep-years observed, the yearly quit probability and interval."""
    d = deals[["owner", "created"]].sort_values(["owner", "created"])
    g = d.groupby("owner")["created"]
    first, last = g.min(), g.max()
    gap = d.assign(gap=g.diff().dt.days).groupby("owner")["gap"].median().fillna(0.0)
    quiet = (as_of - last).dt.days
    left = quiet > np.maximum(60.0, 5.0 * gap)
    end = last.where(left, as_of)
    rep_years = float(((end - first).dt.days.clip(lower=0)).sum() / 365.25)
    k = int(left.sum())
    rate = k / rep_years if rep_years > 0 else np.nan
    lo = stats.chi2.ppf(0.025, 2 * k) / 2 / rep_years if k and rep_years > 0 else 0.0
    hi = stats.chi2.ppf(0.975, 2 * k + 2) / 2 / rep_years if rep_years > 0 else np.nan
    return {"leavers": sorted(left[left].index.astype(str)), "rep_years": rep_years,
            "quit": 1 - np.exp(-rate), "low": 1 - np.exp(-lo), "high": 1 - np.exp(-hi)}


def estimate_behaviour(deals: pd.DataFrame, as_of: pd.Timestamp, reps: pd.DataFrame, skill_sd: float,
                       base_quit: float | None = None) -> pd.DataFrame:
    """The table: estimate, value, low, high (95%), unit, what the scenario sets it to, basis."""
    rows = bunching(deals)
    lo, hi = skill_interval(reps)
    rows.append({"estimate": "rep win-rate spread (between-rep sd)", "value": skill_sd, "low": lo, "high": hi,
                 "unit": "x", "set to": "org.skill.sd (less what effort, ramp-up and workload already add)",
                 "basis": f"{len(reps)} owners, standardised for segment/product mix, shrunk"})
    t = turnover(deals, as_of)
    use = t["rep_years"] >= MIN_REP_YEARS and (base_quit is None or not t["low"] <= base_quit <= t["high"])
    why = (f"fewer than {MIN_REP_YEARS:.0f} rep-years observed" if t["rep_years"] < MIN_REP_YEARS
           else f"the base's {base_quit or 0:.0%} is inside the interval")
    rows.append({"estimate": "owner turnover (yearly quit probability)", "value": t["quit"], "low": t["low"],
                 "high": t["high"], "unit": "share/yr",
                 "set to": ("staffing.attrition.base_annual_quit" if use
                            else f"base kept ({why})"),
                 "basis": f"{len(t['leavers'])} owners stopped appearing over {t['rep_years']:.1f} rep-years"})
    return pd.DataFrame(rows)
