"""Hand-computed statements for every component and the edge cases the issue lists.

Each table row states the inputs and the expected amount; the arithmetic is in the comment.
Money is compared exactly (statements are whole cents).
"""

import numpy as np
import pandas as pd
import pytest

from salessim.comp import PlanError, load_plan, statements, summary
from salessim.comp.payout import ledger

M = [f"2026-{m:02d}" for m in range(1, 13)]


def plan(components, **kw):
    return load_plan({"pay": {"ote": 150000, "mix": "60/40"}, "components": components, **kw})


def perf(credited, quota=100000.0, rep="a", months=None, **cols):
    months = months or M[: len(credited)]
    return pd.DataFrame({"rep": rep, "period": months, "measure": "bookings", "credited": credited,
                         "quota": quota, **cols})


def variable(p, df):
    """Variable pay per rep-period (currency)."""
    s = summary(statements(p, df))
    return s.set_index(["rep", "period"])["variable"]


def items(p, df, item):
    st = statements(p, df)
    return st[st["item"] == item]


FLAT = {"type": "commission", "name": "c", "rate": 0.10}
TIERS = [{"from": 0, "to": 1.0, "rate": 0.05}, {"from": 1.0, "rate": 0.10, "label": "accelerator"}]


# ----------------------------------------------------------------------------- commissions

@pytest.mark.parametrize("credited, method, expected", [
    (12345.67, "flat", 1234.57),          # 10% x 12,345.67 = 1,234.567 -> 1,234.57 (half up)
    (100000, "marginal", 5000.00),        # exactly at the 100% boundary: 5% x 100,000
    (100001, "marginal", 5000.10),        # 5% x 100,000 + 10% x 1
    (150000, "marginal", 10000.00),       # 5% x 100,000 + 10% x 50,000
    (100000, "retroactive", 10000.00),    # exactly 100% reaches the 100% tier: 10% x 100,000
    (99999.99, "retroactive", 5000.00),   # 5% x 99,999.99 = 4,999.9995 -> 5,000.00
    (150000, "retroactive", 15000.00),    # 10% on everything
])
def test_commission_tiers_one_month(credited, method, expected):
    comp = FLAT if method == "flat" else {"type": "commission", "name": "c", "method": method, "tiers": TIERS}
    p = plan([comp], true_up=False)
    assert variable(p, perf([credited]))[("a", "2026-01")] == expected


def test_ytd_true_up_with_decelerator_and_accelerator():
    p = plan([{"type": "commission", "name": "c", "tiers": [
        {"from": 0, "to": 0.5, "rate": 0.04}, {"from": 0.5, "to": 1.0, "rate": 0.08}, {"from": 1.0, "rate": 0.12}]}])
    v = variable(p, perf([50000, 100000, 250000]))
    # Jan: YTD 50k of 100k quota: 4% x 50k = 2,000
    # Feb: YTD 150k of 200k: 4% x 100k + 8% x 50k = 8,000 earned YTD - 2,000 paid = 6,000
    # Mar: YTD 400k of 300k: 4% x 150k + 8% x 150k + 12% x 100k = 30,000 YTD - 8,000 = 22,000
    assert list(v) == [2000.0, 6000.0, 22000.0]


def test_retroactive_true_up_reprices_earlier_months():
    p = plan([{"type": "commission", "name": "c", "method": "retroactive", "tiers": TIERS}])
    st = statements(p, perf([90000, 30000]))
    # Jan: 90% -> 5% x 90k = 4,500. Feb: YTD 120k / 200k = 60% -> still 5%: 6,000 - 4,500 = 1,500
    assert list(summary(st)["variable"]) == [4500.0, 1500.0]
    st = statements(p, perf([90000, 130000]))
    # Feb: YTD 220k / 200k = 110% -> 10% on all 220k = 22,000 - 4,500 = 17,500,
    # shown as tier 1 -4,500 (repriced) and accelerator +22,000
    feb = st[(st["period"] == "2026-02") & (st["item"] == "commission")]
    assert list(feb["amount"]) == [-4500.0, 22000.0]
    assert summary(st)["variable"].iloc[1] == 17500.0


def test_gate_pays_nothing_below_threshold_then_everything():
    p = plan([{**FLAT, "gate": "50%"}], true_up=False)
    v = variable(p, perf([49999, 50000]))
    # 49,999 < 50% of 100,000 -> 0; 50,000 = 50% -> 10% x 50,000 = 5,000
    assert list(v) == [0.0, 5000.0]
    st = statements(p, perf([49999]))
    assert "below the 50% gate" in st[st["item"] == "commission"]["explanation"].iloc[0]


def test_zero_quota_counts_attainment_as_zero():
    rate_plan = plan([{"type": "commission", "name": "c", "tiers": TIERS}], true_up=False)
    mult_plan = plan([{"type": "commission", "name": "c", "tiers": [{"from": 0, "multiple": 1.0}]}], true_up=False)
    bonus_plan = plan([{"type": "quota_bonus", "name": "b", "thresholds": [{"attainment": 1.0, "amount": 500}]}], true_up=False)
    df = perf([10000], quota=0.0)
    assert variable(rate_plan, df).iloc[0] == 500.0  # first tier 5% x 10,000: never the accelerator
    assert variable(mult_plan, df).iloc[0] == 0.0    # base commission rate TI/quota undefined -> 0
    assert variable(bonus_plan, df).iloc[0] == 0.0   # 0% attainment reaches no threshold
    assert "quota 0" in statements(rate_plan, df)["explanation"].iloc[1]


def test_negative_credit_returns_carry_forward():
    p = plan([FLAT], true_up=False)
    st = statements(p, perf([-2000, 5000, 1000]))
    # Jan: 10% x -2,000 = -200 -> pay 0, carry -200. Feb: 500 - 200 = 300. Mar: 100
    assert list(summary(st)["variable"]) == [0.0, 300.0, 100.0]
    nb = st[st["item"] == "negative_balance"]
    assert list(nb["amount"]) == [200.0, -200.0]
    pn = plan([FLAT], true_up=False, negative_balance="pay_negative")
    assert list(variable(pn, perf([-2000, 5000]))) == [-200.0, 500.0]


