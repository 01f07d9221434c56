"""The plan optimiser: search space, objectives and constraints, and the search itself on a tiny
scenario whose optimum is known by brute force on the same seeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from salessim import load_scenario
from salessim.comp import load_plan
from salessim.experiments import replicate
from salessim.experiments.optimise import Racing, SearchError, load_search, optimise
from salessim.experiments.optimise.goals import (
    NET,
    constraint_of,
    evaluate,
    objective_of,
    per_replication,
)
from salessim.experiments.store import Store

ROOT = Path(__file__).resolve().parents[2]
MIDMARKET = ROOT / "data" / "scenarios" / "midmarket.yaml"
TINY = {"name": "tiny", "org.reps": 8, "market.accounts": 160, "market.leads_per_year": 4000,
        "calendar.horizon_months": 6, "calendar.warmup_months": 1, "quota.annual_target": 12_000_000,
        "plan": str(ROOT / "data" / "plans" / "linear_commission.yaml")}
RATE = "plan.components.commission.rate"
GRID = [round(0.02 + 0.01 * i, 2) for i in range(11)]  # 2% .. 12%, the optimiser's step too
COST_LIMIT = 0.13  # binds inside the grid under behaviour v2 (cost of sales ~10% at 2%, ~12% at 6%, ~18% at 12%)
SEARCH = {"search": {RATE: {"range": ["2%", "12%"], "step": "1%"}},
          "constraints": [f"cost of sales <= {COST_LIMIT:.0%}"]}
RACE = Racing(start=3, final=6, finalists=4)
BUDGET = 60
SEED = 3


@pytest.fixture(scope="module")
def tiny():
    """midmarket.yaml shrunk to 8 reps and 6 months (~0.2 s a run), on a flat 10% commission."""
    return load_scenario(MIDMARKET, **TINY)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return tmp_path_factory.mktemp("optimise-store")


@pytest.fixture(scope="module")
def result(tiny, store):
    return optimise(tiny, SEARCH, BUDGET, replications=RACE, seed=SEED, executor="serial", store=store, progress=False)


# ------------------------------------------------------------------ search space and goals


def test_search_block_ranges_choices_and_components(tiny):
    space, settings = load_search({"search": {RATE: [0.02, 0.12], "plan.caps.year": {"choice": [90000, None]}},
                                   "objective": "revenue"}, tiny)
    assert [p.kind for p in space.parameters] == ["range", "choice"]
    assert space.parameters[0].paths == ("plan.components.0.rate",)
    sc = space.resolve({RATE: 0.07, "plan.caps.year": None})
    assert sc.plan.components[0].rates == [0.07] and sc.plan.caps.year is None
    assert space.resolve({RATE: 0.07, "plan.caps.year": 90000}).plan.caps.year == 90000
    assert settings == {"objective": "revenue"}


def test_template_markers_and_component_choice(tiny):
    space, _ = load_search(ROOT / "data" / "search" / "quarterly_bonus.yaml", tiny)
    names = space.names()
    assert "plan.components.commission.rate" in names and "plan.components.quarterly bonus" in names
    rate = next(p for p in space.parameters if p.name == "plan.components.commission.rate")
    assert (rate.low, rate.high, rate.step) == (0.04, 0.12, 0.005)
    point = {n: (p.low if p.kind == "range" else p.choices[0]) for n, p in zip(names, space.parameters, strict=True)}
    with_bonus = space.resolve(point)
    without = space.resolve(point | {"plan.components.quarterly bonus": False})
    assert [c.name for c in with_bonus.plan.components] == ["commission", "quarterly bonus"]
    assert [c.name for c in without.plan.components] == ["commission"]
    assert space.today.plan.name == "linear commission"  # today stays the scenario's plan


@pytest.mark.parametrize("spec, message", [
    ({"search": {"plan.components.commission.speed": [1, 2]}}, "unknown field"),
    ({"search": {RATE: [0.12, 0.02]}}, "must be below"),
    ({"search": {RATE: {"choice": [0.1]}}}, "at least two"),
    ({"search": {"plan.caps.year": {"include": [True, False]}}}, "plan component"),
    ({}, "no free parameter"),
])
def test_bad_search_files_fail_with_the_parameter_named(tiny, spec, message):
    with pytest.raises(Exception, match=message):
        load_search(spec, tiny)


def test_constraints_short_and_long_forms():
    c = constraint_of("cost of sales <= 12%")
    assert (c.kpi, c.low, c.high, c.stat) == ("cost of sales", None, 0.12, "mean")
    p90 = constraint_of("p90 comp cost <= 9000000")
    assert (p90.kpi, p90.high, p90.stat) == ("comp cost", 9_000_000, "p90")
    band = constraint_of({"kpi": "reps at or above quota", "min": "50%", "max": "70%"})
    assert (band.low, band.high) == (0.5, 0.7)
    assert constraint_of({"group_pay": ["region"], "max_loss": "5%"}).low == -0.05
    with pytest.raises(SearchError):
        constraint_of("cost of sales < 12%")
    assert objective_of({"minimise": "comp cost"}).sense == -1


def test_constraints_use_the_confidence_bound_and_percentiles():
    kpis = pd.DataFrame({"replication": np.repeat([0, 1, 2, 3], 6),
                         "kpi": ["revenue", "comp cost", "management cost", "attainment P90", "attainment P10", "cost of sales"] * 4,
                         "value": [100, 10, 5, 1.2, 0.4, 0.10, 100, 12, 5, 1.2, 0.4, 0.12,
                                   100, 10, 5, 1.2, 0.4, 0.10, 100, 12, 5, 1.2, 0.4, 0.12]})
    mean_ok = evaluate(kpis, None, objective_of(None), [constraint_of("cost of sales <= 11.5%")])
    assert mean_ok.objective == pytest.approx(100 - 11 - 5)
    assert not mean_ok.feasible  # mean 11% is below 11.5%, but not the upper 95% bound
    assert evaluate(kpis, None, objective_of(None), [constraint_of("cost of sales <= 14%")]).feasible
    p90 = evaluate(kpis, None, objective_of(None), [constraint_of("p50 comp cost <= 11")])
    assert p90.checks[0][1] == pytest.approx(11.0) and p90.feasible


# ------------------------------------------------------------------ the search


def test_lands_within_one_grid_step_of_the_brute_force_optimum(result, tiny, store):
    # The sweep cannot vary a flat rate (the plan dump repeats it as a tier): resolve each grid
    # point as the optimiser does; same scenario, same seeds, so the same runs.
    space, _ = load_search(SEARCH, tiny)
    brute = replicate({f"{r:.2f}": space.resolve({RATE: r}) for r in GRID}, RACE.final, seed=SEED,
                      executor="serial", store=store, progress=False)
    rows = []
    for label, g in brute.kpis.groupby("scenario", observed=True):
        ev = evaluate(g, None, objective_of(None), [constraint_of(f"cost of sales <= {COST_LIMIT:.0%}")])
        rows.append({"rate": float(label), "net": ev.objective, "feasible": ev.feasible})
    curve = pd.DataFrame(rows)
    best = curve[curve["feasible"]].sort_values("net").iloc[-1]["rate"]
    assert result.feasible
    assert abs(result.point[RATE] - best) <= 0.01 + 1e-9, curve
    assert result.simulations["total"] <= BUDGET


def test_recommendation_meets_its_constraints_on_fresh_replications(result):
    fresh = replicate({"recommended": result.recommended}, 8, seed=SEED + 1000, executor="serial", progress=False)
    wide = per_replication(fresh.kpis)
    assert wide["cost of sales"].mean() <= COST_LIMIT


def test_outputs_plan_yaml_pareto_comparison_reps(result, tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(result.plan_yaml(), encoding="utf-8")
    assert _same_plan(load_plan(path), result.recommended.plan)
    c = result.candidates
    assert (c["candidate"] == "today").sum() == 1 and c["recommended"].sum() == 1
    front = c[c["front_cost"]]
    for _, r in front.iterrows():  # nothing dominates a front point
        assert not ((c[NET] > r[NET]) & (c["comp cost"] < r["comp cost"])).any()
    table = result.kpi_table().set_index("kpi")
    assert {"revenue", "comp cost", NET}.issubset(table.index)
    assert table.loc[NET, "diff_low"] <= table.loc[NET, "diff"] <= table.loc[NET, "diff_high"]
    assert len(result.reps) == 8 and {"pay_today", "pay_recommended", "change_low"}.issubset(result.reps.columns)
    assert list(result.sensitivity["parameter"]) == [RATE]
    assert result.headline().startswith("Recommended plan")


@pytest.mark.slow
def test_same_result_with_one_or_two_workers(result, tiny, tmp_path, pool2):
    two = optimise(tiny, SEARCH, BUDGET, replications=RACE, seed=SEED, executor=pool2, store=tmp_path, progress=False)
    assert two.simulations["from store"] == 0
    pd.testing.assert_frame_equal(two.candidates, result.candidates)
    assert two.point == result.point


class _Kill(Exception):
    pass


@pytest.mark.slow
def test_a_killed_optimisation_resumes_without_repeating_finished_runs(tiny, tmp_path, result):
    done = []

    def kill_after_20(rec):
        done.append(rec.run_id)
        if len(done) == 20:
            raise _Kill

    with pytest.raises(_Kill):
        optimise(tiny, SEARCH, BUDGET, replications=RACE, seed=SEED, executor="serial", store=tmp_path,
                 progress=False, on_run=kill_after_20)
    with Store(tmp_path) as st:
        finished = set(st.sql("select run_id from runs")["run_id"])
    assert set(done) == finished
    again = optimise(tiny, SEARCH, BUDGET, replications=RACE, seed=SEED, executor="serial", store=tmp_path, progress=False)
    assert again.simulations["from store"] == len(finished)
    assert again.simulations["computed"] == again.simulations["total"] - len(finished)
    pd.testing.assert_frame_equal(again.candidates, result.candidates)


def test_cli_writes_the_plan_and_the_report_tables(result, tiny, store, tmp_path, capsys):
    import yaml

    from salessim.ui.cli import main

    scenario = tmp_path / "tiny.yaml"  # the plan by file: a flat-rate plan's dump does not load back
    scenario.write_text(yaml.safe_dump(tiny.to_dict() | {"plan": TINY["plan"]}), encoding="utf-8")
    search = tmp_path / "search.yaml"

    search.write_text(yaml.safe_dump({**SEARCH, "replications": {"start": 3, "final": 6, "finalists": 4}}), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["optimise", str(scenario), str(search), "--budget", str(BUDGET), "--out", str(out), "--store",
                 str(store), "--workers", "serial", "--seed", str(SEED), "--no-progress"]) == 0
    assert "Recommended plan" in capsys.readouterr().out
    for name in ("recommended_plan.yaml", "summary.txt", "pareto.png", "candidates.csv", "comparison.csv",
                 "sensitivity.csv", "reps.csv", "simulations.csv"):
        assert (out / name).exists(), name
    assert _same_plan(load_plan(out / "recommended_plan.yaml"), result.recommended.plan)


def _same_plan(a, b) -> bool:
    """Equal but for the name and description the optimiser gives the recommended plan."""
    return a.model_copy(update={"name": b.name, "description": b.description}) == b


def test_too_small_a_budget_says_how_much_is_needed(tiny):
    with pytest.raises(SearchError, match="at least 42"):
        optimise(tiny, SEARCH, 20, replications=RACE, executor="serial", progress=False)
