"""Plain rows are written as the records they stand for would be, byte for byte."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.records import Cell, CellRows
from improveplan.domain.vocab import Rag, Status
from improveplan.io.export_json import ExportedNote
from improveplan.io.json_rows import shape_of
from improveplan.io.stream_json import write_json
from improveplan.serialize import jsonable
from improveplan.services.export_rows import (
    ACTION_SHAPE,
    AUDIT_SHAPE,
    action_record,
    audit_record,
)

texts = st.text(max_size=8)
maybe = st.none() | texts
instants = st.datetimes(min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2100, 1, 1))
# A UTC time as the drivers give it: SQLite's stored text (with or without microseconds,
# as SQLAlchemy or PostgreSQL's text writes it) or psycopg's aware datetime.
stamps = st.one_of(
    instants.map(lambda t: t.strftime("%Y-%m-%d %H:%M:%S.%f")),
    instants.map(lambda t: t.strftime("%Y-%m-%d %H:%M:%S")),
    # PostgreSQL's text of a timestamp: the fraction without its trailing zeros.
    instants.map(lambda t: t.strftime("%Y-%m-%d %H:%M:%S.%f").rstrip("0").rstrip(".")),
    instants.map(lambda t: t.replace(tzinfo=dt.UTC)),
    instants.map(lambda t: t.replace(tzinfo=dt.timezone(dt.timedelta(hours=-5)))),
)
days = st.none() | st.dates().map(lambda d: d.isoformat()) | st.dates()
notes = st.lists(st.tuples(texts, stamps, texts), max_size=3)
actions = st.tuples(
    texts, st.integers(), texts, days, days, days, st.sampled_from([s.value for s in Status]),
    st.none() | st.sampled_from([r.value for r in Rag]), maybe, maybe, maybe, maybe,
    st.integers(), stamps, stamps, maybe, maybe, maybe, st.lists(texts, max_size=3), notes,
)  # fmt: skip
events = st.tuples(stamps, texts, texts, maybe, st.none() | st.integers(), texts, maybe, maybe)


def written(value: Any, ascii_only: bool) -> str:
    out = io.StringIO()
    write_json(value, out, ascii_only=ascii_only)
    return out.getvalue()


def expected(value: Any, ascii_only: bool) -> str:
    return json.dumps(jsonable(value), indent=2, ensure_ascii=ascii_only)


@given(st.lists(actions, max_size=4), st.booleans())
def test_action_rows_read_as_their_records(rows: list[Any], ascii_only: bool) -> None:
    records = [action_record(row) for row in rows]
    lazy = {"actions": CellRows(iter(rows), ACTION_SHAPE)}
    assert written(lazy, ascii_only) == expected({"actions": records}, ascii_only)


@given(st.lists(events, max_size=4), st.booleans())
def test_audit_rows_read_as_their_records(rows: list[Any], ascii_only: bool) -> None:
    records = [audit_record(row) for row in rows]
    assert written(CellRows(iter(rows), AUDIT_SHAPE), ascii_only) == expected(records, ascii_only)


def test_shapes_follow_the_records_annotations() -> None:
    assert shape_of(ExportedNote) == (
        ("author", Cell.text),
        ("at", Cell.stamp),
        ("text", Cell.text),
    )
    assert ACTION_SHAPE[-1] == ("notes", shape_of(ExportedNote))
    with pytest.raises(TypeError):
        shape_of(dict)
