"""`salessim compare` and `salessim sweep` from the command line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from salessim.ui.cli import main


@pytest.fixture()
def variant(tmp_path: Path, small_yaml: Path) -> Path:
    path = tmp_path / "small_30h.yaml"
    path.write_text(small_yaml.read_text().replace("weekly_hours: 35", "weekly_hours: 30")
                    .replace("name: small", "name: small 30h"), encoding="utf-8")
    return path


def test_compare_prints_summary_and_writes_store(tmp_path: Path, small_yaml: Path, variant: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    code = main(["compare", str(small_yaml), str(variant), "-n", "3", "-j", "1", "--out", str(out),
                 "--kpi", "revenue", "--kpi", "deals won", "--quiet"])
    assert code == 0
    text = capsys.readouterr()
    assert "3 replications, common random numbers" in text.out
    assert "revenue (USD)" in text.out and "small (baseline)" in text.out and "small 30h" in text.out
    assert "win rate" not in text.out  # only the KPIs asked for
    assert "6 runs computed, 0 reused" in text.out
    assert text.err == ""  # --quiet: no progress bar
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["scenario"]) == {"small", "small 30h"}
    assert (out / "catalogue.duckdb").exists() and len(list((out / "runs").iterdir())) == 6


def test_sweep_with_grid_file_and_param(tmp_path: Path, small_yaml: Path, capsys: pytest.CaptureFixture) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text("org.weekly_hours: [30, 35]\n", encoding="utf-8")
    code = main(["sweep", str(small_yaml), "--grid", str(grid), "--param", "funnel.slip_loss_per_week=0.05,0.1",
                 "-n", "2", "-j", "1", "--kpi", "revenue", "-q"])
    assert code == 0
    out = capsys.readouterr().out
    assert "weekly_hours=30, slip_loss_per_week=0.05 (baseline)" in out
    assert "weekly_hours=35, slip_loss_per_week=0.1" in out


@pytest.mark.parametrize(
    ("grid_text", "extra", "message"),
    [
        ("org.weekly_hour: [30]\n", [], "grid.yaml: org.weekly_hour: unknown field 'weekly_hour'"),
        ("org.weekly_hours: 30\n", [], "grid.yaml: org.weekly_hours: expected a list of values"),
        ("org.weekly_hours: [30\n", [], "grid.yaml: line 2: invalid YAML"),
        (None, ["--param", "org.reps"], "--param org.reps: expected PATH=V1,V2"),
        (None, [], "sweep: give --grid FILE or at least one --param"),
    ],
)
def test_sweep_errors_are_one_line(tmp_path: Path, small_yaml: Path, capsys: pytest.CaptureFixture,
                                   grid_text: str | None, extra: list[str], message: str) -> None:
    args = ["sweep", str(small_yaml), "-n", "1", "-j", "1", "-q", *extra]
    if grid_text is not None:
        (tmp_path / "grid.yaml").write_text(grid_text, encoding="utf-8")
        args += ["--grid", str(tmp_path / "grid.yaml")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_compare_missing_file_is_one_line(tmp_path: Path, small_yaml: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["compare", str(small_yaml), str(tmp_path / "nope.yaml"), "-n", "1", "-q"]) == 2
    err = capsys.readouterr().err
    assert "nope.yaml: file not found" in err and err.count("\n") == 1


def test_compare_rejects_unknown_baseline(small_yaml: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["compare", str(small_yaml), "-n", "1", "-j", "1", "-q", "--baseline", "other"]) == 2
    assert "baseline: 'other' is not one of the scenarios (small)" in capsys.readouterr().err


def test_unknown_kpi_is_reported_after_saving(tmp_path: Path, small_yaml: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    assert main(["compare", str(small_yaml), "-n", "1", "-j", "1", "-q", "--out", str(out), "--kpi", "profit"]) == 2
    assert "kpis: unknown KPI 'profit' (choose from revenue, " in capsys.readouterr().err
    assert (out / "summary.csv").exists()
    assert main(["compare", str(small_yaml), "-n", "1", "-j", "1", "-q", "--out", str(out), "--kpi", "revenue"]) == 0
    assert "0 runs computed, 1 reused" in capsys.readouterr().out


def test_stress_and_roi_take_the_runner_options(tmp_path: Path, small_yaml: Path, capsys: pytest.CaptureFixture) -> None:
    shocks, crm, store = tmp_path / "shocks.yaml", tmp_path / "crm.yaml", tmp_path / "store"
    shocks.write_text("dip:\n  - {kind: demand_shock, at: 4, factor: 0.5, until: 5}\n", encoding="utf-8")
    crm.write_text("- {kind: training, at: 3, skill_gain: 0.0, cost: 5000}\n", encoding="utf-8")
    assert main(["stress", str(small_yaml), str(shocks), "-n", "2", "-j", "1", "--store", str(store),
                 "--level", "0.9", "--quiet"]) == 0
    text = capsys.readouterr()
    assert "4 runs computed, 0 reused" in text.out and text.err == ""
    # the ROI baseline is the stress baseline: its 2 runs come from the store
    assert main(["roi", str(small_yaml), str(crm), "-n", "2", "-j", "1", "--store", str(store), "--quiet"]) == 0
    assert "2 runs computed, 2 reused" in capsys.readouterr().out
    assert len(list((store / "runs").iterdir())) == 6