def test_multiple_of_base_commission_rate_and_partial_period():
    p = plan([{"type": "commission", "name": "c", "tiers": [{"from": 0, "multiple": 1.0}]}], true_up=False)
    df = perf([50000], employed_share=0.5)
    s = summary(statements(p, df))
    # base 90,000 / 12 x 0.5 = 3,750; quota 100,000 x 0.5 = 50,000; TI 60,000 / 12 x 0.5 = 2,500
    # attainment 50,000 / 50,000 = 100% -> 1.0 x (2,500 / 50,000) x 50,000 = 2,500
    assert (s["base"].iloc[0], s["variable"].iloc[0]) == (3750.0, 2500.0)
    st = statements(p, df)
    assert st.loc[st["item"] == "commission", "attainment"].iloc[0] == 1.0


def test_hire_and_leaver_rows_only_where_employed():
    p = plan([FLAT], true_up=False)
    df = pd.concat([perf([1000, 1000], rep="hire", months=M[2:4], employed_share=[0.25, 1.0]),
                    perf([1000], rep="tenured", months=M[:1])])
    s = summary(statements(p, df)).set_index(["rep", "period"])
    assert s.loc[("hire", "2026-03"), "base"] == 1875.0  # 90,000/12 x 0.25
    assert s.loc[("hire", "2026-04"), "base"] == 7500.0
    assert ("hire", "2026-01") not in s.index and len(s) == 3


# ----------------------------------------------------------------------------- caps

def test_year_cap_hit_mid_period_then_nothing():
    p = plan([{**FLAT, "cap": {"year": 25000}}])
    st = statements(p, perf([100000] * 4))
    # YTD earned 10k, 20k, 30k, 40k -> capped 10k, 20k, 25k, 25k -> pays 10k, 10k, 5k, 0
    assert list(summary(st)["variable"]) == [10000.0, 10000.0, 5000.0, 0.0]
    caps = st[st["item"] == "cap_adjustment"]
    assert list(caps["period"]) == ["2026-03", "2026-04"]
    assert list(caps["amount"]) == [-5000.0, -10000.0]


def test_period_cap_forfeits_the_excess():
    p = plan([{**FLAT, "cap": {"period": 8000}}], true_up=False)
    # 10% x 100,000 = 10,000 -> 8,000 (2,000 forfeited, not paid later); 10% x 50,000 = 5,000
    assert list(variable(p, perf([100000, 50000]))) == [8000.0, 5000.0]
    py = plan([{**FLAT, "cap": {"period": 8000}}])
    # with YTD true-up the forfeited 2,000 stays forfeited: YTD 15,000 - 2,000 forfeited - 8,000 paid
    assert list(variable(py, perf([100000, 50000]))) == [8000.0, 5000.0]


# found by hypothesis (2,000 examples): monthly quota 50k, YTD marginal 2% / 5% / 8% at 25% / 50%,
# period cap 3,000. The forfeited excess used to be taken back again when YTD attainment fell, so
# a 67,857 January paid 3,214.29 for the year, a cent less than a 17,858 one (3,214.30).
YTD_CAPPED = {"pay": {"ote": 120000, "mix": "60/40"}, "components": [
    {"type": "commission", "name": "c", "cap": {"period": 3000}, "tiers": [
        {"from": 0, "to": 0.25, "rate": 0.02}, {"from": 0.25, "to": 0.5, "rate": 0.05}, {"from": 0.5, "rate": 0.08}]}]}


@pytest.mark.parametrize("jan, commission, cap_adj, balance, paid", [
    # Jan 17,858 (never capped): YTD earned 517.90 (12,500 x 2% + 5,358 x 5%); Feb-May YTD below
    # 25%: 17,858 x 2% = 357.16 (-160.74, carried as a negative balance); Jun YTD 109,286 vs
    # 300,000: 75,000 x 2% + 34,286 x 5% = 3,214.30 (+2,857.14, less 160.74 carried). Year 3,214.30
    (17858, [517.90, -160.74, 0, 0, 0, 2857.14], [0] * 6, [0, 160.74, 0, 0, 0, -160.74],
     [517.90, 0, 0, 0, 0, 2696.40]),
    # Jan 67,857: earned 250 + 625 + 42,857 x 8% = 4,303.56 -> pays 3,000, 1,303.56 forfeited.
    # Feb YTD 3,178.56 (500 + 1,250 + 17,857 x 8%): still above the 3,000 paid -> nothing taken
    # back (the 1,125 fall cancels forfeited pay; 178.56 stays forfeited). Mar YTD 2,267.85
    # (750 + 30,357 x 5%): 732.15 below what was paid -> taken back (carried). Apr 1,892.85, May
    # 1,517.85: -375 each. Jun YTD 5,992.80 (1,500 + 3,750 + 9,285 x 8%): 4,474.95 above paid,
    # capped at 3,000 (1,474.95 forfeited), less 1,482.15 carried = 1,517.85. Year 4,517.85
    (67857, [4303.56, -1125.00, -910.71, -375.00, -375.00, 4474.95], [-1303.56, 1125.00, 178.56, 0, 0, -1474.95],
     [0, 0, 732.15, 375.00, 375.00, -1482.15], [3000.00, 0, 0, 0, 0, 1517.85]),
])
def test_ytd_period_cap_never_takes_back_a_forfeited_excess(jan, commission, cap_adj, balance, paid):
    s = summary(statements(load_plan(YTD_CAPPED), perf([jan, 0, 0, 0, 0, 91428], quota=50000.0)))
    got = {k: list(s[k]) if k in s else [0.0] * 6 for k in ("commission", "cap_adjustment", "negative_balance", "variable")}
    assert got == {"commission": commission, "cap_adjustment": cap_adj, "negative_balance": balance, "variable": paid}


