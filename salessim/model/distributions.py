"""Duration distributions (days) for funnel stages, as pure, vectorised quantile functions.

Each distribution maps uniform draws ``u`` in (0, 1) to days through its quantile function,
so a deal's dice are drawn once and reused across compared scenarios (common random numbers).

``remaining(u, elapsed)`` draws the days *left* for a deal already ``elapsed`` days in the stage:
the inverse cdf on ``[F(elapsed), 1]`` (in survival/log space, so very old deals stay exact), the
conditional distribution a forecast from an open pipeline needs.
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator
from scipy import special

from salessim.inputs import Frozen

_DAYS = Annotated[float, Field(gt=0.0, le=3650.0)]


class _Dist(Frozen):
    """Base of the distributions (frozen, unknown keys are errors).

    Families give ``log_sf(t)`` (log survival, days ``t``) and ``isf_log(log_q)`` (the days whose
    survival is ``exp(log_q)``); ``cdf`` and ``remaining`` follow from them.
    """

    def cdf(self, t: np.ndarray) -> np.ndarray:
        """P(duration <= t days)."""
        return -np.expm1(self.log_sf(np.asarray(t, float)))

    def remaining(self, u: np.ndarray, elapsed: np.ndarray) -> np.ndarray:
        """Days left after ``elapsed`` days in the stage, for uniforms ``u`` in [0, 1): the
        duration conditioned on exceeding ``elapsed`` (survival ``S(elapsed) x (1 - u)``), minus
        ``elapsed``. Same ``u`` and ``elapsed`` 0 -> ``quantile(u)``."""
        e = np.maximum(np.asarray(elapsed, float), 0.0)
        u = np.asarray(u, float)
        log_q = self.log_sf(e) + np.log1p(-np.minimum(u, 1.0 - 1e-16))
        return np.maximum(self.isf_log(log_q) - e, 0.0)


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

    def log_sf(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, float)
        if self.sigma == 0:
            return np.where(t < self.median_days, 0.0, -np.inf)
        with np.errstate(divide="ignore"):
            z = (np.log(np.maximum(t, 0.0)) - np.log(self.median_days)) / self.sigma
        return special.log_ndtr(-z)

    def isf_log(self, log_q: np.ndarray) -> np.ndarray:
        return self.median_days * np.exp(-self.sigma * special.ndtri_exp(np.minimum(log_q, 0.0)))

    def remaining(self, u: np.ndarray, elapsed: np.ndarray) -> np.ndarray:
        if self.sigma == 0:  # always the median: what is left of it
            return np.broadcast_to(np.maximum(self.median_days - np.asarray(elapsed, float), 0.0), np.shape(u)).copy()
        return super().remaining(u, elapsed)


class Gamma(_Dist):
    """Gamma days with the given mean and coefficient of variation (sd / mean)."""

    dist: Literal["gamma"] = "gamma"
    mean_days: _DAYS
    cv: Annotated[float, Field(gt=0.0, le=5.0)] = 0.7

    def quantile(self, u: np.ndarray) -> np.ndarray:
        shape = 1.0 / self.cv**2
        return special.gammaincinv(shape, u) * (self.mean_days / shape)

    def log_sf(self, t: np.ndarray) -> np.ndarray:
        shape = 1.0 / self.cv**2
        with np.errstate(divide="ignore"):
            return np.log(special.gammaincc(shape, np.maximum(np.asarray(t, float), 0.0) * shape / self.mean_days))

    def remaining(self, u: np.ndarray, elapsed: np.ndarray) -> np.ndarray:
        """As the base, but past the float range of the survival (``S(elapsed)`` = 0) the gamma's
        tail is exponential with scale ``mean / shape``: those deals draw an exponential rest."""
        e = np.maximum(np.asarray(elapsed, float), 0.0)
        u = np.minimum(np.asarray(u, float), 1.0 - 1e-16)
        shape = 1.0 / self.cv**2
        scale = self.mean_days / shape
        q = special.gammaincc(shape, e / scale) * (1.0 - u)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = special.gammainccinv(shape, q) * scale
        return np.where(q > 0, np.maximum(t - e, 0.0), -scale * np.log1p(-u))


class Exponential(_Dist):
    """Exponential days with the given mean."""

    dist: Literal["exponential"] = "exponential"
    mean_days: _DAYS

    def quantile(self, u: np.ndarray) -> np.ndarray:
        return -self.mean_days * np.log1p(-u)

    def log_sf(self, t: np.ndarray) -> np.ndarray:
        return -np.maximum(np.asarray(t, float), 0.0) / self.mean_days

    def isf_log(self, log_q: np.ndarray) -> np.ndarray:
        return -self.mean_days * np.asarray(log_q, float)


class Fixed(_Dist):
    """Always the same number of days."""

    dist: Literal["fixed"] = "fixed"
    days: _DAYS

    def quantile(self, u: np.ndarray) -> np.ndarray:
        return np.full(np.shape(u), self.days)

    @property
    def mean_days(self) -> float:
        return self.days

    def log_sf(self, t: np.ndarray) -> np.ndarray:
        return np.where(np.asarray(t, float) < self.days, 0.0, -np.inf)

    def remaining(self, u: np.ndarray, elapsed: np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.maximum(self.days - np.asarray(elapsed, float), 0.0), np.shape(u)).copy()


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

    def cdf(self, t: np.ndarray) -> np.ndarray:
        """Linear between the table's points (a step where two points share a day: the upper p)."""
        p, d = np.array(self.p), np.array(self.days)
        t = np.asarray(t, float)
        i = np.clip(np.searchsorted(d, t, side="right"), 1, len(d) - 1)  # d[i-1] <= t < d[i]
        lo, hi = d[i - 1], d[i]
        w = np.clip(np.divide(t - lo, hi - lo, out=np.ones_like(t), where=hi > lo), 0.0, 1.0)
        return np.where(t >= d[-1], 1.0, np.where(t < d[0], 0.0, p[i - 1] + w * (p[i] - p[i - 1])))

    def remaining(self, u: np.ndarray, elapsed: np.ndarray) -> np.ndarray:
        """Inverse cdf on ``[F(elapsed), 1]``. The table ends at its last day: a deal older than
        that has no data beyond it and leaves the stage at once (0 days left)."""
        e = np.maximum(np.asarray(elapsed, float), 0.0)
        f = self.cdf(e)
        return np.maximum(self.quantile(f + np.asarray(u, float) * (1.0 - f)) - e, 0.0)


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

    def log_sf(self, t: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            lt = np.log(np.maximum(np.asarray(t, float), 0.0))[..., None]
            z = (lt - np.log(self.median_days)) / np.array(self.sigma)
            return special.logsumexp(np.log(self.weights) + special.log_ndtr(-z), axis=-1)

    def isf_log(self, log_q: np.ndarray) -> np.ndarray:
        """Bisection on log days (60 halvings) between the components' own ``isf`` at ``q``
        (the mixture's survival lies between theirs)."""
        lq = np.minimum(np.asarray(log_q, float), -1e-12)  # as ``quantile``: u within [1e-12, 1 - 1e-12]
        comp = np.log(self.median_days) - np.array(self.sigma) * special.ndtri_exp(lq)[..., None]
        lo, hi = comp.min(axis=-1), comp.max(axis=-1)
        for _ in range(60):
            mid = (lo + hi) / 2
            above = self.log_sf(np.exp(mid)) > lq
            lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
        return np.exp((lo + hi) / 2)


Duration = Annotated[Lognormal | Gamma | Exponential | Fixed | Empirical | LognormalMixture,
                     Field(discriminator="dist")]
