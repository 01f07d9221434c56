"""Common mistakes in plan and scenario files get one line naming the file, the field, the reason
and what to write instead (near-miss names suggested, a number where a mapping belongs shown how)."""

from pathlib import Path

import pytest

from salessim.comp import PlanError, load_plan
from salessim.errors import ScenarioError
from salessim.scenario import load_scenario

MIDMARKET = Path(__file__).parents[2] / "data" / "scenarios" / "midmarket.yaml"
PAY = "pay: {ote: 150000, mix: 60/40}\n"
FLAT = "components: [{type: commission, name: c, rate: 8%"

PLAN_MISTAKES = [
    (FLAT + ", cap: 50000}]", "components.0.cap: expected a mapping of fields (period, year), got 50000 "
                              "(write e.g. cap: {period: 50000})"),
    ("caps: 150000\n" + FLAT + "}]", "caps: expected a mapping of fields (period, year), got 150000"),
    (FLAT + ", rat: 8%}]", "components.0.rat: unknown field 'rat' (did you mean 'rate'?)"),
    ("true_upp: false\n" + FLAT + "}]", "true_upp: unknown field 'true_upp' (did you mean 'true_up'?)"),
    ("period: monthly\n" + FLAT + "}]", "period: Input should be 'month', 'quarter' or 'year', got 'monthly' "
                                        "(did you mean 'month'?)"),
    ("components: {type: commission, name: c, rate: 8%}", "components: Input should be a valid list, got a mapping "
                                                           "(write the items as '- item' lines or [a, b])"),
    ("clawback: 6\n" + FLAT + "}]", "clawback: expected a mapping of fields (within_months, rate, use_effective_rate), "
                                    "got 6 (write e.g. clawback: {within_months: 6})"),
    ("components: [{type: commission, name: c, rate: 8}]", "components.0.rate: 8 must be less than or equal to 1"),
    ("components: [{type: commision, name: c, rate: 8%}]", "components.0: unknown type 'commision': use one of"),
    ("components: [{type: commission, name: c, tiers: [{from: 0, to: 1, rate: 5%}, {from: 0.5, rate: 10%}]}]",
     "components.0.tiers.1: overlaps tier 0"),
    (FLAT + "}]\ndraw: {amount: 2000, month: 3}", "draw.month: unknown field 'month' (did you mean 'months'?)"),
]


@pytest.mark.parametrize("body, expected", PLAN_MISTAKES, ids=[m[1].split(":")[0] for m in PLAN_MISTAKES])
def test_plan_mistake_is_one_line_saying_what_to_write(tmp_path, body, expected):
    path = tmp_path / "plan.yaml"
    path.write_text(PAY + body + "\n", encoding="utf-8")
    with pytest.raises(PlanError) as e:
        load_plan(path)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(f"{path}: ")
    assert expected in msg


@pytest.mark.parametrize("body, expected", [
    ("org: {repps: 40}", "org.repps: unknown field 'repps' (did you mean 'reps'?)"),
    ("calendar: {horizon_month: 12}", "calendar.horizon_month: unknown field 'horizon_month' (did you mean 'horizon_months'?)"),
    ("org: {bogus: 1}", "org.bogus: unknown field"),  # nothing close: no guess
])
def test_scenario_typo_suggests_the_near_miss(tmp_path, body, expected):
    path = tmp_path / "scenario.yaml"
    path.write_text(f"base: {MIDMARKET}\n{body}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert "\n" not in str(e.value) and str(e.value).startswith(f"{path}: ") and expected in str(e.value)
    if "bogus" in body:
        assert "did you mean" not in str(e.value)
