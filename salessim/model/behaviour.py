"""How reps respond to the plan they are on: pure decision rules the engine calls each week.

Every mechanism is switchable and every default is documented (see docs/behaviour.md for the
parameter table with sources). Money in the scenario currency, time in days, effort as a
multiplier of a rep's normal pace (1.0 = normal).

This module holds the behaviour *parameters*; the decisions are made from the value of the rest
of the plan year (:mod:`salessim.model.plan_year`, the whole plan priced by
:mod:`salessim.comp.valuation`), and discounts by :mod:`salessim.model.pricing`:

* **Effort** each week maximises pay (now and for the rest of the plan year, weighed by
  ``impatience``) minus a convex cost of effort (Misra & Nair 2011; Chung, Steenburgh & Sudhir
  2014): racing, giving up, coasting and pacing emerge from the plan's shape.
* **Deal timing** compares what a deal adds to the rep's plan-year value now and if it closes
  as due (Oyer 1998; Larkin 2014): pulled in at the discount the rep chooses, or pushed out.
* **Ratcheting**: next year's cost of beating quota is part of the year-end value (Leone, Misra &
  Zimmerman 2004), so reps hold back once safely above it.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field, model_validator

from salessim.inputs import Frozen, Probability
from salessim.model.deal_choice import DealChoice
from salessim.model.motivation import Motivation
from salessim.model.training import Training

Fraction = Probability


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
    impatience: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        0.65, description="annual rate at which pay due later weighs less than pay now: pay a quarter away "
        "weighs 85% (present bias; assumption, range 0.2-1.5: bonuses pull effort toward their deadline, "
        "Oyer 1998, Steenburgh 2008)"
    )
    complexity: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        0.15, description="attention lost per extra plan component: each of K components is weighted "
        "1 / (1 + complexity x (K - 1)) (seed deck: schemes too complex to understand; assumption)"
    )

    @model_validator(mode="after")
    def _order(self) -> Effort:
        if not self.min <= self.intrinsic <= self.max and self.intrinsic != 0:
            raise ValueError(f"intrinsic effort {self.intrinsic} must lie between min {self.min} and max {self.max}")
        return self

    def grid(self) -> np.ndarray:
        """The effort levels a rep compares: ``levels`` evenly from ``min`` to ``max``, plus the
        intrinsic effort when it falls between two of them. Effort costs (e - intrinsic)^2, so a
        rep with nothing at stake (a secured or hopeless bonus) works at the intrinsic effort;
        off the grid, its two neighbours would tie and rounding noise (which differs between
        CPUs) would pick one of them."""
        g = np.linspace(self.min, self.max, self.levels)
        if self.min <= self.intrinsic <= self.max:
            near = int(np.argmin(np.abs(g - self.intrinsic)))
            if abs(g[near] - self.intrinsic) < 1e-9:
                g[near] = self.intrinsic
            else:
                g = np.sort(np.append(g, self.intrinsic))
        return g


class Timing(Frozen):
    """Pulling deals into, or pushing them out of, the current period."""

    enabled: bool = True
    window_days: Annotated[float, Field(ge=1.0, le=45.0)] = Field(
        21.0, description="days before period end when deals may be moved (at most a quarter of the period)"
    )
    pull_horizon_days: Annotated[float, Field(ge=1.0, le=90.0)] = Field(
        45.0, description="how far into the next period a deal may be pulled from"
    )
    push_accept: Fraction = Field(0.3, description="chance a customer agrees to delay a signature (assumption)")
    push_loss: Fraction = Field(0.15, description="chance a customer walks away when a deal is pushed out (assumption)")
    hassle: Fraction = Field(
        0.25, description="minimum gain, as a share of what the deal pays at the market's variable rate "
        "(market variable pay x the deal's share of the rep's annual quota), that makes a move worth the "
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
    deal_choice: DealChoice = DealChoice()
