"""The SimPy process that applies a scenario's events to a running :class:`SalesFloor`.

:func:`run_events` starts one process per event. Each waits until its day
(``floor.on_day``: before the work step that starts that day, after the month close on a month
start) and changes the floor's :class:`~salessim.engine.floor.Conditions` (lead rate, win
probability, deal size, stage durations, slip loss) or ``hiring_frozen``, rep state (``skill``),
quotas, plan periods or the comp plan (``floor.decisions``), or acts through the floor's public
methods (``remove_rep``, ``hand_over``, ``lose_deals``, ``discount_open_deals``,
``set_territory``, ``remove_account``). Modifiers from several events multiply.
Random draws (which deals die in a hand-over) come from the run's own ``events`` stream, so
nothing before an event's day changes (common random numbers).

Costs and what happened are kept in :class:`EventState` (``floor.event_state``, present in every
run) and become the ``event_costs`` and ``event_log`` tables of the results.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from salessim.comp.plan import PERIOD_MONTHS
from salessim.model.customers import ChurnShock
from salessim.scenario.events import Context, rep_index

CHANNELS = ("lead", "win", "size", "duration", "slip")


class EventState:
    """Bookkeeping of the events of one run: modifiers per event, costs, log, churn shocks."""

    def __init__(self, floor):
        self.floor = floor
        sc = floor.scenario
        self.ctx = Context(sc)
        self.w = floor.clock.warmup_days
        self.n_regions = len(sc.market.regions)
        self.mods: dict[str, dict[int, np.ndarray | float]] = {c: {} for c in CHANNELS}
        self.costs: list[dict] = []
        self.log: list[dict] = []
        self.churn_shocks: list[ChurnShock] = []
        self.plan_segments: list[tuple[int, object]] = [(0, sc.plan)]  # (first simulated month, plan)
        self.freezes = 0
        self.month_ends = set(floor.clock.month_starts[1:-1].tolist())
        self.seasonality = np.array(sc.market.monthly_factors)
        self.lead_scale = 1.0  # accounts lost for good
        floor.decisions.quota = floor.decisions.quota.copy()

    @property
    def env(self):
        return self.floor.env

    # ------------------------------------------------------------------ time

    def clock_day(self, when) -> int:
        return self.ctx.day(when) + self.w

    def wait(self, day: float):
        """Resume at clock ``day``, before that day's work step (after the month close on a month start).

        Called again on the day it is (``day == now``) of a month start, it waits for the floor's
        pending month close, i.e. the end of that month: ramped effects whose first step falls
        on a month start begin one month after the day they are logged on (kept: results are
        pinned by the golden digests)."""
        if day > self.env.now:
            yield self.floor.on_day(day)
        elif int(day) == day and int(day) in self.month_ends:
            yield self.floor.month_end

    def month(self, day: float) -> int:
        return int(self.floor.clock.month_index(np.array([day]))[0])

    def month_starts_from(self, day: float, n: int) -> list[float]:
        """``day`` and the next ``n - 1`` month starts after it, within the run."""
        starts = self.floor.clock.month_starts
        later = [float(d) for d in starts[:-1] if d > day]
        return [float(day), *later][:n]

    def ramp(self, day: float, months: int) -> list[tuple[float, float]]:
        """(clock day, share of the full effect): 1/months in the first month, full after ``months``."""
        n = max(months, 1)
        return [(d, (j + 1) / n) for j, d in enumerate(self.month_starts_from(day, n))]

    # ------------------------------------------------------------------ modifiers

    def regions_mask(self, regions: list[str] | None) -> np.ndarray:
        names = self.floor.scenario.market.regions
        if not regions:
            return np.ones(self.n_regions, dtype=bool)
        return np.isin(names, regions)

    def set(self, channel: str, key: int, value) -> None:
        """Set (or with ``None`` remove) one event's modifier and recompute the engine's hook."""
        if value is None:
            self.mods[channel].pop(key, None)
        else:
            self.mods[channel][key] = value
        vals = list(self.mods[channel].values())
        if channel in ("lead", "win"):
            total = np.ones(self.n_regions)
            for v in vals:
                total = total * v
        else:
            total = float(np.prod(vals)) if vals else 1.0
        setattr(self.floor.conditions, channel, total)

    # ------------------------------------------------------------------ records

    def record(self, day: float, ev, detail: str) -> None:
        self.log.append({"day": day - self.w, "event": ev.label, "kind": ev.kind, "detail": detail})

    def charge(self, day: float, ev, amount: float, item: str) -> None:
        if amount > 0:
            self.costs.append({"day": day - self.w, "event": ev.label, "kind": ev.kind, "item": item,
                               "cost": float(amount)})

    def charge_programme(self, day: float, programme: str, amount: float, item: str) -> None:
        """A training programme's cost (onboarding, skills or knowledge training) on clock ``day``:
        an ``event_costs`` row of kind ``training`` named after the programme."""
        if amount > 0:
            self.costs.append({"day": day - self.w, "event": programme, "kind": "training", "item": item,
                               "cost": float(amount)})

    def charge_monthly(self, day: float, ev, amount: float, item: str) -> None:
        """``amount`` at ``day`` and every month start after it until the horizon."""
        if amount > 0:
            for d in self.month_starts_from(day, 10_000):
                self.charge(d, ev, amount, item)


# --------------------------------------------------------------------------- the process


def run_events(state: EventState) -> None:
    """Start one SimPy process per scenario event (called by ``SalesFloor.run``)."""
    floor, env = state.floor, state.env
    plan_changes = sorted((state.month(state.clock_day(ev.at)), i) for i, ev in enumerate(floor.scenario.events)
                          if ev.kind == "plan_change")
    for month, i in plan_changes:
        _plan_periods(floor, month, floor.scenario.events[i].plan)
    for i, ev in enumerate(floor.scenario.events):
        env.process(_drive(state, i, ev))


def _drive(state: EventState, i: int, ev):
    day = state.clock_day(ev.at)
    yield from state.wait(day)
    yield from APPLY[ev.kind](state, i, ev, day)


def _until(state: EventState, ev) -> float | None:
    return None if getattr(ev, "until", None) is None else state.clock_day(ev.until)


def _demand_shock(state, i, ev, day):
    mask = state.regions_mask(ev.regions)
    state.set("lead", i, np.where(mask, ev.factor, 1.0))
    state.record(day, ev, f"lead rate x{ev.factor:g} in {', '.join(ev.regions) or 'all regions'}")
    end = _until(state, ev)
    if end is None:
        return
    for d, share in state.ramp(end, ev.recovery_months) if ev.recovery_months else [(end, 1.0)]:
        yield from state.wait(d)
        f = ev.factor + (1.0 - ev.factor) * share
        state.set("lead", i, None if share >= 1 else np.where(mask, f, 1.0))
        state.record(d, ev, f"recovery: lead rate x{f:.3g}")


def _price_pressure(state, i, ev, day):
    f = state.floor
    state.set("size", i, ev.size_factor)
    if ev.discount > 0:
        f.discount_open_deals(ev.discount, state.month(day))
    state.record(day, ev, f"new deal amounts x{ev.size_factor:g}, open deals discounted {ev.discount:.0%}")
    end = _until(state, ev)
    if end is not None:
        yield from state.wait(end)
        state.set("size", i, None)
        state.record(end, ev, "prices back to normal for new deals")


def _competitor(state, i, ev, day):
    mask = state.regions_mask([ev.region])
    for d, share in state.ramp(day, ev.ramp_months):
        yield from state.wait(d)
        state.set("win", i, np.where(mask, 1 + (ev.win_factor - 1) * share, 1.0))
        state.set("lead", i, np.where(mask, 1 + (ev.lead_factor - 1) * share, 1.0))
        state.record(d, ev, f"{ev.region}: win x{1 + (ev.win_factor - 1) * share:.3g}, leads x{1 + (ev.lead_factor - 1) * share:.3g}")
    end = _until(state, ev)
    if end is not None:
        yield from state.wait(end)
        state.set("win", i, None)
        state.set("lead", i, None)
        state.record(end, ev, "competitor gone")


def _lead_rate(state, day) -> None:
    """Recompute the inbound lead rate from the month of ``day`` (pattern and lost accounts)."""
    f = state.floor
    m = state.month(day)
    norm = state.seasonality / state.seasonality.mean()
    rate = f.scenario.market.leads_per_year / 365.25 * norm[f.clock.calendar_month - 1] * state.lead_scale
    f.lead_rate = f.lead_rate.copy()
    f.lead_rate[m:] = rate[m:]


def _seasonality(state, i, ev, day):
    state.seasonality = np.array(ev.seasonality, dtype=float)
    _lead_rate(state, day)
    state.record(day, ev, "new monthly lead pattern")
    yield from ()


def _churn_spike(state, i, ev, day):
    first = state.ctx.start + pd.Timedelta(days=day - state.w)
    end = float((first + pd.DateOffset(months=ev.months) - state.ctx.start).days) + state.w
    state.churn_shocks.append(ChurnShock(day - state.w, end - state.w, ev.factor, ev.segment))
    state.record(day, ev, f"churn x{ev.factor:g} for {ev.months} months in {ev.segment or 'all segments'}")
    yield from ()


def key_account(floor, ev) -> int:
    """The account an event names, or the ``rank``-th largest of its segment by potential."""
    if ev.account is not None:
        return int(ev.account)
    acc = floor.accounts
    seg = ev.segment or floor.scenario.market.segments[0].name
    pool = acc[acc["segment"] == seg].sort_values(["potential", "account"], ascending=[False, True])
    return int(pool["account"].iloc[min(ev.rank, len(pool)) - 1])


def _key_account_loss(state, i, ev, day):
    f = state.floor
    a = key_account(f, ev)
    n_lost, share = f.remove_account(a, day)
    state.lead_scale *= 1.0 - share
    _lead_rate(state, day)
    state.churn_shocks.append(ChurnShock(day - state.w, np.inf, np.inf, account=a))
    state.record(day, ev, f"account {a} lost: {n_lost} open deals, {share:.1%} of leads")
    yield from ()


def _reps_leave(state, i, ev, day):
    f = state.floor
    if ev.reps:
        reps = [rep_index(r) for r in ev.reps]
    else:
        # bookings in the measured horizon up to the event day (warm-up months only fill the pipeline)
        booked = f.recorder.booked[f.scenario.calendar.warmup_months : state.month(day) + 1].sum(axis=0)
        score = np.where(f.active, booked, -np.inf)
        reps = np.lexsort((-f.skill, -score))[: ev.top].tolist()
    loss = f.scenario.staffing.hiring.pipeline_loss if ev.pipeline_loss is None else ev.pipeline_loss
    gone = [r for r in reps if f.active[r]]
    for r in gone:
        f.remove_rep(r, loss, f.rng["events"])
    state.record(day, ev, f"left: {', '.join(f'R{r + 1:03d}' for r in gone) or 'nobody (already vacant)'}")
    yield from ()


def _hiring_freeze(state, i, ev, day):
    f = state.floor
    state.freezes += 1
    f.hiring_frozen = True
    state.record(day, ev, "hiring frozen")
    end = _until(state, ev)
    if end is not None:
        yield from state.wait(end)
        state.freezes -= 1
        f.hiring_frozen = state.freezes > 0 or f.scenario.staffing.hiring.freeze
        state.record(end, ev, "hiring resumes")


def _manager_leaves(state, i, ev, day):
    f = state.floor
    region = f.scenario.market.regions.index(ev.region)
    reps = np.flatnonzero(f.active & (f.rep_region == region))
    hired = f.hired_day[reps].copy()
    f.skill[reps] *= 1.0 - ev.skill_penalty
    state.record(day, ev, f"{ev.region}: {len(reps)} reps lose coaching (skill x{1 - ev.skill_penalty:g})")
    back = state.month_starts_from(day, ev.vacancy_months + 1)
    if len(back) == ev.vacancy_months + 1:
        yield from state.wait(back[-1])
        same = f.hired_day[reps] == hired
        f.skill[reps[same]] /= 1.0 - ev.skill_penalty
        state.record(back[-1], ev, f"{ev.region}: new manager, coaching back for {int(same.sum())} reps")


def _plan_periods(floor, m: int, plan) -> None:
    """From month ``m`` on, plan periods follow ``plan``; the open period of the old plan ends at m - 1."""
    d = floor.decisions
    n = len(d.period_first)
    d.period_first, d.period_last = d.period_first.copy(), d.period_last.copy()
    before = np.arange(m)
    d.period_last[before] = np.minimum(d.period_last[before], m - 1)
    per = PERIOD_MONTHS[plan.period]
    pos = (floor.clock.calendar_month - floor.scenario.calendar.fiscal_year_start_month) % 12
    k = np.arange(m, n)
    natural = k - pos[m:] % per
    d.period_first[m:] = np.maximum(natural, m)
    d.period_last[m:] = np.minimum(natural + per - 1, n - 1)


def _plan_change(state, i, ev, day):
    from salessim.comp.incentive import Incentive

    f = state.floor
    month = state.month(day)
    f.decisions.incentive = Incentive(ev.plan, f.n_reps)
    state.plan_segments.append((month, ev.plan))
    state.record(day, ev, f"comp plan now {ev.plan.name!r}")
    yield from ()


def _quota_change(state, i, ev, day):
    f = state.floor
    reps = state.regions_mask(ev.regions)[f.rep_region]
    m = state.month(day)
    starts = f.clock.month_starts
    after = (starts[m + 1] - day) / (starts[m + 1] - starts[m])  # share of the month from the change
    quota = f.decisions.quota
    quota[m, reps] *= (1 - after) + ev.factor * after
    quota[m + 1 :, reps] *= ev.factor
    state.record(day, ev, f"quotas x{ev.factor:g} for {int(reps.sum())} reps")
    yield from ()


def balanced_territory(territory: np.ndarray, potential: np.ndarray, rep_region: np.ndarray,
                       tolerance: float) -> np.ndarray:
    """Move the smallest accounts of over-loaded reps to the least-loaded rep of their region
    until no rep is above (1 + ``tolerance``) x the region's average potential. Pure numpy."""
    out = territory.copy()
    for region in np.unique(rep_region):
        reps = np.flatnonzero(rep_region == region)
        load = np.bincount(out, potential, len(rep_region))[reps]
        target = load.mean()
        for j in np.argsort(-load, kind="stable"):
            if load[j] <= target * (1 + tolerance):
                break
            mine = np.flatnonzero(out == reps[j])
            for a in mine[np.argsort(potential[mine], kind="stable")]:
                if load[j] - potential[a] < target:
                    break
                k = int(np.argmin(load))
                out[a] = reps[k]
                load[j] -= potential[a]
                load[k] += potential[a]
    return out


