"""``simulate``: run the engine on a scenario and return tidy tables."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salessim.comp.incentive import Incentive
from salessim.comp.payout import ledger as plan_ledger
from salessim.comp.performance import TENURED, Performance, laid_out
from salessim.comp.plan import CompPlan, PlanError, Spif
from salessim.engine.events import event_tables
from salessim.engine.floor import SalesFloor
from salessim.engine.pipeline import Outcome, RepStatus, Timing, labels
from salessim.model.customers import clawback_rows, simulate_customers
from salessim.model.org import structure_of
from salessim.results.tables import SimResult
from salessim.scenario import Scenario, load_scenario


def simulate(
    scenario: Scenario | str | Path | dict[str, Any],
    seed: int | np.random.SeedSequence | None = None,
    record_events: bool = False,
    initial_pipeline: pd.DataFrame | None = None,
) -> SimResult:
    """Simulate one run. ``seed`` defaults to the scenario's seed; same inputs → identical tables.

    ``record_events=True`` also returns every stage transition (``SimResult.events``).
    ``initial_pipeline``: open deals the run starts from on day 0 of the warm-up (one row per deal,
    columns in :mod:`salessim.engine.seeding`); they are ``deal_id`` 0 .. n-1 of ``deals``.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    run_seed = sc.seed if seed is None else seed
    incentive = Incentive(sc.plan, sc.org.reps) if sc.plan is not None else None
    floor = SalesFloor(sc, run_seed, record_events=record_events, incentive=incentive,
                       initial_pipeline=initial_pipeline).run()
    return build_result(floor, run_seed if isinstance(run_seed, int) else None)


def build_result(floor: SalesFloor, seed: int | None) -> SimResult:
    """The tables of a finished run, from its pipeline, recorder and event state."""
    sc, clock, p = floor.scenario, floor.clock, floor.pipe
    w = clock.warmup_days
    rep_ids = [f"R{i + 1:03d}" for i in range(floor.n_reps)]
    rep_cat = _category(tuple(rep_ids))

    # Deals still relevant in the window: not closed before it started.
    keep = ~(p.close < w)  # NaN (open) compares False
    idx = np.flatnonzero(keep)
    outcome = p.outcome[idx]
    stage = p.stage[idx]
    close = p.close[idx]
    stage_index = np.where(outcome == Outcome.WON, floor.n_stages, stage)
    stage_labels = [*sc.funnel.stage_names, "closed won"]
    created_day = p.created[idx] - w
    close_day = close - w
    start = np.datetime64(sc.calendar.start_date, "D")
    is_open = outcome == Outcome.OPEN
    close_whole = np.floor(np.nan_to_num(close_day)).astype(np.int64)  # whole days from the start
    close_date = pd.to_datetime(np.where(is_open, np.datetime64("NaT"), start + close_whole.astype("timedelta64[D]")))
    # month periods straight from the days: a datetime64[M] count is the period ordinal (NaT while open)
    nat = np.datetime64("NaT").astype(np.int64)
    close_month = pd.arrays.PeriodArray(np.where(is_open, nat, _month_ordinals(start, close_whole)), dtype=pd.PeriodDtype("M"))
    deals = pd.DataFrame(
        {
            "deal_id": idx,
            "account": p.account[idx],
            "segment": _coded(p.segment[idx], [s.name for s in sc.market.segments]),
            "region": _coded(floor.rep_region[floor.territory[p.account[idx]]], sc.market.regions),
            "product": _coded(p.product[idx], [x.name for x in sc.market.products]),
            "rep": pd.Categorical.from_codes(p.rep[idx], dtype=rep_cat),
            "created_day": created_day,
            "created_date": pd.to_datetime(start + np.floor(created_day).astype("timedelta64[D]")),
            "stage": _coded(stage_index, stage_labels),
            "stage_index": stage_index,
            "outcome": _coded(outcome.astype(np.int64), labels(Outcome)),
            "amount": p.amount[idx],
            "list_amount": p.list_amount[idx],
            "source": _coded(p.source[idx].astype(np.int64), ["inbound", "self-sourced"]),
            "timing": _coded(p.moved[idx].astype(np.int64), labels(Timing)),
            "channel": _coded(p.channel[idx].astype(np.int64), ["direct", "partner"]),
            "specialist": pd.array(np.where(p.specialist[idx] >= 0, p.specialist[idx] + 1, 0), dtype="Int64"),
            "close_day": close_day,
            "close_date": close_date,
            "cycle_days": close - p.created[idx],
            "close_month": close_month,
        },
        copy=False,  # every column is a fresh array
    )

    result_events = None
    if floor.recorder.record_transitions:
        ev = floor.recorder.transition_table()
        ev["day"] = ev.pop("clock_day") - w
        result_events = ev

    ledger = _ledger(floor, deals, rep_cat)
    customers, customer_events = _customers(floor, rep_cat)
    event_costs, event_log = event_tables(floor)
    statements = explanations = None
    if sc.plan is not None:
        statements, explanations = _statements(floor, _credits(floor, deals, ledger, _people(floor)), customers)
        ledger = _with_pay(ledger, statements)
    return SimResult(
        scenario=sc,
        seed=seed,
        deals=deals,
        ledger=ledger,
        statement_lines=statements,
        statement_explanations=explanations,
        customers=customers,
        customer_events=customer_events,
        reps=pd.DataFrame(
            {
                "rep": pd.Categorical(rep_ids, dtype=rep_cat),
                "region": _coded(floor.rep_region, sc.market.regions),
                "skill": floor.skill,
                "weekly_hours": floor.weekly_hours,
                "accounts": np.bincount(floor.territory, minlength=floor.n_reps),
                "potential": np.bincount(floor.territory, floor.accounts["potential"].to_numpy(), floor.n_reps),
            }
        ),
        accounts=floor.accounts.assign(rep=pd.Categorical.from_codes(floor.territory, dtype=rep_cat)),
        events=result_events,
        event_costs=event_costs,
        event_log=event_log,
    )


