"""Forecast the next months' bookings from today's open pipeline, and back-test that forecast.

:func:`forecast` calibrates the org from the export (:func:`salessim.calibrate.calibrate`, the
same import, mapping and fit as ``salessim calibrate``), then simulates the forecast window many
times *starting from the export's open deals* instead of an empty warm-up
(:mod:`salessim.engine.seeding`): every open deal is placed at its stage with the days it has
spent there, new leads keep arriving at the fitted rate, and the won amounts closed in each
month give P10/P50/P90 of bookings per month, per owner and in total (plus attainment against a
quota file). :func:`backtest_forecast` cuts the export at earlier month starts, forecasts from the
deals open then and compares with what actually closed.

How open deals are placed (days are whole days to the window's first day):

* **Window.** The ``months`` calendar months from the first month start after the as-of date.
  An as-of date that is not a month end leaves a stub of days before the window: the deals are
  aged to the window's start and taken as still open then (a note says so).
* **Owner -> rep.** The calibrated org has one rep slot per owner with closed deals, in
  alphabetical order (``R001`` = the first). Open deals of other owners (new hires, owners with
  only open deals) go to the *pool*: spread over all slots in turn; their forecast is still
  reported under their own name. New leads of a slot are credited to its owner, except for
  owners who stopped appearing (:func:`salessim.calibrate.behaviour.turnover`): the new leads
  of their territories are reported as one row, ``DEPARTED``.
* **Stage and days in stage.** With a stage history: the stage of the deal's last entry before
  the as-of date and the days since that entry. Snapshot only (a stage but no entry date): days
  in stage = age minus the median days of the stages before it; a deal with no known stage, or
  mapped to a stage before the funnel's longest one (the stage that carries the won cycle in a
  snapshot calibration), is placed in that longest stage. The days left in the stage are drawn
  from its duration *given* the days already spent (``Duration.remaining``).
* **Win chance.** With a stage history the funnel's fitted stage conversions decide. Snapshot
  only, the stage conversions of the calibration are a construction, so each deal's chance is the
  fitted cycle model's given its age: ``p S_won(a) / (p S_won(a) + (1 - p) S_lost(a))`` (``p`` the
  censoring-aware win rate, ``S`` the survival of the won and lost cycles); a stale deal that has
  outlived most wins is mostly lost.
* **Amount.** The export's value; a deal without one (or 0) draws one from the fitted deal-size
  distribution of its segment and product.

Quota file (CSV or Excel, one row per owner and period): ``owner`` (as in the export),
``quota`` (currency), optional ``period`` (``2026-07`` a month, ``2026Q3`` / ``2026-Q3`` a
quarter; without it the quota is for the whole forecast window). Quarter quotas count pro rata
for the window's months in them. Every problem is a one-line error naming the file, line,
column, reason and fix.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salessim.calibrate.behaviour import turnover
from salessim.calibrate.fit import Fit
from salessim.calibrate.mapping import norm
from salessim.calibrate.reader import parse_amounts, read_table
from salessim.calibrate.survival import Family
from salessim.calibrate.validate import CrmImport
from salessim.errors import SalessimError
from salessim.scenario import Scenario, load_scenario

#: Quantiles reported (P10, P50, P90).
QUANTILES = (0.1, 0.5, 0.9)
#: Owner row of the new leads in the territories of owners who stopped appearing.
DEPARTED = "(territories of departed owners)"


# --------------------------------------------------------------------------- the window


def window_start(as_of: pd.Timestamp) -> pd.Timestamp:
    """First day of the forecast window: the first month start after ``as_of``."""
    nxt = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
    return nxt if nxt.day == 1 else (nxt + pd.offsets.MonthBegin(1))


def forecast_scenario(data: dict[str, Any], start: pd.Timestamp, months: int) -> Scenario:
    """The calibrated scenario run over the window only: no warm-up (the open pipeline is it)."""
    d = copy.deepcopy(data)
    d["calendar"] = {**d["calendar"], "start_date": str(start.date()), "horizon_months": int(months),
                     "warmup_months": 0}
    return load_scenario(d)


# --------------------------------------------------------------------------- the open pipeline


def win_chance_by_age(fit: Fit, age_days: np.ndarray) -> np.ndarray:
    """Chance an open deal of ``age_days`` (days since created) is eventually won, under the
    fitted cycle model: won cycle = the distribution chosen by fit to the data, lost cycle and
    win rate from the mixture competing-risks fit."""
    a = np.asarray(age_days, float)
    p = float(fit.cycle.win_rate)
    s_won = np.exp(fit.won_cycle.distribution().log_sf(a))
    s_lost = 1.0 - Family(fit.cycle.family).cdf(a, np.array(fit.cycle.lost))
    num = p * s_won
    den = num + (1.0 - p) * np.maximum(s_lost, 0.0)
    return np.clip(np.divide(num, den, out=np.full_like(a, p), where=den > 1e-300), 0.0, 1.0)


def _index(names: list[str], values: pd.Series, default: int) -> np.ndarray:
    """Positions of ``values`` among ``names`` (case/space-insensitive); ``default`` if absent."""
    pos = {norm(n): i for i, n in enumerate(names)}
    return np.array([pos.get(norm(v), default) if isinstance(v, str) else default for v in values], np.int64)


@dataclass
class OpenPipeline:
    """The export's open deals as the engine takes them (``frame``, see
    :mod:`salessim.engine.seeding`) and as people read them (``deals``: opportunity, owner, the
    stage placed in, days in stage, age, amount or NaN, win chance used)."""

    frame: pd.DataFrame
    deals: pd.DataFrame
    owners: list[str]  # rep slot i -> owner name
    pooled: list[str]  # owners of open deals without a rep slot
    departed: list[str] = field(default_factory=list)  # owners who stopped appearing (their slots' new leads -> DEPARTED)


def open_pipeline(crm: CrmImport, fit: Fit, sc: Scenario, start: pd.Timestamp) -> OpenPipeline:
    """Place the open deals of ``crm`` in the funnel of ``sc`` on ``start`` (module docstring)."""
    d = crm.deals[crm.deals["status"] == "open"].reset_index(drop=True)
    owners = [str(o) for o in fit.reps["rep"]]
    slot_of = {o: i for i, o in enumerate(owners)}
    rep = np.array([slot_of.get(o, -1) for o in d["owner"]], np.int64)
    pooled = sorted(set(d["owner"][rep < 0]))
    free = np.flatnonzero(rep < 0)
    rep[free] = np.arange(len(free)) % max(len(owners), 1)

    stages = sc.funnel.stages
    names = sc.funnel.stage_names
    S = len(stages)
    seg_names = [s.name for s in sc.market.segments]
    shares = np.array([s.share_of_accounts * s.potential_weight for s in sc.market.segments])
    segment = _index(seg_names, d["segment"].astype(object).where(d["segment"].notna(), "all"), int(np.argmax(shares)))
    prod_names = [p.name for p in sc.market.products]
    product = _index(prod_names, d["product"].astype(object).where(d["product"].notna(), "all"),
                     int(np.argmax([p.share for p in sc.market.products])))
    age = np.maximum((start - d["created"]).dt.days.to_numpy(float), 0.0)
    stage = np.array([names.index(s) if isinstance(s, str) and s in names else -1 for s in d["stage"]], np.int64)

    medians = np.array([st.duration.quantile(np.array([0.5]))[0] for st in stages])
    seg_dur = np.array([s.duration_multiplier for s in sc.market.segments])[segment]
    before = np.concatenate([[0.0], np.cumsum(medians)[:-1]])  # median days before each stage
    history = crm.history is not None and len(crm.history) > 0
    in_stage = np.full(len(d), np.nan)
    if history:
        h = crm.history[(crm.history["stage_index"] >= 0) & (crm.history["stage_index"] < S)
                        & (crm.history["entered"] <= crm.as_of)]
        last = h.sort_values(["opportunity_id", "entered"], kind="stable").groupby("opportunity_id").tail(1)
        last = last.set_index("opportunity_id").reindex(d["opportunity_id"])
        known = last["stage_index"].notna().to_numpy()
        stage = np.where(known, last["stage_index"].fillna(-1).to_numpy(np.int64), stage)
        in_stage = np.where(known, (start - last["entered"]).dt.days.to_numpy(float), np.nan)
    longest = int(np.argmax(medians))
    if not history:
        stage = np.where(stage < longest, longest, stage)  # unknown (-1) or before the longest stage
    stage = np.where(stage < 0, longest, stage)
    guess = np.isnan(in_stage)
    in_stage[guess] = np.maximum(age[guess] - before[stage[guess]] * seg_dur[guess], 0.0)
    in_stage = np.minimum(in_stage, age)
    chance = win_chance_by_age(fit, age) if not history else np.full(len(d), np.nan)
    amount = d["amount"].to_numpy(float)
    frame = pd.DataFrame({"rep": rep, "stage": stage, "days_in_stage": in_stage, "age_days": age,
                          "amount": np.where(amount > 0, amount, np.nan), "segment": segment, "product": product,
                          "win_probability": chance})
    deals = pd.DataFrame({"opportunity_id": d["opportunity_id"], "owner": d["owner"],
                          "stage": [names[s] for s in stage], "days_in_stage": in_stage, "age_days": age,
                          "amount": frame["amount"], "win_chance": chance})
    departed = [o for o in turnover(crm.deals, crm.as_of)["leavers"] if o in slot_of]
    return OpenPipeline(frame, deals, owners, pooled, departed)


# --------------------------------------------------------------------------- quotas


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})\s*-?\s*q([1-4])$", re.IGNORECASE)


def _period_months(text: str) -> pd.PeriodIndex | None:
    t = text.strip()
    if m := _MONTH.match(t):
        if 1 <= int(m.group(2)) <= 12:
            return pd.period_range(pd.Period(f"{m.group(1)}-{int(m.group(2)):02d}", "M"), periods=1, freq="M")
        return None
    if m := _QUARTER.match(t):
        q = pd.Period(f"{m.group(1)}Q{m.group(2)}", "Q")
        return pd.period_range(q.start_time, q.end_time, freq="M")
    return None


def read_quotas(path: str | Path, owners: list[str], months: pd.PeriodIndex) -> pd.Series:
    """Quota of each owner over the forecast ``months`` (a Series by owner name, currency), from
    a quota file (module docstring). Raises a one-line :class:`SalessimError` on any problem."""
    raw, _ = read_table(path)
    name = Path(path).name
    if raw.empty:
        raise SalessimError(f"{name}: the quota file has no rows (write a header owner,period,quota and one row per owner)")
    cols = {norm(c): c for c in raw.columns}
    for need in ("owner", "quota"):
        if need not in cols:
            raise SalessimError(f"{name}: missing column '{need}' (columns found: {', '.join(raw.columns)}; "
                                "write owner,period,quota or owner,quota)")
    owner_col, quota_col, period_col = cols["owner"], cols["quota"], cols.get("period")
    known = {norm(o): o for o in owners}
    amounts = parse_amounts(raw[quota_col])
    window = set(months)
    total: dict[str, float] = {}
    seen: set[tuple[str, str]] = set()
    for line, row in raw.iterrows():
        who = row[owner_col]
        if not who:
            raise SalessimError(f"{name}: line {line}: owner: empty (give the owner's name as in the export)")
        if norm(who) not in known:
            raise SalessimError(f"{name}: line {line}: owner: '{who}' is not an owner in the export "
                                f"(fix the spelling or remove the row; owners: {', '.join(sorted(owners)[:5])}...)")
        q = amounts[line]
        if row[quota_col] == "" or not np.isfinite(q):
            raise SalessimError(f"{name}: line {line}: quota: '{row[quota_col]}' is not an amount (write a number, e.g. 150000)")
        if q < 0:
            raise SalessimError(f"{name}: line {line}: quota: {row[quota_col]} is negative (a quota is 0 or more)")
        period = row[period_col] if period_col else ""
        key = (norm(who), norm(period))
        if key in seen:
            raise SalessimError(f"{name}: line {line}: owner '{who}'{' period ' + period if period else ''} appears twice "
                                "(keep one row per owner and period)")
        seen.add(key)
        if period_col and period:
            span = _period_months(period)
            if span is None:
                raise SalessimError(f"{name}: line {line}: period: '{period}' is not a month or quarter "
                                    "(write 2026-07 or 2026Q3)")
            share = sum(m in window for m in span) / len(span)
        elif period_col:
            raise SalessimError(f"{name}: line {line}: period: empty (write 2026-07 or 2026Q3, or drop the column "
                                "for quotas of the whole forecast window)")
        else:
            share = 1.0
        if share > 0:
            total[known[norm(who)]] = total.get(known[norm(who)], 0.0) + q * share
    if not total:
        raise SalessimError(f"{name}: no quota row covers the forecast window {months[0]} to {months[-1]} "
                            "(check the period column)")
    return pd.Series(total, name="quota", dtype=float)


# --------------------------------------------------------------------------- the forecast


@dataclass
class Forecast:
    """Bookings forecast from an open pipeline (all money in ``currency``).

    ``monthly``: one row per month and a ``total`` row: ``p10, p50, p90, mean`` of bookings over
    the replications, and the mean split into ``from_open_pipeline`` / ``from_new_leads``.
    ``owners``: one row per owner: open deals, their known value, the same quantiles of the
    owner's bookings over the window, and with a quota file ``quota``, attainment P10/P50/P90 and
    ``chance_at_quota``. ``daily``: cumulative bookings through the window (``day``, ``date``,
    quantiles) for the fan chart. ``draws``: bookings per replication, month and owner (tidy).
    The P50 of the total is not the sum of the monthly P50s (each is a quantile of its own sum).
    """

    as_of: pd.Timestamp
    start: pd.Timestamp
    months: pd.PeriodIndex
    monthly: pd.DataFrame
    owners: pd.DataFrame
    daily: pd.DataFrame
    draws: pd.DataFrame
    pipeline: OpenPipeline = field(repr=False)
    replications: int
    seed: int
    currency: str
    notes: list[str] = field(default_factory=list)
    calibration: Any = field(default=None, repr=False)

    @property
    def total(self) -> pd.Series:
        """The ``total`` row of :attr:`monthly` (p10, p50, p90, mean...)."""
        return self.monthly.set_index("month").loc["total"]


def _quantiles(x: np.ndarray, axis: int = 0) -> dict[str, np.ndarray]:
    q = np.quantile(x, QUANTILES, axis=axis)
    return {"p10": q[0], "p50": q[1], "p90": q[2], "mean": np.mean(x, axis=axis)}


def simulate_forecast(sc: Scenario, pipeline: OpenPipeline, replications: int = 100, seed: int = 0,
                      progress: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Run the window ``replications`` times from the open pipeline (replication ``i`` uses child
    ``i`` of ``seed``: the same seed gives the same draws). Returns bookings per replication,
    month and owner, the part from open deals (same shape), cumulative bookings per replication
    and day, and the owner names (slots first, then pooled owners)."""
    from tqdm.auto import tqdm

    from salessim.engine.streams import seed_sequence
    from salessim.results.simulation import simulate

    names = pipeline.owners + [o for o in pipeline.pooled if o not in pipeline.owners]
    col = {o: i for i, o in enumerate(names)}
    open_owner = np.array([col[o] for o in pipeline.deals["owner"]], np.int64)
    slot_name = np.arange(len(pipeline.owners))  # whom a slot's new leads are credited to
    if pipeline.departed:
        names = [*names, DEPARTED]
        slot_name[[col[o] for o in pipeline.departed]] = len(names) - 1
    n_open = len(open_owner)
    months = sc.calendar.horizon_months
    start = pd.Timestamp(sc.calendar.start_date)
    days = (start + pd.DateOffset(months=months) - start).days
    book = np.zeros((replications, months, len(names)))
    from_open = np.zeros_like(book)
    daily = np.zeros((replications, days))
    month_starts = np.array([(start + pd.DateOffset(months=m) - start).days for m in range(months + 1)])
    for i in tqdm(range(replications), desc="forecast", unit="run", disable=not progress, dynamic_ncols=True):
        d = simulate(sc, seed=seed_sequence(seed, i), initial_pipeline=pipeline.frame).deals
        won = d[(d["outcome"] == "won") & (d["close_day"] >= 0) & (d["close_day"] < days)]
        day = np.floor(won["close_day"].to_numpy()).astype(np.int64)
        m = np.searchsorted(month_starts, day, side="right") - 1
        ids = won["deal_id"].to_numpy()
        seeded = ids < n_open
        who = np.where(seeded, open_owner[np.minimum(ids, max(n_open - 1, 0))] if n_open else 0,
                       slot_name[won["rep"].cat.codes.to_numpy()])
        amount = won["amount"].to_numpy()
        np.add.at(book[i], (m, who), amount)
        np.add.at(from_open[i], (m[seeded], who[seeded]), amount[seeded])
        daily[i] = np.cumsum(np.bincount(day, amount, days))
    return book, from_open, daily, names


