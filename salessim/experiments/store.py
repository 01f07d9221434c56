"""The results store: one folder per run, Parquet tables, and a DuckDB catalogue.

Layout of a store folder::

    catalogue.duckdb          runs, kpis and experiments tables (query with Store.sql)
    runs/<run_id>/            scenario.yaml, meta.json, kpis.parquet, ledger.parquet, ...
    tmp/                      runs being written (never read)

A run is written into ``tmp/`` and renamed into ``runs/`` when complete (an atomic rename on
one file system), so a folder under ``runs/`` is always whole. ``run_id`` is a hash of the
resolved scenario, the seed and the package version: a rerun of an interrupted sweep finds the
finished runs and computes only the rest. The catalogue is written by the coordinating process
only; on opening, finished run folders missing from it (a crash between the rename and the
catalogue write) are added, and leftovers in ``tmp/`` are deleted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from salessim.errors import SalessimError

#: Tables of a run that can be stored; ``kpis`` is always stored.
TABLES = ("kpis", "ledger", "reps", "deals", "accounts", "statements", "customers", "customer_events")
DEFAULT_TABLES = ("kpis", "ledger", "reps")

_SCHEMA = """
create table if not exists runs (
    run_id varchar primary key, scenario varchar, replication integer, seed varchar,
    spawn_key varchar, version varchar, path varchar, sim_seconds double, finished_at timestamp);
create table if not exists kpis (
    run_id varchar, kpi_order integer, kpi varchar, value double, unit varchar,
    primary key (run_id, kpi_order));
create table if not exists experiments (
    experiment varchar, label varchar, replication integer, run_id varchar, params varchar,
    primary key (experiment, label, replication));
"""


@dataclass(frozen=True)
class RunRecord:
    """What a worker reports back for one run (small, cheap to send between processes)."""

    run_id: str
    label: str
    replication: int
    kpi: tuple[str, ...]
    value: tuple[float, ...]
    unit: tuple[str, ...]
    meta: dict[str, Any]
    cached: bool = False
    tables: dict[str, pd.DataFrame] | None = None  # sent back when workers cannot see the store
    measures: dict[str, pd.DataFrame] | None = None  # the experiment's per-run measures, by name
    result: Any = None  # the whole SimResult, when the caller keeps results in memory


def write_run(root: Path, run_id: str, tables: dict[str, pd.DataFrame | None], scenario_yaml: str, meta: dict[str, Any]) -> Path:
    """Write one run's folder atomically: into ``tmp/``, then rename into ``runs/``. If the run's
    folder exists, only the tables it lacks are added (each file atomically)."""
    final = root / "runs" / run_id
    if final.exists():
        for name, df in tables.items():
            target = final / f"{name}.parquet"
            if df is not None and not target.exists():
                part = root / "tmp" / f"{run_id}-{name}-{uuid.uuid4().hex[:8]}.parquet"
                _to_parquet(df, part, run_id)
                os.replace(part, target)
        return final
    tmp = root / "tmp" / f"{run_id}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    try:
        for name, df in tables.items():
            if df is not None:  # e.g. no statements without a comp plan
                _to_parquet(df, tmp / f"{name}.parquet", run_id)
        (tmp / "scenario.yaml").write_text(scenario_yaml, encoding="utf-8")
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        try:
            os.rename(tmp, final)
        except OSError:  # another worker finished the same run first: keep its folder
            if not final.exists():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def _to_parquet(df: pd.DataFrame, path: Path, run_id: str) -> None:
    """One table as Parquet (months as first-day timestamps). The run id is the folder name;
    the catalogue's views add it as a column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    periods = [c for c in df.columns if isinstance(df[c].dtype, pd.PeriodDtype)]
    if periods:
        df = df.assign(**{c: df[c].dt.to_timestamp() for c in periods})
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path)