def _reterritory(state, i, ev, day):
    f = state.floor
    if ev.strategy == "greedy":
        measure = f.accounts["potential" if ev.balance_on == "potential" else "workload_hours"].to_numpy()
        new = balanced_territory(f.territory, measure, f.rep_region, ev.tolerance)
    else:
        from salessim.model.territory import design_territories

        regions = np.asarray(f.scenario.market.regions)[f.rep_region]
        new = design_territories(f.accounts, f.n_reps, "min_disruption", rep_regions=regions, current=f.territory,
                                 tolerance=ev.tolerance, rng=f.rng["events"], balance_on=ev.balance_on,
                                 time_limit=ev.time_limit)
    moved = new != f.territory
    f.set_territory(new)
    hit = f.open[moved[f.pipe.account[f.open]]]
    rng = f.rng["events"]
    lost = rng.random(len(hit)) < ev.pipeline_loss
    keep = hit[~lost]
    f.hand_over(keep, new[f.pipe.account[keep]], rng)
    f.lose_deals(hit[lost], day)
    state.record(day, ev, f"{int(moved.sum())} accounts moved, {int(lost.sum())} of {len(hit)} open deals lost")
    yield from ()


# --------------------------------------------------------------------------- interventions


def _intervention_costs(state, ev, day) -> None:
    state.charge(day, ev, ev.cost, "one-off")
    state.charge_monthly(day, ev, ev.monthly_cost, "monthly")


