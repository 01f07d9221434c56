"""The input boundary: the safe YAML readers, the one schema-error formatter, the frozen schema
base and the shared number types.

YAML is read with ``yaml.safe_load`` (nothing is ever evaluated) by :func:`read_yaml`,
:func:`read_mapping` and :func:`read_list`, for scenario, plan, events, grid and mapping files.
Every schema part (scenario, plan, events, model parameters) derives from :class:`Frozen`:
immutable, unknown keys are errors; :func:`format_validation_error` turns a pydantic error into
one line ``source: field.path: reason``.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from salessim.errors import SalessimError

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


Share = Annotated[float, Field(gt=0.0, le=1.0)]


PositiveFloat = Annotated[float, Field(gt=0.0)]


NonNegativeFloat = Annotated[float, Field(ge=0.0)]


class Frozen(BaseModel):
    """Base for scenario parts: immutable, unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def read_yaml(path: Path, error: type[SalessimError] = SalessimError) -> Any:
    """The document a YAML file holds (``None`` for an empty file); any problem raises ``error``
    with one line naming the file (and the line, for a syntax error)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except UnicodeDecodeError as e:
        raise error(f"{path}: not UTF-8 text ({e.reason})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(parse)"
        raise error(f"{path}: {where}: invalid YAML ({getattr(e, 'problem', e)})") from None


def read_mapping(path: Path, error: type[SalessimError] = SalessimError, what: str = "fields",
                 allow_empty: bool = False) -> dict[str, Any]:
    """The mapping a YAML file holds (see :func:`read_yaml`); anything else raises ``error``.
    With ``allow_empty`` an empty file is an empty mapping."""
    data = read_yaml(path, error)
    if data is None and allow_empty:
        return {}
    if not isinstance(data, dict):
        raise error(f"{path}: (top level): expected a mapping of {what}")
    return data


def read_list(path: Path, error: type[SalessimError] = SalessimError, what: str = "items") -> list[Any]:
    """The list a YAML file holds (see :func:`read_yaml`); anything else raises ``error``."""
    data = read_yaml(path, error)
    if not isinstance(data, list):
        raise error(f"{path}: (top level): expected a list of {what}")
    return data


def format_validation_error(source: str, err: ValidationError, tags: Collection[str] = ()) -> str:
    """One line ``source: field.path: reason (+N more)`` for a schema error.

    ``tags`` are the discriminator values of the schema's tagged unions (event kinds, component
    types): pydantic puts the tag in the path after a list index, where it is noise, and an unknown
    or missing tag is reported with the allowed values. A model-level check may name its own field
    first (``"org.reps (...): reason"``); that name becomes the path.
    """
    errors = err.errors()
    first = errors[0]
    loc = list(first["loc"])
    parts = [p for i, p in enumerate(loc) if not (p in tags and i > 0 and isinstance(loc[i - 1], int))]
    path = ".".join(str(p) for p in parts)
    msg = first["msg"].removeprefix("Value error, ")
    if not path:
        head = msg.split(" ", 1)[0].rstrip(":")
        path, msg = (head, msg.split(" ", 1)[1].lstrip(": ")) if "." in head and " " in msg else ("(top level)", msg)
    ctx = first.get("ctx") or {}
    allowed = ", ".join(sorted(tags)) or str(ctx.get("expected_tags", ""))
    key = str(ctx.get("discriminator", "")).strip("'")
    if first["type"] == "extra_forbidden":
        msg = "unknown field"
    elif first["type"] == "union_tag_invalid":
        msg = f"unknown {key} '{ctx['tag']}': use one of {allowed}"
    elif first["type"] == "union_tag_not_found" and allowed:
        msg = f"missing {key}: use one of {allowed}"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{source}: {path}: {msg}{more}"
