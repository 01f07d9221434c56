"""The presentation layer: one minus sign, no -0, points for rate changes, no fake intervals."""

import math
from pathlib import Path

import pandas as pd
import pytest

from salessim.ui import formatting as f


@pytest.mark.parametrize(("value", "text"), [(999_960, "$1.0M"), (999.6, "$1.0K"), (-0.4, "$0"), (-1_250_000, "−$1.2M")])
def test_money_rounds_into_the_next_unit_and_has_one_minus(value, text):
    assert f.money(value) == text


def test_no_negative_zero_and_points_for_rate_changes():
    assert f.points(-0.00001) == "0.0 pt"
    assert f.points(0.012) == "+1.2 pt"
    assert f.percent(-0.00001) == "0.0%"
    assert f.value(0.02, "%", change=True) == "+2.0 pt"
    assert f.value(-5.0, "deals", change=True) == "−5"


def test_deterministic_quantities_have_no_interval():
    assert f.interval(200_000, 200_000, 200_000, "USD", change=True) == "+$200.00K"
    assert f.interval(0.36, 0.33, 0.39, "%") == "36.0% [33.0%, 39.0%]"
    assert f.interval(math.nan, math.nan, math.nan, "%") == f.MISSING


def test_unfavourable_tails_by_direction():
    assert f.unfavourable_tail("revenue") == "low"
    assert f.unfavourable_tail("cost of sales") == "high"
    assert f.unfavourable_tail("annual rep attrition") == "high"
    assert f.tail_quantile("cost of sales", 0.1) == pytest.approx(0.9)


def test_path_labels_are_readable():
    assert f.path_label("events.0.duration_factor") == "Event 1: duration"
    assert f.path_label("org.reps") == "Sales reps"
    assert "." not in f.path_label("market.segments.1.deal_size.median")


def test_text_table_has_no_index_nan_or_bools():
    frame = pd.DataFrame({"kpi": ["revenue", "cost of sales"], "value": [1.5e6, math.nan], "flag": [True, False]})
    text = f.text_table(f.format_frame(frame, {"value": "USD"}))
    assert "NaN" not in text and "True" not in text and "yes" in text
    assert text.splitlines()[0].startswith("kpi")


def test_stress_table_reports_the_unfavourable_tail_of_each_kpi():
    from salessim.ui.tables import stress_frame

    runs = pd.DataFrame({"variant": ["baseline"] * 10, "revenue": [float(v) for v in range(1, 11)],
                         "cost of sales": [v / 100 for v in range(1, 11)]})
    summary = pd.DataFrame({"variant": ["baseline", "baseline"], "metric": ["revenue", "cost of sales"],
                            "mean": [5.5, 0.055], "change vs baseline": [0.0, 0.0], "ci low": [0.0, 0.0], "ci high": [0.0, 0.0]})
    t = stress_frame(runs, summary, "USD")
    tail = t.set_index("KPI")["bad year (1 in 10)"]
    assert tail["revenue"].startswith("$2") and "low" in tail["revenue"]
    assert tail["cost of sales"].startswith("9.") and "high" in tail["cost of sales"]


def test_translations_cover_every_headline_kpi():
    from salessim.ui.i18n import tr, untranslated

    headline = ["revenue", "average deal size", "median sales cycle (won)", "annual rep attrition", "cost of sales",
                "net revenue retention (annualised)", "variable pay", "tiered commission", "accelerator", "funnel"]
    assert untranslated(headline) == []
    assert tr("average deal size", "zh") == "客单价" and tr("accelerator", "zh") == "突破奖"
    assert tr("conversion: demo → proposal", "zh") == "转化率：demo → proposal"
    assert tr("revenue") == "revenue"


def test_plan_paths_get_business_labels_and_values():
    assert f.path_label("plan.components.commission.tiers.0.multiple") == "Commission, tier 1: rate (x base rate)"
    assert f.path_label("plan.caps.year") == "Annual cap on variable pay"
    assert f.path_label("plan.pay.target_incentive") == "Target incentive (a year)"
    assert f.path_label("plan.components.0.rate") == "Component 1: commission rate"
    assert f.plan_value("plan.caps.year", 200_000.0) == "$200.0K"
    assert f.plan_value("plan.caps.year", math.nan) == "none"
    assert f.plan_value("plan.components.commission.tiers.2.to", 1.5) == "150.0%"
    assert f.plan_value("plan.components.commission.tiers.0.multiple", 0.368306) == "0.37x"


def test_interval_writes_a_word_unit_once():
    assert f.interval(-0.053, -0.066, -0.04, "%", change=True) == "−5.3 pt [−6.6, −4.0]"
    assert f.interval(0.28, 0.25, 0.31, "x normal", change=True) == "+0.28x normal [+0.25, +0.31]"
    assert f.interval(60, 50, 70, "days") == "60.0 days [50.0, 70.0]"
    assert f.interval(1.2e6, 1.1e6, 1.3e6, "USD") == "$1.20M [$1.10M, $1.30M]"  # prefix units stay on each


def test_chart_texts_in_chinese_keep_names():
    from salessim.ui.i18n import tr_text

    assert tr_text("Revenue by plan (95% CI)", "zh") == "各方案营收 (95% 置信区间)"
    assert tr_text("mean of 3 replications", "zh") == "均值： 3 次重复模拟"
    assert tr_text("current: tiered accelerator with cap\n(n=60)", "zh") == "current: tiered accelerator with cap\n(n=60)"
    assert tr_text("revenue", "en") == "revenue"


def test_scenario_overview_speaks_the_report_language():
    import salessim
    from salessim.ui.overview import scenario_overview

    sc = salessim.load_scenario(Path(__file__).resolve().parents[2] / "data/scenarios/midmarket.yaml")
    en, zh = scenario_overview(sc), scenario_overview(sc, "zh")
    assert len(en) == len(zh) and en["item"].iloc[0] == "scenario" and zh["item"].iloc[0] == "情景"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in item) for item in zh["item"])  # every label in Chinese
    assert "100 人" in zh["value"].iloc[2] and "52,000" == zh["value"].iloc[4] == en["value"].iloc[4]
