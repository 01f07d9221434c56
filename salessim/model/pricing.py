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
Money in currency; discounts as fractions of the list price.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field, model_validator

from salessim.inputs import Frozen

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


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
