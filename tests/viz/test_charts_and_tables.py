"""Charts are titled and labelled in business terms; tables format money and rates."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import salessim  # noqa: E402
from salessim.analysis import (  # noqa: E402
    bookings_over_time,
    find_bottleneck,
    funnel_table,
    kpi_summary,
    paired_kpi_differences,
    rep_scorecard,
    replicate,
    scale_scenario,
)
from salessim.ui import charts as viz  # noqa: E402
from salessim.ui.formatting import money, percent  # noqa: E402

MIDMARKET = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "midmarket.yaml"


@pytest.fixture(scope="module")
def runs():
    sc = scale_scenario(salessim.load_scenario(MIDMARKET), 10)
    return replicate(sc, 2, seed=1), replicate(salessim.load_scenario(sc, org__weekly_hours=45), 2, seed=1)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.mark.parametrize(("value", "currency", "text"), [
    (1_250_000, "USD", "$1.2M"), (1_350_000, "USD", "$1.4M"), (250_000, "EUR", "€250.0K"),
    (950, "USD", "$950"), (-2_000_000_000, "GBP", "\u2212£2.0B"), (12_000, "CHF", "12.0K CHF"),
    (float("nan"), "USD", "n/a"),
])
def test_money(value, currency, text):
    assert money(value, currency) == text


def test_percent():
    assert percent(0.2534) == "25.3%" and percent(1.0, 0) == "100%" and percent(float("nan")) == "n/a"


def _ticks(ax, axis="y"):
    ax.figure.canvas.draw()
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for t in labels if t.get_text()]


def test_charts_are_titled_with_business_axes(runs):
    viz.use_style()
    r = runs[0].results[0]
    b = find_bottleneck(r, seed=runs[0].seeds[0])
    ax = viz.funnel_chart(funnel_table(r), highlight=b.stage)
    assert ax.get_title() and [t.get_text() for t in ax.get_yticklabels()][0] == "prospecting"
    assert any("deals · $" in t.get_text() for t in ax.texts) and any("↓" in t.get_text() for t in ax.texts)
    ax = viz.bottleneck_chart(b)
    assert b.stage in ax.get_title() and all(t.endswith("%") for t in _ticks(ax))
    ax = viz.bookings_chart(bookings_over_time(r, "Q"))
    assert all(t.startswith("$") for t in _ticks(ax)) and ax.get_title(loc="left").startswith("Bookings over time (total $")
    sc = rep_scorecard(r)
    ax = viz.distribution_chart(sc["bookings"])
    assert all(t.startswith("$") or t.startswith("−$") for t in _ticks(ax, "x")) and ax.get_ylabel() == "reps"
    ax = viz.attainment_chart(pd.Series([0.5, 0.9, 1.0, 1.2]))
    assert "(50% at or above quota)" in ax.get_title(loc="left")
    ax = viz.kpi_comparison_chart(paired_kpi_differences(*runs), ["revenue", "capacity utilisation"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["revenue", "capacity utilisation"]
    assert all(t.endswith("%") for t in _ticks(ax, "x"))


def test_tables_render_formatted_html(runs):
    r = runs[0].results[0]
    html = viz.kpi_table(r.kpis()).to_html()
    assert "revenue" in html and "$" in html and "%" in html
    html = viz.kpi_table(kpi_summary(runs[0])).to_html()
    assert "95% CI from" in html
    html = viz.comparison_table(paired_kpi_differences(*runs), labels=("today", "new")).to_html()
    assert ">today<" in html and ">new<" in html and "95% CI of change" in html
    html = viz.scorecard_table(rep_scorecard(r, "Q"), top=2, bottom=1).to_html()
    assert html.count("FY2026 Q") == 12  # 4 quarters x (2 top + 1 bottom)
    html = viz.stage_table(find_bottleneck(r, seed=runs[0].seeds[0]).table).to_html()
    assert "without walk-aways" in html and "bound by" in html


def test_chinese_charts_render_without_missing_glyphs():
    import warnings

    import matplotlib.pyplot as plt

    from salessim.ui.charts.style import cjk_font, use_style

    assert cjk_font(), "no CJK font: run `bash .ci/install-fonts` (Debian fonts-noto-cjk)"
    use_style("zh")
    try:
        fig, ax = plt.subplots()
        ax.bar(["华东", "华南"], [1.0, 2.0])
        ax.set_title("提成与阶梯提成：目标达成率、销售漏斗、客单价、销售周期、客户留存率")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
    finally:
        use_style("en")


def test_summary_opens_with_the_decision_and_appendix_paths_are_relative(tmp_path):
    from salessim.ui.summary import ExecutiveSummary, appendix

    s = ExecutiveSummary("Which plan?", "Keep it.", "More data.", [("revenue", "$1.0M")], ["few runs"], lang="zh")
    html = s._repr_html_()
    assert html.index("执行摘要") < html.index("Which plan?") < html.index("$1.0M")
    out = tmp_path / "run" / "tables"
    out.mkdir(parents=True)
    (out / "kpis.csv").write_text("x")
    a = appendix("method", {"scenario": str(tmp_path / "s.yaml"), "out": str(out)}, "00", out, [out / "kpis.csv"])
    assert a.files == ["tables/kpis.csv"]
    assert str(tmp_path) not in a._repr_html_()
