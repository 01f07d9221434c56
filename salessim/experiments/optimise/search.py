"""The optimisation loop: Optuna's TPE sampler proposes plans, the experiments runner simulates
them with common random numbers, and a successive-halving race spends the remaining budget on
the candidates that come close.

Why TPE (not CMA-ES): plan spaces mix ranges with choices (cap or no cap, a bonus on or off) and
conditional structure, which TPE handles natively and CMA-ES does not; budgets are small (tens
of candidates), where TPE's density model is useful after ~10 points while CMA-ES needs several
generations of a population; and TPE takes constraints (c-TPE: ``Trial.set_constraint``).

Budget (number of simulations = candidate x replication): every explored candidate runs
``start`` replications; the best ``finalists`` then run ``2 x start``, the best half of those
``4 x start``, ... up to ``final`` replications; today's plan runs ``final``. Replication ``i``
of every candidate uses the same seed, so a candidate promoted to more replications only
computes the new ones (the store keeps the others), and all differences are paired.
When the space contains today's plan, today is the first candidate: the recommendation is
then at least as good as today at the final replications, or today itself. Proposals come in batches of ``batch`` (a fixed number, not the number of workers): the
sequence of candidates, and so the result, is the same on any executor.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import tempfile
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from salessim.experiments.executors import resolve_executor
from salessim.experiments.optimise.goals import (
    Evaluation,
    constraint_of,
    evaluate,
    objective_of,
    rep_measure,
)
from salessim.experiments.optimise.report import OptimisationResult, outcome
from salessim.experiments.optimise.space import Parameter, SearchError, load_search
from salessim.experiments.runner import ScenarioLike, replicate
from salessim.experiments.store import RunRecord, Store


@dataclass(frozen=True)
class Racing:
    """Replications per candidate: ``start`` while exploring, doubling for the best
    ``finalists`` (then the best half, ...) up to ``final``."""

    start: int = 4
    final: int = 16
    finalists: int = 4

    def __post_init__(self) -> None:
        if not (1 <= self.start <= self.final) or self.finalists < 1:
            raise SearchError(f"replications: need 1 <= start <= final and finalists >= 1, got {self}")

    def rungs(self) -> list[tuple[int, int]]:
        """(replications, candidates) of each racing rung after the exploration."""
        out, r, n = [], self.start, self.finalists
        while r < self.final:
            r = min(2 * r, self.final)
            out.append((r, n))
            n = max(1, math.ceil(n / 2))
        return out

    def cost(self) -> int:
        """Simulations the race and today's plan take (beyond the exploration)."""
        prev, total = self.start, self.final
        for r, n in self.rungs():
            total += n * (r - prev)
            prev = r
        return total


@dataclass
class _Tracker:
    """Run ids seen in this optimisation, and which were computed here (not read from the store)."""

    seen: set[str] = field(default_factory=set)
    computed: set[str] = field(default_factory=set)

    def add(self, runs: pd.DataFrame) -> None:
        self.seen.update(runs["run_id"])
        self.computed.update(runs.loc[~runs["cached"], "run_id"])


