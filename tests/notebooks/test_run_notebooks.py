"""Every notebook runs end to end under papermill in fast mode and publishes a code-free report."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest
from notebook_paths import NOTEBOOKS

from salessim.ui.report import run_report

PNG = re.compile(r'<img[^>]*src="data:image/png;base64')
EXPECTED_TABLES = {
    "00_quickstart": {"kpis.csv", "funnel.csv", "stages.csv", "bookings_by_month.csv",
                      "scorecard_year.csv", "scorecard_quarters.csv"},
    "01_compensation_designs": {"comparison.csv", "rep_outcomes.csv", "pay_points.csv", "payout_spread.csv",
                                "winners_losers.csv", "effort_by_attainment.csv"},
    "02_org_and_territories": {"structures.csv", "territory_balance.csv", "territory_loads.csv", "territories.csv"},
    "03_target_setting": {"strategies.csv", "fairness.csv", "attainment_vs_potential.csv", "ratchet.csv",
                          "ratchet_years.csv", "ratchet_effort.csv"},
    "04_calibrate_from_crm": {"validation.csv", "fitted.csv", "backtest.csv", "calibrated.yaml",
                              "calibrated.quarantine.csv"},
    "05_scenario_explorer": {"comparison.csv"},
    "06_risk_and_interventions": {"stress_runs.csv", "crm_roi_runs.csv", "case_effect_grid.csv",
                                  "case_outcome_likelihood.csv"},
    "07_plan_optimiser": {"recommended_plan.yaml", "summary.txt", "pareto.png", "candidates.csv", "pareto.csv",
                          "trials.csv", "comparison.csv", "sensitivity.csv", "reps.csv", "simulations.csv"},
}


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_fast_mode_and_report_has_charts_and_no_code(path, tmp_path):
    run = run_report(path, tmp_path, {"fast": True})
    html = run.html.read_text(encoding="utf-8")
    nb = nbformat.read(run.executed, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "every code cell ran"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert len(PNG.findall(html)) >= 1
    assert "<table" in html
    # No code: no line of any code cell appears in the report.
    for c in code:
        for line in c.source.splitlines():
            if len(line.strip()) > 25:
                assert line.strip() not in html, f"code shown in the report: {line.strip()}"
    tables = {p.name for p in (run.folder / "tables").iterdir()}
    assert tables == EXPECTED_TABLES[path.stem]
    for t in tables:
        if t.endswith(".csv") and "quarantine" not in t:
            assert len(pd.read_csv(run.folder / "tables" / t)) > 0, t
    CONTENT.get(path.stem, lambda *_: None)(html, run.folder / "tables")


def _quickstart(html, tables):
    for heading in ("Headline KPIs", "The funnel", "Where is the bottleneck?", "Bookings over time", "Rep scorecard"):
        assert heading in html
    assert len(PNG.findall(html)) == 5  # funnel, bottleneck, bookings, attainment, per-rep bookings
    assert "-bound at" in html  # the bottleneck sentence
    kpis = pd.read_csv(tables / "kpis.csv")
    assert (kpis["n"] == 2).all()  # fast: two replications
    assert (kpis["ci_low"] <= kpis["mean"]).all() and (kpis["mean"] <= kpis["ci_high"]).all()
    assert "attainment" in pd.read_csv(tables / "scorecard_year.csv").columns


def _explorer(html, tables):
    assert "Comparison with the starting settings" in html
    assert "than today" in html or "No clear revenue change" in html
    assert len(PNG.findall(html)) == 1  # the static comparison chart (widgets are not in the report)
    d = pd.read_csv(tables / "comparison.csv")
    assert {"kpi", "baseline", "variant", "difference", "ci_low", "ci_high"} <= set(d.columns)


def _risk(html, tables):
    for heading in ("Stress test", "Return on an intervention", "The published case"):
        assert heading in html
    assert len(PNG.findall(html)) == 3  # revenue distribution + monthly bookings, payback curve, outcome scatter
    runs = pd.read_csv(tables / "stress_runs.csv")
    assert set(runs["variant"]) == {"baseline", "demand -25% in Q3", "two best reps leave"}


def _compensation(html, tables):
    for heading in ("pay curves", "Attainment and payout spread", "Cost of sales", "Winners and losers",
                    "Behavioural side effects", "Paired differences"):
        assert heading in html
    assert len(PNG.findall(html)) == 9  # curves, attainment, pay, cost, revenue, winners, hockey, effort, diffs
    s = pd.read_csv(tables / "comparison.csv")
    assert s["scenario"].nunique() == 6 and (s["n"] == 3).all()  # fast: three replications
    assert s["scenario"].iloc[0].startswith("current: ")
    others = s[s["kpi"] == "cost of sales"].iloc[1:]
    assert others["diff"].notna().all() and (others["diff_low"] <= others["diff_high"]).all()
    o = pd.read_csv(tables / "rep_outcomes.csv")
    assert o.groupby(["design", "replication"]).size().eq(20).all()  # 20 rep seats in each run
    assert set(pd.read_csv(tables / "effort_by_attainment.csv")["band"]) == {"0%-50%", "50%-100%", "100%-150%", "150%+"}


def _org(html, tables):
    assert "Five structures on the same market" in html and "Territories: balance before and after" in html
    assert len(PNG.findall(html)) == 6  # revenue, cost of sales, revenue per head, differences, balance, differences
    s = pd.read_csv(tables / "structures.csv")
    assert s["scenario"].nunique() == 5
    b = pd.read_csv(tables / "territory_balance.csv")
    moved = b[b["metric"] == "share_moved"].set_index("design")["value"]
    assert moved["today"] == 0 and (moved.drop("today") > 0).all()
    cv = b[(b["metric"] == "cv") & (b["measure"] == "workload")].set_index("design")["value"]
    assert (cv.drop("today") < cv["today"]).all()  # rebalancing evens out the workload


def _target(html, tables):
    assert "Fairness against territory potential" in html and "Sandbagging under ratcheting quotas" in html
    assert len(PNG.findall(html)) == 5
    assert pd.read_csv(tables / "fairness.csv")["design"].nunique() == 5
    years = pd.read_csv(tables / "ratchet_years.csv")
    assert years["year"].nunique() == 2  # the ratchet scenario runs two fiscal years


def _calibrate(html, tables):
    for heading in ("Import and validation", "What was fitted", "Back-test"):
        assert heading in html
    assert len(PNG.findall(html)) == 1  # the calibration figure
    assert "13 of 202 rows quarantined" in html  # defective.csv: 13 deliberate defects
    bt = pd.read_csv(tables / "backtest.csv")
    assert len(bt) == 5 and bt["passed"].dtype == bool
    assert ">pass<" in html or ">FAIL<" in html


CONTENT = {"00_quickstart": _quickstart, "01_compensation_designs": _compensation, "02_org_and_territories": _org,
           "03_target_setting": _target, "04_calibrate_from_crm": _calibrate, "05_scenario_explorer": _explorer,
           "06_risk_and_interventions": _risk}
