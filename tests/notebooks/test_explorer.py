"""The scenario explorer's model side and widgets (no browser)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

import salessim  # noqa: E402
from salessim.errors import SalessimError  # noqa: E402
from salessim.scenario import load_scenario  # noqa: E402
from salessim.ui.explorer import (  # noqa: E402
    DEFAULT_PROVIDERS,
    MAX_SAVED,
    Control,
    ScenarioExplorer,
    format_change,
    format_value,
)

MIDMARKET = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "midmarket.yaml"


@pytest.fixture(scope="module")
def explorer(tmp_path_factory):
    return ScenarioExplorer(MIDMARKET, replications=3, seed=0, reps=10, save_to=tmp_path_factory.mktemp("saved"))


def test_starts_at_today_with_zero_differences(explorer):
    assert explorer.base.org.reps == 10 and explorer.factor == explorer.full.org.reps / 10
    assert explorer.untouched and explorer.variant is explorer.baseline  # no re-simulation
    d = explorer.differences.set_index("kpi")
    assert (d[["difference", "ci_low", "ci_high"]].dropna() == 0).all().all()
    assert explorer.headline().startswith("Today's settings: revenue $")
    assert set(explorer.comparison_frame()["change [95% CI]"]) <= {"no change", "n/a"}


def test_starting_value_of_every_control_is_the_scenario(explorer):
    values = {c.key: c.value for c in explorer.controls}
    assert values["weekly_hours"] == explorer.full.org.weekly_hours
    assert values["structure"] == explorer.full.org.structure and values["plan"] == explorer.full.plan
    assert values["headcount"] == 1.0 and values["lead_volume"] == 1.0


def test_totals_are_scaled_to_the_real_org_and_net_contribution_derived(explorer):
    copy = explorer.baseline.kpis().groupby("kpi")["value"].mean()
    d = explorer.differences.set_index("kpi")
    f = explorer.factor
    assert d.loc["revenue", "baseline"] == pytest.approx(copy["revenue"] * f)
    assert d.loc["management cost", "baseline"] == pytest.approx(copy["management cost"] * f)
    assert d.loc["average deal size", "baseline"] == pytest.approx(copy["average deal size"])  # per deal: not scaled
    assert d.loc["win rate (qualified)", "baseline"] == pytest.approx(copy["win rate (qualified)"])
    net = copy["revenue"] - copy["comp cost"] - copy["management cost"]
    assert d.loc["net contribution", "baseline"] == pytest.approx(net * f)
    assert f"×{f:g}" in explorer.intro() and "percentage points" in explorer.intro()


def test_rates_change_in_points_and_money_as_money():
    row = pd.Series({"kpi": "win rate", "unit": "%", "difference": -0.012, "ci_low": -0.02, "ci_high": -0.004,
                     "relative": -0.05})
    assert format_change(row, "USD") == "−1.2 pt [−2.0, −0.4]"
    cash = row.copy()
    cash.update({"unit": "USD", "difference": 1.5e6, "ci_low": -2e5, "ci_high": 3.2e6, "relative": 0.01})
    assert format_change(cash, "USD") == "+$1.5M [−$200.0K, +$3.2M] (+1.0%)"
    assert format_value(0.236, "%", "USD") == "23.6%" and format_value(66.2, "days", "USD") == "66 days"


def test_controls_map_to_scenario_overrides(explorer):
    keys = [c.key for c in explorer.controls]
    assert keys[:5] == ["headcount", "weekly_hours", "lead_volume", "slip_loss", "hiring_freeze"]
    assert keys[5:10] == [f"conversion_{i}" for i in range(5)]
    assert keys[10:] == ["plan", "equal_pay", "structure"]
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
    assert "Net contribution −$" in explorer.headline()
    cached = explorer.variant
    explorer.update(weekly_hours=15.0)
    assert explorer.variant is cached  # the same setting again: from the cache
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
    assert "<table" in explorer._table.value and " pt [" in explorer._table.value
    assert "net contribution" in explorer._money.value
    assert explorer.bottleneck is None  # the funnel is drawn on demand (one more simulation)
    explorer._show_funnel.value = True
    assert explorer.bottleneck.stage in explorer.base.funnel.stage_names
    explorer._show_funnel.value = False
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
    assert labels[0] == f"Today's plan ({explorer.full.plan.name})" and plan.value == explorer.full.plan
    assert labels[1] == "No comp plan (normal pace)"
    assert "Linear commission" in labels and not any("_" in label for label in labels)  # names, not file ids
    explorer.update(plan=None)
    try:
        assert explorer.error is None and explorer.variant.scenario.plan is None
        d = explorer.differences.set_index("kpi")
        assert pd.isna(d.loc["comp cost", "variant"]) and pd.isna(d.loc["comp cost", "difference"])
        assert d.loc["comp cost", "baseline"] > 0
        assert "comp cost" in explorer.comparison_table()
        assert pd.isna(d.loc["net contribution", "variant"])
    finally:
        explorer.update(plan=plan.value)


@pytest.mark.slow  # re-simulations of the explorer's replication set
def test_saved_scenarios_are_real_size_yaml_compared_side_by_side(explorer):
    names = ["Longer weeks", "Short weeks", "More leads", "Fewer leads"]
    settings = [{"weekly_hours": 45.0}, {"weekly_hours": 25.0}, {"lead_volume": 1.5}, {"lead_volume": 0.7}]
    try:
        for name, change in zip(names, settings, strict=True):
            explorer.update(**{"weekly_hours": 35.0, "lead_volume": 1.0, **change})
            saved = explorer.save(name)
        loaded = load_scenario(saved.path)
        assert loaded.name == "Fewer leads" and loaded.org.reps == explorer.full.org.reps  # the real org
        assert loaded.market.leads_per_year == pytest.approx(explorer.full.market.leads_per_year * 0.7)
        table = explorer.saved_frame()
        assert list(table.columns) == ["KPI", "today", *names[-MAX_SAVED:]]  # the oldest dropped out
        revenue = table.set_index("KPI").loc["revenue"]
        assert revenue["More leads"] != revenue["Fewer leads"]
        with pytest.raises(SalessimError, match="give the scenario a name"):
            explorer.save("  ")
    finally:
        explorer.update(weekly_hours=35.0, lead_volume=1.0)


def test_exported_reports_get_a_static_snapshot(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "Today's settings" in bundle["text/html"] and "<script" not in bundle["text/html"]


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


def test_equal_target_pay_rescales_the_chosen_plan_and_alone_changes_nothing(explorer):
    from salessim.comp.scaling import pay_at

    plan = next(c for c in explorer.controls if c.key == "plan")
    other = plan.options["Enterprise annual"]
    pay, quota = explorer.target_pay()
    assert pay == pytest.approx(pay_at(explorer.full.plan, quota)) and quota > 0
    assert pay_at(other, quota) != pytest.approx(pay, rel=0.01)  # the plan as designed pays differently
    try:
        explorer.update(equal_pay=True)  # the box alone: today's plan, nothing to rescale
        assert explorer.untouched and explorer.variant is explorer.baseline
        explorer.update(plan=other)
        matched = explorer.variant.scenario.plan
        assert matched.name == "enterprise annual (cost-matched)"
        assert pay_at(matched, quota) == pytest.approx(pay, abs=0.01)
        assert "scaled so a typical rep" in explorer.headline()
        assert explorer.full_scenario("x").plan == matched  # what a saved scenario gets
        explorer.update(equal_pay=False)
        assert explorer.variant.scenario.plan == other  # unticked: the plan as designed
    finally:
        explorer.update(plan=plan.value, equal_pay=False)
    assert explorer.untouched


def test_chinese_explorer_labels_narrative_and_table(tmp_path):
    from salessim.ui.i18n import untranslated

    e = ScenarioExplorer(MIDMARKET, replications=2, seed=0, reps=5, save_to=tmp_path, lang="zh")
    fixed = [c for c in e.controls if not c.label.startswith("Conversion: ")]
    assert untranslated([c.label for c in fixed]) == []
    options = [k for c in e.controls if c.key != "plan" for k in c.options]
    assert untranslated(options) == []
    assert e.headline().startswith("现状设置：年营收 $")
    frame = e.comparison_frame()
    assert list(frame.columns) == ["指标", "现状", "您的设置", "变化 [95% 置信区间]"]
    assert set(frame["变化 [95% 置信区间]"]) <= {"无变化", "无"} and "净贡献" in set(frame["指标"])
    widgets = e.widget and e._widgets
    assert widgets["weekly_hours"].description == "每位销售每周销售时间（小时）"
    assert widgets["plan"].options[0][0] == f"现行方案（{e.full.plan.name}）"
    e.update(weekly_hours=20.0)
    assert e.headline().startswith("营收") and "置信区间" in e.headline() and "个百分点" in "".join(e.comparison_frame()["变化 [95% 置信区间]"])
    ax = e.comparison_chart()
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "营收" and "相对现状的变化" in ax.get_title()
    assert "瓶颈在" in e.bottleneck_sentence(e.funnel_chart())
    summary = e.summary()
    assert summary.lang == "zh" and "营收" in summary.key_numbers[0][0]
    with pytest.raises(SalessimError, match="lang: expected one of en, zh"):
        ScenarioExplorer(MIDMARKET, replications=1, reps=5, lang="fr")
