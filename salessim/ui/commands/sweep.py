"""``salessim sweep SCENARIO.yaml --grid grid.yaml``: run a scenario over a grid of overrides.

``grid.yaml`` maps dotted scenario paths to lists of values (every combination runs)::

    org.weekly_hours: [30, 35, 40]
    org.reps: [80, 100]

or is a list of explicit points (``- {org.reps: 80, org.weekly_hours: 40}``).
``--param org.reps=80,100`` adds a path on the command line instead.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from salessim.errors import SalessimError
from salessim.ui.commands.compare import add_experiment_options, experiment_kwargs, report


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sweep", help="run a scenario over a grid of parameter values")
    p.add_argument("scenario", type=Path, help="base scenario YAML file")
    p.add_argument("--grid", type=Path, default=None, help="YAML file: path -> list of values")
    p.add_argument("--param", action="append", default=[], metavar="PATH=V1,V2,...",
                   help="a grid path and its values, e.g. --param org.weekly_hours=30,35 (repeatable)")
    add_experiment_options(p)
    p.set_defaults(func=run)


def read_grid(path: Path | None, params: list[str]) -> Any:
    """The grid from ``--grid`` and ``--param`` (values parsed as YAML scalars)."""
    from salessim.inputs import over_limit, parse_value, read_yaml

    grid: Any = {}
    if path is not None:
        grid = read_yaml(path)
        if not isinstance(grid, dict | list) or not grid:
            raise SalessimError(f"{path}: expected a mapping of path: [values] or a list of points")
    for item in params:
        if "=" not in item:
            raise SalessimError(f"--param {item}: expected PATH=V1,V2,...")
        if isinstance(grid, list):
            raise SalessimError(f"--param {item}: cannot combine with a grid file that lists points")
        key, values = item.split("=", 1)
        grid[key.strip()] = [parse_value(v, f"--param {key.strip()}") for v in values.split(",")]
    if not grid:
        raise SalessimError("sweep: give --grid FILE or at least one --param PATH=V1,V2")
    where = path or "--param"
    if isinstance(grid, dict):
        points = 1
        for key, values in grid.items():
            if not isinstance(values, list) or not values:
                raise SalessimError(f"{where}: {key}: expected a list of values, e.g. [30, 35, 40]")
            points *= len(values)
    else:
        points = len(grid)
    message = over_limit("grid_points", points)
    if message:
        raise SalessimError(f"{where}: (grid): {message}")
    return grid


def run(args: argparse.Namespace) -> int:
    from salessim.experiments import sweep
    from salessim.ui.commands.compare import check_run_options

    check_run_options(args)
    grid = read_grid(args.grid, args.param)
    try:
        comparison = sweep(str(args.scenario), grid, **experiment_kwargs(args))
    except SalessimError as e:  # name the grid file in grid errors
        if args.grid is not None and str(e).startswith("grid: "):
            raise SalessimError(f"{args.grid}: {str(e).removeprefix('grid: ')}") from None
        raise
    report(comparison, args)
    return 0
