"""The results schema (salessim.results.schema) matches what simulate() produces, column by column."""

from __future__ import annotations

import pytest

import salessim
from salessim.results.schema import SCHEMA, markdown


@pytest.fixture(scope="module")
def runs(small_scenario):
    with_plan = salessim.simulate(small_scenario, seed=2, record_events=True)
    without = salessim.simulate(small_scenario.model_copy(update={"plan": None}), seed=2)
    return with_plan, without


def _expected(table: str, result, plan: bool) -> list[str]:
    components = sorted(result.statements["component"].unique()) if plan else ()
    return SCHEMA[table].names(stages=result.scenario.funnel.stage_names[1:], components=components, plan=plan)


@pytest.mark.parametrize("table", sorted(SCHEMA))
def test_simulate_produces_exactly_the_declared_columns(runs, table) -> None:
    with_plan, without = runs
    assert list(getattr(with_plan, table).columns) == _expected(table, with_plan, plan=True)
    if table == "statements":
        assert without.statements is None
    elif table != "events":
        assert list(getattr(without, table).columns) == _expected(table, without, plan=False)


def test_plan_columns_appear_only_with_a_plan(runs) -> None:
    with_plan, without = runs
    assert "total_pay" in with_plan.ledger and "total_pay" not in without.ledger
    assert any(c.startswith("pay: ") for c in with_plan.ledger)


def test_markdown_lists_every_column_once_per_table() -> None:
    md = markdown()
    for t in SCHEMA.values():
        section = md.split(f"### `{t.name}`:")[1].split("###")[0]
        for c in t.columns:
            assert section.count(f"| `{c.name}` |") == 1, (t.name, c.name)
