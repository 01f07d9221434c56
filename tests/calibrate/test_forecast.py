"""Forecast from today's pipeline: conditional stage durations, the engine's seeding hook, the
forecast and its back-test on generated exports (the truth is known), quota files and the CLI."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import CRM, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from salessim.calibrate import calibrate, import_crm, load_mapping
from salessim.calibrate.exports import MAPPING, ExportSpec, snapshot_export
from salessim.calibrate.forecast import (
    DEPARTED,
    backtest_forecast,
    forecast,
    open_pipeline,
    read_quotas,
    win_chance_by_age,
    window_start,
)
from salessim.calibrate.scenario import DEFAULT_BASE, default_base
from salessim.errors import SalessimError
from salessim.model.distributions import Empirical, Exponential, Gamma, Lognormal, LognormalMixture
from salessim.results.simulation import simulate
from salessim.scenario import load_scenario

# --------------------------------------------------------------------------- conditional durations

#: Each engine duration with the scipy distribution it is (the mixture: its own exact cdf).
FAMILIES = [
    (Lognormal(median_days=20, sigma=0.6), stats.lognorm(0.6, scale=20).cdf),
    (Gamma(mean_days=30, cv=0.7), stats.gamma(1 / 0.49, scale=30 * 0.49).cdf),
    (Exponential(mean_days=10), stats.expon(scale=10).cdf),
    (LognormalMixture(weights=[0.35, 0.65], median_days=[5, 75], sigma=[0.6, 0.3]),
     lambda t: 0.35 * stats.lognorm(0.6, scale=5).cdf(t) + 0.65 * stats.lognorm(0.3, scale=75).cdf(t)),
]


@pytest.mark.parametrize(("dist", "cdf"), FAMILIES, ids=lambda x: type(x).__name__)
@pytest.mark.parametrize("elapsed", [0.0, 4.0, 30.0, 90.0])
def test_remaining_is_the_conditional_distribution(dist, cdf, elapsed) -> None:
    """elapsed + remaining ~ duration | duration > elapsed (KS against scipy's cdf)."""
    u = np.random.default_rng(7).random(5000)
    t = elapsed + dist.remaining(u, np.full(len(u), elapsed))
    f0 = cdf(elapsed)
    assert stats.kstest(t, lambda x: (cdf(x) - f0) / (1 - f0)).pvalue > 0.01
    assert np.allclose(dist.cdf(np.array([3.0, 20.0, 80.0])), cdf(np.array([3.0, 20.0, 80.0])), atol=1e-9)


def test_remaining_with_wrong_conditioning_is_caught() -> None:
    """The KS check above can fail: unconditioned draws are not the conditional distribution."""
    d, cdf = FAMILIES[0]
    t = 30.0 + d.quantile(np.random.default_rng(7).random(5000))
    f0 = cdf(30.0)
    assert stats.kstest(t, lambda x: (cdf(x) - f0) / (1 - f0)).pvalue < 1e-6


@settings(max_examples=60, deadline=None)
@given(u=st.floats(0.0, 0.999), elapsed=st.floats(0.0, 2000.0), k=st.integers(0, 4))
def test_remaining_properties(u, elapsed, k) -> None:
    """Finite and >= 0 at any age (very old deals stay exact in log space); elapsed 0 is the
    quantile; an empirical table leaves nothing after its last day."""
    dist = [*(f[0] for f in FAMILIES), Empirical(p=[0, 0.4, 1], days=[0, 10, 100])][k]
    r = dist.remaining(np.array([u]), np.array([elapsed]))
    assert np.isfinite(r).all() and (r >= 0).all()
    assert dist.remaining(np.array([u]), np.array([0.0]))[0] == pytest.approx(dist.quantile(np.array([u]))[0], rel=1e-6, abs=1e-6)
    if k == 4 and elapsed >= 100:
        assert r[0] == 0.0


# --------------------------------------------------------------------------- the engine's seeding hook


def _small() -> dict:
    return {**DEFAULT_BASE, "calendar": {"start_date": "2026-07-01", "horizon_months": 6, "warmup_months": 0},
            "org": {**DEFAULT_BASE["org"], "reps": 10}, "market": {**DEFAULT_BASE["market"], "leads_per_year": 2000}}


def _seeded(n: int, stage: int, days_in_stage: float, win: float = np.nan, amount: float = 50_000.0) -> pd.DataFrame:
    return pd.DataFrame({"rep": np.arange(n) % 10, "stage": stage, "days_in_stage": days_in_stage,
                         "age_days": days_in_stage + 20.0, "amount": amount, "segment": 0, "product": 0,
                         "win_probability": win})


def test_empty_pipeline_leaves_the_run_unchanged() -> None:
    sc = load_scenario(_small())
    a, b = simulate(sc, seed=3), simulate(sc, seed=3, initial_pipeline=_seeded(0, 2, 0.0))
    pd.testing.assert_frame_equal(a.deals, b.deals)


def test_seeded_deals_are_the_first_deals() -> None:
    sc = load_scenario(_small())
    r = simulate(sc, seed=3, initial_pipeline=_seeded(200, 3, 5.0, win=1.0))
    seeded = r.deals[r.deals["deal_id"] < 200]
    assert len(seeded) == 200 and (seeded["created_day"] == -25.0).all()
    assert (seeded["list_amount"] == 50_000.0).all()
    # pinned to win: every one is won unless it slipped while nobody had time for it
    assert (seeded["outcome"] == "won").mean() > 0.9
    lost = simulate(sc, seed=3, initial_pipeline=_seeded(200, 3, 5.0, win=0.0)).deals
    assert not (lost.loc[lost["deal_id"] < 200, "outcome"] == "won").any()


def test_old_deals_leave_their_stage_sooner_than_fresh_ones() -> None:
    """Same stage, same dice stream: deals 3x the stage's median into it close sooner."""
    sc = load_scenario(_small())
    median = sc.funnel.stages[4].duration.quantile(np.array([0.5]))[0]

    def close_days(days_in_stage: float) -> np.ndarray:
        d = simulate(sc, seed=5, initial_pipeline=_seeded(300, 4, days_in_stage, win=1.0)).deals
        return d.loc[(d["deal_id"] < 300) & (d["outcome"] == "won"), "close_day"].to_numpy()

    fresh, old = close_days(0.0), close_days(3 * median)
    assert stats.mannwhitneyu(old, fresh, alternative="less").pvalue < 1e-6
    # by as much as the conditional distribution says (waits for rep time add to both alike)
    dist = sc.funnel.stages[4].duration
    expected = dist.remaining(np.array([0.5]), np.array([3 * median]))[0] - median
    assert np.median(old) - np.median(fresh) == pytest.approx(expected, abs=1.5)


# --------------------------------------------------------------------------- the forecast


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    path = tmp_path_factory.mktemp("fc") / "export.csv"
    snapshot_export(ExportSpec(opportunities=4000, months=18), 1).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def crm(export):
    return import_crm(export, load_mapping(MAPPING), default_base().funnel.stage_names)


@pytest.fixture(scope="module")
def cal(crm):
    return calibrate(crm, default_base(), refine_iterations=0)


@pytest.fixture(scope="module")
def fc(crm, cal):
    return forecast(crm, calibration=cal, replications=12, seed=4, progress=False)


def test_window_is_the_next_calendar_months() -> None:
    assert window_start(pd.Timestamp("2026-06-30")) == pd.Timestamp("2026-07-01")
    assert window_start(pd.Timestamp("2026-06-14")) == pd.Timestamp("2026-07-01")


def test_open_deals_are_placed_and_owned(crm, cal) -> None:
    start = window_start(crm.as_of)
    sc = load_scenario({**cal.data, "calendar": {**cal.data["calendar"], "warmup_months": 0}})
    p = open_pipeline(crm, cal.fit, sc, start)
    is_open = crm.deals["status"] == "open"
    assert len(p.frame) == int(is_open.sum())
    assert (p.frame["rep"] >= 0).all() and (p.frame["rep"] < sc.org.reps).all()
    assert (p.frame["days_in_stage"] <= p.frame["age_days"]).all()
    assert p.frame["amount"].isna().sum() == int(crm.deals.loc[is_open, "amount"].isna().sum())
    # the leavers of the generated export stop appearing months before it ends
    assert len(p.departed) >= 2


def test_win_chance_falls_for_deals_past_the_won_hump(cal) -> None:
    """Won cycle: quick wins and a hump at ~75 days; lost deals spread wider. A deal open for a
    year has outlived nearly every win."""
    p = win_chance_by_age(cal.fit, np.array([0.0, 30.0, 365.0]))
    assert p[0] == pytest.approx(cal.fit.cycle.win_rate)
    assert p[2] < 0.3 * p[1]


def test_forecast_tables_add_up(fc) -> None:
    m = fc.monthly.set_index("month")
    assert list(m.index) == [*[str(x) for x in fc.months], "total"]
    assert (m["p10"] <= m["p50"]).all() and (m["p50"] <= m["p90"]).all()
    assert m.loc["total", "mean"] == pytest.approx(m.drop("total")["mean"].sum())
    assert fc.owners["mean"].sum() == pytest.approx(m.loc["total", "mean"])
    assert m.loc["total", "from_open_pipeline"] > 0 and m.loc["total", "from_new_leads"] > 0
    assert DEPARTED in set(fc.owners["owner"])
    assert fc.draws.groupby("replication")["bookings"].sum().mean() == pytest.approx(m.loc["total", "mean"])


def test_same_seed_same_forecast(crm, cal, fc) -> None:
    again = forecast(crm, calibration=cal, replications=12, seed=4, progress=False)
    pd.testing.assert_frame_equal(again.monthly, fc.monthly)
    pd.testing.assert_frame_equal(again.owners, fc.owners)
    other = forecast(crm, calibration=cal, replications=12, seed=5, progress=False)
    assert not np.allclose(other.monthly["p50"], fc.monthly["p50"])


def test_the_open_pipeline_matters(crm, cal, fc) -> None:
    """Without its open deals the forecast's first month loses what they bring."""
    empty = crm.deals[crm.deals["status"] != "open"]
    import dataclasses

    bare = forecast(dataclasses.replace(crm, deals=empty.reset_index(drop=True)), calibration=cal,
                    replications=12, seed=4, progress=False)
    first = str(fc.months[0])
    assert bare.monthly.set_index("month").loc[first, "p90"] < fc.monthly.set_index("month").loc[first, "p10"]


# --------------------------------------------------------------------------- quotas


def _quota_file(tmp_path, text: str):
    p = tmp_path / "quotas.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_quota_attainment(crm, cal, tmp_path) -> None:
    q = _quota_file(tmp_path, "owner,period,quota\n" + "".join(
        f"Rep {i:02d},{m},{100_000}\n" for i in range(5, 11) for m in ("2026-07", "2026-08", "2026-09")))
    fc = forecast(crm, calibration=cal, quotas=q, replications=12, seed=4, progress=False)
    o = fc.owners.set_index("owner")
    assert o.loc["Rep 05", "quota"] == 300_000
    assert o.loc["Rep 05", "attainment_p50"] == pytest.approx(o.loc["Rep 05", "p50"] / 300_000)
    assert 0 <= o.loc["Rep 05", "chance_at_quota"] <= 1
    assert np.isnan(o.loc["Rep 12", "attainment_p50"])  # no quota row
    assert any("without a quota row" in n for n in fc.notes)


def test_quarter_quotas_count_pro_rata() -> None:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "q.csv"
        p.write_text("owner,period,quota\nAna,2026Q3,300\nAna,2026-10,50\nBo,2026-q4,90\n", encoding="utf-8")
        q = read_quotas(p, ["Ana", "Bo"], pd.period_range("2026-08", periods=3, freq="M"))
    assert q["Ana"] == pytest.approx(200 + 50) and q["Bo"] == pytest.approx(30)


@pytest.mark.parametrize(("text", "words"), [
    ("", "empty"),
    ("owner,quota\n", "no rows"),
    ("owner,amount\nRep 05,10\n", "missing column 'quota'"),
    ("owner,quota\nRep 05,lots\n", "line 2: quota: 'lots' is not an amount"),
    ("owner,quota\nRep 05,-5\n", "negative"),
    ("owner,quota\nRep 99,5\n", "'Rep 99' is not an owner in the export"),
    ("owner,quota\nRep 05,5\nRep 05,6\n", "appears twice"),
    ("owner,period,quota\nRep 05,July,5\n", "period: 'July' is not a month or quarter"),
    ("owner,period,quota\nRep 05,2020-01,5\n", "no quota row covers the forecast window"),
])
def test_bad_quota_file_is_one_line(tmp_path, text, words) -> None:
    p = _quota_file(tmp_path, text)
    with pytest.raises(SalessimError) as e:
        read_quotas(p, [f"Rep {i:02d}" for i in range(1, 31)], pd.period_range("2026-07", periods=3, freq="M"))
    msg = str(e.value)
    assert words in msg and "quotas.csv" in msg and "\n" not in msg


def test_bad_as_of_is_one_line(crm, cal) -> None:
    for day, words in (("2030-01-01", "after the export's own date"), ("2000-01-01", "days of data before it")):
        with pytest.raises(SalessimError, match=words):
            forecast(crm, calibration=cal, as_of=day, replications=2, progress=False)


# --------------------------------------------------------------------------- back-test


@pytest.mark.slow
def test_backtest_covers_what_actually_closed(crm) -> None:
    """Forecasts made at three earlier month starts: the actual quarter is inside P10-P90 in most
    cuts (80% expected) and the likely value is close."""
    bt = backtest_forecast(crm, cuts=3, months=3, replications=30, seed=0, refine_iterations=1, progress=False)
    s = bt.summary.set_index("level")
    assert s.loc["total", "forecasts"] == 3 and s.loc["month", "forecasts"] == 9
    assert s.loc["total", "inside_p10_p90"] >= 2 / 3, bt.table
    assert s.loc["month", "inside_p10_p90"] >= 5 / 9, bt.table
    assert s.loc["total", "mean_abs_error"] < 0.15, bt.table


def test_backtest_snapshot_forgets_later_stages(crm) -> None:
    from salessim.calibrate.forecast import snapshot_open

    snap = snapshot_open(crm, pd.Timestamp("2026-01-01"))
    assert snap.as_of == pd.Timestamp("2025-12-31")
    assert snap.deals.loc[snap.deals["status"] == "open", "stage"].isna().all()


def test_stage_history_places_deals_exactly(stages) -> None:
    """With a stage history a deal sits in the stage it last entered, for the days since."""
    crm = import_crm(CRM / "opportunities.csv", load_mapping(preset="generic"), stages, CRM / "stage_history.csv")
    cal = calibrate(crm, default_base(), refine_iterations=0)
    start = window_start(crm.as_of)
    sc = load_scenario({**cal.data, "calendar": {**cal.data["calendar"], "warmup_months": 0}})
    p = open_pipeline(crm, cal.fit, sc, start)
    h = crm.history.sort_values("entered").groupby("opportunity_id").tail(1).set_index("opportunity_id")
    got = p.deals.set_index("opportunity_id")
    h = h.reindex(got.index)
    assert (got["stage"] == [stages[i] for i in h["stage_index"].astype(int)]).all()
    assert np.allclose(got["days_in_stage"], np.minimum((start - h["entered"]).dt.days, got["age_days"]))
    assert got["win_chance"].isna().all()  # the fitted stage conversions decide


# --------------------------------------------------------------------------- CLI


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "salessim", "forecast", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def test_cli_writes_tables_and_chart(export, tmp_path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump(MAPPING), encoding="utf-8")
    quotas = _quota_file(tmp_path, "owner,period,quota\nRep 07,2026Q3,400000\n")
    out = tmp_path / "out"
    p = cli(str(export), "--mapping", str(mapping), "--quota", str(quotas), "--replications", "3", "--refine", "0",
            "--out", str(out), "--no-progress")
    assert p.returncode == 0, p.stderr
    assert "likely (P50)" in p.stdout and "whole window" in p.stdout and "chance at quota" in p.stdout
    for name in ("forecast_monthly.csv", "forecast_owners.csv", "forecast_open_deals.csv", "forecast_fan.png"):
        assert (out / name).stat().st_size > 0
    bad = _quota_file(tmp_path, "owner,period,quota\nNobody,2026Q3,1\n")
    p = cli(str(export), "--mapping", str(mapping), "--quota", str(bad), "--replications", "2", "--refine", "0",
            "--no-progress")
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "'Nobody' is not an owner" in p.stderr
    p = cli(str(export), "--as-of", "30/06/2026")
    assert p.returncode == 2 and "not a calendar date" in p.stderr and p.stderr.count("\n") == 1