def _statements(floor: SalesFloor, credits: Credits, customers: pd.DataFrame) -> tuple[pd.DataFrame, Callable | None]:
    """Pay statements, each month under the plan in force (plan changes split the window into
    segments; each segment's statements come from its own plan, then they are concatenated).

    Returns the statements without their ``explanation`` column and a function that writes it
    (``None`` if the statements are complete): :attr:`SimResult.statements` adds the text when
    first read."""
    wm = floor.scenario.calendar.warmup_months
    segments = floor.event_state.plan_segments
    h = len(credits.months)
    out, texts = [], []
    for k, (first, plan) in enumerate(segments):
        last = segments[k + 1][0] if k + 1 < len(segments) else wm + h
        lo, hi = max(first - wm, 0), min(max(last - wm, 0), h)
        if hi <= lo:
            continue
        churn = credits.churn(customers, plan.clawback.within_months) if plan.clawback is not None else None
        st, text = plan_ledger(plan, credits.performance(plan, lo, hi, churn)).lines()
        if text is None:  # no lines: the complete (empty) statements
            st, text = st.drop(columns="explanation"), (lambda: pd.array([], dtype=object))
        out.append(st.assign(plan=plan.name) if len(segments) > 1 else st)
        texts.append(text)
    lines = pd.concat(out, ignore_index=True) if len(out) > 1 else out[0]
    if len(texts) == 1:
        return lines, texts[0]
    return lines, lambda: pd.concat([pd.Series(f()) for f in texts], ignore_index=True).array


