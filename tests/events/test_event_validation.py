"""Events validate like everything else: one line naming the field and the reason."""

from __future__ import annotations

import pytest

from salessim.errors import ScenarioError
from tests.events.helpers import small


@pytest.mark.parametrize("event, message", [
    ({"kind": "demand_shock", "at": "2027-02-01", "factor": 0.8},
     "events.0.at: 2027-02-01 is outside the horizon (2026-01-01 to 2026-12-31)"),
    ({"kind": "demand_shock", "at": 13, "factor": 0.8}, "events.0.at: month 13 is outside the horizon (1 to 12)"),
    ({"kind": "demand_shock", "at": 3, "until": 2, "factor": 0.8}, "events.0.until: must be after at (3)"),
    ({"kind": "reps_leave", "at": 3, "reps": ["R007", "R107"]}, "events.0.reps.1: unknown rep 'R107'; reps are R001 to R020"),
    ({"kind": "reps_leave", "at": 3}, "events.0.reps: give either reps"),
    ({"kind": "demand_shock", "at": 3, "factor": -0.2}, "events.0.factor: Input should be greater than or equal to 0"),
    ({"kind": "competitor", "at": 3, "region": "Mars"}, "events.0.region: unknown region 'Mars'"),
    ({"kind": "churn_spike", "at": 3, "factor": 2, "segment": "Z"}, "events.0.segment: unknown segment 'Z'"),
    ({"kind": "plan_change", "at": "2026-05-15", "plan": {"name": "x"}}, "events.0.at: a plan change takes effect at a month start"),
    ({"kind": "volcano", "at": 3}, "events.0: unknown kind 'volcano': use one of add_partners, add_sdrs,"),
    ({"kind": "training", "at": 3, "cost": -5}, "events.0.cost: Input should be greater than or equal to 0"),
])
def test_bad_events_fail_with_one_line_naming_the_field(event, message):
    with pytest.raises(ScenarioError) as e:
        small(event)
    text = str(e.value)
    assert "\n" not in text
    assert message in text, text


def test_dates_and_month_numbers_name_the_same_day():
    a = small({"kind": "hiring_freeze", "at": 7})
    b = small({"kind": "hiring_freeze", "at": "2026-07-01"})
    from salessim.scenario.events import Context

    assert Context(a).day(a.events[0].at) == Context(b).day(b.events[0].at) == 181


def test_events_round_trip_through_yaml():
    from salessim import load_scenario

    sc = small({"kind": "crm_adoption", "at": 4, "slip_factor": 0.5},
               {"kind": "plan_change", "at": 7, "plan": small().plan.to_dict()})
    again = load_scenario(__import__("yaml").safe_load(sc.to_yaml()))
    assert again.events == sc.events


def test_cli_roi_and_stress_report_bad_files_in_one_line(tmp_path, capsys):
    from salessim.ui.cli import main

    sc = tmp_path / "small.yaml"
    sc.write_text(small().to_yaml())
    (tmp_path / "shocks.yaml").write_text("- {kind: demand_shock, at: 3, factor: 0.5}\n")
    assert main(["stress", str(sc), str(tmp_path / "shocks.yaml")]) == 2
    assert "expected a mapping of shock name to a list of events" in capsys.readouterr().err
    (tmp_path / "bad.yaml").write_text("- {kind: demand_shock, at: 30, factor: 0.5}\n")
    assert main(["roi", str(sc), str(tmp_path / "bad.yaml")]) == 2
    assert "events.0.at: month 30 is outside the horizon" in capsys.readouterr().err
    assert main(["roi", str(sc), str(tmp_path / "small.yaml")]) == 2
    assert "small.yaml: (top level): expected a list of events" in capsys.readouterr().err
