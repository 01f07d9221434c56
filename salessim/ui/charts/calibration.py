"""Tables and charts for the CRM calibration report: the back-test and the model-vs-data check
as readable pass/fail tables, the won-cycle overlay, the cycle candidates and behaviour estimates."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from salessim.ui.formatting import money

#: How each back-test metric's values and error read (see docs/calibration.md, section 5).
_KINDS = {"win rate": "rate", "bookings per month": "money", "median deal size": "money",
          "cycle-time KS": "ks", "per-rep bookings KS": "ks"}


def backtest_frame(table: pd.DataFrame, currency: str = "USD") -> pd.DataFrame:
    """The back-test table (``BacktestResult.table``) as text columns: observed, simulated, the
    seeds' range, the error against its tolerance, the p-value and pass/fail."""
    rows = []
    for r in table.itertuples():
        kind = _KINDS.get(r.metric, "money")

        def val(v: float, _kind: str = kind) -> str:
            if pd.isna(v):
                return ""
            return f"{v:.1%}" if _kind == "rate" else money(v, currency, digits=2)

        if kind == "rate":
            err, tol = f"{r.error * 100:+.1f} pt", f"±{r.tolerance * 100:.0f} pt"
        elif kind == "ks":
            err, tol = f"{r.error:.3f} (KS)", f"≤ {r.tolerance:.2f}"
        else:
            err, tol = f"{r.error:+.1%}", f"±{r.tolerance:.0%}"
        rng = f"{val(r.sim_min)} to {val(r.sim_max)}" if np.isfinite(r.sim_min) else ""
        rows.append({"check": r.metric, "observed": val(r.observed), "simulated": val(r.simulated),
                     "simulated range over seeds": rng, "error": err, "tolerance": tol,
                     "p-value": f"{r.p_value:.3f}", "result": "pass" if r.passed else "FAIL"})
    return pd.DataFrame(rows)


def backtest_table(table: pd.DataFrame, currency: str = "USD") -> Styler:
    """:func:`backtest_frame` styled: passes green, failures red."""
    t = backtest_frame(table, currency)

    def colour(v: str) -> str:
        return "color: #2E7D32; font-weight: bold" if v == "pass" else "color: #C62828; font-weight: bold"

    return t.style.hide(axis="index").map(colour, subset=["result"])


def fitted_table(fitted: pd.DataFrame, currency: str = "USD") -> Styler:
    """The fitted parameters (``parameter, value, unit`` from ``tables(cal)["fitted"]``) with
    values written in their unit: rates as %, days with one decimal, money compact."""
    def fmt(v: float, unit: str) -> str:
        if pd.isna(v):
            return unit  # e.g. the chosen distribution family
        if unit == "%":
            return f"{v:.1%}"
        if unit == "days":
            return f"{v:,.1f} days"
        if unit == currency:
            return money(v, currency, digits=2)
        if unit == "x":
            return f"{v:.2f}"
        return f"{v:,.0f} {unit}"

    t = pd.DataFrame({"parameter": fitted["parameter"],
                      "value": [fmt(v, u) for v, u in zip(fitted["value"], fitted["unit"], strict=True)]})
    return t.style.hide(axis="index").hide(axis="columns").set_properties(**{"text-align": "left"})


#: Business wording of the check rows (salessim.calibrate.check).
_CHECK_LABELS = {"win rate": "Win rate (deals won of deals decided)", "bookings per month": "Bookings per month",
                 "opportunities per month": "New opportunities per month",
                 "end-of-quarter bunching": "End-of-quarter bunching (1 = even)"}


def _check_label(key: str) -> str:
    if key.startswith("won cycle P"):
        return f"Days to win, {key.split()[-1]} of won deals"
    if key.startswith("deal size P"):
        return f"Won deal size, {key.split()[-1]}"
    return _CHECK_LABELS.get(key, key)


