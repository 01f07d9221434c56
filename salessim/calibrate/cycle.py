"""The won-cycle distribution chosen by how well it fits the data, not only by AIC.

Candidates (days from created to won, whole days, open deals right-censored):

* ``lognormal`` and ``gamma``: the competing-risks mixture fit of :func:`~salessim.calibrate.survival.fit_cycle`;
* ``lognormal_mixture``: the same model with a two-lognormal won cycle (quick wins and a slower
  hump), fitted by maximum likelihood with the open deals censored;
* ``empirical``: the censoring-aware curve itself (Aalen-Johansen incidence of a win, conditional
  on winning) as a 101-point quantile table.

Each parametric candidate is compared with the data curve: Kolmogorov-Smirnov distance (largest
gap between the curves), Anderson-Darling distance (squared gaps weighted toward the tails, times
the won deals) and the P10-P90 quantiles side by side. A parametric candidate *fits* when its KS
distance is at most ``max(1.36 / sqrt(won deals), 0.03)`` (the 5% critical value, floored at a
practical 3 points); the best AIC among fitting ones is chosen, else the empirical curve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pydantic import TypeAdapter
from scipy import optimize, special

from salessim.calibrate.survival import FAMILIES, CycleFit, Family, _counts, aalen_johansen
from salessim.model.distributions import Duration, Empirical, Gamma, Lognormal, LognormalMixture

QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
KS_FLOOR = 0.03
GRID = np.linspace(0.0, 1.0, 101)


def won_curve(won: np.ndarray, lost: np.ndarray, open_ages: np.ndarray) -> np.ndarray:
    """Share of eventually-won deals won by the end of day ``d`` (index ``d``), censoring-aware."""
    inc = aalen_johansen(won, lost, open_ages)
    if not len(inc.days) or inc.cif_a[-1] <= 0:
        return np.array([])
    last = int(np.max(won)) + 1
    return inc.cif_a[:last] / inc.cif_a[last - 1]


def curve_quantile(curve: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Quantiles (days) of a whole-day curve, wins spread evenly within their day."""
    f = np.concatenate([[0.0], curve])  # f[t]: share won before day t
    q = np.asarray(q, float)
    i = np.clip(np.searchsorted(f, q, side="left"), 1, len(f) - 1)
    lo, hi = f[i - 1], f[i]
    return (i - 1) + np.where(hi > lo, (q - lo) / np.where(hi > lo, hi - lo, 1.0), 0.0)


def empirical_duration(curve: np.ndarray) -> Empirical:
    """The curve as a 101-point quantile table (the first point is the first day with a win)."""
    days = np.maximum.accumulate(np.round(curve_quantile(curve, GRID), 3))
    days[0] = float(np.argmax(curve > 0))
    return Empirical(p=[round(float(p), 2) for p in GRID], days=[float(d) for d in np.maximum.accumulate(days)])


# --------------------------------------------------------------------------- two-lognormal won cycle


def _mix_cdf(t: np.ndarray, th: np.ndarray) -> np.ndarray:
    w = special.expit(th[0])
    with np.errstate(divide="ignore"):
        lt = np.log(np.maximum(t, 0.0))
    return w * special.ndtr((lt - th[1]) / np.exp(th[2])) + (1 - w) * special.ndtr((lt - th[3]) / np.exp(th[4]))


def fit_mixture(won: np.ndarray, lost: np.ndarray, open_ages: np.ndarray, p0: float) -> tuple[float, np.ndarray, float]:
    """Win probability, won-cycle mixture parameters ``[logit w, mu1, log s1, mu2, log s2]`` and
    AIC of the competing-risks model with a two-lognormal won cycle and a lognormal lost cycle
    (interval-censored whole days; open deals contribute ``p S_w(a) + (1-p) S_l(a)``).
    Started from splits of the log won days at their 20th, 35th and 50th percentile."""
    wd, ww = _counts(won)
    ld, lw = _counts(lost)
    od, ow = _counts(open_ages)
    lfam = Family("lognormal")

    def nll(x: np.ndarray) -> float:
        lp, l1p = -np.logaddexp(0, -x[0]), -np.logaddexp(0, x[0])
        tw, tl = x[1:6], x[6:8]
        pw = _mix_cdf(wd + 1.0, tw) - _mix_cdf(wd, tw)
        pl = lfam.cdf(ld + 1.0, tl) - lfam.cdf(ld, tl)
        ll = ww.sum() * lp + np.dot(ww, np.log(np.maximum(pw, 1e-300)))
        ll += lw.sum() * l1p + np.dot(lw, np.log(np.maximum(pl, 1e-300)))
        if len(od):
            s = np.exp(lp) * (1 - _mix_cdf(od, tw)) + np.exp(l1p) * (1 - lfam.cdf(od, tl))
            ll += np.dot(ow, np.log(np.maximum(s, 1e-300)))
        return float(-ll)

    y = np.log(wd + 0.5)
    order = np.argsort(y)
    cum = np.cumsum(ww[order]) / ww.sum()
    best = None
    for split in (0.2, 0.35, 0.5):
        low = np.zeros(len(y), bool)
        low[order[cum <= split]] = True
        if not low.any() or low.all():
            continue
        parts = []
        for m in (low, ~low):
            mu = np.average(y[m], weights=ww[m])
            sd = max(np.sqrt(np.average((y[m] - mu) ** 2, weights=ww[m])), 0.1)
            parts += [mu, np.log(sd)]
        w = ww[low].sum() / ww.sum()
        x0 = np.concatenate([[special.logit(p0), special.logit(w)], parts, lfam.start(ld, lw)])
        res = optimize.minimize(nll, x0, method="L-BFGS-B")
        if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
            best = res
    if best is None:
        raise ValueError("cannot fit a two-component won cycle: all won deals share one duration")
    return float(special.expit(best.x[0])), best.x[1:6], float(2 * 8 + 2 * best.fun)


