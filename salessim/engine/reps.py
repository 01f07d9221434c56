"""The reps' side of the engine: what each rep knows and decides at every work step.

:class:`RepDecisions` is a part the :class:`salessim.engine.floor.SalesFloor` holds
(``floor.decisions``): the plan as the reps see it, their quotas, plan periods and run rates. It
gathers each rep's position (credited so far in the plan period, quota, run rate, days left), asks
the pure rules in :mod:`salessim.model.behaviour` and :mod:`salessim.model.staffing` what to do,
and sets the floor's ``effort``, moves deals and names who quits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salessim.engine.buyers import Buyers
from salessim.engine.foresight import Foresight, foresight
from salessim.engine.pipeline import Timing
from salessim.model.pricing import choose_discount
from salessim.model.staffing import monthly_quit_probability

RUN_RATE_DAYS = 90.0  # memory of a rep's own run rate (days)


@dataclass(frozen=True)
class Position:
    """Where each rep stands in the plan year at a work step (credit in annual quotas)."""

    foresight: Foresight
    step: int  #: step of the template plan year
    rho: np.ndarray  #: pace: expected annual credit at normal effort
    p: np.ndarray  #: credit so far in the pacing period
    y0: np.ndarray  #: credit of the fiscal year before the pacing period
    annual_quota: np.ndarray  #: currency
    days_left: float  #: to the end of the pacing period (the fiscal year when there is none)
    period_days: float  #: length of that period
    fiscal_month: int  #: 0-11


#: Quantile levels at which a deal's remaining stage durations are read (its close-date spread).
CLOSE_LEVELS = (np.arange(20) + 0.5) / 20


def _later_stage_days(stages) -> np.ndarray:
    """``(stages, levels)``: days the stages after each stage take, at :data:`CLOSE_LEVELS`
    (the stages' quantiles added level by level; segment multipliers not applied)."""
    q = np.array([st.duration.quantile(CLOSE_LEVELS) for st in stages])
    return np.concatenate([np.cumsum(q[::-1], axis=0)[::-1][1:], np.zeros((1, len(CLOSE_LEVELS)))])


class RepDecisions:
    """Effort, deal timing and quitting of the reps of ``floor`` (read: the floor's market, deals
    and rep state; written: ``floor.effort``, moved deals). ``quota``: (n_months, n_reps), currency."""

    def __init__(self, floor, incentive, quota: np.ndarray):
        self.floor = f = floor
        s = f.scenario
        self.incentive = incentive
        n_months = len(f.clock.month_starts) - 1
        self.quota = quota
        self.variable_paid = np.zeros((n_months, f.n_reps))  # the engine's running pay estimate
        # Plan periods (fiscal): month -> first and last month of its period.
        months = self.incentive.period_months if incentive is not None else 12
        pos = (f.clock.calendar_month - s.calendar.fiscal_year_start_month) % 12
        start = np.arange(n_months) - pos % months
        self.period_first = start
        self.period_last = np.minimum(start + months - 1, n_months - 1)
        self.year_first = np.arange(n_months) - pos
        # What a rep expects to sell per day at normal effort (learned from the first measured day
        # on): incumbents start expecting their quota, the company's expectation of their seat
        self.run_rate = self.annual_quota(min(s.calendar.warmup_months, n_months - 1)) / 365.25
        self.avg_deal = self._expected_deal_size()
        sigma = np.mean([seg.deal_size.sigma for seg in s.market.segments])
        self.size_cv = float(np.sqrt(np.expm1(sigma**2)))  # of deal amounts
        annual = float(quota.sum(axis=0).mean()) * 12 / n_months
        self.mean_annual_quota = annual  # currency per rep and year: the value table's unit
        self.unseen_pay = incentive.unseen_target(annual) if incentive is not None else 0.0
        self._foresight: tuple | None = None  # (plan, Foresight) of the plan in force
        self.step_booked = np.zeros(f.n_reps)  # credited in the current work step (currency)
        self._later_stage_days = _later_stage_days(s.funnel.stages)
        # quantiles rise with the level, so each deal's close days do too (segment multipliers are
        # positive): their median is the mean of the two middle levels (checked once here)
        self._levels_sorted = bool((np.diff(self._later_stage_days, axis=1) >= 0).all() and (f.seg_dur >= 0).all())
        self.buyers = Buyers(f)  # strategic buyers: bargain on the period end

    def _expected_deal_size(self) -> float:
        """Mean amount of a lead (currency), over accounts' lead flow and the product mix."""
        f = self.floor
        seg = f.acc_segment
        size = f.seg_median[seg] * np.exp(f.seg_sigma[seg] ** 2 / 2)
        w = f.accounts["lead_weight"].to_numpy()
        product_share = np.diff(np.concatenate([[0.0], f.prod_cdf]))
        return float((w * size).sum() / w.sum() * np.dot(f.prod_size, product_share))

    # ------------------------------------------------------------------ each step

    def decide(self, t0: float, t1: float, month: int) -> None:
        """Effort for the step from the value of the rest of the plan year; near the end of a
        pacing period or the fiscal year, which deals to pull in (at a discount) or push out."""
        f = self.floor
        b = f.scenario.behaviour
        if self.incentive is None or not b.enabled:
            f.effort = np.where(f.active, 1.0, 0.0)
            return
        pos = self.position(t0, month)
        if b.effort.enabled:
            effort = pos.foresight.effort(pos.step, pos.rho, pos.p, pos.y0, t1 - t0)
        else:
            effort = np.ones(f.n_reps)
        f.effort = np.where(f.active, effort, 0.0)
        if b.timing.enabled:
            self.buyers.bargain(t0, t1, month, pos, self)
        if b.timing.enabled and pos.days_left <= min(b.timing.window_days, 0.25 * pos.period_days):
            self._move_deals(t0, month, pos)

    def plan_foresight(self) -> Foresight:
        """The value table of the plan in force (rebuilt when an event changes the plan)."""
        plan = self.incentive.plan
        if self._foresight is None or self._foresight[0] is not plan:
            f = self.floor
            s = f.scenario
            n_regions = len(s.market.regions)
            fs = foresight(s, plan, annual_quota=self.mean_annual_quota, avg_deal=self.avg_deal,
                           size_cv=self.size_cv, team_size=max(f.n_reps // n_regions, 1),
                           team_pace=float(self.run_rate.mean() * 365.25 / self.mean_annual_quota))
            self._foresight = (plan, fs)
        return self._foresight[1]

    def annual_quota(self, month: int) -> np.ndarray:
        """Each rep's quota for the fiscal year of ``month`` (currency; months outside the run at
        the average of those inside)."""
        first = self.year_first[month]
        lo, hi = max(first, 0), min(first + 12, len(self.quota))
        return self.quota[lo:hi].sum(axis=0) * 12 / max(hi - lo, 1)

    def position(self, t0: float, month: int) -> Position:
        """Each rep's place in the plan year at clock day ``t0`` (credit in annual quotas)."""
        f = self.floor
        fs = self.plan_foresight()
        cal = f.scenario.calendar
        fiscal_month = int((f.clock.calendar_month[month] - cal.fiscal_year_start_month) % 12)
        step = fs.step(fiscal_month, t0 - float(f.clock.month_starts[month]))
        qa = np.maximum(self.annual_quota(month), 1e-9)
        rho = self.run_rate * 365.25 / qa
        year_first = self.year_first[month]
        pacing = fs.pacing_months
        first = month - fiscal_month % pacing if pacing < 12 else year_first
        y_start = float(f.clock.month_starts[max(year_first, 0)])
        # months of this fiscal year before the run started count at the rep's pace
        before = self.run_rate * max(y_start - self._fiscal_start_day(month), 0.0)
        # credit of the year before the pacing period, and in it (adjacent month ranges: one pass)
        earlier, current = self._credit(max(year_first, 0), max(first, 0), month + 1, self.hire_month())
        current = current + self.committed()
        p = current / qa if pacing < 12 else np.zeros(f.n_reps)
        y0 = (earlier + before) / qa
        if pacing == 12:
            y0 = y0 + current / qa
        last = min(first + pacing, len(f.clock.month_starts) - 1) if pacing < 12 else min(year_first + 12, len(f.clock.month_starts) - 1)
        end = self._month_start_day(last)
        start = self._month_start_day(first)
        return Position(fs, step, rho, p, y0, qa, end - t0, end - start, fiscal_month)

    def committed(self, since: float | None = None) -> np.ndarray:
        """Each rep's negotiated deals whose buyers hold the signature to the period end (currency,
        the credited amounts): credit the rep counts on at the period end. ``since``: only those
        negotiated on or after that clock day."""
        f, p = self.floor, self.floor.pipe
        ready = f.open.compress(p.ready.take(f.open) == 1)
        if since is not None:
            ready = ready[p.clock[ready] >= since]  # a ready deal's clock stays at its negotiation step
        if not len(ready):
            return np.zeros(f.n_reps)
        ready = ready[f.structure.credited(ready)]
        return np.bincount(p.rep[ready], p.amount[ready], f.n_reps)

    def _credit(self, lo: int, mid: int, hi: int, hire_month: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What months ``lo`` .. ``mid - 1`` and ``mid`` .. ``hi - 1`` credit each slot's current rep
        (currency, one array per range, the months masked once): their own bookings from their hire
        month on, and the quota of the months before it. A hire's plan year is pro-rated to the
        months employed (the statements' ``employed_share``), so the months before the hire count
        as on pace and a predecessor's bookings are not theirs."""
        own = np.arange(lo, hi)[:, None] >= hire_month[None, :]
        booked = self.floor.recorder.booked[lo:hi] * own
        quota = self.quota[lo:hi]
        quota_own = quota * own
        k = mid - lo
        return tuple(booked[a:b].sum(axis=0) + quota[a:b].sum(axis=0) - quota_own[a:b].sum(axis=0)
                     for a, b in ((0, k), (k, hi - lo)))

    def _own(self, lo: int, hi: int, hire_month: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each slot's current rep's bookings and quota over months ``lo`` .. ``hi - 1`` from
        their hire month on (currency)."""
        own = np.arange(lo, hi)[:, None] >= hire_month[None, :]
        return (self.floor.recorder.booked[lo:hi] * own).sum(axis=0), (self.quota[lo:hi] * own).sum(axis=0)

    def hire_month(self) -> np.ndarray:
        """Month index in which each slot's current rep was hired (-1: before the run)."""
        f = self.floor
        return np.searchsorted(f.clock.month_starts, f.hired_day, side="right") - 1

    def _month_start_day(self, m: int) -> float:
        """Clock day of month ``m``'s start (months before the run extrapolated at 30.44 days)."""
        starts = self.floor.clock.month_starts
        if m < 0:
            return float(starts[0]) + 30.44 * m
        if m >= len(starts):
            return float(starts[-1]) + 30.44 * (m - len(starts) + 1)
        return float(starts[m])

    def _fiscal_start_day(self, month: int) -> float:
        return self._month_start_day(self.year_first[month])

    def movable(self, idx: np.ndarray) -> np.ndarray:
        """The deals of ``idx`` whose timing and price are still on the table: in the last two stages
        (proposal, negotiation), not moved or bargained yet, with an active rep."""
        f, p = self.floor, self.floor.pipe
        idx = idx.compress(p.stage.take(idx) >= f.n_stages - 2)  # the late deals first: the other tests read fewer
        return idx.compress((p.moved.take(idx) == Timing.AS_DUE) & f.active[p.rep.take(idx)])

    def close_quantiles(self, idx: np.ndarray) -> np.ndarray:
        """``(deals, levels)``: clock day each deal ``idx`` would close if left alone, at the
        stage-duration quantiles :data:`CLOSE_LEVELS` of the stages after its own."""
        f, p = self.floor, self.floor.pipe
        return ((p.clock[idx] + p.remaining[idx])[:, None]
                + self._later_stage_days[p.stage[idx]] * f.seg_dur[p.segment[idx], None])

    def close_median(self, idx: np.ndarray) -> np.ndarray:
        """Each deal's median close day (clock day): ``np.median(close_quantiles(idx), axis=1)``,
        read from the two middle levels alone when the levels are in order (the same numbers)."""
        if not self._levels_sorted:
            return np.median(self.close_quantiles(idx), axis=1)
        f, p = self.floor, self.floor.pipe
        mid = len(CLOSE_LEVELS) // 2
        middle = ((p.clock[idx] + p.remaining[idx])[:, None]
                  + self._later_stage_days[p.stage[idx], mid - 1 : mid + 1] * f.seg_dur[p.segment[idx], None])
        return (middle[:, 0] + middle[:, 1]) / 2

    def deal_values(self, pos: Position, idx: np.ndarray, more=None) -> tuple[np.ndarray, ...]:
        """What crediting each deal ``idx`` at its amount adds to its rep's plan-year value
        (currency) now, and at the start of the next pacing period (at the expected state then; a
        fresh year across a year end).

        ``more``: further states to value in the same pass, ``(steps, p, y0)`` with ``steps`` of
        shape ``(k, 1)`` and ``p``, ``y0`` of shape ``(k, deals)`` (annual quotas); their values
        ``(k, deals)`` are returned third (the same numbers as a separate pass: all elementwise)."""
        p = self.floor.pipe
        r = p.rep[idx]
        fs = pos.foresight
        credit = p.amount[idx] / pos.annual_quota[r]
        pacing = fs.pacing_months
        zero = np.zeros(len(r))
        if pacing < 12 and pos.fiscal_month - pos.fiscal_month % pacing + pacing < 12:  # next period, same year
            nxt = fs.step(pos.fiscal_month - pos.fiscal_month % pacing + pacing, 0.0)
            y_then = pos.y0[r] + pos.p[r] + pos.rho[r] * pos.days_left / 365.25
        else:  # the next period opens a new plan year
            nxt, y_then = 0, zero
        # all states read from the value table at once: (now, later, *more) stacked on a leading axis
        steps, ps, ys = np.array([[pos.step], [nxt]]), [pos.p[r], zero], [pos.y0[r], y_then]
        if more is not None:
            steps = np.concatenate([steps, more[0]])
            ps, ys = [*ps, *more[1]], [*ys, *more[2]]
        values = fs.deal_value(steps, pos.rho[r], np.stack(ps), np.stack(ys), credit)
        return (values[0], values[1]) if more is None else (values[0], values[1], values[2:])

    def _move_deals(self, t0: float, month: int, pos: Position) -> None:
        """Near a period end: secure deals for this period with a closing discount (the rep
        chooses its depth), or push them out, comparing what each deal adds to the rep's plan-year
        value now with what it adds as it stands (closing in this period with the chance it is in
        time, else in the next)."""
        f = self.floor
        p, timing, policy = f.pipe, f.scenario.behaviour.timing, f.scenario.pricing
        o = f.open
        S = f.n_stages
        cand = self.movable(o)
        if not len(cand):
            return
        end = t0 + pos.days_left
        close = self.close_quantiles(cand)
        in_time = (close < end).mean(axis=1)  # chance it closes in this period anyway
        slip = np.maximum(close - end, 0.0).mean(axis=1) / np.maximum(1.0 - in_time, 1e-9)  # days late if it slips
        due = np.median(close, axis=1)
        this = in_time >= 0.5
        cand_ok = this | (due < end + timing.pull_horizon_days)
        cand, in_time, slip, this = cand[cand_ok], in_time[cand_ok], slip[cand_ok], this[cand_ok]
        if not len(cand):
            return
        amount = p.amount[cand]
        now, later = self.deal_values(pos, cand)
        # the customer's and the manager's displeasure is the deal's, not the rep's: a share of what the
        # deal pays at the market's variable rate (a rep with nothing at stake does not move deals for free)
        hassle = timing.hassle * f.scenario.behaviour.market_pay.variable * amount / pos.annual_quota[p.rep[cand]]
        as_is = in_time * now + (1 - in_time) * later
        depth, accept = choose_discount(now, now / np.maximum(amount, 1e-9), as_is, amount, hassle, policy, delay=slip)
        u = f.rng["behaviour"].random((len(cand), 3))
        pull = (u[:, 2] < accept) & (in_time < 1)
        push = this & ~pull & ((1 - timing.push_loss) * later - as_is > np.maximum(hassle, 1e-9)) & (u[:, 2] < timing.push_accept)
        # pulled deals close in the last days of this period, at the discount the rep offered
        idx = cand[pull]
        new_due = t0 + (end - t0) * (0.3 + 0.7 * u[pull, 0])
        rushed = p.stage[idx] < S - 1  # a rushed proposal leaves half the time for negotiation
        p.cols["remaining"][idx] = np.maximum(np.where(rushed, 0.5, 1.0) * (new_due - p.clock[idx]), 0.01)
        p.cols["u_dur"][idx[rushed], S - 1] = 1e-6  # ...which then takes its shortest time
        cut = p.amount[idx] * depth[pull]
        p.cols["amount"][idx] -= cut
        p.cols["moved"][idx] = Timing.PULLED_IN
        np.add.at(f.recorder.discounts[month], p.rep[idx], cut)
        np.add.at(f.recorder.pulled_in[month], p.rep[idx], 1)
        # pushed deals slip into the first days of the next period; some customers walk away
        idx = cand[push]
        walk = u[push, 1] < timing.push_loss
        p.cols["moved"][idx] = Timing.PUSHED_OUT
        np.add.at(f.recorder.pushed_out[month], p.rep[idx], 1)
        f.lose_deals(idx[walk], t0)
        keep = idx[~walk]
        later_due = end + 1 + 9 * u[push, 0][~walk]
        p.cols["remaining"][keep] = later_due - p.clock[keep]

    def learn(self, t0: float, t1: float) -> None:
        """Update each rep's run rate (bookings per day at normal effort), an exponential average.
        Not in the warm-up: a pipeline still filling from empty teaches nothing about the rate."""
        f = self.floor
        if t0 < f.clock.warmup_days:
            return
        length = t1 - t0
        keep = np.exp(-length / RUN_RATE_DAYS)
        worked = f.active & (f.ramp > 0)
        rate = self.step_booked / length / np.maximum(f.effort, 0.3)
        self.run_rate = np.where(worked, keep * self.run_rate + (1 - keep) * rate, self.run_rate)

    # ------------------------------------------------------------------ month end

    def quits(self, month: int) -> list[int]:
        """Reps who quit at the end of ``month`` (draws one uniform per rep, for common random
        numbers). First the month's non-monetary events (``floor.people.month_end``: champion
        award, promotions, morale), whose terms then multiply the quit hazard."""
        f = self.floor
        st = f.scenario.staffing
        u = f.rng["staffing"].random(f.n_reps)
        first = max(self.year_first[month], 0)
        hire_month = self.hire_month()
        booked, quota = self._own(first, month + 1, hire_month)  # a hire: since the hire
        # negotiated deals whose buyers hold the signature to the period end count as the rep's
        # (as in ``position``): the rep, the manager and the forecast know they are signed then
        held = self.committed(since=self._month_start_day(first))
        if held.any():
            booked = booked + held
        attainment = booked / np.maximum(quota, 1e-9)
        f.people.month_end(month, attainment)
        if not st.attrition.enabled:
            return []
        # new hires judge their pay and attainment only once ramped, and nobody in the warm-up: its
        # pipeline fills from empty (a rep with nothing booked yet is not behind; morale waits too)
        settled = f.ramp >= 1
        if month < f.scenario.calendar.warmup_months:
            settled = np.zeros(f.n_reps, bool)
            pay_ratio = np.ones(f.n_reps)
        else:
            pay_ratio = self.pay_ratio(first, month, hire_month, held)
        ranked = np.where(f.active, attainment, -np.inf)
        top = ranked >= np.quantile(ranked[f.active], 0.9) if f.active.any() else np.zeros(f.n_reps, bool)
        p = monthly_quit_probability(np.where(settled, pay_ratio, 1.0), np.where(settled, attainment, 1.0), top & settled,
                                     st.attrition, f.people.quit_factor(month))
        return np.flatnonzero(f.active & (u < p)).tolist()

    def pay_ratio(self, first: int, month: int, hire_month: np.ndarray, held: np.ndarray | None = None) -> np.ndarray:
        """Each slot's current rep's pay over market pay for the same months (1 = at market), over
        the fiscal year's months ``first`` .. ``month`` they were employed (a hire: from the hire
        month on): base, the variable pay of the plan periods closed since, what the open period
        would pay on their own credit against its pro-rated quota, and what ``held`` (credit
        negotiated and held to a period end, currency per rep) will add when it signs."""
        f = self.floor
        market = f.scenario.behaviour.market_pay
        inc = self.incentive
        if inc is None:
            return np.ones(f.n_reps)
        own = np.arange(first, month + 1)[:, None] >= hire_month[None, :]
        variable = (self.variable_paid[first : month + 1] * own).sum(axis=0)  # closed periods
        p_first, p_last = max(self.period_first[month], 0), self.period_last[month]
        held = held if held is not None and held.any() else None
        if month < p_last:  # an open period: its pay so far against the quota so far
            credit, quota = self._own(p_first, month + 1, hire_month)
            now = inc.pay(credit, quota)
            variable += now
            if held is not None:  # they sign in it
                variable += inc.pay(credit + held, quota) - now
        elif held is not None and month + 1 < len(self.period_last):
            # the period just closed: they sign in the next one (the plan state is already rolled
            # to it; under a YTD true-up its pay is the year-to-date marginal), at the rep's pace
            booked, quota = self._own(first, month + 1, hire_month)
            _, q_next = self._own(month + 1, self.period_last[month + 1] + 1, hire_month)
            pace = q_next * booked / np.maximum(quota, 1e-9)
            variable += inc.pay(pace + held, q_next) - inc.pay(pace, q_next)
        years = own.sum(axis=0) / 12
        return (inc.base_salary + self.unseen_pay + variable / years) / market.ote

    def close_periods(self, month: int) -> None:
        """At a month end: pay the plan period that ends with it and roll the fiscal year."""
        inc = self.incentive
        if inc is None or month != self.period_last[month]:
            return
        first = max(self.period_first[month], 0)  # a period begun before the run: from its start
        # each slot's current rep on their own credit and pro-rated quota (the statements' rule)
        self.variable_paid[month] = inc.close_period(*self._own(first, month + 1, self.hire_month()))
        if month + 1 < len(self.year_first) and self.year_first[month + 1] == month + 1:
            inc.new_year()
            self.ratchet_quotas(month)

    def ratchet_quotas(self, month: int) -> None:
        """Under ``quota.strategy: ratchet``, a new fiscal year's quotas follow the year just
        ended: up by ``ratchet_up`` x the beat, down by ``ratchet_down`` x the miss (Leone,
        Misra & Zimmerman 2004). Needs a full year of results inside the run."""
        f = self.floor
        q = f.scenario.quota
        first = self.year_first[month]
        if q.strategy != "ratchet" or first < 0:
            return
        from salessim.model.quota import ratchet

        last_quota = self.quota[first : month + 1].sum(axis=0)
        last_result = f.recorder.booked[first : month + 1].sum(axis=0)
        new = ratchet(last_quota, last_result, q.ratchet_up, q.ratchet_down, q.growth)
        nxt = slice(month + 1, min(month + 13, len(self.quota)))
        shape = self.quota[first : month + 1] / np.maximum(last_quota, 1e-9)  # same seasonal split
        self.quota[nxt] = (shape * new)[: nxt.stop - nxt.start]