def _training(state, i, ev, day):
    """A training programme (:mod:`salessim.model.training`): ``days`` away from selling in the
    next work step, a cost per rep, skill x (1 + gain) ramping in over ``ramp_months``."""
    from salessim.model.training import trained_skill

    f = state.floor
    _intervention_costs(state, ev, day)
    reps = np.flatnonzero(f.active & state.regions_mask(ev.regions)[f.rep_region])
    hired = f.hired_day[reps].copy()
    state.charge(day, ev, ev.cost_per_rep * len(reps), f"{len(reps)} reps trained")
    f.people.train(reps, ev.days)
    applied = 1.0
    for d, share in state.ramp(day, ev.ramp_months):
        yield from state.wait(d)
        same = f.hired_day[reps] == hired
        f.skill[reps[same]] = trained_skill(f.skill[reps[same]], ev.skill_gain, share) / applied
        applied = 1 + ev.skill_gain * share
        state.record(d, ev, f"skill x{applied:.3g} for {int(same.sum())} trained reps in post")


def _standardisation(state, i, ev, day):
    _intervention_costs(state, ev, day)
    for d, share in state.ramp(day, ev.ramp_months):
        yield from state.wait(d)
        dur, win = 1 + (ev.duration_factor - 1) * share, 1 + (ev.win_factor - 1) * share
        state.set("duration", i, dur)
        state.set("win", i, np.full(state.n_regions, win))
        state.record(d, ev, f"stage durations x{dur:.3g}, win x{win:.3g}")


