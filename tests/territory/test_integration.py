"""The new ``territories:`` / ``quota:`` models dropped into the scenario, and the whole chain
accounts -> territories -> quotas -> months on a scenario's market."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from salessim.inputs import format_validation_error
from salessim.model.quota import QuotaPlan, by_quarter, set_quotas, split_quota
from salessim.model.territory import TerritoryDesign, balance_report, design_territories
from salessim.scenario import Scenario


class NewScenario(Scenario):
    """What scenario.Scenario becomes once the lead swaps the placeholders for these models."""

    territories: TerritoryDesign = TerritoryDesign()
    quota: QuotaPlan = QuotaPlan()


def test_models_drop_into_the_scenario(midmarket_data):
    data = midmarket_data | {
        "territories": {"strategy": "min_disruption", "tolerance": 0.15, "balance_on": "workload"},
        "quota": {"strategy": "top_down", "annual_target": 3.0e7, "over_assignment": 0.05,
                  "region_targets": {"North": 7.5e6, "South": 7.5e6, "East": 7.5e6, "West": 7.5e6}},
    }
    sc = NewScenario.model_validate(data)
    assert sc.territories.strategy == "min_disruption" and sc.quota.over_assignment == 0.05
    assert NewScenario.model_validate(midmarket_data).territories == TerritoryDesign()  # defaults as before
    data["quota"]["region_targets"]["West"] = 7.0e6
    with pytest.raises(ValidationError) as e:
        NewScenario.model_validate(data)
    assert format_validation_error("midmarket.yaml", e.value) == (
        "midmarket.yaml: quota: region targets sum to 29,500,000.00 but the annual target is 30,000,000.00"
    )
    data["territories"]["strategy"] = "random"
    with pytest.raises(ValidationError) as e:
        NewScenario.model_validate(data)
    assert format_validation_error("midmarket.yaml", e.value).startswith("midmarket.yaml: territories.strategy: Input should be 'as_is'")


def test_market_to_monthly_quotas(small_market):
    acc, regions, sc = small_market
    n = len(regions)
    plan = QuotaPlan(strategy="top_down", annual_target=12_345_678.91, over_assignment=0.1)
    territory = design_territories(acc, n, "balanced_workload", rep_regions=regions)
    assert balance_report(acc, territory, n, rep_regions=regions)["value"].notna().all()
    potential = np.bincount(territory, acc["potential"], n)
    quotas = set_quotas(plan, n, potential=potential)
    months = split_quota(quotas.set_index("rep")["quota"], sc.market.seasonality, sc.calendar.fiscal_year_start_month)
    total = round(12_345_678.91 * 1.1 * 100)  # 1,358,024,680 cents
    assert int(np.round(quotas["quota"] * 100).sum()) == total
    assert int(np.round(months["quota"] * 100).sum()) == total
    assert int(np.round(by_quarter(months)["quota"] * 100).sum()) == total
