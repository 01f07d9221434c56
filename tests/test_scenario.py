"""Scenario loading and validation: bad input fails at load time with file, field and reason."""

from __future__ import annotations

import copy
from pathlib import Path

import pydantic
import pytest
import yaml

import salessim
from salessim import ScenarioError, load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "data" / "scenarios"


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_example_scenarios_load(path: Path) -> None:
    sc = load_scenario(path)
    assert sc.org.reps >= 1
    assert len(sc.funnel.stages) >= 1


def test_at_least_three_example_scenarios() -> None:
    names = {p.stem for p in SCENARIOS.glob("*.yaml")}
    assert {"midmarket", "smb_velocity", "enterprise"} <= names


def test_midmarket_is_the_size_the_issue_asks_for() -> None:
    sc = load_scenario(SCENARIOS / "midmarket.yaml")
    assert sc.org.reps == 100
    assert sc.market.accounts == 2000
    assert sc.market.leads_per_year == 52000  # + ~8,000 self-sourced = ~60,000
    assert len(sc.funnel.stages) == 5  # + closed won/lost = 6 stages


def test_scenario_is_frozen(midmarket_data) -> None:
    sc = load_scenario(midmarket_data)
    with pytest.raises(pydantic.ValidationError):
        sc.org.reps = 3  # type: ignore[misc]


def test_overrides_by_dotted_path_and_double_underscore(midmarket_data) -> None:
    a = load_scenario(midmarket_data, org__reps=7)
    b = load_scenario(midmarket_data, **{"org.reps": 7, "funnel.stages.0.conversion": 0.5})
    assert a.org.reps == b.org.reps == 7
    assert b.funnel.stages[0].conversion == 0.5
    assert load_scenario(midmarket_data).org.reps == 100  # the source mapping is not mutated


def test_round_trip_through_yaml(midmarket_data) -> None:
    sc = load_scenario(midmarket_data)
    again = load_scenario(yaml.safe_load(sc.to_yaml()))
    assert again.to_dict() == sc.to_dict()
    assert again.plan.pay.base_salary == sc.plan.pay.base_salary


def _broken(data: dict, path: str, value) -> dict:
    d = copy.deepcopy(data)
    node = d
    parts = path.split(".")
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node[p]
    last = parts[-1]
    if value is _DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return d


_DELETE = object()

BAD = [
    ("org.bogus", 1, "org.bogus", "unknown field"),
    ("funnel.stages.1.conversion", 1.2, "funnel.stages.1.conversion", "less than or equal to 1"),
    ("funnel.stages.0.conversion", -0.1, "funnel.stages.0.conversion", "greater than or equal to 0"),
    ("funnel.stages.2.duration", {"dist": "lognormal", "median_days": -3}, "funnel.stages.2.duration.lognormal.median_days", "greater than 0"),
    ("funnel.stages.2.duration", {"dist": "weibull", "median_days": 3}, "funnel.stages.2.duration", "weibull"),
    ("funnel.stages.0.rep_hours", -1, "funnel.stages.0.rep_hours", "greater than or equal to 0"),
    ("org.reps", 0, "org.reps", "greater than or equal to 1"),
    ("org", _DELETE, "org", "Field required"),
    ("market.segments.0.share_of_accounts", 0.5, "market", "share_of_accounts must sum to 1"),
    ("market.seasonality", [1.0] * 11, "market.seasonality", "at least 12"),
    ("calendar.start_date", "2026-01-15", "calendar", "first day of a month"),
    ("calendar.horizon_months", 0, "calendar.horizon_months", "greater than or equal to 1"),
]


@pytest.mark.parametrize(("path", "value", "field", "reason"), BAD, ids=[b[0] + "=" + str(b[1])[:20] for b in BAD])
def test_bad_input_names_file_field_and_reason(tmp_path, midmarket_data, path, value, field, reason) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(_broken(midmarket_data, path, value)))
    with pytest.raises(ScenarioError) as e:
        load_scenario(f)
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith(f"{f}: {field}")
    assert reason in msg


def test_stages_out_of_order(midmarket_data) -> None:
    d = copy.deepcopy(midmarket_data)
    st = d["funnel"]["stages"]
    st[0], st[4] = st[4], st[0]  # negotiation first
    with pytest.raises(ScenarioError, match="stages out of order: 'needs analysis' must come before 'negotiation'"):
        load_scenario(d)


def test_outcome_is_not_a_stage(midmarket_data) -> None:
    d = copy.deepcopy(midmarket_data)
    d["funnel"]["stages"].append({**d["funnel"]["stages"][-1], "name": "Closed Won"})
    with pytest.raises(ScenarioError, match="is an outcome, not a working stage"):
        load_scenario(d)


def test_more_reps_than_accounts(midmarket_data) -> None:
    with pytest.raises(ScenarioError, match="exceeds market.accounts"):
        load_scenario(midmarket_data, **{"org.reps": 3000})


def test_unknown_override_path_is_an_error(midmarket_data) -> None:
    with pytest.raises(ScenarioError, match="org.nonsense: unknown field"):
        load_scenario(midmarket_data, **{"org.nonsense": 3})
    with pytest.raises(ScenarioError, match="no such list item"):
        load_scenario(midmarket_data, **{"funnel.stages.9.conversion": 0.3})


def test_invalid_yaml_and_missing_file(tmp_path) -> None:
    f = tmp_path / "broken.yaml"
    f.write_text("org: {reps: [1, 2\n")
    with pytest.raises(ScenarioError, match=r"broken.yaml: line \d+: invalid YAML"):
        load_scenario(f)
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")
    f.write_text("- just\n- a list\n")
    with pytest.raises(ScenarioError, match="expected a mapping"):
        load_scenario(f)


def test_yaml_is_never_evaluated(tmp_path) -> None:
    f = tmp_path / "evil.yaml"
    f.write_text("name: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ScenarioError, match="invalid YAML"):
        load_scenario(f)


def test_public_api() -> None:
    assert callable(salessim.simulate) and callable(salessim.load_scenario)