def _crm(state, i, ev, day):
    _intervention_costs(state, ev, day)
    state.charge_monthly(day, ev, ev.cost_per_rep_month * state.floor.n_reps, "licences")
    for d, share in state.ramp(day, ev.ramp_months):
        yield from state.wait(d)
        slip = 1 + (ev.slip_factor - 1) * share
        state.set("slip", i, slip)
        state.record(d, ev, f"slip loss x{slip:.3g}")


def _region_lead_share(state) -> np.ndarray:
    acc = state.floor.accounts
    return np.bincount(acc["region"].cat.codes.to_numpy(), acc["lead_weight"].to_numpy(), state.n_regions) / acc["lead_weight"].sum()


def _lead_uplift(state, i, ev, day, uplift: float, what: str):
    mask = state.regions_mask(ev.regions)
    for d, share in state.ramp(day, ev.ramp_months):
        yield from state.wait(d)
        state.set("lead", i, np.where(mask, 1 + uplift * share, 1.0))
        state.record(d, ev, f"{what}: leads x{1 + uplift * share:.3g} in {', '.join(ev.regions) or 'all regions'}")


def _sdrs(state, i, ev, day):
    _intervention_costs(state, ev, day)
    state.charge_monthly(day, ev, ev.sdrs * ev.cost_per_sdr_month, f"{ev.sdrs} SDRs")
    mask = state.regions_mask(ev.regions)
    base = state.floor.scenario.market.leads_per_year / 12 * _region_lead_share(state)[mask].sum()
    uplift = ev.sdrs * ev.leads_per_sdr_month / base
    yield from _lead_uplift(state, i, ev, day, uplift, f"{ev.sdrs} SDRs")