def optimise(
    scenario: ScenarioLike,
    search: str | Path | Mapping[str, Any],
    budget: int = 200,
    *,
    objective: Any = None,
    constraints: Sequence[Any] | None = None,
    replications: Racing | Mapping[str, int] | None = None,
    seed: int | None = None,
    executor: Any = None,
    store: Store | str | Path | None = None,
    batch: int = 4,
    level: float | None = None,
    progress: bool = True,
    on_run: Callable[[RunRecord], None] | None = None,
) -> OptimisationResult:
    """Search the plan space of ``search`` (a search file, see :mod:`.space`) for the plan that
    best meets ``objective`` under ``constraints`` on ``scenario``, in at most ``budget``
    simulations.

    ``objective``/``constraints``/``replications`` default to the search file's (then to
    maximising net contribution, no constraint, ``Racing()``). ``seed`` defaults to the
    scenario's; it seeds the replications and the sampler. ``store``: a results store folder;
    every run is saved there and a rerun (e.g. after an interruption) recomputes nothing already
    finished. ``executor`` as in :func:`salessim.compare`. ``level``: confidence level of the
    constraint checks (default 95%).
    """
    import optuna

    space, settings = load_search(search, scenario)
    obj = objective_of(objective if objective is not None else settings.get("objective"))
    cons = [constraint_of(c) for c in (constraints if constraints is not None else settings.get("constraints") or [])]
    racing = _racing(replications if replications is not None else settings.get("replications"))
    seed = space.today.seed if seed is None else int(seed)
    explore = (int(budget) - racing.cost()) // racing.start
    if explore < max(2 * racing.finalists, 4):
        need = racing.cost() + max(2 * racing.finalists, 4) * racing.start
        raise SearchError(f"budget: {budget} simulations is too small for this race (at least {need})")
    if batch < 1:
        raise SearchError(f"batch: must be >= 1, got {batch}")
    plan_hash = hashlib.sha256(str(space.today.to_dict().get("plan")).encode()).hexdigest()[:8]
    measure = f"optimiser_reps_{plan_hash}"
    measures = {measure: rep_measure(space.today.plan)}
    tracker = _Tracker()
    evaluations: dict[str, dict[int, Evaluation]] = {}
    scenarios: dict[str, Any] = {}
    points: dict[str, dict[str, Any]] = {}

    with contextlib.ExitStack() as stack:
        ex, own = resolve_executor(executor)
        if own:
            stack.callback(ex.close)
        if store is None:
            store = stack.enter_context(tempfile.TemporaryDirectory(prefix="salessim-optimise-"))
        st = store if isinstance(store, Store) else stack.enter_context(Store(store))

        def run(keys: list[str], reps: int) -> None:
            todo = [k for k in keys if reps not in evaluations.setdefault(k, {})]
            if not todo:
                return
            res = replicate({k: scenarios[k] for k in todo}, reps, seed, ex, store=st, progress=False,
                            measures=measures, on_run=on_run, experiment=f"optimise-{plan_hash}-{'-'.join(todo)[:60]}@{reps}")
            tracker.add(res.runs)
            for k in todo:
                evaluations[k][reps] = evaluate(res.kpis[res.kpis["scenario"] == k],
                                                _reps(res.measures[measure], k), obj, cons, level)

        # -------------------------------------------------------------- exploration (TPE)
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # multivariate, constant_liar
        sampler = optuna.samplers.TPESampler(
            seed=seed, n_startup_trials=min(10, max(2, explore // 3)), multivariate=True, constant_liar=True)
        study = optuna.create_study(direction="maximize", sampler=sampler)
        dists = {p.name: _distribution(p) for p in space.parameters}
        if (start := space.today_point()) is not None:  # the first candidate: today's plan itself
            study.enqueue_trial(start)
        trial_rows: list[dict[str, Any]] = []
        from tqdm.auto import tqdm

        bar = tqdm(total=explore, desc="optimise", unit="plan", disable=not progress, dynamic_ncols=True)
        asked = 0
        while asked < explore:
            trials = [study.ask(dists) for _ in range(min(batch, explore - asked))]
            asked += len(trials)
            keys: list[str | None] = []
            for t in trials:
                point = {p.name: t.params[p.name] for p in space.parameters}
                key = "c" + space.key(point)
                if key not in scenarios:
                    try:
                        scenarios[key] = space.resolve(point)
                    except SearchError:
                        keys.append(None)
                        continue
                    points[key] = point
                keys.append(key)
            run([k for k in dict.fromkeys(keys) if k is not None], racing.start)
            for t, key in zip(trials, keys, strict=True):
                if key is None:
                    study.tell(t, state=optuna.trial.TrialState.FAIL)
                    trial_rows.append({"trial": t.number, "candidate": None, **t.params, "valid": False})
                    continue
                ev = evaluations[key][racing.start]
                for i, (_, _, v) in enumerate(ev.checks):
                    t.set_constraint(f"c{i}", v)
                study.tell(t, ev.objective)
                trial_rows.append({"trial": t.number, "candidate": key, **t.params, "valid": True})
            bar.update(len(trials))
        bar.close()

        # -------------------------------------------------------------- race (successive halving)
        alive = sorted(evaluations, key=lambda k: _rank(evaluations[k][racing.start]))
        for reps, n in racing.rungs():
            alive = sorted(alive, key=lambda k: _rank(_best(evaluations[k])))[:n]
            run(alive, reps)
        finals = [k for k in evaluations if racing.final in evaluations[k]] or alive
        best = min(finals, key=lambda k: _rank(_best(evaluations[k])))

        # -------------------------------------------------------------- today vs recommended
        final = replicate({"today": space.today, "recommended": scenarios[best]}, racing.final, seed, ex,
                          store=st, progress=False, measures=measures, on_run=on_run,
                          experiment=f"optimise-{plan_hash}-final@{racing.final}")
        tracker.add(final.runs)
        today_eval = evaluate(final.kpis[final.kpis["scenario"] == "today"],
                              _reps(final.measures[measure], "today"), obj, cons, level)

    return outcome(space=space, objective=obj, constraints=tuple(cons), racing=racing, budget=int(budget),
                   seed=seed, evaluations=evaluations, points=points, scenarios=scenarios, trials=trial_rows,
                   best=best, final=final, measure=measure, today=today_eval,
                   simulations={"total": len(tracker.seen), "computed": len(tracker.computed),
                                "from store": len(tracker.seen - tracker.computed),
                                "candidates": len(evaluations), "budget": int(budget)})


def _racing(spec: Racing | Mapping[str, int] | None) -> Racing:
    if spec is None:
        return Racing()
    if isinstance(spec, Racing):
        return spec
    if not isinstance(spec, Mapping) or set(spec) - {"start", "final", "finalists"}:
        raise SearchError(f"replications: expected {{start: 4, final: 16, finalists: 4}}, got {spec!r}")
    try:
        return Racing(**{k: int(v) for k, v in spec.items()})
    except (TypeError, ValueError):
        raise SearchError(f"replications: whole numbers please, got {spec!r}") from None


def _distribution(p: Parameter) -> Any:
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    if p.kind != "range":
        return CategoricalDistribution(list(p.choices))
    if p.integer:
        return IntDistribution(int(p.low), int(p.high), step=int(p.step or 1), log=p.log)
    if p.step:
        high = round(p.low + math.floor((p.high - p.low) / p.step + 1e-9) * p.step, 12)
        return FloatDistribution(p.low, high, step=p.step)
    return FloatDistribution(p.low, p.high, log=p.log)


def _rank(ev: Evaluation) -> tuple[float, float, float]:
    """Sort key, best first: feasible before infeasible, then less violation, then objective."""
    return (0.0 if ev.feasible else 1.0, ev.violation, -ev.objective)


def _best(evs: Mapping[int, Evaluation]) -> Evaluation:
    """A candidate's evaluation with the most replications."""
    return evs[max(evs)]


def _reps(table: pd.DataFrame, label: str) -> pd.DataFrame:
    return table[table["scenario"] == label]