def test_ytd_period_cap_year_pay_is_monotone_in_january_bookings():
    p = load_plan(YTD_CAPPED)
    year = [variable(p, perf([jan, 0, 0, 0, 0, 91428], quota=50000.0)).sum() for jan in (17858, 67857, 100000)]
    # 3,214.30 / 4,517.85 / Jan 100,000: 250 + 625 + 75,000 x 8% = 6,875 -> 3,000 paid. YTD
    # after: Feb 5,750, Mar 4,625, Apr 1,000 + 50,000 x 5% = 3,500, May 1,250 + 37,500 x 5% =
    # 3,125, all above the 3,000 paid: nothing back (125 still forfeited in May). Jun YTD 191,428
    # vs 300,000: 1,500 + 3,750 + 41,428 x 8% = 8,564.24 -> 5,439.24 due, capped at 3,000. Year 6,000
    assert year == pytest.approx([3214.30, 4517.85, 6000.00], abs=1e-9)


def test_total_variable_cap_covers_commission_and_bonus():
    p = plan([FLAT, {"type": "quota_bonus", "name": "b", "thresholds": [{"attainment": 1.0, "amount": 5000}]}],
             caps={"year": 12000})
    # Jan: 10,000 commission + 5,000 bonus = 15,000 -> capped at 12,000
    st = statements(p, perf([100000]))
    assert summary(st)["variable"].iloc[0] == 12000.0
    assert st.loc[st["component"] == "total variable", "amount"].iloc[0] == -3000.0


# ----------------------------------------------------------------------------- bonuses

def test_quarterly_quota_bonus_paid_at_quarter_end_on_monthly_data():
    p = plan([{"type": "quota_bonus", "name": "q", "period": "quarter", "true_up": False, "thresholds": [
        {"attainment": 1.0, "amount": 4000}, {"attainment": 1.3, "amount": 6000, "label": "breakthrough"}]}])
    v = variable(p, perf([100000, 100000, 100000, 150000, 150000, 100000]))
    # Q1: 300k / 300k = 100% -> 4,000 in March. Q2: 400k / 300k = 133% -> 4,000 + 6,000 in June
    assert list(v) == [0, 0, 4000.0, 0, 0, 10000.0]


def test_quota_bonus_highest_mode_and_target_share():
    p = plan([{"type": "quota_bonus", "name": "q", "mode": "highest", "true_up": False, "thresholds": [
        {"attainment": 1.0, "target_share": 0.5}, {"attainment": 1.2, "target_share": 1.0}]}])
    # monthly TI 60,000 / 12 = 5,000: 100% -> 2,500; 120% -> only the higher step, 5,000; 99% -> 0
    assert list(variable(p, perf([100000, 120000, 99000]))) == [2500.0, 5000.0, 0.0]


def test_ytd_quota_bonus_catches_up_when_ytd_attainment_recovers():
    p = plan([{"type": "quota_bonus", "name": "q", "true_up": True, "thresholds": [{"attainment": 1.0, "amount": 1000}]}])
    # a monthly bonus of 1,000 on YTD attainment: Jan 80%: 0; Feb YTD 210/200 = 105%:
    # 2 x 1,000 earned YTD (January caught up) = 2,000; Mar YTD 310/300 = 103%: 3,000 - 2,000 = 1,000;
    # Apr YTD 350/400 = 87.5%: earned YTD 0 -> -3,000 carried as a negative balance
    assert list(variable(p, perf([80000, 130000, 100000, 40000]))) == [0.0, 2000.0, 1000.0, 0.0]


def test_team_bonus_pool_shared_equally_and_by_credit():
    rows = pd.concat([perf([120000], rep="a1", team="East", quota=100000.0), perf([90000], rep="a2", team="East"),
                      perf([80000], rep="w1", team="West"), perf([100000], rep="w2", team="West")])
    eq = plan([{"type": "team_bonus", "name": "t", "true_up": False, "threshold": 1.0, "pool_rate": 0.005}])
    v = variable(eq, rows)
    # East 210k / 200k = 105% -> pool 0.5% x 210,000 = 1,050 -> 525 each; West 90% -> nothing
    assert (v[("a1", "2026-01")], v[("a2", "2026-01")], v[("w1", "2026-01")]) == (525.0, 525.0, 0.0)
    bc = plan([{"type": "team_bonus", "name": "t", "true_up": False, "pool_rate": 0.005, "split": "credited"}])
    v = variable(bc, rows)
    # by credit: 1,050 x 120/210 = 600; 1,050 x 90/210 = 450
    assert (v[("a1", "2026-01")], v[("a2", "2026-01")]) == (600.0, 450.0)
    pm = plan([{"type": "team_bonus", "name": "t", "true_up": False, "pool_per_member": 700}])
    assert variable(pm, rows)[("a2", "2026-01")] == 700.0  # 2 x 700 pool / 2 members


# ----------------------------------------------------------------------------- draws

def test_recoverable_draw_recovered_across_periods():
    p = plan([FLAT], true_up=False, draw={"amount": 5000, "months": 2, "recoverable": True, "recovery_share": 0.5})
    st = statements(p, perf([20000, 0, 100000, 100000, 100000]))
    # Jan: earned 2,000 < 5,000 -> advance 3,000 (owed 3,000). Feb: 0 -> advance 5,000 (owed 8,000)
    # Mar: earned 10,000, recover min(8,000, 50% x 10,000) = 5,000 -> pay 5,000 (owed 3,000)
    # Apr: recover 3,000 -> pay 7,000 (owed 0). May: 10,000
    assert list(summary(st)["variable"]) == [5000.0, 5000.0, 5000.0, 7000.0, 10000.0]
    assert list(items(p, perf([20000, 0, 100000, 100000, 100000]), "draw_recovery")["amount"]) == [-5000.0, -3000.0]


