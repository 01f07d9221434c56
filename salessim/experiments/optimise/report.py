"""What an optimisation hands back: the recommended plan (YAML a user can run and pay from), the
candidates and their Pareto fronts, recommended vs today with paired confidence intervals on every
KPI, a sensitivity table, winners and losers per rep, and the simulations spent.

Money in the scenario's currency; shares and attainment as fractions (1.0 = 100%).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import yaml

from salessim.experiments.compare import Comparison
from salessim.experiments.optimise.goals import (
    NET,
    SPREAD,
    Constraint,
    Evaluation,
    Objective,
    per_replication,
)
from salessim.experiments.optimise.space import SearchSpace
from salessim.experiments.statistics import confidence_interval
from salessim.scenario import Scenario


@dataclass(frozen=True)
class OptimisationResult:
    """Result of :func:`salessim.experiments.optimise`.

    ``candidates``: one row per distinct plan tried, at its most replicated evaluation (its
    parameters, replications, objective, headline means, feasibility, ``front_cost`` /
    ``front_spread``: on the Pareto front of net contribution vs comp cost / vs attainment
    spread); ``today`` is a row too. ``trials``: the sampler's proposals in order. ``comparison``:
    today vs recommended on the final replications (``.summary()``: paired CIs on every KPI).
    ``reps``: per rep seat, pay today and recommended (same replications) with a paired CI of
    the change. ``sensitivity``: per parameter, how much the objective moves across its values.
    ``simulations``: total runs used, computed here, read from the store, candidates, budget.
    """

    space: SearchSpace
    objective: Objective
    constraints: tuple[Constraint, ...]
    recommended: Scenario
    point: dict[str, Any]
    evaluation: Evaluation
    today: Evaluation
    candidates: pd.DataFrame
    trials: pd.DataFrame
    comparison: Comparison
    reps: pd.DataFrame
    sensitivity: pd.DataFrame
    simulations: dict[str, int]
    seed: int

    @property
    def feasible(self) -> bool:
        return self.evaluation.feasible

    @property
    def pareto(self) -> pd.DataFrame:
        """Candidates on either Pareto front (and today), best net contribution first."""
        c = self.candidates
        return c[c["front_cost"] | c["front_spread"] | (c["candidate"] == "today")].sort_values(NET, ascending=False, ignore_index=True)

    def plan_yaml(self) -> str:
        """The recommended comp plan as plan YAML (``salessim.comp.load_plan`` reads it back; the
        same plan but for its name and description)."""
        plan = _without_none(self.recommended.to_dict()["plan"])
        for comp in plan.get("components", []):
            if comp.get("rate") is not None:  # a flat rate: its one tier is implied
                comp.pop("tiers", None)
        origin = plan.get("name", "plan")
        plan["name"] = f"{origin} (optimised)"
        plan["description"] = f"Recommended by salessim optimise, starting from '{origin}'."
        head = (f"# Recommended by the salessim plan optimiser ({self.objective.describe()}; "
                f"{self.simulations['total']} simulations, seed {self.seed}).\n")
        for c in self.constraints:
            head += f"# constraint: {c.describe()}\n"
        for k, v in self.point.items():
            head += f"# {k} = {v}\n"
        return head + yaml.safe_dump(plan, sort_keys=False, allow_unicode=True)

    def kpi_table(self) -> pd.DataFrame:
        """Recommended vs today on every KPI: means, paired difference and its CI."""
        s = self.comparison.summary()
        return s[s["scenario"] == "recommended"].reset_index(drop=True)

    def headline(self) -> str:
        """The recommendation in a few sentences (what a report opens with)."""
        cur = self.recommended.currency
        rec, now = self.evaluation.metrics, self.today.metrics
        k = self.kpi_table().set_index("kpi")
        d = k.loc[NET] if NET in k.index else None
        verdict = "meets every constraint" if self.feasible else "does NOT meet every constraint (least violation found)"
        lines = [f"Recommended plan ({verdict}): " + ", ".join(f"{n} = {_value(v)}" for n, v in self.point.items()) + "."]
        if self.point == self.space.today_point():
            lines.append("This is today's plan: no plan tried does better under the constraints.")
        if d is not None:
            lines.append(f"Net contribution {_money(rec.get(NET), cur)} vs {_money(now.get(NET), cur)} today: "
                         f"{_money(d['diff'], cur, True)} a year-window (95% paired CI {_money(d['diff_low'], cur, True)} "
                         f"to {_money(d['diff_high'], cur, True)}), over {self.evaluation.replications} replications "
                         "with the same random numbers.")
        if "comp cost" in rec and "comp cost" in now:
            lines.append(f"Comp cost {_money(rec['comp cost'], cur)} vs {_money(now['comp cost'], cur)}; cost of sales "
                         f"{rec.get('cost of sales', np.nan):.1%} vs {now.get('cost of sales', np.nan):.1%}.")
        for desc, stat, v in self.evaluation.checks:
            lines.append(f"  {'ok ' if v <= 0 else 'NO '} {desc} (bound reached: {_value(stat)})")
        s = self.simulations
        lines.append(f"{s['total']} simulations ({s['computed']} computed, {s['from store']} from the store) "
                     f"over {s['candidates']} candidate plans; budget {s['budget']}.")
        return "\n".join(lines)


def outcome(*, space: SearchSpace, objective: Objective, constraints: tuple[Constraint, ...], racing: Any,
            budget: int, seed: int, evaluations: Mapping[str, Mapping[int, Evaluation]],
            points: Mapping[str, dict[str, Any]], scenarios: Mapping[str, Scenario], trials: list[dict[str, Any]],
            best: str, final: Any, measure: str, today: Evaluation, simulations: dict[str, int]) -> OptimisationResult:
    """Assemble the :class:`OptimisationResult` from the loop's bookkeeping."""
    rows = []
    for key, evs in evaluations.items():
        ev = evs[max(evs)]
        rows.append({"candidate": key, **points[key], **_row(ev)})
    rows.append({"candidate": "today", **_row(today)})
    cand = pd.DataFrame(rows)
    cand["recommended"] = cand["candidate"] == best
    cand["front_cost"] = _front(cand[NET].to_numpy(), cand["comp cost"].to_numpy() if "comp cost" in cand else np.zeros(len(cand)))
    cand["front_spread"] = _front(cand[NET].to_numpy(), cand[SPREAD].to_numpy())
    kpis = _with_derived(final.kpis, space.today.currency)
    comparison = Comparison(kpis=kpis, baseline="today", runs=final.runs, store=final.store, experiment=final.experiment)
    first = {r["trial"]: r for r in trials}
    trial_table = pd.DataFrame([{**r, **(_row(evaluations[r["candidate"]][racing.start]) if r["valid"] else {})}
                                for r in first.values()])
    return OptimisationResult(
        space=space, objective=objective, constraints=constraints, recommended=scenarios[best], point=points[best],
        evaluation=evaluations[best][max(evaluations[best])], today=today, candidates=cand, trials=trial_table,
        comparison=comparison, reps=winners_losers(final.measures[measure]),
        sensitivity=sensitivity(trial_table, space), simulations=simulations, seed=seed)


