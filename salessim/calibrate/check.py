"""The calibrated scenario's simulation against the *data* (not against the fit), row by row.

Observed values come from the export itself, censoring-aware where open deals matter:

=========================  ==========================================================  =============
row                        observed (export)                                           tolerance
=========================  ==========================================================  =============
win rate                   Aalen-Johansen share of wins among deals that end            3 points
won cycle P25/P50/P75/P90  the censoring-aware won-cycle curve (days)                   15% (>= 2 d)
deal size P25/P50/P75      won amounts, censoring-weighted                              10%
bookings per month         won amount closed per full month once the export has run     15%
                           longer than the P90 won cycle (earlier months miss deals)
opportunities per month    fitted arrivals (whole months)                               10%
end-of-quarter bunching    hockey-stick index (information, no pass/fail)               --
wins on a quarter's        share of won deals signed on a calendar quarter's last day   --
last day                   (information: strategic buyers' deadline holds make it)
=========================  ==========================================================  =============

A small export is one noisy sample: a row's tolerance widens to 2.58 standard errors of the
data's own value when that is larger (a quantile's error from its local slope,
``sqrt(q(1-q)/n) x (Q(q+0.05) - Q(q-0.05)) / 0.1``; a rate's binomial; bookings' compound Poisson).
Bookings are information only when the export holds no full month past its P90 won cycle.
Simulated values pool the replications of the last refining run over its horizon.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salessim.calibrate.behaviour import quarter_end_index
from salessim.calibrate.fit import censoring_weights
from salessim.results.kpis import on_quarter_last_day

if TYPE_CHECKING:
    from salessim.calibrate.fit import Fit

TOLERANCES = {"win rate": 0.03, "won cycle": 0.15, "deal size": 0.10, "bookings per month": 0.15,
              "opportunities per month": 0.10}
MIN_CYCLE_TOLERANCE_DAYS = 2.0
LAST_DAY = "wins on a quarter's last day"  #: an information row (share)
MONTH_DAYS = 365.25 / 12


Z99 = 2.576


def _wq(x: np.ndarray, w: np.ndarray, q: float) -> float:
    o = np.argsort(x)
    cw = np.cumsum(w[o])
    return float(x[o][min(np.searchsorted(cw, q * cw[-1]), len(x) - 1)])


def _quantile_se(quantile, q: float, n: int) -> float:
    """Relative standard error of a sample quantile (see the module docstring)."""
    v = quantile(q)
    slope = (quantile(min(q + 0.05, 0.999)) - quantile(max(q - 0.05, 0.001))) / 0.1
    return float(np.sqrt(q * (1 - q) / max(n, 1)) * slope / v) if v > 0 else np.nan


def observed(deals: pd.DataFrame, fit: Fit) -> tuple[dict[str, float], dict[str, float]]:
    """The export's values of every row and their standard errors (points for the win rate,
    relative for the others; see the module docstring)."""
    wc = fit.won_cycle
    won = deals[deals["status"] == "won"]
    w = censoring_weights(deals, fit.as_of)[won.index].to_numpy()
    amounts = won["amount"].to_numpy(float)
    start = deals["created"].min() + pd.Timedelta(days=wc.data_quantile(0.9))
    months = pd.period_range(start.to_period("M") + 1, (fit.as_of + pd.Timedelta(days=1)).to_period("M") - 1, freq="M")
    in_window = won[won["closed"].dt.to_period("M").isin(months)]["amount"].to_numpy(float)
    booked = in_window.sum()
    win = float(fit.win_overall["win_rate"].iloc[0])
    closed = int((deals["status"] != "open").sum())
    n_leads = float(fit.arrivals.monthly["leads"].sum()) if len(fit.arrivals.monthly) else float(len(deals))
    out = {"win rate": win,
           **{f"won cycle P{q}": wc.data_quantile(q / 100) for q in (25, 50, 75, 90)},
           **{f"deal size P{q}": _wq(amounts, w, q / 100) for q in (25, 50, 75)},
           "bookings per month": float(booked / len(months)) if len(months) else np.nan,
           "opportunities per month": fit.arrivals.leads_per_year / 12,
           "end-of-quarter bunching": quarter_end_index(won["closed"])[0],
           LAST_DAY: float(on_quarter_last_day(won["closed"].dropna()).mean())}
    se = {"win rate": float(np.sqrt(win * (1 - win) / max(closed, 1))),
          **{f"won cycle P{q}": _quantile_se(wc.data_quantile, q / 100, len(won)) for q in (25, 50, 75, 90)},
          **{f"deal size P{q}": _quantile_se(lambda x: _wq(amounts, w, x), q / 100, len(won)) for q in (25, 50, 75)},
          "bookings per month": float(np.sqrt(np.sum(in_window**2)) / booked) if booked > 0 else np.nan,
          "opportunities per month": 1 / np.sqrt(max(n_leads, 1.0)), "end-of-quarter bunching": np.nan, LAST_DAY: np.nan}
    return out, se


def simulated(deals: pd.DataFrame, horizon: int, replications: int) -> dict[str, float]:
    """The same rows from pooled simulated deals (engine columns) over ``[0, horizon)`` days."""
    closed = deals[deals["close_day"].between(0, horizon, inclusive="left")]
    won = closed[closed["outcome"] == "won"]
    months = horizon * replications / MONTH_DAYS
    created = deals["created_day"].between(0, horizon, inclusive="left").sum()
    cyc = won["cycle_days"].to_numpy(float)
    amt = won["amount"].to_numpy(float)
    return {"win rate": len(won) / max(len(closed), 1),
            **{f"won cycle P{q}": float(np.quantile(cyc, q / 100)) for q in (25, 50, 75, 90)},
            **{f"deal size P{q}": float(np.quantile(amt, q / 100)) for q in (25, 50, 75)},
            "bookings per month": float(amt.sum() / months), "opportunities per month": float(created / months),
            "end-of-quarter bunching": quarter_end_index(pd.to_datetime(won["close_date"]))[0],
            LAST_DAY: float(on_quarter_last_day(pd.to_datetime(won["close_date"])).mean())}


def compare(obs: tuple[dict[str, float], dict[str, float]], sim: dict[str, float]) -> pd.DataFrame:
    """Tidy table: row, observed, simulated, error (points for the win rate, else relative),
    tolerance (widened by the data's sampling error), passed (None: information only)."""
    rows = []
    values, ses = obs
    for key, o in values.items():
        s = sim[key]
        group = next((g for g in TOLERANCES if key.startswith(g)), None)
        if key == "win rate":
            err, tol = s - o, TOLERANCES[key]
        else:
            err = s / o - 1 if o else np.nan
            tol = TOLERANCES.get(group, np.nan)
            if group == "won cycle":
                tol = max(tol, MIN_CYCLE_TOLERANCE_DAYS / max(o, 1e-9))
        if np.isfinite(ses[key]):
            tol = max(tol, Z99 * ses[key])
        passed = None if group is None or not np.isfinite(o) else bool(np.isfinite(err) and abs(err) <= tol)
        rows.append({"check": key, "observed": o, "simulated": s, "error": err, "tolerance": tol, "passed": passed})
    return pd.DataFrame(rows)


def mismatch(table: pd.DataFrame) -> str:
    """One line naming the failed rows ('' when every row passes)."""
    bad = table[table["passed"].eq(False)]
    return "; ".join(f"{r.check} simulated {_fmt(r.check, r.simulated)} vs data {_fmt(r.check, r.observed)}"
                     for r in bad.itertuples())


def _fmt(key: str, v: float) -> str:
    if not np.isfinite(v):
        return "n/a"
    if key in ("win rate", LAST_DAY):
        return f"{v:.1%}"
    if key.startswith("won cycle"):
        return f"{v:.0f} days"
    return f"{v:,.0f}"


def format_table(table: pd.DataFrame) -> str:
    """The table as text lines for the CLI."""
    lines = [f"  {'check':<28} {'data':>12} {'simulated':>12} {'error':>9} {'tolerance':>10}  result"]
    for r in table.itertuples():
        pts = r.check == "win rate"
        err = f"{r.error * 100:+.1f} pt" if pts else (f"{r.error:+.1%}" if np.isfinite(r.error) else "n/a")
        tol = "" if not np.isfinite(r.tolerance) else (f"{r.tolerance * 100:.0f} pt" if pts else f"{r.tolerance:.0%}")
        res = "info" if r.passed is None else ("pass" if r.passed else "FAIL")
        fmt = (lambda v: f"{v:.2f}") if r.check == "end-of-quarter bunching" else (lambda v, k=r.check: _fmt(k, v))
        lines.append(f"  {r.check:<28} {fmt(r.observed):>12} {fmt(r.simulated):>12} {err:>9} {tol:>10}  {res}")
    return "\n".join(lines)
