"""Numbers as a non-analyst reads them: compact currency, percentages, counts."""

from __future__ import annotations

import math

import pandas as pd

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def money(value: float, currency: str = "USD", digits: int = 1) -> str:
    """Compact money: ``$1.3M``, ``€250K``, ``$950``; other currencies as ``1.3M CHF``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    sign = "-" if value < 0 else ""
    v = abs(float(value))
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if v >= div:
            text = f"{v / div:.{digits}f}{suffix}"
            break
    else:
        text = f"{v:,.0f}"
    sym = SYMBOLS.get(currency)
    return f"{sign}{sym}{text}" if sym else f"{sign}{text} {currency}"


def percent(value: float, digits: int = 1) -> str:
    """A fraction as a percentage: ``0.253`` -> ``25.3%``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}%}"


def format_kpis(kpis: pd.DataFrame) -> str:
    """KPIs as a readable two-column text table (currency with thousands separators, % as %)."""
    def fmt(v: float, unit: str) -> str:
        if pd.isna(v):
            return "n/a"
        if unit == "%":
            return f"{v:.1%}"
        if unit in ("days",):
            return f"{v:,.0f} days"
        if unit in ("deals", "leads", "months"):
            return f"{v:,.0f}"
        if unit.startswith("x ") or unit == "r":
            return f"{v:.2f}{'' if unit == 'r' else unit}"
        return f"{v:,.0f} {unit}"

    width = max(len(k) for k in kpis["kpi"])
    return "\n".join(f"{r.kpi:<{width}}  {fmt(r.value, r.unit):>18}" for r in kpis.itertuples())