def mixture_duration(th: np.ndarray) -> LognormalMixture:
    w = float(np.clip(special.expit(th[0]), 1e-4, 1 - 1e-4))
    order = np.argsort([th[1], th[3]])
    comps = [(w, th[1], th[2]), (1 - w, th[3], th[4])]
    comps = [comps[i] for i in order]
    weights = [round(c[0], 6) for c in comps]
    weights[-1] = round(1.0 - weights[0], 6)
    return LognormalMixture(weights=weights, median_days=[round(float(np.clip(np.exp(c[1]), 0.05, 3650)), 4) for c in comps],
                            sigma=[round(float(np.clip(np.exp(c[2]), 0.01, 3.0)), 4) for c in comps])


# --------------------------------------------------------------------------- choice


@dataclass(frozen=True)
class WonCycle:
    """The chosen won-cycle distribution and the goodness-of-fit table of every candidate."""

    kind: str
    duration: dict
    candidates: pd.DataFrame  # kind, parameters, aic, ks, ad, P10..P90 (days), fits
    curve: np.ndarray  # data: share of won deals won by the end of each day
    n_won: int
    ks_tolerance: float

    def distribution(self) -> Any:
        """The chosen kind as an engine duration (``salessim.model.distributions``)."""
        return TypeAdapter(Duration).validate_python(self.duration)

    def quantile(self, q: float) -> float:
        return float(self.distribution().quantile(np.array([q]))[0])

    @property
    def median_days(self) -> float:
        return self.quantile(0.5)

    def data_quantile(self, q: float) -> float:
        return float(curve_quantile(self.curve, np.array([q]))[0])


def _distances(cdf_end: np.ndarray, curve: np.ndarray, n: int) -> tuple[float, float]:
    """KS and Anderson-Darling distances between a fitted CDF at the end of each day and the curve."""
    ks = float(np.max(np.abs(cdf_end - curve)))
    f = np.clip(cdf_end, 1e-6, 1 - 1e-6)
    df = np.diff(np.concatenate([[0.0], cdf_end]))
    ad = float(n * np.sum((curve - cdf_end) ** 2 / (f * (1 - f)) * df))
    return ks, ad


def _dur_quantiles(dur, qs=QUANTILES) -> list[float]:
    return [float(x) for x in dur.quantile(np.array(qs))]


def choose_won_cycle(cycle: CycleFit, won: np.ndarray, lost: np.ndarray, open_ages: np.ndarray) -> WonCycle:
    """Fit the mixture, measure every candidate against the data curve and choose (module docstring)."""
    curve = won_curve(won, lost, open_ages)
    n = len(won)
    days_end = np.arange(1, len(curve) + 1, dtype=float)
    rows = []
    for fam in FAMILIES:
        if fam.name not in cycle.fits:
            continue
        _, th, _ = cycle.fits[fam.name]
        par = fam.describe(np.array(th))
        dur = Lognormal(**par) if fam.name == "lognormal" else Gamma(**par)
        rows.append((fam.name, par, cycle.aic[fam.name], *_distances(fam.cdf(days_end, np.array(th)), curve, n), dur))
    if len(np.unique(won)) >= 3:
        _, th, aic = fit_mixture(won, lost, open_ages, cycle.win_rate)
        dur = mixture_duration(th)
        rows.append(("lognormal_mixture", dur.model_dump(exclude={"dist"}), aic,
                     *_distances(_mix_cdf(days_end, th), curve, n), dur))
    emp = empirical_duration(curve)
    rows.append(("empirical", {"points": len(emp.p)}, np.nan, 0.0, 0.0, emp))
    tol = max(1.36 / np.sqrt(max(n, 1)), KS_FLOOR)
    table = pd.DataFrame([{"kind": k, "parameters": par, "aic": aic, "ks": ks, "ad": ad,
                           **{f"P{int(q * 100)}": v for q, v in zip(QUANTILES, _dur_quantiles(dur), strict=True)}}
                          for k, par, aic, ks, ad, dur in rows])
    data_q = {f"P{int(q * 100)}": v for q, v in zip(QUANTILES, curve_quantile(curve, np.array(QUANTILES)), strict=True)}
    table = pd.concat([pd.DataFrame([{"kind": "data", "parameters": {}, "aic": np.nan, "ks": np.nan, "ad": np.nan,
                                      **data_q}]), table], ignore_index=True)
    table["fits"] = [None if k in ("data", "empirical") else bool(ks <= tol) for k, ks in zip(table["kind"], table["ks"],
                                                                                            strict=True)]
    fitting = table[table["fits"].eq(True)]
    kind = str(fitting.loc[fitting["aic"].idxmin(), "kind"]) if len(fitting) else "empirical"
    chosen = next(d for k, *_, d in rows if k == kind)
    table["chosen"] = table["kind"] == kind
    return WonCycle(kind, chosen.model_dump(mode="json"), table, curve, n, float(tol))
