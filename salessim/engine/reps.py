"""The reps' side of the engine: what each rep knows and decides at every work step.

:class:`RepDecisions` is a part the :class:`salessim.engine.floor.SalesFloor` holds
(``floor.decisions``): the plan as the reps see it, their quotas, plan periods and run rates. It
gathers each rep's position (credited so far in the plan period, quota, run rate, days left), asks
the pure rules in :mod:`salessim.model.behaviour` and :mod:`salessim.model.staffing` what to do,
and sets the floor's ``effort``, moves deals and names who quits.
"""

from __future__ import annotations

import numpy as np

from salessim.engine.pipeline import Timing
from salessim.model.behaviour import (
    choose_effort,
    expected_marginal_pay,
    ratchet_penalty,
    timing_moves,
)
from salessim.model.staffing import monthly_quit_probability

RUN_RATE_DAYS = 90.0  # memory of a rep's own run rate (days)


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
        # What a rep expects to sell per day at normal effort: starts at the team's expectation.
        self.run_rate = np.full(f.n_reps, 0.85 * f.layout.expected_annual / 365.25 / f.n_reps)
        self.avg_deal = self._expected_deal_size()
        annual = float(quota.sum(axis=0).mean()) * 12 / n_months
        self.unseen_pay = incentive.unseen_target(annual) if incentive is not None else 0.0
        self.step_booked = np.zeros(f.n_reps)  # credited in the current work step (currency)

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
        f = self.floor
        b = f.scenario.behaviour
        if self.incentive is None or not b.enabled:
            f.effort = np.where(f.active, 1.0, 0.0)
            return
        pos = self._position(t0, month)
        booked, quota_p, days_left, rest, deals = pos
        pay = self.incentive.pay
        penalty = None
        if b.ratchet.enabled and f.scenario.quota.strategy == "ratchet":
            on_target = pay(quota_p, quota_p, np.arange(f.n_reps)) / np.maximum(quota_p, 1e-9)
            penalty = ratchet_penalty(on_target, b.ratchet)
        if b.effort.enabled:
            effort = choose_effort(pay, booked, rest, quota_p, days_left, deals, b.market_pay, b.effort, penalty)
        else:
            effort = np.ones(f.n_reps)
        f.effort = np.where(f.active, effort, 0.0)
        period_days = f.clock.month_starts[self.period_last[month] + 1] - f.clock.month_starts[self.period_first[month]]
        if b.timing.enabled and days_left[0] <= min(b.timing.window_days, 0.25 * period_days):
            self._move_deals(t0, month, pos)

    def _position(self, t0: float, month: int):
        """Per rep: credited so far this period, period quota, days left, expected rest and deals."""
        f = self.floor
        first, last = self.period_first[month], self.period_last[month]
        booked = f.recorder.booked[first : month + 1].sum(axis=0)
        quota_p = self.quota[first : last + 1].sum(axis=0)
        end = float(f.clock.month_starts[last + 1])
        days_left = np.full(f.n_reps, end - t0)
        rest = self.run_rate * days_left
        deals = rest / self.avg_deal
        return booked, quota_p, days_left, rest, deals

    def _move_deals(self, t0: float, month: int, pos) -> None:
        """Near a period end: pull deals in (with a discount) or push them out when that pays."""
        f = self.floor
        booked, quota_p, days_left, rest, deals = pos
        p, timing = f.pipe, f.scenario.behaviour.timing
        o = f.open
        S = f.n_stages
        late = S - 1 - np.arange(2)  # the last two stages: a rep can rush proposal and negotiation
        cand = o[np.isin(p.stage[o], late) & (p.moved[o] == Timing.AS_DUE) & f.active[p.rep[o]]]
        if not len(cand):
            return
        end = t0 + days_left[0]
        # expected close: the current stage's remaining days plus the median of the stages after it
        medians = np.array([st.duration.quantile(np.array([0.5]))[0] for st in f.scenario.funnel.stages])
        after = np.concatenate([np.cumsum(medians[::-1])[::-1][1:], [0.0]])
        due = p.clock[cand] + p.remaining[cand] + after[p.stage[cand]] * f.seg_dur[p.segment[cand]]
        this = due < end
        cand_ok = this | (due < end + timing.pull_horizon_days)
        cand, due, this = cand[cand_ok], due[cand_ok], this[cand_ok]
        if not len(cand):
            return
        r, amount = p.rep[cand], p.amount[cand]
        inc = self.incentive
        now_full = expected_marginal_pay(inc.pay, booked[r], rest[r], deals[r], quota_p[r], amount, r)
        now_disc = expected_marginal_pay(inc.pay, booked[r], rest[r], deals[r], quota_p[r], amount * (1 - timing.pull_discount), r)
        nxt = self.period_last[month] + 1
        if nxt < len(self.period_first) and self.period_last[nxt] - nxt == self.period_last[month] - self.period_first[month]:
            q_next = self.quota[nxt : self.period_last[nxt] + 1].sum(axis=0)
            n_days = float(f.clock.month_starts[self.period_last[nxt] + 1] - f.clock.month_starts[nxt])
        else:  # the next period lies beyond the horizon: reps expect one like this one
            first = self.period_first[month]
            q_next = quota_p
            n_days = float(f.clock.month_starts[self.period_last[month] + 1] - f.clock.month_starts[first])
        rest_next = self.run_rate * max(n_days, 1.0)
        new_year = nxt < len(self.year_first) and self.year_first[nxt] == nxt
        ahead = inc.next_period_state(booked + rest, quota_p, new_year)

        def pay_next(c, q, reps):
            return inc.pay(c, q, reps, ahead=ahead)

        later = expected_marginal_pay(pay_next, np.zeros(len(cand)), rest_next[r], rest_next[r] / self.avg_deal, q_next[r], amount, r)
        pull, push = timing_moves(now_full, now_disc, later, amount, this, timing)
        u = f.rng["behaviour"].random((len(cand), 3))
        push &= u[:, 2] < timing.push_accept  # most customers sign when they are ready
        # pulled deals close in the last days of this period, at a discount
        idx = cand[pull]
        new_due = t0 + (end - t0) * (0.3 + 0.7 * u[pull, 0])
        rushed = p.stage[idx] < S - 1  # a rushed proposal leaves half the time for negotiation
        p.cols["remaining"][idx] = np.maximum(np.where(rushed, 0.5, 1.0) * (new_due - p.clock[idx]), 0.01)
        p.cols["u_dur"][idx[rushed], S - 1] = 1e-6  # ...which then takes its shortest time
        cut = p.amount[idx] * timing.pull_discount
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
        """Update each rep's run rate (bookings per day at normal effort), an exponential average."""
        f = self.floor
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
        k = month - first + 1
        booked = f.recorder.booked[first : month + 1].sum(axis=0)
        quota = self.quota[first : month + 1].sum(axis=0)
        attainment = booked / np.maximum(quota, 1e-9)
        f.people.month_end(month, attainment)
        if not st.attrition.enabled:
            return []
        pay_ratio = self.pay_ratio(first, month, k)
        ranked = np.where(f.active, attainment, -np.inf)
        top = ranked >= np.quantile(ranked[f.active], 0.9) if f.active.any() else np.zeros(f.n_reps, bool)
        # new hires judge their pay and attainment only once ramped
        settled = f.ramp >= 1
        p = monthly_quit_probability(np.where(settled, pay_ratio, 1.0), np.where(settled, attainment, 1.0), top & settled,
                                     st.attrition, f.people.quit_factor(month))
        return np.flatnonzero(f.active & (u < p)).tolist()

    def pay_ratio(self, first: int, month: int, k: int) -> np.ndarray:
        """Year-to-date pay over market pay for the same months (1 = at market): base, variable
        pay of closed plan periods, and what the open period would pay on its pro-rated quota."""
        f = self.floor
        market = f.scenario.behaviour.market_pay
        inc = self.incentive
        if inc is None:
            return np.ones(f.n_reps)
        variable = self.variable_paid[max(first, 0) : month + 1].sum(axis=0)  # closed periods
        p_first, p_last = self.period_first[month], self.period_last[month]
        if month < p_last:  # an open period: its pay so far against the quota so far
            booked = f.recorder.booked[p_first : month + 1].sum(axis=0)
            quota = self.quota[p_first : month + 1].sum(axis=0)
            variable += inc.pay(booked, quota)
        return (inc.base_salary * k / 12 + variable + self.unseen_pay * k / 12) / (market.ote * k / 12)

    def close_periods(self, month: int) -> None:
        """At a month end: pay the plan period that ends with it and roll the fiscal year."""
        f = self.floor
        inc = self.incentive
        if inc is None or month != self.period_last[month]:
            return
        first = self.period_first[month]
        self.variable_paid[month] = inc.close_period(f.recorder.booked[first : month + 1].sum(axis=0),
                                                     self.quota[first : month + 1].sum(axis=0))
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
