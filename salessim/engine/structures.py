"""How the org structure changes the work on each deal: a mixin of the engine's ``SalesFloor``.

* local knowledge (all structures but ``line``): deals of accounts in the rep's own region
  convert better;
* roles (``key_account``): key-account managers and low-touch reps convert and spend hours
  differently from account executives;
* partners (``channel``): deals of partner-served accounts need no rep hours, convert and move at
  the partners' rates, bring the company the amount net of the partner margin, and credit the
  territory's rep only with ``overlay_credit``;
* specialists (``matrix``): from ``from_stage`` on, deals of the specialists' product lines get a
  specialist while the pool has hours: a hand-off delay, extra AE coordination hours, a higher
  win probability, and the specialist is credited too (overlay).
"""

from __future__ import annotations

import numpy as np

from salessim.model.org import LOW_TOUCH


class Structures:
    """Expects the attributes set by ``SalesFloor.__init__``."""

    def _init_structure(self) -> None:
        s = self.scenario
        d, structure = s.org.design, s.org.structure
        ros = self.layout.roster
        self.role_win = ros.win
        self.role_hours = ros.hours
        self.low_touch = ros.role == LOW_TOUCH
        self.acc_partner = self.layout.partner
        self.local_win = d.regional.local_win_multiplier if structure != "line" else 1.0
        ch = d.channel
        self.partner_margin = ch.partner_margin if structure == "channel" else 0.0
        self.partner_win, self.partner_duration = ch.win_multiplier, ch.duration_multiplier
        self.partner_credit = ch.overlay_credit
        self.matrix = structure == "matrix"
        m = d.matrix
        names = [p.name for p in s.market.products]
        supported = m.products if m.products is not None else names[1:]
        self.spec_products = np.isin(np.arange(len(names)), [names.index(x) for x in supported])
        self.spec_from = m.from_stage
        # weekly specialist hours a supported deal needs, over its expected remaining stages
        mean_days = np.array([st.duration.mean_days for st in s.funnel.stages])
        weeks = max(mean_days[m.from_stage :].sum() / 7.0, 1.0)
        self.spec_slots = int(m.specialists * m.weekly_hours / (m.specialist_hours / weeks)) if self.matrix else 0
        self.spec_coordination = m.coordination_hours / max(mean_days[m.from_stage] / 7.0, 1.0)
        self.spec_next = 0
        # Team incentives: with a team award in the plan, reps give part of their spare hours
        # to the region's waiting deals.
        has_team = s.plan is not None and any(getattr(c, "type", "") == "team_bonus" for c in s.plan.components)
        self.team_help = s.behaviour.team.help_share if (has_team and s.behaviour.enabled and s.behaviour.team.enabled) else 0.0

    def duration_multiplier(self, idx: np.ndarray) -> np.ndarray:
        """Stage-duration factor of deals: partners work at their own pace."""
        return np.where(self.pipe.channel[idx] == 1, self.partner_duration, 1.0)

    def seller_multiplier(self, idx: np.ndarray) -> np.ndarray:
        """Multiplier on the overall win probability from whoever sells the deal."""
        p = self.pipe
        rep = p.rep[idx]
        local = np.where(self.acc_region[p.account[idx]] == self.rep_region[rep], self.local_win, 1.0)
        direct = self.win_multiplier(rep) * self.role_win[rep] * local
        return np.where(p.channel[idx] == 1, self.partner_win, direct)

    def specialist_boost(self, idx: np.ndarray, stage: np.ndarray) -> np.ndarray:
        """Per-stage conversion factor of supported deals (the overall boost spread over the stages
        the specialist takes part in)."""
        if not self.matrix:
            return 1.0
        m = self.scenario.org.design.matrix
        n = self.n_stages - self.spec_from
        on = (self.pipe.specialist[idx] >= 0) & (stage >= self.spec_from)
        return np.where(on, m.win_multiplier ** (1.0 / n), 1.0)

    def join_specialists(self, idx: np.ndarray, stage: np.ndarray) -> None:
        """Deals of the specialists' products reaching ``from_stage`` get a specialist if the pool
        has hours: a hand-off delay and coordination hours for the AE."""
        if not self.matrix or not len(idx):
            return
        p = self.pipe
        p.cols["extra_hours"][idx] = 0.0  # coordination is needed in the hand-off stage only
        cand = idx[(stage == self.spec_from) & self.spec_products[p.product[idx]] & (p.channel[idx] == 0)]
        if not len(cand):
            return
        o = self.open
        busy = int(((p.specialist[o] >= 0) & (p.outcome[o] == 0)).sum()) if len(o) else 0
        take = cand[: max(self.spec_slots - busy, 0)]
        if not len(take):
            return
        m = self.scenario.org.design.matrix
        p.cols["specialist"][take] = (self.spec_next + np.arange(len(take))) % m.specialists
        self.spec_next = int((self.spec_next + len(take)) % m.specialists)
        p.cols["remaining"][take] += m.handoff_days
        p.cols["extra_hours"][take] = self.spec_coordination

    def credited(self, idx: np.ndarray) -> np.ndarray:
        """Which won deals credit the territory's rep (partner deals only with overlay credit)."""
        return (self.pipe.channel[idx] == 0) | self.partner_credit
