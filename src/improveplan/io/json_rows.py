"""A plain row's indented JSON text in one call: a formatter made once per shape and depth.

The export's actions, notes and audit events (750k rows at 100k actions) and the full
listings come as the driver's tuples (domain/records.py CellRows). Building a record of
each only to write it cost as much as the writing, so each row is written straight from
its tuple by one function made with `exec` (as io/json_records.py makes a record's): a
`%` template of the row's text, each column's text an inline expression chosen by what
the column holds. Dates and UTC times as SQLite stores them are text, rearranged without
a parse; what a driver gives as objects goes through the same conversions as a record's
(tests/io/test_json_rows.py holds the two texts equal).
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable
from dataclasses import is_dataclass
from enum import StrEnum
from typing import Any

from improveplan.domain.records import Cell, Shape
from improveplan.domain.stamps import stamp_iso
from improveplan.serialize import json_plan

__all__ = ["compile_rows", "shape_of"]

Format = Callable[[tuple[Any, ...]], str]

# Each kind's text of a column's value `@`, never None (null is written before). A stamp
# as SQLite keeps UTC, "2025-03-09 09:19:07.000000", or as PostgreSQL's text of it gives
# a whole second, "2025-03-09 09:19:07", is rearranged inline; others by
# stamp_iso (domain/stamps.py), which gives what the record's datetime would.
_TEXTS: dict[Cell, str] = {
    Cell.text: "q(@)",
    Cell.word: "q(@)",
    Cell.number: "R(@)",
    Cell.day: "('\"' + @ + '\"' if @.__class__ is str else '\"' + @.isoformat() + '\"')",
    Cell.stamp: (
        "('\"' + @[:10] + 'T' + @[11:19] + '+00:00\"' if @.__class__ is str"
        " and (@[19:] == '.000000' or len(@) == 19) and @[10] == ' ' else S(@))"
    ),
    Cell.refs: "('[' + P + J.join(map(q, @)) + E + ']' if @ else '[]')",
    Cell.minutes: "q(@)",
}


def shape_of(kind: type) -> Shape:
    """The columns of a row standing for a record of `kind` (a dataclass written whole,
    no field left out), from its annotations: its JSON keys in order."""
    plan = json_plan(kind)
    if not plan or any(omit for _, _, omit in plan):
        raise TypeError(f"{kind.__name__} is not a record written whole")
    hints = typing.get_type_hints(kind)
    return tuple((key, _cell(hints[name])) for name, key, _ in plan)


def _cell(hint: Any) -> Cell | Shape:
    """What a column of this annotation holds (Optional[X] as X: None is always null)."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) is list:
        return Cell.refs if args[0] is str else shape_of(args[0])
    if args:
        (hint,) = args
    if not isinstance(hint, type):
        raise TypeError(f"no plain column holds {hint!r}")
    if issubclass(hint, StrEnum):
        return Cell.word
    found = {str: Cell.text, int: Cell.number, dt.date: Cell.day, dt.datetime: Cell.stamp}
    if hint in found:
        return found[hint]
    if is_dataclass(hint):
        raise TypeError(f"a nested {hint.__name__} must come as a list of rows")
    raise TypeError(f"no plain column holds {hint.__name__}")


def compile_rows(shape: Shape, level: int, quote: Callable[[str], str]) -> Format:
    """The text of a row of `shape` at `level`, as its record's at that depth is written
    by json.dumps(indent=2) (`quote` escapes strings as the encoder in use does)."""
    assert shape, "a row has columns"
    pad = "\n" + "  " * (level + 1)
    inner = "\n" + "  " * (level + 2)
    template = "{" + ",".join(pad + quote(key).replace("%", "%%") + ": %s" for key, _ in shape)
    template += "\n" + "  " * level + "}"
    namespace: dict[str, Any] = {
        "T": template,
        "q": quote,
        "R": int.__repr__,
        "S": lambda value: '"' + stamp_iso(value) + '"',
        "P": inner,
        "J": "," + inner,
        "E": pad,
    }
    values = []
    for n, (_, kind) in enumerate(shape):
        if isinstance(kind, Cell):
            text = _TEXTS[kind].replace("@", f"x{n}")
        else:  # a list of rows, an array of records one level further in
            namespace[f"f{n}"] = compile_rows(kind, level + 2, quote)
            text = f"('[' + P + J.join(map(f{n}, x{n})) + E + ']' if x{n} else '[]')"
        values.append(f"('null' if x{n} is None else {text})")
    names = "".join(f"x{n}, " for n in range(len(shape)))
    texts = "".join(v + ", " for v in values)
    source = f"def fmt(row):\n    {names}= row\n    return T % ({texts})\n"
    exec(source, namespace)  # the source is built above from the shape's own columns
    found: Format = namespace["fmt"]
    return found
