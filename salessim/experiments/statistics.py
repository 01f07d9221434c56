"""The one confidence interval of the package: a t-interval over replications.

Every interval salessim reports (``Comparison.summary``, the notebook helpers, stress tests,
intervention ROI, the case study, the explorer) comes from :func:`confidence_interval`, at
:data:`LEVEL` unless the call gives another ``level``. Set ``LEVEL`` once to change the default
everywhere (``salessim.experiments.statistics.LEVEL = 0.9``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from salessim.errors import SalessimError

#: Default confidence level of every interval (two-sided).
LEVEL = 0.95

METHODS = ("t", "bootstrap", "wilson")


class Interval(NamedTuple):
    """Mean (or share) of ``n`` values, their standard deviation and the interval bounds, in the
    values' unit. Bounds are NaN with fewer than 2 values."""

    mean: float
    low: float
    high: float
    n: int
    sd: float


def confidence_interval(values: np.ndarray | list[float], baseline: np.ndarray | list[float] | None = None,
                        level: float | None = None, method: str = "t", n_resamples: int = 9999,
                        seed: int = 0) -> Interval:
    """Two-sided ``level`` (default :data:`LEVEL`) interval of the mean of ``values``, one per
    replication; with ``baseline`` (same length, same replications) of the paired differences
    ``values - baseline``. Non-finite values (and pairs with one) are left out.

    ``method``: ``"t"`` (Student t), ``"bootstrap"`` (scipy BCa bootstrap of the mean,
    ``n_resamples``, seeded by ``seed``), or ``"wilson"`` (Wilson score interval of a share:
    ``values`` are 0/1 hits). Values without spread give the exact interval ``[mean, mean]``.
    """
    level = LEVEL if level is None else float(level)
    if not 0 < level < 1:
        raise SalessimError(f"level: must be between 0 and 1, got {level}")
    if method not in METHODS:
        raise SalessimError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")
    x = np.asarray(values, dtype=float)
    if baseline is not None:
        x = x - np.asarray(baseline, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return Interval(np.nan, np.nan, np.nan, 0, np.nan)
    mean = float(x.mean())
    sd = float(x.std(ddof=1)) if n > 1 else np.nan
    if n < 2:
        return Interval(mean, np.nan, np.nan, n, sd)
    from scipy import stats  # imported here: scipy.stats costs ~0.4 s at package import

    if method == "wilson":
        z = stats.norm.ppf(0.5 + level / 2)
        centre = (mean + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(mean * (1 - mean) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
        return Interval(mean, float(max(centre - half, 0.0)), float(min(centre + half, 1.0)), n, sd)
    if np.all(x == x[0]):
        return Interval(mean, mean, mean, n, sd)
    if method == "bootstrap":
        boot = stats.bootstrap((x,), np.mean, confidence_level=level, n_resamples=n_resamples,
                               method="BCa", rng=np.random.default_rng(seed))
        return Interval(mean, float(boot.confidence_interval.low), float(boot.confidence_interval.high), n, sd)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n))
    return Interval(mean, mean - half, mean + half, n, sd)
