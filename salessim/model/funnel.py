"""The funnel's schema: ordered working stages, each with a conversion, a duration and rep hours."""

from __future__ import annotations

from pydantic import Field, model_validator

from salessim.inputs import Frozen, NonNegativeFloat, Probability
from salessim.model.distributions import Duration

#: Canonical B2B stage order; a funnel listing two of these must keep this relative order.
CANONICAL_STAGE_ORDER = {
    "lead": 0,
    "prospecting": 1,
    "qualification": 2,
    "needs analysis": 2,
    "discovery": 2,
    "demo": 3,
    "solution design": 3,
    "proposal": 4,
    "quote": 4,
    "proposal/quote": 4,
    "negotiation": 5,
    "contracting": 5,
}


OUTCOME_NAMES = {"closed won", "closed lost", "won", "lost", "closed"}


def _norm(name: str) -> str:
    return " ".join(name.replace("_", " ").lower().split())


class Stage(Frozen):
    """One working stage of the funnel."""

    name: str = Field(min_length=1)
    conversion: Probability = Field(description="probability a deal leaving the stage moves on")
    duration: Duration
    rep_hours: NonNegativeFloat = Field(description="rep hours of work the stage needs in total")


class Funnel(Frozen):
    """Ordered working stages; a deal that passes the last one is won, one that fails any is lost."""

    stages: list[Stage] = Field(min_length=1, max_length=20)
    slip_loss_per_week: Probability = Field(
        0.10, description="chance a deal the rep had no time for is lost, per week unworked"
    )

    @model_validator(mode="after")
    def _check(self) -> Funnel:
        names = [_norm(s.name) for s in self.stages]
        if len(set(names)) != len(names):
            raise ValueError(f"stage names must be unique, got {[s.name for s in self.stages]}")
        for n in names:
            if n in OUTCOME_NAMES:
                raise ValueError(
                    f"'{n}' is an outcome, not a working stage: list only open stages "
                    "(a deal passing the last stage is won)"
                )
        ranks = [(CANONICAL_STAGE_ORDER[n], n) for n in names if n in CANONICAL_STAGE_ORDER]
        for (r1, n1), (r2, n2) in zip(ranks, ranks[1:], strict=False):
            if r2 < r1:
                raise ValueError(f"stages out of order: '{n2}' must come before '{n1}'")
        return self

    @property
    def stage_names(self) -> list[str]:
        return [s.name for s in self.stages]

