"""How reps respond to the plan they are on: pure decision rules the engine calls each week.

Every mechanism is switchable and every default is documented (see docs/behaviour.md for the
parameter table with sources). Money in the scenario currency, time in days, effort as a
multiplier of a rep's normal pace (1.0 = normal).

The rules are deliberately simple and transparent, so that the consequences the research reports
*emerge* from them rather than being hard-coded:

* **Effort** maximises expected pay minus a convex cost of effort (Misra & Nair 2011; Chung,
  Steenburgh & Sudhir 2014). Under a cap the marginal pay is zero → reps coast; with a threshold
  out of reach it is near zero → reps give up; near a bonus threshold it is large → reps push.
* **Deal timing** compares what a deal pays now with what it would pay next period (Oyer 1998;
  Larkin 2014): deals are pulled in (with a discount) or pushed out when that pays more.
* **Ratcheting**: a forward-looking rep counts that every unit sold above quota raises next
  year's quota (Leone, Misra & Zimmerman 2004) and holds back once safely above it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import numpy as np
from pydantic import Field, model_validator

from salessim.inputs import Frozen
from salessim.model.motivation import Motivation
from salessim.model.training import Training

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
PayFunction = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
"""``pay(credited, quota, reps) -> variable pay`` (currency) for one plan period: row ``i`` of
``credited`` (any trailing shape) is rep ``reps[i]``'s credit against ``quota[i]``."""

# Gauss-Hermite nodes/weights for E[f(Z)], Z ~ N(0, 1): 15 points, so step bonuses are smooth enough.
_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(15)
_GH_W = _GH_W / _GH_W.sum()


class Effort(Frozen):
    """Weekly effort choice (multiplier of normal pace)."""

    enabled: bool = True
    intrinsic: Fraction = Field(0.8, description="effort on salary alone (people work without commission too)")
    min: Annotated[float, Field(gt=0.0, le=1.0)] = 0.6
    max: Annotated[float, Field(ge=1.0, le=3.0)] = 1.4
    levels: int = Field(11, ge=3, le=41, description="effort levels the rep compares")
    win_elasticity: Annotated[float, Field(ge=0.0, le=2.0)] = Field(
        0.2, description="overall win probability x effort^elasticity (better preparation, follow-up)"
    )
    speed_elasticity: Annotated[float, Field(ge=0.0, le=2.0)] = Field(
        0.3, description="deals progress effort^elasticity times faster (chasing signatures at quarter end)"
    )
    prospecting_leads_per_week: Annotated[float, Field(ge=0.0)] = Field(
        1.5, description="self-sourced leads per rep-week at effort 1 (on top of inbound leads)"
    )

    @model_validator(mode="after")
    def _order(self) -> Effort:
        if not self.min <= self.intrinsic <= self.max and self.intrinsic != 0:
            raise ValueError(f"intrinsic effort {self.intrinsic} must lie between min {self.min} and max {self.max}")
        return self

    def grid(self) -> np.ndarray:
        return np.linspace(self.min, self.max, self.levels)


class Timing(Frozen):
    """Pulling deals into, or pushing them out of, the current period."""

    enabled: bool = True
    window_days: Annotated[float, Field(ge=1.0, le=45.0)] = Field(
        21.0, description="days before period end when deals may be moved (at most a quarter of the period)"
    )
    pull_horizon_days: Annotated[float, Field(ge=1.0, le=90.0)] = Field(
        45.0, description="how far into the next period a deal may be pulled from"
    )
    pull_discount: Fraction = Field(0.08, description="price cut a customer gets for closing early (Larkin 2014)")
    push_accept: Fraction = Field(0.3, description="chance a customer agrees to delay a signature (assumption)")
    push_loss: Fraction = Field(0.15, description="chance a customer walks away when a deal is pushed out (assumption)")
    hassle: Fraction = Field(
        0.25, description="minimum gain, as a share of what the deal pays, that makes a move worth the "
        "customer's and the manager's displeasure (assumption)"
    )


class Ratchet(Frozen):
    """Forward-looking reps under quotas that follow results (sandbagging)."""

    enabled: bool = True
    weight: Fraction = Field(0.5, description="next quota rise per unit sold above this one (Leone, Misra & Zimmerman 2004)")
    foresight: Fraction = Field(0.8, description="how much of next year's pay a rep weighs today")


class MarketPay(Frozen):
    """What the rep could earn elsewhere: anchors effort cost and quitting."""

    ote: Annotated[float, Field(gt=0.0)] = Field(150_000, description="on-target earnings per year (currency)")
    variable_share: Annotated[float, Field(gt=0.0, lt=1.0)] = Field(
        0.4, description="60:40 base:variable is the US average (Zoltners, Sinha & Lorimer; secondary)"
    )

    @property
    def variable(self) -> float:
        return self.ote * self.variable_share


class Team(Frozen):
    """Team incentives: a team/pool award makes reps help colleagues of their region."""

    enabled: bool = True
    help_share: Fraction = Field(
        0.5, description="share of a rep's spare hours given to the region's waiting deals under a team award "
        "(assumption; seed deck: ignoring team incentives breeds internal competition)"
    )


