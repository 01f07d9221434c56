"""Comparison.summary: means, CIs and paired differences, checked against hand computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salessim import SalessimError
from salessim.experiments import Comparison


def comparison(values: dict[str, list[float]], kpi: str = "revenue", unit: str = "USD",
               baseline: str = "base") -> Comparison:
    rows = [(sc, i, kpi, v, unit) for sc, vs in values.items() for i, v in enumerate(vs)]
    kpis = pd.DataFrame(rows, columns=["scenario", "replication", "kpi", "value", "unit"])
    kpis["scenario"] = pd.Categorical(kpis["scenario"], categories=list(values))
    return Comparison(kpis=kpis, baseline=baseline)


def test_paired_t_table_by_hand() -> None:
    c = comparison({"base": [10, 12, 14], "new": [11, 14, 15]})
    s = c.summary().set_index("scenario")
    # base: mean 12, sd 2, se 2/sqrt(3) = 1.154701, t(0.975, df 2) = 4.302653
    #       half-width 4.302653 * 1.154701 = 4.968275 -> [7.031725, 16.968275]
    assert s.loc["base", "mean"] == pytest.approx(12)
    assert s.loc["base", "sd"] == pytest.approx(2)
    assert s.loc["base", ["ci_low", "ci_high"]].tolist() == pytest.approx([7.031725, 16.968275], abs=1e-6)
    assert np.isnan(s.loc["base", "diff"])
    # new - base per replication: d = [1, 2, 1]; mean 4/3; sd sqrt(((1/3)^2 + (2/3)^2 + (1/3)^2) / 2)
    #   = sqrt(1/3) = 0.577350; se = 0.577350 / sqrt(3) = 1/3; half-width 4.302653 / 3 = 1.434218
    #   -> CI [-0.100885, 2.767551]: includes 0, not significant; t = (4/3) / (1/3) = 4, p = 0.057191
    assert s.loc["new", "diff"] == pytest.approx(4 / 3)
    assert s.loc["new", ["diff_low", "diff_high"]].tolist() == pytest.approx([-0.100885, 2.767551], abs=1e-6)
    assert s.loc["new", "diff_pct"] == pytest.approx((4 / 3) / 12)
    assert s.loc["new", "p_value"] == pytest.approx(0.057191, abs=1e-6)
    assert not s.loc["new", "significant"]
    assert s.loc["new", "n"] == 3


def test_pairing_beats_independent_interval_when_replications_move_together() -> None:
    # Both scenarios swing with the replication (common dice) but new is always 5 higher.
    base = [100.0, 140.0, 90.0, 160.0, 120.0]
    c = comparison({"base": base, "new": [b + 5 + e for b, e in zip(base, [0.5, -0.5, 0.2, -0.2, 0.0], strict=True)]})
    s = c.summary().set_index("scenario")
    width_diff = s.loc["new", "diff_high"] - s.loc["new", "diff_low"]
    width_mean = s.loc["new", "ci_high"] - s.loc["new", "ci_low"]
    assert s.loc["new", "diff"] == pytest.approx(5.0)
    assert s.loc["new", "significant"]
    assert width_diff < width_mean / 50


def test_constant_difference_has_an_exact_interval() -> None:
    s = comparison({"base": [1.0, 2.0, 3.0], "new": [3.0, 4.0, 5.0], "same": [1.0, 2.0, 3.0]}).summary()
    s = s.set_index("scenario")
    assert s.loc["new", ["diff", "diff_low", "diff_high"]].tolist() == [2.0, 2.0, 2.0]
    assert s.loc["new", "significant"]
    assert s.loc["same", ["diff", "diff_low", "diff_high"]].tolist() == [0.0, 0.0, 0.0]
    assert not s.loc["same", "significant"]


def test_nan_replications_are_left_out_of_the_pair() -> None:
    s = comparison({"base": [1.0, np.nan, 3.0, 5.0], "new": [2.0, 2.0, np.nan, 7.0]}).summary().set_index("scenario")
    assert s.loc["base", "n"] == 3 and s.loc["new", "n"] == 3
    # pairs: replications 0 and 3 only -> d = [1, 2], mean 1.5
    assert s.loc["new", "diff"] == pytest.approx(1.5)


def test_bootstrap_interval_is_seeded_and_close_to_t() -> None:
    rng = np.random.default_rng(3)
    base = rng.normal(100, 10, 40)
    c = comparison({"base": list(base), "new": list(base + rng.normal(2, 1, 40))})
    b1 = c.summary(method="bootstrap").set_index("scenario").loc["new"]
    b2 = c.summary(method="bootstrap").set_index("scenario").loc["new"]
    t = c.summary(method="t").set_index("scenario").loc["new"]
    assert (b1["diff_low"], b1["diff_high"]) == (b2["diff_low"], b2["diff_high"])
    assert b1["diff_low"] == pytest.approx(t["diff_low"], abs=0.15)
    assert b1["diff_high"] == pytest.approx(t["diff_high"], abs=0.15)


def test_summary_argument_errors() -> None:
    c = comparison({"base": [1.0, 2.0], "new": [2.0, 3.0]})
    with pytest.raises(SalessimError, match="kpis: unknown KPI 'profit'"):
        c.summary(kpis=["profit"])
    with pytest.raises(SalessimError, match="level"):
        c.summary(level=95)
    with pytest.raises(SalessimError, match="method"):
        c.summary(method="z")


def test_table_formats_units() -> None:
    c = comparison({"base": [0.20, 0.22, 0.24], "new": [0.21, 0.24, 0.25]}, kpi="win rate", unit="%")
    text = c.table()
    assert "win rate (%)" in text
    assert "22.0%" in text  # base mean
    assert "+1.3pp" in text  # paired difference 4/3 pp


def test_kpi_missing_in_one_scenario_gives_nan_not_an_error() -> None:
    # e.g. a scenario whose funnel has no "demo" stage has no demo conversion KPI
    rows = [("base", 0, "demo", 0.5, "%"), ("base", 1, "demo", 0.6, "%"),
            ("base", 0, "revenue", 1.0, "USD"), ("base", 1, "revenue", 2.0, "USD"),
            ("lean", 0, "revenue", 2.0, "USD"), ("lean", 1, "revenue", 3.0, "USD")]
    kpis = pd.DataFrame(rows, columns=["scenario", "replication", "kpi", "value", "unit"])
    kpis["scenario"] = pd.Categorical(kpis["scenario"], categories=["base", "lean"])
    s = Comparison(kpis=kpis, baseline="base").summary().set_index(["kpi", "scenario"])
    assert s.loc[("demo", "lean"), "n"] == 0 and np.isnan(s.loc[("demo", "lean"), "mean"])
    assert s.loc[("revenue", "lean"), "diff"] == 1.0
