"""Discounts: the price a rep offers to close a deal in a period that pays them more.

A customer asked to sign by the period end, ``delay`` days before they would have (the deal's
expected slip past the period end), agrees with a probability that rises with the discount,
``accept(d) = free + (1 - free) x (1 - exp(-d / (willingness x delay / willingness_days)))``:
a few sign early when simply asked; the rest want a price for it, more the further forward
their signature is pulled (a deal that would probably close in time anyway is cheap to secure,
one due six weeks into the next quarter is dear).
The company's discount policy caps the depth (``max_discount``) and sends any discount above
``approval_threshold`` to a manager, who approves it with probability ``approval_rate``. The rep
offers the depth that maximises the expected gain ``accept(d) x approve(d) x (value_now(d) -
value_later)``, so the depth rises with what the pull is worth to them: nothing when the next
period pays as much, the policy's maximum when a year-end accelerator or a bonus is at stake
(Larkin 2014: reps grant larger discounts in the quarters where closing pays them more).

**Strategic buyers** (:class:`StrategicBuyers`; Larkin 2014: salespeople agree to lower prices in
the quarters where they have a financial incentive to close). A share of the customers know the
vendor's reps are paid by the period and bargain on it. A buyer ready to sign ``delay`` days
before the period end threatens to sign next period instead. Signing now is worth
``now - later`` to the rep (what crediting the deal this period adds to the rep's plan-year value
over what it adds next period), so the rep would concede up to ``d* = 1 - later / now`` of the
price (credit and pay are on the net amount); the threat costs the buyer ``c x delay / 365.25`` of
the price (``delay_cost`` c: the product's use forgone). Nash bargaining over the total gain
``d* + c delay`` with the buyer's share ``beta`` (``bargaining_power``) gives the discount
``d = beta d* - (1 - beta) c delay / 365.25``, on the policy's steps, capped by ``max_discount``;
a manager approves a discount above ``approval_threshold`` with ``approval_rate`` (refused: the
threshold). A rep with nothing to gain from this period (a linear plan: ``now = later``) concedes
nothing, and buyers far from the period end get less (their threat is dear): deals bunch their
discounts at period ends. Waiting for the period end does not pay the buyer under this rule
(it raises the discount by ``(1 - beta) c`` per year waited at a cost of ``c``).
Money in currency; discounts as fractions of the list price.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field, model_validator

from salessim.inputs import Frozen

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class StrategicBuyers(Frozen):
    """Customers who bargain on the vendor's period ends: they threaten to sign next period and
    take a share of what closing this period is worth to the rep."""

    share: Fraction = Field(0.5, description="share of customers (accounts) who bargain on the vendor's "
                            "period ends (assumption; Larkin 2014)")
    bargaining_power: Fraction = Field(0.5, description="buyer's share of the gain from signing this period "
                                       "(symmetric Nash bargaining)")
    delay_cost: Annotated[float, Field(ge=0.0)] = Field(
        1.0, description="a buyer's cost of signing later, share of the price per year of delay (assumption: "
        "a buyer pays a price because the product is worth at least that a year)")
    deadline: bool = Field(True, description="buyers may hold a negotiated deal's signature to the period's last "
                           "day when they expect the discount there to outweigh the wait (the deadline effect)")


class DiscountPolicy(Frozen):
    """The discount policy a sales manager sets, and how customers respond to discounts."""

    max_discount: Fraction = Field(0.20, description="largest discount a rep may offer (share of list price)")
    approval_threshold: Fraction = Field(
        0.10, description="discounts above this need a manager's approval (deal-desk rule; assumption)")
    approval_rate: Fraction = Field(0.5, description="chance a manager approves a discount above the threshold (assumption)")
    willingness: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.06, description="discount at which 63% of customers agree to sign ``willingness_days`` early (assumption; "
        "Larkin 2014 reports timing discounts of several points)")
    willingness_days: Annotated[float, Field(gt=0.0, le=365.0)] = Field(
        30.0, description="acceleration (days) for which 63% of customers sign at the ``willingness`` "
        "discount; the discount they ask for scales with how much earlier they sign (assumption)")
    free_pull: Fraction = Field(0.1, description="chance a customer signs a period early without a discount (assumption)")
    step: Annotated[float, Field(gt=0.0, le=0.1)] = Field(0.01, description="discount steps a rep compares")
    buyers: StrategicBuyers = Field(StrategicBuyers(), description="customers who hold out for period-end discounts")

    @model_validator(mode="after")
    def _order(self) -> DiscountPolicy:
        if self.approval_threshold > self.max_discount:
            object.__setattr__(self, "approval_threshold", self.max_discount)
        return self

    def depths(self) -> np.ndarray:
        """Discounts a rep may offer, from 0 to ``max_discount``."""
        return np.round(np.arange(0.0, self.max_discount + 1e-9, self.step), 6)

    def acceptance(self, depth: np.ndarray, delay: np.ndarray | float | None = None) -> np.ndarray:
        """Chance a discount of ``depth`` is approved and the customer signs ``delay`` days early
        (``None``: ``willingness_days`` early)."""
        d = np.asarray(depth, float)
        w = self.willingness if delay is None else self.willingness * np.maximum(delay, 1.0) / self.willingness_days
        approve = np.where(d > self.approval_threshold + 1e-12, self.approval_rate, 1.0)
        return (self.free_pull + (1 - self.free_pull) * (1.0 - np.exp(-d / w))) * approve


def choose_discount(gain_now: np.ndarray, marginal_now: np.ndarray, value_later: np.ndarray,
                    amount: np.ndarray, hassle: np.ndarray, policy: DiscountPolicy,
                    delay: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Depth of the discount each rep offers to close a deal this period, and the chance it works.

    ``gain_now``: what crediting the deal at list price now adds to the rep's value (currency);
    ``marginal_now``: the value of one more unit of credit now (currency per currency), so a
    discount ``d`` costs ``d x amount x marginal_now``; ``value_later``: what the deal adds as it
    stands (closing when it will: next period, or this one with some chance); ``delay``: days the
    customer is asked to sign earlier (``None``: ``policy.willingness_days``). A closing discount
    is offered only when its expected gain exceeds ``hassle``.
    Returns ``(depth, acceptance)``; depth 0 and acceptance 0 where no offer is worth it.
    """
    d = policy.depths()[None, :]  # (1, D)
    lag = None if delay is None else np.asarray(delay, float)[:, None]
    surplus = gain_now[:, None] - d * amount[:, None] * marginal_now[:, None] - value_later[:, None]
    expected = policy.acceptance(d, lag) * surplus
    best = np.argmax(expected, axis=1)
    rows = np.arange(len(gain_now))
    worth = expected[rows, best] > hassle
    depth = np.where(worth, d[0, best], 0.0)
    return depth, np.where(worth, policy.acceptance(depth, delay), 0.0)


