"""Every notebook runs end to end under papermill in fast mode and publishes a code-free report."""

from __future__ import annotations

import html as html_text
import re

import nbformat
import numpy as np
import pandas as pd
import pytest
from notebook_paths import NOTEBOOKS, ROOT
from test_risk_report import check_risk
from test_your_org import TABLES as YOUR_ORG_TABLES
from test_your_org import check_your_org

import salessim
from salessim.analysis import find_bottleneck, funnel_table, kpi_summary, replicate, scale_scenario
from salessim.ui.report import run_report

PNG = re.compile(r'<img[^>]*src="data:image/png;base64')
MIDMARKET = ROOT / "data/scenarios/midmarket.yaml"  # every notebook's default scenario


def assert_same_numbers(saved: pd.DataFrame, computed: pd.DataFrame, key: list[str], columns: list[str]) -> None:
    """A table the report saved equals the same computation redone here (CSV round trip: 1e-9)."""
    a, b = (t.astype({k: str for k in key}).set_index(key)[columns].sort_index() for t in (saved, computed))
    assert list(a.index) == list(b.index)
    np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-9, atol=1e-9, equal_nan=True)
EXPECTED_TABLES = {
    "00_quickstart": {"kpis.csv", "funnel.csv", "stages.csv", "bookings_by_month.csv",
                      "scorecard_year.csv", "scorecard_quarters.csv"},
    "01_compensation_designs": {"comparison.csv", "rep_outcomes.csv", "pay_points.csv", "payout_spread.csv",
                                "winners_losers.csv", "effort_by_attainment.csv", "economics.csv",
                                "economics_equal_target_pay.csv"},
    "02_org_and_territories": {"structures.csv", "territory_balance.csv", "territory_loads.csv", "territories.csv",
                               "economics.csv"},
    "03_target_setting": {"strategies.csv", "fairness.csv", "attainment_vs_potential.csv", "ratchet.csv",
                          "ratchet_years.csv", "ratchet_effort.csv", "economics.csv"},
    "04_calibrate_from_crm": {"validation.csv", "fitted.csv", "backtest.csv", "calibrated.yaml",
                              "calibrated.quarantine.csv"},
    "05_scenario_explorer": {"comparison.csv"},
    "06_risk_and_interventions": {"stress_runs.csv", "crm_roi_runs.csv", "case_effect_grid.csv",
                                  "case_outcome_likelihood.csv"},
    "07_plan_optimiser": {"recommended_plan.yaml", "summary.txt", "pareto.png", "candidates.csv", "pareto.csv",
                          "trials.csv", "comparison.csv", "sensitivity.csv", "reps.csv", "simulations.csv"},
    "08_your_org": YOUR_ORG_TABLES,
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
    # the same runs through the public API: fast mode is the 20-rep copy, 2 replications, seed 0
    runs = replicate(scale_scenario(salessim.load_scenario(MIDMARKET), 20), 2, 0)
    kpis = pd.read_csv(tables / "kpis.csv")
    assert (kpis["n"] == 2).all()
    assert_same_numbers(kpis, kpi_summary(runs), ["kpi"], ["mean", "ci_low", "ci_high"])
    result = runs.results[0]
    assert_same_numbers(pd.read_csv(tables / "funnel.csv"), funnel_table(result), ["stage"], ["deals", "value", "conversion"])
    b = find_bottleneck(result, seed=runs.seeds[0])
    assert_same_numbers(pd.read_csv(tables / "stages.csv"), b.table, ["stage"], ["conversion", "expected_conversion", "lost_for_time"])
    # the headline: the bottleneck sentence with its numbers; on these seeds the small org runs out
    # of rep time at prospecting, which converts less than it would without walk-aways
    row = b.table.set_index("stage").loc[b.stage]
    assert b.bound == "capacity" and row.conversion < row.expected_conversion
    assert (f"Capacity-bound at '{b.stage}': it converts {row.conversion:.1%} instead of "
            f"{row.expected_conversion:.1%}") in html_text.unescape(html)
    year = pd.read_csv(tables / "scorecard_year.csv")
    assert year["bookings"].sum() == pytest.approx(result.ledger["bookings"].sum(), rel=1e-9)


def _explorer(html, tables):
    from salessim.ui.explorer import ScenarioExplorer

    assert "Today's scenario at the real org size" in html_text.unescape(html)  # no starting change
    assert len(PNG.findall(html)) == 1  # the funnel (widgets are not in the report)
    assert "-bound at" in html  # its bottleneck sentence
    assert "widget-view" not in html and 'src="http' not in html and 'import("http' not in html  # offline
    # fast mode: a 10-rep copy, 2 replications, seed 0, no starting change (the scenario as it is)
    explorer = ScenarioExplorer(str(MIDMARKET), replications=2, seed=0, reps=10)
    d = pd.read_csv(tables / "comparison.csv")
    assert_same_numbers(d, explorer.differences, ["kpi"], ["baseline", "variant", "difference", "ci_low", "ci_high"])
    # untouched controls are today's scenario: every change exactly zero, totals at the real org size
    assert (d[["difference", "ci_low", "ci_high"]].dropna() == 0).all().all()
    assert explorer.headline().startswith("Today's settings: revenue $")
    assert explorer.headline() in html_text.unescape(html)


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
    # the same paired runs through the public API for the current plan and the bonus-only plan
    from salessim.analysis.comparisons import comparison, replicate_designs

    sc = scale_scenario(salessim.load_scenario(MIDMARKET), 20)
    current = f"current: {sc.plan.name}"
    bonus = salessim.load_scenario(sc, plan=str(ROOT / "data/plans/quota_bonus_only.yaml"))
    assert bonus.plan.name == "quota bonus only"
    redone = comparison(replicate_designs({current: sc, "quota bonus only": bonus}, 3, 0), baseline=current).summary()
    cols = ["mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high"]
    assert_same_numbers(s[s["scenario"].isin([current, "quota bonus only"])], redone, ["scenario", "kpi"], cols)
    # headline directions on the fast seeds (95% intervals of the paired difference exclude zero):
    # the bonus-only plan pays less, so reps work less; linear commission costs more. (Revenue: with
    # reps weighing the current plan's year-end true-up value by their impatience, the bonus-only
    # plan's revenue difference is not signed on three fast replications.)
    d = s.set_index(["scenario", "kpi"])
    for kpi in ("cost of sales", "average effort"):
        assert d.loc[("quota bonus only", kpi), "diff_high"] < 0, kpi
    assert d.loc[("linear commission", "cost of sales"), "diff_low"] > 0
    assert d.loc[("linear commission", "average effort"), "diff_low"] > 0
    # the current plan's pay curve by hand: base 90,000 + variable; 100% pays the 60,000 target
    # incentive, 150% pays 60,000 x (1 + 2 x 0.5) = 120,000, 200% hits the 150,000 variable cap
    points = pd.read_csv(tables / "pay_points.csv").set_index("plan")
    np.testing.assert_allclose(points.loc[current, ["pay at 100%", "pay at 150%", "pay at 200%"]].to_numpy(float),
                               [150_000, 210_000, 240_000])
    # at equal target pay: each plan paying a different amount at 100% of the typical quota is
    # cost-matched (all money fields x one factor) and pays the current plan's target to the cent
    from salessim.comp import load_plan
    from salessim.comp.scaling import cost_matched, pay_at

    eq = pd.read_csv(tables / "economics_equal_target_pay.csv").set_index("design")
    typical = float(pd.read_csv(tables / "rep_outcomes.csv").query("design == @current")["quota"].median())
    target = pay_at(sc.plan, typical)
    for path in ("linear_commission", "quota_bonus_only"):
        plan = load_plan(ROOT / f"data/plans/{path}.yaml")
        assert f"{plan.name} (cost-matched)" in eq.index and plan.name not in eq.index
        assert abs(pay_at(cost_matched(plan, target, typical), typical) - target) <= 0.01 + 1e-6
    assert "pay mix 50/50" in eq.index  # already pays the current plan's target: as designed
    np.testing.assert_allclose(eq.loc[current, "net contribution"], pd.read_csv(tables / "economics.csv")
                               .set_index("design").loc[current, "net contribution"])
    assert "The same plans at equal target pay" in html and "At equal target pay (cost-matched)" in html_text.unescape(html)
    o = pd.read_csv(tables / "rep_outcomes.csv")
    assert o.groupby(["design", "replication"]).size().eq(20).all()  # 20 rep seats in each run
    assert set(pd.read_csv(tables / "effort_by_attainment.csv")["band"]) == {"0%-50%", "50%-100%", "100%-150%", "150%+"}


def _org(html, tables):
    from salessim.analysis.comparisons import comparison, replicate_designs, territory_balance

    assert "Five structures on the same market" in html and "Territories: balance before and after" in html
    assert len(PNG.findall(html)) == 7  # revenue, cost of sales, revenue per head, differences, balance, map, differences
    s = pd.read_csv(tables / "structures.csv")
    assert s["scenario"].nunique() == 5
    b = pd.read_csv(tables / "territory_balance.csv")
    moved = b[b["metric"] == "share_moved"].set_index("design")["value"]
    assert moved["today"] == 0 and (moved.drop("today") > 0).all()
    cv = b[(b["metric"] == "cv") & (b["measure"] == "workload")].set_index("design")["value"]
    assert (cv.drop("today") < cv["today"]).all()  # rebalancing evens out the workload
    # the same balance and paired runs through the public API (fast: 20-rep copies, 3 replications)
    today = scale_scenario(salessim.load_scenario(MIDMARKET), 20)
    balanced = scale_scenario(salessim.load_scenario(ROOT / "data/scenarios/territories_balanced.yaml"), 20)
    terr = {"today": today, "balanced workload": balanced}
    assert_same_numbers(b[b["design"].isin(terr)], territory_balance(terr), ["design", "metric", "measure"], ["value"])
    t = pd.read_csv(tables / "territories.csv")
    redone = comparison(replicate_designs(terr, 3, 0)).summary()
    assert_same_numbers(t[t["scenario"].isin(terr)], redone, ["scenario", "kpi"], ["mean", "diff", "diff_low", "diff_high"])
    # headlines on the fast seeds: balanced territories put every rep inside the +-10% band and
    # both rebalanced designs sell more than today's drifted territories (intervals still span 0)
    w = b[b["measure"] == "workload"].set_index(["design", "metric"])["value"]
    assert w[("balanced workload", "share_over")] == 0 and w[("balanced workload", "share_under")] == 0
    assert (t[(t["kpi"] == "revenue") & (t["scenario"] != "today")]["diff"] > 0).all()
    # structures: the matrix hand-off lengthens the cycle (paired mean on the 3 fast seeds: ~+3 days,
    # its interval at n=3 can touch 0); only the channel org has partner revenue
    k = s.set_index(["scenario", "kpi"])
    assert k.loc[("matrix", "median sales cycle (won)"), "diff"] > 0
    partner = s[s["kpi"] == "partner share of revenue"].set_index("scenario")["mean"]
    assert partner["channel"] > 0 and (partner.drop("channel") == 0).all()


def _target(html, tables):
    from salessim.analysis.comparisons import (
        attainment_vs_potential,
        comparison,
        effort_by_ytd_attainment,
        quota_fairness,
        replicate_designs,
    )

    assert "Fairness against territory potential" in html and "Sandbagging under ratcheting quotas" in html
    assert len(PNG.findall(html)) == 5
    fair = pd.read_csv(tables / "fairness.csv")
    assert fair["design"].nunique() == 6  # today, four strategies and the capacity-blind top-down split
    years = pd.read_csv(tables / "ratchet_years.csv")
    assert years["year"].nunique() == 2  # the ratchet scenario runs two fiscal years
    # the same runs through the public API (fast: 20-rep copies, 3 replications, seed 0)
    base = scale_scenario(salessim.load_scenario(MIDMARKET), 20)
    today = "today: top-down by what territories can yield"
    sets = replicate_designs({today: base, "equal split": salessim.load_scenario(base, **{"quota.strategy": "equal_split"})}, 3, 0)
    cols = ["spearman_rho", "pearson_r", "at_or_above_quota", "attainment_spread"]
    assert_same_numbers(fair[fair["design"].isin(sets)], quota_fairness(attainment_vs_potential(sets)), ["design"], cols)
    # fairness: an equal split favours rich territories (rho > 0), splitting by account potential
    # alone (blind to the reps' hours) leaves them behind (rho < 0), today's split by what territories
    # can yield sits closest to 0 (fast copy: +0.00, +0.60, -0.38); with equal hours and no ramp,
    # capacity-based quotas are an equal split
    rho = fair.set_index("design")["spearman_rho"]
    blind = rho["top-down by account potential"]
    assert blind < 0 < rho["equal split"] and rho["capacity-based"] == rho["equal split"]
    assert abs(rho[today]) < min(rho["equal split"], -blind)
    strategies = pd.read_csv(tables / "strategies.csv")
    assert_same_numbers(strategies[strategies["scenario"].isin(sets)], comparison(sets, baseline=today).summary(),
                        ["scenario", "kpi"], ["mean", "diff", "diff_low", "diff_high"])
    # sandbagging: the same two ratchet worlds; forward-looking reps hold back once above quota
    ratchet = scale_scenario(salessim.load_scenario(ROOT / "data/scenarios/quota_ratchet.yaml"), 20)
    worlds = {"ratchet, forward-looking reps": ratchet,
              "ratchet, reps ignore next year": salessim.load_scenario(ratchet, **{"behaviour.ratchet.enabled": False})}
    ratchet_sets = replicate_designs(worlds, 3, 0)
    bands = pd.read_csv(tables / "ratchet_effort.csv")
    assert_same_numbers(bands[bands["design"].isin(worlds)], effort_by_ytd_attainment(ratchet_sets), ["design", "band"],
                        ["effort", "rep_months"])
    effort = bands.set_index(["design", "band"])["effort"]
    for band in ("100%-150%", "150%+"):
        assert effort[("ratchet, forward-looking reps", band)] < effort[("ratchet, reps ignore next year", band)] - 0.03
    r = pd.read_csv(tables / "ratchet.csv").set_index(["scenario", "kpi"])
    assert r.loc[("ratchet, reps ignore next year", "average effort"), "diff_low"] > 0


def _calibrate(html, tables):
    for heading in ("Import and validation", "What was fitted", "Back-test"):
        assert heading in html
    assert len(PNG.findall(html)) == 3  # the calibration figure, the won-cycle overlay, the forecast fan chart
    assert "Forecast from today" in html and "likely (P50)" in html
    assert "12 of 202 rows quarantined" in html  # defective.csv: 13 deliberate defects, a lost deal without amount kept
    assert "Does the model reproduce your data?" in html and "calibrated model" in html
    bt = pd.read_csv(tables / "backtest.csv")
    assert len(bt) == 5 and bt["passed"].dtype == bool
    assert ">pass<" in html or ">FAIL<" in html


CONTENT = {"00_quickstart": _quickstart, "01_compensation_designs": _compensation, "02_org_and_territories": _org,
           "03_target_setting": _target, "04_calibrate_from_crm": _calibrate, "05_scenario_explorer": _explorer,
           "06_risk_and_interventions": check_risk, "08_your_org": check_your_org}


@pytest.mark.slow
def test_report_tables_are_the_same_with_worker_processes(tmp_path):
    # Full-mode reports run their replications on every core; the seeds make the tables
    # independent of the number of workers (checked here on the fast copy, serial vs 2 workers).
    path = next(p for p in NOTEBOOKS if p.stem == "03_target_setting")
    serial = run_report(path, tmp_path / "serial", {"fast": True, "workers": 1})
    pooled = run_report(path, tmp_path / "pooled", {"fast": True, "workers": 2})
    for name in ("strategies.csv", "fairness.csv", "economics.csv", "ratchet.csv"):
        a, b = (pd.read_csv(r.folder / "tables" / name) for r in (serial, pooled))
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=name)
