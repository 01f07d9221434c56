"""The one confidence interval: by hand, paired, the default level and its module constant."""

from __future__ import annotations

import numpy as np
import pytest

from salessim.errors import SalessimError
from salessim.experiments import statistics
from salessim.experiments.statistics import confidence_interval


def test_t_interval_hand_computed():
    # values 1, 2, 3, 4: mean 2.5, sd 1.29099, se 0.645497, t(0.975, 3) = 3.182446
    # half-width 2.054260 -> [0.445740, 4.554260]
    ci = confidence_interval(np.array([1.0, 2.0, 3.0, 4.0]))
    assert ci.mean == 2.5 and ci.n == 4
    assert (ci.low, ci.high) == pytest.approx((0.445740, 4.554260), abs=1e-6)
    one = confidence_interval([5.0])
    assert one.mean == 5.0 and np.isnan(one.low) and np.isnan(one.high)


def test_paired_drops_incomplete_pairs_and_no_spread_is_exact():
    ci = confidence_interval([2.0, np.nan, 5.0, 7.0], [1.0, 2.0, np.nan, 5.0])
    assert ci.n == 2 and ci.mean == 1.5  # pairs (2, 1) and (7, 5)
    same = confidence_interval([3.0, 4.0, 5.0], [1.0, 2.0, 3.0])
    assert (same.mean, same.low, same.high) == (2.0, 2.0, 2.0)


def test_the_module_level_is_the_default_of_every_call(monkeypatch):
    x = [1.0, 2.0, 3.0, 4.0]
    wide = confidence_interval(x)
    monkeypatch.setattr(statistics, "LEVEL", 0.9)
    narrow = confidence_interval(x)
    assert narrow.high - narrow.low < wide.high - wide.low
    assert narrow == confidence_interval(x, level=0.9)


def test_bootstrap_is_seeded_and_bad_arguments_are_errors():
    x = np.random.default_rng(1).normal(size=30)
    assert confidence_interval(x, method="bootstrap", seed=3) == confidence_interval(x, method="bootstrap", seed=3)
    with pytest.raises(SalessimError, match="level"):
        confidence_interval(x, level=95)
    with pytest.raises(SalessimError, match="method"):
        confidence_interval(x, method="z")
