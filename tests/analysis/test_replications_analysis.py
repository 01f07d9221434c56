"""Replication sets, KPI summaries and paired differences."""

from __future__ import annotations

import pandas as pd
import pytest

import salessim
from salessim.analysis import kpi_summary, paired_kpi_differences, replicate, scale_scenario


def test_replications_are_reproducible_and_distinct(small):
    a, b = replicate(small, 3, seed=5), replicate(small, 3, seed=5)
    pd.testing.assert_frame_equal(a.kpis(), b.kpis())
    rev = a.kpis().query("kpi == 'revenue'")["value"]
    assert rev.nunique() == 3
    s = kpi_summary(a).set_index("kpi").loc["revenue"]
    assert s["n"] == 3 and s["ci_low"] < s["mean"] < s["ci_high"]
    assert s["mean"] == pytest.approx(rev.mean())


def test_identical_scenarios_differ_by_exactly_zero(small):
    """Common random numbers: the same scenario on the same seeds gives zero paired differences."""
    a, b = replicate(small, 2, seed=1), replicate(salessim.load_scenario(small), 2, seed=1)
    d = paired_kpi_differences(a, b)
    assert (d["difference"].fillna(0) == 0).all()
    assert (d["ci_low"].fillna(0) == 0).all() and (d["ci_high"].fillna(0) == 0).all()


def test_more_selling_hours_raise_revenue_in_pairs(small):
    base = replicate(small, 3, seed=2)
    more = replicate(salessim.load_scenario(small, org__weekly_hours=50), 3, seed=2)
    d = paired_kpi_differences(base, more, ["revenue", "leads"]).set_index("kpi")
    assert d.loc["revenue", "ci_low"] > 0
    # Same inbound lead arrivals (the dice are shared); only self-sourced leads may differ.
    for a, b in zip(base.results, more.results, strict=True):
        inbound = [r.deals[(r.deals["source"] == "inbound") & r.deals["created_day"].between(0, r.horizon_days, inclusive="left")]
                   for r in (a, b)]
        assert len(inbound[0]) == len(inbound[1])
        assert (inbound[0]["created_day"].to_numpy() == inbound[1]["created_day"].to_numpy()).all()
    assert d.loc["revenue", "relative"] == pytest.approx(d.loc["revenue", "difference"] / d.loc["revenue", "baseline"])


def test_pairs_need_the_same_seed_and_count(small):
    with pytest.raises(ValueError, match="same seed"):
        paired_kpi_differences(replicate(small, 2, seed=1), replicate(small, 2, seed=2))
    with pytest.raises(ValueError, match="unknown KPI"):
        paired_kpi_differences(replicate(small, 1, seed=1), replicate(small, 1, seed=1), ["bogus"])
    with pytest.raises(ValueError, match="at least 1"):
        replicate(small, 0)


def test_scale_scenario_keeps_the_per_rep_load(small):
    full = salessim.load_scenario(small, **{"org.reps": 100, "market.accounts": 2000, "market.leads_per_year": 60000})
    s = scale_scenario(full, 20)
    assert (s.org.reps, s.market.accounts, s.market.leads_per_year) == (20, 400, 12000)
    assert s.funnel == full.funnel and s.org.weekly_hours == full.org.weekly_hours
    # Org design head counts scale too: 8 specialists for 100 reps -> 1.6 -> 2 for 20 reps.
    m = salessim.load_scenario(full, **{"org.design.matrix.specialists": 8})
    assert scale_scenario(m, 20).org.design.matrix.specialists == 2
    assert scale_scenario(m, 5).org.design.matrix.specialists == 1  # never below one
