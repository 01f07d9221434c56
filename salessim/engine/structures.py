"""How the org structure changes the work on each deal: strategy objects the ``SalesFloor`` holds.

``floor_structure(floor)`` picks one when the floor is built, from the org's pure strategy
(:func:`salessim.model.org.structure_of`):

* :class:`DirectSales` (``line``, ``regional``, ``key_account``): reps sell every deal; deals of
  accounts in the rep's own region convert better (not in a ``line`` org); key-account managers
  and low-touch reps convert and spend hours differently from account executives (the roster);
* :class:`Partners` (``channel``): deals of partner-served accounts need no rep hours, convert
  and move at the partners' rates, bring the company the amount net of the partner margin, and
  credit the territory's rep only with ``overlay_credit``;
* :class:`Specialists` (``matrix``): from ``from_stage`` on, deals of the specialists' product
  lines get a specialist while the pool has hours: a hand-off delay, extra AE coordination hours,
  a higher win probability, and the specialist is credited too (overlay).

A structure whose deals work like direct sales needs no class here: it gets :class:`DirectSales`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from salessim.comp.plan import TeamBonus
from salessim.model.org import Channel, Matrix, OrgStructure, structure_of

if TYPE_CHECKING:
    from salessim.engine.floor import SalesFloor
    from salessim.scenario import Scenario


class DirectSales:
    """Reps sell every deal of their territory. Reads the floor's pipeline and reps when asked."""

    #: whether deals can have the partner channel (``route`` gives 1), and extra rep hours
    #: (``join_specialists`` sets them): else the floor need not read those columns
    partner_deals = False
    coordination_hours = False

    def __init__(self, floor: SalesFloor, org: OrgStructure) -> None:
        self.floor, self.org = floor, org
        ros = floor.layout.roster
        self.role_win = ros.win
        self.role_hours = ros.hours  # rep hours per deal relative to an AE
        self.local_win = org.local_win_multiplier

    def route(self, account: np.ndarray, amount: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """New deals' channel (0 direct, 1 partner) and the company's amount (currency)."""
        return np.zeros(len(account), dtype=np.int8), amount

    def duration_multiplier(self, idx: np.ndarray) -> np.ndarray | float:
        """Stage-duration factor of deals."""
        return 1.0

    def rep_multiplier(self) -> np.ndarray:
        """The reps' part of :meth:`seller_multiplier`, per rep (their win multiplier and role)."""
        return self.floor.win_multiplier() * self.role_win

    def seller_multiplier(self, idx: np.ndarray, rep: np.ndarray | None = None, region: np.ndarray | None = None,
                          per_rep: np.ndarray | None = None) -> np.ndarray:
        """Multiplier on the overall win probability from whoever sells the deal. ``rep``,
        ``region`` (the deals' owners and account regions) and ``per_rep``
        (:meth:`rep_multiplier`): when the caller has them."""
        f = self.floor
        if rep is None:
            rep = f.pipe.rep[idx]
        if region is None:
            region = f.acc_region[f.pipe.account[idx]]
        local = np.where(region == f.rep_region[rep], self.local_win, 1.0)
        per_rep = self.rep_multiplier() if per_rep is None else per_rep
        return per_rep[rep] * local  # per rep, then one gather per deal

    def specialist_boost(self, idx: np.ndarray, stage: np.ndarray) -> np.ndarray | float:
        """Per-stage conversion factor from specialists' support."""
        return 1.0

    def join_specialists(self, idx: np.ndarray, stage: np.ndarray) -> None:
        """Deals entering ``stage`` get specialists' support (none in direct sales)."""

    def credited(self, idx: np.ndarray) -> np.ndarray:
        """Which won deals credit the territory's rep."""
        return np.ones(len(idx), dtype=bool)


class Partners(DirectSales):
    """Partners sell the deals of the accounts they serve, at their own rates and margin."""

    partner_deals = True

    def __init__(self, floor: SalesFloor, org: OrgStructure) -> None:
        super().__init__(floor, org)
        ch = org.design.channel
        self.acc_partner = floor.layout.partner
        self.partner_margin = ch.partner_margin
        self.partner_win, self.partner_duration = ch.win_multiplier, ch.duration_multiplier
        self.partner_credit = org.partner_credit

    def route(self, account: np.ndarray, amount: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        channel = self.acc_partner[account].astype(np.int8)
        return channel, amount * np.where(channel == 1, 1.0 - self.partner_margin, 1.0)

    def duration_multiplier(self, idx: np.ndarray) -> np.ndarray:
        """Partners work at their own pace."""
        return np.where(self.floor.pipe.channel[idx] == 1, self.partner_duration, 1.0)

    def seller_multiplier(self, idx: np.ndarray, rep: np.ndarray | None = None, region: np.ndarray | None = None,
                          per_rep: np.ndarray | None = None) -> np.ndarray:
        return np.where(self.floor.pipe.channel[idx] == 1, self.partner_win, super().seller_multiplier(idx, rep, region, per_rep))

    def credited(self, idx: np.ndarray) -> np.ndarray:
        """Direct deals, and partner deals with overlay credit."""
        return (self.floor.pipe.channel[idx] == 0) | self.partner_credit


class Specialists(DirectSales):
    """A pool of product specialists joins supported deals from ``from_stage`` on."""

    coordination_hours = True

    def __init__(self, floor: SalesFloor, org: OrgStructure) -> None:
        super().__init__(floor, org)
        s = floor.scenario
        self.m = m = org.design.matrix
        names = [p.name for p in s.market.products]
        supported = m.products if m.products is not None else names[1:]
        self.spec_products = np.isin(np.arange(len(names)), [names.index(x) for x in supported])
        # weekly specialist hours a supported deal needs, over its expected remaining stages
        mean_days = np.array([st.duration.mean_days for st in s.funnel.stages])
        weeks = max(mean_days[m.from_stage :].sum() / 7.0, 1.0)
        self.slots = int(m.specialists * m.weekly_hours / (m.specialist_hours / weeks))
        self.coordination = m.coordination_hours / max(mean_days[m.from_stage] / 7.0, 1.0)
        self.next = 0

    def specialist_boost(self, idx: np.ndarray, stage: np.ndarray) -> np.ndarray:
        """The overall boost spread over the stages the specialist takes part in."""
        n = self.floor.n_stages - self.m.from_stage
        on = (self.floor.pipe.specialist[idx] >= 0) & (stage >= self.m.from_stage)
        return np.where(on, self.m.win_multiplier ** (1.0 / n), 1.0)

    def join_specialists(self, idx: np.ndarray, stage: np.ndarray) -> None:
        """Deals of the specialists' products reaching ``from_stage`` get a specialist if the pool
        has hours: a hand-off delay and coordination hours for the AE."""
        if not len(idx):
            return
        f, m = self.floor, self.m
        p = f.pipe
        p.cols["extra_hours"][idx] = 0.0  # coordination is needed in the hand-off stage only
        cand = idx[(stage == m.from_stage) & self.spec_products[p.product[idx]] & (p.channel[idx] == 0)]
        if not len(cand):
            return
        o = f.open
        busy = int(((p.specialist[o] >= 0) & (p.outcome[o] == 0)).sum()) if len(o) else 0
        take = cand[: max(self.slots - busy, 0)]
        if not len(take):
            return
        p.cols["specialist"][take] = (self.next + np.arange(len(take))) % m.specialists
        self.next = int((self.next + len(take)) % m.specialists)
        p.cols["remaining"][take] += m.handoff_days
        p.cols["extra_hours"][take] = self.coordination


#: The engine side of structures whose deals do not work like direct sales.
FLOOR_STRUCTURES: dict[type[OrgStructure], type[DirectSales]] = {Channel: Partners, Matrix: Specialists}


def floor_structure(floor: SalesFloor) -> DirectSales:
    """The engine strategy of the floor's org structure."""
    org = structure_of(floor.scenario.org)
    return FLOOR_STRUCTURES.get(type(org), DirectSales)(floor, org)


def team_help(s: Scenario) -> float:
    """Team incentives: with a team award in the plan, the share of their spare hours reps give to
    the region's waiting deals."""
    has_team = s.plan is not None and any(isinstance(c, TeamBonus) for c in s.plan.components)
    return s.behaviour.team.help_share if (has_team and s.behaviour.enabled and s.behaviour.team.enabled) else 0.0
