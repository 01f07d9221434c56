"""Experiment design: sweep grids, override paths and the list of runs an experiment needs.

Pure functions, no simulation: a grid of dotted override paths expands to scenario variants, and
scenarios x replications expand to :class:`RunSpec` s, each with its own seed sequence and a
content hash (``run_id``) that the results store uses to skip finished runs.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from salessim.engine.streams import seed_sequence
from salessim.errors import SalessimError
from salessim.scenario import Scenario, load_scenario

Point = dict[str, Any]
"""One grid point: dotted override path -> value, e.g. ``{"org.weekly_hours": 30}``."""


def expand_grid(grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]) -> list[Point]:
    """All points of a sweep grid, in a stable order.

    A mapping ``{path: [values...]}`` gives the cartesian product; the first path varies slowest
    (``{"a": [1, 2], "b": [3, 4]}`` -> a=1,b=3; a=1,b=4; a=2,b=3; a=2,b=4). A list of mappings is
    taken as explicit points (for designs that are not a full product). Raises
    :class:`SalessimError` on an empty grid, a non-list value or a repeated point.
    """
    if isinstance(grid, Mapping):
        if not grid:
            raise SalessimError("grid: empty: give at least one path with a list of values")
        for path, values in grid.items():
            if not isinstance(path, str) or not path:
                raise SalessimError(f"grid: {path!r}: a path must be a dotted string like 'org.reps'")
            if isinstance(values, str | bytes) or not isinstance(values, Sequence):
                raise SalessimError(f"grid: {path}: expected a list of values, got {values!r}")
            if len(values) == 0:
                raise SalessimError(f"grid: {path}: empty list of values")
        keys = list(grid)
        points = [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*grid.values())]
    else:
        points = []
        for i, point in enumerate(grid):
            if not isinstance(point, Mapping) or not point:
                raise SalessimError(f"grid: point {i}: expected a non-empty mapping of path: value")
            points.append(dict(point))
        if not points:
            raise SalessimError("grid: empty: give at least one point")
    seen: set[str] = set()
    for point in points:
        key = json.dumps(point, sort_keys=True, default=str)
        if key in seen:
            raise SalessimError(f"grid: point {point} appears twice")
        seen.add(key)
    return points


def check_path(scenario: Scenario, path: str) -> str:
    """The canonical form of override ``path``; :class:`SalessimError` if it names no field.

    Paths are dotted (``org.weekly_hours``; ``__`` works as a dot). List items are picked by
    index or by name: ``funnel.stages.demo.conversion`` = ``funnel.stages.2.conversion``,
    ``plan.components.commission.rate``, ``market.segments.A.deal_size.median``; the canonical
    form uses indices (what ``load_scenario`` overrides accept). Every field of a validated
    scenario is present in its dump (defaults included, the comp plan inline), so a path is
    valid when it resolves there.
    """
    parts = path.replace("__", ".").split(".")
    if parts == ["seed"]:
        raise SalessimError("grid: seed: replications already vary the dice; use seed= for the root seed")
    node: Any = scenario.to_dict()
    canonical = []
    for i, part in enumerate(parts):
        here = ".".join(parts[: i + 1])
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, list) and (k := _named_item(node, part)) is not None:
            node, part = node[k], str(k)
        elif isinstance(node, list):
            names = [str(x["name"]) for x in node if isinstance(x, dict) and "name" in x]
            hint = f"names: {', '.join(names)}" if names else f"there are {len(node)}"
            raise SalessimError(f"grid: {path}: {here}: no such list item ({hint})")
        elif parts[0] == "plan" and node is None:
            raise SalessimError(f"grid: {path}: the scenario has no comp plan (plan: ...) to vary")
        else:
            options = ", ".join(sorted(node)) if isinstance(node, dict) else "none (it is a value)"
            raise SalessimError(f"grid: {path}: unknown field '{part}' (fields here: {options})")
        canonical.append(part)
    return ".".join(canonical)


def _named_item(items: list[Any], name: str) -> int | None:
    """Index of the list item whose ``name`` is ``name`` (stages, segments, plan components)."""
    hits = [i for i, x in enumerate(items) if isinstance(x, dict) and str(x.get("name")) == name]
    return hits[0] if len(hits) == 1 else None


def label_points(points: list[Point]) -> list[str]:
    """Short, unique scenario labels for grid points: ``weekly_hours=30, reps=80``.

    Uses each path's last part unless two paths share it (then the full path).
    """
    paths = list(dict.fromkeys(p for point in points for p in point))
    last = [p.replace("__", ".").split(".")[-1] for p in paths]
    short = {p: (s if last.count(s) == 1 else p) for p, s in zip(paths, last, strict=True)}
    labels = [", ".join(f"{short[k]}={_fmt(v)}" for k, v in point.items()) for point in points]
    if len(set(labels)) != len(labels):  # values that print alike, e.g. 1 and 1.0
        labels = [json.dumps(point, sort_keys=True, default=str) for point in points]
    return labels


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def sweep_scenarios(base: Scenario | str | Path | Mapping[str, Any], grid: Any) -> tuple[dict[str, Scenario], list[Point]]:
    """Scenario variants for every grid point, labelled; all paths and values checked up front."""
    scenario = base if isinstance(base, Scenario) else load_scenario(base)
    points = expand_grid(grid)
    canonical = {p: check_path(scenario, p) for point in points for p in point}
    labels = label_points(points)
    variants = {label: load_scenario(scenario, **{canonical[k]: v for k, v in point.items()})
                for label, point in zip(labels, points, strict=True)}
    return variants, points


@dataclass(frozen=True)
class RunSpec:
    """One simulation run of an experiment: a scenario variant and a replication."""

    label: str
    replication: int
    scenario: Scenario
    seed: np.random.SeedSequence
    run_id: str


def run_specs(
    scenarios: Mapping[str, Scenario],
    replications: int,
    seed: int | np.random.SeedSequence,
    common_random_numbers: bool = True,
    version: str = "",
) -> list[RunSpec]:
    """Runs for every scenario and replication, scenario-major.

    With common random numbers, replication ``i`` of every scenario uses
    ``seed_sequence(seed, i)``: the engine spawns one stream per purpose from it, so arrivals,
    deal dice and rep skills are the same across scenarios. Without (for checking what CRN buys),
    scenario ``k`` gets the independent child ``seed_sequence(seed_sequence(seed, i), k)``.
    """
    if not isinstance(replications, int | np.integer) or replications < 1:
        raise SalessimError(f"replications: must be a whole number >= 1, got {replications!r}")
    specs = []
    for k, (label, sc) in enumerate(scenarios.items()):
        body = json.dumps(sc.to_dict(), sort_keys=True)
        for i in range(int(replications)):
            ss = seed_sequence(seed, i)
            if not common_random_numbers:
                ss = seed_sequence(ss, k)
            specs.append(RunSpec(label, i, sc, ss, run_id(body, ss, version)))
    return specs


@functools.cache
def code_version() -> str:
    """``<package version>+<hash of salessim's source files>``: a store never reuses runs made
    by other code, even while the package version number stays the same during development."""
    from salessim.errors import __version__

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"


def run_id(scenario_json: str, seed: np.random.SeedSequence, version: str) -> str:
    """Content hash of everything a run depends on (resolved scenario, seed, package version)."""
    h = hashlib.sha256()
    for part in (scenario_json, str(seed.entropy), repr(tuple(seed.spawn_key)), version):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:20]
