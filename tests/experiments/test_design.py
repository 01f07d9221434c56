"""Grid expansion, override-path validation, labels and the run plan (seeds, run ids)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salessim import SalessimError, load_scenario
from salessim.engine.streams import seed_sequence
from salessim.experiments.grid import (
    check_path,
    expand_grid,
    label_points,
    run_specs,
    sweep_scenarios,
)


def test_expand_grid_is_a_cartesian_product_first_path_slowest() -> None:
    assert expand_grid({"a": [1, 2], "b": ["x", "y"]}) == [
        {"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 2, "b": "x"}, {"a": 2, "b": "y"},
    ]


def test_expand_grid_takes_a_list_of_explicit_points() -> None:
    points = [{"a": 1, "b": 2}, {"a": 3}]
    assert expand_grid(points) == points


@given(st.dictionaries(st.text("abcdef.", min_size=1, max_size=6),
                       st.lists(st.integers(-5, 5), min_size=1, max_size=4, unique=True),
                       min_size=1, max_size=4))
def test_expand_grid_properties(grid: dict[str, list[int]]) -> None:
    points = expand_grid(grid)
    assert len(points) == math.prod(len(v) for v in grid.values())
    assert len({tuple(sorted(p.items())) for p in points}) == len(points)  # all distinct
    for p in points:
        assert list(p) == list(grid)  # every path, in grid order
        assert all(p[k] in grid[k] for k in grid)


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ({}, "grid: empty"),
        ({"org.reps": 50}, "grid: org.reps: expected a list of values"),
        ({"org.reps": "50"}, "grid: org.reps: expected a list of values"),
        ({"org.reps": []}, "grid: org.reps: empty list of values"),
        ({"org.reps": [50, 50]}, "appears twice"),
        ([], "grid: empty"),
        ([{"org.reps": 1}, {}], "grid: point 1"),
    ],
)
def test_expand_grid_rejects_bad_grids(grid: object, message: str) -> None:
    with pytest.raises(SalessimError, match=message):
        expand_grid(grid)  # type: ignore[arg-type]


def test_check_path_accepts_fields_list_items_and_defaults(small) -> None:
    for path in ("org.weekly_hours", "org.skill.sd", "funnel.stages.2.conversion",
                 "market.segments.0.deal_size.median", "quota.annual_target"):
        assert check_path(small, path) == path
    assert check_path(small, "org__reps") == "org.reps"


def test_check_path_finds_list_items_by_name(small_with_plan) -> None:
    sc = small_with_plan
    assert check_path(sc, "funnel.stages.demo.conversion") == "funnel.stages.2.conversion"
    assert check_path(sc, "market.segments.A.deal_size.median") == "market.segments.0.deal_size.median"
    assert check_path(sc, "plan.components.commission.tiers.1.multiple") == "plan.components.0.tiers.1.multiple"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("org.weekly_hour", r"grid: org.weekly_hour: unknown field 'weekly_hour' \(fields here: .*weekly_hours"),
        ("orgs.reps", "unknown field 'orgs'"),
        ("funnel.stages.9.conversion", r"funnel.stages.9: no such list item \(names: prospecting, needs analysis, demo"),
        ("funnel.stages.closing.conversion", "funnel.stages.closing: no such list item"),
        ("org.reps.x", r"unknown field 'x' \(fields here: none \(it is a value\)\)"),
        ("seed", "grid: seed: replications already vary the dice"),
    ],
)
def test_check_path_names_the_unknown_part(small, path: str, message: str) -> None:
    with pytest.raises(SalessimError, match=message):
        check_path(small, path)


def test_plan_paths(small, small_with_plan) -> None:
    with pytest.raises(SalessimError, match="grid: plan.pay.base_salary: the scenario has no comp plan"):
        check_path(small, "plan.pay.base_salary")
    with pytest.raises(SalessimError, match=r"unknown field 'commission' \(fields here: caps, clawback, components"):
        check_path(small_with_plan, "plan.commission.rate")


def test_sweep_varies_comp_plan_parameters(small_with_plan) -> None:
    variants, _ = sweep_scenarios(small_with_plan, {"plan.components.commission.tiers.2.multiple": [2.0, 3.0]})
    assert list(variants) == ["multiple=2", "multiple=3"]
    assert [v.plan.components[0].tiers[2].multiple for v in variants.values()] == [2.0, 3.0]


def test_sweep_scenarios_validates_every_path_before_building(small) -> None:
    with pytest.raises(SalessimError, match="grid: org.nope: unknown field"):
        sweep_scenarios(small, {"org.weekly_hours": [30], "org.nope": [1]})
    # a bad value fails in scenario validation, naming the field
    with pytest.raises(SalessimError, match="org.weekly_hours"):
        sweep_scenarios(small, {"org.weekly_hours": [30, 500]})


def test_sweep_scenarios_applies_overrides(small) -> None:
    variants, points = sweep_scenarios(small, {"org.weekly_hours": [30, 40], "funnel.stages.0.conversion": [0.3]})
    assert list(variants) == ["weekly_hours=30, conversion=0.3", "weekly_hours=40, conversion=0.3"]
    assert [v.org.weekly_hours for v in variants.values()] == [30, 40]
    assert all(v.funnel.stages[0].conversion == 0.3 for v in variants.values())
    assert points[1] == {"org.weekly_hours": 40, "funnel.stages.0.conversion": 0.3}


def test_labels_use_full_paths_when_last_parts_clash() -> None:
    labels = label_points([{"org.skill.sd": 0.1, "market.segments.0.deal_size.sd": 1},
                           {"org.skill.sd": 0.2, "market.segments.0.deal_size.sd": 1}])
    assert labels[0] == "org.skill.sd=0.1, market.segments.0.deal_size.sd=1"


def test_run_specs_share_seeds_across_scenarios_with_crn(small) -> None:
    other = load_scenario(small, **{"org.weekly_hours": 30})
    specs = run_specs({"a": small, "b": other}, 3, 7)
    assert [(s.label, s.replication) for s in specs] == [("a", 0), ("a", 1), ("a", 2), ("b", 0), ("b", 1), ("b", 2)]
    for i in range(3):
        a, b = specs[i], specs[3 + i]
        assert a.seed.spawn_key == b.seed.spawn_key == seed_sequence(7, i).spawn_key == (i,)
        assert a.seed.entropy == b.seed.entropy == 7
        assert a.run_id != b.run_id  # different scenarios
    indep = run_specs({"a": small, "b": other}, 3, 7, common_random_numbers=False)
    assert indep[0].seed.spawn_key == (0, 0) and indep[3].seed.spawn_key == (0, 1)


def test_run_ids_are_content_hashes(small) -> None:
    a = run_specs({"x": small}, 2, 0, version="1")
    again = run_specs({"renamed label": load_scenario(small)}, 2, 0, version="1")
    assert [s.run_id for s in a] == [s.run_id for s in again]  # label does not matter
    assert a[0].run_id != a[1].run_id
    assert a[0].run_id != run_specs({"x": small}, 1, 1, version="1")[0].run_id  # seed matters
    assert a[0].run_id != run_specs({"x": small}, 1, 0, version="2")[0].run_id  # version matters
    ss = np.random.SeedSequence(0)
    assert run_specs({"x": small}, 1, ss, version="1")[0].run_id == a[0].run_id


@pytest.mark.parametrize("n", [0, -1, 2.5])
def test_run_specs_rejects_bad_replications(small, n: object) -> None:
    with pytest.raises(SalessimError, match="replications"):
        run_specs({"x": small}, n, 0)  # type: ignore[arg-type]