def summarise(book: np.ndarray, from_open: np.ndarray, daily: np.ndarray, names: list[str], sc: Scenario,
              pipeline: OpenPipeline, quotas: pd.Series | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The monthly, owner, daily and draws tables of :class:`Forecast` from the raw arrays."""
    months = sc.calendar.horizon_months
    labels = [str(p) for p in pd.period_range(sc.calendar.start_date, periods=months, freq="M")]
    per_month = book.sum(axis=2)  # replication x month
    open_month = from_open.sum(axis=2)
    total = per_month.sum(axis=1)
    rows = {"month": [*labels, "total"]}
    for k, v in _quantiles(per_month).items():
        rows[k] = [*v, _quantiles(total)[k]]
    rows["from_open_pipeline"] = [*open_month.mean(axis=0), open_month.sum(axis=1).mean()]
    rows["from_new_leads"] = np.array(rows["mean"]) - np.array(rows["from_open_pipeline"])
    monthly = pd.DataFrame(rows)

    by_owner = book.sum(axis=1)  # replication x owner
    open_by_owner = from_open.sum(axis=1)
    deals = pipeline.deals
    count = deals.groupby("owner").size()
    value = deals.groupby("owner")["amount"].sum(min_count=0)
    missing = deals["amount"].isna().groupby(deals["owner"]).sum()
    q = _quantiles(by_owner)
    owners = pd.DataFrame({"owner": names, "open_deals": count.reindex(names, fill_value=0).to_numpy(np.int64),
                           "open_value": value.reindex(names, fill_value=0.0).to_numpy(float),
                           "open_without_value": missing.reindex(names, fill_value=0).to_numpy(np.int64),
                           **q, "from_open_pipeline": open_by_owner.mean(axis=0),
                           "pooled": [n in pipeline.pooled for n in names]})
    if quotas is not None:
        quota = quotas.reindex(names).to_numpy(float)
        att = by_owner / np.where(quota > 0, quota, np.nan)
        owners["quota"] = quota
        has = np.isfinite(quota) & (quota > 0)
        qa = np.full((3, len(names)), np.nan)
        qa[:, has] = np.quantile(att[:, has], QUANTILES, axis=0)
        for k, v in zip(("attainment_p10", "attainment_p50", "attainment_p90"), qa, strict=True):
            owners[k] = v
        with np.errstate(invalid="ignore"):
            owners["chance_at_quota"] = np.where(has, (att >= 1.0).mean(axis=0), np.nan)
    owners = owners.sort_values(["p50", "owner"], ascending=[False, True], ignore_index=True)

    start = pd.Timestamp(sc.calendar.start_date)
    dq = _quantiles(daily)
    daily_t = pd.DataFrame({"day": np.arange(1, daily.shape[1] + 1),
                            "date": start + pd.to_timedelta(np.arange(daily.shape[1]), unit="D"), **dq})
    r, m, o = np.meshgrid(np.arange(book.shape[0]), np.arange(months), np.arange(len(names)), indexing="ij")
    draws = pd.DataFrame({"replication": r.ravel(), "month": np.array(labels)[m.ravel()],
                          "owner": np.array(names, dtype=object)[o.ravel()], "bookings": book.ravel(),
                          "from_open_pipeline": from_open.ravel()})
    return monthly, owners, daily_t, draws[draws["bookings"] > 0].reset_index(drop=True)


def forecast_from(crm: CrmImport, calibration, months: int = 3, replications: int = 100, seed: int = 0,
                  quotas: str | Path | pd.Series | None = None, progress: bool = True) -> Forecast:
    """Forecast from an import and its calibration (:func:`salessim.calibrate.calibrate`)."""
    if months < 1 or replications < 1:
        raise SalessimError("forecast: months and replications must be 1 or more")
    start = window_start(crm.as_of)
    sc = forecast_scenario(calibration.data, start, months)
    pipe = open_pipeline(crm, calibration.fit, sc, start)
    window = pd.period_range(start, periods=months, freq="M")
    q = read_quotas(quotas, pipe.owners + pipe.pooled, window) if isinstance(quotas, (str, Path)) else quotas
    book, from_open, daily, names = simulate_forecast(sc, pipe, replications, seed, progress)
    monthly, owners, daily_t, draws = summarise(book, from_open, daily, names, sc, pipe, q)
    notes = []
    stub = (start - crm.as_of.normalize()).days - 1
    if stub > 0:
        notes.append(f"as-of {crm.as_of.date()} is not a month end: the forecast starts {start.date()}; deals open on "
                     f"{crm.as_of.date()} are taken as still open then ({stub} days not simulated)")
    if pipe.departed:
        notes.append(f"{len(pipe.departed)} owner(s) stopped appearing ({', '.join(pipe.departed[:5])}): new leads of "
                     f"their territories are reported as '{DEPARTED}'")
    if pipe.pooled:
        notes.append(f"{len(pipe.pooled)} owner(s) with open deals but no closed deal ({', '.join(pipe.pooled[:5])}"
                     f"{'...' if len(pipe.pooled) > 5 else ''}): their deals are worked by the pool of reps")
    no_value = int(pipe.deals["amount"].isna().sum())
    if no_value:
        notes.append(f"{no_value:,} open deals without a value: their value is drawn from the fitted deal sizes")
    if crm.history is None or not len(crm.history):
        notes.append("no stage history: open deals are placed by age in the stage that carries the won cycle, and each "
                     "deal's win chance is the fitted cycle model's given its age")
    if q is not None:
        without = sorted(set(names) - set(q.index))
        if without:
            notes.append(f"{len(without)} owner(s) without a quota row: no attainment ({', '.join(without[:5])})")
    currency = calibration.data.get("currency", "USD")
    return Forecast(crm.as_of, start, window, monthly, owners, daily_t, draws, pipe, replications, seed, currency,
                    notes, calibration)


def forecast(
    export: str | Path | CrmImport,
    mapping: str | Path | dict | None = None,
    preset: str | None = None,
    history: str | Path | None = None,
    team: str | Path | None = None,
    base: Scenario | str | Path | None = None,
    as_of: str | pd.Timestamp | None = None,
    quotas: str | Path | None = None,
    months: int = 3,
    replications: int = 100,
    seed: int = 0,
    refine_iterations: int = 2,
    accept_mismatch: bool = False,
    calibration=None,
    progress: bool = True,
) -> Forecast:
    """Forecast bookings of the next ``months`` calendar months from an export's open pipeline.

    ``export``: the opportunity export (CSV/Excel path; ``mapping``/``preset``, ``history``,
    ``team`` and ``base`` as in :func:`salessim.calibrate.from_crm`) or an already validated
    :class:`CrmImport`. ``as_of``: forecast as the pipeline stood at the end of that day (deals
    created later dropped, deals closed later reopened; default: the export's own date). ``calibration``: a :class:`~salessim.calibrate.Calibration` of
    that import to reuse (else one is fitted with ``refine_iterations``; one whose simulation
    does not match the data is refused unless ``accept_mismatch``). ``quotas``: a quota file
    (module docstring). ``replications`` runs (P10/P90 want 100 or more), seeded from ``seed``.

    Returns a :class:`Forecast`: ``.monthly`` (P10/P50/P90 per month and ``total``), ``.owners``
    (per owner, with attainment against the quotas), ``.daily`` (cumulative, for the fan chart
    ``salessim.ui.charts.forecast.fan_chart``), ``.notes`` (what was assumed).

    >>> fc = forecast("export.csv", preset="salesforce", quotas="quotas.csv", replications=200)
    >>> fc.monthly, fc.owners.head()
    """
    from salessim.calibrate import _base, calibrate, import_crm, load_mapping

    if isinstance(export, CrmImport):
        crm = export
    else:
        b = _base(base)
        crm = import_crm(export, load_mapping(mapping, preset), b.funnel.stage_names, history, team, None,
                         products=[p.name for p in b.market.products], segments=[s.name for s in b.market.segments])
    if as_of is not None:
        snap = as_of_snapshot(crm, as_of)
        if snap is not crm:  # an earlier day: fitted on what was known then
            crm, calibration = snap, None
    if calibration is None:
        calibration = calibrate(crm, _base(base), refine_iterations, seed, source=Path(crm.report.source).name)
    if calibration.mismatch and not accept_mismatch:
        raise SalessimError(f"forecast: the calibration is NOT MATCHED: {calibration.mismatch} "
                            "(fix the base or pass --accept-mismatch to forecast anyway)")
    fc = forecast_from(crm, calibration, months, replications, seed, quotas, progress)
    if calibration.mismatch:
        fc.notes.insert(0, f"NOT VALIDATED: the calibration does not reproduce the export ({calibration.mismatch})")
    return fc


def as_of_snapshot(crm: CrmImport, as_of: str | pd.Timestamp) -> CrmImport:
    """The import as it stood at the end of ``as_of`` (:func:`snapshot_open`); a date outside the
    export, or with less than 90 days of data before it, is a one-line error."""
    try:
        day = pd.Timestamp(as_of).normalize()
    except (ValueError, TypeError):
        raise SalessimError(f"--as-of {as_of}: not a calendar date (write YYYY-MM-DD, e.g. 2026-06-30)") from None
    first = crm.deals["created"].min()
    if day > crm.as_of:
        raise SalessimError(f"--as-of {day.date()}: after the export's own date {crm.as_of.date()} "
                            "(the export cannot show that day's pipeline; leave --as-of out to forecast from the export)")
    if day - first < pd.Timedelta(days=90):
        raise SalessimError(f"--as-of {day.date()}: only {(day - first).days} days of data before it (the export starts "
                            f"{first.date()}; give a date at least 90 days later)")
    return snapshot_open(crm, day + pd.Timedelta(days=1)) if day < crm.as_of else crm


# --------------------------------------------------------------------------- back-test


@dataclass
class ForecastBacktest:
    """Forecasts made as of earlier dates against what actually closed.

    ``table``: one row per cut and month plus a ``total`` row per cut: ``cut`` (first day of the
    window), ``month``, ``actual``, ``p10``, ``p50``, ``p90``, ``error`` (P50 / actual - 1) and
    ``inside`` (actual within P10-P90). ``summary``: for months and for totals, the mean absolute
    error of the P50 and the share of actuals inside P10-P90 (about 80% when the forecast's
    spread is right).
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    replications: int
    seed: int
    notes: list[str] = field(default_factory=list)


def snapshot_open(crm: CrmImport, cutoff: pd.Timestamp) -> CrmImport:
    """The export as of the day before ``cutoff`` (:func:`salessim.calibrate.backtest.snapshot_at`)
    with the stage of deals open then unknown unless a stage history tells it (the export's
    stages are today's, not the cut's)."""
    from salessim.calibrate.backtest import snapshot_at

    snap = snapshot_at(crm, cutoff)
    d = snap.deals.copy()
    d.loc[d["status"] == "open", "stage"] = None
    return replace(snap, deals=d)


def actual_bookings(crm: CrmImport, start: pd.Timestamp, months: int) -> pd.Series:
    """Won amounts closed in each month of the window (by month label), from the full export."""
    labels = pd.period_range(start, periods=months, freq="M")
    w = crm.deals[(crm.deals["status"] == "won") & (crm.deals["closed"] >= start)
                  & (crm.deals["closed"] < start + pd.DateOffset(months=months))]
    s = w.groupby(w["closed"].dt.to_period("M"))["amount"].sum().reindex(labels, fill_value=0.0)
    s.index = [str(p) for p in s.index]
    return s


def backtest_forecast(crm: CrmImport, base: Scenario | str | Path | None = None, cuts: int = 3, months: int = 3,
                      replications: int = 50, seed: int = 0, refine_iterations: int = 2,
                      progress: bool = True) -> ForecastBacktest:
    """Cut the export at ``cuts`` earlier month starts (the last ``months`` full months before the
    as-of date, the ``months`` before those, ...), calibrate on each snapshot, forecast from the
    deals open at the cut and compare with the won amounts that actually closed in the window.
    Cuts with less than 90 days of data before them are skipped (an error if none is left)."""
    from salessim.calibrate import _base, calibrate

    b = _base(base)
    end = (crm.as_of + pd.Timedelta(days=1)).to_period("M").to_timestamp()
    first = crm.deals["created"].min()
    rows, notes = [], []
    for j in range(cuts):
        cut = end - pd.DateOffset(months=months * (j + 1))
        if cut - first < pd.Timedelta(days=90):
            notes.append(f"cut {cut.date()} skipped: less than 90 days of data before it")
            continue
        snap = snapshot_open(crm, cut)
        if snap.report.kept < 20 or not (snap.deals["status"] == "won").any():
            notes.append(f"cut {cut.date()} skipped: too few closed deals before it")
            continue
        cal = calibrate(snap, b, refine_iterations, seed, source=f"{crm.report.source} before {cut.date()}")
        if cal.mismatch:
            notes.append(f"cut {cut.date()}: calibration NOT MATCHED ({cal.mismatch}); forecast kept")
        fc = forecast_from(snap, cal, months, replications, seed, None, progress)
        actual = actual_bookings(crm, cut, months)
        m = fc.monthly.set_index("month")
        for label in [*actual.index, "total"]:
            a = float(actual.sum()) if label == "total" else float(actual[label])
            r = m.loc[label]
            rows.append({"cut": cut, "month": label, "actual": a, "p10": r["p10"], "p50": r["p50"], "p90": r["p90"],
                         "error": r["p50"] / a - 1 if a > 0 else np.nan, "inside": bool(r["p10"] <= a <= r["p90"])})
    if not rows:
        raise SalessimError(f"{crm.report.source}: no back-test cut has 90 days of data before it "
                            f"(data start {first.date()}, last cut {(end - pd.DateOffset(months=months)).date()}); "
                            "use fewer --months or a longer export")
    table = pd.DataFrame(rows)
    kinds = np.where(table["month"] == "total", "total", "month")
    summary = pd.DataFrame([
        {"level": k, "forecasts": int((kinds == k).sum()),
         "mean_abs_error": float(table.loc[kinds == k, "error"].abs().mean()),
         "inside_p10_p90": float(table.loc[kinds == k, "inside"].mean())}
        for k in ("month", "total")])
    return ForecastBacktest(table, summary, replications, seed, notes)
