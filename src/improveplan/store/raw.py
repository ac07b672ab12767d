"""Rows read as the database driver gives them, converted here.

The column types' result processors (SQLite dates parsed by regex, enums, UTC) cost
about three times the query itself on a 100k-row listing or export. The streamed reads
coerce their columns to no type and convert with the standard library's C parsers: the
same values, issue 14's figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, type_coerce
from sqlalchemy.types import NullType
from sqlmodel.sql.sqltypes import UTCDateTime

from improveplan.store.types import EnumText

Convert = Callable[[Any], Any]


def raw_columns(*columns: Any) -> list[Any]:
    """Columns read as the driver gives them, with no type's result processing."""
    return [type_coerce(c, NullType()).label(c.name) for c in columns]


def day(value: Any) -> dt.date | None:
    """A date from SQLite's ISO text or psycopg's date."""
    return dt.date.fromisoformat(value) if type(value) is str else value


def utc_stamp(value: Any) -> dt.datetime:
    """An aware UTC timestamp from SQLite's ISO text or psycopg's datetime."""
    if type(value) is str and len(value) in _NAIVE and value[10] == " ":
        # UTC stored without an offset (UTCDateTime): parsed with one, which is ~8x
        # cheaper than .replace(tzinfo=) afterwards (650k stamps in a 100k export).
        return _parse(value + "+00:00")
    stamp: dt.datetime = dt.datetime.fromisoformat(value) if type(value) is str else value
    if stamp.utcoffset() is None:  # stored as UTC without an offset (UTCDateTime)
        return stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC)


_NAIVE = frozenset((19, 26))  # "YYYY-MM-DD HH:MM:SS", then ".ffffff" when SQLAlchemy wrote it
_parse = dt.datetime.fromisoformat


def _nullable(convert: Convert) -> Convert:
    return lambda v: None if v is None else convert(v)


def converter(column: Any) -> Convert | None:
    """What turns a raw value of `column` into what its type would read (None: as is)."""
    kind = column.type
    if isinstance(kind, EnumText):
        return _nullable(kind.members.__getitem__)
    if isinstance(kind, UTCDateTime):
        return _nullable(utc_stamp)
    if isinstance(kind, DateTime):
        return _nullable(lambda v: dt.datetime.fromisoformat(v) if type(v) is str else v)
    if isinstance(kind, Date):
        return day
    if isinstance(kind, Boolean):
        return _nullable(bool)
    return None


def mappings(rows: Sequence[Any], columns: Sequence[Any]) -> list[dict[str, Any]]:
    """Raw rows of `columns` (raw_columns of them, in order) as typed mappings."""
    names = [c.name for c in columns]
    converts = [(i, f) for i, c in enumerate(columns) if (f := converter(c)) is not None]
    found = []
    for r in rows:
        values = list(r)
        for i, f in converts:
            values[i] = f(values[i])
        found.append(dict(zip(names, values, strict=True)))
    return found
