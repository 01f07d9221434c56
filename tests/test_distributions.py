"""Duration quantile functions agree with scipy's distributions."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from salessim.model.distributions import Exponential, Fixed, Gamma, Lognormal

u_values = st.floats(min_value=1e-6, max_value=1 - 1e-6)


@settings(max_examples=200, deadline=None)
@given(u=u_values, median=st.floats(0.5, 400), sigma=st.floats(0.05, 2))
def test_lognormal(u, median, sigma) -> None:
    got = Lognormal(median_days=median, sigma=sigma).quantile(np.array([u]))[0]
    assert np.isclose(got, stats.lognorm(s=sigma, scale=median).ppf(u), rtol=1e-9)


@settings(max_examples=200, deadline=None)
@given(u=u_values, mean=st.floats(0.5, 400), cv=st.floats(0.1, 3))
def test_gamma(u, mean, cv) -> None:
    shape = 1 / cv**2
    got = Gamma(mean_days=mean, cv=cv).quantile(np.array([u]))[0]
    assert np.isclose(got, stats.gamma(a=shape, scale=mean / shape).ppf(u), rtol=1e-7)


@settings(max_examples=100, deadline=None)
@given(u=u_values, mean=st.floats(0.5, 400))
def test_exponential_and_fixed(u, mean) -> None:
    assert np.isclose(Exponential(mean_days=mean).quantile(np.array([u]))[0], stats.expon(scale=mean).ppf(u))
    assert Fixed(days=mean).quantile(np.array([u]))[0] == mean


def test_means() -> None:
    rng = np.random.default_rng(0)
    u = rng.random(200_000)
    for d in (Lognormal(median_days=10, sigma=0.6), Gamma(mean_days=10, cv=0.7), Exponential(mean_days=10)):
        assert np.isclose(d.quantile(u).mean(), d.mean_days, rtol=0.02)
