"""The SimPy engine: leads arrive, reps spend their limited hours on them, deals move through stages.

Design, for speed (one replication of a 100-rep org must take well under a second):

* SimPy runs the calendar. A *selling* process steps through work steps (a week, cut at month
  starts); a *month-close* process takes snapshots and runs attrition when the selling process
  signals a month end; every vacancy is a *hiring* process that waits for its search time.
* Deals are not SimPy processes. They live in a struct of numpy arrays (:class:`Pipeline`); each
  work step moves all open deals at once, with every deal's dice drawn once when it is created
  (conversion and duration uniforms per stage), so results do not depend on processing order.
* Capacity: each step a rep has ``weekly_hours x effort x ramp`` (pro-rated) and works the deals
  nearest to closing first, blended with those worth most to them per hour (``priorities``,
  :class:`salessim.engine.deal_choice.DealPriorities`). Deals the rep has no time for wait and
  are lost with ``slip_loss_per_week``. In shared territories the region's reps claim its new
  leads (``claims``, :class:`salessim.engine.claims.LeadClaims`).
* Reps decide each step (:class:`salessim.engine.reps.RepDecisions`, held as ``decisions``):
  effort from the marginal value of sales under their plan, and, near a period end, which deals
  to pull in or push out.
* Parts: the deals (``pipe``, :class:`salessim.engine.pipeline.Pipeline`), what is recorded per
  rep-month (``recorder``, :class:`salessim.engine.recorder.Recorder`), the reps' plan, quotas and
  decisions (``decisions``), the modifiers events change (``conditions``, :class:`Conditions`),
  training and motivation (``people``, :class:`salessim.engine.people.People`) and the events' bookkeeping (``event_state``, :class:`salessim.engine.events.EventState`).
  Scenario events act through the floor's public methods ``remove_rep``, ``hand_over``,
  ``lose_deals``, ``discount_open_deals``, ``set_territory`` and ``remove_account``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy
from scipy import special

from salessim.engine.claims import LeadClaims
from salessim.engine.deal_choice import DealPriorities
from salessim.engine.events import EventState, run_events
from salessim.engine.layout import layout, monthly_quota
from salessim.engine.people import People
from salessim.engine.pipeline import Outcome, Pipeline, RepStatus, Timing
from salessim.engine.recorder import Recorder
from salessim.engine.reps import RepDecisions
from salessim.engine.seeding import seed_pipeline
from salessim.engine.streams import streams
from salessim.engine.structures import floor_structure, team_help
from salessim.model.calendar import Clock
from salessim.model.distributions import Lognormal
from salessim.model.market import daily_lead_rate
from salessim.model.staffing import hire_skill, vacancy_days
from salessim.scenario import Scenario


@dataclass
class Conditions:
    """Modifiers that scenario events and interventions change during a run (1 = as configured)."""

    lead: np.ndarray  # inbound lead rate, per region
    win: np.ndarray  # win probability, per account region
    size: float = 1.0  # amounts of new deals
    duration: float = 1.0  # stage durations entered from now on
    slip: float = 1.0  # loss hazard of deals nobody has time for


def _draw_index(cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``np.searchsorted(cdf, u, side="right")``: on short tables, the count of entries each draw
    reaches; many draws (from about 800 on a table of 1,000 entries or more, 4,096 on any) are
    looked up in sorted order (the same indices, up to several times faster)."""
    if len(cdf) <= 8:
        out = np.zeros(len(u), dtype=np.int64)
        for c in cdf:
            out += u >= c
        return out
    if len(u) < (800 if len(cdf) >= 1000 else 4096):
        return np.searchsorted(cdf, u, side="right")
    order = np.argsort(u)
    out = np.empty(len(u), dtype=np.int64)
    out[order] = np.searchsorted(cdf, u[order], side="right")
    return out


