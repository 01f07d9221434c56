"""Design comparisons: hand-computed tables for the arithmetic, common random numbers for pairing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import salessim
from salessim.analysis.comparisons import (
    attainment_vs_potential,
    comparison,
    effort_by_ytd_attainment,
    hockey_stick_by_week,
    pay_changes,
    quota_fairness,
    rep_outcomes,
    replicate_designs,
    territory_balance,
    winners_losers_summary,
    yearly_attainment,
    ytd_attainment,
)


@pytest.fixture(scope="module")
def sets(small):
    linear = salessim.load_scenario(small, plan=str(__import__("pathlib").Path(__file__).resolve().parents[2]
                                                    / "data" / "plans" / "linear_commission.yaml"))
    return replicate_designs({"current": small, "same again": small, "linear": linear}, 2, seed=3)


def test_identical_designs_differ_by_exactly_zero(sets):
    s = comparison(sets).summary(kpis=["revenue", "deals won"])
    same = s[s["scenario"] == "same again"]
    assert (same["diff"] == 0).all() and (same["diff_low"] == 0).all() and (same["diff_high"] == 0).all()
    assert s[s["scenario"] == "linear"]["diff"].notna().all()


def test_rep_outcomes_add_up_to_the_ledger(sets):
    o = rep_outcomes(sets)
    assert o.groupby(["design", "replication"], observed=True).size().eq(20).all()
    led = sets["linear"].results[1].ledger
    mine = o[(o["design"] == "linear") & (o["replication"] == 1)]
    assert mine["bookings"].sum() == pytest.approx(led["bookings"].sum())
    assert mine["total_pay"].sum() == pytest.approx(led["total_pay"].sum())
    assert (o["attainment"] == o["bookings"] / o["quota"]).all()


def test_pay_changes_by_hand():
    o = pd.DataFrame({"design": ["a", "a", "a", "b", "b", "b"], "replication": 0, "rep": ["R1", "R2", "R3"] * 2,
                      "total_pay": [100.0, 200.0, 300.0, 110.0, 150.0, 300.0]})
    c = pay_changes(o, "a", "b")
    # R2: 150 - 200 = -50 (-25%); R3: 0 (0%); R1: 110 - 100 = +10 (+10%); sorted by change
    assert list(c["rep"]) == ["R2", "R3", "R1"]
    assert list(c["change"]) == [-50.0, 0.0, 10.0]
    assert c["change_share"].tolist() == pytest.approx([-0.25, 0.0, 0.10])
    w = winners_losers_summary(c).set_index("metric")["value"]
    assert w["reps gaining more than 5%"] == pytest.approx(1 / 3)  # R1 only
    assert w["reps losing more than 5%"] == pytest.approx(1 / 3)  # R2 only
    assert w["median change per rep"] == 0.0 and w["largest loss"] == -50.0


def test_ytd_attainment_by_hand():
    led = pd.DataFrame({"rep": ["R1"] * 3, "month": pd.period_range("2026-01", periods=3, freq="M"),
                        "bookings": [50.0, 100.0, 150.0], "quota": [100.0] * 3, "effort": 1.0, "status": "active"})
    y = ytd_attainment(led)
    # start of Jan: no quota yet; Feb: 50 / 100; Mar: (50 + 100) / 200
    assert np.isnan(y["ytd_attainment"].iloc[0])
    assert y["ytd_attainment"].iloc[1:].tolist() == [0.5, 0.75]


def test_effort_bands_count_every_active_month(sets):
    b = effort_by_ytd_attainment({"current": sets["current"]})
    led = sets["current"].results[0].ledger
    active = ytd_attainment(led)
    n = sum(int(((ytd_attainment(r.ledger)["status"] != "vacant") & ytd_attainment(r.ledger)["ytd_attainment"].notna()).sum())
            for r in sets["current"].results)
    assert b["rep_months"].sum() == n and len(active) == len(led)


def test_hockey_stick_weeks_are_shares(sets):
    w = hockey_stick_by_week(sets)
    assert w["week"].between(1, 13).all()
    assert w.groupby("design", observed=True)["share"].sum().to_numpy() == pytest.approx(1.0)


def test_territory_balance_moves_nothing_against_itself(small):
    bal = territory_balance({"today": small, "again": small})
    moved = bal[bal["metric"] == "share_moved"].set_index("design")["value"]
    assert (moved == 0).all()
    balanced = salessim.load_scenario(small, **{"territories.strategy": "balanced_workload"})
    b2 = territory_balance({"today": small, "balanced": balanced})
    cv = b2[(b2["metric"] == "cv") & (b2["measure"] == "workload")].set_index("design")["value"]
    assert cv["balanced"] < cv["today"]


def test_quota_fairness_by_construction():
    pot = np.linspace(0.5, 1.5, 10)
    pts = pd.DataFrame({"design": "rich win", "replication": 0, "rep": [f"R{i}" for i in range(10)],
                        "attainment": pot, "potential_index": pot})
    f = quota_fairness(pts).iloc[0]
    assert f["spearman_rho"] == pytest.approx(1.0) and f["slope_per_potential_index"] == pytest.approx(1.0)
    assert f["at_or_above_quota"] == pytest.approx(0.5)  # 1.06 .. 1.5: 5 of 10


def test_attainment_vs_potential_and_years(sets):
    p = attainment_vs_potential({"current": sets["current"]})
    assert p["potential_index"].notna().all() and p.groupby("replication")["potential_index"].mean().to_numpy() == pytest.approx(1.0)
    y = yearly_attainment({"current": sets["current"]})
    assert y["year"].nunique() == 1 and y["next_quota_change"].isna().all()  # one fiscal year


def test_best_design_ranks_identical_designs_equal_and_skips_them_as_runner_up(sets):
    from salessim.analysis.economics import best_design, net_contribution_runs

    twins = best_design({"current": sets["current"], "same again": sets["same again"]})
    assert {twins["best"], *twins["same"]} == {"current", "same again"} and twins["second"] is None
    best = best_design(sets)
    net = net_contribution_runs(sets).pivot_table(index="replication", columns="design", values="net contribution",
                                                  observed=True)
    if best["best"] == "linear":
        assert best["same"] == [] and best["second"] in ("current", "same again")
    else:
        assert best["same"] == [({"current", "same again"} - {best["best"]}).pop()] and best["second"] == "linear"
        assert best["p_first"] == pytest.approx((net[best["best"]] > net["linear"]).mean())
    assert best["margin"] == pytest.approx(net[best["best"]].mean() - net[best["second"]].mean())
