"""`salessim calibrate`: writes a loadable scenario and the quarantine; user mistakes are one line, exit 2."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from conftest import CRM, ROOT

import salessim
from salessim.calibrate import import_crm, load_mapping


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "salessim", "calibrate", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_calibrate_writes_scenario_and_quarantine(tmp_path) -> None:
    out = tmp_path / "fitted.yaml"
    p = cli(str(CRM / "defective.csv"), "--team", str(CRM / "team.csv"), "--out", str(out), "--refine", "1")
    assert p.returncode == 0, p.stderr
    assert "quarantined                  12" in p.stdout and "win rate (mixture model)" in p.stdout
    sc = salessim.load_scenario(out)
    kept = import_crm(CRM / "defective.csv", load_mapping(), [s.name for s in sc.funnel.stages], team_path=CRM / "team.csv")
    assert sc.org.reps == kept.deals["owner"].nunique() and len(sc.funnel.stages) == 5
    assert out.read_text(encoding="utf-8").startswith("# Calibrated by `salessim calibrate`")
    q = pd.read_csv(tmp_path / "fitted.quarantine.csv", encoding="utf-8-sig")
    assert len(q) == 12


def test_fxiaoke_gbk_with_history_less_preset(tmp_path) -> None:
    out = tmp_path / "fx.yaml"
    p = cli(str(CRM / "fxiaoke_gbk.csv"), "--preset", "fxiaoke", "--out", str(out), "--refine", "0")
    assert p.returncode == 0, p.stderr
    assert "(gb18030)" in p.stdout
    sc = salessim.load_scenario(out)
    assert sc.currency == "CNY"


@pytest.mark.slow
def test_backtest_flag(tmp_path) -> None:
    p = cli(str(CRM / "opportunities.csv"), "--history", str(CRM / "stage_history.csv"), "--backtest", "3",
            "--seeds", "1", "--refine", "1")
    assert p.returncode in (0, 1), p.stderr
    assert "back-test: fit on deals created before 2026-10-01" in p.stdout
    assert ("overall: PASS" in p.stdout) == (p.returncode == 0)


def test_missing_column_is_one_line_exit_2() -> None:
    p = cli(str(CRM / "fxiaoke_gbk.csv"), "--out", "unused.yaml")
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    assert "missing required column for 'opportunity_id': mapping 'generic'" in p.stderr
    p = cli(str(CRM / "opportunities.csv"))
    assert p.returncode == 2 and "nothing to do" in p.stderr
