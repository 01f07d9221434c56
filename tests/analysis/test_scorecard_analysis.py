"""Rep scorecard: hand-computed example and reconciliation with the ledger."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import salessim
from salessim.analysis import rep_scorecard
from salessim.analysis.periods import period_labels
from salessim.results.tables import SimResult
from salessim.scenario import Calendar


def _hand_result(small) -> SimResult:
    """Two reps, four months (Jan-Mar = Q1, Apr = Q2).

    R001: bookings 100, 0, 200 | 50; won 1, 0, 2 | 1; lost 1, 1, 0 | 3; hours 30/40 each month
    R002: bookings 300, 0, 0 | 0;  won 1, 0, 0 | 0; lost 0, 0, 0 | 1; hours 40/40 each month
    Q1: R001 300 (3 won, 2 lost -> win rate 60%, avg deal 100), R002 300 (1 won -> 100%, 300)
        tie on bookings -> both rank 1; shares 50% / 50%; utilisation 75% / 100%
    Q2: R001 50 (1 won, 3 lost -> 25%), R002 0 (0 won, 1 lost -> 0%, avg deal n/a); ranks 1, 2
    pipeline at the end of Q1 = March's value: R001 7, R002 9.
    """
    months = pd.PeriodIndex(["2026-01", "2026-02", "2026-03", "2026-04"], freq="M")
    ledger = pd.DataFrame({
        "rep": ["R001"] * 4 + ["R002"] * 4,
        "month": list(months) * 2,
        "leads": [5, 5, 5, 5, 1, 1, 1, 1],
        "deals_won": [1, 0, 2, 1, 1, 0, 0, 0],
        "deals_lost": [1, 1, 0, 3, 0, 0, 0, 1],
        "bookings": [100.0, 0, 200, 50, 300, 0, 0, 0],
        "hours_worked": [30.0] * 4 + [40.0] * 4,
        "hours_capacity": [40.0] * 8,
        "pipeline_value": [1.0, 2, 7, 4, 3, 3, 9, 0],
        "open_deals": [0] * 8,
    })
    reps = pd.DataFrame({"rep": ["R001", "R002"], "region": ["North", "South"], "skill": [1.1, 0.9]})
    return SimResult(small, 0, pd.DataFrame(), ledger, reps, pd.DataFrame())


def test_quarterly_scorecard_hand_computed(small):
    sc = rep_scorecard(_hand_result(small), "Q").set_index(["period", "rep"])
    q1, q2 = "FY2026 Q1", "FY2026 Q2"
    assert sc.loc[(q1, "R001"), ["bookings", "deals_won", "deals_lost", "leads"]].tolist() == [300, 3, 2, 15]
    assert sc.loc[(q1, "R001"), "win_rate"] == pytest.approx(0.6)
    assert sc.loc[(q1, "R001"), "average_deal"] == pytest.approx(100)
    assert sc.loc[(q1, "R002"), "average_deal"] == pytest.approx(300)
    assert sc.loc[(q1, "R001"), "rank"] == sc.loc[(q1, "R002"), "rank"] == 1
    assert sc.loc[(q1, "R001"), "share_of_team"] == pytest.approx(0.5)
    assert sc.loc[(q1, "R001"), "utilisation"] == pytest.approx(0.75)
    assert sc.loc[(q1, "R002"), "utilisation"] == pytest.approx(1.0)
    assert sc.loc[(q1, "R001"), "pipeline_end"] == 7 and sc.loc[(q1, "R002"), "pipeline_end"] == 9
    assert sc.loc[(q2, "R001"), "win_rate"] == pytest.approx(0.25)
    assert sc.loc[(q2, "R002"), "win_rate"] == 0.0
    assert np.isnan(sc.loc[(q2, "R002"), "average_deal"])
    assert sc.loc[(q2, "R001"), "rank"] == 1 and sc.loc[(q2, "R002"), "rank"] == 2
    assert sc.loc[(q2, "R002"), "skill"] == 0.9 and sc.loc[(q2, "R002"), "region"] == "South"
    assert "attainment" not in sc.columns


def test_attainment_appears_with_a_quota_column(small):
    r = _hand_result(small)
    r = SimResult(r.scenario, 0, r.deals, r.ledger.assign(quota=100.0), r.reps, r.accounts)
    sc = rep_scorecard(r, "Q").set_index(["period", "rep"])
    # Q1: R001 booked 300 against 3 x 100 = 300 -> 100%; Q2: 50 / 100 = 50%
    assert sc.loc[("FY2026 Q1", "R001"), "attainment"] == pytest.approx(1.0)
    assert sc.loc[("FY2026 Q2", "R001"), "attainment"] == pytest.approx(0.5)


def test_scorecard_reconciles_with_the_ledger(small_result):
    for period, n_periods in (("all", 1), ("Y", 1), ("Q", 4), ("M", 12)):
        sc = rep_scorecard(small_result, period)
        assert len(sc) == n_periods * small_result.scenario.org.reps
        assert sc["bookings"].sum() == pytest.approx(small_result.ledger["bookings"].sum())
        assert sc["deals_won"].sum() == small_result.ledger["deals_won"].sum()
        assert sc.groupby("period")["share_of_team"].sum().tolist() == pytest.approx([1.0] * n_periods)
        for _, g in sc.groupby("period"):
            assert g["rank"].min() == 1 and g["bookings"].is_monotonic_decreasing


def test_fiscal_periods():
    months = pd.Series(pd.period_range("2026-01", periods=12, freq="M"))
    q = period_labels(months, "Q", Calendar(fiscal_year_start_month=4))
    # Fiscal year April-March, named after the year it ends in: Jan-Mar 2026 close FY2026.
    assert q.tolist()[:4] == ["FY2026 Q4", "FY2026 Q4", "FY2026 Q4", "FY2027 Q1"]
    assert period_labels(months, "Y", Calendar()).unique().tolist() == ["FY2026"]
    with pytest.raises(ValueError, match="period must be one of"):
        period_labels(months, "W", Calendar())


def test_scorecard_of_a_full_run_has_the_documented_columns(small_result):
    cols = rep_scorecard(small_result, "Q").columns.tolist()
    assert cols == ["period", "rank", "rep", "region", "bookings", "quota", "attainment", "share_of_team",
                    "deals_won", "deals_lost", "win_rate", "average_deal", "leads", "pipeline_end",
                    "utilisation", "skill"]
    sc = rep_scorecard(small_result, "all")
    # Attainment over the year = the year's bookings / the year's quota (sum of the monthly quotas).
    ledger = small_result.ledger.assign(rep=small_result.ledger["rep"].astype(str)).groupby("rep")[["bookings", "quota"]].sum()
    expected = (ledger["bookings"] / ledger["quota"]).reindex(sc["rep"]).to_numpy()
    assert np.allclose(sc["attainment"].to_numpy(), expected)
    assert salessim.__version__
