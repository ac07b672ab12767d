"""Reading trackers: headers, human values, UK dates, row validation (pure, no database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from improveplan.domain.vocab import Rag
from improveplan.io.tracker import (
    FIELDS,
    RowError,
    TrackerError,
    TrackerRow,
    check,
    header_key,
    parse_mapping,
    parse_table,
    read_tracker,
    validate_row,
)
from improveplan.io.tracker_values import BadCell, parse_recs, parse_status, parse_uk_date

HEADERS = {"title": "Action", "owner": "Lead officer", "due": "Due date"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/03/2025", dt.date(2025, 3, 31)),
        ("31/3/25", dt.date(2025, 3, 31)),
        ("1.4.2025", dt.date(2025, 4, 1)),
        ("31 March 2025", dt.date(2025, 3, 31)),
        ("31st Mar 2025", dt.date(2025, 3, 31)),
        ("3 Sept 24", dt.date(2024, 9, 3)),
        ("2025-03-31", dt.date(2025, 3, 31)),
        ("2025-03-31 00:00:00", dt.date(2025, 3, 31)),
        ("February 2024", dt.date(2024, 2, 29)),
        (dt.datetime(2025, 3, 31, 0, 0), dt.date(2025, 3, 31)),
        (dt.date(2025, 3, 31), dt.date(2025, 3, 31)),
    ],
)
def test_uk_dates(text: Any, expected: dt.date) -> None:
    assert parse_uk_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2025", "03/31/2025", "soon", "Smarch 2025", "2025-13-01"])
def test_impossible_dates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_uk_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("In progress", "in_progress"), ("Complete", "complete"), ("Not started", "not_started"),
     ("on hold", "blocked"), ("Signed off", "signed_off"), ("", "not_started"),
     ("CANCELLED", "cancelled"), ("in-progress", "in_progress")],
)  # fmt: skip
def test_statuses_as_people_write_them(text: str, expected: str) -> None:
    assert parse_status(text) == expected


def test_headers_compare_without_case_or_punctuation() -> None:
    assert header_key("Lead officer:") == "leadofficer"
    assert header_key("What?") == "what"
    assert header_key("#") == "#"
    assert parse_mapping(["Lead Officer=owner", "Notes=ignore"]) == {
        "leadofficer": "owner", "notes": "ignore",
    }  # fmt: skip
    with pytest.raises(TrackerError, match="is not a field"):
        parse_mapping(["Lead officer=boss"])
    with pytest.raises(TrackerError, match="is not HEADER=FIELD"):
        parse_mapping(["Lead officer"])


def test_recommendation_refs() -> None:
    assert parse_recs("R1, R2; r3") == ("R1", "R2", "r3")
    assert parse_recs("Recommendation 4 and Rec 5") == ("R4", "R5")
    assert parse_recs("") == ()


def test_validate_row_collects_every_reason() -> None:
    with pytest.raises(TrackerError) as caught:
        validate_row({"title": " ", "owner": "", "due": "31/02/2025", "status": "meh"}, 7, HEADERS)
    assert [str(e) for e in caught.value.errors] == [  # type: ignore[attr-defined]
        "row 7: missing title (Action)",
        "row 7: missing owner (Lead officer)",
        'row 7: impossible date "31/02/2025" in Due date (write 31/03/2025)',
        'row 7: unknown status "meh" in status (use Not started, In progress, Blocked,'
        " Complete, Signed off or Cancelled)",
    ]


def test_parse_table_finds_the_header_below_a_title_and_numbers_rows() -> None:
    table = [
        (1, ["Peterborough improvement plan", "", ""]),
        (2, ["No.", "What?", "Who?", "When?", "RAG", "Progress update", "Colour"]),
        (3, ["1.1", "Audit files", "Priya", "31/3/25", "Amber", "Going well", ""]),
        (4, ["", "", "", "", "", "", ""]),
        (5, ["1.1", "Again", "Tom", "1/4/25", "Purple", "", ""]),
    ]
    tracker = parse_table(table)
    assert tracker.columns == {
        "No.": "ref", "What?": "title", "Who?": "owner", "When?": "due", "RAG": "rag",
        "Progress update": "note",
    }  # fmt: skip
    assert tracker.ignored == ["Colour"]
    assert tracker.rows == [
        TrackerRow(row=3, ref="1.1", title="Audit files", owner="Priya",
                   due=dt.date(2025, 3, 31), rag=Rag.amber, note="Going well"),
    ]  # fmt: skip
    assert check(tracker) == [
        RowError(5, "duplicate ref 1.1 (also on row 3)"),
        RowError(5, 'unknown RAG "Purple" in RAG (use Red, Amber, Green or Blue)'),
    ]


def test_missing_owner_column_is_reported_on_the_header_row() -> None:
    tracker = parse_table([(1, ["Ref", "Action", "Due"]), (2, ["1", "x", "1/1/25"])])
    assert [str(e) for e in tracker.errors] == [
        'row 1: no owner column — name one with --map "Your header=owner"'
    ]
    mapped = parse_table(
        [(1, ["Ref", "Action", "Due", "Manager"]), (2, ["1", "x", "1/1/25", "Sam"])],
        {"manager": "owner"},
    )
    assert mapped.errors == [] and mapped.rows[0].owner == "Sam"


def test_read_csv_in_windows_encoding_with_semicolons(tmp_path: Path) -> None:
    """No longer guessed: a file that is not UTF-8 is read as cp1252 only when told
    (it used to fall back silently, garbling any UTF-8 file with one stray byte)."""
    path = tmp_path / "t.csv"
    path.write_bytes("Action;Owner;Deadline\nCafé review;Zoë;31/3/25\n".encode("cp1252"))
    with pytest.raises(
        TrackerError, match=r"^t\.csv row 2 is not UTF-8 \(byte 0xe9 at offset 25\)$"
    ):
        read_tracker(path, fmt="csv")
    tracker = read_tracker(path, fmt="csv", encoding="cp1252")
    assert tracker.errors == []
    assert (tracker.rows[0].title, tracker.rows[0].owner) == ("Café review", "Zoë")


def test_read_xlsx_with_real_date_cells(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Ref", "Action", "Lead officer", "Target date", "Status"])
    sheet.append([3, "Audit", "Priya", dt.datetime(2025, 3, 31), "Complete"])
    sheet.append([2.4, "Train", "Tom", "31 March 2025", None])
    path = tmp_path / "t.xlsx"
    book.save(path)
    tracker = read_tracker(path, fmt="xlsx")
    assert tracker.errors == []
    assert [(r.ref, r.due, r.status) for r in tracker.rows] == [
        ("3", dt.date(2025, 3, 31), "complete"), ("2.4", dt.date(2025, 3, 31), "not_started"),
    ]  # fmt: skip


def test_unreadable_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_text("not a zip")
    with pytest.raises(TrackerError, match=r"cannot read t\.xlsx as an Excel workbook"):
        read_tracker(path, fmt="xlsx")


CELLS = st.one_of(
    st.none(), st.text(max_size=40), st.integers(), st.floats(allow_nan=True),
    st.dates(), st.datetimes(), st.booleans(),
    st.builds(BadCell, ref=st.just("C7"), shown=st.sampled_from(["#REF!", "3000000"]),
              date_serial=st.booleans()),
)  # fmt: skip


def test_a_bad_cell_is_one_reason_among_the_rows_others() -> None:
    """A formula error or an impossible date serial is listed with its cell, not read as
    text ("#REF!" an impossible date) nor as a blank (a missing title)."""
    cells = {
        "title": BadCell(ref="B7", shown="#N/A"),
        "owner": "",
        "due": BadCell(ref="D7", shown="2958466", date_serial=True),
        "status": "meh",
    }
    with pytest.raises(TrackerError) as caught:
        validate_row(cells, 7, HEADERS)
    assert [str(e) for e in caught.value.errors] == [  # type: ignore[attr-defined]
        "row 7: formula error #N/A in Action (cell B7: correct the formula, or type the value)",
        "row 7: 2958466 in Due date (cell D7) is not a date Excel can show (type the date, e.g."
        " 31/03/2025)",
        "row 7: missing owner (Lead officer)",
        'row 7: unknown status "meh" in status (use Not started, In progress, Blocked,'
        " Complete, Signed off or Cancelled)",
    ]


@settings(max_examples=300)
@given(st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, CELLS)), st.integers(2, 10**6))
def test_fuzz_rows_only_ever_fail_validation(cells: dict[str, Any], row: int) -> None:
    try:
        parsed = validate_row(cells, row, HEADERS)
    except TrackerError as exc:
        assert all(e.row == row for e in exc.errors)  # type: ignore[attr-defined]
    else:
        assert parsed.title and parsed.owner and isinstance(parsed.due, dt.date)


@settings(max_examples=100)
@given(st.lists(st.lists(st.text(max_size=12), max_size=8), max_size=8))
def test_fuzz_tables_never_raise(table: list[list[str]]) -> None:
    tracker = parse_table(list(enumerate(table, 1)))
    assert all(isinstance(e, RowError) for e in tracker.errors)
    assert all(isinstance(e, RowError) for e in check(tracker, taken=["1"], plan="P"))
