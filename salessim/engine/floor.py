"""The SimPy engine: leads arrive, reps spend their limited hours on them, deals move through stages.

Design, for speed (one replication of a 100-rep org must take well under a second):

* SimPy runs the calendar. A *selling* process steps through work steps (a week, cut at month
  starts); a *month-close* process takes snapshots and runs attrition when the selling process
  signals a month end; every vacancy is a *hiring* process that waits for its search time.
* Deals are not SimPy processes. They live in a struct of numpy arrays (:class:`Pipeline`); each
  work step moves all open deals at once, with every deal's dice drawn once when it is created
  (conversion and duration uniforms per stage), so results do not depend on processing order.
* Capacity: each step a rep has ``weekly_hours x effort x ramp`` (pro-rated) and works the deals
  nearest to closing first. Deals the rep has no time for wait and are lost with
  ``slip_loss_per_week``.
* Reps decide each step (:mod:`salessim.engine.reps`): effort from the marginal value of sales under
  their plan, and, near a period end, which deals to pull in or push out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import simpy
from scipy import special

from salessim.engine.layout import layout, monthly_quota
from salessim.engine.reps import RepDecisions
from salessim.engine.streams import streams
from salessim.engine.structures import floor_structure, team_help
from salessim.model.calendar import Clock
from salessim.model.market import daily_lead_rate
from salessim.scenario import Scenario

OPEN, WON, LOST = 0, 1, 2
ACTIVE, RAMPING, VACANT = 0, 1, 2


@dataclass
class Pipeline:
    """Every opportunity of a run as parallel arrays (one index per deal)."""

    n_stages: int
    capacity: int = 4096
    n: int = 0
    cols: dict[str, np.ndarray] = field(default_factory=dict)

    SPEC = {
        "account": np.int64, "rep": np.int64, "segment": np.int64, "product": np.int64,
        "created": np.float64, "amount": np.float64, "list_amount": np.float64, "stage": np.int64,
        "outcome": np.int8, "close": np.float64, "remaining": np.float64, "clock": np.float64,
        "entered": np.float64, "source": np.int8, "moved": np.int8, "channel": np.int8,
        "specialist": np.int64, "extra_hours": np.float64,
    }

    def __post_init__(self) -> None:
        self._grow(self.capacity)

    def _grow(self, need: int) -> None:
        cap = max(need, 2 * len(self.cols.get("account", ())))
        for name, dtype in self.SPEC.items():
            new = np.zeros(cap, dtype=dtype)
            if name in self.cols:
                new[: self.n] = self.cols[name][: self.n]
            self.cols[name] = new
        for name in ("u_conv", "u_dur"):
            new = np.zeros((cap, self.n_stages))
            if name in self.cols:
                new[: self.n] = self.cols[name][: self.n]
            self.cols[name] = new

    def add(self, **values: np.ndarray) -> np.ndarray:
        """Append deals; returns their indices."""
        k = len(values["account"])
        if self.n + k > len(self.cols["account"]):
            self._grow(self.n + k)
        idx = np.arange(self.n, self.n + k)
        for name, v in values.items():
            self.cols[name][idx] = v
        self.n += k
        return idx

    def __getattr__(self, name: str) -> np.ndarray:
        cols = self.__dict__.get("cols", {})
        if name in cols:
            return cols[name][: self.__dict__["n"]]
        raise AttributeError(name)


class SalesFloor(RepDecisions):
    """One simulation run of a scenario with a seed. Call :meth:`run` once.

    ``incentive`` is the comp plan as the reps see it (:class:`salessim.comp.incentive.Incentive`);
    without one, reps work at their normal pace and never move deals.
    """

    def __init__(self, scenario: Scenario, seed: int | np.random.SeedSequence,
                 record_events: bool = False, incentive=None, quota: np.ndarray | None = None):
        self.scenario = s = scenario
        self.clock = Clock(scenario.calendar)
        self.rng = streams(seed)
        self.record_events = record_events
        stages = s.funnel.stages
        self.n_stages = S = len(stages)
        self.n_reps = R = s.org.reps
        self.conv = np.array([st.conversion for st in stages])
        mean_days = np.array([st.duration.mean_days for st in stages])
        # Weekly rep hours a deal needs while in a stage: its total hours spread over its duration.
        self.hours_per_week = np.array([st.rep_hours for st in stages]) / np.maximum(1.0, mean_days / 7)
        seg, prod = s.market.segments, s.market.products
        self.seg_win = np.array([x.win_multiplier for x in seg])
        self.seg_dur = np.array([x.duration_multiplier for x in seg])
        self.seg_hours = np.array([x.hours_multiplier for x in seg])
        self.seg_median = np.array([x.deal_size.median for x in seg])
        self.seg_sigma = np.array([x.deal_size.sigma for x in seg])
        self.prod_size = np.array([x.size_multiplier for x in prod])
        self.prod_win = np.array([x.win_multiplier for x in prod])
        self.prod_cdf = np.cumsum([x.share for x in prod])
        self.prod_cdf[-1] = 1.0

        # The org and the market.
        sd = s.org.skill.sd
        sigma = np.sqrt(np.log1p(sd**2))
        self.skill = self.rng["org"].lognormal(-(sigma**2) / 2, sigma, R) if sd > 0 else np.ones(R)
        self.layout = lay = layout(s)
        self.accounts = lay.accounts
        self.acc_segment = self.accounts["segment"].cat.codes.to_numpy().astype(np.int64)
        self.acc_cdf = np.cumsum(self.accounts["lead_weight"].to_numpy())
        self.acc_cdf[-1] = 1.0
        self.territory = lay.territory.copy()
        self.rep_region = lay.roster.region
        self._territory_index()
        self.weekly_hours = np.full(R, s.org.weekly_hours)
        self.effort = np.ones(R)
        self.active = np.ones(R, dtype=bool)
        self.hired_day = np.full(R, -10_000.0)  # incumbents are fully ramped
        self.ramp = np.ones(R)
        # Modifiers that scenario events and interventions change during a run (1 = as configured).
        self.lead_factor = np.ones(len(s.market.regions))  # inbound lead rate, per region
        self.size_factor = 1.0  # amounts of new deals
        self.region_win = np.ones(len(s.market.regions))  # win probability, per account region
        self.duration_factor = 1.0  # stage durations entered from now on
        self.slip_factor = 1.0  # loss hazard of deals nobody has time for
        self.hiring_frozen = s.staffing.hiring.freeze
        self.acc_region = self.accounts["region"].cat.codes.to_numpy().astype(np.int64)

        n_months = len(self.clock.month_starts) - 1
        self.lead_rate = daily_lead_rate(s.market, self.clock.calendar_month)
        months = len(self.clock.month_starts) - 1
        expected_leads = (s.market.leads_per_year + s.behaviour.effort.prospecting_leads_per_week * 52.18 * R) * months / 12
        self.pipe = Pipeline(S, capacity=int(expected_leads * 1.25) + 1024)  # one allocation, usually
        self.open = np.empty(0, dtype=np.int64)
        zeros = lambda dtype=float: np.zeros((n_months, R), dtype=dtype)  # noqa: E731
        self.hours_worked, self.hours_capacity = zeros(), zeros()
        self.pipeline_value, self.open_deals = zeros(), zeros(np.int64)
        self.booked, self.discounts = zeros(), zeros()
        self.pulled, self.pushed = zeros(np.int64), zeros(np.int64)
        self.effort_days, self.status = zeros(), zeros(np.int8)
        self.stage_entries = np.zeros((n_months, R, S), dtype=np.int64)
        self.staff_events: list[dict] = []
        self.events: list[tuple[np.ndarray, ...]] = []
        self.month = 0
        self.structure = floor_structure(self)
        self.team_help = team_help(s)
        self._init_decisions(incentive, monthly_quota(s, self.clock, lay.annual_quota) if quota is None else quota)

    def _territory_index(self) -> None:
        """Accounts grouped by rep, for drawing self-sourced leads from a rep's own territory."""
        order = np.argsort(self.territory, kind="stable")
        w = self.accounts["lead_weight"].to_numpy()[order]
        rep = self.territory[order]
        cum = np.cumsum(w)
        start = np.searchsorted(rep, np.arange(self.n_reps))
        before = np.concatenate([[0.0], cum])[start]
        total = np.bincount(rep, w, self.n_reps)
        self._terr_accounts = order
        self._terr_key = rep + (cum - before[rep]) / np.maximum(total[rep], 1e-300)

    # ------------------------------------------------------------------ SimPy processes

    def run(self) -> SalesFloor:
        env = simpy.Environment()
        self.env = env
        self.month_end = env.event()
        env.process(self._selling(env))
        env.process(self._month_close(env))
        if self.scenario.events:
            from salessim.engine.events import run_events

            run_events(self, env)
        env.run(until=self.clock.end_day + 1)
        return self

    def _selling(self, env: simpy.Environment):
        steps = self.clock.steps
        month_ends = set(self.clock.month_starts[1:].tolist())
        for t0, t1 in zip(steps[:-1], steps[1:], strict=True):
            self.month = month = int(self.clock.month_index(np.array([t0]))[0])
            t0, t1 = float(t0), float(t1)
            self.ramp = self._ramp_factor(t0)
            self.decide(t0, t1, month)
            self.effort_days[month] += self.effort * self.active * (t1 - t0)
            self.status[month] = np.where(~self.active, VACANT, np.where(self.ramp < 1, RAMPING, ACTIVE))
            self._step_booked = np.zeros(self.n_reps)
            self._arrivals(t0, t1, month)
            self._prospecting(t0, t1)
            self._work(t0, t1, month)
            self.learn(t0, t1)
            yield env.timeout(t1 - t0)
            if int(t1) in month_ends:
                done, self.month_end = self.month_end, env.event()
                done.succeed(month)
                yield done  # let the month-close process run before the next step starts

    def _month_close(self, env: simpy.Environment):
        while True:
            month = yield self.month_end
            o = self.open
            o = o[self.pipe.stage[o] >= 1]  # qualified pipeline: past the first stage
            rep = self.pipe.rep[o]
            self.pipeline_value[month] = np.bincount(rep, self.pipe.amount[o], self.n_reps)
            self.open_deals[month] = np.bincount(rep, minlength=self.n_reps)
            self.close_periods(month)
            for r in self.quits(month):
                self._leave(env, r)

    def _leave(self, env: simpy.Environment, rep: int) -> None:
        """A rep quits: part of their open pipeline dies, the rest goes to region colleagues."""
        now = float(env.now)
        self.active[rep] = False
        self.staff_events.append({"rep": rep, "day": now, "event": "left"})
        mine = self.open[(self.pipe.rep[self.open] == rep) & (self.pipe.channel[self.open] == 0)]
        u = self.rng["vacancy"].random(len(mine))
        lost = u < self.scenario.staffing.hiring.pipeline_loss
        self._close(mine[lost], np.full(lost.sum(), now), LOST)
        keep = mine[~lost]
        self.pipe.cols["rep"][keep] = self._cover(np.full(len(keep), rep), self.rng["vacancy"].random(len(keep)))
        self.open = self.open[self.pipe.outcome[self.open] == OPEN]
        hiring = self.scenario.staffing.hiring
        if hiring.enabled:
            env.process(self._hire(env, rep))

    def _hire(self, env: simpy.Environment, rep: int):
        from salessim.model.staffing import hire_skill, vacancy_days

        hiring = self.scenario.staffing.hiring
        u = self.rng["staffing"].random(2)
        yield env.timeout(vacancy_days(float(u[0]), hiring))
        while self.hiring_frozen:  # a hiring freeze: the search waits until it is lifted
            yield env.timeout(7)
        self.active[rep] = True
        self.hired_day[rep] = float(env.now)
        self.skill[rep] = hire_skill(float(u[1]), self.scenario.org.skill.sd, hiring)
        self.staff_events.append({"rep": rep, "day": float(env.now), "event": "hired"})

    def _ramp_factor(self, t0: float) -> np.ndarray:
        from salessim.model.staffing import ramp_factor

        return np.where(self.active, ramp_factor(t0 - self.hired_day, self.scenario.staffing.ramp), 0.0)

    def _cover(self, rep: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Active reps of the same region who take over deals of (vacant) ``rep``; any active rep if
        the region has none; the rep itself if nobody is active."""
        out = rep.copy()
        active = np.flatnonzero(self.active)
        if len(active) == 0 or len(rep) == 0:
            return out
        for region in np.unique(self.rep_region[rep]):
            m = self.rep_region[rep] == region
            pool = active[self.rep_region[active] == region]
            pool = pool if len(pool) else active
            out[m] = pool[np.minimum((u[m] * len(pool)).astype(np.int64), len(pool) - 1)]
        return out

    # ------------------------------------------------------------------ leads

    def _arrivals(self, t0: float, t1: float, month: int) -> None:
        """Inbound leads of the step, with each deal's dice drawn once."""
        length = t1 - t0
        rng = self.rng["arrivals"]
        top = float(self.lead_factor.max())
        k = int(rng.poisson(self.lead_rate[month] * length * top))
        if k == 0:
            return
        created = np.sort(t0 + rng.random(k) * length)
        account = np.searchsorted(self.acc_cdf, rng.random(k), side="right")
        product = np.searchsorted(self.prod_cdf, rng.random(k), side="right")
        keep = rng.random(k) * top < self.lead_factor[self.acc_region[account]]  # regional demand
        created, account, product = created[keep], account[keep], product[keep]
        self._open_deals(created, account, product, self.territory[account], self.rng["deals"], source=0)

    def _prospecting(self, t0: float, t1: float) -> None:
        """Self-sourced leads: each working rep finds some in their own territory, more with effort."""
        per_week = self.scenario.behaviour.effort.prospecting_leads_per_week
        if per_week == 0:
            return
        rng = self.rng["prospecting"]
        length = t1 - t0
        counts = rng.poisson(per_week * self.effort * self.ramp * self.active * (length / 7))
        k = int(counts.sum())
        if k == 0:
            return
        rep = np.repeat(np.arange(self.n_reps), counts)
        pos = np.searchsorted(self._terr_key, rep + rng.random(k), side="right")
        account = self._terr_accounts[np.minimum(pos, len(self._terr_accounts) - 1)]
        created = t0 + rng.random(k) * length
        product = np.searchsorted(self.prod_cdf, rng.random(k), side="right")
        order = np.argsort(created, kind="stable")
        self._open_deals(created[order], account[order], product[order], rep[order], rng, source=1)

    def _open_deals(self, created, account, product, rep, dice_rng, source: int) -> None:
        k, S = len(created), self.n_stages
        dice = dice_rng.random((k, 2 * S + 1))
        segment = self.acc_segment[account]
        amount = self.size_factor * self.seg_median[segment] * self.prod_size[product] * np.exp(self.seg_sigma[segment] * special.ndtri(dice[:, 0]))
        channel, amount = self.structure.route(account, amount)  # amount: the company's revenue
        # Leads of a vacant territory: some are never picked up, the rest go to region colleagues.
        vacant = ~self.active[rep] & (channel == 0)  # partners keep working a vacant territory
        uncovered = np.zeros(k, dtype=bool)
        if vacant.any():
            u = self.rng["vacancy"].random((int(vacant.sum()), 2))
            lose = u[:, 0] < self.scenario.staffing.hiring.vacancy_lead_loss
            uncovered[np.flatnonzero(vacant)[lose]] = True
            rep = rep.copy()
            rep[vacant] = self._cover(rep[vacant], u[:, 1])
        idx = self.pipe.add(
            account=account, rep=rep, segment=segment, product=product,
            created=created, amount=amount, list_amount=amount, stage=np.zeros(k, np.int64),
            outcome=np.zeros(k, np.int8), close=np.full(k, np.nan), clock=created, entered=created,
            source=np.full(k, source, np.int8), moved=np.zeros(k, np.int8), channel=channel,
            specialist=np.full(k, -1, np.int64), extra_hours=np.zeros(k),
            u_conv=dice[:, 1 : S + 1], u_dur=dice[:, S + 1 :],
        )
        self._enter_stage(idx, np.zeros(k, np.int64))
        self._close(idx[uncovered], created[uncovered], LOST)
        self.open = np.concatenate([self.open, idx[~uncovered]])

    def _enter_stage(self, idx: np.ndarray, stage: np.ndarray) -> None:
        p = self.pipe
        days = np.empty(len(idx))
        for s in np.unique(stage):
            m = stage == s
            days[m] = self.scenario.funnel.stages[s].duration.quantile(p.u_dur[idx[m], s])
        p.cols["remaining"][idx] = days * self.seg_dur[p.segment[idx]] * self.duration_factor * self.structure.duration_multiplier(idx)
        np.add.at(self.stage_entries[self.month], (p.rep[idx], stage), 1)
        self.structure.join_specialists(idx, stage)

    # ------------------------------------------------------------------ the work

    def _work(self, t0: float, t1: float, month: int) -> None:
        p, o = self.pipe, self.open
        length = t1 - t0
        cap = self.weekly_hours * self.effort * self.ramp * (length / 7)
        self.hours_capacity[month] += cap
        if len(o) == 0:
            return
        rep, stage = p.rep[o], p.stage[o]
        present = (t1 - p.clock[o]) / length
        demand = (self.hours_per_week[stage] * self.seg_hours[p.segment[o]] * self.structure.role_hours[rep]
                  + p.extra_hours[o]) * (length / 7) * present
        demand[p.channel[o] == 1] = 0.0  # partners work their own deals
        # Each rep works the deals nearest to closing first, oldest first within a stage.
        order = np.lexsort((p.entered[o], -stage, rep))
        r_sorted, d_sorted = rep[order], demand[order]
        cum = np.cumsum(d_sorted)
        first = np.searchsorted(r_sorted, np.arange(self.n_reps))
        before = np.concatenate([[0.0], cum])[first]
        served = np.empty(len(o), dtype=bool)
        served[order] = (cum - d_sorted - before[r_sorted]) < cap[r_sorted]
        served |= p.channel[o] == 1
        worked = np.minimum(np.bincount(rep, demand * served, self.n_reps), cap)
        if self.team_help > 0:  # a team award: colleagues of the region give spare hours
            worked += self._help(o, order, served, demand, cap - worked)
        self.hours_worked[month] += worked

        # Deals nobody had time for wait, and some customers walk away.
        waiting = o[~served]
        if len(waiting):
            slip = min(self.scenario.funnel.slip_loss_per_week * self.slip_factor, 1.0)
            hazard = 1.0 - (1.0 - slip) ** (length / 7)
            u = self.rng["work"].random(len(waiting))
            lost = u < hazard
            start = p.clock[waiting]
            when = start + (t1 - start) * np.where(lost, u / max(hazard, 1e-12), 1.0)
            self._close(waiting[lost], when[lost], LOST)
            p.cols["clock"][waiting[~lost]] = t1
        self._progress(o[served], t1)
        self.open = o[p.outcome[o] == OPEN]

    def _help(self, o, order, served, demand, spare) -> np.ndarray:
        """Team incentives: each region pools ``team_help`` of its reps' spare hours and works its
        waiting deals, nearest to closing first (credit stays with the deal's owner). Marks the
        helped deals served; returns the hours each rep gave."""
        region = self.rep_region[self.pipe.rep[o]]
        offered = np.bincount(self.rep_region, spare * self.team_help, len(self.scenario.market.regions))
        waiting = order[~served[order]]  # in priority order within each rep
        waiting = waiting[np.argsort(region[waiting], kind="stable")]
        reg, need = region[waiting], demand[waiting]
        cum = np.cumsum(need)
        first = np.searchsorted(reg, np.arange(len(offered)))
        before = np.concatenate([[0.0], cum])[first]
        helped = waiting[(cum - before[reg]) <= offered[reg]]
        served[helped] = True
        used = np.bincount(region[helped], demand[helped], len(offered)).astype(float)
        share = np.divide(used, offered, out=np.zeros_like(used), where=offered > 0)
        return spare * self.team_help * share[self.rep_region]

    def win_multiplier(self, rep: np.ndarray) -> np.ndarray:
        """Rep-side multiplier on the overall win probability: skill, effort and ramp-up."""
        e = self.scenario.behaviour.effort.win_elasticity
        return self.skill[rep] * np.maximum(self.effort[rep], 1e-3) ** e * (0.5 + 0.5 * self.ramp[rep])

    def _progress(self, idx: np.ndarray, t1: float) -> None:
        """Move worked deals through as many stages as they complete before ``t1``."""
        p, S = self.pipe, self.n_stages
        speed_e = self.scenario.behaviour.effort.speed_elasticity
        while len(idx):
            clk, rem = p.clock[idx], p.remaining[idx]
            speed = np.maximum(self.effort[p.rep[idx]], 1e-3) ** speed_e  # days of progress per day
            done = clk + rem / speed <= t1
            rest = idx[~done]
            p.cols["remaining"][rest] = rem[~done] - (t1 - clk[~done]) * speed[~done]
            p.cols["clock"][rest] = t1
            idx, at = idx[done], (clk + rem / speed)[done]
            if not len(idx):
                return
            s = p.stage[idx]
            mult = (self.seg_win[p.segment[idx]] * self.prod_win[p.product[idx]] * self.structure.seller_multiplier(idx)
                    * self.region_win[self.acc_region[p.account[idx]]]) ** (1.0 / S) * self.structure.specialist_boost(idx, s)
            passed = p.u_conv[idx, s] < np.minimum(self.conv[s] * mult, 1.0)
            self._close(idx[~passed], at[~passed], LOST)
            won = passed & (s == S - 1)
            self._close(idx[won], at[won], WON)
            nxt = passed & (s < S - 1)
            idx, at = idx[nxt], at[nxt]
            if self.record_events and len(idx):
                self.events.append((idx.copy(), at.copy(), s[nxt].copy(), s[nxt] + 1))
            p.cols["stage"][idx] += 1
            p.cols["clock"][idx] = at
            p.cols["entered"][idx] = at
            self._enter_stage(idx, p.stage[idx])

    def _close(self, idx: np.ndarray, day: np.ndarray, outcome: int) -> None:
        if not len(idx):
            return
        p = self.pipe
        p.cols["outcome"][idx] = outcome
        p.cols["close"][idx] = day
        if outcome == WON:
            credited = idx[self.structure.credited(idx)]
            rep = p.rep[credited]
            amount = p.amount[credited]
            self.booked[self.month] += np.bincount(rep, amount, self.n_reps)
            self._step_booked += np.bincount(rep, amount, self.n_reps)
        if self.record_events:
            s = p.stage[idx]
            to = np.full(len(idx), self.n_stages if outcome == WON else -1)
            self.events.append((idx.copy(), day.copy(), s, to))

    # ------------------------------------------------------------------ tables

    def event_table(self) -> pd.DataFrame:
        """Stage transitions (``to_stage`` = n_stages for won, -1 for lost); clock days."""
        if not self.events:
            return pd.DataFrame(columns=["deal", "clock_day", "from_stage", "to_stage"])
        cols = [np.concatenate(c) for c in zip(*self.events, strict=True)]
        df = pd.DataFrame(dict(zip(["deal", "clock_day", "from_stage", "to_stage"], cols, strict=True)))
        return df.sort_values(["clock_day", "deal"], kind="stable", ignore_index=True)
