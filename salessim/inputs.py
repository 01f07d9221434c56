"""The input boundary: the safe YAML reader, the frozen schema base and the shared number types.

YAML is read with ``yaml.safe_load`` (nothing is ever evaluated). Every schema part (scenario,
plan, events, mappings) derives from :class:`Frozen`: immutable, unknown keys are errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from salessim.errors import SalessimError

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


Share = Annotated[float, Field(gt=0.0, le=1.0)]


PositiveFloat = Annotated[float, Field(gt=0.0)]


NonNegativeFloat = Annotated[float, Field(ge=0.0)]



class Frozen(BaseModel):
    """Base for scenario parts: immutable, unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")



def read_mapping(path: Path, error: type[SalessimError] = SalessimError, what: str = "fields") -> dict[str, Any]:
    """The mapping a YAML file holds; any problem raises ``error`` with one line naming the file."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except UnicodeDecodeError as e:
        raise error(f"{path}: not UTF-8 text ({e.reason})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(parse)"
        raise error(f"{path}: {where}: invalid YAML ({getattr(e, 'problem', e)})") from None
    if not isinstance(data, dict):
        raise error(f"{path}: (top level): expected a mapping of {what}")
    return data
