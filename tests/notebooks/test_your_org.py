"""Report 08 (from your export to a decision) in fast mode: the executive summary opens the
report, and the recommendation it states is the one the same runs give through the public API
(calibration under today's plan, paired replications, net contribution)."""

from __future__ import annotations

import html as html_text

import numpy as np
import pandas as pd
import pytest
from notebook_paths import ROOT

import salessim
from salessim.analysis.comparisons import replicate_designs
from salessim.analysis.economics import economics_summary
from salessim.calibrate import from_crm
from salessim.comp import load_plan
from salessim.ui.formatting import interval
from salessim.ui.report import run_report

NOTEBOOK = ROOT / "notebooks" / "08_your_org.ipynb"
EXPORT = ROOT / "data/crm/salesforce_snapshot.csv"
TODAY = ROOT / "data/your_org/today_plan.yaml"
PROPOSALS = [ROOT / "data/your_org/uncapped_accelerator.yaml", ROOT / "data/your_org/more_variable.yaml"]
TABLES = {"economics.csv", "comparison.csv", "rep_changes.csv", "check.csv", "backtest.csv", "calibrated.yaml",
          "calibrated.quarantine.csv"}


def check_your_org(html: str, tables) -> None:
    """Content of a fast-mode run of 08 with its default parameters (also used by test_run_notebooks)."""
    text = html_text.unescape(html)
    # the executive summary comes first: before the first section, right after the introduction
    assert text.index("Executive summary") < text.index("1. Your export and the calibrated organisation")
    assert text.index("Appendix") > text.index("Who gains and who loses")
    # the same calibration through the public API: today's plan in the base, quotas sized to the
    # calibrated org (no inherited company target), one refining round (fast), seed 0
    plan = load_plan(TODAY)
    base = salessim.load_scenario(ROOT / "data/scenarios/midmarket.yaml", plan=plan,
                                  **{"quota.annual_target": None, "quota.region_targets": None})
    cal = from_crm(EXPORT, preset="salesforce", base=base, refine_iterations=1, seed=0)
    assert cal.validated
    check = pd.read_csv(tables / "check.csv")
    np.testing.assert_allclose(check["simulated"], cal.validation["simulated"], rtol=1e-9)
    assert "Validated: the calibrated model matches your export on every row." in text
    # the same paired runs: 3 replications (fast), seed 0, today's plan the baseline
    org = cal.scenario()
    today = f"today: {plan.name}"
    designs = {today: salessim.load_scenario(org, plan=plan)}
    designs.update({load_plan(p).name: salessim.load_scenario(org, plan=load_plan(p)) for p in PROPOSALS})
    econ = economics_summary(replicate_designs(designs, 3, 0), baseline=today)
    saved = pd.read_csv(tables / "economics.csv")
    cols = ["revenue", "comp cost", "management cost", "net contribution", "net_low", "net_high", "d_net",
            "d_net_low", "d_net_high"]
    np.testing.assert_allclose(saved[cols].to_numpy(float), econ[cols].to_numpy(float), rtol=1e-9, atol=1e-6)
    # the recommendation: a proposal whose paired gain's interval lies above zero (the best such
    # by net contribution), else today's plan; the summary states it with the interval
    clear = econ[(econ["design"] != today) & (econ["d_net_low"] > 0)]
    proposals = econ[econ["design"] != today].sort_values("net contribution", ascending=False)
    quoted = (clear if len(clear) else proposals).sort_values("net contribution", ascending=False).iloc[0]
    gain = interval(quoted["d_net"], quoted["d_net_low"], quoted["d_net_high"], "USD", "USD", change=True)
    summary = text[text.index("Executive summary"):text.index("1. Your export and the calibrated organisation")]
    if len(clear):
        assert f"Move to '{quoted['design']}': net contribution" in summary
    else:
        assert f"Keep today's plan: no proposal clearly raises net contribution. The best proposal, '{quoted['design']}'" in summary
    assert gain in summary
    assert "calibration checks matched" in summary and "10 of 10" in summary


@pytest.mark.slow
def test_your_org_report_in_chinese_opens_with_the_same_recommendation(tmp_path):
    """The English run is checked by test_run_notebooks (check_your_org); here the Chinese one:
    summary first, the same economics and the same quoted interval, no missing glyph."""
    import nbformat

    run = run_report(NOTEBOOK, tmp_path, {"fast": True, "lang": "zh"})
    assert {p.name for p in (run.folder / "tables").iterdir()} == TABLES
    text = html_text.unescape(run.html.read_text(encoding="utf-8"))
    assert text.index("执行摘要") < text.index("1. 您的导出数据与校准后的组织") < text.index("<h2>附录")
    econ = pd.read_csv(run.folder / "tables" / "economics.csv")
    today = econ["design"].iloc[0]
    clear = econ[(econ["design"] != today) & (econ["d_net_low"] > 0)]
    quoted = (clear if len(clear) else econ[econ["design"] != today]).sort_values("net contribution").iloc[-1]
    summary = text[text.index("执行摘要"):text.index("1. 您的导出数据与校准后的组织")]
    assert (f"建议改用“{quoted['design']}”" if len(clear) else f"保持现行方案“{today}”") in summary
    assert interval(quoted["d_net"], quoted["d_net_low"], quoted["d_net_high"], "USD", "USD", change=True) in summary
    nb = nbformat.read(run.executed, as_version=4)
    streams = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
               if o.get("output_type") == "stream"]
    assert not [s for s in streams if "Glyph" in s and "missing" in s]