def test_per_window_cents_do_not_carry_between_months_under_a_draw():
    # hypothesis counterexample: monthly, flat 2%, no true-up; recoverable draw 2,000 x 2 months,
    # 50% recovery. 1.25 x 2% = 0.025 -> 0.03 in every month it is booked (half away from zero).
    # Before the fix January's 0.03 and June's were rounded as a year-cumulative (0.05 - 0.03 =
    # 0.02 in June), so booking in January cut June's pay and the year's cash by a cent.
    p = load_plan({"pay": {"ote": 120000, "mix": "60/40"}, "true_up": False,
                   "components": [{"type": "commission", "name": "c", "tiers": [{"from": 0, "rate": 0.02}]}],
                   "draw": {"amount": 2000, "months": 2, "recovery_share": 0.5}})
    rows = {}
    for jan in (0.0, 1.25):
        st = statements(p, perf([jan, 0, 0, 0, 0, 1.25], quota=50000.0))
        wide = summary(st).set_index("period")
        rows[jan] = {k: list(wide[k]) for k in ("commission", "draw_advance", "draw_recovery", "total")}
    #            Jan        Feb   Mar-May  Jun
    # no Jan deal: commission 0 / advance 2,000 / 2,000 / 0 / commission 0.03, recover
    #   floor(50% x 3 cents) = 0.01 -> June variable 0.02; owed 4,000 - 0.01 = 3,999.99
    # Jan deal: commission 0.03 + advance 1,999.97 (guarantee 2,000) / 2,000 / 0 / June the same
    #   0.03 - 0.01; owed 3,999.97 - 0.01 = 3,999.96; year cash 6 x 6,000 base + 4,000.02 either way
    assert rows[0.0]["commission"] == [0.0, 0.0, 0.0, 0.0, 0.0, 0.03]
    assert rows[1.25]["commission"] == [0.03, 0.0, 0.0, 0.0, 0.0, 0.03]
    assert rows[0.0]["draw_advance"] == [2000.0, 2000.0, 0.0, 0.0, 0.0, 0.0]
    assert rows[1.25]["draw_advance"] == [1999.97, 2000.0, 0.0, 0.0, 0.0, 0.0]
    assert rows[0.0]["draw_recovery"] == rows[1.25]["draw_recovery"] == [0.0, 0.0, 0.0, 0.0, 0.0, -0.01]
    assert sum(rows[0.0]["total"]) == sum(rows[1.25]["total"]) == pytest.approx(40000.02, abs=1e-9)
    led = {jan: ledger(p, perf([jan, 0, 0, 0, 0, 1.25], quota=50000.0)) for jan in (0.0, 1.25)}
    assert [int(x.draw_balance[0, -1]) for x in led.values()] == [399999, 399996]  # cents owed


def test_non_recoverable_draw_is_a_guarantee():
    p = plan([FLAT], true_up=False, draw={"amount": 5000, "months": 2, "recoverable": False})
    # Jan: top-up 3,000 -> 5,000; Feb: 6,000 > guarantee; Mar: after the window, 10,000 in full
    assert list(summary(statements(p, perf([20000, 60000, 100000])))["variable"]) == [5000.0, 6000.0, 10000.0]


def _seat_table():
    """Slot 7's incumbent leaves mid-April, R007#2 is hired mid-May; R012 joined in Dec 2025."""
    return pd.concat([
        perf([30000, 30000, 30000, 10000], rep="R007", hired="2024-05", employed_share=[1, 1, 1, 0.5]),
        perf([10000, 10000, 10000] + [80000] * 5, rep="R012", hired="2025-12"),
        perf([0, 20000, 0, 100000], rep="R007#2", months=M[4:8], hired="2026-05-18", employed_share=[0.5, 1, 1, 1]),
    ], ignore_index=True)


NEW_HIRE_DRAW = {"amount": 5000, "months": 3, "recoverable": True, "recovery_share": 0.5}


def test_draw_only_within_months_of_hire():
    p = plan([FLAT], true_up=False, draw=NEW_HIRE_DRAW)  # 10% commission, base 7,500 a month
    s = summary(statements(p, _seat_table())).set_index(["rep", "period"])
    v = s["variable"]
    # R007, hired 2024-05 (draw over by 2024-08): commission only, 10% x 30k, 30k, 30k, 10k
    assert list(v["R007"]) == [3000.0, 3000.0, 3000.0, 1000.0]
    # R012, hired 2025-12: draw months Dec, Jan, Feb -> guarantee in Jan and Feb only.
    # Jan, Feb: 1,000 earned -> advance 4,000 each (owed 8,000). Mar: 1,000, recover 50% = 500
    # -> 500 (owed 7,500). Apr: 8,000, recover 4,000 -> 4,000 (3,500). May: recover 3,500 -> 4,500
    assert list(v["R012"]) == [5000.0, 5000.0, 500.0, 4000.0, 4500.0, 8000.0, 8000.0, 8000.0]
    # R007#2, hired 2026-05-18 (employed 50% of May): draw May (x 0.5 = 2,500), Jun, Jul.
    # May: advance 2,500 (owed 2,500); Jun: 2,000 earned + 3,000 advance (5,500); Jul: 5,000
    # (10,500); Aug: 10,000 earned, recover min(10,500, 50% x 10,000) = 5,000 -> 5,000 (5,500)
    assert list(v["R007#2"]) == [2500.0, 5000.0, 5000.0, 5000.0]
    assert s.loc[("R007#2", "2026-05"), "base"] == 3750.0  # 90,000 / 12 x 0.5
    assert "draw_advance" not in s.columns or (s.loc["R007", "draw_advance"] == 0).all()
    led = ledger(p, _seat_table())
    owed = dict(zip(led.perf.reps, led.draw_balance[:, -1] / 100.0, strict=True))
    assert owed == {"R007": 0.0, "R007#2": 5500.0, "R012": 0.0}
    st = statements(p, _seat_table())
    adv = st[(st["item"] == "draw_advance") & (st["rep"] == "R007#2")]
    assert adv["explanation"].iloc[0].startswith("recoverable new-hire draw (3 months from hire in 2026-05) guarantees 2,500.00")


