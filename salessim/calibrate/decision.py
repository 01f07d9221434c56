"""From a CRM export to a plan decision: calibrate the organisation under today's plan, check the
calibration against the export, then compare today's plan with proposed plans on the calibrated
organisation with paired replications (common random numbers) and recommend one.

>>> from salessim.calibrate.decision import calibrate_org, decide
>>> cal = calibrate_org("export.csv", "data/your_org/today_plan.yaml", preset="salesforce")
>>> d = decide(cal, "data/your_org/today_plan.yaml", ["data/your_org/uncapped_accelerator.yaml"])
>>> d.recommended, d.economics

The export is calibrated with today's plan in place (reps react to the plan they are on, so the
model is fitted to the behaviour today's plan produces) and with quotas sized to the calibrated
organisation (the base scenario's company target belongs to another organisation): ``quota_target``
sets the company target (currency a year), ``None`` leaves it to the scenario default, 85% of what
the organisation is expected to sell at normal effort. Every piece is reused: the reader, mapping
and fit (:func:`salessim.calibrate.calibrate`), the simulation-vs-data check
(:mod:`~salessim.calibrate.check`), the held-out back-test (:mod:`~salessim.calibrate.backtest`),
the replications (:func:`salessim.analysis.replications.replicate_all`: the experiments runner) and the decision
economics (:mod:`salessim.analysis.economics`). Money is in the export's currency over the
simulated year.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salessim.analysis.comparisons import comparison, rep_outcomes
from salessim.analysis.economics import best_design, economics_summary, rep_pay_changes
from salessim.analysis.replications import ReplicationSet, replicate_all
from salessim.calibrate import Calibration, _base, calibrate, import_crm, load_mapping
from salessim.calibrate.backtest import BacktestResult, backtest
from salessim.comp import load_plan
from salessim.comp.plan import CompPlan
from salessim.errors import SalessimError
from salessim.scenario import Scenario, load_scenario

#: Prefix of today's plan's label in every table (the baseline).
TODAY = "today"


def plan_base(base: Scenario | str | Path | None, today: CompPlan | str | Path,
              quota_target: float | None = None) -> Scenario:
    """The base scenario with today's plan and a company quota target fit for the calibrated
    organisation (``quota_target``; ``None``: 85% of its expected bookings)."""
    plan = load_plan(today)
    if quota_target is not None and not (np.isfinite(quota_target) and quota_target > 0):
        raise SalessimError(f"quota target: expected an amount above 0, got {quota_target}")
    return load_scenario(_base(base), plan=plan, **{"quota.annual_target": quota_target, "quota.region_targets": None})


def calibrate_org(export: str | Path, today: CompPlan | str | Path, mapping: str | Path | dict | None = None,
                  preset: str | None = None, base: Scenario | str | Path | None = None,
                  quota_target: float | None = None, history: str | Path | None = None,
                  team: str | Path | None = None, as_of: str | None = None, refine_iterations: int = 2,
                  seed: int = 0) -> Calibration:
    """Import, validate and fit the export with today's plan in the base (:func:`plan_base`);
    the calibration's ``validation`` is the simulation against the export, ``mismatch`` its failed rows."""
    b = plan_base(base, today, quota_target)
    crm = import_crm(export, load_mapping(mapping, preset), b.funnel.stage_names, history, team, as_of,
                     products=[p.name for p in b.market.products], segments=[s.name for s in b.market.segments])
    return calibrate(crm, b, refine_iterations, seed, source=Path(export).name)


def require_match(cal: Calibration, accept_mismatch: bool = False) -> None:
    """Stop with one line when the calibrated model does not reproduce the export (or was never
    checked), unless ``accept_mismatch``: a decision on an organisation that is not yours is no
    decision."""
    if cal.validated or accept_mismatch:
        return
    why = cal.mismatch or "no check simulation was run (refine at least once)"
    raise SalessimError(f"{cal.crm.report.source}: calibration NOT MATCHED: {why}; no decision made "
                        "(fix the mapping or the base scenario, or accept the mismatch: --accept-mismatch, "
                        "notebook parameter accept_mismatch=True)")


def plan_designs(org: Scenario, today: CompPlan | str | Path, proposals: Sequence[CompPlan | str | Path]) -> dict[str, Scenario]:
    """Today's plan (label ``today: <name>``, first: the baseline) and each proposal (its name) on
    the calibrated organisation."""
    if not proposals:
        raise SalessimError("proposals: none given (give at least one proposed plan YAML)")
    now = load_plan(today)
    designs = {f"{TODAY}: {now.name}": load_scenario(org, plan=now)}
    for p in proposals:
        plan = load_plan(p)
        if plan.name in designs or plan.name == now.name:
            raise SalessimError(f"{p}: name: plan name '{plan.name}' is used twice (give each plan its own `name:`)")
        designs[plan.name] = load_scenario(org, plan=plan)
    return designs