def _ledger(floor: SalesFloor, deals: pd.DataFrame, rep_cat: pd.CategoricalDtype) -> pd.DataFrame:
    """One row per rep and measured month."""
    sc, clock, rec = floor.scenario, floor.clock, floor.recorder
    wm, n_months, n_reps = sc.calendar.warmup_months, sc.calendar.horizon_months, floor.n_reps
    months = clock.months()
    h = len(months)

    rep = deals["rep"].cat.codes.to_numpy()
    start = np.datetime64(sc.calendar.start_date, "D")
    # measured month of each deal's creation and close (open deals are never counted as closed)
    created, closed = (_month_ordinals(start, np.floor(np.nan_to_num(deals[c].to_numpy())).astype(np.int64))
                       - start.astype("datetime64[M]").astype(np.int64) for c in ("created_day", "close_day"))

    def per_rep_month(mask: np.ndarray, m: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        ok = mask & (m >= 0) & (m < h)
        w = None if weights is None else weights[ok]
        return np.bincount(m[ok] * n_reps + rep[ok], w, h * n_reps).reshape(h, n_reps)

    credit = ((deals["channel"] == "direct") | sc.org.design.channel.overlay_credit).to_numpy()
    won = (deals["outcome"] == "won").to_numpy() & credit
    lost = (deals["outcome"] == "lost").to_numpy() & credit
    amount = deals["amount"].to_numpy()
    sl = slice(wm, wm + n_months)
    frame = {
        "rep": pd.Categorical.from_codes(np.repeat(np.arange(n_reps), h), dtype=rep_cat),
        "month": months[np.tile(np.arange(h), n_reps)],
        "leads": per_rep_month(np.ones(len(deals), bool), created),
        "deals_won": per_rep_month(won, closed),
        "deals_lost": per_rep_month(lost, closed),
        "bookings": per_rep_month(won, closed, amount),
        "hours_worked": rec.hours_worked[sl],
        "hours_capacity": rec.hours_capacity[sl],
        "pipeline_value": rec.pipeline_value[sl],
        "open_deals": rec.open_deals[sl],
        "quota": floor.decisions.quota[sl],
        "effort": rec.effort_days[sl] / np.maximum(_active_days(floor)[sl], 1e-9),
        "discounts": rec.discounts[sl],
        "pulled_in": rec.pulled_in[sl],
        "pushed_out": rec.pushed_out[sl],
        "status": _coded(rec.status[sl].T.ravel().astype(np.int64), labels(RepStatus)),
        "left": _left(floor)[sl],
    }
    for s, name in enumerate(sc.funnel.stage_names[1:], start=1):
        frame["reached " + name] = rec.stage_entries[sl, :, s]
    # (month, rep) arrays -> rows by rep, then month
    frame = {k: (v.T.ravel() if isinstance(v, np.ndarray) and v.ndim == 2 else v) for k, v in frame.items()}
    for col in ("leads", "deals_won", "deals_lost", "open_deals"):
        frame[col] = frame[col].astype(np.int64)
    quota = frame["quota"]
    frame["attainment"] = frame["bookings"] / np.where(quota > 0, quota, np.nan)
    return pd.DataFrame(frame)


@functools.lru_cache(maxsize=256)
def _category(labels: tuple[str, ...]) -> pd.CategoricalDtype:
    """The categorical dtype of ``labels``, built once per set of labels (runs share it)."""
    return pd.CategoricalDtype(list(labels))


def _coded(codes: np.ndarray, labels) -> pd.Categorical:
    """``pd.Categorical.from_codes(codes, labels)`` with the cached dtype of ``labels``."""
    return pd.Categorical.from_codes(codes, dtype=_category(tuple(labels)))


def _month_ordinals(start: np.datetime64, days: np.ndarray) -> np.ndarray:
    """Month ordinals (``datetime64[M]`` as integers) of the dates ``start + days`` (whole days,
    int64), read from a table of the days spanned: one date conversion per distinct day."""
    if not len(days):
        return days
    lo = int(days.min())
    table = (start + np.arange(lo, int(days.max()) + 1)).astype("datetime64[M]").astype(np.int64)
    return table[days - lo]


def _active_days(floor: SalesFloor) -> np.ndarray:
    """Days each rep slot was filled, per simulated month (effort is averaged over them)."""
    days = np.diff(floor.clock.month_starts)[:, None] * np.ones((1, floor.n_reps))
    return np.clip(days - _vacant_days(floor), 0.0, None)


def _vacant_days(floor: SalesFloor) -> np.ndarray:
    """Days each rep slot stood vacant, per simulated month."""
    starts = floor.clock.month_starts
    out = np.zeros((len(starts) - 1, floor.n_reps))
    open_since: dict[int, float] = {}
    for e in sorted(floor.recorder.staff_events, key=lambda e: e["day"]):
        if e["event"] == "left":
            open_since[e["rep"]] = e["day"]
        elif e["rep"] in open_since:
            _add_span(out, starts, e["rep"], open_since.pop(e["rep"]), e["day"])
    for rep, since in open_since.items():
        _add_span(out, starts, rep, since, float(starts[-1]))
    return out


def _add_span(out: np.ndarray, starts: np.ndarray, rep: int, a: float, b: float) -> None:
    lo = np.clip(starts[:-1], a, b)
    hi = np.clip(starts[1:], a, b)
    out[:, rep] += hi - lo


def _left(floor: SalesFloor) -> np.ndarray:
    out = np.zeros((len(floor.clock.month_starts) - 1, floor.n_reps), dtype=bool)
    for e in floor.recorder.staff_events:
        if e["event"] == "left":
            m = int(floor.clock.month_index(np.array([e["day"] - 1e-9]))[0])
            out[m, e["rep"]] = True
    return out


@dataclass(frozen=True)
class Churned:
    """Clawback triggers for the comp plan: deals whose customer churned within the plan's
    clawback window, in the measured window, charged to the person who sold the deal (none once
    that person has left: commission cannot be recovered from a leaver). One entry per deal, by
    churn day; months are measured months (0 = the first; a sale in the warm-up is negative)."""

    person: np.ndarray  #: index into :attr:`Credits.labels`
    month: np.ndarray  #: churn month
    won_month: np.ndarray  #: month of the sale
    won_period: np.ndarray  #: month of the sale as a label (``2025-11``)
    deal: np.ndarray  #: deal id (text)
    amount: np.ndarray  #: the deal's original contract value (currency)


@dataclass(frozen=True)
class Credits:
    """What the comp plan is credited with in the measured window, laid out straight from the
    run's records (no performance frame in between).

    People are rep-slot holders (``R007``, then each new hire ``R007#2``...) and specialists
    (``S01``...), by index into ``labels``; months are measured months (0 = the first). *Quota
    rows*: one per person and month employed, with the month's full quota (currency), the share
    of the month employed (0-1), the team (region code, -1 none) and the bookings credited on it
    (currency; 0 when the plan credits deal by deal). *Deal rows*: one per deal won and credited
    deal by deal (plans with SPIFs: ``product``/``segment`` set), then one per deal a specialist
    supported (``overlay``: credited at the plan's ``crediting.overlay_share``); amounts in currency.
    """

    labels: np.ndarray
    months: pd.PeriodIndex
    regions: np.ndarray
    hired: np.ndarray  #: per person: hire month (``pd.Period("M")`` ordinal), TENURED for the others
    q_person: np.ndarray
    q_month: np.ndarray
    q_quota: np.ndarray
    q_share: np.ndarray
    q_team: np.ndarray
    q_credited: np.ndarray
    d_person: np.ndarray
    d_month: np.ndarray
    d_credited: np.ndarray
    d_overlay: np.ndarray
    d_team: np.ndarray
    d_deal: np.ndarray
    d_product: np.ndarray | None  #: deal by deal only (SPIF filters); None for specialists
    d_segment: np.ndarray | None
    people: pd.DataFrame  #: :func:`_people` of the run
    warmup_days: float  #: clock day of the first measured day

    def churn(self, customers: pd.DataFrame, window_months: int) -> Churned:
        """The clawback triggers of a plan whose clawback window is ``window_months``."""
        w = self.warmup_days
        rows = clawback_rows(customers, window_months, since_day=0)
        start = np.datetime64(self.months[0].start_time.date(), "D")
        first = self.months[0].ordinal

        def month(day: np.ndarray) -> np.ndarray:  # measured month of a day (days from the first month's start)
            return (start + np.floor(day).astype("timedelta64[D]")).astype("datetime64[M]").astype(np.int64) - first

        churn, sale = month(rows["churn_day"].to_numpy()), month(rows["sale_day"].to_numpy())
        slot = rows["rep"].cat.codes.to_numpy() if hasattr(rows["rep"], "cat") else np.asarray([int(str(r)[1:4]) - 1 for r in rows["rep"]])
        seller = _person_of(self.people, slot, rows["sale_day"].to_numpy() + w)
        holder = _person_of(self.people, slot, rows["churn_day"].to_numpy() + w)
        keep = (churn >= 0) & (churn < len(self.months)) & (seller == holder) & (seller >= 0)
        won_period = (start + np.floor(rows["sale_day"].to_numpy()[keep]).astype("timedelta64[D]")).astype("datetime64[M]")
        return Churned(seller[keep], churn[keep], sale[keep], won_period.astype(str).astype(object),
                       rows["deal_id"].to_numpy()[keep].astype(str).astype(object), rows["amount"].to_numpy(float)[keep])

    def performance(self, plan: CompPlan, lo: int, hi: int, churn: Churned | None) -> Performance:
        """The comp layer's :class:`Performance` of measured months ``lo`` .. ``hi - 1`` under ``plan``
        (with its clawback triggers ``churn``); reps are the people with a row in those months."""
        if plan.crediting.manager_rollup:
            raise PlanError("<performance>: manager: the plan rolls credit up to managers but the simulator has no managers' credit")
        if "bookings" not in [m.name for m in plan.measures]:
            raise PlanError(f"<performance>: measure: the simulator credits bookings, not a measure of plan '{plan.name}'")
        q = (self.q_month >= lo) & (self.q_month < hi)
        d = (self.d_month >= lo) & (self.d_month < hi)
        c = np.zeros(0, bool) if churn is None else (churn.month >= lo) & (churn.month < hi)
        no_churn = np.zeros(0, np.int64)
        c_person = no_churn if churn is None else churn.person[c]
        c_month = no_churn if churn is None else churn.month[c]
        month_used = np.concatenate([self.q_month[q], self.d_month[d], c_month])
        m0 = int(month_used.min())
        periods = pd.period_range(self.months[m0], self.months[int(month_used.max())], freq="M")
        reps = np.asarray(sorted(self.labels[np.unique(np.concatenate([self.q_person[q], self.d_person[d], c_person]))]), dtype=object)
        r_of = pd.Index(reps).get_indexer(self.labels)
        n, T = len(reps), len(periods)
        qr, qt = r_of[self.q_person[q]], self.q_month[q] - m0
        dr, dt = r_of[self.d_person[d]], self.d_month[d] - m0
        cr, ct = r_of[c_person], c_month - m0

        present = np.zeros((n, T), bool)
        for r, t in ((qr, qt), (dr, dt), (cr, ct)):
            present[r, t] = True
        share = np.ones((n, T))
        share[qr, qt] = self.q_share[q]
        share = np.where(present, share, 0.0)
        credit = self.d_credited[d] * np.where(self.d_overlay[d], plan.crediting.overlay_share, 1.0)
        booked = np.zeros((n, T))
        np.add.at(booked, (qr, qt), self.q_credited[q])
        np.add.at(booked, (dr, dt), credit)
        credited = {m.name: booked if m.name == "bookings" else np.zeros((n, T)) for m in plan.measures}
        quota = np.full((n, T), np.nan)
        quota[qr, qt] = self.q_quota[q]
        data_quota = {m.name: quota if m.name == "bookings" else np.full((n, T), np.nan)
                      for m in plan.measures if m.quota == "data"}

        team_code = np.concatenate([self.q_team[q], self.d_team[d]])
        on_team = team_code >= 0
        teams = sorted(set(self.regions[team_code[on_team]]))
        team = np.full((n, T), -1, dtype=np.int64)
        team[np.concatenate([qr, dr])[on_team], np.concatenate([qt, dt])[on_team]] = (
            pd.Index(teams).get_indexer(self.regions[team_code[on_team]]))
        hired = np.full(n, TENURED, dtype=np.int64)
        hire = self.hired[self.q_person[q]] != TENURED
        hired[qr[hire]] = self.hired[self.q_person[q]][hire]

        deal_cols = {"r": dr, "t": dt, "measure": "bookings", "deal": self.d_deal[d]}
        if self.d_product is not None:
            deal_cols |= {"product": self.d_product[d], "segment": self.d_segment[d]}
        deals = pd.DataFrame({**deal_cols, "credited": credit})
        if churn is None or not c.any():
            churned = pd.DataFrame({"r": [], "t": [], "measure": [], "deal": [], "credited": [], "won_t": [],
                                    "won_period": [], "months": []})
        else:
            won_t = churn.won_month[c] - m0
            churned = pd.DataFrame({"r": cr, "t": ct, "measure": "bookings", "deal": churn.deal[c],
                                    "credited": churn.amount[c], "won_t": won_t,
                                    "won_period": churn.won_period[c], "months": ct - won_t})
        return laid_out(plan, "<performance>", reps, periods, present, share, credited, data_quota, team, teams,
                        deals, churned, hired)


def _credits(floor: SalesFloor, deals: pd.DataFrame, ledger: pd.DataFrame, people: pd.DataFrame) -> Credits:
    """The :class:`Credits` of a finished run (``deals``, ``ledger``: its tables; ``people``: :func:`_people`).

    Bookings are credited to the person holding the deal's rep slot on its close day (none
    while the slot is vacant), on direct deals and, with ``overlay_credit``, partner deals; with
    a comp plan that has SPIFs (the scenario's or one a plan change brings in), deal by deal. Specialists are credited on the deals they
    supported, against a quota equal to their share of the supported products' share of the
    company target."""
    sc, clock = floor.scenario, floor.clock
    w = clock.warmup_days
    months = pd.PeriodIndex(ledger["month"].unique())
    h = len(months)
    m_start = np.asarray([(p.start_time - pd.Timestamp(sc.calendar.start_date)).days for p in months], float)
    m_end = m_start + np.asarray([p.days_in_month for p in months], float)
    slot = people["slot"].to_numpy()
    overlap = (np.minimum(people["end"].to_numpy()[:, None] - w, m_end[None])
               - np.maximum(people["start"].to_numpy()[:, None] - w, m_start[None]))
    q_person, q_month = np.nonzero(overlap > 0)  # person, then month
    q_share = np.clip(overlap[q_person, q_month] / (m_end - m_start)[q_month], 0, 1)
    q_quota = ledger["quota"].to_numpy().reshape(floor.n_reps, h)[slot[q_person], q_month]
    q_team = floor.rep_region[slot[q_person]].astype(np.int64)

    credit = ((deals["channel"] == "direct") | sc.org.design.channel.overlay_credit).to_numpy()
    ordinal = deals["close_month"].array.asi8  # NaT: the smallest integer
    close_month = np.where((ordinal >= months[0].ordinal) & (ordinal <= months[-1].ordinal), ordinal - months[0].ordinal, -1)
    won = np.flatnonzero((deals["outcome"] == "won").to_numpy() & credit & (close_month >= 0))
    won_slot = deals["rep"].cat.codes.to_numpy()[won]
    person = _person_of(people, won_slot, deals["close_day"].to_numpy()[won] + w)
    won, won_slot, person = won[person >= 0], won_slot[person >= 0], person[person >= 0]  # partner deals of a vacant territory: nobody to credit
    amount = deals["amount"].to_numpy()
    by_deal = any(isinstance(c, Spif) for _, plan in floor.event_state.plan_segments if plan is not None for c in plan.components)
    if by_deal:
        q_credited = np.zeros(len(q_person))
        d_person, d_month, d_amount, d_team = person, close_month[won], amount[won], floor.rep_region[won_slot].astype(np.int64)
        d_deal = deals["deal_id"].to_numpy()[won].astype(str).astype(object)
        d_product = deals["product"].astype(str).to_numpy(object)[won]
        d_segment = deals["segment"].astype(str).to_numpy(object)[won]
    else:  # the month's bookings on the quota row: group sums by (person, month) over integer keys
        booked = pd.Series(amount[won]).groupby(person * h + close_month[won]).sum()
        q_credited = booked.reindex(q_person * h + q_month).fillna(0.0).to_numpy()
        d_person = d_month = d_team = np.zeros(0, np.int64)
        d_amount, d_deal, d_product, d_segment = np.zeros(0), np.zeros(0, object), None, None
    d_overlay = np.zeros(len(d_person), bool)
    labels = people["person"].to_numpy(object)
    hire_label = people["hired"].to_numpy(object)
    hired = np.full(len(hire_label), TENURED, dtype=np.int64)
    new = hire_label != ""  # YYYY-MM: its datetime64[M] count is the period ordinal
    hired[new] = hire_label[new].astype("datetime64[M]").astype(np.int64)

    n_spec = structure_of(sc.org).specialists
    if n_spec:
        spec = len(labels) + np.arange(n_spec)
        labels = np.concatenate([labels, np.asarray([f"S{i + 1:02d}" for i in range(n_spec)], dtype=object)])
        hired = np.concatenate([hired, np.full(n_spec, TENURED)])
        share = float(np.dot(floor.structure.spec_products, [p.share * p.size_multiplier for p in sc.market.products])
                      / sum(p.share * p.size_multiplier for p in sc.market.products))
        company = ledger.groupby("month", observed=True)["quota"].sum().reindex(months).to_numpy()
        q_person = np.concatenate([q_person, np.repeat(spec, h)])
        q_month = np.concatenate([q_month, np.tile(np.arange(h), n_spec)])
        q_quota = np.concatenate([q_quota, np.tile(company * share / n_spec, n_spec)])
        q_share = np.concatenate([q_share, np.ones(n_spec * h)])
        q_team = np.concatenate([q_team, np.full(n_spec * h, -1)])
        q_credited = np.concatenate([q_credited, np.zeros(n_spec * h)])
        helped = (deals["outcome"] == "won").to_numpy() & (deals["specialist"] > 0).to_numpy(bool, na_value=False) & (close_month >= 0)
        sw = np.flatnonzero(helped)
        d_person = np.concatenate([d_person, spec[deals["specialist"].to_numpy(np.int64, na_value=0)[sw] - 1]])
        d_month = np.concatenate([d_month, close_month[sw]])
        d_amount = np.concatenate([d_amount, amount[sw]])
        d_overlay = np.concatenate([d_overlay, np.ones(len(sw), bool)])
        d_team = np.concatenate([d_team, np.full(len(sw), -1)])
        d_deal = np.concatenate([d_deal, deals["deal_id"].to_numpy()[sw].astype(str).astype(object)])
        if by_deal:
            d_product = np.concatenate([d_product, np.full(len(sw), None, dtype=object)])
            d_segment = np.concatenate([d_segment, np.full(len(sw), None, dtype=object)])
    return Credits(labels, months, np.asarray(sc.market.regions, dtype=object), hired, q_person, q_month, q_quota,
                   q_share, q_team, q_credited, d_person, d_month, d_amount, d_overlay, d_team, d_deal,
                   d_product, d_segment, people, w)


def _people(floor: SalesFloor) -> pd.DataFrame:
    """Everyone who held a rep slot: ``slot, person, start, end`` (clock days) and ``hired``
    (hire month label; empty for the incumbents at the start)."""
    start_date = np.datetime64(floor.scenario.calendar.start_date, "D")
    w = floor.clock.warmup_days
    rows, current = [], {r: {"slot": r, "person": f"R{r + 1:03d}", "start": -np.inf, "hired": "", "n": 1}
                          for r in range(floor.n_reps)}
    for e in sorted(floor.recorder.staff_events, key=lambda e: e["day"]):
        r = e["rep"]
        if e["event"] == "left" and r in current:
            rows.append({**current.pop(r), "end": e["day"]})
        elif e["event"] == "hired":
            n = 1 + max([x["n"] for x in rows if x["slot"] == r], default=1)
            label = str(start_date + np.timedelta64(int(np.floor(e["day"] - w)), "D"))[:7]  # YYYY-MM
            current[r] = {"slot": r, "person": f"R{r + 1:03d}#{n}", "start": e["day"], "hired": label, "n": n}
    rows += [{**p, "end": np.inf} for p in current.values()]
    return pd.DataFrame(rows).drop(columns="n").sort_values(["slot", "start"], ignore_index=True)


def _person_of(people: pd.DataFrame, slot: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Index (row of ``people``) of the person holding ``slot`` on clock ``day``; -1 while the slot is vacant."""
    key = people["slot"].to_numpy() * 1e7 + np.clip(people["start"].to_numpy(), -1e6, 1e6)
    pos = np.searchsorted(key, slot * 1e7 + day, side="right") - 1
    held = (people["slot"].to_numpy()[pos] == slot) & (day < people["end"].to_numpy()[pos])
    return np.where(held, pos, -1)


def _with_pay(ledger: pd.DataFrame, statements: pd.DataFrame) -> pd.DataFrame:
    """Ledger plus pay per rep-month: base, variable, total, and one column per component.

    People are summed into their rep slot (``R007#2`` -> ``R007``); lines of people without a
    ledger row (specialists) are left out. Sums are pandas group sums over integer keys (the
    same per-group sums as grouping by the text labels)."""
    slots = ledger["rep"].cat.categories
    ledger_month = ledger["month"].astype(str)
    months = pd.Index(ledger_month.unique())
    person, people = pd.factorize(statements["rep"])
    slot = slots.get_indexer([str(x).split("#")[0] for x in people])[person]
    month = _index_of(months, statements["period"])
    components = sorted(set(statements["component"].unique()))
    comp = _index_of(pd.Index(components), statements["component"])
    ok = (slot >= 0) & (month >= 0)
    cell = np.where(ok, slot * len(months) + month, -1)
    amount = pd.Series(statements["amount"].to_numpy(float))
    n_cells = len(slots) * len(months)

    def sums(mask: np.ndarray, key: np.ndarray, size: int) -> np.ndarray:
        g = amount[mask].groupby(key[mask]).sum()
        out = np.zeros(size)
        out[g.index.to_numpy(np.int64)] = g.to_numpy(float)
        return out

    base = sums(ok & (statements["item"] == "base").to_numpy(bool), cell, n_cells)
    total = sums(ok, cell, n_cells)
    by_comp = sums(ok, cell * len(components) + comp, n_cells * len(components)).reshape(n_cells, len(components))
    # ledger rows are sorted by rep slot, then month
    row = ledger["rep"].cat.codes.to_numpy(np.int64) * len(months) + months.get_indexer(ledger_month)
    pay = {"base_pay": base[row], "variable_pay": total[row] - base[row], "total_pay": total[row],
           **{f"pay: {c}": by_comp[row, k] for k, c in enumerate(components)}}
    return pd.concat([ledger, pd.DataFrame(pay, index=ledger.index)], axis=1)


def _index_of(labels: pd.Index, values: pd.Series) -> np.ndarray:
    """``labels.get_indexer(values)`` (text), each distinct value looked up once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return labels.get_indexer(pd.Index(uniques).astype(str))[codes]


def _customers(floor: SalesFloor, rep_cat: pd.CategoricalDtype) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every won deal (warm-up included: their renewals fall in the window) as a customer contract."""
    sc, p, w = floor.scenario, floor.pipe, floor.clock.warmup_days
    won = np.flatnonzero(p.outcome == Outcome.WON)
    won_deals = pd.DataFrame({
        "deal_id": won, "account": p.account[won],
        "segment": _coded(p.segment[won], [s.name for s in sc.market.segments]),
        "product": _coded(p.product[won], [x.name for x in sc.market.products]),
        "rep": pd.Categorical.from_codes(p.rep[won], dtype=rep_cat),
        "amount": p.amount[won], "close_day": p.close[won] - w,
    })
    horizon = sc.customers.horizon_days(floor.clock.end_day - w)
    shocks = floor.event_state.churn_shocks
    return simulate_customers(won_deals, sc.customers, horizon, floor.rng["customers"], shocks=shocks)