def test_draw_without_hired_column_covers_first_months_in_data():
    p = plan([FLAT], true_up=False, draw=NEW_HIRE_DRAW)
    v = variable(p, _seat_table().drop(columns="hired"))
    # today's rule: every rep's first 3 months in the data, incumbents included.
    # R007: 3,000 earned -> advances 2,000 x 3 (owed 6,000); Apr 1,000, recover 500 -> 500
    assert list(v["R007"]) == [5000.0, 5000.0, 5000.0, 500.0]
    # R012: Jan-Mar advance 4,000 each (owed 12,000); Apr-Jun recover 4,000 of 8,000; Jul-Aug 8,000
    assert list(v["R012"]) == [5000.0, 5000.0, 5000.0, 4000.0, 4000.0, 4000.0, 8000.0, 8000.0]
    # R007#2's first month in the data is their hire month: same as with the column
    assert list(v["R007#2"]) == [2500.0, 5000.0, 5000.0, 5000.0]


def test_new_hire_draw_on_quarterly_data():
    p = plan([FLAT], period="quarter", true_up=False, draw={"amount": 1000, "months": 2, "recoverable": False})
    df = perf([0, 0, 0], months=["2026-Q1", "2026-Q2", "2026-Q3"], quota=300000.0, rep="n", hired="2026-03",
              employed_share=[1 / 3, 1, 1])
    # hired March, 2 draw months: March (Q1, employed 1 of 3 months) and April (Q2): 1,000 each
    assert list(variable(p, df)) == [1000.0, 1000.0, 0.0]
    df = df.assign(hired=["2026-02"] * 3, employed_share=[2 / 3, 1, 1])
    # hired February: Feb + Mar in Q1 = 2,000; nothing left for Q2
    assert list(variable(p, df)) == [2000.0, 0.0, 0.0]


@pytest.mark.parametrize("hired, message", [
    (["2026-03", "2026-04"], "hired: conflicting hire months for rep a: 2026-03 vs 2026-04"),
    (["2026-02", "2026-02"], "hired: rep a has a row for 2026-01, before their hire month 2026-02"),
    (["March", "March"], "hired: 'March' is not a hire month"),
])
def test_bad_hired_fails_with_one_line(hired, message):
    p = plan([FLAT], true_up=False, draw=NEW_HIRE_DRAW)
    with pytest.raises(PlanError) as e:
        statements(p, perf([1.0, 1.0], hired=hired))
    assert message in str(e.value) and "\n" not in str(e.value)


def test_empty_hired_means_tenured():
    p = plan([FLAT], true_up=False, draw=NEW_HIRE_DRAW)
    df = pd.concat([perf([0.0, 0.0], rep="old", hired=[None, None]), perf([0.0, 0.0], rep="new", hired="2026-01")])
    v = variable(p, df)
    assert list(v["old"]) == [0.0, 0.0] and list(v["new"]) == [5000.0, 5000.0]


# ----------------------------------------------------------------------------- SPIFs and clawbacks

def test_spif_per_qualifying_deal_in_window():
    p = plan([FLAT, {"type": "spif", "name": "s", "products": ["Analytics"], "start": "2026-04", "end": "2026-06",
                     "per_deal": 1000, "min_amount": 5000}], true_up=False)
    deals = pd.DataFrame({"rep": "a", "period": ["2026-04"] * 3 + ["2026-07"], "measure": "bookings",
                          "credited": [6000, 4000, 9000, 7000], "deal": ["d1", "d2", "d3", "d4"],
                          "product": ["Analytics", "Analytics", "Core", "Analytics"]})
    quotas = perf([0, 0, 0, 0], months=M[3:7])
    st = statements(p, pd.concat([quotas, deals]))
    # only d1 qualifies (d2 < 5,000, d3 is Core, d4 is after June): 1,000 SPIF in April
    spif = st[st["item"] == "spif"]
    assert list(zip(spif["period"], spif["amount"], strict=True)) == [("2026-04", 1000.0)]
    # commission 10% x 19,000 = 1,900 in April; 700 in July
    assert list(summary(st)["variable"]) == [2900.0, 0.0, 0.0, 700.0]


def test_clawback_at_effective_rate_within_window_only():
    p = plan([FLAT], true_up=False, clawback={"within_months": 6})
    base = perf([0] * 10)
    won = pd.DataFrame({"rep": "a", "period": ["2026-02", "2026-01"], "measure": "bookings",
                        "credited": [20000, 10000], "deal": ["D1", "D2"]})
    churn = pd.DataFrame({"rep": "a", "period": ["2026-05", "2026-10"], "measure": "bookings",
                          "credited": [20000, 10000], "deal": ["D1", "D2"], "event": "churn",
                          "won_period": ["2026-02", "2026-01"]})
    st = statements(p, pd.concat([base, won, churn]))
    cb = st[st["item"] == "clawback"]
    # D1: won Feb (10% effective), churned after 3 months <= 6 -> -2,000 in May
    # D2: churned after 9 months > 6 -> a 0.00 line that says so
    assert list(zip(cb["period"], cb["amount"], strict=True)) == [("2026-05", -2000.0), ("2026-10", 0.0)]
    assert "no clawback" in cb["explanation"].iloc[1]
    v = summary(st).set_index("period")["variable"]
    assert v["2026-05"] == 0.0 and v["2026-06"] == 0.0  # -2,000 carried; nothing earned after


