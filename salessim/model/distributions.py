"""Duration distributions (days) for funnel stages, as pure, vectorised quantile functions.

Each distribution maps uniform draws ``u`` in (0, 1) to days through its quantile function,
so a deal's dice are drawn once and reused across compared scenarios (common random numbers).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field
from scipy import special

from salessim.inputs import Frozen

_DAYS = Annotated[float, Field(gt=0.0, le=3650.0)]


class _Dist(Frozen):
    """Base of the distributions (frozen, unknown keys are errors)."""


class Lognormal(_Dist):
    """Lognormal days: ``median_days * exp(sigma * z)``."""

    dist: Literal["lognormal"] = "lognormal"
    median_days: _DAYS
    sigma: Annotated[float, Field(ge=0.0, le=3.0)] = 0.6

    def quantile(self, u: np.ndarray) -> np.ndarray:
        return self.median_days * np.exp(self.sigma * special.ndtri(u))

    @property
    def mean_days(self) -> float:
        return float(self.median_days * np.exp(self.sigma**2 / 2))


class Gamma(_Dist):
    """Gamma days with the given mean and coefficient of variation (sd / mean)."""

    dist: Literal["gamma"] = "gamma"
    mean_days: _DAYS
    cv: Annotated[float, Field(gt=0.0, le=5.0)] = 0.7

    def quantile(self, u: np.ndarray) -> np.ndarray:
        shape = 1.0 / self.cv**2
        return special.gammaincinv(shape, u) * (self.mean_days / shape)


class Exponential(_Dist):
    """Exponential days with the given mean."""

    dist: Literal["exponential"] = "exponential"
    mean_days: _DAYS

    def quantile(self, u: np.ndarray) -> np.ndarray:
        return -self.mean_days * np.log1p(-u)


class Fixed(_Dist):
    """Always the same number of days."""

    dist: Literal["fixed"] = "fixed"
    days: _DAYS

    def quantile(self, u: np.ndarray) -> np.ndarray:
        return np.full(np.shape(u), self.days)

    @property
    def mean_days(self) -> float:
        return self.days


Duration = Annotated[Lognormal | Gamma | Exponential | Fixed, Field(discriminator="dist")]
