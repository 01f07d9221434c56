"""Engine behaviour: reproducibility, accounting identities, and statistical correctness."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import salessim
from salessim.engine.floor import SalesFloor


def test_same_seed_gives_bit_identical_tables(small_scenario) -> None:
    a = salessim.simulate(small_scenario, seed=7)
    b = salessim.simulate(small_scenario, seed=7)
    pd.testing.assert_frame_equal(a.deals, b.deals)
    pd.testing.assert_frame_equal(a.ledger, b.ledger)
    pd.testing.assert_frame_equal(a.kpis(), b.kpis())


def test_different_seeds_differ(small_scenario) -> None:
    a = salessim.simulate(small_scenario, seed=1)
    b = salessim.simulate(small_scenario, seed=2)
    assert not a.deals["amount"].equals(b.deals["amount"])


def test_seed_defaults_to_the_scenarios(small_scenario) -> None:
    a = salessim.simulate(small_scenario)
    b = salessim.simulate(small_scenario, seed=small_scenario.seed)
    pd.testing.assert_frame_equal(a.deals, b.deals)


def test_every_lead_ends_in_exactly_one_outcome(small_scenario) -> None:
    floor = SalesFloor(small_scenario, 3).run()
    p = floor.pipe
    assert set(np.unique(p.outcome)) <= {0, 1, 2}
    assert np.isnan(p.close[p.outcome == 0]).all()
    assert (p.close[p.outcome != 0] >= p.created[p.outcome != 0]).all()
    assert (p.close[p.outcome != 0] <= floor.clock.end_day).all()
    r = salessim.simulate(small_scenario, seed=3)
    assert r.deals["outcome"].notna().all()
    assert r.deals["deal_id"].is_unique


def test_ledger_bookings_equal_won_amounts(small_scenario) -> None:
    r = salessim.simulate(small_scenario, seed=4)
    d = r.deals
    won = d[(d["outcome"] == "won") & d["close_day"].between(0, r.horizon_days, inclusive="left")]
    assert r.ledger["bookings"].sum() == pytest.approx(won["amount"].sum(), rel=1e-12)
    assert r.ledger["deals_won"].sum() == len(won)
    by_rep = won.groupby("rep", observed=False)["amount"].sum()
    ledger_by_rep = r.ledger.groupby("rep", observed=False)["bookings"].sum()
    np.testing.assert_allclose(ledger_by_rep.to_numpy(), by_rep.reindex(ledger_by_rep.index).to_numpy())
    kpi = r.kpis().set_index("kpi")["value"]
    assert kpi["revenue"] == pytest.approx(won["amount"].sum())


def test_ledger_covers_measured_months_only(small_scenario) -> None:
    r = salessim.simulate(small_scenario, seed=5)
    months = r.ledger["month"].unique()
    assert len(months) == small_scenario.calendar.horizon_months
    assert str(months.min()) == "2026-01"
    assert len(r.ledger) == small_scenario.calendar.horizon_months * small_scenario.org.reps
    assert (r.ledger["hours_worked"] <= r.ledger["hours_capacity"] + 1e-9).all()
    # warm-up deals closed before the start are excluded; the open pipeline at the start is kept
    assert (r.deals["close_day"].dropna() >= 0).all()
    assert (r.deals["created_day"] < 0).any()


def test_events_when_asked(small_scenario) -> None:
    r = salessim.simulate(small_scenario, seed=1, record_events=True)
    assert r.events is not None and len(r.events) > 0
    assert set(r.events.columns) == {"deal", "day", "from_stage", "to_stage"}
    assert salessim.simulate(small_scenario, seed=1).events is None


def _unlimited(midmarket_data: dict, **extra) -> salessim.Scenario:
    """Unlimited rep capacity, no rep, segment or product differences: the configured funnel."""
    d = {
        "org.weekly_hours": 80, "org.skill.sd": 0.0, "funnel.slip_loss_per_week": 0.0,
        "org.reps": 200, "market.accounts": 2000, "staffing.attrition.enabled": False,
        "plan": None, "behaviour.enabled": False, "org.structure": "line",
    }
    d.update(extra)
    sc = salessim.load_scenario(midmarket_data, **d)
    segs = [s.model_copy(update={"win_multiplier": 1.0, "duration_multiplier": 1.0, "hours_multiplier": 0.0001}) for s in sc.market.segments]
    prods = [p.model_copy(update={"win_multiplier": 1.0}) for p in sc.market.products]
    market = sc.market.model_copy(update={"segments": segs, "products": prods})
    return sc.model_copy(update={"market": market})


@pytest.mark.slow
def test_conversions_and_durations_match_configuration_with_unlimited_capacity(midmarket_data) -> None:
    sc = _unlimited(midmarket_data)
    r = salessim.simulate(sc, seed=11, record_events=True)
    conv = r.stage_conversion()
    for stage, row in zip(sc.funnel.stages, conv.itertuples(), strict=True):
        n = row.exited
        assert n > 1000
        # binomial test at 99.9%: the configured probability is not rejected
        p = stats.binomtest(row.moved_on, n, stage.conversion).pvalue
        assert p > 0.001, (stage.name, row.conversion, stage.conversion, n)
    assert r.ledger["hours_worked"].sum() < r.ledger["hours_capacity"].sum()
    # durations: time between entering and leaving each stage matches its lognormal
    ev = r.events.sort_values(["deal", "day"])
    created = r.deals.set_index("deal_id")["created_day"]
    ev = ev[ev["deal"].isin(created.index)]
    ev["prev"] = ev.groupby("deal")["day"].shift(1)
    ev.loc[ev["from_stage"] == 0, "prev"] = created.reindex(ev.loc[ev["from_stage"] == 0, "deal"]).to_numpy()
    for s, stage in enumerate(sc.funnel.stages):
        d = (ev.loc[ev["from_stage"] == s, "day"] - ev.loc[ev["from_stage"] == s, "prev"]).dropna()
        d = d[d > 0]
        assert len(d) > 500
        dist = stats.lognorm(s=stage.duration.sigma, scale=stage.duration.median_days)
        assert stats.kstest(d.sample(500, random_state=0), dist.cdf).pvalue > 0.001, stage.name


def test_overloaded_reps_lose_more_deals(midmarket_data) -> None:
    kw = {"org.reps": 10, "market.accounts": 200, "market.leads_per_year": 6000}
    relaxed = salessim.simulate(salessim.load_scenario(midmarket_data, **kw, **{"org.weekly_hours": 60}), seed=1)
    tight = salessim.simulate(salessim.load_scenario(midmarket_data, **kw, **{"org.weekly_hours": 15}), seed=1)
    k_relaxed = relaxed.kpis().set_index("kpi")["value"]
    k_tight = tight.kpis().set_index("kpi")["value"]
    assert k_tight["capacity utilisation"] > 0.95
    assert k_tight["deals won"] < 0.8 * k_relaxed["deals won"]
    assert k_tight["lead-to-win rate"] < k_relaxed["lead-to-win rate"]


def test_common_random_numbers_share_the_market(small_scenario) -> None:
    """Changing rep capacity does not change which leads arrive or their sizes."""
    a = salessim.simulate(small_scenario, seed=9)
    b = salessim.simulate(salessim.load_scenario(small_scenario, **{"org.weekly_hours": 20}), seed=9)
    cols = ["account", "product", "created_day", "list_amount"]

    def inbound(r):
        d = r.deals
        return d[(d["created_day"] >= 0) & (d["source"] == "inbound")][cols].reset_index(drop=True)

    created_a, created_b = inbound(a), inbound(b)
    assert len(created_a) > 1000
    pd.testing.assert_frame_equal(created_a, created_b)


@pytest.mark.slow
def test_midmarket_kpis_meet_the_scenarios_documented_targets() -> None:
    """Seed-averaged midmarket KPIs against the targets its YAML and the README document: each mean
    over 20 seeds lies within 3 standard errors of the replication spread plus a model tolerance
    (how closely the scenario claims to match, "~" in its comments). Measured over seeds 0-19
    (2026-12-02, after the workload counted stage durations): leads 58,786 +- 74, win rate 24.3%
    +- 0.10, median cycle 66.5 +- 0.20 days, median won deal 27.6K +- 0.14K, reps at quota 58.2%
    +- 1.1, cost of sales 9.90% +- 0.03 (+- one standard error)."""
    targets = {  # kpi: (documented target, model tolerance, where it is documented)
        "leads": (60_000, 3_000, "midmarket.yaml header and README: ~60,000 leads a year"),
        "win rate (qualified)": (0.25, 0.02, "midmarket.yaml: all qualified opportunities, ~25%"),
        "median sales cycle (won)": (65.0, 5.0, "midmarket.yaml: stage durations sum to ~65 days median"),
        "median won deal": (30_000, 5_000, "midmarket.yaml: Bridge Group ~60 days at $25K, ~72 days at $35K"),
        "reps at or above quota": (0.57, 0.05, "midmarket.yaml target, REFERENCES.md: CSO Insights 54-60% of reps at quota"),
        "cost of sales": (0.10, 0.01, "README, REFERENCES.md: US average ~10% of revenue (Chung, Steenburgh & Sudhir)"),
    }
    scenario = salessim.load_scenario(Path(__file__).resolve().parents[1] / "data/scenarios/midmarket.yaml")
    rows = []
    for seed in range(20):
        r = salessim.simulate(scenario, seed=seed)
        k = r.kpis().set_index("kpi")["value"]
        d = r.deals
        won = d[(d["outcome"] == "won") & d["close_day"].between(0, r.horizon_days, inclusive="left")]
        rows.append({**{name: k[name] for name in targets if name in k}, "median won deal": won["amount"].median()})
    runs = pd.DataFrame(rows)
    for name, (target, tolerance, source) in targets.items():
        mean, se = runs[name].mean(), runs[name].std(ddof=1) / np.sqrt(len(runs))
        assert se < tolerance / 3, (name, se)  # the replications pin the mean well inside the tolerance
        assert abs(mean - target) <= tolerance + 3 * se, (name, mean, se, target, source)
