"""Fuzzing the input boundary: whatever a user writes, the answer is the project's own error or a
valid result, never another exception; accepted plans and performance tables give finite pay
that reconciles to the cent. Derandomized in CI (the "ci" profile of tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from salessim.calibrate.reader import DATE_RANGE, parse_amounts, parse_dates
from salessim.comp import load_plan, statements, summary
from salessim.comp.performance import read_performance
from salessim.errors import SalessimError
from salessim.inputs import limit, parse_value, read_yaml
from salessim.scenario import load_scenario
from tests.conftest import scenario_data
from tests.inputs.malformed import PERF, PLAN


def fuzz(examples: int) -> settings:
    """``examples`` cases (at least 500 over this module), on top of the loaded profile."""
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

numbers = st.one_of(st.integers(-10**30, 10**30), st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([0, 1, -1, 0.5, 8, 100, 1e-300, 1e300, 1e20, 2**63, True, False]))
scalars = st.one_of(numbers, st.none(), st.text(max_size=12),
                    st.sampled_from(["8%", "120%", "nan", "inf", "-inf", "yes", "2026-02-30", "2026-13", "", "1e400"]),
                    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                      max_leaves=10)

SCENARIO_PATHS = ["org.reps", "market.accounts", "market.leads_per_year", "market.seasonality", "market.seasonality.3",
                  "calendar.start_date", "calendar.horizon_months", "quota.annual_target", "funnel.stages.1.conversion",
                  "market.segments.0.share_of_accounts", "market.segments.0.deal_size.median", "seed", "plan",
                  "events", "org.weekly_hours", "behaviour", "org.skill", "customers", "name"]
PLAN_PATHS = [("pay", "ote"), ("pay", "mix"), ("pay", "base_salary"), ("components", 0, "rate"), ("components", 0, "cap"),
              ("components", 0, "cap", "year"), ("components", 0), ("measures", 0, "weight"), ("caps",), ("clawback",),
              ("draw",), ("period",), ("components", 0, "gate"), ("components", 0, "tiers")]
PERF_COLUMNS = ["credited", "quota", "employed_share", "period", "measure", "rep", "credit_share"]


def _finite_tree(obj) -> bool:
    if isinstance(obj, float):
        return math.isfinite(obj)
    if isinstance(obj, dict):
        return all(_finite_tree(v) for v in obj.values())
    if isinstance(obj, list | tuple):
        return all(_finite_tree(v) for v in obj)
    return True


def _set(data, path, value):
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def _reconciles(st_frame: pd.DataFrame) -> None:
    amounts = st_frame["amount"].to_numpy(float)
    assert np.isfinite(amounts).all()
    assert (np.abs(amounts) <= limit("money")).all()
    cents = np.rint(amounts * 100).astype(np.int64)
    totals = summary(st_frame, by="period")
    by_line = pd.Series(cents).groupby([st_frame["rep"].to_numpy(), st_frame["period"].to_numpy()]).sum()
    for row in totals.itertuples():
        assert round(row.total * 100) == by_line[(row.rep, row.period)]


@pytest.fixture(scope="module")
def midmarket() -> dict:
    return scenario_data("midmarket.yaml")


@pytest.fixture(scope="module")
def base_plan() -> dict:
    return read_yaml(PLAN)


@pytest.fixture(scope="module")
def performance() -> pd.DataFrame:
    return read_performance(PERF)


@seed(15)
@fuzz(200)
@given(st.text(max_size=60))
def test_yaml_text_reads_or_fails_cleanly(text) -> None:
    try:
        value = parse_value(text, "--set x")
    except SalessimError as e:
        assert str(e).startswith("--set x: ") and "\n" not in str(e)
        return
    yaml.safe_dump(value)  # plain data only: nothing constructed from a tag


@seed(15)
@fuzz(160)
@given(path=st.sampled_from(SCENARIO_PATHS), value=values)
def test_scenario_fields_load_or_fail_cleanly(midmarket, path, value) -> None:
    try:
        scenario = load_scenario(midmarket, **{path: value})
    except SalessimError as e:
        assert "\n" not in str(e)
        return
    data = scenario.to_dict()
    assert _finite_tree(data)
    assert scenario.org.reps <= limit("reps") and scenario.market.accounts <= limit("accounts")
    assert not isinstance(value, bool) or path not in ("org.reps", "market.accounts", "seed")


@seed(15)
@fuzz(100)
@given(path=st.sampled_from(PLAN_PATHS), value=values)
def test_plans_load_and_pay_or_fail_cleanly(base_plan, performance, path, value) -> None:
    import copy

    data = copy.deepcopy(base_plan)
    try:
        _set(data, path, value)
    except (KeyError, IndexError, TypeError):
        return
    try:
        plan = load_plan(data)
        frame = statements(plan, performance)
    except SalessimError as e:
        assert "\n" not in str(e)
        return
    _reconciles(frame)


@seed(15)
@fuzz(50)
@given(column=st.sampled_from(PERF_COLUMNS), row=st.integers(0, 40), value=scalars)
def test_performance_tables_pay_or_fail_cleanly(performance, column, row, value) -> None:
    perf = performance.copy()
    perf[column] = perf[column].astype(object)
    perf.loc[row, column] = value
    try:
        frame = statements(load_plan(PLAN), perf)
    except SalessimError as e:
        assert "\n" not in str(e)
        return
    _reconciles(frame)


amount_texts = st.one_of(st.text(max_size=15), st.from_regex(r"-?[\d.,]{1,9}\s?(k|M|万|亿|bn|e\d{1,3})?", fullmatch=True),
                         st.floats(allow_nan=True, allow_infinity=True).map(str))


@seed(15)
@fuzz(60)
@given(st.lists(amount_texts, min_size=1, max_size=8), st.lists(st.text(max_size=12), min_size=1, max_size=4))
def test_crm_amounts_and_dates_parse_or_stay_missing(amounts, dates) -> None:
    parsed = parse_amounts(pd.Series(amounts, dtype=str)).to_numpy(float)
    assert np.isfinite(parsed[~np.isnan(parsed)]).all()
    when = parse_dates(pd.Series(dates, dtype=str)).dropna()
    assert ((when >= DATE_RANGE[0]) & (when <= DATE_RANGE[1])).all()
