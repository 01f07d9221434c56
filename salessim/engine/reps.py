"""The reps' side of the engine: what each rep knows and decides at every work step.

A mixin of :class:`salessim.engine.floor.SalesFloor`. It gathers the rep's position (credited so far
in the plan period, quota, run rate, days left) and asks the pure rules in
:mod:`salessim.model.behaviour` and :mod:`salessim.model.staffing` what to do.
"""

from __future__ import annotations

import numpy as np

from salessim.engine.pipeline import Outcome, Timing
from salessim.model.behaviour import (
    choose_effort,
    expected_marginal_pay,
    ratchet_penalty,
    timing_moves,
)
from salessim.model.staffing import monthly_quit_probability

RUN_RATE_DAYS = 90.0  # memory of a rep's own run rate (days)


class RepDecisions:
    """Effort, deal timing and quitting. Expects the attributes set by ``SalesFloor.__init__``."""

    def _init_decisions(self, incentive, quota: np.ndarray) -> None:
        s = self.scenario
        self.incentive = incentive
        n_months = len(self.clock.month_starts) - 1
        self.quota = quota  # (n_months, n_reps), currency
        self.variable_paid = np.zeros((n_months, self.n_reps))  # the engine's running pay estimate
        # Plan periods (fiscal): month -> first and last month of its period.
        months = self.incentive.period_months if incentive is not None else 12
        pos = (self.clock.calendar_month - s.calendar.fiscal_year_start_month) % 12
        start = np.arange(n_months) - pos % months
        self.period_first = start
        self.period_last = np.minimum(start + months - 1, n_months - 1)
        self.year_first = np.arange(n_months) - pos
        # What a rep expects to sell per day at normal effort: starts at the team's expectation.
        self.run_rate = np.full(self.n_reps, 0.85 * self.layout.expected_annual / 365.25 / self.n_reps)
        self.avg_deal = self._expected_deal_size()
        annual = float(quota.sum(axis=0).mean()) * 12 / n_months
        self.unseen_pay = incentive.unseen_target(annual) if incentive is not None else 0.0

    def _expected_deal_size(self) -> float:
        """Mean amount of a lead (currency), over accounts' lead flow and the product mix."""
        seg = self.acc_segment
        size = self.seg_median[seg] * np.exp(self.seg_sigma[seg] ** 2 / 2)
        w = self.accounts["lead_weight"].to_numpy()
        product_share = np.diff(np.concatenate([[0.0], self.prod_cdf]))
        return float((w * size).sum() / w.sum() * np.dot(self.prod_size, product_share))

    # ------------------------------------------------------------------ each step

    def decide(self, t0: float, t1: float, month: int) -> None:
        b = self.scenario.behaviour
        if self.incentive is None or not b.enabled:
            self.effort = np.where(self.active, 1.0, 0.0)
            return
        pos = self._position(t0, month)
        booked, quota_p, days_left, rest, deals = pos
        pay = self.incentive.pay
        penalty = None
        if b.ratchet.enabled and self.scenario.quota.strategy == "ratchet":
            on_target = pay(quota_p, quota_p, np.arange(self.n_reps)) / np.maximum(quota_p, 1e-9)
            penalty = ratchet_penalty(on_target, b.ratchet)
        if b.effort.enabled:
            effort = choose_effort(pay, booked, rest, quota_p, days_left, deals, b.market_pay, b.effort, penalty)
        else:
            effort = np.ones(self.n_reps)
        self.effort = np.where(self.active, effort, 0.0)
        period_days = self.clock.month_starts[self.period_last[month] + 1] - self.clock.month_starts[self.period_first[month]]
        if b.timing.enabled and days_left[0] <= min(b.timing.window_days, 0.25 * period_days):
            self._move_deals(t0, month, pos)

    def _position(self, t0: float, month: int):
        """Per rep: credited so far this period, period quota, days left, expected rest and deals."""
        first, last = self.period_first[month], self.period_last[month]
        booked = self.recorder.booked[first : month + 1].sum(axis=0)
        quota_p = self.quota[first : last + 1].sum(axis=0)
        end = float(self.clock.month_starts[last + 1])
        days_left = np.full(self.n_reps, end - t0)
        rest = self.run_rate * days_left
        deals = rest / self.avg_deal
        return booked, quota_p, days_left, rest, deals

    def _move_deals(self, t0: float, month: int, pos) -> None:
        """Near a period end: pull deals in (with a discount) or push them out when that pays."""
        booked, quota_p, days_left, rest, deals = pos
        p, timing = self.pipe, self.scenario.behaviour.timing
        o = self.open
        S = self.n_stages
        late = S - 1 - np.arange(2)  # the last two stages: a rep can rush proposal and negotiation
        cand = o[np.isin(p.stage[o], late) & (p.moved[o] == Timing.AS_DUE) & self.active[p.rep[o]]]
        if not len(cand):
            return
        end = t0 + days_left[0]
        # expected close: the current stage's remaining days plus the median of the stages after it
        medians = np.array([st.duration.quantile(np.array([0.5]))[0] for st in self.scenario.funnel.stages])
        after = np.concatenate([np.cumsum(medians[::-1])[::-1][1:], [0.0]])
        due = p.clock[cand] + p.remaining[cand] + after[p.stage[cand]] * self.seg_dur[p.segment[cand]]
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
            n_days = float(self.clock.month_starts[self.period_last[nxt] + 1] - self.clock.month_starts[nxt])
        else:  # the next period lies beyond the horizon: reps expect one like this one
            first = self.period_first[month]
            q_next = quota_p
            n_days = float(self.clock.month_starts[self.period_last[month] + 1] - self.clock.month_starts[first])
        rest_next = self.run_rate * max(n_days, 1.0)
        new_year = nxt < len(self.year_first) and self.year_first[nxt] == nxt
        ahead = inc.next_period_state(booked + rest, quota_p, new_year)

        def pay_next(c, q, reps):
            return inc.pay(c, q, reps, ahead=ahead)

        later = expected_marginal_pay(pay_next, np.zeros(len(cand)), rest_next[r], rest_next[r] / self.avg_deal, q_next[r], amount, r)
        pull, push = timing_moves(now_full, now_disc, later, amount, this, timing)
        u = self.rng["behaviour"].random((len(cand), 3))
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
        np.add.at(self.recorder.discounts[month], p.rep[idx], cut)
        np.add.at(self.recorder.pulled_in[month], p.rep[idx], 1)
        # pushed deals slip into the first days of the next period; some customers walk away
        idx = cand[push]
        walk = u[push, 1] < timing.push_loss
        p.cols["moved"][idx] = Timing.PUSHED_OUT
        np.add.at(self.recorder.pushed_out[month], p.rep[idx], 1)
        self._close(idx[walk], np.full(int(walk.sum()), t0), Outcome.LOST)
        keep = idx[~walk]
        later_due = end + 1 + 9 * u[push, 0][~walk]
        p.cols["remaining"][keep] = later_due - p.clock[keep]
        self.open = self.open[p.outcome[self.open] == Outcome.OPEN]

    def learn(self, t0: float, t1: float) -> None:
        """Update each rep's run rate (bookings per day at normal effort), an exponential average."""
        length = t1 - t0
        keep = np.exp(-length / RUN_RATE_DAYS)
        worked = self.active & (self.ramp > 0)
        rate = self._step_booked / length / np.maximum(self.effort, 0.3)
        self.run_rate = np.where(worked, keep * self.run_rate + (1 - keep) * rate, self.run_rate)

    # ------------------------------------------------------------------ month end

    def quits(self, month: int) -> list[int]:
        """Reps who quit at the end of ``month`` (draws one uniform per rep, for common random numbers)."""
        st = self.scenario.staffing
        u = self.rng["staffing"].random(self.n_reps)
        if not st.attrition.enabled:
            return []
        first = max(self.year_first[month], 0)
        k = month - first + 1
        booked = self.recorder.booked[first : month + 1].sum(axis=0)
        quota = self.quota[first : month + 1].sum(axis=0)
        attainment = booked / np.maximum(quota, 1e-9)
        pay_ratio = self.pay_ratio(first, month, k)
        ranked = np.where(self.active, attainment, -np.inf)
        top = ranked >= np.quantile(ranked[self.active], 0.9) if self.active.any() else np.zeros(self.n_reps, bool)
        # new hires judge their pay and attainment only once ramped
        settled = self.ramp >= 1
        p = monthly_quit_probability(np.where(settled, pay_ratio, 1.0), np.where(settled, attainment, 1.0), top & settled, st.attrition)
        return np.flatnonzero(self.active & (u < p)).tolist()

    def pay_ratio(self, first: int, month: int, k: int) -> np.ndarray:
        """Year-to-date pay over market pay for the same months (1 = at market): base, variable
        pay of closed plan periods, and what the open period would pay on its pro-rated quota."""
        market = self.scenario.behaviour.market_pay
        inc = self.incentive
        if inc is None:
            return np.ones(self.n_reps)
        variable = self.variable_paid[max(first, 0) : month + 1].sum(axis=0)  # closed periods
        p_first, p_last = self.period_first[month], self.period_last[month]
        if month < p_last:  # an open period: its pay so far against the quota so far
            booked = self.recorder.booked[p_first : month + 1].sum(axis=0)
            quota = self.quota[p_first : month + 1].sum(axis=0)
            variable += inc.pay(booked, quota)
        return (inc.base_salary * k / 12 + variable + self.unseen_pay * k / 12) / (market.ote * k / 12)

    def close_periods(self, month: int) -> None:
        """At a month end: pay the plan period that ends with it and roll the fiscal year."""
        inc = self.incentive
        if inc is None or month != self.period_last[month]:
            return
        first = self.period_first[month]
        self.variable_paid[month] = inc.close_period(self.recorder.booked[first : month + 1].sum(axis=0),
                                                     self.quota[first : month + 1].sum(axis=0))
        if month + 1 < len(self.year_first) and self.year_first[month + 1] == month + 1:
            inc.new_year()
            self.ratchet_quotas(month)

    def ratchet_quotas(self, month: int) -> None:
        """Under ``quota.strategy: ratchet``, a new fiscal year's quotas follow the year just
        ended: up by ``ratchet_up`` x the beat, down by ``ratchet_down`` x the miss (Leone,
        Misra & Zimmerman 2004). Needs a full year of results inside the run."""
        q = self.scenario.quota
        first = self.year_first[month]
        if q.strategy != "ratchet" or first < 0:
            return
        from salessim.model.quota import ratchet

        last_quota = self.quota[first : month + 1].sum(axis=0)
        last_result = self.recorder.booked[first : month + 1].sum(axis=0)
        new = ratchet(last_quota, last_result, q.ratchet_up, q.ratchet_down, q.growth)
        nxt = slice(month + 1, min(month + 13, len(self.quota)))
        shape = self.quota[first : month + 1] / np.maximum(last_quota, 1e-9)  # same seasonal split
        self.quota[nxt] = (shape * new)[: nxt.stop - nxt.start]
