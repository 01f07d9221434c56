"""Shared territories: the reps of a region claim its new leads (``territories.shared``).

:class:`LeadClaims` is a part the :class:`salessim.engine.floor.SalesFloor` holds
(``floor.claims``). In a shared region an inbound lead goes to one of the region's active reps,
drawn with the weights of :func:`salessim.model.territory.claim_weights`: under purely individual
plans in proportion to the hours each rep puts in (effort x hours x ramp), whatever their
backlog — reps hoard leads they have no time for while colleagues with spare hours idle, and each
claim costs ``claim_hours`` of selling time; under a team award ``team_by_capacity`` of the leads
follow spare hours instead (and cost no claiming time). Exclusive regions keep the territory rep.
One uniform per lead of a shared region from the ``claims`` stream.
"""

from __future__ import annotations

import numpy as np

from salessim.engine.structures import team_help
from salessim.model.territory import claim_weights


class LeadClaims:
    """Who claims the leads of shared regions on ``floor``, and the hours claiming costs."""

    def __init__(self, floor) -> None:
        self.floor = f = floor
        s = f.scenario
        sh = s.territories.shared
        self.shared = np.array([sh.shares(r) for r in s.market.regions])
        self.on = bool(self.shared.any())
        self.by_capacity = sh.team_by_capacity if team_help(s) > 0 else 0.0
        self.cost_per_claim = sh.claim_hours * (1.0 - self.by_capacity)
        self.spent = np.zeros(f.n_reps)  #: claiming hours of the current work step, per rep
        self.claimed = np.zeros(f.n_reps)  #: leads claimed over the run, per rep

    def route(self, account: np.ndarray, rep: np.ndarray, length: float) -> np.ndarray:
        """The reps who get new inbound leads of ``account`` (territory reps ``rep``) in a step of
        ``length`` days."""
        if not self.on:
            return rep
        f = self.floor
        m = self.shared[f.acc_region[account]]
        if not m.any():
            return rep
        appetite = f.weekly_hours * f.effort * f.ramp * f.people.available * f.active
        spare = np.maximum(appetite * (length / 7) - self._demand(length), 0.0) * f.active
        n_regions = len(self.shared)
        weight = claim_weights(f.rep_region, appetite, spare, self.by_capacity, n_regions)
        by_region = np.argsort(f.rep_region, kind="stable")
        reg_sorted = f.rep_region[by_region]
        cum = np.cumsum(weight[by_region])
        start = np.searchsorted(reg_sorted, np.arange(n_regions))
        before = np.concatenate([[0.0], cum])[start]
        key = reg_sorted + (cum - before[reg_sorted])  # region + cumulative share within it
        total = np.bincount(f.rep_region, weight, n_regions)
        region = f.acc_region[account[m]]
        u = f.rng["claims"].random(int(m.sum()))
        pos = np.searchsorted(key, region + u * total[region], side="right")
        pos = np.minimum(pos, len(key) - 1)
        chosen = np.where(total[region] > 0, by_region[pos], rep[m])  # nobody active: the territory rep
        out = rep.copy()
        out[m] = chosen
        np.add.at(self.spent, chosen, self.cost_per_claim)
        np.add.at(self.claimed, chosen, 1.0)
        return out

    def _demand(self, length: float) -> np.ndarray:
        """Hours each rep's open direct deals ask for in a step of ``length`` days."""
        f, o = self.floor, self.floor.open
        p = f.pipe
        rep = p.rep[o]
        need = (f.hours_per_week[p.stage[o]] * f.seg_hours[p.segment[o]] * f.structure.role_hours[rep]
                + p.extra_hours[o]) * (p.channel[o] == 0)
        return np.bincount(rep, need, f.n_reps) * (length / 7)

    def take_hours(self) -> np.ndarray:
        """The claiming hours of the step (reset for the next)."""
        spent, self.spent = self.spent, np.zeros(self.floor.n_reps)
        return spent
