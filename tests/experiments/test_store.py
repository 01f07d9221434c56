"""The results store: run folders, the DuckDB catalogue, atomic writes, resuming interrupted work."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import salessim
from salessim import SalessimError, load_scenario
from salessim.experiments import Store
from salessim.ui.cli import main

ROOT = Path(__file__).resolve().parents[2]
GRID = {"org.weekly_hours": [30, 35], "funnel.slip_loss_per_week": [0.05, 0.1]}


class Interrupt(Exception):
    """Stands for Ctrl-C / a crash in the middle of a sweep."""


def stop_after(k: int):
    seen = []

    def on_run(record) -> None:
        seen.append(record.run_id)
        if len(seen) >= k:
            raise Interrupt
    return on_run


def catalogue_counts(root: Path) -> tuple[int, int, int]:
    with Store(root) as st:
        r = st.sql("select count(*) as n, count(distinct run_id) as d from runs").iloc[0]
        k = st.sql("select count(*) as n from kpis").iloc[0]
        return int(r["n"]), int(r["d"]), int(k["n"])


def test_run_folders_and_catalogue(tmp_path: Path, small) -> None:
    c = salessim.compare({"a": small, "b": load_scenario(small, **{"org.reps": 8})}, replications=3,
                         executor="serial", store=tmp_path, progress=False, experiment="demo")
    assert c.store == tmp_path and c.experiment == "demo"
    run_ids = c.runs["run_id"].tolist()
    assert len(set(run_ids)) == 6
    folder = tmp_path / "runs" / run_ids[0]
    assert sorted(p.name for p in folder.iterdir()) == [
        "kpis.parquet", "ledger.parquet", "meta.json", "reps.parquet", "scenario.yaml"]
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["seed"] == "0" and meta["spawn_key"] == [0] and meta["version"].startswith(salessim.__version__ + "+")
    assert load_scenario(folder / "scenario.yaml").to_dict() == small.to_dict()  # resolved scenario round-trips
    assert not any((tmp_path / "tmp").iterdir())
    with Store(tmp_path) as st:
        res = st.sql("select label, replication, kpi, value from results where experiment = ?", "demo")
        ledger = st.sql("select run_id, sum(bookings) as bookings from ledger group by run_id")
        runs = st.sql("select * from runs order by run_id")
    assert len(runs) == 6 and runs["path"].str.startswith("runs/").all()
    np.testing.assert_array_equal(res["value"].to_numpy(), c.kpis["value"].to_numpy())  # bit-identical
    assert set(ledger["run_id"]) == set(run_ids)
    assert (catalogue_counts(tmp_path)) == (6, 6, len(c.kpis))


def test_rerun_reuses_finished_runs_bit_identically(tmp_path: Path, small) -> None:
    first = salessim.compare([small], replications=3, executor="serial", store=tmp_path, progress=False)
    again = salessim.compare([small], replications=5, executor="serial", store=tmp_path, progress=False)
    assert again.runs["cached"].tolist() == [True, True, True, False, False]
    pd.testing.assert_frame_equal(first.kpis, again.kpis[again.kpis["replication"] < 3].reset_index(drop=True),
                                  check_exact=True)
    assert catalogue_counts(tmp_path)[:2] == (5, 5)


@pytest.mark.parametrize("workers", [1, 2])
def test_interrupted_sweep_resumes_and_catalogues_each_run_once(tmp_path: Path, small, workers: int,
                                                                request: pytest.FixtureRequest) -> None:
    reference = salessim.sweep(small, GRID, replications=3, executor="serial", progress=False)
    executor = "serial" if workers == 1 else request.getfixturevalue("pool2")
    with pytest.raises(Interrupt):
        salessim.sweep(small, GRID, replications=3, executor=executor, store=tmp_path, progress=False,
                       on_run=stop_after(5))
    finished = len(list((tmp_path / "runs").iterdir()))
    assert 5 <= finished < 12  # really interrupted half-way
    # the same (warm) pool keeps working after the interruption
    resumed = salessim.sweep(small, GRID, replications=3, executor=executor, store=tmp_path, progress=False)
    assert int(resumed.runs["cached"].sum()) == finished  # finished runs were not recomputed
    pd.testing.assert_frame_equal(reference.kpis, resumed.kpis, check_exact=True)
    n, distinct, kpi_rows = catalogue_counts(tmp_path)
    assert n == distinct == 12 and kpi_rows == len(resumed.kpis)
    with Store(tmp_path) as st:
        members = st.sql("select count(*) as n, count(distinct run_id) as d from experiments").iloc[0]
    assert members["n"] == members["d"] == 12


def test_half_written_runs_are_never_used(tmp_path: Path, small, monkeypatch: pytest.MonkeyPatch) -> None:
    import salessim.experiments.store as store_mod

    # 1. a write that fails half-way (first Parquet file written, the second fails) leaves nothing
    real = store_mod._to_parquet
    calls = []

    def failing(df, path, run_id):
        calls.append(path.name)
        if len(calls) == 2:
            raise OSError("disk full")
        real(df, path, run_id)

    monkeypatch.setattr(store_mod, "_to_parquet", failing)
    with pytest.raises(OSError, match="disk full"):
        salessim.compare([small], replications=1, executor="serial", store=tmp_path, progress=False)
    monkeypatch.setattr(store_mod, "_to_parquet", real)
    assert calls == ["kpis.parquet", "ledger.parquet"]
    assert not any((tmp_path / "runs").iterdir()) and not any((tmp_path / "tmp").iterdir())
    # 2. a hard kill leaves a partial folder in tmp/: it is deleted on opening, the run recomputed
    good = salessim.compare([small], replications=1, executor="serial", progress=False)
    run_id = salessim.compare([small], replications=1, executor="serial", store=tmp_path, progress=False,
                              ).runs["run_id"].iloc[0]
    bogus = tmp_path / "tmp" / f"{run_id}-deadbeef"
    bogus.mkdir()
    (bogus / "kpis.parquet").write_bytes(b"PAR1 truncated")
    with Store(tmp_path):
        assert not bogus.exists()
    again = salessim.compare([small], replications=1, executor="serial", store=tmp_path, progress=False)
    pd.testing.assert_frame_equal(good.kpis, again.kpis, check_exact=True)


def test_finished_folder_missing_from_catalogue_is_added(tmp_path: Path, small) -> None:
    """A crash between the folder rename and the catalogue write: the next open catalogues it."""
    c = salessim.compare([small], replications=2, executor="serial", store=tmp_path, progress=False)
    with Store(tmp_path) as st:
        st.con.execute("delete from runs where run_id = ?", [c.runs["run_id"].iloc[1]])
        st.con.execute("delete from kpis where run_id = ?", [c.runs["run_id"].iloc[1]])
    assert catalogue_counts(tmp_path)[:2] == (2, 2)
    again = salessim.compare([small], replications=2, executor="serial", store=tmp_path, progress=False)
    assert again.runs["cached"].all()
    pd.testing.assert_frame_equal(c.kpis, again.kpis, check_exact=True)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


@pytest.mark.slow
def test_killed_cli_sweep_resumes(tmp_path: Path, small_yaml: Path, capsys: pytest.CaptureFixture) -> None:
    """SIGKILL a real `salessim sweep` process half-way, rerun it: complete, each run once."""
    out = tmp_path / "store"
    args = ["sweep", str(small_yaml), "--param", "org.weekly_hours=30,32,34,35", "-n", "20", "-j", "1",
            "--out", str(out), "--quiet", "--kpi", "revenue"]
    proc = subprocess.Popen([sys.executable, "-m", "salessim", *args], env=_env(), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / "runs").is_dir() and len(list((out / "runs").iterdir())) >= 10:
            break
        time.sleep(0.02)
    assert proc.poll() is None, proc.stderr.read().decode()  # still running: kill it mid-sweep
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = len(list((out / "runs").iterdir()))
    assert 10 <= killed_at < 80
    assert main(args) == 0
    text = capsys.readouterr().out
    assert f"{80 - killed_at} runs computed, {killed_at} reused" in text
    n, distinct, _ = catalogue_counts(out)
    assert n == distinct == 80


def test_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    with Store(tmp_path):
        code = f"from salessim.experiments import Store; Store({str(tmp_path)!r})"
        r = subprocess.run([sys.executable, "-c", code], env=_env(), cwd=ROOT, capture_output=True, text=True)
    assert r.returncode != 0
    assert "catalogue is in use by another process" in r.stderr


def test_store_errors(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises((SalessimError, OSError)):
        Store(tmp_path / "file")
