"""``salessim compare A.yaml B.yaml ... --replications N --out DIR``: replicate scenarios with
common random numbers, print means and paired differences to the baseline with CIs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from salessim.errors import SalessimError
from salessim.text_files import CSV_ENCODING
from salessim.ui.commands import count, level, natural


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="compare scenarios over replications (paired CIs)")
    p.add_argument("scenarios", type=Path, nargs="+", help="scenario YAML files (the first is the baseline)")
    add_experiment_options(p)
    p.add_argument("--independent", action="store_true",
                   help="independent random streams per scenario (to see what common random numbers buy)")
    p.set_defaults(func=run)


def add_run_options(p: argparse.ArgumentParser, replications: int = 30, store_flags: tuple[str, ...] = ("--out", "--store")) -> None:
    """Options of every replicated study (``compare``, ``sweep``, ``stress``, ``roi``): replications,
    seed, results store, experiment name, workers or Dask scheduler, confidence level, progress."""
    p.add_argument("--replications", "-n", type=count, default=replications,
                   help=f"replications per scenario (default {replications})")
    p.add_argument("--seed", type=natural, default=None, help="root seed (default: the first scenario's)")
    p.add_argument(*store_flags, dest="store", type=Path, default=None,
                   help="results store folder: run tables (Parquet), catalogue.duckdb; "
                        "rerunning with the same folder skips finished runs")
    p.add_argument("--experiment", default=None, help="name of this experiment in the catalogue")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--workers", "-j", type=count, default=None, help="worker processes (default: all cores; 1 = serial)")
    how.add_argument("--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://host:8786")
    p.add_argument("--level", type=level, default=None, help="confidence level (default 0.95)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def add_experiment_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``compare`` and ``sweep``."""
    add_run_options(p)
    p.add_argument("--baseline", default=None, help="scenario label to compare against (default: the first)")
    p.add_argument("--tables", default="kpis,ledger,reps",
                   help="run tables to store (kpis, ledger, reps, deals, accounts, statements, customers, "
                        "customer_events; default kpis,ledger,reps)")
    p.add_argument("--kpi", action="append", default=None, metavar="NAME",
                   help="only show this KPI (repeatable; default: all)")
    p.add_argument("--method", choices=["t", "bootstrap"], default="t", help="CI method for differences")


def check_run_options(args: argparse.Namespace) -> None:
    """Bounds of :func:`add_run_options` that argparse types cannot know (the size limits)."""
    from salessim.inputs import over_limit

    message = over_limit("replications", args.replications)
    if message:
        raise SalessimError(f"--replications: {message}")
    if args.store is not None and args.store.exists() and not args.store.is_dir():
        raise SalessimError(f"{args.store}: is a file (give a folder for the results store)")


def run_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The runner arguments of :func:`add_run_options`: seed, executor, store, progress, experiment."""
    executor: Any = args.scheduler if args.scheduler else args.workers
    if args.scheduler and "://" not in args.scheduler:
        executor = f"tcp://{args.scheduler}"
    return {"seed": args.seed, "executor": executor, "store": args.store, "progress": not args.quiet,
            "experiment": args.experiment}


def experiment_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    tables = [t.strip() for t in args.tables.split(",") if t.strip()]
    return {"replications": args.replications, "baseline": args.baseline, "tables": tables, **run_kwargs(args)}


def report(comparison: Any, args: argparse.Namespace) -> None:
    """Write summary.csv into the store, then print the summary table (an unknown ``--kpi`` is
    reported after the results are saved: rerunning with the same ``--out`` is instant)."""
    from salessim.ui.formatting import text_table
    from salessim.ui.tables import comparison_frame

    note = ""
    summary = comparison.summary(level=args.level, method=args.method)
    if args.store:
        summary.to_csv(args.store / "summary.csv", index=False, encoding=CSV_ENCODING)
        note = f"{store_note(args.store, comparison.experiment, comparison.runs)}; summary in {args.store / 'summary.csv'}"
    if args.kpi:
        comparison.summary(level=args.level, method=args.method, kpis=args.kpi)  # an unknown KPI is an error
    dice = "common random numbers" if comparison.common_random_numbers else "independent random streams"
    print(f"{comparison.replications} replications, {dice}; differences are paired to {comparison.baseline} "
          "(same replication); * = the interval excludes 0")
    print(text_table(grouped(comparison_frame(summary, _currency(summary), args.kpi, args.level), summary,
                             comparison.baseline)))
    if note:
        print(note)


def grouped(frame: Any, summary: Any, baseline: str) -> Any:
    """A :func:`~salessim.ui.tables.comparison_frame` with one heading row per KPI (``revenue
    (USD)``) and the scenarios indented under it, the baseline marked."""
    import pandas as pd

    units = summary.drop_duplicates("kpi").set_index("kpi")["unit"]
    cols = list(frame.columns)
    rows = []
    for kpi, g in frame.groupby(cols[0], sort=False):
        rows.append({"": f"{kpi} ({units.get(kpi, '')})", cols[2]: "", cols[3]: ""})
        for r in g.to_dict("records"):
            name = r[cols[1]] + (" (baseline)" if r[cols[1]] == baseline else "")
            rows.append({"": f"  {name}", cols[2]: r[cols[2]], cols[3]: r[cols[3]]})
    return pd.DataFrame(rows, columns=["", cols[2], cols[3]])


def _currency(summary: Any) -> str:
    """The scenarios' currency: the unit of revenue."""
    rev = summary.loc[summary["kpi"] == "revenue", "unit"]
    return str(rev.iloc[0]) if len(rev) else "USD"


def store_note(store: Path, experiment: str | None, runs: Any) -> str:
    """``store: DIR/ (experiment NAME; N runs computed, M reused)``."""
    cached = int(runs["cached"].sum())
    return f"store: {store}/ (experiment {experiment}; {len(runs) - cached} runs computed, {cached} reused)"


def run(args: argparse.Namespace) -> int:
    from salessim.experiments import compare

    check_run_options(args)
    comparison = compare([str(p) for p in args.scenarios], common_random_numbers=not args.independent,
                         **experiment_kwargs(args))
    report(comparison, args)
    return 0