def check_frame(table: pd.DataFrame, currency: str = "USD") -> pd.DataFrame:
    """The simulation-vs-data table (``Calibration.validation``) in business words."""
    rows = []
    for r in table.itertuples():
        rate, days = r.check == "win rate", r.check.startswith("won cycle")

        def val(v: float, _rate: bool = rate, _days: bool = days, _key: str = r.check) -> str:
            if pd.isna(v):
                return "n/a"
            if _rate:
                return f"{v:.1%}"
            if _days:
                return f"{v:,.0f} days"
            if _key in ("opportunities per month", "end-of-quarter bunching"):
                return f"{v:,.2f}" if _key == "end-of-quarter bunching" else f"{v:,.0f}"
            return money(v, currency, digits=2)

        gap = "" if pd.isna(r.error) else (f"{r.error * 100:+.1f} pt" if rate else f"{r.error:+.1%}")
        tol = "" if pd.isna(r.tolerance) else (f"±{r.tolerance * 100:.1f} pt" if rate else f"±{r.tolerance:.0%}")
        result = "for information" if r.passed is None else ("matches" if r.passed else "DOES NOT MATCH")
        rows.append({"what": _check_label(r.check), "your data": val(r.observed), "calibrated model": val(r.simulated),
                     "gap": gap, "allowed gap": tol, "result": result})
    return pd.DataFrame(rows)


def check_table(table: pd.DataFrame, currency: str = "USD") -> Styler:
    """:func:`check_frame` styled: matches green, mismatches red."""
    def colour(v: str) -> str:
        return {"matches": "color: #2E7D32; font-weight: bold",
                "DOES NOT MATCH": "color: #C62828; font-weight: bold"}.get(v, "color: #666")

    return check_frame(table, currency).style.hide(axis="index").map(colour, subset=["result"])


def won_cycle_overlay(cal, ax=None):
    """Histogram of days to win in the export with the calibrated simulation's on top (both as
    shares of won deals, weekly bins). Returns the matplotlib axes."""
    import matplotlib.pyplot as plt

    from salessim.calibrate.fit import cycle_days

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4))
    won, _, _ = cycle_days(cal.crm.deals, cal.fit.as_of)
    sim = cal.simulated["deals"]
    h = cal.simulated["horizon_days"]
    sim_won = sim[(sim["outcome"] == "won") & sim["close_day"].between(0, h, inclusive="left")]["cycle_days"]
    top = float(np.quantile(won, 0.99)) if len(won) else 1.0
    bins = np.arange(0, top + 7, 7)
    ax.hist(won, bins=bins, weights=np.full(len(won), 1 / max(len(won), 1)), color="#4C72B0", alpha=0.6,
            label="your export (won deals)")
    ax.hist(sim_won, bins=bins, weights=np.full(len(sim_won), 1 / max(len(sim_won), 1)), histtype="step", lw=2,
            color="#DD8452", label="calibrated model (simulated)")
    ax.set(title=f"Days from engagement to win (won cycle: {cal.fit.won_cycle.kind.replace('_', ' ')})",
           xlabel="days to win", ylabel="share of won deals")
    ax.legend()
    return ax


def cycle_candidates_frame(candidates: pd.DataFrame) -> pd.DataFrame:
    """The won-cycle candidates side by side with the data: distance to the data and quantiles (days)."""
    names = {"data": "your export (censoring-aware)", "lognormal": "lognormal", "gamma": "gamma",
             "lognormal_mixture": "two lognormals (quick + slow wins)", "empirical": "the data curve itself"}
    out = pd.DataFrame({"shape": candidates["kind"].map(names),
                        "largest gap to data (KS)": candidates["ks"].map(lambda v: "" if pd.isna(v) else f"{v:.3f}"),
                        "fits": candidates["fits"].map({True: "yes", False: "no"}).fillna(""),
                        "chosen": candidates["chosen"].map({True: "chosen", False: ""})})
    for q in ("P10", "P25", "P50", "P75", "P90"):
        out[f"{q} days"] = candidates[q].map(lambda v: f"{v:,.0f}")
    return out


def behaviour_frame(behaviour: pd.DataFrame) -> pd.DataFrame:
    """Behaviour estimates from history: estimate with its 95% interval and what it was set to."""
    def fmt(v: float, unit: str) -> str:
        if pd.isna(v):
            return "n/a"
        return f"{v:.1%}" if unit.startswith("share") else f"{v:.2f}"

    return pd.DataFrame({
        "what": behaviour["estimate"].str.capitalize(),
        "estimate": [fmt(v, u) for v, u in zip(behaviour["value"], behaviour["unit"], strict=True)],
        "95% interval": [f"{fmt(lo, u)} to {fmt(hi, u)}" for lo, hi, u in
                         zip(behaviour["low"], behaviour["high"], behaviour["unit"], strict=True)],
        "set in the model": behaviour["set to"], "based on": behaviour["basis"]})
