"""The one serializer: typed results to the JSON shapes of docs/design.md §3.

Services return frozen dataclasses; their field order *is* the JSON key order, so a
shape is written down once, as a type. A field can carry another JSON key (`from` is a
keyword in Python) or stay out of the JSON (internal ids a command needs but a script
must not rely on) through `json_field`. A key that a shape carries only sometimes (the
counts of a cut listing) is a field marked `omit_none`: absent from the JSON while it is
None. Enums serialize as their values, dates and times as ISO 8601. Tables and CSV read
the same records through `as_record`, so every format names a value the same way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from enum import Enum
from typing import Any

__all__ = ["as_record", "dumps", "json_field", "json_plan", "jsonable", "record_keys"]

_KEY = "json_key"
_HIDDEN = "json_hidden"
_OMIT_NONE = "json_omit_none"


def json_field(
    *, key: str | None = None, hidden: bool = False, omit_none: bool = False, **kwargs: Any
) -> Any:
    """A dataclass field written under another JSON `key`, `hidden` from the JSON, or
    (`omit_none`) left out of it whenever its value is None."""
    metadata = {_KEY: key, _HIDDEN: hidden, _OMIT_NONE: omit_none}
    return dataclasses.field(metadata=metadata, **kwargs)


# (attribute, JSON key, omitted when None) per serialized field.
_Plan = tuple[tuple[str, str, bool], ...]
_PLANS: dict[type, _Plan] = {}


def _plan(cls: type) -> _Plan:
    """The serialized fields of a dataclass type, in order; worked out once per type,
    since listings serialize 100k rows of one type."""
    plan = _PLANS.get(cls)
    if plan is None:
        fields = dataclasses.fields(cls)
        plan = tuple(
            (f.name, f.metadata.get(_KEY) or f.name, bool(f.metadata.get(_OMIT_NONE, False)))
            for f in fields
            if not f.metadata.get(_HIDDEN, False)
        )
        _PLANS[cls] = plan
    return plan


def json_plan(cls: type) -> _Plan | None:
    """(attribute, JSON key, omitted when None) of each field a dataclass type serializes,
    in order; None for a type that is not a dataclass (io/stream_json.py writes by it)."""
    plan = _PLANS.get(cls)
    if plan is None and dataclasses.is_dataclass(cls):
        plan = _plan(cls)
    return plan


def record_keys(cls: type) -> tuple[str, ...]:
    """The JSON keys a result type can carry, in order (CSV headers, table columns)."""
    return tuple(key for _, key, _ in _plan(cls))


def as_record(value: Any) -> Mapping[str, Any]:
    """A result as a mapping of its JSON keys to its raw values (one level deep)."""
    if isinstance(value, Mapping):
        return value
    return {
        key: field_value
        for name, key, omit_none in _plan(type(value))
        if (field_value := getattr(value, name)) is not None or not omit_none
    }


_SCALARS = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """`value` as plain JSON data: dataclasses by their plan, enums by value, ISO dates.

    Plain scalars are passed through on a type check before anything else: a 100k-action
    export is millions of them, and this function was a fifth of its time.
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):  # datetime is a date too
        return value.isoformat()
    plan = _PLANS.get(kind)
    if plan is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        plan = _plan(kind)
    if plan is not None:
        record = {}
        for name, key, omit_none in plan:
            item = getattr(value, name)
            if item is None and omit_none:
                continue
            record[key] = item if type(item) in _SCALARS else jsonable(item)
        return record
    if isinstance(value, Mapping):
        return {k: v if type(v) in _SCALARS else jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [v if type(v) in _SCALARS else jsonable(v) for v in value]
    return value


def dumps(value: Any, *, ascii_only: bool = False) -> str:
    """The JSON text every `--format json` prints: two-space indent, UTF-8 kept unless
    the reader's encoding cannot hold it (then `\\u` escapes, which lose nothing)."""
    return json.dumps(jsonable(value), indent=2, ensure_ascii=ascii_only)