def scenario_yaml(scenario: Any) -> str:
    """The resolved scenario as YAML (libyaml's C emitter when available: ~20x faster)."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(scenario.to_dict(), Dumper=dumper, sort_keys=False, allow_unicode=True)


class Store:
    """A results store folder (created if missing). Holds the catalogue open until :meth:`close`.

    DuckDB allows one writing process per catalogue: a second sweep on the same store fails
    with a clear error instead of corrupting it.
    """

    def __init__(self, root: str | Path) -> None:
        import duckdb

        self.root = Path(root)
        for sub in ("runs", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.root / "catalogue.duckdb"))
        except duckdb.IOException as e:
            raise SalessimError(f"{self.root}: catalogue is in use by another process ({e})") from None
        self.con.execute(_SCHEMA)
        self._clear_tmp()
        self.sync()

    # ------------------------------------------------------------------ writing
    def _clear_tmp(self) -> None:
        for leftover in (self.root / "tmp").iterdir():
            shutil.rmtree(leftover, ignore_errors=True)

    def sync(self) -> None:
        """Catalogue finished run folders that the catalogue does not list yet (a run whose
        folder was renamed into place just before an interruption)."""
        known = set(self.con.execute("select run_id from runs").df()["run_id"])
        missing = [p for p in (self.root / "runs").iterdir() if p.is_dir() and p.name not in known]
        records = []
        for path in missing:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            k = pd.read_parquet(path / "kpis.parquet")
            records.append(RunRecord(path.name, meta["scenario"], meta["replication"], tuple(k["kpi"]),
                                     tuple(k["value"]), tuple(k["unit"]), meta))
        self.add_runs(records)

    def add_runs(self, records: Iterable[RunRecord]) -> None:
        """Catalogue finished runs (each once: already catalogued runs are skipped)."""
        records = [r for r in records if not r.cached]
        if not records:
            return
        runs = pd.DataFrame({
            "run_id": [r.run_id for r in records],
            "scenario": [r.meta["scenario"] for r in records],
            "replication": [r.replication for r in records],
            "seed": [str(r.meta["seed"]) for r in records],
            "spawn_key": [json.dumps(r.meta["spawn_key"]) for r in records],
            "version": [r.meta["version"] for r in records],
            "path": [f"runs/{r.run_id}" for r in records],
            "sim_seconds": [r.meta["sim_seconds"] for r in records],
            "finished_at": [pd.Timestamp(r.meta["finished_at"]) for r in records],
        })
        kpis = pd.DataFrame({
            "run_id": [r.run_id for r in records for _ in r.kpi],
            "kpi_order": [i for r in records for i in range(len(r.kpi))],
            "kpi": [k for r in records for k in r.kpi],
            "value": [v for r in records for v in r.value],
            "unit": [u for r in records for u in r.unit],
        })
        self.con.execute("begin transaction")
        try:
            self.con.register("new_runs", runs)
            self.con.register("new_kpis", kpis)
            self.con.execute("insert into runs select * from new_runs where run_id not in (select run_id from runs)")
            self.con.execute("insert into kpis select * from new_kpis where run_id not in (select run_id from kpis)")
            self.con.execute("commit")
        except Exception:
            self.con.execute("rollback")
            raise
        finally:
            self.con.unregister("new_runs")
            self.con.unregister("new_kpis")

    def add_experiment(self, experiment: str, members: pd.DataFrame) -> None:
        """Record which runs make up an experiment (columns: label, replication, run_id, params)."""
        df = members[["label", "replication", "run_id", "params"]].copy()
        df.insert(0, "experiment", experiment)
        self.con.register("new_members", df)
        try:
            self.con.execute("insert or replace into experiments select * from new_members")
        finally:
            self.con.unregister("new_members")

    # ------------------------------------------------------------------ reading
    def finished(self, run_ids: Iterable[str], measures: Iterable[str] = ()) -> set[str]:
        """The run ids among ``run_ids`` that are complete in the store, with every table named
        in ``measures``."""
        need = [f"{m}.parquet" for m in measures]
        return {r for r in run_ids
                if (self.root / "runs" / r).is_dir() and all((self.root / "runs" / r / f).exists() for f in need)}

    def cached_records(self, specs: Iterable[Any], measures: Iterable[str] = ()) -> list[RunRecord]:
        """KPI records of finished runs, from the catalogue (one query), with the tables named in
        ``measures`` read from the run folders."""
        measures = tuple(measures)
        specs = list(specs)
        if not specs:
            return []
        ids = pd.DataFrame({"run_id": sorted({s.run_id for s in specs})})
        self.con.register("wanted", ids)
        try:
            k = self.con.execute(
                "select k.* from kpis k join wanted w using (run_id) order by run_id, kpi_order").df()
            secs = self.con.execute(
                "select run_id, sim_seconds from runs join wanted using (run_id)").df()
        finally:
            self.con.unregister("wanted")
        groups = {rid: g for rid, g in k.groupby("run_id", sort=False)}
        sim = dict(zip(secs["run_id"], secs["sim_seconds"], strict=True))
        out = []
        for s in specs:
            g = groups[s.run_id]
            out.append(RunRecord(s.run_id, s.label, s.replication, tuple(g["kpi"]),
                                 tuple(g["value"].astype(float)), tuple(g["unit"]),
                                 {"sim_seconds": sim.get(s.run_id, float("nan"))}, cached=True,
                                 measures={m: pd.read_parquet(self.root / "runs" / s.run_id / f"{m}.parquet")
                                           for m in measures}))
        return out

    def sql(self, query: str, *params: Any) -> pd.DataFrame:
        """Run SQL on the catalogue; returns a DataFrame.

        Tables: ``runs``, ``kpis``, ``experiments``; views ``results`` (experiment, label,
        replication, kpi, value, unit, run_id, params) and one per stored run table (``ledger``,
        ``reps``, ``deals``, ``statements``...) over every run's Parquet file, with ``run_id``.
        """
        self._views()
        return self.con.execute(query, list(params) if params else None).df()

    def _views(self) -> None:
        self.con.execute(
            "create or replace temp view results as select e.experiment, e.label, e.replication, "
            "k.kpi, k.value, k.unit, e.run_id, e.params from experiments e "
            "join kpis k using (run_id) order by e.experiment, e.label, e.replication, k.kpi_order")
        for table in TABLES[1:]:
            pattern = (self.root / "runs" / "*" / f"{table}.parquet").as_posix().replace("'", "''")
            if next((self.root / "runs").glob(f"*/{table}.parquet"), None) is not None:
                self.con.execute(
                    f"create or replace temp view {table} as select "
                    f"regexp_extract(filename, '/runs/([^/]+)/[^/]+$', 1) as run_id, * exclude (filename) "
                    f"from read_parquet('{pattern}', union_by_name = true, filename = true)")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
