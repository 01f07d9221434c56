"""Performance frames: what reps were credited, against which quota, per period.

A performance frame is tidy, one row per rep, period and measure, and optionally one row per
deal (see ``docs/comp_plans.md``):

=================  ========  ==================================================================
column             required  meaning
=================  ========  ==================================================================
rep                yes       rep id (text)
period             yes       ``2026-01`` (month), ``2026-Q1`` (quarter) or ``2026`` (year)
measure            yes       a plan measure name (``bookings``...)
credited           yes       amount credited (currency, or a count for ``new_logos``);
                             negative for returns. The period's credited amount is the sum of
                             the rep's rows for that period and measure
quota              yes*      the rep's full quota for the period and measure (given on one row,
                             or equal on all rows); pro-rated by ``employed_share``.
                             *not needed for measures with a plan quota
employed_share     no        share of the period the rep was employed (0-1, default 1): pro-rates
                             base salary, target incentive and quota for hires and leavers
deal               no        deal id: the row is one deal (needed by SPIFs and clawbacks)
product, segment   no        the deal's product line and account segment (SPIF filters)
event              no        ``churn``: the customer of ``deal`` churned in ``period``
                             (a clawback row; ``credited`` = the deal amount originally credited)
won_period         no        for churn rows: the period the deal was won
team               no        team id (team bonuses)
credit_share       no        split credit: the rep's share of the deal (0-1, default 1)
role               no        ``primary`` (default) or ``overlay`` (specialist double credit)
manager            no        the rep's manager, credited too when the plan rolls up credit
base_salary,       no        per-rep annual base salary / target incentive, overriding the plan
target_incentive
hired              no        the rep's hire month (``2026-03``; a date ``2026-03-15`` counts as
                             its month, ``2026-Q1``/``2026`` as its first month). With this
                             column a draw covers the months from ``hired`` to ``hired`` +
                             ``draw.months`` only (the hire month pro-rated by
                             ``employed_share``); a ``hired`` before the data starts may still
                             leave draw months in the data, an empty ``hired`` means tenured (no
                             draw). One value per rep; no rows before the hire period. Without
                             the column a draw covers each rep's first ``draw.months`` in the data
=================  ========  ==================================================================

``rep`` identifies a person: when a seat is refilled, the new hire gets a new id (``R007#2``),
so their draw, balances and YTD figures start afresh.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salessim.comp.plan import PERIOD_MONTHS, CompPlan, PlanError, TeamBonus
from salessim.errors import SalessimError
from salessim.inputs import limit
from salessim.text_files import decode, separator

REQUIRED = ("rep", "period", "measure", "credited")
OPTIONAL_TEXT = ("deal", "product", "segment", "event", "won_period", "team", "role", "manager", "hired")
OPTIONAL_NUM = ("quota", "employed_share", "credit_share", "base_salary", "target_incentive")
GRAIN_FREQ = {1: "M", 3: "Q", 12: "Y"}


def read_performance(path: str | Path) -> pd.DataFrame:
    """Read a performance table from ``.csv`` (UTF-8, GBK or another detected encoding; separated
    by ``,``, ``;`` or tabs), ``.xlsx`` (first sheet) or ``.parquet``."""
    path = Path(path)
    if not path.exists():
        raise PlanError(f"{path}: file not found")
    if path.is_dir():
        raise PlanError(f"{path}: is a folder (give the path of a .csv, .xlsx or .parquet file)")
    suffix = path.suffix.lower()
    text_cols = {c: "string" for c in ("rep", "period", "measure", *OPTIONAL_TEXT)}
    try:
        if suffix == ".csv":
            text, _ = decode(path.read_bytes(), path)
            df = pd.read_csv(io.StringIO(text), sep=separator(text), dtype=text_cols, keep_default_na=True)
        elif suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(path, sheet_name=0, dtype=text_cols, engine="openpyxl")
        elif suffix == ".parquet":
            df = pd.read_parquet(path)
        else:
            raise PlanError(f"{path}: unsupported format '{suffix}' (use .csv, .xlsx or .parquet)")
    except SalessimError:  # PlanError, or a file that decodes to no clean text
        raise
    except Exception as e:  # any reader failure is a file that is not what its name says
        what = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise PlanError(f"{path}: cannot read as {suffix} ({what}; save it again as {suffix})") from None
    df.attrs["source"] = str(path)
    return df


@dataclass
class Performance:
    """A performance frame checked against a plan and laid out as ``[rep, period]`` arrays."""

    source: str
    reps: np.ndarray  # rep ids, sorted
    periods: pd.PeriodIndex  # contiguous data periods
    grain: int  # months per data period
    fiscal_year: np.ndarray  # [T] fiscal year label (calendar year the fiscal year starts in)
    fiscal_month: np.ndarray  # [T] 0-11: month of the fiscal year the period starts in
    present: np.ndarray  # [n, T] rep has rows in the period
    share: np.ndarray  # [n, T] employed share (0 when absent)
    credited: dict[str, np.ndarray]  # measure -> [n, T]
    quota: dict[str, np.ndarray]  # measure -> [n, T], pro-rated
    base_annual: np.ndarray  # [n, T]
    ti_annual: np.ndarray  # [n, T]
    team: np.ndarray  # [n, T] team code, -1 = none
    teams: list[str]
    deals: pd.DataFrame  # deal rows: r, t, measure, deal, product, segment, credited
    churn: pd.DataFrame  # churn rows: r, t, measure, deal, credited, won_t, months
    extra: dict[str, Any] = field(default_factory=dict)
    hired: np.ndarray | None = None  # [n] hire month (pd.Period("M") ordinal), TENURED; None: no column

    @property
    def shape(self) -> tuple[int, int]:
        return self.present.shape

    def period_labels(self) -> np.ndarray:
        return np.asarray([str(p) for p in self.periods], dtype=object)

    def start_months(self) -> np.ndarray:
        """[T] first month of each period as a ``pd.Period("M")`` ordinal."""
        return np.asarray([p.asfreq("M", how="start").ordinal for p in self.periods], dtype=np.int64)


TENURED = np.iinfo(np.int64).min // 4  # hire month of a rep with an empty ``hired`` (before any draw)
_HIRED_DATE_RE = re.compile(r"^(\d{4}-\d{2})-\d{2}(?:[ T][\d:.]*)?$")


def _fail(source: str, msg: str) -> PlanError:
    return PlanError(f"{source}: {msg}")


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    s = df[col].astype("string").str.strip()
    return s.mask((s == "").to_numpy(bool, na_value=False))  # a plain mask: much faster than a nullable one


_PERIOD_RE = re.compile(r"^\d{4}(-\d{2}|-?Q[1-4])?$")
_MONTH_START_RE = re.compile(r"^(\d{4}-\d{2})-01(?:[ T]00:00:00)?$")


def _parse_periods(labels: pd.Series, source: str) -> tuple[pd.Series, int]:
    """Period labels -> (pd.Period values, grain in months)."""
    uniq = labels.dropna().unique()
    parsed: dict[str, pd.Period] = {}
    grains = set()
    for lab in uniq:
        text = str(lab)
        first_of_month = _MONTH_START_RE.match(text)  # Excel date cells: 2026-01-01 00:00:00
        if first_of_month:
            text = first_of_month.group(1)
        up = text.upper()
        try:
            if not _PERIOD_RE.match(up):
                raise ValueError(text)
            if "Q" in up:
                p, g = pd.Period(up.replace("-", ""), freq="Q"), 3
            elif len(text) == 4 and text.isdigit():
                p, g = pd.Period(text, freq="Y"), 12
            else:
                p, g = pd.Period(text, freq="M"), 1
        except (ValueError, TypeError):
            raise _fail(source, f"period: '{text}' is not a period like 2026-01, 2026-Q1 or 2026") from None
        parsed[lab] = p
        grains.add(g)
    if len(grains) > 1:
        raise _fail(source, "period: mixes months, quarters and years; use one grain per file")
    if labels.isna().any():
        raise _fail(source, f"period: missing on row {int(np.flatnonzero(labels.isna())[0]) + 2}")
    return labels.map(parsed), grains.pop()


def _hire_months(own: pd.DataFrame, reps: np.ndarray, periods: pd.PeriodIndex, source: str) -> np.ndarray:
    """Column ``hired`` -> [n] hire month ordinals (:data:`TENURED` when empty)."""
    month: dict[str, int] = {}
    for text in own["hired"].dropna().unique():
        t = str(text).strip()
        date = _HIRED_DATE_RE.match(t)
        label = date.group(1) if date else t
        up = label.upper()
        try:
            if not _PERIOD_RE.match(up):
                raise ValueError(t)
            freq = "Q" if "Q" in up else ("Y" if len(label) == 4 else "M")
            month[text] = pd.Period(up.replace("-", "") if freq == "Q" else label, freq=freq).asfreq("M", how="start").ordinal
        except (ValueError, TypeError):
            raise _fail(source, f"hired: '{t}' is not a hire month like 2026-03 (or a date 2026-03-15)") from None
    h = own.loc[own["hired"].notna().to_numpy(bool), ["r", "hired"]]
    r_of, m_of = h["r"].to_numpy(np.int64), h["hired"].map(month).to_numpy(np.int64)
    lo = np.full(len(reps), np.iinfo(np.int64).max)
    hi = np.full(len(reps), np.iinfo(np.int64).min)
    np.minimum.at(lo, r_of, m_of)
    np.maximum.at(hi, r_of, m_of)
    given = np.zeros(len(reps), bool)
    given[r_of] = True
    bad = np.flatnonzero(given & (lo != hi))
    if len(bad):
        r = int(bad[0])
        raise _fail(source, f"hired: conflicting hire months for rep {reps[r]}: "
                    f"{pd.Period(ordinal=int(lo[r]), freq='M')} vs {pd.Period(ordinal=int(hi[r]), freq='M')}")
    hired = np.where(given, lo, TENURED)
    # a row whose period ends before the hire month: the person was not there yet
    end_month = np.asarray([p.asfreq("M", how="end").ordinal for p in periods], dtype=np.int64)
    early = own[end_month[own["t"].to_numpy(int)] < hired[own["r"].to_numpy(int)]]
    if len(early):
        r, t = int(early["r"].iloc[0]), int(early["t"].iloc[0])
        raise _fail(source, f"hired: rep {reps[r]} has a row for {periods[t]}, before their hire month "
                    f"{pd.Period(ordinal=int(hired[r]), freq='M')}")
    return hired


def _apply_crediting(df: pd.DataFrame, plan: CompPlan, source: str) -> pd.DataFrame:
    """Credit shares, overlays and manager roll-up -> column ``credit`` (effective credited)."""
    cr = plan.crediting
    share = df["credit_share"].fillna(1.0) if "credit_share" in df else pd.Series(1.0, index=df.index)
    if ((share < 0) | (share > 1)).any():
        bad = int(np.flatnonzero((share < 0) | (share > 1))[0])
        raise _fail(source, f"credit_share: must be within 0-1, got {share.iloc[bad]} on row {bad + 2}")
    role = df["role"].fillna("primary").str.lower() if "role" in df else pd.Series("primary", index=df.index)
    unknown = sorted(set(role.unique()) - {"primary", "overlay"})
    if unknown:
        raise _fail(source, f"role: unknown role '{unknown[0]}' (use primary or overlay)")
    df = df.assign(role=role, credit=df["credited"] * share * np.where(role == "overlay", cr.overlay_share, 1.0))
    if "deal" in df:
        prim = df[df["deal"].notna() & (role == "primary") & (df["event"].isna() if "event" in df else True)]
        if len(prim):
            sums = share[prim.index].groupby([prim["deal"], prim["measure"]]).sum()
            over = sums[sums > 1 + 1e-9]
            if len(over):
                (deal, meas), v = over.index[0], over.iloc[0]
                raise _fail(source, f"credit_share: deal {deal} ({meas}) is split {v:.0%} > 100% between primary reps")
            if cr.require_full_split:
                under = sums[(sums - 1).abs() > 1e-9]
                if len(under):
                    (deal, meas), v = under.index[0], under.iloc[0]
                    raise _fail(source, f"credit_share: deal {deal} ({meas}) splits only {v:.0%} between primary reps "
                                "(plan crediting.require_full_split is on)")
    if cr.manager_rollup:
        if "manager" not in df:
            raise _fail(source, "manager: the plan rolls credit up to managers but the data has no manager column")
        m = df[df["manager"].notna()]
        roll = m.assign(rep=m["manager"], credit=m["credit"] * cr.manager_share, role="rollup",
                        quota=np.nan)
        if "employed_share" in roll:
            roll["employed_share"] = np.nan
        for col in ("team", "base_salary", "target_incentive", "credit_share", "hired"):
            if col in roll:
                roll[col] = pd.NA if roll[col].dtype == "string" else np.nan
        df = pd.concat([df, roll], ignore_index=True)
    return df


def _rows(df: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """``df[mask]``, or ``df`` itself when the mask keeps every row (callers only read it)."""
    return df if mask.all() else df[mask]


def _one_value(df: pd.DataFrame, keys: list[str], col: str, source: str, what: str) -> pd.Series:
    """The single non-null value of ``col`` per key group (error if two differ)."""
    sub = df.loc[df[col].notna().to_numpy(bool), [*keys, col, "rep", "period"]]  # only the columns it reads
    g = sub.groupby(keys, sort=False, observed=True)[col]
    lo, hi = g.min(), g.max()
    bad = (hi - lo).abs() > 1e-9
    if bad.any():
        key = bad[bad].index[0]
        row = sub.set_index(keys).loc[[key]].iloc[0]
        raise _fail(source, f"{col}: conflicting {what} for rep {row['rep']}, {row['period']}: "
                    f"{lo[key]} vs {hi[key]}")
    return lo


MONEY_COLUMNS = ("credited", "quota", "base_salary", "target_incentive")
#: Smallest non-zero quota (a quota is a full amount per period; 0 means none).
MIN_QUOTA = 0.01


def _check_amounts(values: pd.Series, col: str, source: str) -> None:
    """Numbers of a performance column are finite, within the money limit, and a quota is 0 or
    at least :data:`MIN_QUOTA`."""
    x = values.to_numpy(float)
    bad = ~np.isfinite(x) & ~np.isnan(x)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _fail(source, f"{col}: '{values.iloc[i]}' on row {i + 2} is not a finite number (write the amount)")
    big = np.abs(np.nan_to_num(x)) > limit("money")
    if col in MONEY_COLUMNS and big.any():
        i = int(np.flatnonzero(big)[0])
        raise _fail(source, f"{col}: {x[i]:,.6g} on row {i + 2} is above the limit of {limit('money'):,.0f} "
                    "(set SALESSIM_MAX_MONEY to raise it)")
    if col == "quota":
        tiny = (x > 0) & (x < MIN_QUOTA)
        if tiny.any():
            i = int(np.flatnonzero(tiny)[0])
            raise _fail(source, f"quota: {x[i]:.3g} on row {i + 2} is below the smallest quota {MIN_QUOTA} "
                        "(give the full quota of the period, or 0 for none)")


def prepare(plan: CompPlan, performance: pd.DataFrame) -> Performance:
    """Check a performance frame against the plan and lay it out as arrays.

    Raises :class:`PlanError` naming the source, the column and the reason; nothing is dropped.
    """
    source = performance.attrs.get("source", "<performance>")
    df = performance.reset_index(drop=True)
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in REQUIRED if c not in df]
    if missing:
        raise _fail(source, f"{missing[0]}: required column missing (have: {', '.join(df.columns)})")
    if len(df) == 0:
        raise _fail(source, "(rows): the performance table is empty")
    for col in ("rep", "measure", *[c for c in OPTIONAL_TEXT if c in df]):
        df[col] = _text(df, col)
    df["period"] = df["period"].astype("string").str.strip()
    for col in ("credited", *[c for c in OPTIONAL_NUM if c in df]):
        num = pd.to_numeric(df[col], errors="coerce")
        # a number column cannot hold text that is not a number (skip the text check)
        bad = (np.zeros(len(df), bool) if pd.api.types.is_numeric_dtype(df[col]) else
               num.isna() & df[col].notna() & (df[col].astype("string").str.strip() != ""))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise _fail(source, f"{col}: '{df[col].iloc[i]}' on row {i + 2} is not a number (write a plain "
                        "number such as 1234.50: no currency sign, thousands separator or decimal comma)")
        df[col] = num.astype(float)
        _check_amounts(df[col], col, source)
    for col in ("rep", "measure", "credited"):
        if df[col].isna().any():
            raise _fail(source, f"{col}: missing on row {int(np.flatnonzero(df[col].isna())[0]) + 2}")
    unknown = sorted(set(df["measure"].unique()) - {m.name for m in plan.measures})
    if unknown:
        raise _fail(source, f"measure: unknown measure '{unknown[0]}' (plan measures: "
                    f"{', '.join(m.name for m in plan.measures)})")
    for col in ("quota", "base_salary", "target_incentive"):
        if col in df and (df[col] < 0).any():
            i = int(np.flatnonzero(df[col] < 0)[0])
            raise _fail(source, f"{col}: negative value {df[col].iloc[i]} on row {i + 2}")
    if "employed_share" in df and ((df["employed_share"] < 0) | (df["employed_share"] > 1)).any():
        i = int(np.flatnonzero((df["employed_share"] < 0) | (df["employed_share"] > 1))[0])
        raise _fail(source, f"employed_share: must be within 0-1, got {df['employed_share'].iloc[i]} on row {i + 2}")
    if "event" in df:
        ev = df["event"].str.lower()
        bad = sorted(set(ev.dropna().unique()) - {"churn"})
        if bad:
            raise _fail(source, f"event: unknown event '{bad[0]}' (use churn, or leave empty)")
        df["event"] = ev
        churn_rows = ev == "churn"
        on_churn = churn_rows.to_numpy(bool, na_value=False)
        if on_churn.any() and ("deal" not in df or "won_period" not in df
                               or df["deal"].isna().to_numpy(bool)[on_churn].any()
                               or df["won_period"].isna().to_numpy(bool)[on_churn].any()):
            raise _fail(source, "won_period: churn rows need deal and won_period")
        negative = (churn_rows.fillna(False) & (df["credited"] < 0)).to_numpy(bool)
        if negative.any():
            i = int(np.flatnonzero(negative)[0])
            raise _fail(source, f"credited: churn row {i + 2} has {df['credited'].iloc[i]:,.2f}: give the positive "
                        "amount originally credited (a negative one would turn the clawback into a payment)")
    df = _apply_crediting(df, plan, source)

    df["p"], grain = _parse_periods(df["period"], source)
    fy0 = plan.fiscal_year_start_month
    if grain == 3 and (fy0 - 1) % 3:
        raise _fail(source, f"period: quarterly data needs a fiscal year starting in Jan/Apr/Jul/Oct, plan starts in month {fy0}")
    if grain == 12 and fy0 != 1:
        raise _fail(source, "period: yearly data needs a fiscal year starting in January")
    for c in plan.components:
        if not hasattr(c, "thresholds") and not hasattr(c, "tiers") and not hasattr(c, "pool_rate"):
            continue
        if PERIOD_MONTHS[plan.component_period(c)] < grain:
            raise _fail(source, f"period: component '{c.name}' is measured per {plan.component_period(c)} "
                        f"but the data has one row per {GRAIN_FREQ[grain]} period")
    if plan.draw is not None and grain > 1 and plan.draw.months % grain and "hired" not in df:
        raise _fail(source, f"period: the draw lasts {plan.draw.months} months, not a whole number of data periods")
    freq = GRAIN_FREQ[grain]
    pmin, pmax = df["p"].min(), df["p"].max()
    periods = pd.period_range(pmin, pmax, freq=freq)
    T = len(periods)

    reps = np.asarray(sorted(df["rep"].unique()), dtype=object)
    n = len(reps)
    r_idx = pd.Index(reps).get_indexer(df["rep"])
    first = np.flatnonzero(~df["period"].duplicated().to_numpy(bool))  # each label's first row, in order
    t_of = {lab: (p - pmin).n for lab, p in zip(df["period"].iloc[first], df["p"].iloc[first], strict=True)}
    t_idx = df["period"].map(t_of).to_numpy(np.int64)
    df["r"], df["t"] = r_idx, t_idx

    is_churn = df["event"].eq("churn").fillna(False).to_numpy(bool) if "event" in df else np.zeros(len(df), bool)
    own = _rows(df, (df["role"] != "rollup").to_numpy(bool, na_value=False))
    present = np.zeros((n, T), bool)
    present[df["r"], df["t"]] = True
    share = np.ones((n, T))
    if "employed_share" in df:
        es = _one_value(own, ["r", "t"], "employed_share", source, "employed shares")
        share[es.index.get_level_values(0), es.index.get_level_values(1)] = es.to_numpy(float)
    share = np.where(present, share, 0.0)

    credit_rows = _rows(df, ~is_churn)
    credited: dict[str, np.ndarray] = {}
    data_quota: dict[str, np.ndarray] = {}
    for m in plan.measures:
        rows = _rows(credit_rows, (credit_rows["measure"] == m.name).to_numpy(bool, na_value=False))
        c = np.zeros((n, T))
        np.add.at(c, (rows["r"].to_numpy(), rows["t"].to_numpy()), rows["credit"].to_numpy(float))
        credited[m.name] = c
        if m.quota == "data":
            if "quota" not in df:
                raise _fail(source, f"quota: column missing (measure '{m.name}' takes its quota from the data)")
            qv = _one_value(rows, ["r", "t"], "quota", source, f"{m.name} quotas")
            q = np.full((n, T), np.nan)
            q[qv.index.get_level_values(0), qv.index.get_level_values(1)] = qv.to_numpy(float)
            data_quota[m.name] = q

    def per_rep_value(col: str, default: float) -> np.ndarray | None:
        """[n, T] values of ``col`` (``default`` where a rep-period has none); None without the column."""
        if col not in df:
            return None
        out = np.full((n, T), default)
        v = _one_value(own, ["r", "t"], col, source, col.replace("_", " ") + "s")
        out[v.index.get_level_values(0), v.index.get_level_values(1)] = v.to_numpy(float)
        return out

    base = per_rep_value("base_salary", plan.pay.base_salary)
    ti = per_rep_value("target_incentive", plan.pay.target_incentive)

    if "team" not in df and any(isinstance(c, TeamBonus) for c in plan.components):
        raise _fail(source, "team: the plan has a team bonus but the data has no team column")
    teams: list[str] = []
    team = np.full((n, T), -1, dtype=np.int64)
    if "team" in df:
        tr = own.loc[own["team"].notna().to_numpy(bool), ["r", "t", "team"]]
        teams = sorted(tr["team"].unique())
        code = pd.Index(teams).get_indexer(tr["team"])
        team[tr["r"].to_numpy(), tr["t"].to_numpy()] = code

    deal_cols = [c for c in ("deal", "product", "segment") if c in df]
    if "deal" in df:
        d = credit_rows[credit_rows["deal"].notna()]
        deals = d[["r", "t", "measure", *deal_cols, "credit"]].rename(columns={"credit": "credited"})
    else:
        deals = pd.DataFrame({"r": [], "t": [], "measure": [], "deal": [], "credited": []})
    churn = df[is_churn]
    if len(churn):
        wp, _ = _parse_periods(churn["won_period"], source)
        if any(p.freqstr != periods.freqstr for p in wp):
            raise _fail(source, "won_period: must use the same period grain as period")
        won_t = np.asarray([(p - pmin).n for p in wp], dtype=np.int64)
        months = (churn["t"].to_numpy() - won_t) * grain
        if (months < 0).any():
            i = int(np.flatnonzero(months < 0)[0])
            raise _fail(source, f"won_period: deal {churn['deal'].iloc[i]} churned before it was won")
        churn = churn[["r", "t", "measure", "deal", "credit"]].rename(columns={"credit": "credited"}).assign(
            won_t=won_t, won_period=churn["won_period"].to_numpy(), months=months)
    else:
        churn = pd.DataFrame({"r": [], "t": [], "measure": [], "deal": [], "credited": [], "won_t": [],
                              "won_period": [], "months": []})
    hired = _hire_months(own, reps, periods, source) if "hired" in df else None
    return laid_out(plan, source, reps, periods, present, share, credited, data_quota, team, teams,
                    deals.reset_index(drop=True), churn.reset_index(drop=True), hired, base=base, ti=ti)


def laid_out(plan: CompPlan, source: str, reps: np.ndarray, periods: pd.PeriodIndex, present: np.ndarray,
             share: np.ndarray, credited: dict[str, np.ndarray], data_quota: dict[str, np.ndarray],
             team: np.ndarray, teams: list[str], deals: pd.DataFrame, churn: pd.DataFrame,
             hired: np.ndarray | None, base: np.ndarray | None = None, ti: np.ndarray | None = None) -> Performance:
    """The :class:`Performance` of arrays already laid out ``[rep, period]`` (the end of
    :func:`prepare`; the simulator lays its own records out directly): the fiscal calendar of the
    periods, and each measure's quota pro-rated by the employed ``share`` (0-1, 0 when absent).

    ``credited``: measure -> credited (currency, or a count); ``data_quota``: measure -> full
    period quota (currency; NaN where a rep-period has none) for the measures taking their quota
    from the data; ``base``/``ti``: annual base salary / target incentive (currency; default the
    plan's). ``reps`` sorted, ``periods`` contiguous; ``deals``/``churn`` as in :class:`Performance`.
    """
    n, T = present.shape
    grain = {freq: months for months, freq in GRAIN_FREQ.items()}[periods.freqstr[0]]
    fy0 = plan.fiscal_year_start_month
    start_month = np.asarray([p.start_time.month for p in periods])
    start_year = np.asarray([p.start_time.year for p in periods])
    fiscal_month = (start_month - fy0) % 12
    fiscal_year = np.where(start_month >= fy0, start_year, start_year - 1)
    quota: dict[str, np.ndarray] = {}
    for m in plan.measures:
        if m.quota == "data":
            q = data_quota[m.name]
            lack = present & np.isnan(q) & (share > 0)
            if lack.any():
                r, t = np.argwhere(lack)[0]
                raise _fail(source, f"quota: rep {reps[r]} has no {m.name} quota for {periods[t]}")
            quota[m.name] = np.where(present, np.nan_to_num(q) * share, 0.0)
        else:
            quota[m.name] = m.quota * grain / 12.0 * share
    base = np.full((n, T), plan.pay.base_salary) if base is None else base
    ti = np.full((n, T), plan.pay.target_incentive) if ti is None else ti
    return Performance(source, reps, periods, grain, fiscal_year, fiscal_month, present, share,
                       credited, quota, base, ti, team, teams, deals, churn, hired=hired)


def from_ledger(ledger: pd.DataFrame, quota: Any, *, column: str = "bookings",
                measure: str = "bookings") -> pd.DataFrame:
    """The simulator's ledger (one row per rep and month) as a performance frame.

    ``quota`` is each rep's *monthly* quota: a number, a mapping ``rep -> quota``, or an array
    aligned with the ledger rows. Deal-level rows (SPIFs, clawbacks) are not in the ledger; add
    them from the deals table if the plan needs them. Columns ``employed_share`` and ``hired``
    are carried over when the ledger has them.
    """
    rep = ledger["rep"].astype("string")
    if isinstance(quota, dict):
        q = rep.map(quota).astype(float)
        if q.isna().any():
            raise PlanError(f"<ledger>: quota: no quota for rep {rep[q.isna()].iloc[0]}")
    else:
        q = np.broadcast_to(np.asarray(quota, float), (len(ledger),))
    out = pd.DataFrame({"rep": rep.to_numpy(), "period": ledger["month"].astype(str).to_numpy(),
                        "measure": measure, "credited": ledger[column].to_numpy(float), "quota": np.asarray(q)})
    for col in ("employed_share", "hired"):  # carried when the ledger has them (new-hire draws)
        if col in ledger:
            out[col] = ledger[col].to_numpy()
    return out
