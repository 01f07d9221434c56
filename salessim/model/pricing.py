"""Discounts: the price a rep offers to move a signature into a period that pays them more.

A customer whose deal is due next period signs early with a probability that rises with the
discount, ``accept(d) = free + (1 - free) x (1 - exp(-d / willingness))`` (a few sign early when
simply asked; the rest want a price for it).
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
        0.06, description="discount at which 63% of customers agree to sign a period early (assumption; "
        "Larkin 2014 reports timing discounts of several points)")
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

    def acceptance(self, depth: np.ndarray) -> np.ndarray:
        """Chance a discount of ``depth`` is approved and the customer signs early."""
        d = np.asarray(depth, float)
        approve = np.where(d > self.approval_threshold + 1e-12, self.approval_rate, 1.0)
        return (self.free_pull + (1 - self.free_pull) * (1.0 - np.exp(-d / self.willingness))) * approve


def choose_discount(gain_now: np.ndarray, marginal_now: np.ndarray, value_later: np.ndarray,
                    amount: np.ndarray, hassle: np.ndarray, policy: DiscountPolicy) -> tuple[np.ndarray, np.ndarray]:
    """Depth of the discount each rep offers to pull a deal in, and the chance it works.

    ``gain_now``: what crediting the deal at list price now adds to the rep's value (currency);
    ``marginal_now``: the value of one more unit of credit now (currency per currency), so a
    discount ``d`` costs ``d x amount x marginal_now``; ``value_later``: what the deal adds if it
    closes as due. A pull is attempted only when its expected gain exceeds ``hassle``.
    Returns ``(depth, acceptance)``; depth 0 and acceptance 0 where no pull is worth it.
    """
    d = policy.depths()[None, :]  # (1, D)
    surplus = gain_now[:, None] - d * amount[:, None] * marginal_now[:, None] - value_later[:, None]
    expected = policy.acceptance(d) * surplus
    best = np.argmax(expected, axis=1)
    rows = np.arange(len(gain_now))
    worth = expected[rows, best] > hassle
    depth = np.where(worth, d[0, best], 0.0)
    return depth, np.where(worth, policy.acceptance(depth), 0.0)