def bargain_share(gain_now: np.ndarray, value_later: np.ndarray, delay_days: np.ndarray | float,
                  policy: DiscountPolicy) -> np.ndarray:
    """The Nash bargain a strategic buyer strikes for signing this period, before the policy
    (share of list, may be negative): ``bargaining_power x d* - (1 - bargaining_power) x
    delay_cost x delay_days / 365.25`` with ``d* = 1 - value_later / gain_now`` (0 where the rep
    gains nothing now)."""
    b = policy.buyers
    now = np.asarray(gain_now, float)
    reserve = np.where(now > 0, 1.0 - np.asarray(value_later, float) / np.maximum(now, 1e-300), 0.0)
    threat = b.delay_cost * np.maximum(np.asarray(delay_days, float), 0.0) / 365.25
    return b.bargaining_power * np.clip(reserve, 0.0, 1.0) - (1 - b.bargaining_power) * threat


def bargained_discount(gain_now: np.ndarray, value_later: np.ndarray, delay_days: np.ndarray,
                       policy: DiscountPolicy, approve: np.ndarray) -> np.ndarray:
    """Discount (share of list) a strategic buyer bargains for signing this period.

    ``gain_now``: what crediting the deal at list now adds to the rep's plan-year value;
    ``value_later``: what it adds if it closes next period (currency); ``delay_days``: days from the
    buyer's signing to the period end (what the threat to sign next period costs them). The
    :func:`bargain_share`, rounded down to the policy's steps and capped by ``max_discount``; above
    ``approval_threshold`` a manager approves where ``approve`` (uniforms) ``< approval_rate``,
    else the threshold is granted. 0 where the rep gains nothing now.
    """
    return granted_discount(bargain_share(gain_now, value_later, delay_days, policy), policy, approve)


def granted_discount(want: np.ndarray, policy: DiscountPolicy, approve: np.ndarray) -> np.ndarray:
    """What a bargain of ``want`` (share of list: :func:`bargain_share`) is granted: rounded down
    to the policy's steps and capped by ``max_discount``; above ``approval_threshold`` approved
    where ``approve`` (uniforms) ``< approval_rate``, else the threshold (see
    :func:`bargained_discount`)."""
    d = np.clip(np.floor(want / policy.step + 1e-9) * policy.step, 0.0, policy.max_discount)
    refused = (d > policy.approval_threshold + 1e-12) & (np.asarray(approve) >= policy.approval_rate)
    cap = np.floor(policy.approval_threshold / policy.step + 1e-9) * policy.step
    return np.round(np.where(refused, cap, d), 6)


def expected_discount(want: np.ndarray, policy: DiscountPolicy) -> np.ndarray:
    """What a buyer expects a bargain of ``want`` (share of list) to get under the policy: capped
    by ``max_discount``, and above ``approval_threshold`` approved with ``approval_rate`` (else
    the threshold)."""
    d = np.clip(np.asarray(want, float), 0.0, policy.max_discount)
    t = policy.approval_threshold
    return np.where(d > t, policy.approval_rate * d + (1 - policy.approval_rate) * t, d)


def holds_to_deadline(want_now: np.ndarray, want_at_end: np.ndarray, wait_days: np.ndarray,
                      policy: DiscountPolicy) -> np.ndarray:
    """Whether a strategic buyer ready ``wait_days`` before the period end holds the signature to
    its last day (the deadline effect): the discount expected there (``want_at_end``: the bargain
    on the last day, where threatening to sign next period costs nothing) less the use of the
    product forgone while waiting (``delay_cost x wait_days / 365.25``) beats the discount
    available now (``want_now``). Shares of list; bool per deal."""
    wait = policy.buyers.delay_cost * np.maximum(np.asarray(wait_days, float), 0.0) / 365.25
    return expected_discount(want_at_end, policy) - wait > expected_discount(want_now, policy)
