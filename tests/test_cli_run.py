"""The command line: `salessim run` prints KPIs and writes tables; mistakes give one line, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "salessim", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_run_prints_kpis_and_writes_tables(tmp_path) -> None:
    out = tmp_path / "out"
    p = run_cli("run", "data/scenarios/midmarket.yaml", "--seed", "3", "--out", str(out),
                "--set", "org.reps=10", "--set", "market.accounts=200", "--set", "market.leads_per_year=6000")
    assert p.returncode == 0, p.stderr
    assert "revenue" in p.stdout and "win rate (qualified)" in p.stdout
    for name in ("deals", "ledger", "reps", "accounts", "kpis"):
        assert (out / f"{name}.parquet").exists()
    kpis = pd.read_parquet(out / "kpis.parquet")
    revenue = kpis.set_index("kpi").loc["revenue", "value"]
    assert f"{revenue:,.0f}" in p.stdout
    saved = yaml.safe_load((out / "scenario.yaml").read_text())
    assert saved["org"]["reps"] == 10


def test_csv_output(tmp_path) -> None:
    p = run_cli("run", "data/scenarios/smb_velocity.yaml", "--format", "csv", "--out", str(tmp_path),
                "--set", "org.reps=5", "--set", "market.accounts=500", "--set", "market.leads_per_year=3000")
    assert p.returncode == 0, p.stderr
    ledger = pd.read_csv(tmp_path / "ledger.csv")
    assert len(ledger) == 5 * 12


def test_bad_scenario_is_one_line_without_traceback(tmp_path) -> None:
    bad = yaml.safe_load((ROOT / "data/scenarios/midmarket.yaml").read_text())
    bad["funnel"]["stages"][1]["conversion"] = 1.7
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(bad))
    p = run_cli("run", str(f))
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(f) in lines[0] and "funnel.stages.1.conversion" in lines[0] and "less than or equal to 1" in lines[0]


def test_bad_override_syntax(tmp_path) -> None:
    p = run_cli("run", "data/scenarios/midmarket.yaml", "--set", "org.reps")
    assert p.returncode == 2 and "expected PATH=VALUE" in p.stderr


def test_missing_file() -> None:
    p = run_cli("run", "no/such.yaml")
    assert p.returncode == 2 and "no/such.yaml: file not found" in p.stderr
