"""Plan analyses from statements and pay curves: cost of sales, leverage, payout distribution,
pay-for-performance. Inputs and outputs are tidy frames; money in the plan's currency."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from salessim.comp.curve import pay_curve
from salessim.comp.payout import summary
from salessim.comp.plan import CompPlan


def rep_year(statements: pd.DataFrame, performance_credited: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per rep and fiscal year: base, variable, total pay and (if given) credited and
    quota. ``performance_credited`` has columns rep, fiscal_year, credited, quota."""
    s = summary(statements, by="fiscal_year")
    if performance_credited is not None:
        s = s.merge(performance_credited, on=["rep", "fiscal_year"], how="left")
    return s


def year_attainment(statements: pd.DataFrame, measure: str = "bookings") -> pd.DataFrame:
    """Credited, quota and attainment per rep and fiscal year, read from the commission lines of
    the last evaluated period (YTD basis) - or summed over periods for period-basis lines."""
    c = statements[(statements["item"] == "commission") & (statements["measure"] == measure)]
    c = c.drop_duplicates(["rep", "period", "component"])
    ytd = c[c["basis"] == "YTD"].groupby(["rep", "fiscal_year"]).last()[["credited", "quota"]]
    per = c[c["basis"] != "YTD"].groupby(["rep", "fiscal_year"])[["credited", "quota"]].sum()
    out = pd.concat([ytd, per[~per.index.isin(ytd.index)]]).reset_index()
    out["attainment"] = np.where(out["quota"] > 0, out["credited"] / out["quota"].where(out["quota"] > 0, 1.0), np.nan)
    return out


def cost_of_sales(statements: pd.DataFrame, revenue: float) -> pd.DataFrame:
    """Comp cost / revenue (tidy: metric, value, unit). Benchmark: ~10% of revenue is the US
    average cost of a sales force (Chung, Steenburgh & Sudhir; HBS Working Knowledge)."""
    s = summary(statements, by="fiscal_year")
    base, total = float(s["base"].sum()) if "base" in s else 0.0, float(s["total"].sum())
    rows = [("comp cost", total, "currency"), ("base", base, "currency"), ("variable", total - base, "currency"),
            ("revenue", float(revenue), "currency"),
            ("cost of sales", total / revenue if revenue else np.nan, "share of revenue"),
            ("variable cost of sales", (total - base) / revenue if revenue else np.nan, "share of revenue")]
    return pd.DataFrame(rows, columns=["metric", "value", "unit"])


def leverage(plan: CompPlan, annual_quota: float = 1_000_000.0) -> pd.DataFrame:
    """Upside: pay at 150% of quota vs at 100% (variable and total), from the pay curve."""
    curve = pay_curve(plan, [1.0, 1.5], annual_quota=annual_quota)
    v = curve[curve["component"].isin(["variable", "total"])].pivot(index="attainment", columns="component", values="amount")
    rows = [("variable at 100%", v.loc[1.0, "variable"]), ("variable at 150%", v.loc[1.5, "variable"]),
            ("variable leverage 150/100", v.loc[1.5, "variable"] / v.loc[1.0, "variable"] if v.loc[1.0, "variable"] else np.nan),
            ("total leverage 150/100", v.loc[1.5, "total"] / v.loc[1.0, "total"] if v.loc[1.0, "total"] else np.nan)]
    return pd.DataFrame(rows, columns=["metric", "value"])


def payout_distribution(statements: pd.DataFrame, quantiles: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 0.9)) -> pd.DataFrame:
    """Quantiles of annual variable and total pay across reps (tidy: measure, quantile, value)."""
    s = summary(statements, by="fiscal_year")
    rows = [(col, q, float(s[col].quantile(q))) for col in ("variable", "total") for q in quantiles]
    return pd.DataFrame(rows, columns=["pay", "quantile", "value"])


def pay_for_performance(statements: pd.DataFrame, measure: str = "bookings") -> pd.DataFrame:
    """How closely pay follows performance across reps: Spearman and Pearson correlation of
    annual attainment with annual variable pay (tidy: metric, value, n)."""
    att = year_attainment(statements, measure)
    s = summary(statements, by="fiscal_year").merge(att, on=["rep", "fiscal_year"])
    s = s[np.isfinite(s["attainment"])]
    n = len(s)
    if n < 3 or s["variable"].nunique() < 2 or s["attainment"].nunique() < 2:
        return pd.DataFrame({"metric": ["spearman", "pearson"], "value": [np.nan, np.nan], "n": [n, n]})
    rho = stats.spearmanr(s["attainment"], s["variable"]).statistic
    r = stats.pearsonr(s["attainment"], s["variable"]).statistic
    return pd.DataFrame({"metric": ["spearman", "pearson"], "value": [float(rho), float(r)], "n": [n, n]})


def winners_losers(current: pd.DataFrame, proposed: pd.DataFrame) -> pd.DataFrame:
    """Who gains and who loses when moving from one plan to another on the same performance:
    one row per rep and fiscal year with both totals, the change and its share (sorted by change)."""
    a = summary(current, by="fiscal_year")[["rep", "fiscal_year", "variable", "total"]]
    b = summary(proposed, by="fiscal_year")[["rep", "fiscal_year", "variable", "total"]]
    m = a.merge(b, on=["rep", "fiscal_year"], how="outer", suffixes=("_current", "_proposed")).fillna(0.0)
    m["change"] = m["total_proposed"] - m["total_current"]
    m["change_share"] = np.where(m["total_current"] != 0, m["change"] / m["total_current"].where(m["total_current"] != 0, 1.0), np.nan)
    return m.sort_values("change", ignore_index=True)
