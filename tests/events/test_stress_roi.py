"""Stress tests, intervention ROI and the case-study helpers on a small org."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salessim.experiments.case_study import effect_grid
from salessim.experiments.roi import InterventionROI, intervention_roi
from salessim.experiments.statistics import confidence_interval
from salessim.experiments.stress import months_to_recover, stress_test
from tests.events.helpers import small


def test_months_to_recover_by_hand():
    base = np.full(8, 10.0)
    # months 3-4 at half, back to normal from month 5 (0-based start 2): trough at 0, back 2 months later
    assert months_to_recover(np.array([10, 10, 5, 5, 10, 10, 10, 10.0]), base, start=2, window=1) == 2.0
    # trailing 3-month sums: ratio at months 2..7 = 25/30, 20/30, 20/30, 25/30, 30/30, 30/30 -> trough at +1, back at +4
    assert months_to_recover(np.array([10, 10, 5, 5, 10, 10, 10, 10.0]), base, start=2, window=3) == 4.0
    assert months_to_recover(base * 0.97, base, start=2) == 0.0  # never below 95%
    assert np.isnan(months_to_recover(np.r_[base[:2], np.full(6, 5.0)], base, start=2))  # never back


def test_paired_ci_by_hand():
    mean, lo, hi, n, sd = confidence_interval(np.array([2.0, 4.0, 6.0]), np.array([1.0, 2.0, 3.0]), level=0.9)
    # differences 1, 2, 3: mean 2, sd 1, t(0.95; 2 df) = 2.919986 -> half width 2.919986 / sqrt(3) = 1.685855
    assert (mean, lo, hi, n, sd) == pytest.approx((2.0, 2.0 - 1.685855, 2.0 + 1.685855, 3, 1.0), abs=1e-6)
    # the default level is 95%: t(0.975; 2 df) = 4.302653 -> half width 2.484138
    assert confidence_interval([1.0, 2.0, 3.0]).high == pytest.approx(2.0 + 2.484138, abs=1e-6)


def test_wilson_interval_by_hand():
    _, lo, hi, _, _ = confidence_interval([1.0] * 5 + [0.0] * 5, level=0.9, method="wilson")
    # z = 1.644854; centre = (0.5 + z^2/20) / (1 + z^2/10) = 0.5; half = 1.644854 * sqrt(0.025 + 0.006764) / 1.270550 = 0.23073
    assert (lo, hi) == pytest.approx((0.5 - 0.23073, 0.5 + 0.23073), abs=1e-4)


def test_payback_month_of_the_mean_curve():
    monthly = pd.DataFrame({"replication": [0, 0, 0, 1, 1, 1], "month_no": [1, 2, 3] * 2,
                            # cumulative net: rep 0: -10, -4, 3; rep 1: -10, -8, -1 -> mean -10, -6, 1
                            "cumulative net": [-10.0, -4.0, 3.0, -10.0, -8.0, -1.0]})
    roi = InterventionROI(runs=pd.DataFrame(), monthly=monthly, gross_margin=0.5, start_month=1)
    assert roi.payback_month() == 3.0


def test_an_intervention_without_effect_returns_minus_its_cost():
    roi = intervention_roi(small(), [{"kind": "training", "at": 3, "skill_gain": 0.0, "days": 0, "cost": 5000}],
                           replications=2, seed=4)
    # common random numbers: a no-effect event leaves every run identical, so revenue is unchanged
    assert (roi.runs["incremental revenue"] == 0).all()
    assert (roi.runs["net return"] == -5000).all()
    assert roi.runs["ROI"].tolist() == [-1.0, -1.0]
    assert np.isnan(roi.payback_month())


@pytest.mark.slow
def test_stress_test_downside_and_recovery():
    st = stress_test(small(), {"no more leads": [{"kind": "demand_shock", "at": 7, "factor": 0.0}],
                               "leads dip": [{"kind": "demand_shock", "at": 4, "factor": 0.5, "until": 5}]},
                     replications=3, seed=2)
    s = st.summary().set_index(["variant", "metric"])
    assert s.loc[("baseline", "revenue"), "change vs baseline"] == 0.0
    runs = st.runs.set_index(["variant", "replication"])["revenue"]
    assert (runs["no more leads"] < runs["baseline"]).all()
    assert s.loc[("no more leads", "revenue"), "P5"] <= s.loc[("no more leads", "revenue"), "P10"]
    assert s.loc[("no more leads", "months to recover (median)"), "recovered within horizon"] == 0.0
    assert s.loc[("leads dip", "months to recover (median)"), "recovered within horizon"] > 0.0


@pytest.mark.slow
def test_effect_grid_on_a_small_org():
    sc = small({"kind": "process_standardisation", "at": 1, "duration_factor": 0.7, "win_factor": 1.0, "ramp_months": 0})
    g = effect_grid(sc, {"events.0.duration_factor": [1.0, 0.6]}, replications=2, seed=1, months=(4, 12))
    none, strong = g.iloc[0], g.iloc[1]
    assert none["revenue change"] == 0.0 and none["cycle change"] == 0.0  # factor 1 = the baseline, exactly
    assert strong["cycle change"] < -0.2


DIP = {"leads dip": [{"kind": "demand_shock", "at": 4, "factor": 0.5, "until": 5}]}


def test_stress_results_are_the_same_with_1_and_2_worker_processes():
    from salessim.experiments.executors import ProcessExecutor

    one = stress_test(small(), DIP, replications=3, seed=2, executor="serial", progress=False)
    with ProcessExecutor(workers=2) as pool:
        two = stress_test(small(), DIP, replications=3, seed=2, executor=pool, progress=False)
    pd.testing.assert_frame_equal(one.runs, two.runs, check_exact=True)
    pd.testing.assert_frame_equal(one.monthly, two.monthly, check_exact=True)
    pd.testing.assert_frame_equal(one.summary(), two.summary(), check_exact=True)


def test_a_killed_stress_run_resumes_from_the_store(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    import yaml

    from tests.events.helpers import small_data

    scenario, shocks, store = tmp_path / "small.yaml", tmp_path / "shocks.yaml", tmp_path / "store"
    scenario.write_text(yaml.safe_dump(small_data()), encoding="utf-8")
    shocks.write_text(yaml.safe_dump(DIP), encoding="utf-8")
    reference = stress_test(small(), DIP, replications=6, seed=2, executor="serial", progress=False)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-m", "salessim", "stress", str(scenario), str(shocks), "-n", "6",
                             "--seed", "2", "--workers", "1", "--store", str(store), "--quiet"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runs = store / "runs"
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        if runs.is_dir() and len(list(runs.iterdir())) >= 3:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.05)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL  # killed half-way, not finished
    finished = len(list(runs.iterdir()))
    assert 3 <= finished < 12
    resumed = stress_test(small(), DIP, replications=6, seed=2, executor="serial", progress=False, store=store)
    assert int(resumed.run_log["cached"].sum()) == finished  # finished runs were not recomputed
    pd.testing.assert_frame_equal(reference.runs, resumed.runs, check_exact=True)
    pd.testing.assert_frame_equal(reference.monthly, resumed.monthly, check_exact=True)
    again = stress_test(small(), DIP, replications=6, seed=2, executor="serial", progress=False, store=store)
    assert again.run_log["cached"].all()


def test_a_stored_run_without_the_stress_tables_gets_them_added(tmp_path):
    import salessim

    salessim.compare([small()], replications=2, seed=2, executor="serial", progress=False, store=tmp_path)
    first = stress_test(small(), DIP, replications=2, seed=2, executor="serial", progress=False, store=tmp_path)
    assert not first.run_log["cached"].any()  # the compare runs lacked the per-run stress tables
    assert all((p / "monthly.parquet").exists() for p in (tmp_path / "runs").iterdir())
    again = stress_test(small(), DIP, replications=2, seed=2, executor="serial", progress=False, store=tmp_path)
    assert again.run_log["cached"].all()
    pd.testing.assert_frame_equal(first.runs, again.runs, check_exact=True)
