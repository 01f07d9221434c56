"""Duration distributions (days) for funnel stages, as pure, vectorised quantile functions.

Each distribution maps uniform draws ``u`` in (0, 1) to days through its quantile function,
so a deal's dice are drawn once and reused across compared scenarios (common random numbers).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator
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


class Empirical(_Dist):
    """Days read off a quantile table: ``days[i]`` at cumulative probability ``p[i]``, linear in
    between (a censoring-aware curve fitted to an export, e.g. a bimodal won cycle)."""

    dist: Literal["empirical"] = "empirical"
    p: list[Annotated[float, Field(ge=0.0, le=1.0)]] = Field(min_length=2)
    days: list[Annotated[float, Field(ge=0.0, le=3650.0)]] = Field(min_length=2)

    @model_validator(mode="after")
    def _table(self) -> Empirical:
        p, d = np.array(self.p), np.array(self.days)
        if len(p) != len(d):
            raise ValueError(f"p and days need the same length ({len(p)} vs {len(d)})")
        if p[0] != 0.0 or p[-1] != 1.0 or np.any(np.diff(p) <= 0):
            raise ValueError("p must increase strictly from 0 to 1")
        if np.any(np.diff(d) < 0) or d[-1] <= 0:
            raise ValueError("days must not decrease and must end above 0")
        return self

    def quantile(self, u: np.ndarray) -> np.ndarray:
        return np.interp(u, self.p, self.days)

    @property
    def mean_days(self) -> float:
        p, d = np.array(self.p), np.array(self.days)
        return float(np.sum(np.diff(p) * (d[1:] + d[:-1]) / 2))


class LognormalMixture(_Dist):
    """A finite mixture of lognormals: with probability ``weights[k]`` the days are
    ``median_days[k] * exp(sigma[k] * z)`` (e.g. quick wins and a slower main hump)."""

    dist: Literal["lognormal_mixture"] = "lognormal_mixture"
    weights: list[Annotated[float, Field(gt=0.0, le=1.0)]] = Field(min_length=1, max_length=5)
    median_days: list[_DAYS] = Field(min_length=1, max_length=5)
    sigma: list[Annotated[float, Field(gt=0.0, le=3.0)]] = Field(min_length=1, max_length=5)

    @model_validator(mode="after")
    def _components(self) -> LognormalMixture:
        if not len(self.weights) == len(self.median_days) == len(self.sigma):
            raise ValueError("weights, median_days and sigma need one entry per component")
        if abs(sum(self.weights) - 1.0) > 1e-6:
            raise ValueError(f"weights must sum to 1 (they sum to {sum(self.weights):.6f})")
        return self

    def cdf(self, t: np.ndarray) -> np.ndarray:
        lt = np.log(np.maximum(np.asarray(t, float), 1e-300))[..., None]
        z = (lt - np.log(self.median_days)) / np.array(self.sigma)
        return special.ndtr(z) @ np.array(self.weights)

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """Inverts the mixture CDF by bisection on log days (60 halvings: exact to float precision)
        between the smallest and largest component quantile."""
        u = np.clip(np.asarray(u, float), 1e-12, 1 - 1e-12)
        comp = np.log(self.median_days) + np.array(self.sigma) * special.ndtri(u)[..., None]
        lo, hi = comp.min(axis=-1), comp.max(axis=-1)
        for _ in range(60):
            mid = (lo + hi) / 2
            below = self.cdf(np.exp(mid)) < u
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        return np.exp((lo + hi) / 2)

    @property
    def mean_days(self) -> float:
        m, s = np.array(self.median_days), np.array(self.sigma)
        return float(np.dot(self.weights, m * np.exp(s**2 / 2)))


Duration = Annotated[Lognormal | Gamma | Exponential | Fixed | Empirical | LognormalMixture,
                     Field(discriminator="dist")]
