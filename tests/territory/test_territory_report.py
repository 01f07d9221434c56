"""Balance metrics by hand, and the scenario model for ``territories:``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from salessim.errors import SalessimError
from salessim.model.territory import TerritoryDesign, balance_report, territory_summary


def test_balance_report_by_hand():
    # Potentials 1,1 | 2,4 -> rep totals 2 and 6, mean 4, indices 0.5 and 1.5:
    # cv = sd(0.5, 1.5) / 1 = 0.5, max/min = 6/2 = 3, one rep over and one under at ±10%.
    # Against current [0,1,1,1] one account of four (potential 1 of 8) changed hands.
    acc = pd.DataFrame({"account": range(4), "potential": [1.0, 1.0, 2.0, 4.0]})
    r = balance_report(acc, [0, 0, 1, 1], current=[0, 1, 1, 1]).set_index(["metric", "measure"])["value"]
    assert r["cv", "potential"] == pytest.approx(0.5)
    assert r["max_min_ratio", "potential"] == pytest.approx(3.0)
    assert r["share_over", "potential"] == 0.5 and r["share_under", "potential"] == 0.5
    assert r["share_moved", "accounts"] == 0.25 and r["potential_moved", "potential"] == pytest.approx(1 / 8)


def test_summary_with_capacity_and_regions():
    # Region N: 6 hours over a 2:1 capacity split -> fair shares 4 and 2; region S: 4 hours, one rep.
    acc = pd.DataFrame({"account": range(4), "potential": [1.0, 1, 1, 1], "region": ["N", "N", "N", "S"],
                        "workload_hours": [2.0, 2, 2, 4]})
    s = territory_summary(acc, [0, 0, 1, 2], rep_capacity_hours=[200, 100, 100], rep_regions=["N", "N", "S"])
    np.testing.assert_allclose(s["workload_index"], [1.0, 1.0, 1.0])
    np.testing.assert_allclose(s["utilisation"], [4 / 200, 2 / 100, 4 / 100])
    assert list(s["status"]) == ["ok", "ok", "ok"]


def test_report_rejects_a_bad_assignment():
    acc = pd.DataFrame({"account": range(3), "potential": [1.0, 1, 1]})
    with pytest.raises(SalessimError, match="expected 3 integer rep indices"):
        balance_report(acc, [0, 1])


def test_territory_design_model():
    d = TerritoryDesign.model_validate({"strategy": "balanced_workload", "tolerance": 0.15})
    assert d.strategy == "balanced_workload" and d.balance_on == "workload"
    assert TerritoryDesign().strategy == "as_is"  # the placeholder's default
    with pytest.raises(ValidationError, match="strategy"):
        TerritoryDesign(strategy="random")
    with pytest.raises(ValidationError, match="Extra inputs"):
        TerritoryDesign.model_validate({"stratgy": "as_is"})
    with pytest.raises(ValidationError):
        TerritoryDesign(tolerance=1.5)
    with pytest.raises(ValidationError):
        d.tolerance = 0.2  # frozen


def test_coverage_by_hand():
    # Workloads 300 h and 100 h for 200 h reps: the first covers 2/3 of its work, the second all.
    # Potential covered = (3 x 2/3 + 1 x 1) / 4 = 0.75.
    acc = pd.DataFrame({"account": range(2), "potential": [3.0, 1.0], "workload_hours": [300.0, 100.0]})
    s = territory_summary(acc, [0, 1], rep_capacity_hours=[200, 200])
    np.testing.assert_allclose(s["coverage"], [2 / 3, 1.0])
    r = balance_report(acc, [0, 1], rep_capacity_hours=[200, 200]).set_index("metric")["value"]
    assert r["potential_covered"] == pytest.approx(0.75) and r["max_utilisation"] == pytest.approx(1.5)
