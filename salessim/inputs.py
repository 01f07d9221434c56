"""The input boundary: the safe YAML readers, the one schema-error formatter, the frozen schema
base, the shared number types and the size limits.

YAML is read by :func:`read_yaml`, :func:`read_mapping` and :func:`read_list` (scenario, plan,
events, grid and mapping files) and :func:`parse_value` (``--set``/``--param`` values) with a
safe loader that also rejects duplicate keys, impossible dates, values a tag cannot convert and
nesting deeper than :data:`MAX_DEPTH`. Every schema part (scenario, plan, events, model
parameters) derives from :class:`Frozen`: immutable, unknown keys are errors, numbers are finite
and a YAML boolean (``yes``) is never read as a number. :func:`format_validation_error` turns a
pydantic error into one line ``source: field.path: reason``. Sizes that drive memory and time
are bounded by :data:`LIMITS` (see docs/errors_and_limits.md).
"""

from __future__ import annotations

import math
import os
import re
import types
import typing
from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from salessim.errors import SalessimError

#: Deepest nesting of lists and mappings a YAML input may have.
MAX_DEPTH = 40
#: Largest YAML input file (bytes).
MAX_YAML_BYTES = 20_000_000
#: Most values YAML aliases (``*name``) may add when expanded: a "billion laughs" file of a few
#: lines would otherwise grow to billions of values in the checks and copies after reading.
MAX_ALIAS_EXPANSION = 100_000
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses duplicate keys, deep nesting and values a tag cannot
    convert (``2026-02-30``, ``!!float abc``), each as a ``yaml.YAMLError`` with its line."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        depth = getattr(self, "_depth", 0) + 1
        if depth > MAX_DEPTH:
            raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep "
                                              "(flatten the structure)", self.peek_event().start_mark)
        self._depth = depth
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth - 1

    def compose_document(self) -> Any:
        node = super().compose_document()
        if node is not None:
            _check_expansion(node)
        return node

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = self.construct_object(key_node)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key '{key}' (give each key once)", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep)

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError, KeyError, IndexError) as e:
            value = node.value if isinstance(node, yaml.ScalarNode) else node.id
            tag = node.tag.rsplit(":", 1)[-1]
            hint = "a real calendar date, YYYY-MM-DD" if tag == "timestamp" else f"a valid {tag} or no tag"
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read '{value}' as {tag}: {e} (write {hint})", node.start_mark) from None


def _check_expansion(root: Any) -> None:
    """Raise ``yaml.YAMLError`` if aliases expand the document by more than
    :data:`MAX_ALIAS_EXPANSION` values (or refer to themselves)."""
    sizes: dict[int, int] = {}
    distinct = 0
    active: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:  # iterative post-order: the size of a node = 1 + its children's, memoised
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            kids = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else node.value
            sizes[key] = 1 + sum(sizes[id(k)] for k in kids)
            distinct += 1
            if sizes[key] - distinct > MAX_ALIAS_EXPANSION:
                break
            continue
        if key in sizes:
            continue
        if key in active:
            raise yaml.composer.ComposerError(None, None, "an alias refers to the value it is in "
                                              "(recursive anchor; write the value out)", node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1
            distinct += 1
            continue
        active.add(key)
        stack.append((node, True))
        kids = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else node.value
        stack.extend((k, False) for k in kids if id(k) not in sizes)
    expanded = sizes.get(id(root), 0) if not stack else max(sizes.values())
    if stack or expanded - distinct > MAX_ALIAS_EXPANSION:
        raise yaml.composer.ComposerError(None, None, f"aliases (*name) expand to more than "
                                          f"{MAX_ALIAS_EXPANSION:,} extra values (write the values out, "
                                          "or use fewer nested aliases)", root.start_mark)


def _load(text: str) -> Any:
    """The document in ``text`` (strict safe loader); raises ``yaml.YAMLError``."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except RecursionError:
        raise yaml.YAMLError(f"nested more than {MAX_DEPTH} levels deep (flatten the structure)") from None


def _yaml_problem(e: yaml.YAMLError) -> str:
    mark = getattr(e, "problem_mark", None)
    where = f"line {mark.line + 1}" if mark else "(parse)"
    return " ".join(f"{where}: invalid YAML ({getattr(e, 'problem', None) or e})".split())


def parse_value(text: str, source: str) -> Any:
    """A command-line value (``--set org.reps=50``) read as a YAML scalar or flow collection with
    the strict loader; a problem raises :class:`SalessimError` naming ``source``."""
    try:
        return _load(text)
    except yaml.YAMLError as e:
        raise SalessimError(f"{source}: cannot read the value {text!r}: {_yaml_problem(e)} "
                            "(quote text, write numbers plainly, e.g. 50 or 8%)") from None


def as_fraction(value: Any) -> Any:
    """``"120%"`` -> 1.2; numbers pass through (already fractions); a boolean is an error."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number or a percentage such as 8%, got the boolean '{value}' "
                         "(YAML reads yes/no/on/off as booleans)")
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if text.endswith("%"):
            try:
                return float(text[:-1]) / 100.0
            except ValueError:
                raise ValueError(f"'{value}' is not a percentage") from None
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"'{value}' is not a number or a percentage") from None
    return value