def test_clawback_fixed_rate_when_won_period_not_in_data():
    p = plan([FLAT], true_up=False, clawback={"within_months": 6, "rate": 0.08})
    df = pd.concat([perf([50000]), pd.DataFrame({"rep": ["a"], "period": ["2026-01"], "measure": "bookings",
                    "credited": [10000.0], "deal": ["old"], "event": "churn", "won_period": ["2025-11"]})])
    # commission 5,000; clawback 8% x 10,000 = -800 -> 4,200
    assert variable(p, df).iloc[0] == 4200.0


def clawback_of(p, base, won_period, deal_amount, churn_period):
    """The clawback line (amount, explanation) of one deal won and churned by rep a."""
    won = pd.DataFrame({"rep": ["a"], "period": [won_period], "measure": "bookings", "credited": [deal_amount],
                        "deal": ["D1"]})
    churn = won.assign(period=churn_period, event="churn", won_period=won_period)
    st = statements(p, pd.concat([base, won, churn], ignore_index=True))
    cb = st[st["item"] == "clawback"]
    assert len(cb) == 1
    return cb["amount"].iloc[0], cb["explanation"].iloc[0]


CB = {"within_months": 6}


@pytest.mark.parametrize("case, components, kw, credited, quota, won, expected, rate", [
    # YTD marginal 5% to 100% / 10% above. Jan 150,000 vs 100,000: earned 5,000 + 5,000 = 10,000.
    # Feb quota 200,000 and a 10,000 deal: YTD 160,000 vs 300,000 = 53% -> 8,000 earned (Feb line
    # -2,000). The Feb deal was paid at the YTD rate 8,000 / 160,000 = 5%: -500 (the Feb line's
    # -2,000 / 10,000 = -20% used to *pay* +2,000)
    ("true-up, pay fell", [{"type": "commission", "name": "c", "tiers": TIERS}], {},
     [150000, 0, 0, 0], [100000, 200000, 100000, 100000], "2026-02", -500.00, "5.00%"),
    # the same plan, deal won in January: YTD rate 10,000 / 150,000 = 6.67% of 10,000 = 666.67
    # (Jan credit 140,000 + the 10,000 deal)
    ("true-up, won in Jan", [{"type": "commission", "name": "c", "tiers": TIERS}], {},
     [140000, 0, 0, 0], 100000.0, "2026-01", -666.67, "6.67%"),
    # flat 10% with a component year cap of 6,000: Jan 150,000 earns 15,000, pays 6,000; the
    # rate paid is 6,000 / 150,000 = 4% (the forfeited 9,000 was never paid, so not reversed):
    # 4% x 10,000 = -400
    ("true-up, capped", [{**FLAT, "cap": {"year": 6000}}], {},
     [140000, 0, 0, 0], 100000.0, "2026-01", -400.00, "4.00%"),
    # quarterly, no true-up, flat 10%: the deal is won in January, Q1 is paid in March on 30,000
    # credited (3,000): the deal's rate is 3,000 / 30,000 = 10% -> -1,000 (January's own line is
    # 0, which used to make the rate 0)
    ("quarterly, won mid-quarter", [{**FLAT, "period": "quarter"}], {"true_up": False},
     [0, 10000, 10000, 0], 100000.0, "2026-01", -1000.00, "10.00%"),
    # same, deal won in March (the quarter's pay month): still 10% (not 3,000 / March's 20,000)
    ("quarterly, won at quarter end", [{**FLAT, "period": "quarter"}], {"true_up": False},
     [10000, 10000, 0, 0], 100000.0, "2026-03", -1000.00, "10.00%"),
])
def test_clawback_reverses_the_rate_paid_never_pays(case, components, kw, credited, quota, won, expected, rate):
    p = plan(components, clawback=CB, **kw)
    amount, why = clawback_of(p, perf(credited, quota=quota), won, 10000.0, "2026-04")
    assert amount == expected, case
    assert f"{rate} effective commission rate of {won}" in why


def test_clawback_of_an_unevaluated_window_uses_the_fixed_rate():
    # quarterly, no true-up: a deal won in April churns in May, before Q2 is evaluated: the plan's
    # clawback.rate (8%) applies: -800; without a rate nothing can be reversed (a 0.00 line)
    for cb, expected in (({**CB, "rate": 0.08}, -800.0), (CB, 0.0)):
        p = plan([{**FLAT, "period": "quarter"}], true_up=False, clawback=cb)
        amount, why = clawback_of(p, perf([0] * 5, quota=100000.0), "2026-04", 10000.0, "2026-05")
        assert amount == expected, why


# ----------------------------------------------------------------------------- crediting

def test_split_overlay_and_manager_rollup():
    p = plan([FLAT], true_up=False, crediting={"manager_rollup": True, "manager_share": 1.0})
    df = pd.DataFrame({
        "rep": ["a", "b", "spec", "a", "b", "spec", "boss"], "period": "2026-01", "measure": "bookings",
        "credited": [10000, 10000, 10000, 0, 0, 0, 0], "quota": [None, None, None, 1e5, 1e5, 1e5, 3e5],
        "deal": ["D", "D", "D", None, None, None, None], "credit_share": [0.6, 0.4, None, None, None, None, None],
        "role": ["primary", "primary", "overlay", None, None, None, None],
        "manager": ["boss", "boss", None, None, None, None, None]})
    v = variable(p, df)
    # a: 60% x 10,000 x 10% = 600; b: 400; overlay specialist double credit: 1,000;
    # manager: the reps' credit rolled up at 100%: 6,000 + 4,000 = 10,000 -> 1,000
    assert (v[("a", "2026-01")], v[("b", "2026-01")], v[("spec", "2026-01")], v[("boss", "2026-01")]) == \
        (600.0, 400.0, 1000.0, 1000.0)