class Settings(Frozen):
    """All behaviour switches; ``enabled: false`` gives reps who sell the same under any plan."""

    enabled: bool = True
    effort: Effort = Effort()
    timing: Timing = Timing()
    ratchet: Ratchet = Ratchet()
    market_pay: MarketPay = MarketPay()
    team: Team = Team()
    training: Training = Training()
    motivation: Motivation = Motivation()


# ----------------------------------------------------------------------------- effort


def choose_effort(
    pay: PayFunction,
    booked: np.ndarray,
    expected_rest: np.ndarray,
    quota: np.ndarray,
    days_left: np.ndarray,
    expected_deals: np.ndarray,
    market: MarketPay,
    effort: Effort,
    ratchet_penalty: np.ndarray | None = None,
    perceived_elasticity: float = 1.0,
) -> np.ndarray:
    """Each rep's effort for the coming week: argmax of expected pay minus the cost of effort.

    ``booked`` is credited so far in the decision period, ``expected_rest`` what the rep expects
    to add by its end at normal effort (``expected_deals`` deals), ``days_left`` the days remaining.
    Uncertainty about the rest is lognormal with sd ``1 / sqrt(1 + expected deals)`` (15-point
    Gauss-Hermite). The cost of effort is quadratic above the intrinsic
    level, scaled so that a linear plan paying the market's variable pay at target gives effort 1.
    ``ratchet_penalty`` (currency per unit above quota) is subtracted for forward-looking reps.
    """
    grid = effort.grid()
    n = len(booked)
    rest = np.maximum(expected_rest, 0.0)
    shock = lognormal_nodes(expected_deals)  # (n, k)
    scale = grid[None, :, None] ** perceived_elasticity  # (1, L, 1)
    credited = booked[:, None, None] + rest[:, None, None] * scale * shock[:, None, :]  # (n, L, k)
    paid = pay(credited, quota, np.arange(n))
    if ratchet_penalty is not None:
        paid = paid - ratchet_penalty[:, None, None] * np.maximum(credited - quota[:, None, None], 0.0)
    expected = paid @ _GH_W  # (n, L)
    span = max(1.0 - effort.intrinsic, 1e-6)
    # cost of effort over the days left: market variable pay x time share x quadratic penalty
    # (below the intrinsic level the cost is the discomfort of idling: people work on salary too)
    cost = market.variable * (days_left[:, None] / 365.25) * (grid[None, :] - effort.intrinsic) ** 2 / (2 * span)
    best = np.argmax(expected - cost, axis=1)
    return grid[best] if n else np.empty(0)


# ----------------------------------------------------------------------------- deal timing


def lognormal_nodes(expected_deals: np.ndarray) -> np.ndarray:
    """Multiplicative shocks (mean 1) at the Gauss-Hermite nodes, sd ``1/sqrt(1 + deals)``."""
    sd = 1.0 / np.sqrt(1.0 + np.maximum(expected_deals, 0.0))
    return np.exp(sd[:, None] * _GH_X[None, :] - sd[:, None] ** 2 / 2)


def expected_marginal_pay(
    pay: PayFunction,
    booked: np.ndarray,
    expected_rest: np.ndarray,
    expected_deals: np.ndarray,
    quota: np.ndarray,
    amount: np.ndarray,
    reps: np.ndarray,
) -> np.ndarray:
    """Expected extra pay (currency) for rep ``reps[i]`` from crediting ``amount[i]`` in a period
    where they have ``booked[i]`` so far and expect ``expected_rest[i]`` more (uncertain, see
    :func:`choose_effort`)."""
    end = booked[:, None] + np.maximum(expected_rest, 0.0)[:, None] * lognormal_nodes(expected_deals)
    gain = pay(end + amount[:, None], quota, reps) - pay(end, quota, reps)
    return gain @ _GH_W


def timing_moves(
    value_now: np.ndarray,
    value_now_discounted: np.ndarray,
    value_later: np.ndarray,
    amount: np.ndarray,
    closes_this_period: np.ndarray,
    timing: Timing,
) -> tuple[np.ndarray, np.ndarray]:
    """Which candidate deals to pull in and which to push out.

    A deal due next period is *pulled in* when its discounted amount pays more now than the full
    amount pays later; a deal due this period is *pushed out* when it pays more next period, even
    allowing for the customer walking away (``push_loss``). Both need a gain above ``hassle``.
    """
    hassle = timing.hassle * np.maximum(value_now, value_later)
    pull = ~closes_this_period & (value_now_discounted - value_later > hassle)
    push = closes_this_period & ((1 - timing.push_loss) * value_later - value_now > np.maximum(hassle, 1e-9))
    return pull, push


def ratchet_penalty(on_target_rate: np.ndarray, ratchet: Ratchet) -> np.ndarray:
    """Future pay lost per unit sold above quota, as the rep weighs it today (currency per unit)."""
    return ratchet.weight * ratchet.foresight * on_target_rate
