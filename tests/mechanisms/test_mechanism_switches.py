"""Mutation checks: each key mechanism, turned off or changed through the scenario or the plan,
moves the results the documented way (direction and rough size).

Every check compares runs on the same seeds (common random numbers: the market, the reps and
every draw are the same, only the mechanism differs) on the 30-rep midmarket org. The sizes in
the comments were measured when the tests were written; margins are several standard errors.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import salessim

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"org.reps": 30, "market.accounts": 600, "market.leads_per_year": 15600, "quota.annual_target": 42_000_000}
RATE = 60000 / 1_400_000  # the target incentive over a 1.4M annual quota
LINEAR = {"name": "linear", "period": "month", "true_up": False, "pay": {"ote": 150000, "mix": "60/40"},
          "components": [{"type": "commission", "name": "commission", "rate": RATE}]}
# a quarterly bonus at 100% of quota: the plan that makes deal timing pay
QUOTA_BONUS = {"name": "quarterly quota bonus", "period": "quarter", "true_up": False, "pay": {"ote": 150000, "mix": "60/40"},
               "components": [{"type": "quota_bonus", "name": "bonus", "mode": "cumulative",
                               "thresholds": [{"attainment": "100%", "target_share": "100%"}]}]}


#: timings whose deals may carry a discount: the rep's pull-ins, the strategic buyers' bargains
DISCOUNTED = ["pulled in", "bargained", "held to period end"]


def runs(seeds, scenario: str = "midmarket.yaml", **overrides) -> list[salessim.SimResult]:
    sc = salessim.load_scenario(ROOT / "data/scenarios" / scenario, **{**SMALL, **overrides})
    return [salessim.simulate(sc, seed=s) for s in seeds]


def mean_se(values) -> tuple[float, float]:
    v = np.asarray(values, float)
    return float(v.mean()), float(v.std(ddof=1) / np.sqrt(len(v)))


def won_in_horizon(r: salessim.SimResult):
    d = r.deals
    return d[(d["outcome"] == "won") & d["close_day"].between(0, r.horizon_days, inclusive="left")]


# ----------------------------------------------------------------------------- deal timing


def test_pull_in_discounts_follow_the_discount_policy() -> None:
    """A pulled-in deal books its list amount less the discount the rep chose, a bargained one
    (a strategic buyer's, now or held to the period end) the discount they bargained: on the policy's 1% steps, never above
    ``pricing.max_discount``; the KPI "revenue lost to discounts" is exactly what those deals gave
    away; a tighter policy gives shallower discounts; with ``max_discount: 0`` deals are pulled in only
    at list price (the customers who sign early when simply asked), nothing is bargained and
    nothing is lost to discounts."""
    depth_by_policy = {}
    for max_discount in (0.20, 0.05, 0.0):
        r = runs([0], plan=QUOTA_BONUS, **{"pricing.max_discount": max_discount})[0]
        won = won_in_horizon(r)
        pulled = won[won["timing"] == "pulled in"]
        bargained = won[won["timing"] == "bargained"]
        if max_discount == 0.0:  # only customers who sign early when simply asked can be pulled in
            assert bargained.empty
            np.testing.assert_array_equal(pulled["amount"], pulled["list_amount"])
            assert r.kpis().set_index("kpi").loc["revenue lost to discounts", "value"] == 0
            depth_by_policy[0.0] = 0.0
            continue
        assert len(pulled) > 10, max_discount  # the bonus plan makes pulling in pay
        assert len(bargained) > 10, max_discount  # ...and strategic buyers bargain on it
        discounted = won[won["timing"].isin(DISCOUNTED)]
        depth = 1 - discounted["amount"] / discounted["list_amount"]
        assert (depth <= max_discount + 1e-9).all()
        np.testing.assert_allclose(depth * 100, np.round(depth * 100), atol=1e-6)  # whole percent steps
        others = won[~won["timing"].isin(DISCOUNTED)]
        np.testing.assert_array_equal(others["amount"], others["list_amount"])
        lost = r.kpis().set_index("kpi").loc["revenue lost to discounts", "value"]
        assert lost == pytest.approx((discounted["list_amount"] - discounted["amount"]).sum(), rel=1e-9, abs=1e-6)
        depth = 1 - pulled["amount"] / pulled["list_amount"]
        depth_by_policy[max_discount] = float(depth.mean())
    assert depth_by_policy[0.0] == 0.0
    assert 0 < depth_by_policy[0.05] < depth_by_policy[0.20]


def test_strategic_buyers_bargain_only_where_the_plan_makes_closing_now_pay() -> None:
    """Strategic buyers take a share of what closing this period is worth to the rep: under a
    linear plan that is nothing (no deal is bargained, nothing lost to discounts), without
    strategic buyers nothing is bargained either; under the quarterly bonus they bargain, and the
    discounts deepen toward the quarter end (the buyer's threat to sign next quarter gets cheap
    and the reps' quarters are decided)."""
    linear = runs([0], plan=LINEAR)[0]
    assert (linear.deals["timing"] == "bargained").sum() == 0
    assert linear.kpis().set_index("kpi").loc["revenue lost to discounts", "value"] == 0
    off = runs([0], plan=QUOTA_BONUS, **{"pricing.buyers.share": 0.0})[0]
    assert (off.deals["timing"] == "bargained").sum() == 0
    on = runs([0], plan=QUOTA_BONUS)[0]
    won = won_in_horizon(on)
    b = won[won["timing"] == "bargained"]
    assert len(b) > 30
    depth = 1 - b["amount"] / b["list_amount"]
    left = ((b["close_date"] + pd.offsets.QuarterEnd(0)) - b["close_date"]).dt.days
    assert depth[left < 21].mean() > depth[left >= 42].mean()
    lost = lambda r: r.kpis().set_index("kpi").loc["revenue lost to discounts", "value"]  # noqa: E731
    assert lost(on) > lost(off)


def test_strategic_buyers_hold_signatures_to_the_quarters_last_day_where_it_pays() -> None:
    """The deadline effect: a strategic buyer whose rep will concede more on the period's last day
    (where threatening to sign next period costs nothing) than now, by more than the wait costs,
    holds the signature to that day. Held deals that are negotiated in time sign on the quarter's
    last day, at the discount bargained there; a linear plan gives nothing to wait for; turning
    the deadline off leaves the wins spread and the quarter's last day near its 1-in-91 share."""
    seeds = [0, 1]
    on = runs(seeds, plan=QUOTA_BONUS)
    off = runs(seeds, plan=QUOTA_BONUS, **{"pricing.buyers.deadline": False})
    linear = runs(seeds[:1], plan=LINEAR)[0]
    assert (linear.deals["timing"] == "held to period end").sum() == 0
    share = lambda r: r.kpis().set_index("kpi").loc["wins on a quarter's last day", "value"]  # noqa: E731
    for a, b in zip(on, off, strict=True):
        won = won_in_horizon(a)
        held = won[won["timing"] == "held to period end"]
        assert len(held) >= 8  # measured 16 and 12 of ~1,100 wins (a lump bonus: few reps gain from waiting)
        quarter_end = (held["close_date"] + pd.offsets.QuarterEnd(0)).dt.normalize()
        assert (held["close_date"].dt.normalize() == quarter_end).all()
        assert (won_in_horizon(b)["timing"] == "held to period end").sum() == 0
        assert share(a) > share(b)  # measured 2.9% vs 0.9%, 2.1% vs 1.3%
        assert share(b) < 0.03


def test_patient_buyers_cost_discounts_not_the_sales_force() -> None:
    """Under midmarket's monthly YTD true-up plan the only period end is the fiscal year, so
    buyers who barely mind waiting (``delay_cost`` 0.05 a year) hold negotiated deals to 31
    December. The reps, their managers and their morale count a deal negotiated and held as sold
    (quit attainment, pay ratio, the last quarter's attainment): the buyers' patience costs the
    discounts they win, it does not drive the reps out. Measured, 6 paired seeds at 30 reps:
    held deals 0.1% -> 16.7% of wins, attrition +3.9 pts (+/- 2.2), revenue -7%; before held deals
    counted, attrition rose +22.8 pts and revenue fell 18%."""
    seeds = range(6)
    patient = runs(seeds, **{"pricing.buyers.delay_cost": 0.05})
    usual = runs(seeds, **{"pricing.buyers.delay_cost": 1.0})
    kpi = lambda r, k: r.kpis().set_index("kpi").loc[k, "value"]  # noqa: E731
    held = [(won_in_horizon(r)["timing"] == "held to period end").mean() for r in patient]
    assert min(held) > 0.10  # the mechanism is exercised: many wins wait for the year end
    more_quits = np.array([kpi(a, "annual rep attrition") - kpi(b, "annual rep attrition") for a, b in zip(patient, usual, strict=True)])
    assert more_quits.mean() < 0.10, more_quits
    revenue = sum(kpi(r, "revenue") for r in patient) / sum(kpi(r, "revenue") for r in usual)
    assert revenue > 0.9, revenue


@pytest.mark.slow
def test_push_out_loss_is_the_share_of_pushed_customers_who_walk_away() -> None:
    """A pushed-out customer walks away with chance ``push_loss``; the others are lost at about the
    funnel's usual rate. So the lost share of pushed deals is at least ``push_loss`` (every walker
    is lost) and near push_loss + (1 - push_loss) x L0, L0 the lost share at no push loss. Reps
    anticipate the loss (they push only when (1 - push_loss) x later beats closing now), so the
    pushed deals are a different selection at each setting and the formula is only approximate:
    measured (16 seeds, ~1,050 / 850 / 440 pushed deals) L0 0.18, 0.25 at the default 0.15
    (formula 0.30), 0.56 at 0.5 (formula 0.59). Shares are of the pushed deals that closed in the
    run (a deal still open at its end has not walked: counting it biased the share low); measured
    2026-12-03 (16 seeds, 1,019 / 941 / 500 closed): L0 0.22, 0.32 at 0.15 (formula 0.34), 0.52 at
    0.5 (formula 0.61)."""
    seeds = range(16)

    def lost_share(push_loss: float) -> tuple[float, float]:
        pushed = [r.deals[(r.deals["timing"] == "pushed out") & r.deals["outcome"].isin(["won", "lost"])]
                  for r in runs(seeds, plan=QUOTA_BONUS, **{"behaviour.timing.push_loss": push_loss})]
        n = sum(len(p) for p in pushed)
        assert n > 200
        share = sum(int((p["outcome"] == "lost").sum()) for p in pushed) / n
        return share, np.sqrt(share * (1 - share) / n)

    l0, se0 = lost_share(0.0)
    shares = {}
    for push_loss in (0.15, 0.5):
        share, se = shares[push_loss] = lost_share(push_loss)
        assert share > push_loss - 4 * se, (push_loss, share)  # the walkers alone
        expected = push_loss + (1 - push_loss) * l0
        assert abs(share - expected) < 4 * np.hypot(se, se0), (push_loss, share, expected)
    # the lost share rises with push_loss: clearly at 0.5, and above L0 at the default
    assert shares[0.5][0] - shares[0.15][0] > 4 * np.hypot(shares[0.5][1], shares[0.15][1]), shares
    assert shares[0.15][0] - l0 > 2 * np.hypot(shares[0.15][1], se0), (shares, l0)


# ----------------------------------------------------------------------------- org structures


@pytest.mark.slow
def test_partner_margin_is_the_partners_share_of_partner_revenue() -> None:
    """Partners keep ``partner_margin`` (25%) of their deals: with no margin the company books
    1 / 0.75 = 1.33x the partner revenue (measured with behaviour on, 4 paired seeds: 1.26-1.36x)
    and the KPI "partner margin paid" is 0."""
    seeds = range(4)
    kept = runs(seeds, **{"org.structure": "channel"})
    gross = runs(seeds, **{"org.structure": "channel", "org.design.channel.partner_margin": 0.0})
    partner = lambda r: won_in_horizon(r).query("channel == 'partner'")["amount"].sum()  # noqa: E731
    ratio = sum(partner(r) for r in gross) / sum(partner(r) for r in kept)
    assert ratio == pytest.approx(1 / 0.75, rel=0.08), ratio
    for r in kept:
        paid = r.kpis().set_index("kpi").loc["partner margin paid", "value"]
        assert paid == pytest.approx(partner(r) * 0.25 / 0.75)
    assert all(r.kpis().set_index("kpi").loc["partner margin paid", "value"] == 0 for r in gross)


@pytest.mark.slow
def test_handoff_delay_lengthens_supported_deals_by_about_the_delay() -> None:
    """The matrix hand-off adds ``handoff_days`` when a specialist joins: supported won deals take
    about that much longer relative to unsupported ones of the same stages (behaviour off, 3 paired
    seeds; measured: +3.9 days at 4 days, +9.5 at 12: specialists then serve fewer deals)."""
    def gap(handoff: float) -> float:
        out = []
        for r in runs(range(3), **{"org.structure": "matrix", "behaviour.enabled": False,
                                   "org.design.matrix.handoff_days": handoff}):
            won = r.deals[r.deals["outcome"] == "won"]
            helped, alone = won[won["specialist"] > 0], won[(won["specialist"] == 0) & (won["stage_index"] >= 2)]
            out.append(helped["cycle_days"].mean() - alone["cycle_days"].mean())
        return float(np.mean(out))

    none = gap(0.0)
    assert abs(none) < 1.5, none  # no delay: supported deals are as fast as the others
    assert gap(4.0) - none == pytest.approx(4.0, abs=1.5)
    assert gap(12.0) - none == pytest.approx(12.0, rel=0.3)


# ----------------------------------------------------------------------------- behaviour under the plan


@pytest.mark.slow
def test_ratchet_makes_reps_above_quota_hold_back() -> None:
    """Under ratcheting quotas a forward-looking rep counts ``weight x foresight`` = 0.5 x 0.8 = 40%
    of the rate as lost on every unit above quota: the net rate falls to 60%, and by the effort rule
    (e* = 0.8 + 0.2 x pay / market pay) effort above quota drops by ~0.2 x 0.4 = 0.08 (measured,
    4 paired seeds: 0.98 vs 1.06). Switching the ratchet reasoning off removes the drop."""
    seeds = range(4)

    def effort_above_quota(results) -> np.ndarray:
        out = []
        for r in results:
            led = r.ledger
            ytd = led.groupby("rep", observed=True)[["bookings", "quota"]].cumsum()
            ahead = (ytd["bookings"] > ytd["quota"]) & (led["status"] == "active")
            out.append(led.loc[ahead, "effort"].mean())
        return np.array(out)

    on = effort_above_quota(runs(seeds, "quota_ratchet.yaml", plan=LINEAR))
    off = effort_above_quota(runs(seeds, "quota_ratchet.yaml", plan=LINEAR, **{"behaviour.ratchet.enabled": False}))
    drop, se = mean_se(off - on)
    assert 0.04 < drop < 0.15 and drop > 4 * se, (drop, se)


@pytest.mark.slow
def test_cap_makes_reps_coast() -> None:
    """A quarterly cap at the quarter's target incentive (15,000) leaves no marginal pay once
    reached: reps fall back towards the intrinsic effort (0.8), and the org sells less than under
    the same plan without the cap (measured, 4 paired seeds: mean effort of reps in post 0.87 vs
    1.00, bookings -15% to -24%)."""
    capped = {**LINEAR, "name": "capped", "period": "quarter",
              "components": [{"type": "commission", "name": "commission", "rate": RATE, "cap": {"period": 15000}}]}
    uncapped = {**capped, "components": [{"type": "commission", "name": "commission", "rate": RATE}]}
    seeds = range(4)
    with_cap, without = runs(seeds, plan=capped), runs(seeds, plan=uncapped)
    effort = lambda r: r.ledger.loc[r.ledger["status"] != "vacant", "effort"].mean()  # noqa: E731
    drop, se = mean_se([effort(b) - effort(a) for a, b in zip(with_cap, without, strict=True)])
    assert 0.05 < drop < 0.25 and drop > 4 * se, (drop, se)
    assert np.mean([effort(a) for a in with_cap]) < 0.9
    booked = lambda r: r.ledger["bookings"].sum()  # noqa: E731
    cut, se = mean_se([1 - booked(a) / booked(b) for a, b in zip(with_cap, without, strict=True)])
    assert 0.08 < cut < 0.35 and cut > 4 * se, (cut, se)
    # nobody is paid more commission than the cap in any quarter (paid in its last month)
    for r in with_cap:
        st = r.statements[r.statements["item"].isin(["commission", "cap_adjustment"])]
        assert st.groupby(["rep", "period"], observed=True)["amount"].sum().max() <= 15000 + 0.005


# ----------------------------------------------------------------------------- staffing


@pytest.mark.slow
def test_pay_sensitivity_drives_attrition_of_underpaid_reps() -> None:
    """Reps paid half the market (plan OTE 150k against a market of 300k) quit faster through the
    pay term: hazard x exp(2 x lag) with a lag up to 0.5, so up to e = 2.7x, a little more once the
    people side's morale term adds to it; with ``pay_sensitivity: 0`` the pay lag stops mattering
    (measured, 8 paired seeds: ~20 leavers vs ~10 before behaviour v2, 90 vs 33 after)."""
    seeds = range(8)
    underpaid = {"plan": LINEAR, "behaviour.market_pay.ote": 300_000}
    leavers = lambda results: np.array([float(r.ledger["left"].sum()) for r in results])  # noqa: E731
    sensitive = leavers(runs(seeds, **underpaid))
    indifferent = leavers(runs(seeds, **underpaid, **{"staffing.attrition.pay_sensitivity": 0.0}))
    diff, se = mean_se(sensitive - indifferent)
    assert diff > 4 * se, (diff, se)
    assert 1.4 < sensitive.sum() / indifferent.sum() < 3.5, (sensitive.sum(), indifferent.sum())


@pytest.mark.slow
def test_ramp_costs_new_hires_about_the_area_under_the_ramp() -> None:
    """Ten reps leave in February (attrition off, their open deals kept); the hires who fill the
    slots ramp linearly to full productivity. Against an instant ramp the slots sell less:
    onboarding 10 days + half of the remaining 142 days of a 5-month ramp = ~81 days of output
    lost of ~8 months in post, ~1/3 (measured, 4 paired seeds: -28%); a 10-month ramp loses more
    (measured -57%). Since hires start at half capacity and take the pipeline back (behaviour v2)
    the area lost halves: measured -21% (5 months) and -35% (10 months). The vacancies are the
    same in every variant (same draws)."""
    ids = [f"R{i:03d}" for i in range(1, 11)]
    leave = [{"kind": "reps_leave", "at": 2, "reps": ids, "pipeline_loss": 0.0}]
    seeds = range(4)

    def slots(months: float, onboarding: float = 10.0):
        res = runs(seeds, events=leave, **{"staffing.attrition.enabled": False, "staffing.ramp.months_to_full": months,
                                           "behaviour.training.onboarding.days": onboarding})
        booked = np.array([r.ledger.loc[r.ledger["rep"].isin(ids), "bookings"].sum() for r in res])
        vacant = [int((r.ledger["status"] == "vacant").sum()) for r in res]
        return booked, vacant

    instant, v_instant = slots(0.1, 0.0)
    default, v_default = slots(5.0)
    slow, v_slow = slots(10.0)
    assert v_instant == v_default == v_slow and min(v_default) > 0
    loss, se = mean_se(1 - default / instant)
    assert 0.15 < loss < 0.45 and loss > 4 * se, (loss, se)
    assert (slow < default).all()
    assert mean_se(1 - slow / instant)[0] > loss + 0.07


def test_warm_up_fills_the_pipeline_without_emptying_the_seats() -> None:
    """The warm-up starts from an empty pipeline, so nobody has booked anything yet: reps judged
    on that quit in droves (before the fix ~8 of 40 in three months, the measured year opening
    with 22% of the seats vacant or ramping against ~9% later) and paces learned from it ran 25%
    low into Q1. Now the warm-up is not judged (quits at the base hazard, run rates learned from
    the first measured day): the first measured month has no more seats away than the year's
    second half (measured, 6 seeds: 2% vs 6%)."""
    first, later = [], []
    for r in runs(range(6)):
        L = r.ledger
        away = L.assign(away=L["status"].isin(["vacant", "ramping"])).groupby("month")["away"].mean().to_numpy()
        first.append(away[0])
        later.append(away[6:].mean())
    assert np.mean(first) < np.mean(later) + 0.03, (first, later)
