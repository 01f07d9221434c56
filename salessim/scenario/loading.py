"""Loading scenarios: a YAML file (``base:`` inheritance, plan paths relative to the file), a
mapping or an existing scenario, plus dotted-path overrides."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from salessim.errors import ScenarioError
from salessim.inputs import format_validation_error, read_mapping
from salessim.scenario import events as _events
from salessim.scenario.schema import Scenario


def _set_path(data: dict[str, Any], path: str, value: Any, source: str) -> None:
    """Set a dotted path (``org.reps``, ``funnel.stages.0.conversion``) in nested data."""
    parts = path.replace("__", ".").split(".")
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        here = ".".join(parts[: i + 1])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ScenarioError(f"{source}: {here}: no such list item in override '{path}'")
            key: Any = int(part)
        elif isinstance(node, dict):
            key = part
            if not last and key not in node:
                node[key] = {}
        else:
            raise ScenarioError(f"{source}: {here}: cannot override inside a value ('{path}')")
        if last:
            node[key] = value
        else:
            node = node[key]


def load_scenario(source: str | Path | Mapping[str, Any] | Scenario, **overrides: Any) -> Scenario:
    """Load and validate a scenario from a YAML path, a mapping or an existing scenario.

    ``overrides`` replace fields by dotted path, written with ``__`` as keyword arguments
    (``org__reps=50``) or passed as a dict (``**{"org.reps": 50}``). Unknown fields are errors.
    Raises :class:`ScenarioError` with one line: ``source: field.path: reason``.
    """
    base_dir: Path | None = None
    if isinstance(source, Scenario):
        data, name = source.to_dict(), "<scenario>"
    elif isinstance(source, Mapping):
        data, name = _deep_copy(dict(source)), "<mapping>"
    else:
        path = Path(source)
        data, name = _with_base(read_mapping(path, ScenarioError, "scenario fields"), path), str(path)
        base_dir = path.parent
    if base_dir is not None:  # plan paths are relative to the scenario file
        _resolve_plan(data, base_dir)
        for ev in data.get("events") or []:
            if isinstance(ev, dict):
                _resolve_plan(ev, base_dir)
    for key, value in overrides.items():  # paths in overrides are relative to the working folder
        _set_path(data, key, value, name)
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        raise ScenarioError(format_validation_error(name, e, _events.KINDS)) from None


def _with_base(data: dict[str, Any], path: Path, depth: int = 0) -> dict[str, Any]:
    """A scenario file may start from another: ``base: midmarket.yaml`` (relative to the file);
    its own fields replace the base's, mappings merge key by key, lists are replaced whole."""
    if "base" not in data:
        return data
    base_ref = data.pop("base")
    if not isinstance(base_ref, str) or depth > 5:
        raise ScenarioError(f"{path}: base: expected the path of another scenario file (at most 5 levels)")
    base_path = (path.parent / base_ref).resolve()
    base = _with_base(read_mapping(base_path, ScenarioError, "scenario fields"), base_path, depth + 1)
    _resolve_plan(base, base_path.parent)
    for ev in base.get("events") or []:
        if isinstance(ev, dict):
            _resolve_plan(ev, base_path.parent)
    return _merge(base, data)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _resolve_plan(data: dict[str, Any], base_dir: Path) -> None:
    if isinstance(data.get("plan"), str) and not Path(data["plan"]).is_absolute():
        data["plan"] = str((base_dir / data["plan"]).resolve())


def _deep_copy(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {k: _deep_copy(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_deep_copy(v) for v in obj]
    return obj

