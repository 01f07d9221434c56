"""Plan language: example plans load, OTE/mix derivation, and bad plans fail with one clear line."""

from pathlib import Path

import pytest

from salessim.comp import PlanError, load_plan

PLANS = sorted((Path(__file__).parents[2] / "data" / "plans").glob("*.yaml"))
TIERS = [{"from": 0, "to": 1.0, "rate": 0.05}, {"from": 1.0, "rate": 0.1}]


def plan(**kw):
    return {"pay": {"ote": 150000, "mix": "60/40"}, **kw}


def comm(**kw):
    return {"type": "commission", "name": "c", **kw}


@pytest.mark.parametrize("path", PLANS, ids=[p.stem for p in PLANS])
def test_example_plans_load(path):
    p = load_plan(path)
    assert p.components, path
    assert p.pay.ote > 0


def test_examples_cover_the_issue_list():
    names = {p.stem for p in PLANS}
    assert {"linear_commission", "quota_bonus_only", "tiered_accelerator_cap", "pay_mix_50_50", "pay_mix_70_30",
            "monthly_quarterly_team_breakthrough", "new_hire_draw", "spif"} <= names


@pytest.mark.parametrize("pay, base, ti", [
    ({"ote": 150000, "mix": "60/40"}, 90000, 60000),   # 150,000 x 60% / 40%
    ({"ote": 150000, "mix": [70, 30]}, 105000, 45000),  # 150,000 x 70% / 30%
    ({"ote": 100000, "mix": "50:50"}, 50000, 50000),
    ({"base_salary": 80000, "target_incentive": 20000}, 80000, 20000),
])
def test_pay_mix_derives_base_and_target_incentive(pay, base, ti):
    p = load_plan({"pay": pay})
    assert (p.pay.base_salary, p.pay.target_incentive, p.pay.ote) == (base, ti, base + ti)


def test_percent_strings_and_fractions_agree():
    a = load_plan(plan(components=[comm(tiers=[{"from": "0%", "to": "100%", "rate": "5%"}, {"from": "100%", "rate": "10%"}])]))
    b = load_plan(plan(components=[comm(tiers=TIERS)]))
    assert a.components[0].rates == b.components[0].rates == [0.05, 0.1]


def test_plan_is_frozen():
    p = load_plan(plan(components=[comm(rate=0.1)]))
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises ValidationError on frozen models
        p.period = "year"


@pytest.mark.parametrize("data, message", [
    (plan(components=[comm(tiers=[{"from": 0, "to": 1.2, "rate": 0.05}, {"from": 1.0, "rate": 0.1}])]),
     "components.0.tiers.1: overlaps tier 0"),
    (plan(components=[comm(tiers=[{"from": 0, "to": 1.0, "rate": 0.05}, {"from": 1.2, "rate": 0.1}])]),
     "gap between 1 and 1.2"),
    (plan(components=[comm(tiers=[{"from": 0, "to": 1.0, "rate": 0.05}, {"from": 1.0, "to": 1.5, "rate": 0.1}])]),
     "tiers.1.to must be open"),
    (plan(components=[comm(tiers=[{"from": 0.5, "rate": 0.05}])]), "tiers.0.from must be 0"),
    (plan(components=[comm(tiers=[{"from": 0, "to": 1.0, "rate": -0.05}, {"from": 1.0, "rate": 0.1}])]),
     "components.0.tiers.0.rate: Input should be greater than or equal to 0"),
    (plan(components=[comm(rate=0.1, measure="revenue")]), "components.0.measure: unknown measure 'revenue'"),
    (plan(measures=[{"name": "bookings", "weight": 0.6}, {"name": "new_logos", "weight": 0.3}]),
     "measures: weights must sum to 1, got 0.9"),
    (plan(measures=[{"name": "widgets"}]), "measures.0: unknown measure 'widgets'"),
    (plan(components=[{"type": "quota_bonus", "name": "b", "thresholds": [{"attainment": 1.0, "amount": 5000}],
                       "cap": {"period": 4000}}]),
     "components.0.cap.period: 4,000.00 is below the bonus it caps (5,000.00)"),
    (plan(components=[{"type": "quota_bonus", "name": "b", "thresholds": [{"attainment": 1.0, "amount": 5000}]}],
          caps={"year": 1000}), "caps.year: 1,000.00 is below the largest quota bonus it caps"),
    (plan(components=[{"type": "quota_bonus", "name": "b", "thresholds": [{"attainment": 1.2, "amount": 1},
                                                                         {"attainment": 1.0, "amount": 2}]}]),
     "thresholds.1.attainment (1) must be above the previous one (1.2)"),
    ({"pay": {"ote": 100, "mix": "60/50"}}, "pay: mix 60/50 must be two non-negative numbers summing to 100"),
    (plan(components=[comm(rate=0.1), comm(rate=0.2)]), "components: names must be unique"),
    (plan(components=[{"type": "bonus", "name": "x"}]), "components.0: unknown type 'bonus': use one of commission, quota_bonus"),
    (plan(components=[{"name": "x"}]), "components.0: missing type: use one of commission, quota_bonus"),
    (plan(components=[comm(rate=0.1, colour="red")]), "components.0.colour: unknown field"),
    (plan(components=[comm(tiers=[{"from": 0, "to": 1.0, "rate": 0.05}, {"from": 1.0, "multiple": 2}])]),
     "tiers must all use rate or all use multiple"),
    (plan(components=[comm(tiers=[{"from": 0, "to": 120, "rate": 0.05}, {"from": 120, "rate": 0.1}])]),
     "less than or equal to 10"),
    (plan(components=[comm(rate="lots")]), "'lots' is not a number or a percentage"),
    (plan(components=[comm(rate=0.1, cap={"period": 10, "year": 5})]), "year cap 5.00 is below the period cap"),
    (plan(components=[{"type": "spif", "name": "s", "start": "2026-05", "end": "2026-04", "per_deal": 10}]),
     "end 2026-04 is before start 2026-05"),
    (plan(period="week"), "period: Input should be 'month', 'quarter' or 'year'"),
])
def test_bad_plans_fail_with_one_line_naming_the_field(data, message):
    with pytest.raises(PlanError) as e:
        load_plan(data)
    text = str(e.value)
    assert "\n" not in text
    assert text.startswith("<mapping>: ")
    assert message in text


def test_bad_yaml_file_names_the_file(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("name: x\ncomponents: [\n", encoding="utf-8")
    with pytest.raises(PlanError, match=r"p\.yaml: line \d+: invalid YAML"):
        load_plan(f)
    with pytest.raises(PlanError, match="missing.yaml: file not found"):
        load_plan(tmp_path / "missing.yaml")


def test_nothing_is_evaluated(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("name: !!python/object/apply:os.system ['echo hacked']\n", encoding="utf-8")
    with pytest.raises(PlanError, match="invalid YAML"):
        load_plan(f)
