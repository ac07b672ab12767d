"""JSON written as it is made: the text of `json.dumps(jsonable(value), indent=2)`, streamed.

`--format json` of a full listing and the plan export hold 100k rows; building the whole
document and then its text held both at once (2 GB for an export at 100k actions). Here
a value may hold iterators where the document has arrays — rows straight from the
cursor — and each element's text is written as the iterator yields it, so memory stays
flat in the number of rows. The text is the same, byte for byte, as the one serializer's
(serialize.py: dataclasses by their plan, enums by value, dates in ISO 8601), and as the
standard library's indented encoder would write it: tests/io/test_stream_json.py holds
the two in agreement.

The standard encoder writes indented JSON in pure Python, one generator per level; this
one formats a row in one function call with its keys' prefixes worked out once per type
and depth, which is what makes a 100k-row listing cheap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from enum import Enum
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import IO, Any

from improveplan.domain.records import CellRows
from improveplan.io.json_records import compile_record
from improveplan.io.json_rows import compile_rows
from improveplan.serialize import json_plan

__all__ = ["write_json"]

FLUSH_EVERY = 512  # plain rows of a streamed array made into one piece of text
FLUSH_SIZE = 1 << 18  # characters of text held between writes to the stream

_Spec = tuple[tuple[str, str, bool], ...]  # (attribute, "  key": prefix, omit when None)


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)


def _iso(value: dt.date) -> str:
    return '"' + value.isoformat() + '"'  # ISO text needs no escapes


class _Encoder:
    """Text of one value at a depth, as json.dumps(indent=2) writes it there."""

    def __init__(self, ascii_only: bool) -> None:
        self.quote: Callable[[str], str] = (
            encode_basestring_ascii if ascii_only else encode_basestring
        )
        self.specs: dict[tuple[type, int], _Spec | None] = {}
        self.formats: dict[tuple[type, int], Callable[[Any], str] | None] = {}
        self.indents = ["\n" + "  " * level for level in range(16)]
        # A record's fields by their exact type, the commonest first found here: 100k
        # rows of a listing go through `record`, field by field.
        self.scalar: dict[type, Callable[[Any], str]] = {
            str: self.quote,
            int: int.__repr__,
            bool: lambda v: "true" if v else "false",
            dt.date: _iso,
            dt.datetime: _iso,
        }

    def indent(self, level: int) -> str:
        """A newline and the indentation of `level`."""
        while level >= len(self.indents):
            self.indents.append("\n" + "  " * len(self.indents))
        return self.indents[level]

    def spec(self, kind: type, level: int) -> _Spec | None:
        """A dataclass's fields with the text before each value at `level` (None: not
        a dataclass)."""
        try:
            return self.specs[(kind, level)]
        except KeyError:
            pass
        plan = json_plan(kind)
        found = None
        if plan is not None:
            pad = self.indent(level + 1)[1:]
            found = tuple((name, pad + self.quote(key) + ": ", omit) for name, key, omit in plan)
        self.specs[(kind, level)] = found
        return found

    def formatter(self, kind: type, level: int) -> Callable[[Any], str] | None:
        """What writes a record of `kind` at `level` (None: not a dataclass): made once
        per type and depth (io/json_records.py), else the field-by-field `record`."""
        try:
            return self.formats[(kind, level)]
        except KeyError:
            pass
        found = compile_record(kind, level, self.quote, self.text)
        if found is None and (spec := self.spec(kind, level)) is not None:
            found = lambda value: self.record(value, spec, level)  # noqa: E731
        self.formats[(kind, level)] = found
        return found

    def text(self, value: Any, level: int) -> str:
        kind = type(value)
        if kind is str:
            return self.quote(value)
        write = self.formats.get((kind, level))
        if write is not None:
            return write(value)
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if kind is int:
            return int.__repr__(value)
        if kind is float:
            return _float(value)
        if isinstance(value, Enum):
            if type(value.value) is str:  # records write this enum's values directly
                self.scalar[kind] = lambda v: self.quote(v.value)
            return self.text(value.value, level)
        if isinstance(value, dt.date):  # datetime is a date too; ISO text needs no escapes
            return '"' + value.isoformat() + '"'
        write = self.formatter(kind, level)
        if write is not None:
            return write(value)
        if isinstance(value, Mapping):
            return self.mapping(value, level)
        if isinstance(value, list | tuple):
            return self.array(value, level)
        if isinstance(value, str):  # a str subclass that is no Enum
            return self.quote(value)
        if isinstance(value, int):
            return int.__repr__(value)
        if isinstance(value, float):
            return _float(value)
        raise TypeError(f"Object of type {kind.__name__} is not JSON serializable")

    def record(self, value: Any, spec: _Spec, level: int) -> str:
        parts = []
        scalar = self.scalar
        for name, prefix, omit_none in spec:
            item = getattr(value, name)
            if item is None:
                if not omit_none:
                    parts.append(prefix + "null")
                continue
            kind = type(item)
            write = scalar.get(kind)
            if write is not None:
                parts.append(prefix + write(item))
            elif kind is list:
                parts.append(prefix + self.array(item, level + 1))
            else:
                parts.append(prefix + self.text(item, level + 1))
        if not parts:
            return "{}"
        return "{" + self.indent(level + 1)[:1] + ",\n".join(parts) + self.indent(level) + "}"

    def mapping(self, value: Mapping[Any, Any], level: int) -> str:
        if not value:
            return "{}"
        pad = self.indent(level + 1)
        parts = [pad + self._key(k) + ": " + self.text(v, level + 1) for k, v in value.items()]
        return "{" + ",".join(parts) + self.indent(level) + "}"

    def _key(self, key: Any) -> str:
        if isinstance(key, str):
            return self.quote(key)  # a StrEnum key is written as its text, as json does
        if isinstance(key, Enum):
            return self._key(key.value)
        if key is True:
            return '"true"'
        if key is False:
            return '"false"'
        if key is None:
            return '"null"'
        if isinstance(key, float):
            return '"' + _float(key) + '"'
        if isinstance(key, int):
            return '"' + int.__repr__(key) + '"'
        raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")

    def array(self, value: list[Any] | tuple[Any, ...], level: int) -> str:
        if not value:
            return "[]"
        pad = self.indent(level + 1)
        return (
            "[" + ",".join(pad + self.text(v, level + 1) for v in value) + self.indent(level) + "]"
        )


def _lazy(value: Any) -> bool:
    """An iterator (rows from a cursor) stands for an array written as it is read."""
    return isinstance(value, Iterator)


def _streamed(encoder: _Encoder, value: Any, level: int) -> Iterator[str]:
    """The text of `value` in pieces: whole values at once, iterators element by element,
    and a dataclass or mapping that holds an iterator field by field."""
    if _lazy(value):
        yield from _streamed_array(encoder, value, level)
        return
    spec = encoder.spec(type(value), level)
    if spec is not None:
        items = [
            (prefix, item)
            for name, prefix, omit_none in spec
            if (item := getattr(value, name)) is not None or not omit_none
        ]
    elif isinstance(value, Mapping):
        pad = encoder.indent(level + 1)[1:]
        items = [(pad + encoder._key(k) + ": ", v) for k, v in value.items()]
    else:
        yield encoder.text(value, level)
        return
    if not any(_lazy(item) for _, item in items):
        yield encoder.text(value, level)
        return
    if not items:
        yield "{}"
        return
    yield "{"
    for n, (prefix, item) in enumerate(items):
        yield ("\n" if n == 0 else ",\n") + prefix
        yield from _streamed(encoder, item, level + 1)
    yield encoder.indent(level) + "}"


def _streamed_array(encoder: _Encoder, rows: Iterator[Any], level: int) -> Iterator[str]:
    pad = encoder.indent(level + 1)
    if isinstance(rows, CellRows):
        yield from _cell_rows(encoder, rows, level)
        return
    first = True
    text = encoder.text
    for row in rows:
        if first:
            yield "[" + pad
            first = False
        else:
            yield "," + pad
        yield text(row, level + 1)  # a row holds no iterator of its own
    yield "[]" if first else encoder.indent(level) + "]"


def _cell_rows(encoder: _Encoder, rows: CellRows, level: int) -> Iterator[str]:
    """Plain rows as their records' texts (io/json_rows.py), FLUSH_EVERY rows a piece."""
    write = compile_rows(rows.cells, level + 1, encoder.quote)
    between = "," + encoder.indent(level + 1)
    start = "[" + encoder.indent(level + 1)
    for chunk in rows.chunks(FLUSH_EVERY):
        yield start + between.join(map(write, chunk))
        start = between
    yield "[]" if start[0] == "[" else encoder.indent(level) + "]"


def write_json(value: Any, stream: IO[str], *, ascii_only: bool = False, end: str = "") -> None:
    """Write `value` as `json.dumps(jsonable(value), indent=2, ensure_ascii=ascii_only)`
    would, then `end`; iterators inside it are read once, as their elements are written."""
    encoder = _Encoder(ascii_only)
    buffer: list[str] = []
    size = 0
    for piece in _streamed(encoder, value, 0):
        buffer.append(piece)
        size += len(piece)
        if size >= FLUSH_SIZE:  # a piece may be one value or many rows' text
            stream.write("".join(buffer))
            buffer.clear()
            size = 0
    buffer.append(end)
    stream.write("".join(buffer))
