"""Censored fits: hand-checked competing-risks tables and seeded recovery of known parameters."""

from __future__ import annotations

import numpy as np
import pytest

from salessim.calibrate.survival import aalen_johansen, fit_cycle, fit_duration


def test_aalen_johansen_by_hand() -> None:
    # 4 deals: won on day 2, lost on day 1, lost on day 3, open (censored) at day 2.
    # Day 1: 4 at risk, 1 lost -> S = 3/4.  Day 2: 3 at risk, 1 won -> CIF_won = 3/4 * 1/3 = 1/4, S = 1/2.
    # The open deal leaves after day 2.  Day 3: 1 at risk, 1 lost -> CIF_lost = 1/4 + 1/2 * 1 = 3/4.
    inc = aalen_johansen(np.array([2]), np.array([1, 3]), np.array([2]))
    assert inc.cif_a[-1] == pytest.approx(0.25)
    assert inc.cif_b[-1] == pytest.approx(0.75)
    assert inc.share_a == pytest.approx(0.25)
    assert inc.median_a() == 2.5  # the only won deal closed during day 2


def test_aalen_johansen_without_censoring_is_the_plain_share() -> None:
    rng = np.random.default_rng(1)
    won, lost = rng.integers(0, 100, 37), rng.integers(0, 100, 63)
    assert aalen_johansen(won, lost, np.array([], dtype=int)).share_a == pytest.approx(0.37)


def test_censored_lognormal_duration_is_recovered() -> None:
    rng = np.random.default_rng(7)
    t = 20 * np.exp(0.5 * rng.standard_normal(20000))
    follow = rng.uniform(0, 60, t.size)  # half the deals still running at the snapshot
    done = t < follow
    fit = fit_duration(np.floor(t[done]).astype(int), np.floor(follow[~done]).astype(int))
    assert fit.family == "lognormal"
    assert fit.params()["median_days"] == pytest.approx(20, rel=0.03)
    assert fit.params()["sigma"] == pytest.approx(0.5, rel=0.05)
    naive = np.median(t[done])  # ignoring censoring is biased short
    assert naive < 18


def test_gamma_is_chosen_for_gamma_data() -> None:
    rng = np.random.default_rng(3)
    t = rng.gamma(shape=4.0, scale=10.0, size=20000)
    fit = fit_duration(np.floor(t).astype(int))
    assert fit.family == "gamma" and fit.aic["gamma"] < fit.aic["lognormal"]
    assert fit.params()["mean_days"] == pytest.approx(40, rel=0.03)


def test_mixture_cycle_recovers_win_rate_under_heavy_censoring() -> None:
    rng = np.random.default_rng(11)
    n = 30000
    won = rng.random(n) < 0.25
    t = np.where(won, 60 * np.exp(0.4 * rng.standard_normal(n)), 15 * np.exp(0.8 * rng.standard_normal(n)))
    follow = rng.uniform(0, 120, n)
    closed = t < follow
    d = np.floor(t).astype(int)
    fit = fit_cycle(d[closed & won], d[closed & ~won], np.floor(follow[~closed]).astype(int))
    assert fit.family == "lognormal"
    assert fit.win_rate == pytest.approx(0.25, abs=0.01)
    assert fit.median_won_days == pytest.approx(60, rel=0.03)
    assert (closed & won).sum() / closed.sum() < 0.2  # the closed-only rate is far off
