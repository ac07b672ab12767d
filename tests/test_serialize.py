"""The serializer: field order is key order; renamed, hidden and omit-when-None fields."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from improveplan.domain.vocab import Rag
from improveplan.serialize import as_record, dumps, json_field, jsonable, record_keys


@dataclass(frozen=True, slots=True, kw_only=True)
class Inner:
    rag: Rag
    day: dt.date


@dataclass(frozen=True, slots=True, kw_only=True)
class Outer:
    name: str
    source: str = json_field(key="from")
    secret: int = json_field(hidden=True, default=0)
    inner: list[Inner]
    note: str | None = None
    counts: dict[str, int] | None = json_field(omit_none=True, default=None)  # noqa: RUF009


def sample(counts: dict[str, int] | None = None, note: str | None = None) -> Outer:
    inner = [Inner(rag=Rag.red, day=dt.date(2025, 3, 31))]
    return Outer(name="x", source="y", secret=7, inner=inner, note=note, counts=counts)


def test_keys_in_field_order_renamed_and_hidden() -> None:
    assert list(jsonable(sample(counts={"a": 1}))) == ["name", "from", "inner", "note", "counts"]
    assert record_keys(Outer) == ("name", "from", "inner", "note", "counts")
    assert jsonable(sample())["inner"] == [{"rag": "red", "day": "2025-03-31"}]


def test_omit_none_leaves_the_key_out_only_while_none() -> None:
    without = jsonable(sample())
    assert "counts" not in without
    assert without["note"] is None  # an ordinary None field is still written as null
    assert jsonable(sample(counts={}))["counts"] == {}  # empty is not None
    assert jsonable(sample(counts={"overdue": 3}))["counts"] == {"overdue": 3}


def test_as_record_follows_the_same_rules() -> None:
    assert list(as_record(sample())) == ["name", "from", "inner", "note"]
    assert as_record(sample(counts={"a": 1}))["counts"] == {"a": 1}
    assert as_record({"k": 1}) == {"k": 1}


def test_dumps_is_two_space_json_keeping_utf8() -> None:
    text = dumps(sample(note="café"))
    assert json.loads(text)["note"] == "café"
    assert '\n  "name": "x",' in text
