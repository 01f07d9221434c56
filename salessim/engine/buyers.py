"""Strategic buyers: customers who bargain on the vendor's period ends.

:class:`Buyers` is a part :class:`salessim.engine.reps.RepDecisions` holds (``decisions.buyers``).
A share ``pricing.buyers.share`` of the accounts (drawn once per run from the ``buyers`` stream:
the same accounts under every plan, common random numbers) are strategic. Each work step, the
strategic buyer of every deal in the last two stages (proposal, negotiation: where price is on the
table) expected to sign before the end of the rep's pacing period (the fiscal year when there is
none) either bargains now or holds the signature to the period's last day, whichever they expect
to get more from (:func:`salessim.model.pricing.holds_to_deadline`: the deadline effect).

* **Bargains now**: threatens to sign next period instead and takes a share of what signing now is
  worth to the rep (:func:`salessim.model.pricing.bargained_discount`). The deal keeps its dates,
  books its list amount less the discount (``amount`` vs ``list_amount``; timing ``bargained``)
  and is not moved again.
* **Holds to the deadline** (timing ``held to period end``): the deal is still worked through its
  stages; once negotiated it waits, needing no rep hours and slipping no more, and is signed on the
  period's last day (``hold_until``), at the discount bargained in the period's last step, where
  the buyer's threat costs nothing. A held deal not negotiated by then signs when it is, at that
  price.

Days are clock days; amounts currency.
"""

from __future__ import annotations

import numpy as np

from salessim.engine.pipeline import Timing
from salessim.model.pricing import (
    bargain_share,
    bargained_discount,
    expected_discount,
    granted_discount,
    holds_to_deadline,
)

LAST_DAY = 0.5  #: a held deal signs this many days before the period end (its last calendar day)
#: Standard-normal nodes and weights of a 5-point Gauss-Hermite rule (expectations over a spread).
HERMITE = (lambda x, w: (x, w / w.sum()))(*np.polynomial.hermite_e.hermegauss(5))


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

    def bargain(self, t0: float, t1: float, month: int, pos, decisions) -> None:
        """Strategic buyers of deals due this period bargain a discount now or hold the signature
        to the period end; held deals due to sign in this step (``t0`` .. ``t1``) bargain
        (``pos``: the reps' :class:`~salessim.engine.reps.Position` at clock day ``t0``;
        ``decisions``: the :class:`~salessim.engine.reps.RepDecisions` that values deals)."""
        if not self.on:
            return
        f, p = self.floor, self.floor.pipe
        end = t0 + pos.days_left
        o = decisions.movable(f.open)
        o = o[self.strategic(p.account[o])]
        due = decisions.close_median(o)
        o, due = o[due < end], due[due < end]
        if len(o):
            if self.policy.buyers.deadline:  # the period-end states are valued in the same pass
                now, later, at_end = decisions.deal_values(pos, o, more=self._period_end_states(pos, o, decisions))
            else:
                now, later = decisions.deal_values(pos, o)
            want_now = bargain_share(now, later, end - due, self.policy)
            hold = np.zeros(len(o), dtype=bool)
            if self.policy.buyers.deadline:
                at_end = bargain_share(at_end, later[None, :], 0.0, self.policy)
                hold = holds_to_deadline(want_now, HERMITE[1] @ expected_discount(at_end, self.policy), end - due, self.policy)
            held = o[hold]
            p.cols["moved"][held] = Timing.HELD_TO_PERIOD_END
            p.cols["hold_until"][held] = end - LAST_DAY
            rest = ~hold
            # the bargain struck now (``want_now``: what bargained_discount would compute again)
            self._grant(o[rest], granted_discount(want_now[rest], self.policy, self._rng.random(int(rest.sum()))),
                        month, Timing.BARGAINED)
        # held deals that sign in this step: the bargain of the last day (the threat costs nothing)
        signing = f.open.compress(p.moved.take(f.open) == Timing.HELD_TO_PERIOD_END)
        until = p.hold_until[signing]
        signing = signing[(until > t0) & (until <= t1)]
        if len(signing):
            now, later = decisions.deal_values(pos, signing)
            self._grant(signing, bargained_discount(now, later, 0.0, self.policy, self._rng.random(len(signing))),
                        month, Timing.HELD_TO_PERIOD_END)

    def _period_end_states(self, pos, idx: np.ndarray, decisions) -> tuple[np.ndarray, list, list]:
        """``(steps, p, y0)`` of shapes ``(5, 1)``, ``(5, deals)``: the places the rep of each deal
        ``idx`` may stand on the last day of the pacing period (credit in annual quotas), for
        :meth:`~salessim.engine.reps.RepDecisions.deal_values`: their pace to the end with the
        spread of the deals still to come (a compound Poisson of deal sizes), at the nodes of
        :data:`HERMITE` (average the values with its weights)."""
        p = self.floor.pipe
        r = p.rep[idx]
        fs = pos.foresight
        pacing = fs.pacing_months
        last_month = pos.fiscal_month - pos.fiscal_month % pacing + pacing - 1 if pacing < 12 else 11
        step = fs.step(last_month, 31.0)
        qa = pos.annual_quota[r]
        mean = pos.rho[r] * pos.days_left / 365.25  # credit to come, annual quotas
        sd = np.sqrt(mean * decisions.avg_deal / qa * (1 + decisions.size_cv**2))
        nodes, _ = HERMITE
        to_come = np.maximum(mean[None, :] + nodes[:, None] * sd[None, :], 0.0)  # (5, deals)
        p_end, y_end = (pos.p[r] + to_come, np.broadcast_to(pos.y0[r], to_come.shape)) if pacing < 12 else \
            (np.zeros_like(to_come), pos.y0[r] + to_come)
        return np.full((len(nodes), 1), step), list(p_end), list(y_end)

    def _grant(self, idx: np.ndarray, depth: np.ndarray, month: int, timing: Timing) -> None:
        """Deals ``idx`` get discounts ``depth`` (share of list; 0: none, the deal is left as is)."""
        f, p = self.floor, self.floor.pipe
        got = depth > 0
        idx = idx[got]
        cut = p.amount[idx] * depth[got]
        p.cols["amount"][idx] -= cut
        p.cols["moved"][idx] = timing
        np.add.at(f.recorder.discounts[month], p.rep[idx], cut)
