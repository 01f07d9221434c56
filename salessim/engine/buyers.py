"""Strategic buyers: customers who bargain on the vendor's period ends.

:class:`Buyers` is a part :class:`salessim.engine.reps.RepDecisions` holds (``decisions.buyers``).
A share ``pricing.buyers.share`` of the accounts (drawn once per run from the ``buyers`` stream:
the same accounts under every plan, common random numbers) are strategic. Each work step, the
strategic buyer of every deal in the last two stages (proposal, negotiation: where price is on the
table) expected to sign before the end of the rep's pacing period (the fiscal year when there is
none) threatens to sign next period instead, and takes a share of what signing now is worth to the
rep (:func:`salessim.model.pricing.bargained_discount`). A deal bargained to a discount keeps its
dates, books its list amount less the discount (``amount`` vs ``list_amount``; timing
``bargained``) and is not moved again. Days are clock days; amounts currency.
"""

from __future__ import annotations

import numpy as np

from salessim.engine.pipeline import Timing
from salessim.model.pricing import bargained_discount


class Buyers:
    """The strategic buyers of ``floor``'s accounts."""

    def __init__(self, floor) -> None:
        self.floor = f = floor
        self.policy = f.scenario.pricing
        self.on = self.policy.buyers.share > 0
        rng = f.rng["buyers"]
        self._flags_rng = np.random.Generator(np.random.PCG64(rng.integers(2**63)))
        self._rng = np.random.Generator(np.random.PCG64(rng.integers(2**63)))
        self._u = self._flags_rng.random(len(f.accounts))

    def strategic(self, account: np.ndarray) -> np.ndarray:
        """Whether each account's buyer bargains on period ends (bool per entry of ``account``)."""
        account = np.asarray(account, np.int64)
        if len(account) and account.max() >= len(self._u):  # accounts added by an event
            self._u = np.concatenate([self._u, self._flags_rng.random(int(account.max()) + 1 - len(self._u))])
        return self._u[account] < self.policy.buyers.share

    def bargain(self, t0: float, month: int, pos, decisions) -> None:
        """Strategic buyers of deals due this period bargain a discount (``pos``: the reps'
        :class:`~salessim.engine.reps.Position` at clock day ``t0``; ``decisions``: the
        :class:`~salessim.engine.reps.RepDecisions` that values deals for their reps)."""
        if not self.on:
            return
        f, p = self.floor, self.floor.pipe
        o = decisions.movable(f.open)
        o = o[self.strategic(p.account[o])]
        if not len(o):
            return
        end = t0 + pos.days_left
        due = decisions.close_median(o)
        o, due = o[due < end], due[due < end]
        if not len(o):
            return
        now, later = decisions.deal_values(pos, o)
        depth = bargained_discount(now, later, end - due, self.policy, self._rng.random(len(o)))
        got = depth > 0
        idx = o[got]
        cut = p.amount[idx] * depth[got]
        p.cols["amount"][idx] -= cut
        p.cols["moved"][idx] = Timing.BARGAINED
        np.add.at(f.recorder.discounts[month], p.rep[idx], cut)
