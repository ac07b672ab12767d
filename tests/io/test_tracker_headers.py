"""Which unread tracker headers look like a field, and the synonyms every council uses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improveplan.io.tracker import parse_table
from improveplan.io.tracker_headers import looks_like


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Ofsted rec. ref no", "recommendations"),
        ("Recommendations (2023 report)", "recommendations"),
        ("Officer responsible (2024)", "owner"),
        ("Revised due date", "due"),
        ("RAG (last month)", "rag"),
        ("Current RAG status", "rag"),
        ("Last updated", "note"),
        ("Board milestone", "milestone"),
        ("Colour", None),
        ("Direction of travel", None),
        ("Recorded by", None),
        ("", None),
    ],
)
def test_looks_like(header: str, field: str | None) -> None:
    assert looks_like(header) == field


@given(st.text(max_size=60))
def test_looks_like_never_raises(header: str) -> None:
    assert looks_like(header) in {None, "recommendations", "rag", "status", "owner", "due",
                                  "theme", "note", "milestone", "ref"}  # fmt: skip


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Ofsted Rec", "recommendations"), ("Ofsted recommendation", "recommendations"),
        ("Rec no", "recommendations"), ("Recommendation ref", "recommendations"),
        ("Lead", "owner"), ("Responsible officer", "owner"), ("Timescale", "due"),
        ("Target date", "due"), ("RAG rating", "rag"), ("Status (RAG)", "rag"),
        ("Comments", "note"), ("Progress", "note"),
    ],
)  # fmt: skip
def test_the_synonyms_trackers_use(header: str, field: str) -> None:
    base = [h for h, f in (("Action", "title"), ("Owner", "owner"), ("Due", "due")) if f != field]
    tracker = parse_table([(1, [*base, header])])
    assert tracker.errors == []
    assert tracker.columns.get(header) == field
    assert tracker.warnings == [] and tracker.ignored == []


def test_an_unread_lookalike_is_a_warning_not_an_ignored_column() -> None:
    tracker = parse_table([(1, ["Action", "Owner", "Due", "Ofsted ref. 2023", "Colour"])])
    assert tracker.ignored == ["Colour"]
    assert tracker.warnings == [
        'column "Ofsted ref. 2023" was not read, though it looks like the recommendations — to read'
        ' it, add --map "Ofsted ref. 2023=recommendations"; to silence this, --map "Ofsted ref. 2023=ignore"'
    ]
