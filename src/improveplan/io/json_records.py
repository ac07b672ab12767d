"""One dataclass's indented JSON text in one call: a formatter made once per type and depth.

A 100k-action export writes ~750k records (actions, notes, audit events); looking each
field's writer up by its value's type, field by field, was most of the encoder's time.
Here the fields' writers are chosen once from the type's annotations and put in one
function (made with `exec`, as `dataclasses` makes `__init__`): a `%` template of the
record's text, each value written by an expression guarded by an exact type check. A
value of any other type than its annotation says goes to the general encoder, so the text
is always what `json.dumps(jsonable(value), indent=2)` gives (tests/io/test_stream_json.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from improveplan.serialize import json_plan

__all__ = ["compile_record"]

Format = Callable[[Any], str]


def _kinds(hint: Any) -> tuple[type | None, bool]:
    """(the one concrete type of an annotation, whether it admits None); None: any other."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        optional = len(args) < len(typing.get_args(hint))
        return (args[0] if len(args) == 1 and isinstance(args[0], type) else None), optional
    return (hint if isinstance(hint, type) else None), False


def _expression(kind: type | None, x: str, t: str) -> str:
    """The text of value `x` (whose type's name in the namespace is `t`) as Python source."""
    if kind is str or (kind is not None and issubclass(kind, StrEnum)):
        fast = f"q({x})"  # a StrEnum's text is its value
    elif kind is int:
        fast = f"R({x})"
    elif kind is bool:
        return f"('true' if {x} else 'false') if {x}.__class__ is bool else D({x})"
    elif kind is dt.date or kind is dt.datetime:
        fast = f"'\"' + {x}.isoformat() + '\"'"  # ISO text needs no escapes
    else:
        return f"D({x})"
    return f"{fast} if {x}.__class__ is {t} else D({x})"


def compile_record(
    kind: type, level: int, quote: Callable[[str], str], dynamic: Callable[[Any, int], str]
) -> Format | None:
    """`kind`'s formatter at `level` (None: not a dataclass, or one with a field left out
    while None — the general encoder writes those). `dynamic(value, level)` writes any value."""
    plan = json_plan(kind)
    if plan is None or not plan or any(omit for _, _, omit in plan):
        return None
    try:
        hints = typing.get_type_hints(kind)
    except (NameError, TypeError):
        hints = {}
    names = {f.name for f in dataclasses.fields(kind)}
    pad = "\n" + "  " * (level + 1)
    template = "{" + ",".join(pad + quote(key).replace("%", "%%") + ": %s" for _, key, _ in plan)
    template += "\n" + "  " * level + "}"
    namespace: dict[str, Any] = {
        "T": template,
        "q": quote,
        "R": int.__repr__,
        "D": lambda value: dynamic(value, level + 1),
    }
    lines, values = [], []
    for n, (name, _, _) in enumerate(plan):
        assert name in names
        concrete, optional = _kinds(hints.get(name))
        namespace[f"t{n}"] = concrete
        lines.append(f"    x{n} = v.{name}")
        text = _expression(concrete, f"x{n}", f"t{n}")
        values.append(f"('null' if x{n} is None else {text})" if optional else f"({text})")
    source = "def fmt(v):\n" + "\n".join(lines) + "\n    return T % (" + ", ".join(values) + ",)\n"
    exec(source, namespace)  # the source is built above from the type's own fields
    found: Format = namespace["fmt"]
    return found
