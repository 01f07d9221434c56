"""Plans at equal target pay: every money field scaled by one factor, checked by hand."""

from __future__ import annotations

import pytest

from salessim.comp import load_plan
from salessim.comp.plan import PlanError
from salessim.comp.scaling import cost_matched, pay_at, scale_money

QUOTA = 1_000_000.0


def _commission_plan():
    # base 60,000 + 4% of bookings: 100,000 at 100% of a 1M quota, 120,000 at 150%
    return load_plan({"name": "flat 4%", "pay": {"base_salary": 60_000, "target_incentive": 40_000},
                      "components": [{"type": "commission", "name": "commission", "rate": "4%"}]})


def _bonus_plan():
    # base 90,000 + a 30,000 bonus for reaching the year's quota (capped at 30,000): 120,000 at 100%
    return load_plan({"name": "annual bonus", "period": "year", "true_up": False,
                      "pay": {"base_salary": 90_000, "target_incentive": 30_000},
                      "components": [{"type": "quota_bonus", "name": "bonus", "cap": {"year": 30_000},
                                      "thresholds": [{"attainment": "100%", "amount": 30_000}]}]})


def test_flat_commission_scaled_to_150k_at_target():
    plan = _commission_plan()
    assert pay_at(plan, QUOTA) == pytest.approx(100_000, abs=0.01)
    matched = cost_matched(plan, 150_000, QUOTA)  # factor 1.5: base 90,000, rate 6%
    assert matched.name == "flat 4% (cost-matched)"
    assert matched.pay.base_salary == pytest.approx(90_000, abs=0.01)
    assert matched.components[0].rates[0] == pytest.approx(0.06)
    assert pay_at(matched, QUOTA) == pytest.approx(150_000, abs=0.01)  # to the cent
    assert pay_at(matched, QUOTA, 1.5) == pytest.approx(90_000 + 0.06 * 1_500_000, abs=0.01)  # shape kept: 180,000


def test_bonus_amounts_and_caps_scale():
    plan = _bonus_plan()
    assert pay_at(plan, QUOTA) == pytest.approx(120_000, abs=0.01)
    matched = cost_matched(plan, 150_000, QUOTA)  # factor 1.25: base 112,500, bonus and cap 37,500
    assert matched.components[0].thresholds[0].amount == pytest.approx(37_500)
    assert matched.components[0].cap.year == pytest.approx(37_500)
    assert pay_at(matched, QUOTA) == pytest.approx(150_000, abs=0.01)
    assert pay_at(matched, QUOTA, 0.99) == pytest.approx(112_500, abs=0.01)  # below quota: base only


@pytest.mark.parametrize("quota", [1_300_000.0, 1_234_567.0])
def test_every_plan_file_matches_the_current_plans_target_pay_to_the_cent(quota):
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "data/plans"
    target = pay_at(load_plan(folder / "tiered_accelerator_cap.yaml"), quota)  # the midmarket plan at a typical quota
    for path in sorted(folder.glob("*.yaml")):
        plan = load_plan(path)
        matched = cost_matched(plan, target, quota)
        assert abs(pay_at(matched, quota) - target) <= 0.01 + 1e-6, path.name  # within a cent
        # one factor for every money field: pay at 50% and 150% move by the same ratio as at 100%
        k = matched.pay.ote / plan.pay.ote
        for a in (0.5, 1.5):
            assert pay_at(matched, quota, a) == pytest.approx(k * pay_at(plan, quota, a), rel=1e-6), (path.name, a)


def test_rate_multiples_follow_the_target_incentive():
    plan = load_plan({"name": "multiples", "pay": {"ote": 150_000, "mix": "60/40"},
                      "components": [{"type": "commission", "name": "c", "tiers": [{"from": 0, "multiple": 1}]}]})
    scaled = scale_money(plan, 2.0)
    assert scaled.components[0].rates == [1.0]  # a multiple of TI / quota: unchanged
    assert pay_at(scaled, QUOTA) == pytest.approx(300_000, abs=0.01)


def test_bad_factor_or_target_is_one_line_error():
    with pytest.raises(PlanError, match="scale factor must be above 0"):
        scale_money(_commission_plan(), 0)
    with pytest.raises(PlanError, match="cannot match pay"):
        cost_matched(_commission_plan(), -5, QUOTA)
