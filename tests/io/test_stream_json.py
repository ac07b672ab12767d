"""The streamed JSON writer gives the one serializer's text, byte for byte."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.records import ActionRow, MilestoneAtRisk
from improveplan.domain.vocab import Area, Grade, InspectionType, Rag, Status
from improveplan.io.export_json import ExportedInspection
from improveplan.io.stream_json import write_json
from improveplan.serialize import dumps, jsonable

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.dates(),
    st.datetimes(timezones=st.just(dt.UTC)),
    st.sampled_from(list(Rag)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=25,
)


def streamed(value: Any, *, ascii_only: bool = False) -> str:
    out = io.StringIO()
    write_json(value, out, ascii_only=ascii_only)
    return out.getvalue()


def expected(value: Any, *, ascii_only: bool = False) -> str:
    return json.dumps(jsonable(value), indent=2, ensure_ascii=ascii_only)


@given(values, st.booleans())
def test_any_json_value_reads_as_the_serializer_writes_it(value: Any, ascii_only: bool) -> None:
    assert streamed(value, ascii_only=ascii_only) == expected(value, ascii_only=ascii_only)


def row(n: int, recs: list[str]) -> ActionRow:
    return ActionRow(
        ref=str(n), title=f"Audit «{n}» \"quoted\"\n", owner=None if n % 2 else "Tom",
        due=dt.date(2025, 1, n % 28 + 1), original_due=None, status=Status.blocked,
        rag=Rag.red, rag_computed=None, days_overdue=n, recommendations=recs,
        theme="Early help", milestone=None, version=1,
        updated_at=dt.datetime(2025, 1, 2, 3, 4, 5, 678, tzinfo=dt.UTC), id=n, seq=n,
    )  # fmt: skip


@given(st.lists(st.lists(st.sampled_from(["R1", "R2", "R10"]), max_size=3), max_size=5))
def test_rows_from_an_iterator_read_as_a_list_of_them(recs: list[list[str]]) -> None:
    rows = [row(n, r) for n, r in enumerate(recs, 1)]
    at_risk = [MilestoneAtRisk(name="Board", date=dt.date(2025, 5, 1), open_actions=["1"])]
    document = {"as_of": dt.date(2025, 3, 31), "overdue": rows, "at_risk": at_risk}
    lazy = {**document, "overdue": iter(rows)}
    assert streamed(lazy) == dumps(document)
    assert streamed(iter(rows)) == dumps(rows)


def test_omitted_fields_enum_keys_and_nested_dataclasses() -> None:
    inspection = ExportedInspection(
        number=1, type=next(iter(InspectionType)),
        start=None, end=None, received=None, published=None, lead_inspector="A. Person",
        lscb_recommendations=None,
        created_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        judgements={next(iter(Area)): next(iter(Grade))},
    )  # fmt: skip
    at_risk = MilestoneAtRisk(name="x", date=dt.date(2025, 1, 1), open_actions=[], open_count=3)
    cases: list[tuple[Any, Any]] = [
        ([inspection], [inspection]),
        ([at_risk], [at_risk]),
        ({"a": iter([at_risk, inspection])}, {"a": [at_risk, inspection]}),
        (iter([]), []),
    ]
    for value, listed in cases:
        assert streamed(value) == dumps(listed)