def test_split_that_does_not_add_up_is_an_error():
    p = plan([FLAT])
    df = pd.DataFrame({"rep": ["a", "b"], "period": "2026-01", "measure": "bookings", "credited": 100.0,
                       "quota": 1.0, "deal": "D", "credit_share": [0.6, 0.6]})
    with pytest.raises(PlanError, match="deal D .bookings. is split 120% > 100%"):
        statements(p, df)


# ----------------------------------------------------------------------------- measures, grains, data errors

def test_weighted_measures_with_plan_quota():
    p = load_plan({"pay": {"base_salary": 0, "target_incentive": 60000},
                   "measures": [{"name": "bookings", "weight": 0.7}, {"name": "new_logos", "weight": 0.3, "quota": 12}],
                   "components": [{"type": "commission", "name": "b", "tiers": [{"from": 0, "multiple": 1}]},
                                  {"type": "commission", "name": "n", "measure": "new_logos", "tiers": [{"from": 0, "multiple": 1}]}],
                   "true_up": False})
    df = pd.concat([perf([100000]), pd.DataFrame({"rep": ["a"], "period": ["2026-01"], "measure": ["new_logos"], "credited": [2.0]})])
    # bookings: 70% x 60,000 / 12 = 3,500 at 100%; new logos: 30% x 60,000 / 12 = 1,500 per 1 logo
    # (quota 12/yr = 1/month) -> 2 logos = 3,000. Total 6,500
    assert variable(p, df).iloc[0] == 6500.0


def test_quarterly_data():
    p = plan([FLAT], period="quarter", true_up=False)
    df = perf([100000, 50000], months=["2026-Q1", "2026-Q2"], quota=300000.0)
    s = summary(statements(p, df))
    # base 90,000 x 3/12 = 22,500 per quarter; 10% commission
    assert list(s["base"]) == [22500.0, 22500.0] and list(s["variable"]) == [10000.0, 5000.0]


def test_fiscal_year_resets_ytd():
    p = plan([{"type": "commission", "name": "c", "tiers": TIERS}], fiscal_year_start_month=4)
    v = variable(p, perf([200000, 100000], months=["2026-03", "2026-04"]))
    # March closes FY2025 (YTD 200%): 5% x 100k + 10% x 100k = 15,000; April starts FY2026 afresh: 5,000
    assert list(v) == [15000.0, 5000.0]


@pytest.mark.parametrize("df, message", [
    (pd.DataFrame({"rep": ["a"], "period": ["2026-01"], "measure": ["bookings"]}), "credited: required column missing"),
    (perf([1.0]).assign(measure="revenue"), "measure: unknown measure 'revenue'"),
    (perf([1.0]).assign(period="Jan"), "period: 'Jan' is not a period"),
    (perf([1.0, 2.0], months=["2026-01", "2026-Q1"]), "mixes months, quarters"),
    (perf([1.0]).assign(quota=-5.0), "quota: negative value"),
    (perf(["x"]), "credited: 'x' on row 2 is not a number"),
    (pd.concat([perf([1.0]), perf([1.0], quota=5.0)]), "quota: conflicting bookings quotas for rep a, 2026-01"),
    (perf([1.0]).drop(columns="quota"), "quota: column missing"),
    (perf([1.0]).assign(employed_share=1.5), "employed_share: must be within 0-1"),
])
def test_bad_performance_fails_with_one_line(df, message):
    p = plan([FLAT])
    with pytest.raises(PlanError) as e:
        statements(p, df)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_explanations_and_attainment_present():
    p = load_plan("data/plans/tiered_accelerator_cap.yaml")
    st = statements(p, perf([60000, 80000]))
    comm = st[st["item"] == "commission"]
    assert comm["explanation"].str.contains("YTD credited").all()
    assert np.isclose(comm["attainment"].iloc[-1], 0.7)  # YTD 140,000 / 200,000


# ----------------------------------------------------------------------------- reconciliation and conversions

def _tiered_accelerator_earned(attainment: np.ndarray, target_incentive: np.ndarray) -> np.ndarray:
    """The plan file's tiers worked out independently of the plan code: marginal multiples of the
    base rate (target incentive / quota) on YTD attainment, 0.6x to 50%, 1.4x to 100%, 2x to 150%,
    1x above; so 40% pays 0.6 x 0.4 = 0.24 x TI, 100% pays 0.6 x 0.5 + 1.4 x 0.5 = 1.0 x TI, 120% pays
    1.0 + 2 x 0.2 = 1.4 x TI and 200% pays 1.0 + 2 x 0.5 + 1 x 0.5 = 2.5 x TI (the 150,000 cap)."""
    a = attainment
    tiers = 0.6 * np.clip(a, 0, 0.5) + 1.4 * np.clip(a - 0.5, 0, 0.5) + 2.0 * np.clip(a - 1.0, 0, 0.5) + 1.0 * np.maximum(a - 1.5, 0)
    return target_incentive * tiers


def test_year_totals_reconcile_with_ytd_earned():
    from salessim.comp import read_performance

    p = load_plan("data/plans/tiered_accelerator_cap.yaml")
    df = read_performance("data/plans/sample_performance.csv")
    st = statements(p, df)
    own = df[df["event"].isna()].assign(credit=lambda d: d["credited"] * d["credit_share"].fillna(1.0))
    ytd_c = own.groupby("rep")["credit"].sum()
    ytd_q = (own.groupby("rep")["quota"].sum() * 0 + own.dropna(subset=["quota"]).assign(
        q=lambda d: d["quota"] * d["employed_share"]).groupby("rep")["q"].sum())
    ti = own.dropna(subset=["quota"]).assign(t=lambda d: 60000 / 12 * d["employed_share"]).groupby("rep")["t"].sum()
    earned = _tiered_accelerator_earned(ytd_c.to_numpy() / ytd_q.to_numpy(), ti.to_numpy())
    expected = np.minimum(np.round(earned, 2), 150000.0)
    lines = st[st["item"].isin(["commission", "cap_adjustment"])].groupby("rep")["amount"].sum()
    # the year's commission lines add up to the YTD earnings at December (capped at 150,000)
    assert np.allclose(lines.to_numpy(), expected, atol=0.011)


