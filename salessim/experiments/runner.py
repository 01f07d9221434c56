"""Running experiments: the one replication loop of salessim, on any executor, with a store.

:func:`replicate` runs scenarios with common random numbers and returns :class:`Replications`;
:func:`compare` and :func:`sweep` turn them into a :class:`~salessim.experiments.compare.Comparison`;
stress tests, intervention ROI, the case study, the notebook helpers and the explorer build on
:func:`replicate` too. The worker side is :func:`run_task` (simulate one replication, compute its
KPIs and the experiment's per-run ``measures``, write its folder to the store); the coordinating
side plans the runs, skips those already in the store, shows progress and catalogues results.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salessim.errors import SalessimError
from salessim.experiments.compare import Comparison
from salessim.experiments.executors import resolve_executor
from salessim.experiments.grid import RunSpec, code_version, run_specs, sweep_scenarios
from salessim.experiments.store import (
    DEFAULT_TABLES,
    TABLES,
    RunRecord,
    Store,
    now_iso,
    scenario_yaml,
    write_run,
)
from salessim.results.simulation import simulate
from salessim.results.tables import SimResult
from salessim.scenario import Scenario, load_scenario

ScenarioLike = Scenario | str | Path | Mapping[str, Any]
#: Per-run measures: table name -> picklable function of one run's result (a module-level
#: function or a ``functools.partial`` of one), computed by the worker and stored with the run.
Measures = Mapping[str, Callable[[SimResult], pd.DataFrame]]


@dataclass(frozen=True)
class Task:
    """Everything a worker needs for one run (pickled to the worker)."""

    run_id: str
    label: str
    replication: int
    scenario: Scenario
    seed: np.random.SeedSequence
    version: str
    store_root: str | None = None
    tables: tuple[str, ...] = DEFAULT_TABLES
    scenario_yaml: str = ""
    return_tables: bool = False  # workers that cannot see the store send the tables back
    measures: tuple[tuple[str, Callable[[SimResult], pd.DataFrame]], ...] = ()
    keep_result: bool = False  # send the whole SimResult back (in-memory analyses)

    @property
    def affinity(self) -> int:
        """Runs of one scenario share its set-up (org layout, value tables), cached per worker
        process: executors keep them on one worker (:class:`ProcessExecutor`)."""
        return id(self.scenario)


def run_task(task: Task) -> RunRecord:
    """Simulate one replication; write its folder if there is a store; return its KPIs."""
    t0, c0 = time.perf_counter(), time.process_time()
    result = simulate(task.scenario, task.seed)
    kpis = result.kpis()
    sim_seconds, sim_cpu = time.perf_counter() - t0, time.process_time() - c0
    meta = {
        "run_id": task.run_id,
        "scenario": task.scenario.name,
        "replication": task.replication,
        "seed": str(task.seed.entropy),
        "spawn_key": [int(k) for k in task.seed.spawn_key],
        "version": task.version,
        "sim_seconds": sim_seconds,
        "sim_cpu_seconds": sim_cpu,
        "finished_at": now_iso(),
    }
    measures = {name: fn(result) for name, fn in task.measures}
    write_seconds = 0.0
    tables = None
    if task.store_root is not None or task.return_tables:
        tables = {name: (kpis if name == "kpis" else getattr(result, name)) for name in task.tables} | measures
    if task.store_root is not None:
        t1 = time.perf_counter()
        write_run(Path(task.store_root), task.run_id, tables, task.scenario_yaml or scenario_yaml(task.scenario), meta)
        write_seconds = time.perf_counter() - t1
    return RunRecord(
        task.run_id, task.label, task.replication, tuple(kpis["kpi"]), tuple(kpis["value"].astype(float)),
        tuple(kpis["unit"]), {**meta, "write_seconds": write_seconds},
        tables=tables if task.return_tables else None, measures=measures,
        result=result if task.keep_result else None,
    )


def run_experiment(
    specs: list[RunSpec],
    *,
    executor: Any = None,
    store: Store | str | Path | None = None,
    tables: Sequence[str] = DEFAULT_TABLES,
    progress: bool = True,
    on_run: Callable[[RunRecord], None] | None = None,
    experiment: str | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    desc: str = "salessim",
    measures: Measures | None = None,
    keep_results: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame, str | None, dict[str, RunRecord]]:
    """Compute (or fetch from the store) every run; returns (kpis, runs, experiment name, records
    by run id).

    ``kpis``: scenario, replication, kpi, value, unit, in scenario-then-replication order.
    ``runs``: scenario, replication, run_id, cached, sim_seconds, write_seconds. A stored run is
    reused when its folder holds every table of ``measures``; ``keep_results`` recomputes every
    run (the whole results are not stored) and sends each back in ``RunRecord.result``.
    """
    tables = _check_tables(tables)
    measures = dict(measures or {})
    clash = [m for m in measures if m in TABLES]
    if clash:
        raise SalessimError(f"measures: {clash[0]!r} is the name of a run table; choose another")
    ex, own_executor = resolve_executor(executor)
    own_store = store is not None and not isinstance(store, Store)
    st: Store | None = None
    records: dict[str, RunRecord] = {}
    try:
        st = Store(store) if own_store else store  # type: ignore[assignment]
        unique = list({s.run_id: s for s in specs}.values())
        if st is not None and not keep_results:
            st.sync()
            done = st.finished((s.run_id for s in unique), measures)
            records.update((r.run_id, r) for r in st.cached_records((s for s in unique if s.run_id in done), measures))
        todo = [s for s in unique if s.run_id not in records]
        yaml_text: dict[int, str] = {}  # one YAML dump per scenario, not per replication
        if st is not None:
            for s in todo:
                if id(s.scenario) not in yaml_text:
                    yaml_text[id(s.scenario)] = scenario_yaml(s.scenario)
        remote = st is not None and not ex.shares_files
        tasks = [Task(s.run_id, s.label, s.replication, s.scenario, s.seed, code_version(),
                      None if st is None or remote else str(st.root), tables,
                      yaml_text.get(id(s.scenario), ""), return_tables=remote,
                      measures=tuple(measures.items()), keep_result=keep_results)
                 for s in todo]
        _compute(tasks, ex, st, records, progress, on_run, desc, total=len(unique))
        if st is not None:
            members = pd.DataFrame({
                "label": [s.label for s in specs], "replication": [s.replication for s in specs],
                "run_id": [s.run_id for s in specs],
                "params": [json.dumps(dict((params or {}).get(s.label, {})), default=str) for s in specs],
            })
            name = experiment or "exp-" + hashlib.sha256("".join(members["label"] + members["run_id"]).encode()).hexdigest()[:12]
            st.add_experiment(name, members)
            experiment = name
    finally:
        if own_executor:
            ex.close()
        if own_store and st is not None:
            st.close()
    return _kpi_frame(specs, records), _run_frame(specs, records), experiment, records


def _compute(tasks: list[Task], ex: Any, st: Store | None, records: dict[str, RunRecord],
             progress: bool, on_run: Callable[[RunRecord], None] | None, desc: str, total: int) -> None:
    from tqdm.auto import tqdm

    buffer: list[RunRecord] = []
    last_flush = time.monotonic()
    bar = tqdm(total=total, initial=total - len(tasks), desc=desc, unit="run", disable=not progress,
               leave=True, dynamic_ncols=True)
    try:
        yaml_of = {t.run_id: t.scenario_yaml for t in tasks}
        for rec in ex.imap_unordered(run_task, tasks):
            if rec.tables is not None:  # a worker that cannot see the store: write here
                t1 = time.perf_counter()
                meta = {k: v for k, v in rec.meta.items() if k != "write_seconds"}
                write_run(st.root, rec.run_id, rec.tables, yaml_of[rec.run_id], meta)
                rec = replace(rec, tables=None, meta={**rec.meta, "write_seconds": time.perf_counter() - t1})
            records[rec.run_id] = rec
            buffer.append(rec)
            bar.update(1)
            if st is not None and (len(buffer) >= 256 or time.monotonic() - last_flush > 30.0):
                st.add_runs(buffer)
                buffer, last_flush = [], time.monotonic()
            if on_run is not None:
                on_run(rec)
    finally:
        bar.close()
        if st is not None:
            st.add_runs(buffer)


def _kpi_frame(specs: list[RunSpec], records: dict[str, RunRecord]) -> pd.DataFrame:
    labels = list(dict.fromkeys(s.label for s in specs))
    recs = [records[s.run_id] for s in specs]
    reps = [s.replication for s in specs]
    n = [len(r.kpi) for r in recs]
    return pd.DataFrame({
        "scenario": pd.Categorical(np.repeat([s.label for s in specs], n), categories=labels),
        "replication": np.repeat(reps, n).astype(np.int64),
        "kpi": [k for r in recs for k in r.kpi],
        "value": np.array([v for r in recs for v in r.value], dtype=np.float64),
        "unit": [u for r in recs for u in r.unit],
    })


def _run_frame(specs: list[RunSpec], records: dict[str, RunRecord]) -> pd.DataFrame:
    labels = list(dict.fromkeys(s.label for s in specs))
    recs = [records[s.run_id] for s in specs]
    return pd.DataFrame({
        "scenario": pd.Categorical([s.label for s in specs], categories=labels),
        "replication": [s.replication for s in specs],
        "run_id": [s.run_id for s in specs],
        "cached": [r.cached for r in recs],
        "sim_seconds": [r.meta.get("sim_seconds", np.nan) for r in recs],
        "sim_cpu_seconds": [r.meta.get("sim_cpu_seconds", np.nan) for r in recs],
        "write_seconds": [r.meta.get("write_seconds", np.nan) for r in recs],
    })


def _check_tables(tables: Sequence[str]) -> tuple[str, ...]:
    unknown = [t for t in tables if t not in TABLES]
    if unknown:
        raise SalessimError(f"tables: unknown table {unknown[0]!r} (choose from {', '.join(TABLES)})")
    return tuple(dict.fromkeys(["kpis", *tables]))


def _labelled(scenarios: Mapping[str, ScenarioLike] | Sequence[ScenarioLike]) -> dict[str, Scenario]:
    """Scenarios by label: mapping keys, or scenario names (made unique) for a list."""
    if isinstance(scenarios, Mapping):
        items = [(str(k), v) for k, v in scenarios.items()]
    elif isinstance(scenarios, Sequence) and not isinstance(scenarios, str | bytes):
        items = [(None, v) for v in scenarios]
    else:
        raise SalessimError("scenarios: expected a mapping of name -> scenario, or a list of scenarios")
    out: dict[str, Scenario] = {}
    for label, src in items:
        sc = src if isinstance(src, Scenario) else load_scenario(src)
        if label is None:
            label = sc.name if sc.name not in out else _unique(sc.name, src, out)
        out[label] = sc
    if len(out) < 1:
        raise SalessimError("scenarios: give at least one scenario")
    return out


def _unique(name: str, src: Any, taken: Mapping[str, Any]) -> str:
    label = Path(src).stem if isinstance(src, str | Path) else name
    i = 2
    while label in taken:
        label, i = f"{name} ({i})", i + 1
    return label


@dataclass(frozen=True)
class Replications:
    """What :func:`replicate` computed: replication ``i`` of every scenario ran with the same
    seed (common random numbers unless switched off).

    ``kpis``/``runs`` as in :class:`Comparison`; ``measures``: each per-run measure table of
    every run, with ``scenario`` and ``replication`` columns first; ``results``: the whole
    results by scenario (replication order), only with ``keep_results``.
    """

    kpis: pd.DataFrame
    runs: pd.DataFrame
    measures: dict[str, pd.DataFrame]
    results: dict[str, list[SimResult]] | None = None
    store: Path | None = None
    experiment: str | None = None
    common_random_numbers: bool = True

    @property
    def scenarios(self) -> list[str]:
        return list(self.kpis["scenario"].cat.categories)

    def comparison(self, baseline: str | None = None) -> Comparison:
        """The KPIs as a :class:`Comparison` (``baseline`` defaults to the first scenario)."""
        if baseline is not None and baseline not in self.scenarios:
            raise SalessimError(f"baseline: {baseline!r} is not one of the scenarios ({', '.join(self.scenarios)})")
        return Comparison(kpis=self.kpis, baseline=baseline or self.scenarios[0], runs=self.runs, store=self.store,
                          experiment=self.experiment, common_random_numbers=self.common_random_numbers)


def replicate(
    scenarios: Mapping[str, ScenarioLike] | Sequence[ScenarioLike],
    replications: int = 30,
    seed: int | np.random.SeedSequence | None = None,
    executor: Any = None,
    *,
    store: Store | str | Path | None = None,
    tables: Sequence[str] = DEFAULT_TABLES,
    progress: bool = True,
    common_random_numbers: bool = True,
    experiment: str | None = None,
    on_run: Callable[[RunRecord], None] | None = None,
    measures: Measures | None = None,
    keep_results: bool = False,
    desc: str = "replicate",
) -> Replications:
    """Run every scenario ``replications`` times (replication ``i`` seeded ``seed_sequence(seed, i)``).

    ``measures``: extra per-run tables (name -> function of a run's result), computed where the
    run is, stored in its folder and reused on resume. ``keep_results``: also send back every
    run's whole result (memory: one full result per run; stored runs are recomputed). Other
    arguments as in :func:`compare`.
    """
    labelled = _labelled(scenarios)
    first = next(iter(labelled.values()))
    seed = first.seed if seed is None else seed
    specs = run_specs(labelled, replications, seed, common_random_numbers, code_version())
    kpis, runs, exp, records = run_experiment(
        specs, executor=executor, store=store, tables=tables, progress=progress, on_run=on_run,
        experiment=experiment, desc=desc, measures=measures, keep_results=keep_results)
    tables_of = {name: pd.concat([records[s.run_id].measures[name].assign(scenario=s.label, replication=s.replication)
                                  for s in specs], ignore_index=True)
                 for name in (measures or {})}
    for name, df in tables_of.items():
        tables_of[name] = df[["scenario", "replication", *[c for c in df.columns if c not in ("scenario", "replication")]]]
    results = None
    if keep_results:
        results = {label: [records[s.run_id].result for s in specs if s.label == label] for label in labelled}
    return Replications(kpis, runs, tables_of, results, _root(store), exp, common_random_numbers)


def compare(
    scenarios: Mapping[str, ScenarioLike] | Sequence[ScenarioLike],
    replications: int = 30,
    seed: int | np.random.SeedSequence | None = None,
    baseline: str | None = None,
    executor: Any = None,
    *,
    store: Store | str | Path | None = None,
    tables: Sequence[str] = DEFAULT_TABLES,
    progress: bool = True,
    common_random_numbers: bool = True,
    experiment: str | None = None,
    on_run: Callable[[RunRecord], None] | None = None,
) -> Comparison:
    """Run every scenario ``replications`` times with common random numbers and compare them.

    ``scenarios``: ``{"name": scenario}`` (a Scenario, a YAML path or a mapping) or a list
    (labelled by scenario name). ``seed`` defaults to the first scenario's seed; replication
    ``i`` of every scenario uses ``seed_sequence(seed, i)``. ``baseline`` defaults to the first
    scenario. ``executor``: ``None``/``"processes"`` (all cores), ``"serial"``, a number of
    worker processes, an :class:`~salessim.experiments.executors.Executor`, a Dask ``Client``
    or a scheduler address. ``store``: a folder (or :class:`Store`) where every run is saved and
    catalogued; runs already there are not recomputed. ``progress=False`` silences the bar.
    ``on_run`` is called with each freshly computed :class:`RunRecord`.
    """
    labelled = _labelled(scenarios)
    first = next(iter(labelled.values()))
    seed = first.seed if seed is None else seed
    if baseline is not None and baseline not in labelled:
        raise SalessimError(f"baseline: {baseline!r} is not one of the scenarios ({', '.join(labelled)})")
    reps = replicate(labelled, replications, seed, executor, store=store, tables=tables, progress=progress,
                     common_random_numbers=common_random_numbers, experiment=experiment, on_run=on_run,
                     desc="compare")
    return reps.comparison(baseline)


def sweep(
    scenario: ScenarioLike,
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    replications: int = 30,
    seed: int | np.random.SeedSequence | None = None,
    baseline: str | None = None,
    executor: Any = None,
    *,
    store: Store | str | Path | None = None,
    tables: Sequence[str] = DEFAULT_TABLES,
    progress: bool = True,
    experiment: str | None = None,
    on_run: Callable[[RunRecord], None] | None = None,
) -> Comparison:
    """Run a scenario at every point of ``grid`` (dotted override paths -> lists of values).

    ``grid={"org.weekly_hours": [30, 35], "org.reps": [80, 100]}`` runs the 4 combinations;
    a list of mappings gives explicit points. Every path and value is validated before anything
    runs (an unknown path is a :class:`SalessimError`). Scenario labels read like
    ``weekly_hours=30, reps=80``; ``Comparison.design`` maps them to the parameter values. The
    baseline defaults to the first point. Other arguments as in :func:`compare`.
    """
    variants, points = sweep_scenarios(scenario, grid)
    base = next(iter(variants.values()))
    seed = base.seed if seed is None else seed
    if baseline is not None and baseline not in variants:
        raise SalessimError(f"baseline: {baseline!r} is not a grid point ({', '.join(variants)})")
    specs = run_specs(variants, replications, seed, True, code_version())
    params = dict(zip(variants, points, strict=True))
    kpis, runs, exp, _ = run_experiment(
        specs, executor=executor, store=store, tables=tables, progress=progress, on_run=on_run,
        experiment=experiment, params=params, desc="sweep")
    design = pd.DataFrame([{"scenario": label, **point} for label, point in params.items()])
    design["scenario"] = pd.Categorical(design["scenario"], categories=list(variants))
    return Comparison(kpis=kpis, baseline=baseline or next(iter(variants)), runs=runs, design=design,
                      store=_root(store), experiment=exp)


def _root(store: Store | str | Path | None) -> Path | None:
    if store is None:
        return None
    return store.root if isinstance(store, Store) else Path(store)
