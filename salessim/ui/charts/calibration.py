"""Tables for the CRM calibration report: the back-test as a readable pass/fail table."""

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