def recommend(econ: pd.DataFrame, baseline: str) -> str:
    """The plan to run: among proposals whose paired gain in net contribution over ``baseline``
    has a confidence interval above zero, the one with the highest net contribution; else the
    baseline (no proposal clearly pays for itself)."""
    e = econ[(econ["design"].astype(str) != baseline) & (econ["d_net_low"] > 0)]
    return str(e.sort_values("net contribution", ascending=False)["design"].iloc[0]) if len(e) else baseline


def replications_to_separate(row: pd.Series, replications: int) -> float:
    """Replications at which the paired gain's interval would exclude zero if its mean and spread
    held (half-width shrinks as 1/sqrt(n)); NaN for a gain that is not positive."""
    half = (row["d_net_high"] - row["d_net_low"]) / 2
    if not (row["d_net"] > 0 and np.isfinite(half) and half > 0):
        return np.nan
    return float(np.ceil(replications * (half / row["d_net"]) ** 2))


@dataclass
class PlanDecision:
    """Today's plan against proposals on the calibrated organisation (plain data; see :func:`decide`).

    ``economics``: :func:`~salessim.analysis.economics.economics_summary` (baseline today);
    ``summary``: every KPI with paired differences (``Comparison.summary()``); ``outcomes``: per
    rep and replication; ``rep_changes``: per proposal, each rep's mean pay today and under it
    (:func:`~salessim.analysis.economics.rep_pay_changes`); ``recommended``: :func:`recommend`.
    """

    calibration: Calibration
    today: str
    designs: dict[str, Scenario]
    sets: dict[str, ReplicationSet]
    economics: pd.DataFrame
    best: dict[str, Any]
    summary: pd.DataFrame
    outcomes: pd.DataFrame
    rep_changes: dict[str, pd.DataFrame]
    recommended: str
    replications: int
    seed: int
    backtest: BacktestResult | None = None

    @property
    def currency(self) -> str:
        return self.designs[self.today].currency

    @property
    def proposals(self) -> list[str]:
        return [d for d in self.designs if d != self.today]

    def company_quota(self) -> float:
        """The year's company quota under today's plan: the rep quotas of replication 0 summed
        over the measured window (currency)."""
        o = self.outcomes
        return float(o[(o["design"] == self.today) & (o["replication"] == 0)]["quota"].sum())

    def target_pay(self) -> dict[str, float]:
        """Each plan's annual pay of a rep at 100% of the median rep quota (the plans' target pay)."""
        from salessim.comp import pay_curve

        quota = float(self.outcomes.loc[self.outcomes["design"] == self.today, "quota"].median())
        out = {}
        for name, sc in self.designs.items():
            c = pay_curve(sc.plan, [1.0], annual_quota=quota)
            out[name] = float(c.loc[c["component"] == "total", "amount"].iloc[0])
        return out

    def rollout(self) -> str:
        """The proposal whose winners and losers matter most: the recommended one, else the one
        best by net contribution among the proposals."""
        if self.recommended != self.today:
            return self.recommended
        e = self.economics[self.economics["design"].astype(str) != self.today]
        return str(e.sort_values("net contribution", ascending=False)["design"].iloc[0])


def decide(cal: Calibration, today: CompPlan | str | Path, proposals: Sequence[CompPlan | str | Path],
           replications: int = 10, seed: int = 0, org: Scenario | None = None, accept_mismatch: bool = False,
           executor: Any = "serial", progress: Callable[[int, int], None] | None = None,
           backtest_result: BacktestResult | None = None) -> PlanDecision:
    """Compare today's plan with ``proposals`` on the calibrated organisation (``org``: a stand-in
    such as a scaled copy; default the calibration's scenario), ``replications`` paired runs each."""
    require_match(cal, accept_mismatch)
    designs = plan_designs(org or cal.scenario(), today, proposals)
    baseline = next(iter(designs))
    sets = replicate_all(designs, replications, seed, progress=progress, executor=executor)
    econ = economics_summary(sets, baseline=baseline)
    outcomes = rep_outcomes(sets)
    changes = {p: rep_pay_changes(outcomes, baseline, p) for p in designs if p != baseline}
    return PlanDecision(cal, baseline, designs, sets, econ, best_design(sets), comparison(sets, baseline).summary(),
                        outcomes, changes, recommend(econ, baseline), replications, seed, backtest_result)


def held_out_backtest(cal: Calibration, base: Scenario, months: int, seeds: Sequence[int],
                      refine_iterations: int = 2) -> BacktestResult:
    """:func:`~salessim.calibrate.backtest.backtest` of the calibration's import (fit before the
    last ``months`` full months, simulate them, compare with what closed)."""
    return backtest(cal.crm, base, test_months=months, seeds=tuple(seeds), refine_iterations=refine_iterations)
