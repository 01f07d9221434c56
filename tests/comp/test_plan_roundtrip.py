"""A plan's dump loads back as the same plan with the same statements (load -> dump -> load),
for every example plan, every plan inside an example scenario and generated plans; and a sweep
over a flat commission rate changes that rate."""

from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salessim.comp import load_plan, statements
from salessim.comp.plan import CompPlan
from salessim.experiments.grid import check_path, sweep_scenarios
from salessim.scenario import load_scenario

DATA = Path(__file__).parents[2] / "data"
PLANS = sorted((DATA / "plans").glob("*.yaml"))
SCENARIOS = sorted((DATA / "scenarios").glob("*.yaml"))
SAMPLE = pd.read_csv(DATA / "plans" / "sample_performance.csv")


def roundtrip(plan: CompPlan) -> CompPlan:
    """Dump to YAML text (as ``scenario.yaml`` is written) and load again."""
    return load_plan(yaml.safe_load(yaml.safe_dump(plan.to_dict(), sort_keys=False, allow_unicode=True)))


def scenario_plans(path: Path) -> list[CompPlan]:
    sc = load_scenario(path)
    found = [sc.plan] if sc.plan is not None else []
    return found + [ev.plan for ev in sc.events if getattr(ev, "plan", None) is not None]


@pytest.mark.parametrize("path", PLANS, ids=[p.stem for p in PLANS])
def test_example_plan_roundtrips_with_identical_statements(path):
    plan = load_plan(path)
    again = roundtrip(plan)
    assert again == plan
    assert roundtrip(again).to_dict() == plan.to_dict()
    pd.testing.assert_frame_equal(statements(again, SAMPLE), statements(plan, SAMPLE))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_plans_inside_example_scenarios_roundtrip(path):
    sc = load_scenario(path)
    again = load_scenario(yaml.safe_load(sc.to_yaml()))
    assert scenario_plans(path) == [p for p in [again.plan] if p is not None] + \
        [ev.plan for ev in again.events if getattr(ev, "plan", None) is not None]
    for plan in scenario_plans(path):
        assert roundtrip(plan) == plan


def test_flat_rate_dumps_as_rate_alone():
    plan = load_plan(DATA / "plans" / "linear_commission.yaml")
    comp = plan.to_dict()["components"][0]
    assert comp["rate"] == plan.components[0].rate and "tiers" not in comp


def test_sweep_over_a_flat_commission_rate():
    base = load_scenario(DATA / "scenarios" / "midmarket.yaml", plan=str(DATA / "plans" / "linear_commission.yaml"))
    path = "plan.components.commission.rate"
    assert check_path(base, path) == "plan.components.0.rate"
    scenarios, _ = sweep_scenarios(base, {path: ["5%", 0.12]})
    rates = sorted(sc.plan.components[0].rate for sc in scenarios.values())
    assert rates == [0.05, 0.12]
    assert sorted(sc.plan.components[0].tiers[0].rate for sc in scenarios.values()) == [0.05, 0.12]


MONEY = st.sampled_from([0, 1500, 2000.5, 60000])
PCT = st.sampled_from([0.0, 0.02, 0.05, "8%", "12.5%", 0.1])


@st.composite
def plan_data(draw):
    """Plan mappings across the language: flat or tiered (rate or multiple), bonuses, team pay,
    SPIFs, caps, draw, clawback, crediting, OTE + mix or base + target incentive."""
    comps = []
    if draw(st.booleans()):
        comps.append({"type": "commission", "name": "flat", "rate": draw(PCT), "gate": draw(st.sampled_from([0, "50%"]))})
    else:
        k = draw(st.integers(1, 3))
        cuts = sorted(draw(st.lists(st.sampled_from([0.5, 1.0, 1.5]), min_size=k - 1, max_size=k - 1, unique=True)))
        key = draw(st.sampled_from(["rate", "multiple"]))
        bounds = [0.0, *cuts]
        comps.append({"type": "commission", "name": "tiers", "method": draw(st.sampled_from(["marginal", "retroactive"])),
                      "tiers": [{"from": b, **({"to": bounds[i + 1]} if i + 1 < k else {}),
                                 key: draw(st.sampled_from([0.02, 0.5, 1.0, 2.0])) if key == "multiple" else draw(PCT),
                                 **({"label": "top"} if i == k - 1 and draw(st.booleans()) else {})}
                                for i, b in enumerate(bounds)],
                      "cap": draw(st.sampled_from([{}, {"year": 90000}, {"period": 9000, "year": 90000}]))})
    if draw(st.booleans()):
        comps.append({"type": "quota_bonus", "name": "qb", "period": draw(st.sampled_from(["quarter", "year"])),
                      "mode": draw(st.sampled_from(["highest", "cumulative"])),
                      "thresholds": [{"attainment": "100%", "amount": 1000}, {"attainment": 1.2, "target_share": "10%"}]})
    if draw(st.booleans()):
        comps.append({"type": "team_bonus", "name": "team", "true_up": False, "pool_rate": "0.5%",
                      "split": draw(st.sampled_from(["equal", "credited"]))})
    if draw(st.booleans()):
        comps.append({"type": "spif", "name": "spif", "start": "2026-02", "end": "2026-04",
                      **({"per_deal": 250} if draw(st.booleans()) else {"rate": "1%"}), "products": ["Analytics"]})
    pay = draw(st.sampled_from([{"ote": 150000, "mix": "60/40"}, {"ote": 123457, "mix": "33/67"},
                                {"base_salary": 90000.5, "target_incentive": 60000}]))
    data = {"name": "generated", "period": draw(st.sampled_from(["month", "quarter"])), "true_up": draw(st.booleans()),
            "pay": pay, "components": comps}
    if draw(st.booleans()):
        data["caps"] = {"year": 200000}
    if draw(st.booleans()):
        data["draw"] = {"amount": draw(MONEY), "months": 3, "recoverable": draw(st.booleans())}
    if draw(st.booleans()):
        data["clawback"] = {"within_months": 6, **({"rate": "8%"} if draw(st.booleans()) else {})}
    if draw(st.booleans()):
        data["crediting"] = {"overlay_share": "50%", "require_full_split": False}
    data["negative_balance"] = draw(st.sampled_from(["carry_forward", "forgive_at_year_end", "pay_negative"]))
    return data


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(plan_data())
def test_generated_plans_roundtrip(data):
    plan = load_plan(data)
    again = roundtrip(plan)
    assert again == plan
    pd.testing.assert_frame_equal(statements(again, SAMPLE), statements(plan, SAMPLE))