def _row(ev: Evaluation) -> dict[str, Any]:
    return {"replications": ev.replications, "objective": ev.objective, **ev.metrics, "feasible": ev.feasible,
            "violation": ev.violation, **{f"check: {d}": s for d, s, _ in ev.checks}}


def _front(value: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Non-dominated points: no other point has at least the value and at most the cost, and is
    strictly better on one."""
    out = np.ones(len(value), dtype=bool)
    for i in range(len(value)):
        better = (value >= value[i]) & (cost <= cost[i]) & ((value > value[i]) | (cost < cost[i]))
        out[i] = not better.any()
    return out


def _with_derived(kpis: pd.DataFrame, currency: str) -> pd.DataFrame:
    """The runner's tidy KPIs plus net contribution and attainment spread rows per replication."""
    extra = []
    for sc, g in kpis.groupby("scenario", observed=True):
        wide = per_replication(g)
        for kpi, unit in ((NET, currency), (SPREAD, "%")):
            extra.append(pd.DataFrame({"scenario": sc, "replication": wide.index.to_numpy(), "kpi": kpi,
                                       "value": wide[kpi].to_numpy(float), "unit": unit}))
    out = pd.concat([kpis.astype({"scenario": str}), *extra], ignore_index=True)
    out["scenario"] = pd.Categorical(out["scenario"], categories=list(kpis["scenario"].cat.categories))
    return out.sort_values(["scenario", "replication"], kind="stable", ignore_index=True)


def winners_losers(reps: pd.DataFrame) -> pd.DataFrame:
    """Per rep seat: mean attainment and total pay today and recommended over the same
    replications, the change with its paired CI, and the change as a share of today's pay;
    biggest loser first."""
    cols = [c for c in reps.columns if c not in ("scenario", "replication", "rep") and reps[c].dtype == object]
    wide = reps.pivot_table(index=["rep", "replication"], columns="scenario", values=["total_pay", "attainment"],
                            observed=True)
    rows = []
    for rep, g in wide.groupby(level="rep"):
        today, rec = g[("total_pay", "today")].to_numpy(), g[("total_pay", "recommended")].to_numpy()
        ci = confidence_interval(rec, today)
        rows.append({"rep": rep, "attainment_today": g[("attainment", "today")].mean(),
                     "attainment_recommended": g[("attainment", "recommended")].mean(),
                     "pay_today": today.mean(), "pay_recommended": rec.mean(), "change": ci.mean,
                     "change_low": ci.low, "change_high": ci.high,
                     "change_share": ci.mean / today.mean() if today.mean() else np.nan})
    out = pd.DataFrame(rows)
    info = reps[reps["scenario"] == "today"].drop_duplicates("rep").set_index("rep")[cols]
    return out.join(info, on="rep").sort_values("change", ignore_index=True)


def sensitivity(trials: pd.DataFrame, space: SearchSpace) -> pd.DataFrame:
    """How much each parameter matters, from the explored candidates: ``swing`` = spread of the
    mean objective across the parameter's values (choices, or thirds of a range), in the
    objective's unit; ``rank_correlation`` (Spearman, ranges only) of value and objective."""
    ok = trials[trials["valid"]] if "valid" in trials else trials
    rows = []
    for p in space.parameters:
        x = ok[p.name]
        if p.kind == "range" and x.nunique() >= 3:
            bins = pd.qcut(x.rank(method="first"), 3, labels=["low third", "mid third", "high third"])
            means = ok.groupby(bins, observed=True)["objective"].mean()
            rho = float(x.corr(ok["objective"], method="spearman"))
        else:
            means = ok.groupby(x.astype(str), observed=True)["objective"].mean()
            rho = np.nan
        rows.append({"parameter": p.name, "kind": p.kind, "space": p.describe(), "values tried": int(x.nunique()),
                     "swing": float(means.max() - means.min()) if len(means) > 1 else 0.0,
                     "rank_correlation": rho, "best value": str(means.idxmax()) if len(means) else ""})
    return pd.DataFrame(rows).sort_values("swing", ascending=False, ignore_index=True)


def _without_none(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_none(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_without_none(v) for v in node]
    return node


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
    return "null" if v is None else str(v)


def _money(v: Any, cur: str, signed: bool = False) -> str:
    if v is None or not np.isfinite(v):
        return "n/a"
    return f"{v:+,.0f} {cur}" if signed else f"{v:,.0f} {cur}"
