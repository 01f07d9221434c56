"""Time-to-event maths on whole days, with right-censoring (open deals) and competing outcomes.

CRM dates are whole days, so a deal closed on day ``d`` after creation closed somewhere in
``[d, d+1)`` (interval-censored) and a deal still open ``a`` days after creation is known to
last at least ``a`` days (right-censored). Everything is grouped by distinct day counts, so a
fit on 100,000 deals costs no more than one on a few thousand.

* :func:`aalen_johansen`: non-parametric cumulative incidence of two competing outcomes
  (won / lost, moved on / lost), giving a censoring-aware win rate and conditional medians.
* :func:`fit_duration`: one lognormal or gamma duration, censored, family chosen by AIC.
* :func:`fit_cycle`: mixture competing-risks model -- a deal is won with probability ``p``
  after a won-cycle ``T_w``, else lost after ``T_l``; open deals contribute
  ``p S_w(a) + (1-p) S_l(a)``. Lognormal and gamma fitted (scipy), chosen by AIC.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special

_TINY = 1e-300


def _counts(days: np.ndarray, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    days = np.asarray(days, dtype=np.int64)
    if weights is None:
        u, c = np.unique(days, return_counts=True)
        return u, c.astype(float)
    u, inv = np.unique(days, return_inverse=True)
    return u, np.bincount(inv, weights).astype(float)


# --------------------------------------------------------------------------- families


@dataclass(frozen=True)
class Family:
    """A two-parameter duration family on unconstrained parameters ``theta``."""

    name: str

    def cdf(self, t: np.ndarray, theta: np.ndarray) -> np.ndarray:
        t = np.maximum(np.asarray(t, dtype=float), 0.0)
        if self.name == "lognormal":
            mu, s = theta[0], np.exp(theta[1])
            with np.errstate(divide="ignore"):
                return special.ndtr((np.log(t) - mu) / s)
        k, scale = np.exp(theta[0]), np.exp(theta[1])
        with np.errstate(over="ignore", divide="ignore"):  # the optimiser may try extreme scales
            return special.gammainc(k, t / scale)

    def start(self, days: np.ndarray, w: np.ndarray) -> np.ndarray:
        x = days + 0.5
        m = np.average(np.log(x), weights=w)
        sd = max(np.sqrt(np.average((np.log(x) - m) ** 2, weights=w)), 0.05)
        if self.name == "lognormal":
            return np.array([m, np.log(sd)])
        mean = np.average(x, weights=w)
        var = max(np.average((x - mean) ** 2, weights=w), 1e-6)
        k = mean**2 / var
        return np.array([np.log(k), np.log(mean / k)])

    def quantile(self, q: float, theta: np.ndarray) -> float:
        if self.name == "lognormal":
            return float(np.exp(theta[0] + np.exp(theta[1]) * special.ndtri(q)))
        return float(special.gammaincinv(np.exp(theta[0]), q) * np.exp(theta[1]))

    def describe(self, theta: np.ndarray) -> dict[str, float]:
        """Parameters in the scenario's terms (days)."""
        if self.name == "lognormal":
            return {"median_days": float(np.exp(theta[0])), "sigma": float(np.exp(theta[1]))}
        k, scale = np.exp(theta[0]), np.exp(theta[1])
        return {"mean_days": float(k * scale), "cv": float(1 / np.sqrt(k))}


FAMILIES = (Family("lognormal"), Family("gamma"))


def _interval_loglik(fam: Family, theta: np.ndarray, days: np.ndarray, w: np.ndarray) -> float:
    p = fam.cdf(days + 1.0, theta) - fam.cdf(days, theta)
    return float(np.dot(w, np.log(np.maximum(p, _TINY))))


def _minimize(nll, x0: np.ndarray) -> optimize.OptimizeResult:
    res = optimize.minimize(nll, x0, method="L-BFGS-B")
    if not np.isfinite(res.fun):
        res = optimize.minimize(nll, x0, method="Nelder-Mead")
    return res


# --------------------------------------------------------------------------- one duration


@dataclass(frozen=True)
class DurationFit:
    """A censored duration fit: chosen family, parameters, AIC of every family tried."""

    family: str
    theta: tuple[float, ...]
    aic: dict[str, float]
    n_events: int
    n_censored: int

    @property
    def median_days(self) -> float:
        return Family(self.family).quantile(0.5, np.array(self.theta))

    def params(self) -> dict[str, float]:
        return Family(self.family).describe(np.array(self.theta))


def fit_duration(event_days: np.ndarray, censored_days: np.ndarray | None = None) -> DurationFit:
    """Fit lognormal and gamma to whole-day durations (``censored_days``: still running); pick by AIC."""
    ed, ew = _counts(event_days)
    cd, cw = _counts(censored_days if censored_days is not None else np.array([], dtype=np.int64))
    best: tuple[float, Family, np.ndarray] | None = None
    aic = {}
    for fam in FAMILIES:
        def nll(th: np.ndarray, fam: Family = fam) -> float:
            ll = _interval_loglik(fam, th, ed, ew)
            if len(cd):
                ll += float(np.dot(cw, np.log(np.maximum(1.0 - fam.cdf(cd, th), _TINY))))
            return -ll
        res = _minimize(nll, fam.start(ed, ew))
        aic[fam.name] = float(2 * 2 + 2 * res.fun)
        if best is None or aic[fam.name] < best[0]:
            best = (aic[fam.name], fam, res.x)
    assert best is not None
    return DurationFit(best[1].name, tuple(float(x) for x in best[2]), aic, int(ew.sum()), int(cw.sum()))


