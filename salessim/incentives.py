"""The comp plan as the reps see it: one pay function per decision period.

The engine's reps decide from ``Incentive.pay(credited, quota)``: variable pay (currency) for
one plan period of ``period_months`` months, vectorised over reps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Incentive:
    """A pay function over one decision period, with the plan's base salary (currency per year)."""

    period_months: int
    base_salary: float
    pay: Callable[[np.ndarray, np.ndarray], np.ndarray]
    name: str = "plan"
