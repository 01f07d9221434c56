"""The scenario explorer's model side and widgets (no browser)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

import salessim  # noqa: E402
from salessim.errors import SalessimError  # noqa: E402
from salessim.ui.explorer import DEFAULT_PROVIDERS, Control, ScenarioExplorer  # noqa: E402

MIDMARKET = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "midmarket.yaml"


@pytest.fixture(scope="module")
def explorer():
    return ScenarioExplorer(MIDMARKET, replications=3, seed=0, reps=10)


def test_starts_at_today_with_zero_differences(explorer):
    assert explorer.base.org.reps == 10
    d = explorer.differences.set_index("kpi")
    assert d.loc["revenue", "difference"] == 0
    assert explorer.headline().startswith("No clear revenue change: +0.0%")


def test_controls_map_to_scenario_overrides(explorer):
    keys = [c.key for c in explorer.controls]
    assert keys[:5] == ["headcount", "weekly_hours", "lead_volume", "slip_loss", "hiring_freeze"]
    assert keys[5:10] == [f"conversion_{i}" for i in range(5)]
    assert keys[10:] == ["plan", "structure"]
    explorer.values.update(headcount=1.5, lead_volume=2.0, conversion_0=0.5)
    try:
        v = explorer.variant_scenario()
    finally:
        explorer.values.update(headcount=1.0, lead_volume=1.0, conversion_0=0.35)
    assert v.org.reps == 15
    assert v.market.leads_per_year == pytest.approx(explorer.base.market.leads_per_year * 2)
    assert v.funnel.stages[0].conversion == 0.5


@pytest.mark.slow  # several re-simulations of the explorer's replication set
def test_fewer_selling_hours_lower_revenue_and_bad_input_is_shown(explorer):
    explorer.update(weekly_hours=15.0)
    assert explorer.headline().startswith("Revenue is") and "lower than today" in explorer.headline()
    previous = explorer.differences
    explorer.update(weekly_hours=100.0)  # above the scenario's limit of 80
    assert explorer.error and "org.weekly_hours" in explorer.error
    assert explorer.headline().startswith("Cannot simulate these settings:")
    assert explorer.differences is previous
    explorer.update(weekly_hours=35.0)
    assert explorer.error is None


@pytest.mark.slow  # several re-simulations of the explorer's replication set
def test_widget_builds_and_reset_restores_today(explorer):
    ui = explorer.widget
    assert ui is explorer.widget
    explorer._widgets["weekly_hours"].value = 20.0  # as a user would: triggers a re-run
    assert explorer.values["weekly_hours"] == 20.0 and "lower" in explorer._headline.value
    assert "<table" in explorer._table.value
    explorer._reset()
    assert explorer.values["weekly_hours"] == 35.0
    assert explorer.differences.set_index("kpi").loc["revenue", "difference"] == 0


@pytest.mark.slow  # several re-simulations of the explorer's replication set
def test_hiring_freeze_is_a_dropdown_that_reaches_the_scenario(explorer):
    explorer.update(hiring_freeze=True)
    try:
        assert explorer.variant.scenario.staffing.hiring.freeze is True
        assert explorer.error is None
    finally:
        explorer.update(hiring_freeze=False)
    control = next(c for c in explorer.controls if c.key == "hiring_freeze")
    assert control.widget().options == (("no: refill vacancies", False), ("yes: leave them open", True))


@pytest.mark.slow  # several re-simulations of the explorer's replication set
def test_plan_dropdown_offers_today_none_and_the_example_plans(explorer):
    plan = next(c for c in explorer.controls if c.key == "plan")
    labels = list(plan.options)
    assert labels[0] == f"today's plan: {explorer.full.plan.name}" and plan.value == explorer.full.plan
    assert labels[1] == "no comp plan (reps at their normal pace)"
    assert "linear commission (linear_commission)" in labels
    explorer.update(plan=None)
    try:
        assert explorer.error is None and explorer.variant.scenario.plan is None
        d = explorer.differences.set_index("kpi")
        assert pd.isna(d.loc["comp cost", "variant"]) and pd.isna(d.loc["comp cost", "difference"])
        assert d.loc["comp cost", "baseline"] > 0
        assert "comp cost" in explorer.comparison_table().to_html()
    finally:
        explorer.update(plan=plan.value)


def test_unknown_starting_change_is_an_error():
    with pytest.raises(SalessimError, match=r"unknown control\(s\) \['wekly_hours'\]"):
        ScenarioExplorer(MIDMARKET, replications=1, reps=5, changes={"wekly_hours": 40})


def test_modules_can_add_controls():
    def extra(scenario):
        return [Control("structure", "Org structure", "choice", "line", lambda v, b: {"org.structure": v},
                        options={"line": "line"})]

    e = ScenarioExplorer(MIDMARKET, replications=1, reps=5, providers=(*DEFAULT_PROVIDERS, extra))
    assert e.controls[-1].key == "structure"
    assert e.controls[-1].widget().options == (("line", "line"),)
    # explicit state: another explorer does not see the extra provider
    assert ScenarioExplorer(MIDMARKET, replications=1, reps=5).controls[-1].widget().options != (("line", "line"),)
    assert salessim.__version__