def test_negative_balance_forgiven_at_year_end():
    p = plan([FLAT], true_up=False, negative_balance="forgive_at_year_end")
    df = perf([-5000, 3000], months=["2026-12", "2027-01"])
    # Dec: -500 carried; Jan starts a new fiscal year: the -500 is forgiven -> 300 paid
    assert list(variable(p, df)) == [0.0, 300.0]
    carry = plan([FLAT], true_up=False)
    assert list(variable(carry, df)) == [0.0, 0.0]  # -500 + 300 -> still -200 carried


def test_excel_date_cells_as_periods():
    p = plan([FLAT], true_up=False)
    df = perf([1000, 2000]).assign(period=["2026-01-01 00:00:00", "2026-02-01"])
    assert list(summary(statements(p, df))["period"]) == ["2026-01", "2026-02"]


def test_from_ledger():
    from salessim.comp.performance import from_ledger

    ledger = pd.DataFrame({"rep": pd.Categorical(["R1", "R1", "R2", "R2"]),
                           "month": pd.period_range("2026-01", periods=2, freq="M").tolist() * 2,
                           "bookings": [10000.0, 0.0, 5000.0, 2500.0], "deals_won": [1, 0, 1, 1]})
    perf_ = from_ledger(ledger, {"R1": 50000.0, "R2": 40000.0})
    assert list(perf_["period"]) == ["2026-01", "2026-02"] * 2 and list(perf_["quota"]) == [5e4, 5e4, 4e4, 4e4]
    v = variable(plan([FLAT], true_up=False), perf_)
    assert list(v) == [1000.0, 0.0, 500.0, 250.0]


def test_leaver_keeps_ytd_earnings_and_has_no_later_lines():
    p = plan([{"type": "commission", "name": "c", "tiers": TIERS}])
    df = pd.concat([perf([150000, 50000], rep="leaver"), perf([0, 0, 0, 0], rep="stayer")])
    st = statements(p, df)
    # leaver: Jan 5% x 100k + 10% x 50k = 10,000; Feb YTD 200k/200k: 5% x 200k = 10,000 -> 0 more
    assert set(st.loc[st["rep"] == "leaver", "period"]) == {"2026-01", "2026-02"}
    assert st.loc[st["rep"] == "leaver", "amount"].sum() == 2 * 7500 + 10000


def test_quarterly_bonus_on_ytd_attainment_catches_up():
    p = plan([{"type": "quota_bonus", "name": "q", "period": "quarter", "true_up": True,
               "thresholds": [{"attainment": 1.0, "amount": 4000}]}])
    v = variable(p, perf([90000, 90000, 90000, 150000, 100000, 100000]))
    # Q1 YTD 270k/300k = 90%: 0. Q2 YTD 610k/600k = 102%: 2 quarters x 4,000 = 8,000 (Q1 caught up)
    assert list(v) == [0, 0, 0, 0, 0, 8000.0]


def test_per_rep_pay_overrides_and_prorated_draw():
    p = plan([{"type": "commission", "name": "c", "tiers": [{"from": 0, "multiple": 1.0}]}], true_up=False,
             draw={"amount": 3000, "months": 1})
    df = perf([0.0], employed_share=0.5, base_salary=120000.0, target_incentive=24000.0)
    s = summary(statements(p, df))
    # base 120,000/12 x 0.5 = 5,000; commission 0; draw 3,000 x 0.5 = 1,500 advance
    assert (s["base"].iloc[0], s["variable"].iloc[0]) == (5000.0, 1500.0)
    df = perf([50000.0], target_incentive=24000.0)
    # TI 24,000/12 = 2,000 at 100% of 100,000? credited 50,000 -> 50% -> 1,000
    assert variable(plan([{"type": "commission", "name": "c", "tiers": [{"from": 0, "multiple": 1.0}]}],
                         true_up=False), df).iloc[0] == 1000.0


def test_period_cap_on_quarterly_bonus():
    p = plan([{"type": "quota_bonus", "name": "q", "period": "quarter", "true_up": False, "cap": {"period": 5000},
               "thresholds": [{"attainment": 1.0, "amount": 3000}, {"attainment": 1.2, "amount": 2000}]},
              {"type": "commission", "name": "c", "rate": 0.0}], true_up=False)
    v = variable(p, perf([120000] * 3))
    # Q1 120%: 3,000 + 2,000 = 5,000 = the cap: paid in full in March
    assert list(v) == [0, 0, 5000.0]


def test_retroactive_explanation_names_the_tier_reached():
    p = plan([{"type": "commission", "name": "c", "method": "retroactive", "tiers": TIERS}], true_up=False)
    st = statements(p, perf([120000]))
    acc = st[(st["item"] == "commission") & (st["detail"] == "accelerator")]
    assert acc["amount"].iloc[0] == 12000.0  # 10% x 120,000
    assert "retroactive: 10.00% of credit on all credit" in acc["explanation"].iloc[0]


def test_overlay_share_and_missing_manager_column():
    p = plan([FLAT], true_up=False, crediting={"overlay_share": 0.5})
    df = pd.DataFrame({"rep": ["a", "spec"], "period": "2026-01", "measure": "bookings", "credited": [10000.0, 10000.0],
                       "quota": 1e5, "deal": ["D", "D"], "role": ["primary", "overlay"]})
    v = variable(p, df)
    assert (v[("a", "2026-01")], v[("spec", "2026-01")]) == (1000.0, 500.0)  # overlay: 50% x 10,000 x 10%
    p2 = plan([FLAT], crediting={"manager_rollup": True})
    with pytest.raises(PlanError, match="no manager column"):
        statements(p2, df)