def _bare(value: Any) -> float | None:
    """The number written without ``%`` (``8``, ``"8"``), else ``None``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and not value.strip().endswith("%"):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def percent(most_bare: float) -> Any:
    """A percentage field: ``"8%"`` or a fraction written bare up to ``most_bare``; a bare ``8``
    for a rate is an error suggesting ``8%`` (it would be 800%)."""

    def parse(value: Any) -> Any:
        bare = _bare(value)
        if bare is not None and not math.isfinite(bare):
            raise ValueError(f"'{value}' is not a finite number (write e.g. 8% or 0.08)")
        if bare is not None and bare > most_bare:
            raise ValueError(f"{bare:g} must be less than or equal to {most_bare:g} (a bare number is a "
                             f"fraction: 0.08 = 8%); for {bare:g} percent write {bare:g}%")
        return as_fraction(value)

    return BeforeValidator(parse)


#: A probability: a fraction (0.3) or a percentage (``"30%"``); a bare 30 is an error suggesting 30%.
Probability = Annotated[float, percent(1.0), Field(ge=0.0, le=1.0)]
#: A positive share of a whole, written like a :data:`Probability`.
Share = Annotated[float, percent(1.0), Field(gt=0.0, le=1.0)]


PositiveFloat = Annotated[float, Field(gt=0.0)]


NonNegativeFloat = Annotated[float, Field(ge=0.0)]



def _strip(tp: Any) -> Any:
    while typing.get_origin(tp) is Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _takes_bool(tp: Any) -> bool:
    """Whether a field of type ``tp`` may hold a boolean: not when it wants a number and has
    no boolean (or ``Any``) alternative."""
    tp = _strip(tp)
    members = [_strip(a) for a in typing.get_args(tp)] if typing.get_origin(tp) in (Union, types.UnionType) else [tp]
    explicit = any(m in (bool, Any, object) or (typing.get_origin(m) is Literal and any(
        isinstance(a, bool) for a in typing.get_args(m))) for m in members)
    return explicit or not any(m in (int, float) for m in members)


def _bool_at(value: Any, tp: Any) -> str | None:
    """Where ``value`` puts a boolean where ``tp`` wants a number: ``""`` for the value itself,
    ``".3"`` for an item of a list, tuple or mapping of numbers; ``None`` when nowhere."""
    while typing.get_origin(tp) is Annotated:
        tp = typing.get_args(tp)[0]
    if isinstance(value, bool):
        return None if _takes_bool(tp) else ""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (Union, types.UnionType):
        found = (_bool_at(value, a) for a in args if typing.get_origin(a) in (list, tuple, dict))
        return next((f for f in found if f is not None), None)
    if origin in (list, tuple) and isinstance(value, list | tuple) and args:
        items = args if origin is tuple and Ellipsis not in args else [args[0]] * len(value)
        pairs = zip(range(len(value)), value, items, strict=False)
    elif origin is dict and isinstance(value, dict) and len(args) == 2:
        pairs = ((k, v, args[1]) for k, v in value.items())
    else:
        return None
    for key, item, item_tp in pairs:
        found = _bool_at(item, item_tp)
        if found is not None:
            return f".{key}{found}"
    return None


class Frozen(BaseModel):
    """Base for scenario parts: immutable, unknown keys are errors, numbers are finite (no
    inf/NaN) and a boolean is never read as a number (YAML ``yes`` for ``org.reps``)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, field in cls.model_fields.items():
                key = name if name in data else field.alias
                where = _bool_at(data[key], field.annotation) if key in data else None
                if where is not None:
                    raise ValueError(f"{key}{where}: expected a number, got a boolean (YAML reads "
                                     "yes/no/on/off/true/false as booleans: write the number)")
        return data