class SalesFloor:
    """One simulation run of a scenario with a seed. Call :meth:`run` once.

    ``incentive`` is the comp plan as the reps see it (:class:`salessim.comp.incentive.Incentive`);
    without one, reps work at their normal pace and never move deals. ``initial_pipeline``: open
    deals to start from on clock day 0 (:mod:`salessim.engine.seeding`).
    """

    def __init__(self, scenario: Scenario, seed: int | np.random.SeedSequence,
                 record_events: bool = False, incentive=None, quota: np.ndarray | None = None,
                 initial_pipeline=None):
        self.scenario = s = scenario
        self.clock = Clock(scenario.calendar)
        self.rng = streams(seed)
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
        durations = [st.duration for st in stages]
        self._lognormal = None  # every stage lognormal: (median days, sigma) per stage, for _enter_stage
        if all(type(d) is Lognormal for d in durations):
            self._lognormal = (np.array([d.median_days for d in durations]), np.array([d.sigma for d in durations]))

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
        self.conditions = Conditions(lead=np.ones(len(s.market.regions)), win=np.ones(len(s.market.regions)))
        self.hiring_frozen = s.staffing.hiring.freeze
        self.acc_region = self.accounts["region"].cat.codes.to_numpy().astype(np.int64)

        n_months = len(self.clock.month_starts) - 1
        self.lead_rate = daily_lead_rate(s.market, self.clock.calendar_month)
        months = len(self.clock.month_starts) - 1
        expected_leads = (s.market.leads_per_year + s.behaviour.effort.prospecting_leads_per_week * 52.18 * R) * months / 12
        self.pipe = Pipeline(S, capacity=int(expected_leads * 1.25) + 1024)  # one allocation, usually
        self.open = np.empty(0, dtype=np.int64)  # indices of the open deals
        self.recorder = Recorder(n_months, R, S, transitions=record_events)
        self.month = 0
        self.structure = floor_structure(self)
        self.team_help = team_help(s)
        self.decisions = RepDecisions(self, incentive, monthly_quota(s, self.clock, lay.annual_quota) if quota is None else quota)
        self.event_state = EventState(self)
        self.people = People(self)
        self.priorities = DealPriorities(self)  # which deals reps work first, which products they prospect
        self.claims = LeadClaims(self)  # shared territories: who claims a region's new leads
        self.slipped = np.zeros(R)  # deals lost while waiting for their rep's time, per owner
        self._cover_pools = None  # (active slots as bytes, what _cover draws from)
        if initial_pipeline is not None:
            seed_pipeline(self, initial_pipeline)

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
        self._alarms: dict[float, list[simpy.Event]] = {}  # step start -> events waiting for it
        self._step_starts = set(self.clock.steps[:-1].tolist())
        env.process(self._selling(env))
        env.process(self._month_close(env))
        if self.scenario.events:
            run_events(self.event_state)
        env.run(until=self.clock.end_day + 1)
        return self

    def _selling(self, env: simpy.Environment):
        steps = self.clock.steps
        month_ends = set(self.clock.month_starts[1:].tolist())
        for t0, t1 in zip(steps[:-1], steps[1:], strict=True):
            alarms = self._alarms.pop(float(t0), ())
            if alarms:  # scenario events of this day act before its work step
                for ev in alarms:
                    ev.succeed()
                yield env.timeout(0)
            self.month = month = int(self.clock.month_index(np.array([t0]))[0])
            t0, t1 = float(t0), float(t1)
            self.ramp = self.people.ramp(t0)
            self.decisions.decide(t0, t1, month)
            self.people.step(t0, t1, month)
            rec = self.recorder
            rec.effort_days[month] += self.effort * self.active * (t1 - t0)
            rec.status[month] = np.where(~self.active, RepStatus.VACANT,
                                         np.where(self.ramp < 1, RepStatus.RAMPING, RepStatus.ACTIVE))
            self.decisions.step_booked = np.zeros(self.n_reps)
            # the step's new leads, inbound then self-sourced, opened in one pass (the same deals,
            # indices and draws of each stream as opening each batch in turn)
            self._open_deals([b for b in (self._arrivals(t0, t1, month), self._prospecting(t0, t1, month)) if b is not None])
            self._work(t0, t1, month)
            self.decisions.learn(t0, t1)
            yield env.timeout(t1 - t0)
            if int(t1) in month_ends:
                done, self.month_end = self.month_end, env.event()
                done.succeed(month)
                yield done  # let the month-close process run before the next step starts

    def _month_close(self, env: simpy.Environment):
        while True:
            month = yield self.month_end
            o = self.open
            o = o.compress(self.pipe.stage.take(o) >= 1)  # qualified pipeline: past the first stage
            rep = self.pipe.rep[o]
            self.recorder.pipeline_value[month] = np.bincount(rep, self.pipe.amount[o], self.n_reps)
            self.recorder.open_deals[month] = np.bincount(rep, minlength=self.n_reps)
            self.decisions.close_periods(month)
            quits = self.decisions.quits(month)
            owners = self.pipe.rep.take(self.open) if quits else None  # read once, kept up to date
            for r in quits:  # in order: a leaver's deals may go to a colleague who leaves next
                owners = self._remove_rep(r, self.scenario.staffing.hiring.pipeline_loss, self.rng["vacancy"], owners)

    # ------------------------------------------------------------------ the engine's API for events

    def on_day(self, day: float) -> simpy.Event:
        """A SimPy event that fires on clock ``day`` (after now): before that day's work step if
        one starts then (after the month close on a month start), else at that moment."""
        if day in self._step_starts:
            ev = self.env.event()
            self._alarms.setdefault(float(day), []).append(ev)
            return ev
        return self.env.timeout(day - self.env.now)

    def remove_rep(self, rep: int, pipeline_loss: float, rng: np.random.Generator) -> None:
        """A rep leaves now: each of their direct open deals dies with probability
        ``pipeline_loss``, the rest go to region colleagues (partners keep theirs); with hiring
        enabled, the search for a successor starts. Dice from ``rng``."""
        self._remove_rep(rep, pipeline_loss, rng, self.pipe.rep.take(self.open))

    def _remove_rep(self, rep: int, pipeline_loss: float, rng: np.random.Generator, owners: np.ndarray) -> np.ndarray:
        """:meth:`remove_rep`, given ``owners``: the owner of each deal of ``self.open`` (changed
        in place); returns them for the ``self.open`` after (the same as reading them again)."""
        now = float(self.env.now)
        self.active[rep] = False
        self.recorder.staff(rep, now, "left")
        at = (owners == rep).nonzero()[0]  # where their deals are in self.open
        if self.structure.partner_deals:
            at = at[self.pipe.channel[self.open[at]] == 0]  # direct deals: partners keep theirs
        mine = self.open[at]
        lost = rng.random(len(mine)) < pipeline_loss
        kept = ~lost
        self._close(mine[lost], np.full(int(lost.sum()), now), Outcome.LOST)
        owners[at[kept]] = self.hand_over(mine[kept], np.full(int(kept.sum()), rep), rng)
        gone = at[lost]
        self.open = np.delete(self.open, gone)
        owners = np.delete(owners, gone)
        if self.scenario.staffing.hiring.enabled:
            self.env.process(self._hire(rep))
        return owners

    def hand_over(self, idx: np.ndarray, owner: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Deals ``idx`` now belong to ``owner``; those of vacant owners go to a covering colleague
        (one uniform from ``rng`` per such deal). Returns the new owners."""
        owner = owner.copy()
        vacant = ~self.active[owner]
        owner[vacant] = self._cover(owner[vacant], rng.random(int(vacant.sum())))
        self.pipe.cols["rep"][idx] = owner
        return owner

    def lose_deals(self, idx: np.ndarray, day: float) -> None:
        """Open deals ``idx`` are lost on clock ``day``."""
        self._close(idx, np.full(len(idx), float(day)), Outcome.LOST)
        self.open = self.open[self.pipe.outcome[self.open] == Outcome.OPEN]

    def discount_open_deals(self, share: float, month: int) -> None:
        """Every open deal's amount drops by ``share``; the cut is recorded as a discount."""
        o = self.open
        cut = self.pipe.amount[o] * share
        self.pipe.cols["amount"][o] -= cut
        np.add.at(self.recorder.discounts[month], self.pipe.rep[o], cut)

    def set_territory(self, territory: np.ndarray) -> None:
        """Accounts now belong to the reps ``territory`` names (one rep index per account)."""
        self.territory = territory
        self._territory_index()

    def remove_account(self, account: int, day: float) -> tuple[int, float]:
        """An account is lost for good on clock ``day``: its open deals are lost and it sends no
        more leads. Returns (open deals lost, its share of the lead flow before)."""
        o = self.open[self.pipe.account[self.open] == account]
        self.lose_deals(o, day)
        weight = self.accounts["lead_weight"].to_numpy().copy()
        share = weight[account] / weight.sum()
        weight[account] = 0.0
        self.accounts = self.accounts.assign(lead_weight=weight)  # a copy: the org layout is shared between runs
        self.acc_cdf = np.cumsum(weight / weight.sum())
        self.acc_cdf[-1] = 1.0
        self._territory_index()
        return len(o), float(share)

    def _hire(self, rep: int):
        env, hiring = self.env, self.scenario.staffing.hiring
        u = self.rng["staffing"].random(2)
        yield env.timeout(vacancy_days(float(u[0]), hiring))
        while self.hiring_frozen:  # a hiring freeze: the search waits until it is lifted
            yield env.timeout(7)
        self.active[rep] = True
        self.hired_day[rep] = day = float(env.now)
        if self.decisions.incentive is not None:
            self.decisions.incentive.start(rep)
        self.people.hired(rep, hire_skill(float(u[1]), self.scenario.org.skill.sd, hiring), day)
        self.recorder.staff(rep, day, "hired")
        # after onboarding, the hire takes over the territory's pipeline from the covering colleagues
        yield env.timeout(self.scenario.behaviour.training.onboarding.days)
        if self.active[rep] and self.hired_day[rep] == day:
            self.people.take_over(rep)

    def _cover(self, rep: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Active reps of the same region who take over deals of (vacant) ``rep``; any active rep if
        the region has none; the rep itself if nobody is active."""
        if len(rep) == 0:
            return rep.copy()
        # each region's active reps in one array (ascending within a region), then a pick per deal;
        # kept while the same slots are active
        key = self.active.tobytes()
        cached = self._cover_pools
        if cached is None or cached[0] != key:
            active = np.flatnonzero(self.active)
            active_region = self.rep_region[active]
            pools = active[np.argsort(active_region, kind="stable")]
            counts = np.bincount(active_region, minlength=int(self.rep_region.max()) + 1)
            cached = self._cover_pools = (key, active, pools, counts, np.cumsum(counts) - counts)
        _, active, pools, counts, first = cached
        if len(active) == 0:
            return rep.copy()
        region = self.rep_region[rep]
        local = counts[region] > 0
        size = np.where(local, counts[region], len(active))
        pick = np.minimum((u * size).astype(np.int64), size - 1)
        return np.where(local, pools[np.where(local, first[region] + pick, 0)], active[np.where(local, 0, pick)])

    # ------------------------------------------------------------------ leads

    def _arrivals(self, t0: float, t1: float, month: int) -> tuple | None:
        """Inbound leads of the step (a batch for :meth:`_open_deals`; None: no leads)."""
        length = t1 - t0
        rng = self.rng["arrivals"]
        top = float(self.conditions.lead.max())
        k = int(rng.poisson(self.lead_rate[month] * length * top))
        if k == 0:
            return None
        created = np.sort(t0 + rng.random(k) * length)
        account = _draw_index(self.acc_cdf, rng.random(k))
        product = _draw_index(self.prod_cdf, rng.random(k))
        keep = rng.random(k) * top < self.conditions.lead[self.acc_region[account]]  # regional demand
        created, account, product = created.compress(keep), account.compress(keep), product.compress(keep)
        rep = self.claims.route(account, self.territory[account], length)  # exclusive: the territory rep
        return created, account, product, rep, self.rng["deals"], 0

    def _prospecting(self, t0: float, t1: float, month: int) -> tuple | None:
        """Self-sourced leads: each working rep finds some in their own territory, more with effort,
        of the market's product mix tilted toward products a SPIF pays on (a batch for
        :meth:`_open_deals`; None: no leads)."""
        per_week = self.scenario.behaviour.effort.prospecting_leads_per_week
        if per_week == 0:
            return None
        rng = self.rng["prospecting"]
        length = t1 - t0
        counts = rng.poisson(per_week * self.effort * self.ramp * self.people.available * self.active * (length / 7))
        k = int(counts.sum())
        if k == 0:
            return None
        rep = np.repeat(np.arange(self.n_reps), counts)
        pos = np.searchsorted(self._terr_key, rep + rng.random(k), side="right")
        account = self._terr_accounts[np.minimum(pos, len(self._terr_accounts) - 1)]
        created = t0 + rng.random(k) * length
        shares = self.priorities.product_shares(t0, month)
        if shares is None:
            product = _draw_index(self.prod_cdf, rng.random(k))
        else:
            cdf = np.cumsum(shares, axis=1)
            cdf[:, -1] = 1.0
            product = (cdf[rep] <= rng.random(k)[:, None]).sum(axis=1)
        order = np.argsort(created, kind="stable")
        return created[order], account[order], product[order], rep[order], rng, 1

    def _open_deals(self, batches: list[tuple]) -> None:
        """Open new deals: ``batches`` of ``(created, account, product, rep, dice_rng, source)``,
        in order, each deal's dice drawn once from its batch's ``dice_rng``. Every step below is
        per deal (or an integer count), so one pass over the batches joined gives what opening
        them one after the other would: the same indices, numbers and draws of each stream (the
        vacancy stream's pairs in deal order)."""
        if not batches:
            return
        S = self.n_stages
        dice = [b[4].random((len(b[0]), 2 * S + 1)) for b in batches]
        if len(batches) == 1:
            (created, account, product, rep, _, source), dice = batches[0], dice[0]
        else:
            created, account, product, rep = (np.concatenate([b[j] for b in batches]) for j in range(4))
            source = np.concatenate([np.full(len(b[0]), b[5], np.int8) for b in batches])
            dice = np.concatenate(dice)
        k = len(created)
        segment = self.acc_segment[account]
        amount = self.conditions.size * self.seg_median[segment] * self.prod_size[product] * np.exp(self.seg_sigma[segment] * special.ndtri(dice[:, 0]))
        channel, amount = self.structure.route(account, amount)  # amount: the company's revenue
        # Leads of a vacant territory: some are never picked up, the rest go to region colleagues.
        vacant = ~self.active[rep] & (channel == 0)  # partners keep working a vacant territory
        uncovered = np.zeros(k, dtype=bool)
        if vacant.any():
            u = self.rng["vacancy"].random((int(vacant.sum()), 2))
            lose = u[:, 0] < self.scenario.staffing.hiring.vacancy_lead_loss
            uncovered[vacant.nonzero()[0].compress(lose)] = True
            rep = rep.copy()
            rep[vacant] = self._cover(rep.compress(vacant), u[:, 1])
        idx = self.pipe.add(
            account=account, rep=rep, segment=segment, product=product,
            created=created, amount=amount, list_amount=amount, stage=0,
            outcome=Outcome.OPEN, close=np.nan, clock=created, entered=created,
            source=source, moved=Timing.AS_DUE, channel=channel,
            specialist=-1, extra_hours=0.0,
            u_conv=dice[:, 1 : S + 1], u_dur=dice[:, S + 1 :],
        )
        self._enter_stage(idx, np.zeros(k, np.int64), only=0, u=dice[:, S + 1], segment=segment, rep=rep)
        self._close(idx.compress(uncovered), created.compress(uncovered), Outcome.LOST)
        self.open = np.concatenate([self.open, idx.compress(~uncovered)])

    def _enter_stage(self, idx: np.ndarray, stage: np.ndarray, only: int | None = None,
                     u: np.ndarray | None = None, segment: np.ndarray | None = None, rep: np.ndarray | None = None) -> None:
        """Deals ``idx`` enter ``stage`` (per deal; ``only``: the one stage they all enter, when
        the caller knows it): their days in it drawn from their dice, and the entries counted.
        ``u``, ``segment``, ``rep``: the deals' duration dice for ``stage``, segments and owners
        when the caller has them (else read from the pipeline)."""
        p = self.pipe
        stages = self.scenario.funnel.stages
        present = [only] if only is not None else np.flatnonzero(np.bincount(stage, minlength=self.n_stages))
        if u is None:
            u = p.dice("u_dur", idx, stage)
        if segment is None:
            segment = p.segment.take(idx)
        if rep is None:
            rep = p.rep.take(idx)
        if len(present) == 1:  # new leads, or deals that all moved on to the same stage
            days = stages[int(present[0])].duration.quantile(u)
        elif self._lognormal is not None:  # Lognormal.quantile with each deal's stage parameters
            median, sigma = self._lognormal
            days = median[stage] * np.exp(sigma[stage] * special.ndtri(u))
        else:
            days = np.empty(len(idx))
            for s in present:
                m = stage == s
                days[m] = stages[s].duration.quantile(u[m])
        p.cols["remaining"][idx] = days * self.seg_dur[segment] * self.conditions.duration * self.structure.duration_multiplier(idx)
        S = self.n_stages  # counts: a bincount adds exactly what np.add.at would
        self.recorder.stage_entries[self.month] += np.bincount(rep * S + stage, minlength=self.n_reps * S).reshape(self.n_reps, S)
        self.structure.join_specialists(idx, stage)

    # ------------------------------------------------------------------ the work

    def _work(self, t0: float, t1: float, month: int) -> None:
        p, o = self.pipe, self.open
        length = t1 - t0
        cap = self.weekly_hours * self.effort * self.ramp * self.people.available * (length / 7)
        self.recorder.hours_capacity[month] += cap
        if self.claims.on:  # hours spent claiming leads of a shared territory are not spent on deals
            cap = np.maximum(cap - self.claims.take_hours(), 0.0)
        if len(o) == 0:
            return
        # (whole-pipeline reads and selections use take / compress: the same numbers as indexing
        # with the arrays or masks, several times faster on the large arrays of a big org)
        rep, stage, clock = p.rep.take(o), p.stage.take(o), p.clock.take(o)
        present = (t1 - clock) / length
        demand = self.hours_per_week[stage]  # x segment x role hours, + coordination, x weeks present
        demand *= self.seg_hours[p.segment.take(o)]
        demand *= self.structure.role_hours[rep]
        if self.structure.coordination_hours:  # (extra hours are zero in every other structure)
            demand += p.extra_hours.take(o)
        demand *= length / 7
        demand *= present
        ready = p.ready.take(o) == 1  # negotiated, waiting for the buyer's signature day
        idle = ready  # deals that need no rep hours
        if self.structure.partner_deals:  # partners work their own deals
            idle = (p.channel.take(o) == 1) | ready
        demand = np.where(idle, 0.0, demand)
        # Each rep works the deals nearest to closing first, oldest first within a stage, blended
        # with the deals worth most to them per hour (docs/behaviour.md, "Which deals reps work").
        short = np.bincount(rep, demand, self.n_reps) > cap
        order = self.priorities.order(o, rep, stage, self._close_order(o, rep, stage), t0, month, short)
        r_sorted, d_sorted = rep[order], demand[order]
        cum = np.cumsum(d_sorted)
        first = np.searchsorted(r_sorted, np.arange(self.n_reps))
        before = np.concatenate([[0.0], cum])[first]
        served = np.empty(len(o), dtype=bool)
        served[order] = (cum - d_sorted - before[r_sorted]) < cap[r_sorted]
        served |= idle
        worked = np.minimum(np.bincount(rep, demand * served, self.n_reps), cap)
        if self.team_help > 0:  # a team award: colleagues of the region give spare hours
            worked += self._help(o, order, served, demand, cap - worked)
        self.recorder.hours_worked[month] += worked

        # Deals nobody had time for wait, and some customers walk away.
        unserved = ~served
        waiting = o.compress(unserved)
        if len(waiting):
            slip = min(self.scenario.funnel.slip_loss_per_week * self.conditions.slip, 1.0)
            hazard = 1.0 - (1.0 - slip) ** (length / 7)
            u = self.rng["work"].random(len(waiting))
            lost = u < hazard
            start = clock.compress(unserved)
            when = start + (t1 - start) * np.where(lost, u / max(hazard, 1e-12), 1.0)
            gone = waiting.compress(lost)
            self._close(gone, when.compress(lost), Outcome.LOST)
            self.slipped += np.bincount(p.rep.take(gone), minlength=self.n_reps)
            p.cols["clock"][waiting.compress(~lost)] = t1
        worked_on = served & ~ready
        self._progress(o.compress(worked_on), t1, rep.compress(worked_on), clock.compress(worked_on))
        self._sign_held(o, ready, t1)
        self.open = o.compress(p.outcome.take(o) == Outcome.OPEN)

    def _sign_held(self, o: np.ndarray, ready: np.ndarray, t1: float) -> None:
        """Deals whose buyers held the signature to a day before ``t1`` sign if negotiated
        (``ready``, per deal of ``o``); for the others the hold lapses (they sign when negotiated,
        at the price bargained, and may be bargained over again if none was)."""
        p = self.pipe
        at = (ready | (p.moved.take(o) == Timing.HELD_TO_PERIOD_END)).nonzero()[0]  # the only deals either test can pick
        o, ready = o.take(at), ready.take(at)
        due = p.hold_until[o] <= t1
        signs = o[ready & due]
        self._close(signs, p.hold_until[signs], Outcome.WON, learned=True)
        lapsed = o[~ready & due & (p.moved[o] == Timing.HELD_TO_PERIOD_END) & (p.outcome[o] == Outcome.OPEN)]
        if len(lapsed):
            p.cols["moved"][lapsed] = np.where(p.amount[lapsed] < p.list_amount[lapsed], Timing.BARGAINED, Timing.AS_DUE)
            p.cols["hold_until"][lapsed] = 0.0

    def _close_order(self, o: np.ndarray, rep: np.ndarray, stage: np.ndarray) -> np.ndarray:
        """Open deals ``o`` (not empty) by rep, latest stage first, earliest stage entry first, then
        index: ``np.lexsort((entered, -stage, rep))``.

        Usually one sort of 63-bit integers (:meth:`_packed_order`). Otherwise (equal or
        too-close days, NaN) two passes: the entry days (stably when they tie), then a stable sort
        on the group number (radix sort when it fits in 16 bits)."""
        entered = self.pipe.entered.take(o)
        key = rep * self.n_stages + (self.n_stages - 1 - stage)
        order = self._packed_order(key, entered)
        if order is not None:
            return order
        by_entry = np.argsort(entered)
        in_order = entered[by_entry]
        if not (in_order[1:] > in_order[:-1]).all():  # equal days (or NaN): keep them in index order
            by_entry = np.argsort(entered, kind="stable")
        if self.n_reps * self.n_stages <= np.iinfo(np.int16).max:
            key = key.astype(np.int16)
        return by_entry[np.argsort(key[by_entry], kind="stable")]

    def _packed_order(self, key: np.ndarray, entered: np.ndarray) -> np.ndarray | None:
        """The order by ``key`` (the (rep, stage) group number), then ``entered`` (clock day), from
        one sort of integers that pack the group, the entry day quantised onto the bits left
        (a rounding that never reverses two days) and the position. If the sorted (group, day)
        parts are all distinct, that order is the only one the days allow; else (or with no bits
        to spare, or days that are not finite) None."""
        lo = entered.min()
        span = entered.max() - lo
        pos_bits = max(int(len(key) - 1).bit_length(), 1)
        day_bits = 62 - pos_bits - int(self.n_reps * self.n_stages - 1).bit_length()
        if day_bits < 20 or not np.isfinite(span):
            return None
        top = (1 << day_bits) - 1
        day = ((entered - lo) * (top / span if span > 0 else 0.0)).astype(np.int64)
        np.minimum(day, top, out=day)
        day <<= pos_bits
        packed = key << (day_bits + pos_bits)
        packed |= day
        packed |= np.arange(len(key))
        packed.sort()
        group_day = packed >> pos_bits
        if not (group_day[1:] > group_day[:-1]).all():
            return None
        return packed & ((1 << pos_bits) - 1)

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

    def win_multiplier(self) -> np.ndarray:
        """Each rep's multiplier on the overall win probability: skill, effort and ramp-up."""
        e = self.scenario.behaviour.effort.win_elasticity
        return self.skill * np.maximum(self.effort, 1e-3) ** e * (0.5 + 0.5 * self.ramp)

    def _progress(self, idx: np.ndarray, t1: float, rep: np.ndarray, clk: np.ndarray) -> None:
        """Move worked deals through as many stages as they complete before ``t1`` (``rep``,
        ``clk``: their owners and clock days)."""
        p, S = self.pipe, self.n_stages
        rep_speed = np.maximum(self.effort, 1e-3) ** self.scenario.behaviour.effort.speed_elasticity  # days of progress per day
        per_rep = self.structure.rep_multiplier()  # the sellers' part of the win multiplier, per rep
        # owners and clocks are carried along (a deal moving on keeps its rep; its clock is set to
        # the day it moved on): the same numbers as reading them again
        while len(idx):
            rem = p.remaining.take(idx)
            speed = rep_speed[rep]
            end = clk + rem / speed
            done = end <= t1
            going = ~done
            rest = idx.compress(going)
            p.cols["remaining"][rest] = (rem - (t1 - clk) * speed).compress(going)
            p.cols["clock"][rest] = t1
            idx, at = idx.compress(done), end.compress(done)
            if not len(idx):
                return
            rep = rep.compress(done)
            s, seg = p.stage.take(idx), p.segment.take(idx)
            region = self.acc_region.take(p.account.take(idx))
            mult = (self.seg_win[seg] * self.prod_win[p.product.take(idx)] * self.structure.seller_multiplier(idx, rep, region, per_rep)
                    * self.conditions.win[region]) ** (1.0 / S) * self.structure.specialist_boost(idx, s)
            passed = p.dice("u_conv", idx, s) < np.minimum(self.conv[s] * mult, 1.0)
            failed = ~passed
            self._close(idx.compress(failed), at.compress(failed), Outcome.LOST)
            won = passed & (s == S - 1)
            if won.any():
                # a buyer holding the signature to a period end signs then (or waits for it, negotiated)
                held = won & (p.moved.take(idx) == Timing.HELD_TO_PERIOD_END)
                at = np.where(held, np.maximum(at, p.hold_until.take(idx)), at)
                waits = won & (at > t1)
                ready = idx.compress(waits)
                p.cols["ready"][ready] = 1
                p.cols["clock"][ready] = t1
                ready = ready[self.structure.credited(ready)]  # the rep's run rate counts it now
                self.decisions.step_booked += np.bincount(p.rep[ready], p.amount[ready], self.n_reps)
                won &= ~waits
                self._close(idx.compress(won), at.compress(won), Outcome.WON)
            nxt = passed & (s < S - 1)
            idx, at, rep, s = idx.compress(nxt), at.compress(nxt), rep.compress(nxt), s.compress(nxt)
            stage = s + 1
            if len(idx) and self.recorder.record_transitions:
                self.recorder.transition(idx, at, s, stage)
            p.cols["stage"][idx] = stage
            p.cols["clock"][idx] = at
            p.cols["entered"][idx] = at
            clk = at
            self._enter_stage(idx, stage, segment=seg.compress(nxt), rep=rep)

    def _close(self, idx: np.ndarray, day: np.ndarray, outcome: Outcome, learned: bool = False) -> None:
        """Deals ``idx`` end with ``outcome`` on clock days ``day`` (``self.open`` is pruned by the
        caller; ``learned``: wins the reps' run rates counted when they were negotiated)."""
        if not len(idx):
            return
        p = self.pipe
        p.cols["outcome"][idx] = outcome
        p.cols["close"][idx] = day
        if outcome == Outcome.WON:
            credited = idx.compress(self.structure.credited(idx))
            booked = np.bincount(p.rep[credited], p.amount[credited], self.n_reps)
            self.recorder.booked[self.month] += booked
            if not learned:
                self.decisions.step_booked += booked
        if self.recorder.record_transitions:
            to = np.full(len(idx), self.n_stages if outcome == Outcome.WON else -1)
            self.recorder.transition(idx, day, p.stage[idx], to)
