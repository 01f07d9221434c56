"""Design comparison charts and tables: titled, labelled, formatted in business terms."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import salessim  # noqa: E402
from salessim.analysis import scale_scenario  # noqa: E402
from salessim.analysis.comparisons import (  # noqa: E402
    attainment_vs_potential,
    comparison,
    effort_by_ytd_attainment,
    hockey_stick_by_week,
    pay_changes,
    rep_outcomes,
    replicate_designs,
    territory_loads,
)
from salessim.ui.charts import comparisons as dviz  # noqa: E402
from salessim.ui.charts.calibration import backtest_frame  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sets():
    sc = scale_scenario(salessim.load_scenario(ROOT / "data" / "scenarios" / "midmarket.yaml"), 10)
    other = salessim.load_scenario(sc, plan=str(ROOT / "data" / "plans" / "quota_bonus_only.yaml"))
    return replicate_designs({"current": sc, "bonus": other}, 2, seed=1)


def _labelled(ax):
    assert (ax.get_title() or ax.get_title(loc="left")) and ax.get_ylabel()
    plt.close("all")


def test_charts_are_titled_and_labelled(sets):
    o = rep_outcomes(sets)
    s = comparison(sets).summary()
    plans = {n: salessim.comp.pay_curve(d.scenario.plan, [0, 1, 2]) for n, d in sets.items()}
    _labelled(dviz.pay_curve_chart(plans))
    _labelled(dviz.per_rep_by_design_chart(o, "total_pay", "USD", title="pay", ylabel="pay"))
    ax = dviz.design_kpi_chart(s, "revenue")
    assert ax.get_yticklabels()[-1].get_text().startswith("$")
    _labelled(ax)
    ax = dviz.paired_difference_chart(s, ["revenue", "cost of sales"])
    assert ax.figure.get_suptitle() and ax.get_xlabel() == "difference (USD)"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["bonus"]
    plt.close("all")
    _labelled(dviz.pay_change_chart(pay_changes(o, "current", "bonus")))
    _labelled(dviz.hockey_stick_chart(hockey_stick_by_week(sets)))
    _labelled(dviz.effort_band_chart(effort_by_ytd_attainment(sets)))
    _labelled(dviz.territory_load_chart(territory_loads({n: d.scenario for n, d in sets.items()})))
    _labelled(dviz.fairness_chart(attainment_vs_potential(sets)))


def test_design_table_shows_mean_and_paired_difference(sets):
    s = comparison(sets).summary()
    html = dviz.design_table(s, ["revenue", "cost of sales"]).to_html()
    assert "$" in html and "%" in html and " pt" in html  # money, rates, differences in points
    assert html.count("[") >= 2  # a CI per non-baseline cell


def test_backtest_frame_formats_each_metric():
    t = pd.DataFrame({"metric": ["win rate", "bookings per month", "cycle-time KS"], "observed": [0.23, 2e6, float("nan")],
                      "simulated": [0.21, 1.9e6, float("nan")], "error": [-0.02, -0.05, 0.08],
                      "sim_min": [0.2, 1.8e6, float("nan")], "sim_max": [0.22, 2e6, float("nan")],
                      "tolerance": [0.03, 0.15, 0.10], "p_value": [0.3, 0.5, 0.1], "passed": [True, True, False]})
    f = backtest_frame(t)
    assert f["error"].tolist() == ["-2.0 pt", "-5.0%", "0.080 (KS)"]
    assert f["observed"].tolist() == ["23.0%", "$2.00M", ""]
    assert f["result"].tolist() == ["pass", "pass", "FAIL"]


def test_tick_labels_are_distinct_and_use_one_minus_sign():
    from salessim.ui.charts.style import currency_axis, percent_axis

    fig, ax = plt.subplots()
    ax.plot([0.071, 0.1], [-100_000, 50_000])
    percent_axis(ax, axis="x")
    currency_axis(ax)
    fig.canvas.draw()
    xs = [t.get_text() for t in ax.get_xticklabels()]
    ys = [t.get_text() for t in ax.get_yticklabels()]
    assert len(set(xs)) == len(xs) and len(set(ys)) == len(ys)
    assert not any("-" in t for t in ys) and any("\u2212" in t for t in ys)
    plt.close(fig)


def test_plan_colours_are_stable_across_charts():
    from salessim.ui.charts.style import plan_colours

    first = plan_colours(["a plan", "b plan"])
    assert plan_colours(["b plan", "c plan"])["b plan"] == first["b plan"]


def test_wide_comparisons_split_and_stack_the_interval(sets):
    summary = comparison(sets).summary()
    html = dviz.design_table(summary, ["revenue", "cost of sales"]).to_html()
    import re

    assert re.search(r"<br><small>[^<]+ pt( \*)?<br>\[[^<]+\]</small>", html)  # level, change, its interval: a line each
    many = pd.concat([summary] + [summary[summary["scenario"] == "bonus"].assign(scenario=f"bonus {i}") for i in range(6)])
    tables = dviz.design_table(many, ["revenue"], max_designs=4)
    assert isinstance(tables, dviz.Tables) and len(tables.parts) == 3  # 7 others, 3 per table, each with the baseline
    assert all("current" in p.to_html() for p in tables.parts)
