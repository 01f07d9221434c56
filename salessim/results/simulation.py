"""``simulate``: run the engine on a scenario and return tidy tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salessim.comp.incentive import Incentive
from salessim.comp.payout import statements as plan_statements
from salessim.comp.plan import Spif
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
    rep_cat = pd.CategoricalDtype(rep_ids)

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
    close_days = np.where(outcome == Outcome.OPEN, np.datetime64("NaT"), start + np.floor(np.nan_to_num(close_day)).astype("timedelta64[D]"))
    close_date = pd.to_datetime(close_days)
    # month periods straight from the dates: a datetime64[M] count is the period ordinal (NaT stays NaT)
    close_month = pd.arrays.PeriodArray(close_days.astype("datetime64[M]").astype(np.int64), dtype=pd.PeriodDtype("M"))
    deals = pd.DataFrame(
        {
            "deal_id": idx,
            "account": p.account[idx],
            "segment": pd.Categorical.from_codes(p.segment[idx], [s.name for s in sc.market.segments]),
            "region": pd.Categorical.from_codes(floor.rep_region[floor.territory[p.account[idx]]], sc.market.regions),
            "product": pd.Categorical.from_codes(p.product[idx], [x.name for x in sc.market.products]),
            "rep": pd.Categorical.from_codes(p.rep[idx], dtype=rep_cat),
            "created_day": created_day,
            "created_date": pd.to_datetime(start + np.floor(created_day).astype("timedelta64[D]")),
            "stage": pd.Categorical.from_codes(stage_index, stage_labels),
            "stage_index": stage_index,
            "outcome": pd.Categorical.from_codes(outcome.astype(np.int64), labels(Outcome)),
            "amount": p.amount[idx],
            "list_amount": p.list_amount[idx],
            "source": pd.Categorical.from_codes(p.source[idx].astype(np.int64), ["inbound", "self-sourced"]),
            "timing": pd.Categorical.from_codes(p.moved[idx].astype(np.int64), labels(Timing)),
            "channel": pd.Categorical.from_codes(p.channel[idx].astype(np.int64), ["direct", "partner"]),
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
    statements = None
    if sc.plan is not None:
        people = _people(floor)
        perf = performance_frame(ledger, deals, floor, people)
        statements = _statements(floor, perf, customers, ledger, people)
        ledger = _with_pay(ledger, statements)
    return SimResult(
        scenario=sc,
        seed=seed,
        deals=deals,
        ledger=ledger,
        statements=statements,
        customers=customers,
        customer_events=customer_events,
        reps=pd.DataFrame(
            {
                "rep": pd.Categorical(rep_ids, dtype=rep_cat),
                "region": pd.Categorical.from_codes(floor.rep_region, sc.market.regions),
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


def _statements(floor: SalesFloor, perf: pd.DataFrame, customers: pd.DataFrame, ledger: pd.DataFrame,
                people: pd.DataFrame | None = None) -> pd.DataFrame:
    """Pay statements, each month under the plan in force (plan changes split the window into
    segments; each segment's statements come from its own plan, then they are concatenated)."""
    wm = floor.scenario.calendar.warmup_months
    segments = floor.event_state.plan_segments
    months = ledger["month"].astype(str).drop_duplicates().tolist()
    out = []
    for k, (first, plan) in enumerate(segments):
        last = segments[k + 1][0] if k + 1 < len(segments) else wm + len(months)
        these = set(months[max(first - wm, 0) : max(last - wm, 0)])
        if not these:
            continue
        part = perf
        if plan.clawback is not None:
            part = pd.concat([perf, _clawbacks(customers, plan.clawback.within_months, ledger, floor, people)], ignore_index=True)
        st = plan_statements(plan, part[part["period"].isin(these)].reset_index(drop=True))
        out.append(st.assign(plan=plan.name) if len(segments) > 1 else st)
    return pd.concat(out, ignore_index=True) if len(out) > 1 else out[0]


def _ledger(floor: SalesFloor, deals: pd.DataFrame, rep_cat: pd.CategoricalDtype) -> pd.DataFrame:
    """One row per rep and measured month."""
    sc, clock, rec = floor.scenario, floor.clock, floor.recorder
    wm, n_months, n_reps = sc.calendar.warmup_months, sc.calendar.horizon_months, floor.n_reps
    months = clock.months()
    h = len(months)

    def per_rep_month(mask: np.ndarray, day_col: str, weights: np.ndarray | None = None) -> np.ndarray:
        m = clock.month_index(deals[day_col].to_numpy()[mask] + clock.warmup_days) - wm
        r = deals["rep"].cat.codes.to_numpy()[mask]
        ok = (m >= 0) & (m < h)
        w = None if weights is None else weights[mask][ok]
        return np.bincount(m[ok] * n_reps + r[ok], w, h * n_reps).reshape(h, n_reps)

    credit = ((deals["channel"] == "direct") | sc.org.design.channel.overlay_credit).to_numpy()
    won = (deals["outcome"] == "won").to_numpy() & credit
    lost = (deals["outcome"] == "lost").to_numpy() & credit
    amount = deals["amount"].to_numpy()
    sl = slice(wm, wm + n_months)
    frame = {
        "rep": pd.Categorical.from_codes(np.repeat(np.arange(n_reps), h), dtype=rep_cat),
        "month": months[np.tile(np.arange(h), n_reps)],
        "leads": per_rep_month(np.ones(len(deals), bool), "created_day"),
        "deals_won": per_rep_month(won, "close_day"),
        "deals_lost": per_rep_month(lost, "close_day"),
        "bookings": per_rep_month(won, "close_day", amount),
        "hours_worked": rec.hours_worked[sl],
        "hours_capacity": rec.hours_capacity[sl],
        "pipeline_value": rec.pipeline_value[sl],
        "open_deals": rec.open_deals[sl],
        "quota": floor.decisions.quota[sl],
        "effort": rec.effort_days[sl] / np.maximum(_active_days(floor)[sl], 1e-9),
        "discounts": rec.discounts[sl],
        "pulled_in": rec.pulled_in[sl],
        "pushed_out": rec.pushed_out[sl],
        "status": pd.Categorical.from_codes(rec.status[sl].T.ravel().astype(np.int64), labels(RepStatus)),
        "left": _left(floor)[sl],
    }
    for s, name in enumerate(sc.funnel.stage_names[1:], start=1):
        frame["reached " + name] = rec.stage_entries[sl, :, s]
    # (month, rep) arrays -> rows by rep, then month
    frame = {k: (v.T.ravel() if isinstance(v, np.ndarray) and v.ndim == 2 else v) for k, v in frame.items()}
    ledger = pd.DataFrame(frame)
    ledger["attainment"] = ledger["bookings"] / ledger["quota"].where(ledger["quota"] > 0)
    for col in ("leads", "deals_won", "deals_lost", "open_deals"):
        ledger[col] = ledger[col].astype(np.int64)
    return ledger


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


def performance_frame(ledger: pd.DataFrame, deals: pd.DataFrame, floor: SalesFloor,
                      people: pd.DataFrame | None = None) -> pd.DataFrame:
    """The comp layer's performance frame for the measured window.

    One quota row per *person* and month: a rep slot (``R007``) is held by its incumbent, then by
    each new hire (``R007#2``...), with the share of the month they were employed and, for hires,
    the month they were hired (draws apply to new hires only). One row per deal won when the plan
    has SPIFs; otherwise the month's bookings are credited on the quota row. Team = the region.
    ``people``: :func:`_people` of the floor, when already built.
    """
    sc, clock = floor.scenario, floor.clock
    w = clock.warmup_days
    regions = np.asarray(sc.market.regions, dtype=object)
    people = _people(floor) if people is None else people
    months = ledger["month"].unique()
    m_start = np.asarray([(p.start_time - pd.Timestamp(sc.calendar.start_date)).days for p in months], float)
    m_end = m_start + np.asarray([p.days_in_month for p in months], float)
    grid = people.merge(pd.DataFrame({"m": np.arange(len(months)), "m_start": m_start, "m_end": m_end}), how="cross")
    overlap = np.minimum(grid["end"] - w, grid["m_end"]) - np.maximum(grid["start"] - w, grid["m_start"])
    grid = grid[overlap > 0].assign(share=(overlap[overlap > 0] / (grid["m_end"] - grid["m_start"])[overlap > 0]))
    quota = ledger.set_index([ledger["rep"].astype(str), ledger["month"]])["quota"]
    slot_ids = np.asarray([f"R{i + 1:03d}" for i in range(floor.n_reps)], dtype=object)
    key = pd.MultiIndex.from_arrays([slot_ids[grid["slot"]], months[grid["m"]]])
    rows = pd.DataFrame({
        "rep": grid["person"].to_numpy(), "period": months[grid["m"]].astype(str), "measure": "bookings",
        "credited": 0.0, "quota": quota.reindex(key).to_numpy(), "employed_share": np.clip(grid["share"].to_numpy(), 0, 1),
        "team": regions[floor.rep_region[grid["slot"].to_numpy()]], "hired": grid["hired"].to_numpy(),
    })
    credit = (deals["channel"] == "direct") | sc.org.design.channel.overlay_credit
    won = deals[(deals["outcome"] == "won") & credit & deals["close_month"].isin(months)]
    person = _person_of(people, won["rep"].cat.codes.to_numpy(), won["close_day"].to_numpy() + w)
    won, person = won[person != ""], person[person != ""]  # partner deals of a vacant territory: nobody to credit
    overlay = _specialist_rows(ledger, deals, floor)
    plan = sc.plan
    if plan is not None and not any(isinstance(c, Spif) for c in plan.components):
        # group sums by (person, month) over integer keys: the same per-group sums as by the labels
        who = pd.Index(pd.unique(rows["rep"]))
        key_rows = who.get_indexer(rows["rep"]) * len(months) + grid["m"].to_numpy()
        month_won = pd.Index(months).get_indexer(won["close_month"])
        booked = pd.Series(won["amount"].to_numpy()).groupby(who.get_indexer(person) * len(months) + month_won).sum()
        rows["credited"] = booked.reindex(key_rows).fillna(0.0).to_numpy()
        return pd.concat([rows, overlay], ignore_index=True)
    deal_rows = pd.DataFrame({
        "rep": person, "period": won["close_month"].astype(str).to_numpy(), "measure": "bookings",
        "credited": won["amount"].to_numpy(), "deal": won["deal_id"].astype(str).to_numpy(),
        "product": won["product"].astype(str).to_numpy(), "segment": won["segment"].astype(str).to_numpy(),
        "team": regions[floor.rep_region[won["rep"].cat.codes.to_numpy()]],
    })
    return pd.concat([rows, deal_rows, overlay], ignore_index=True)


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
    """The person holding ``slot`` on clock ``day``; ``""`` while the slot is vacant."""
    key = people["slot"].to_numpy() * 1e7 + np.clip(people["start"].to_numpy(), -1e6, 1e6)
    pos = np.searchsorted(key, slot * 1e7 + day, side="right") - 1
    held = (people["slot"].to_numpy()[pos] == slot) & (day < people["end"].to_numpy()[pos])
    return np.where(held, people["person"].to_numpy()[pos], "")


def _specialist_rows(ledger: pd.DataFrame, deals: pd.DataFrame, floor: SalesFloor) -> pd.DataFrame:
    """Matrix org: specialists (``S01``...) are credited on the deals they supported (overlay
    double credit, scaled by the plan's ``crediting.overlay_share``), against a quota equal to
    their share of the supported products' share of the company target."""
    sc = floor.scenario
    n = structure_of(sc.org).specialists
    if not n:
        return pd.DataFrame()
    ids = [f"S{i + 1:02d}" for i in range(n)]
    months = ledger["month"].unique()
    share = float(np.dot(floor.structure.spec_products, [p.share * p.size_multiplier for p in sc.market.products])
                  / sum(p.share * p.size_multiplier for p in sc.market.products))
    company = ledger.groupby("month", observed=True)["quota"].sum().reindex(months).to_numpy()
    quota = pd.DataFrame({
        "rep": np.repeat(ids, len(months)), "period": np.tile(np.asarray(months.astype(str)), len(ids)),
        "measure": "bookings", "credited": 0.0, "quota": np.tile(company * share / len(ids), len(ids)),
    })
    won = deals[(deals["outcome"] == "won") & (deals["specialist"] > 0) & deals["close_month"].isin(months)]
    credit = pd.DataFrame({
        "rep": [ids[i - 1] for i in won["specialist"]], "period": won["close_month"].astype(str),
        "measure": "bookings", "credited": won["amount"].to_numpy(), "deal": won["deal_id"].astype(str),
        "role": "overlay",
    })
    return pd.concat([quota, credit], ignore_index=True)


def _with_pay(ledger: pd.DataFrame, statements: pd.DataFrame) -> pd.DataFrame:
    """Ledger plus pay per rep-month: base, variable, total, and one column per component.

    People are summed into their rep slot (``R007#2`` -> ``R007``); lines of people without a
    ledger row (specialists) are left out. Sums are pandas group sums over integer keys (the
    same per-group sums as grouping by the text labels)."""
    slots = ledger["rep"].cat.categories
    months = pd.Index(ledger["month"].astype(str).unique())
    person, people = pd.factorize(statements["rep"])
    slot = slots.get_indexer([str(x).split("#")[0] for x in people])[person]
    month = months.get_indexer(pd.Index(statements["period"]).astype(str))
    components = sorted(set(statements["component"].unique()))
    comp = pd.Index(components).get_indexer(statements["component"])
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
    row = ledger["rep"].cat.codes.to_numpy(np.int64) * len(months) + months.get_indexer(ledger["month"].astype(str))
    out = ledger.copy()
    out["base_pay"] = base[row]
    out["variable_pay"] = total[row] - base[row]
    out["total_pay"] = total[row]
    for k, c in enumerate(components):
        out[f"pay: {c}"] = by_comp[row, k]
    return out


def _customers(floor: SalesFloor, rep_cat: pd.CategoricalDtype) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every won deal (warm-up included: their renewals fall in the window) as a customer contract."""
    sc, p, w = floor.scenario, floor.pipe, floor.clock.warmup_days
    won = np.flatnonzero(p.outcome == Outcome.WON)
    won_deals = pd.DataFrame({
        "deal_id": won, "account": p.account[won],
        "segment": pd.Categorical.from_codes(p.segment[won], [s.name for s in sc.market.segments]),
        "product": pd.Categorical.from_codes(p.product[won], [x.name for x in sc.market.products]),
        "rep": pd.Categorical.from_codes(p.rep[won], dtype=rep_cat),
        "amount": p.amount[won], "close_day": p.close[won] - w,
    })
    horizon = sc.customers.horizon_days(floor.clock.end_day - w)
    shocks = floor.event_state.churn_shocks
    return simulate_customers(won_deals, sc.customers, horizon, floor.rng["customers"], shocks=shocks)


def _clawbacks(customers: pd.DataFrame, window_months: int, ledger: pd.DataFrame, floor: SalesFloor,
               people: pd.DataFrame | None = None) -> pd.DataFrame:
    """Clawback rows for the comp plan: deals won in the window whose customer churned within
    ``window_months``, in the window, charged to the person who sold the deal; none once that
    person has left (commission cannot be recovered from a leaver)."""
    rows = clawback_rows(customers, window_months, since_day=0)
    start = ledger["month"].min().start_time
    churn = (start + pd.to_timedelta(np.floor(rows["churn_day"]), unit="D")).dt.to_period("M").astype(str)
    sale = (start + pd.to_timedelta(np.floor(rows["sale_day"]), unit="D")).dt.to_period("M").astype(str)
    w = floor.clock.warmup_days
    people = _people(floor) if people is None else people
    slot = rows["rep"].cat.codes.to_numpy() if hasattr(rows["rep"], "cat") else np.asarray([int(str(r)[1:4]) - 1 for r in rows["rep"]])
    seller = _person_of(people, slot, rows["sale_day"].to_numpy() + w)
    holder = _person_of(people, slot, rows["churn_day"].to_numpy() + w)
    keep = churn.isin(set(ledger["month"].astype(str))).to_numpy() & (seller == holder) & (seller != "")
    return pd.DataFrame({"rep": seller, "period": churn.to_numpy(), "measure": "bookings",
                         "credited": rows["amount"].to_numpy(), "deal": rows["deal_id"].astype(str).to_numpy(),
                         "event": "churn", "won_period": sale.to_numpy()})[keep]