# --------------------------------------------------------------------------- size limits

#: Sizes that drive memory and time: name -> (default limit, what is counted). Raise one with the
#: environment variable ``SALESSIM_MAX_<NAME>`` (e.g. ``SALESSIM_MAX_ACCOUNTS=500000``).
LIMITS: dict[str, tuple[float, str]] = {
    "accounts": (200_000, "accounts"),
    "leads_per_year": (2_000_000, "leads a year"),
    "reps": (20_000, "reps"),
    "grid_points": (2_000, "grid points"),
    "replications": (10_000, "replications"),
    "money": (1e12, "currency units in one amount"),
}


def limit(name: str) -> float:
    """The limit ``name`` of :data:`LIMITS`, or its ``SALESSIM_MAX_<NAME>`` override."""
    env = f"SALESSIM_MAX_{name.upper()}"
    text = os.environ.get(env)
    if text is None:
        return LIMITS[name][0]
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise SalessimError(f"{env}={text}: not a number (write e.g. {env}={LIMITS[name][0]:.0f})") from None
    if not value > 0 or value == float("inf"):
        raise SalessimError(f"{env}={text}: must be a positive finite number")
    return value


def over_limit(name: str, value: float) -> str | None:
    """The message for ``value`` above the limit ``name`` (``None`` within it)."""
    cap = limit(name)
    if value <= cap:
        return None
    shown = f"{value:,.0f}" if value < 1e15 else f"{value:.3g}"
    return (f"{shown} is above the limit of {cap:,.0f} {LIMITS[name][1]} "
            f"(set SALESSIM_MAX_{name.upper()} to raise it)")


def limited(name: str) -> AfterValidator:
    """A field check for the limit ``name``: ``Annotated[int, Field(ge=1), limited("reps")]``."""

    def check(value: float) -> float:
        message = over_limit(name, value)
        if message:
            raise ValueError(message)
        return value

    return AfterValidator(check)


#: An amount of money (currency), non-negative and within the ``money`` limit of :data:`LIMITS`.
Money = Annotated[float, Field(ge=0.0), limited("money")]


def read_yaml(path: Path, error: type[SalessimError] = SalessimError) -> Any:
    """The document a YAML file holds (``None`` for an empty file); any problem raises ``error``
    with one line naming the file (and the line, for a syntax error)."""
    path = Path(path)
    try:
        if path.is_dir():
            raise error(f"{path}: is a folder (give the path of a YAML file)")
        if path.stat().st_size > MAX_YAML_BYTES:
            raise error(f"{path}: larger than {MAX_YAML_BYTES:,} bytes (not a hand-written YAML file?)")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except UnicodeDecodeError as e:
        raise error(f"{path}: not UTF-8 text ({e.reason}; save the file as UTF-8)") from None
    except OSError as e:
        raise error(f"{path}: cannot read ({e.strerror or e})") from None
    if "\x00" in text:
        raise error(f"{path}: binary data, not YAML text (save the file as UTF-8 text)")
    try:
        return _load(text)
    except yaml.YAMLError as e:
        raise error(f"{path}: {_yaml_problem(e)}") from None


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