def _partners(state, i, ev, day):
    _intervention_costs(state, ev, day)
    yield from _lead_uplift(state, i, ev, day, ev.lead_uplift, "partners")


APPLY = {
    "demand_shock": _demand_shock, "price_pressure": _price_pressure, "competitor": _competitor,
    "seasonality_change": _seasonality, "churn_spike": _churn_spike, "key_account_loss": _key_account_loss,
    "reps_leave": _reps_leave, "hiring_freeze": _hiring_freeze, "manager_leaves": _manager_leaves,
    "plan_change": _plan_change, "quota_change": _quota_change, "reterritory": _reterritory,
    "training": _training, "process_standardisation": _standardisation, "crm_adoption": _crm,
    "add_sdrs": _sdrs, "add_partners": _partners,
}


# --------------------------------------------------------------------------- tables


def event_tables(floor) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(event_costs, event_log)``: one row per cost item (day, month, event, kind, item, cost)
    and one row per thing an event did (day, date, event, kind, detail). Days from the start."""
    state = floor.event_state
    start = floor.scenario.calendar.start_date
    costs = _costs_table(state.costs, start) if state.costs else _empty_tables(start)[0].copy()
    log = _log_table(state.log, start) if state.log else _empty_tables(start)[1].copy()
    return costs, log


def _with_date(df: pd.DataFrame, start) -> pd.DataFrame:
    df.insert(1, "date", pd.Timestamp(start) + pd.to_timedelta(np.floor(df["day"].astype(float)), unit="D"))
    return df


def _costs_table(rows: list[dict], start) -> pd.DataFrame:
    costs = _with_date(pd.DataFrame(rows, columns=["day", "event", "kind", "item", "cost"]), start)
    costs.insert(2, "month", costs["date"].dt.to_period("M"))
    costs["cost"] = costs["cost"].astype(float)
    return costs.sort_values("day", kind="stable", ignore_index=True)


def _log_table(rows: list[dict], start) -> pd.DataFrame:
    log = _with_date(pd.DataFrame(rows, columns=["day", "event", "kind", "detail"]), start)
    return log.sort_values("day", kind="stable", ignore_index=True)


@functools.lru_cache(maxsize=16)
def _empty_tables(start) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tables of a run without event costs or log entries, built once per start date (callers
    get copies)."""
    return _costs_table([], start), _log_table([], start)
