"""Pay curve and analyses, checked against hand arithmetic."""

import numpy as np
import pandas as pd

from salessim.comp import analysis, load_plan, pay_curve, statements


def test_pay_curve_tiered_plan_by_hand():
    plan = load_plan("data/plans/tiered_accelerator_cap.yaml")
    curve = pay_curve(plan, [0.5, 1.0, 1.5, 3.0], annual_quota=600000)
    var = curve[curve["component"] == "variable"].set_index("attainment")["amount"]
    # TI 60,000: 50% -> 0.6 x 0.5 = 0.3 TI = 18,000; 100% -> 0.3 + 0.7 = 60,000;
    # 150% -> + 2 x 0.5 = 2.0 TI = 120,000; 300% -> + 1 x 1.5 = 3.5 TI = 210,000 capped at 150,000
    assert list(var) == [18000.0, 60000.0, 120000.0, 150000.0]
    tot = curve[curve["component"] == "total"].set_index("attainment")["amount"]
    assert tot[1.0] == 150000.0  # OTE


def test_leverage_and_cost_of_sales():
    plan = load_plan("data/plans/pay_mix_50_50.yaml")
    lev = analysis.leverage(plan).set_index("metric")["value"]
    # TI 75,000 at 100%; 150%: 75,000 + 1.5 x 0.5 x 75,000 = 131,250 -> 1.75x
    assert lev["variable at 150%"] == 131250.0 and np.isclose(lev["variable leverage 150/100"], 1.75)
    st = statements(plan, pd.DataFrame({"rep": ["a", "b"], "period": "2026-01", "measure": "bookings",
                                       "credited": [50000.0, 100000.0], "quota": 50000.0}))
    cos = analysis.cost_of_sales(st, revenue=150000).set_index("metric")["value"]
    # base 2 x 6,250 = 12,500; variable 6,250 + (6,250 + 1.5 x 6,250) = 21,875 -> 34,375 / 150,000
    assert cos["comp cost"] == 34375.0 and np.isclose(cos["cost of sales"], 34375 / 150000)


def test_pay_for_performance_and_distribution_on_sample():
    plan = load_plan("data/plans/tiered_accelerator_cap.yaml")
    from salessim.comp import read_performance

    st = statements(plan, read_performance("data/plans/sample_performance.csv"))
    pfp = analysis.pay_for_performance(st).set_index("metric")
    assert pfp.loc["spearman", "n"] == 6 and pfp.loc["spearman", "value"] > 0.8
    dist = analysis.payout_distribution(st)
    assert dist.groupby("pay")["value"].apply(lambda v: v.is_monotonic_increasing).all()


def test_winners_losers_between_pay_mixes():
    perf = pd.DataFrame({"rep": ["low", "high"], "period": "2026-01", "measure": "bookings",
                         "credited": [25000.0, 100000.0], "quota": 50000.0})
    a = statements(load_plan("data/plans/pay_mix_70_30.yaml"), perf)
    b = statements(load_plan("data/plans/pay_mix_50_50.yaml"), perf)
    wl = analysis.winners_losers(a, b).set_index("rep")
    # 70/30: base 8,750 + TI 3,750/month; 50/50: base 6,250 + TI 6,250/month (multiples 1 / 1.5 above 100%)
    # low (50%): 8,750 + 1,875 = 10,625 -> 6,250 + 3,125 = 9,375: -1,250
    # high (200%): 8,750 + 3,750 x 2.5 = 18,125 -> 6,250 + 6,250 x 2.5 = 21,875: +3,750
    assert wl.loc["low", "change"] == -1250.0 and wl.loc["high", "change"] == 3750.0


def test_team_bonus_without_team_column_is_an_error():
    import pytest

    from salessim.comp import PlanError

    p = load_plan("data/plans/monthly_quarterly_team_breakthrough.yaml")
    with pytest.raises(PlanError, match="team: the plan has a team bonus but the data has no team column"):
        statements(p, pd.DataFrame({"rep": ["a"], "period": "2026-01", "measure": "bookings", "credited": [1.0], "quota": 1.0}))
