"""``salessim optimise SCENARIO.yaml SEARCH.yaml --budget 200 --out DIR``: search a plan template
for the best plan under constraints (see docs/optimiser.md and data/search/).

Writes into ``--out``: ``recommended_plan.yaml`` (a plan to run and pay from), ``summary.txt``
(the recommendation), ``pareto.png``, and the tables ``candidates``, ``pareto``, ``trials``,
``comparison`` (recommended vs today, paired CIs on every KPI), ``sensitivity``, ``reps``
(winners and losers) and ``simulations`` as CSV.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from salessim.text_files import CSV_ENCODING


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("optimise", help="search a plan template for the best plan under constraints")
    p.add_argument("scenario", type=Path, help="scenario YAML file (its plan is 'today')")
    p.add_argument("search", type=Path, help="search file: free parameters, objective, constraints")
    p.add_argument("--budget", type=int, default=200, help="simulations to spend (candidate x replication; default 200)")
    p.add_argument("--out", type=Path, default=Path("reports/optimise"), help="output folder (default reports/optimise)")
    p.add_argument("--store", type=Path, default=None, help="results store folder: saves every run; a rerun resumes")
    p.add_argument("--workers", default=None, help="'serial', a number of processes (default: all cores)")
    p.add_argument("--seed", type=int, default=None, help="root seed (default: the scenario's)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def write_outputs(result: Any, out: str | Path) -> dict[str, Path]:
    """Write an :class:`~salessim.experiments.optimise.OptimisationResult`'s plan, summary,
    tables and chart into ``out``; returns the files by name."""
    import matplotlib.pyplot as plt

    from salessim.ui.charts.optimiser import pareto_chart

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = {"plan": out / "recommended_plan.yaml", "summary": out / "summary.txt", "chart": out / "pareto.png"}
    files["plan"].write_text(result.plan_yaml(), encoding="utf-8")
    files["summary"].write_text(result.headline() + "\n", encoding="utf-8")
    tables = {"candidates": result.candidates, "pareto": result.pareto, "trials": result.trials,
              "comparison": result.kpi_table(), "sensitivity": result.sensitivity, "reps": result.reps,
              "simulations": pd.DataFrame(list(result.simulations.items()), columns=["what", "runs"])}
    for name, df in tables.items():
        files[name] = out / f"{name}.csv"
        df.to_csv(files[name], index=False, encoding=CSV_ENCODING)
    fig = pareto_chart(result.candidates, result.recommended.currency)
    fig.savefig(files["chart"], dpi=120, bbox_inches="tight")
    plt.close(fig)
    return files


def run(args: argparse.Namespace) -> int:
    import matplotlib

    from salessim.experiments.optimise import optimise

    matplotlib.use("Agg")  # files only, no window

    workers: Any = args.workers
    if isinstance(workers, str) and workers.isdigit():
        workers = int(workers)
    result = optimise(str(args.scenario), str(args.search), args.budget, seed=args.seed, executor=workers,
                      store=args.store, progress=not args.no_progress)
    files = write_outputs(result, args.out)
    print(result.headline())
    print(f"\nrecommended plan: {files['plan']}\nreport files: {args.out}/")
    return 0