def _did_you_mean(word: str, options: Collection[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest option to a misspelt word, else ``""``."""
    import difflib

    near = difflib.get_close_matches(word, [o for o in options if o], n=1, cutoff=0.75)
    return f" (did you mean '{near[0]}'?)" if near else ""


def _frozen_models(title: str) -> list[type[BaseModel]]:
    todo, found = list(Frozen.__subclasses__()), []
    while todo:
        c = todo.pop()
        todo.extend(c.__subclasses__())
        if c.__name__ == title:
            found.append(c)
    return found


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation can hold (through Optional, lists, unions, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in typing.get_args(annotation) for m in _models_in(a)]


def _fields_at(title: str, loc: Collection[Any], tags: Collection[str] = ()) -> list[str]:
    """Field names (aliases where set) of the model at ``loc`` below the model named ``title``;
    empty when the path cannot be followed."""
    models = _frozen_models(title)
    for part in loc:
        if isinstance(part, int) or not models:
            continue
        step = [m for c in models for n, f in c.model_fields.items() if part in (n, f.alias)
                for m in _models_in(f.annotation)]
        if step:
            models = step
        elif part in tags:  # a tagged-union member: keep the one whose tag it is
            models = [c for c in models if any(getattr(f, "default", None) == part for f in c.model_fields.values())]
        else:
            # a dict keyed by name (segments.A): the value type is already in ``models``
            continue
    return list(dict.fromkeys(f.alias or n for c in models for n, f in c.model_fields.items()))


_NAMED = re.compile(r"^([A-Za-z_][\w]*(?:\.\w+)*): ")


def format_validation_error(source: str, err: ValidationError, tags: Collection[str] = ()) -> str:
    """One line ``source: field.path: reason (+N more)`` for a schema error.

    ``tags`` are the discriminator values of the schema's tagged unions (event kinds, component
    types): pydantic puts the tag in the path after a list index, where it is noise, and an unknown
    or missing tag is reported with the allowed values. A model-level check may name its own field
    first (``"org.reps (...): reason"``); that name becomes the path.
    """
    errors = err.errors()
    first = errors[0]
    if first["type"] == "missing":  # a required field missing because it was misspelt: say that
        import difflib

        for e in errors:
            if (e["type"] == "extra_forbidden" and tuple(e["loc"][:-1]) == tuple(first["loc"][:-1])
                    and difflib.get_close_matches(str(e["loc"][-1]), [str(first["loc"][-1])], cutoff=0.75)):
                first = e
                break
    loc = list(first["loc"])
    parts = [p for i, p in enumerate(loc) if not (p in tags and i > 0 and isinstance(loc[i - 1], int))]
    path = ".".join(str(p) for p in parts)
    msg = first["msg"].removeprefix("Value error, ")
    named = _NAMED.match(msg) if first["type"] == "value_error" else None
    if named:  # a model-level check names its field: "reps: reason" or "org.reps (...): reason"
        path = ".".join(p for p in (path, named.group(1)) if p)
        msg = msg[named.end():]
    elif not path:
        head = msg.split(" ", 1)[0].rstrip(":")
        path, msg = (head, msg.split(" ", 1)[1].lstrip(": ")) if "." in head and " " in msg else ("(top level)", msg)
    ctx = first.get("ctx") or {}
    allowed = ", ".join(sorted(tags)) or str(ctx.get("expected_tags", ""))
    key = str(ctx.get("discriminator", "")).strip("'")
    if first["type"] == "extra_forbidden":
        hint = _did_you_mean(str(loc[-1]), _fields_at(err.title, loc[:-1], tags))
        msg = f"unknown field '{loc[-1]}'{hint}" if hint else "unknown field"
    elif first["type"] in ("model_type", "model_attributes_type", "dict_type"):
        fields = _fields_at(err.title, loc, tags)
        name = str(parts[-1]) if parts else "value"
        shown = ", ".join(fields[:6]) + (", ..." if len(fields) > 6 else "")
        example = f"{name}: {{{fields[0]}: {first.get('input')!r}}}" if fields else f"{name}: {{...}}"
        msg = (f"expected a mapping of fields ({shown}), got {first.get('input')!r} (write e.g. {example})"
               if fields else f"expected a mapping, got {first.get('input')!r}")
    elif first["type"] == "literal_error":
        options = [e.strip("' ") for e in re.split(r",| or ", str(ctx.get("expected", "")))]
        msg += f", got {first.get('input')!r}" + _did_you_mean(str(first.get("input")), options)
    elif first["type"] == "list_type":
        got = type(first.get("input")).__name__.replace("dict", "a mapping")
        msg += f", got {got} (write the items as '- item' lines or [a, b])"
    elif first["type"] == "union_tag_invalid":
        msg = f"unknown {key} '{ctx['tag']}': use one of {allowed}"
    elif first["type"] == "union_tag_not_found" and allowed:
        msg = f"missing {key}: use one of {allowed}"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return " ".join(f"{source}: {path}: {msg}{more}".split())
