"""The search space of the plan optimiser: free parameters of a plan template and how a point of
the space resolves to an ordinary scenario (with an ordinary comp plan a user can run and pay from).

Parameters are written two ways, both with the sweep's override paths
(:func:`salessim.experiments.grid.check_path`: dotted, list items by name or index):

* a ``search:`` block of the search file: ``plan.components.commission.rate: [2%, 12%]``
  (a range), ``plan.caps.year: {choice: [150000, null]}`` (with or without a cap),
  ``plan.components.quarterly bonus: {include: [true, false]}`` (a component on or off);
* inline markers in a plan template: ``rate: {search: [2%, 12%]}`` anywhere in the plan.

A range may say ``step:`` (a grid), ``log: true`` and ``also: [paths]`` (more fields that take
the same value, e.g. a tier's ``to`` and the next tier's ``from``). Percentages are fractions
(``12%`` = 0.12); money in the scenario's currency.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salessim.errors import SalessimError
from salessim.experiments.grid import check_path
from salessim.inputs import read_mapping
from salessim.scenario import Scenario, load_scenario


class SearchError(SalessimError):
    """A search file or template that cannot be used (names the parameter and the reason)."""


@dataclass(frozen=True)
class Parameter:
    """One free parameter. ``kind``: ``"range"`` (``low``..``high``, optional ``step``, ``log``),
    ``"choice"`` (one of ``choices``) or ``"include"`` (the component at ``path`` is kept or
    removed; ``choices`` are booleans). ``paths``: the canonical scenario paths it sets."""

    name: str
    kind: str
    paths: tuple[str, ...]
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()
    integer: bool = False

    def describe(self) -> str:
        if self.kind == "range":
            grid = f" step {self.step:g}" if self.step else (" log" if self.log else "")
            return f"{self.low:g} .. {self.high:g}{grid}"
        return " | ".join("null" if c is None else str(c) for c in self.choices)


@dataclass(frozen=True)
class SearchSpace:
    """Free parameters over a base scenario (today's scenario, with the template plan if one is
    given). ``today`` is the scenario as the user runs it now: the reference of every comparison."""

    base: Scenario
    today: Scenario
    parameters: tuple[Parameter, ...]

    def names(self) -> list[str]:
        return [p.name for p in self.parameters]

    def resolve(self, point: Mapping[str, Any], name: str | None = None) -> Scenario:
        """The scenario of one point (parameter name -> value); :class:`SearchError` if the
        resulting plan is invalid (e.g. tier breaks out of order)."""
        data = self.base.to_dict()
        for comp in (data.get("plan") or {}).get("components", []):
            if comp.get("rate") is not None:  # a flat rate is dumped with its one tier too
                comp["tiers"] = []
        removed: list[str] = []
        for p in self.parameters:
            value = point[p.name]
            if p.kind == "include":
                if not value:
                    removed.append(p.paths[0])
                continue
            for path in p.paths:
                _set(data, path, value)
        for path in sorted(removed, key=lambda s: [int(x) if x.isdigit() else x for x in s.split(".")], reverse=True):
            *parent, index = path.split(".")
            _get(data, ".".join(parent)).pop(int(index))
        if name is not None:
            data["name"] = name
        try:
            return load_scenario(data)
        except SalessimError as e:
            raise SearchError(f"point {dict(point)}: {e}") from None

    def today_point(self) -> dict[str, Any] | None:
        """Today's plan as a point of the space, when the space contains it (no template, every
        value inside its range, on its step, or among its choices); else ``None``."""
        if self.base is not self.today:
            return None
        data = self.today.to_dict()
        point: dict[str, Any] = {}
        for p in self.parameters:
            if p.kind == "include":
                if True not in p.choices:
                    return None
                point[p.name] = True
                continue
            value = _get(data, p.paths[0])
            if p.kind == "choice":
                if value not in p.choices:
                    return None
                point[p.name] = next(c for c in p.choices if c == value)
                continue
            if not isinstance(value, int | float) or not p.low - 1e-12 <= value <= p.high + 1e-12:
                return None
            if p.step and abs((value - p.low) / p.step - round((value - p.low) / p.step)) > 1e-9:
                return None
            point[p.name] = int(value) if p.integer else float(value)
        return point

    def key(self, point: Mapping[str, Any]) -> str:
        """A short stable hash of a point (identical candidates share it)."""
        return hashlib.sha256(json.dumps({k: point[k] for k in self.names()}, sort_keys=True, default=str).encode()).hexdigest()[:10]


def number(value: Any, where: str) -> float:
    """``"12%"`` -> 0.12; numbers pass through; anything else is a :class:`SearchError`."""
    if isinstance(value, bool):
        raise SearchError(f"{where}: expected a number, got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace(" ", "").replace("_", "").replace(",", "")
        try:
            return float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
        except ValueError:
            pass
    raise SearchError(f"{where}: expected a number or a percentage, got {value!r}")


def parameter(name: str, spec: Any, scenario: Scenario) -> Parameter:
    """One parameter from its search-file spec: ``[low, high]``, ``{search|range: [low, high],
    step, log, also}``, ``{choice: [...]}`` or ``{include: [true, false]}``."""
    where = f"search: {name}"
    path = check_path(scenario, name)
    if isinstance(spec, list):
        spec = {"range": spec}
    if not isinstance(spec, Mapping):
        raise SearchError(f"{where}: expected [low, high], {{choice: [...]}} or {{include: [true, false]}}, got {spec!r}")
    spec = dict(spec)
    unknown = set(spec) - {"range", "search", "choice", "include", "step", "log", "also"}
    if unknown:
        raise SearchError(f"{where}: unknown key {sorted(unknown)[0]!r} (range, choice, include, step, log, also)")
    also = tuple(check_path(scenario, a) for a in spec.get("also", []))
    if "include" in spec:
        parts = path.split(".")
        if len(parts) != 3 or parts[:2] != ["plan", "components"]:
            raise SearchError(f"{where}: include: applies to a plan component (plan.components.<name>)")
        choices = tuple(bool(c) for c in spec["include"])
        if not choices:
            raise SearchError(f"{where}: include: give [true, false]")
        return Parameter(name, "include", (path,), choices=choices)
    if "choice" in spec:
        choices = tuple(spec["choice"])
        if len(choices) < 2:
            raise SearchError(f"{where}: choice: give at least two values")
        return Parameter(name, "choice", (path, *also), choices=choices)
    bounds = spec.get("range", spec.get("search"))
    if not isinstance(bounds, list) or len(bounds) != 2:
        raise SearchError(f"{where}: a range is [low, high], got {bounds!r}")
    low, high = (number(b, where) for b in bounds)
    if not low < high:
        raise SearchError(f"{where}: low {low:g} must be below high {high:g}")
    step = number(spec["step"], f"{where}: step") if "step" in spec else None
    log = bool(spec.get("log", False))
    if log and (low <= 0 or step is not None):
        raise SearchError(f"{where}: log: needs low > 0 and no step")
    integer = all(isinstance(b, int) and not isinstance(b, bool) for b in bounds) and (step is None or float(step).is_integer())
    return Parameter(name, "range", (path, *also), low, high, step, log, integer=integer)


def template_markers(plan: Any, prefix: str = "plan") -> tuple[dict[str, Any], dict[str, Any]]:
    """Inline ``{search: ...}`` markers of a plan template: (plan with each marker replaced by
    its range's midpoint or first choice, {path: spec}). List items are named when they have a
    ``name``."""
    specs: dict[str, Any] = {}

    def walk(node: Any, path: str) -> Any:
        if isinstance(node, dict):
            if "search" in node and set(node) <= {"search", "step", "log", "also"}:
                specs[path] = node
                bounds = node["search"]
                return (number(bounds[0], path) + number(bounds[1], path)) / 2 if isinstance(bounds, list) and len(bounds) == 2 else bounds
            if "choice" in node and set(node) == {"choice"}:
                specs[path] = node
                return node["choice"][0]
            return {k: walk(v, f"{path}.{k}") for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, f"{path}.{v['name'] if isinstance(v, dict) and 'name' in v else i}") for i, v in enumerate(node)]
        return node

    return walk(plan, prefix), specs


def load_search(search: str | Path | Mapping[str, Any], scenario: Scenario | str | Path) -> tuple[SearchSpace, dict[str, Any]]:
    """The search space of a search file (or mapping) over ``scenario``; also returns the file's
    other settings (objective, constraints, replications...) as written."""
    today = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    base_dir = Path.cwd()
    if isinstance(search, str | Path):
        base_dir = Path(search).resolve().parent
        spec = read_mapping(Path(search), SearchError, "search settings")
    else:
        spec = dict(search)
    spec = dict(spec)
    template = spec.pop("template", None)
    specs: dict[str, Any] = dict(spec.pop("search", None) or {})
    base = today
    if template is not None:
        if isinstance(template, str):
            path = base_dir / template
            template = read_mapping(path, SearchError, "plan fields")
        plan, inline = template_markers(template)
        base = load_scenario(today, plan=plan)
        specs = inline | specs
    if not specs:
        raise SearchError("search: no free parameter: add a search: block or {search: [low, high]} markers in the template")
    params = tuple(parameter(name, s, base) for name, s in specs.items())
    canon = [p for par in params for p in par.paths]
    if len(set(canon)) != len(canon):
        raise SearchError("search: two parameters set the same field")
    return SearchSpace(base, today, params), spec


def _get(data: Any, path: str) -> Any:
    node = data
    for part in path.split(".") if path else []:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _set(data: Any, path: str, value: Any) -> None:
    *parent, last = path.split(".")
    node = _get(data, ".".join(parent))
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
