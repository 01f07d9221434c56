"""The people side of the floor: training, coaching, recognition, careers and morale.

:class:`People` is a part the :class:`salessim.engine.floor.SalesFloor` holds (``floor.people``).
It asks the pure rules of :mod:`salessim.model.training` and :mod:`salessim.model.motivation`
and keeps each rep slot's state: knowledge freshness, morale, promotion, last award. Each work
step it sets the share of hours reps spend selling (``available``: training takes time away)
and adjusts the effort the reps chose (morale, the sales-champion race); at each month end it
names the champions, promotes, updates morale; the quit decision multiplies its hazard by
:meth:`quit_factor`. Programme costs go to the run's ``event_costs`` (kind ``training``).
"""

from __future__ import annotations

import numpy as np

from salessim.engine.layout import workable
from salessim.model import motivation as mot
from salessim.model import training as tr

MONTH_DAYS = 30.44


class People:
    """Training and motivation state of the rep slots of ``floor`` (index = rep slot)."""

    def __init__(self, floor):
        self.floor = f = floor
        s = f.scenario
        self.training = t = s.behaviour.training
        self.motivation = s.behaviour.motivation
        R = f.n_reps
        self.coaching = tr.coaching_factor(tr.span_of_control(s.org, len(s.market.regions)), t.coaching)
        f.skill = f.skill * self.coaching
        self.months_to_full = tr.months_to_full(s.staffing.ramp.months_to_full, t.skills)
        self.available = np.ones(R)  # share of a step's selling hours not spent in training
        self._open_territory = None  # (floor.open, floor.territory, territory rep of each open deal)
        self.pending_away = np.zeros(R)  # working days of training booked for the next step (events)
        self.last_session = np.zeros(R)  # clock day of each rep's last knowledge session
        self.knowledge = np.ones(R)  # knowledge freshness factor folded into skill
        self.morale = np.ones(R)
        self.promoted = np.zeros(R, dtype=bool)
        self.in_line = np.zeros(R, dtype=bool)
        self.last_win = np.full(R, -10_000)  # month of each rep's last champion award
        k = t.knowledge
        pos = (f.clock.calendar_month - s.calendar.fiscal_year_start_month) % 12
        months = np.flatnonzero(pos % k.every_months == 0)
        self.session_days = {float(f.clock.month_starts[m]) for m in months if m > 0} if k.enabled else set()

    # ------------------------------------------------------------------ each step

    def ramp(self, t0: float) -> np.ndarray:
        """Capacity of each slot at ``t0`` (0 while vacant or onboarding, 1 when ramped)."""
        from salessim.model.staffing import ramp_factor

        f = self.floor
        r = ramp_factor(t0 - f.hired_day, self.training.onboarding.days, self.months_to_full,
                        f.scenario.staffing.ramp.start_capacity)
        return np.where(f.active, r, 0.0)

    def step(self, t0: float, t1: float, month: int) -> None:
        """Before a work step's selling: time away for training, stale knowledge, and effort
        adjusted for morale and the champion race."""
        f, t = self.floor, self.training
        length = t1 - t0
        away = tr.skills_share_away(t0 - f.hired_day, length, t)
        away += np.minimum(self.pending_away / (length * tr.WORKING_DAYS_PER_WEEK / 7), 1.0)
        self.pending_away[:] = 0.0
        if t0 in self.session_days:
            attend = np.flatnonzero(f.active)
            away[attend] += tr.session_share_away(length, t.knowledge)
            self.last_session[attend] = t0
            f.event_state.charge_programme(t0, "knowledge training", t.knowledge.cost_per_rep * len(attend),
                                           f"{len(attend)} reps")
        self.available = np.clip(1.0 - away, 0.0, 1.0)
        if t.knowledge.enabled:
            fresh = tr.knowledge_factor((t0 - self.last_session) / MONTH_DAYS, t.knowledge)
            f.skill = f.skill * fresh / self.knowledge
            self.knowledge = fresh
        self._effort(t0, month)

    def _effort(self, t0: float, month: int) -> None:
        f = self.floor
        b = f.scenario.behaviour
        if not (b.enabled and b.effort.enabled):
            return
        m = self.motivation
        effort = f.effort * mot.morale_effort_factor(self.morale, m.morale)
        r = m.recognition
        days_left = float(f.clock.month_starts[month + 1]) - t0
        if r.enabled and days_left <= r.window_days:
            rest = f.decisions.run_rate * days_left * f.ramp
            booked = f.recorder.booked[month]
            race = mot.contenders(booked, rest, f.rep_region, f.active, r.winners_per_region, b.effort.max)
            boost = mot.award_effort_boost(np.full(f.n_reps, days_left), r, b.market_pay.variable,
                                           b.effort.intrinsic, b.effort.max)
            effort = effort + race * boost
        f.effort = np.where(f.active, np.minimum(effort, b.effort.max), 0.0)

    # ------------------------------------------------------------------ month end

    def month_end(self, month: int, attainment: np.ndarray) -> None:
        """Champions of ``month``, promotions and morale (``attainment``: year to date)."""
        f, m = self.floor, self.motivation
        u = f.rng["people"].random(f.n_reps)
        if m.recognition.enabled:
            won = mot.champions(f.recorder.booked[month], f.rep_region, f.active, m.recognition.winners_per_region)
            self.last_win[won] = month
        tenure = (float(f.clock.month_starts[month + 1]) - f.hired_day) / MONTH_DAYS
        self.in_line = mot.in_line(tenure, attainment, m.career) & f.active & ~self.promoted
        self.promoted |= self.in_line & (u < mot.monthly_promotion_probability(self.in_line, m.career))
        wm = f.scenario.calendar.warmup_months
        if month < wm:  # the pipeline is still filling: nothing to judge targets by
            return
        first = max(month - 2, wm)  # the last three months
        quota = f.decisions.quota[first : month + 1].sum(axis=0)
        booked = f.recorder.booked[first : month + 1].sum(axis=0)
        held = f.decisions.committed(since=float(f.clock.month_starts[first]))  # negotiated, signed at the period end
        if held.any():
            booked = booked + held
        potential = self._workable()  # what it can yield
        ramped = f.active & (f.ramp >= 1)
        excess = mot.target_excess(quota, potential, booked[ramped].sum(), potential[ramped].sum())
        self.morale = np.where(f.active, mot.next_morale(self.morale, excess, m.morale), 1.0)

    def _workable(self) -> np.ndarray:
        """What each territory can yield (:func:`salessim.engine.layout.workable`), recomputed only
        when an event replaced the territories or the accounts (both are replaced, not changed
        in place; the cache keeps the objects it was computed from)."""
        f = self.floor
        cached = getattr(self, "_workable_of", None)
        if cached is None or cached[0] is not f.territory or cached[1] is not f.accounts:
            self._workable_of = (f.territory, f.accounts, workable(f.scenario, f.accounts, f.territory, f.layout.roster))
        return self._workable_of[2]

    def quit_factor(self, month: int) -> np.ndarray:
        """Quit-hazard multiplier of the non-monetary terms: recognition, career, morale."""
        m = self.motivation
        return (mot.recognition_quit_factor(month - self.last_win, m.recognition)
                * mot.career_quit_factor(self.in_line, self.promoted, m.career)
                * mot.morale_quit_factor(self.morale, m.morale))

    # ------------------------------------------------------------------ staff changes

    def hired(self, rep: int, skill: float, day: float) -> None:
        """A hire fills slot ``rep`` on clock ``day`` with drawn ``skill``: coached and (with the
        programme) skills-trained; onboarding and skills training are charged."""
        f, t = self.floor, self.training
        gain = t.skills.skill_gain if t.skills.enabled else 0.0
        f.skill[rep] = float(tr.trained_skill(np.array([skill * self.coaching]), gain)[0])
        self.knowledge[rep] = 1.0
        self.last_session[rep] = day
        self.morale[rep] = 1.0
        self.promoted[rep] = self.in_line[rep] = False
        self.last_win[rep] = -10_000
        f.event_state.charge_programme(day, "onboarding and skills training", tr.hire_training_cost(t), "1 hire")

    def train(self, reps: np.ndarray, days: float) -> None:
        """Book ``days`` of training away from selling for ``reps`` in the next work step."""
        self.pending_away[reps] += days

    def take_over(self, rep: int) -> int:
        """Slot ``rep``'s hire takes over the territory's open pipeline from the colleagues who
        covered it: ``staffing.hiring.inherit_share`` of the direct open deals of its accounts
        that are not in the last stage. Returns the number of deals handed over."""
        f = self.floor
        p, o = f.pipe, f.open
        here = o[self._territory_of_open() == rep]  # the territory's deals first: few of all open ones
        mine = here[(p.rep[here] != rep) & (p.channel[here] == 0) & (p.stage[here] < f.n_stages - 1)]
        share = f.scenario.staffing.hiring.inherit_share
        u = f.rng["people"].random(len(mine))
        moved = mine[u < share]
        p.cols["rep"][moved] = rep
        return len(moved)

    def _territory_of_open(self) -> np.ndarray:
        """The territory rep of each open deal's account (per entry of ``floor.open``). Kept while
        ``floor.open`` and ``floor.territory`` are the same arrays (the engine replaces them, never
        edits them in place, and deals never change account): hires taking over between two work
        steps share one read of the whole pipeline."""
        f = self.floor
        cached = self._open_territory
        if cached is None or cached[0] is not f.open or cached[1] is not f.territory:
            cached = self._open_territory = (f.open, f.territory, f.territory.take(f.pipe.account.take(f.open)))
        return cached[2]