# --------------------------------------------------------------------------- competing risks


@dataclass(frozen=True)
class Incidence:
    """Aalen-Johansen cumulative incidence of outcome A and B over whole days."""

    days: np.ndarray
    cif_a: np.ndarray
    cif_b: np.ndarray
    n: int

    @property
    def share_a(self) -> float:
        """Eventual share of A among deals that end (A / (A + B) at the last follow-up day)."""
        a, b = self.cif_a[-1], self.cif_b[-1]
        return float(a / (a + b)) if a + b > 0 else float("nan")

    def median_a(self) -> float:
        """Median time to A among deals that end in A (from the conditional incidence), days."""
        if not len(self.days) or self.cif_a[-1] <= 0:
            return float("nan")
        i = int(np.searchsorted(self.cif_a / self.cif_a[-1], 0.5))
        return float(self.days[min(i, len(self.days) - 1)]) + 0.5


def aalen_johansen(days_a: np.ndarray, days_b: np.ndarray, censored: np.ndarray) -> Incidence:
    """Cumulative incidence of two competing outcomes with right-censoring (whole days).

    Events on day ``d`` happen before censorings on day ``d`` (a deal open ``d`` days was at risk).
    """
    n = len(days_a) + len(days_b) + len(censored)
    if n == 0:
        return Incidence(np.array([]), np.array([]), np.array([]), 0)
    top = int(max(np.max(days_a, initial=0), np.max(days_b, initial=0), np.max(censored, initial=0))) + 1
    a = np.bincount(np.asarray(days_a, np.int64), minlength=top)[:top].astype(float)
    b = np.bincount(np.asarray(days_b, np.int64), minlength=top)[:top].astype(float)
    c = np.bincount(np.asarray(censored, np.int64), minlength=top)[:top].astype(float)
    leaving = a + b + c
    at_risk = n - np.concatenate([[0.0], np.cumsum(leaving)[:-1]])
    with np.errstate(invalid="ignore", divide="ignore"):
        ha = np.where(at_risk > 0, a / at_risk, 0.0)
        hb = np.where(at_risk > 0, b / at_risk, 0.0)
    surv = np.cumprod(1.0 - ha - hb)
    before = np.concatenate([[1.0], surv[:-1]])
    return Incidence(np.arange(top), np.cumsum(before * ha), np.cumsum(before * hb), n)


@dataclass(frozen=True)
class CycleFit:
    """Mixture competing-risks fit of the sales cycle: win probability, won and lost cycles."""

    family: str
    win_rate: float
    won: tuple[float, ...]
    lost: tuple[float, ...]
    aic: dict[str, float]
    n_won: int
    n_lost: int
    n_open: int
    fits: dict[str, tuple[float, tuple[float, ...], tuple[float, ...]]] = field(default_factory=dict)
    """Every family tried: name -> (win probability, won theta, lost theta)."""

    @property
    def median_won_days(self) -> float:
        return Family(self.family).quantile(0.5, np.array(self.won))

    @property
    def median_lost_days(self) -> float:
        return Family(self.family).quantile(0.5, np.array(self.lost))

    def won_params(self) -> dict[str, float]:
        return Family(self.family).describe(np.array(self.won))

    def won_log_sd(self) -> float:
        """Log-scale sd of the won cycle (exact for lognormal; from the 16/84% quantiles for gamma)."""
        fam, th = Family(self.family), np.array(self.won)
        return float(np.log(fam.quantile(0.8413, th) / fam.quantile(0.1587, th)) / 2)


def fit_cycle(won_days: np.ndarray, lost_days: np.ndarray, open_ages: np.ndarray, p0: float | None = None) -> CycleFit:
    """Fit the mixture model (see the module docstring) for lognormal and gamma; best AIC wins."""
    wd, ww = _counts(won_days)
    ld, lw = _counts(lost_days)
    od, ow = _counts(open_ages)
    if ww.sum() < 2 or lw.sum() < 2:
        raise ValueError("need at least two won and two lost deals to fit the sales cycle")
    if p0 is None:
        p0 = ww.sum() / (ww.sum() + lw.sum())
    p0 = float(np.clip(p0, 1e-4, 1 - 1e-4))
    aic, best, fits = {}, None, {}
    for fam in FAMILIES:
        def nll(x: np.ndarray, fam: Family = fam) -> float:
            lp, l1p = -np.logaddexp(0, -x[0]), -np.logaddexp(0, x[0])
            tw, tl = x[1:3], x[3:5]
            ll = ww.sum() * lp + _interval_loglik(fam, tw, wd, ww)
            ll += lw.sum() * l1p + _interval_loglik(fam, tl, ld, lw)
            if len(od):
                s = np.exp(lp) * (1 - fam.cdf(od, tw)) + np.exp(l1p) * (1 - fam.cdf(od, tl))
                ll += float(np.dot(ow, np.log(np.maximum(s, _TINY))))
            return -ll
        x0 = np.concatenate([[special.logit(p0)], fam.start(wd, ww), fam.start(ld, lw)])
        res = _minimize(nll, x0)
        aic[fam.name] = float(2 * 5 + 2 * res.fun)
        fits[fam.name] = (float(special.expit(res.x[0])), tuple(map(float, res.x[1:3])), tuple(map(float, res.x[3:5])))
        if best is None or aic[fam.name] < aic[best[0].name]:
            best = (fam, res.x)
    fam, x = best
    return CycleFit(fam.name, float(special.expit(x[0])), tuple(map(float, x[1:3])), tuple(map(float, x[3:5])),
                    aic, int(ww.sum()), int(lw.sum()), int(ow.sum()), fits)
