"""Tracker files that cannot be read faithfully are refused, naming the row (no database).

Each file is built here: CSV bytes by hand, workbooks with openpyxl and then damaged with
zipfile (`tests/trackers.py`).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improveplan.io.tracker import read_tracker
from improveplan.io.tracker_files import MAX_UNPACKED, csv_rows, decode, xlsx_rows
from improveplan.io.tracker_values import BadCell, TrackerError
from tests.trackers import EXTERNAL, LAUGHS, SHEET, rewrite, set_cell, with_dtd, workbook

RESAVE = "open it in Excel, save it again as .xlsx (or CSV UTF-8) and import that"


def refused(path: Path, fmt: str = "csv", encoding: str | None = None) -> str:
    """The one line a file is refused with: `what — todo`."""
    with pytest.raises(TrackerError) as caught:
        read_tracker(path, fmt=fmt, encoding=encoding)
    return f"{caught.value.what} — {caught.value.todo}"


def csv_file(tmp_path: Path, data: bytes, name: str = "tracker.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# CSV: encodings


def test_utf8_with_and_without_a_bom_and_utf16_with_its_bom(tmp_path: Path) -> None:
    text = "Action,Owner,Due\nRevue de Siân,Siân Jones,31/3/25\n"
    for data in (text.encode(), b"\xef\xbb\xbf" + text.encode(), text.encode("utf-16")):
        rows = csv_rows(csv_file(tmp_path, data))
        assert rows == [
            (1, ["Action", "Owner", "Due"]),
            (2, ["Revue de Siân", "Siân Jones", "31/3/25"]),
        ]


def test_a_stray_byte_is_refused_naming_its_row_and_offset(tmp_path: Path) -> None:
    lines = ["Ref,Action,Owner,Due"] + [f"{n},Visit,Siân Jones,31/3/25" for n in range(1, 20)]
    data = "\n".join(lines).encode()
    at = data.index(b"13,Visit") + 3  # row 14 (the header is row 1)
    path = csv_file(tmp_path, data[:at] + b"\xe2" + data[at:])
    assert refused(path) == (
        f"tracker.csv row 14 is not UTF-8 (byte 0xe2 at offset {at}) — save it as UTF-8, or"
        " give --encoding cp1252"
    )


def test_windows_encoding_needs_encoding(tmp_path: Path) -> None:
    """Excel's older "CSV (Comma delimited)" is cp1252: refused as UTF-8, read as told."""
    path = csv_file(tmp_path, "Action;Owner;Deadline\nCafé review;Zoë;31/3/25\n".encode("cp1252"))
    assert refused(path) == (
        "tracker.csv row 2 is not UTF-8 (byte 0xe9 at offset 25) — save it as UTF-8, or give"
        " --encoding cp1252"
    )
    tracker = read_tracker(path, fmt="csv", encoding="cp1252")
    assert [(r.title, r.owner) for r in tracker.rows] == [("Café review", "Zoë")]


def test_a_byte_not_in_the_given_encoding_is_refused(tmp_path: Path) -> None:
    path = csv_file(tmp_path, b"Action,Owner,Due\nA,B,1/1/25\nx\x81,B,1/1/25\n")
    assert refused(path, encoding="cp1252") == (
        "tracker.csv row 3 is not cp1252 (byte 0x81 at offset 29) — save it as UTF-8, or give"
        " the --encoding it was saved in"
    )


def test_a_row_spanning_lines_is_one_row(tmp_path: Path) -> None:
    """Rows are records: a cell holding line breaks does not move the count on."""
    data = b'Action,Owner,Due\n"Line one\nline two\nline three",Sam,1/1/25\nB\xff,Sam,1/1/25\n'
    assert refused(csv_file(tmp_path, data)).startswith("tracker.csv row 3 is not UTF-8 (byte 0xff")


ROW_TEXT = st.text(st.characters(codec="utf-8", exclude_characters='"\r\n\x00,;\t'))


@given(
    st.lists(st.lists(ROW_TEXT, min_size=1, max_size=4), min_size=1, max_size=12),
    st.data(),
)
def test_fuzz_the_row_and_offset_of_a_stray_byte(
    rows: list[list[str]], data: st.DataObject
) -> None:
    texts = [",".join(cells) for cells in rows]
    lines = [text.encode() for text in texts]
    row = data.draw(st.integers(0, len(lines) - 1))
    column = data.draw(st.integers(0, len(texts[row])))  # between two characters
    at = sum(len(line) + 1 for line in lines[:row]) + len(texts[row][:column].encode())
    raw = b"\n".join(lines)
    damaged = raw[:at] + b"\xff" + raw[at:]
    assert decode("t.csv", raw, None) == raw.decode()
    with pytest.raises(TrackerError) as caught:
        decode("t.csv", damaged, None)
    assert caught.value.what == f"t.csv row {row + 1} is not UTF-8 (byte 0xff at offset {at})"


# CSV: malformed


def test_a_nul_byte_is_refused_naming_its_row(tmp_path: Path) -> None:
    path = csv_file(tmp_path, b"Ref,Action,Owner,Due\n1,A,Sam,1/1/25\n2,B\x00,Sam,1/1/25\n")
    assert refused(path) == (
        "tracker.csv row 3 holds a NUL character, so it is not a text file — save it as CSV"
        " UTF-8, or give --encoding utf-16 if it is Unicode text"
    )


def test_a_quote_never_closed_is_refused_naming_its_row(tmp_path: Path) -> None:
    """It would swallow every line after it into one title."""
    path = csv_file(
        tmp_path, b'Ref,Action,Owner,Due\n1,A,Sam,1/1/25\n2,"B,Sam,1/1/25\n3,C,Sam,1/1/25\n'
    )
    assert refused(path) == (
        'tracker.csv row 3 opens a quote (") that is never closed, so the rest of the file'
        " would be one cell — close the quote, or save the file again from the spreadsheet"
    )


def test_quotes_that_close_are_read_as_before(tmp_path: Path) -> None:
    data = b'Action,Owner,Due\n"Say ""hi""",Sam,1/1/25\nbare"quote,Sam,1/1/25\n"a"b,Sam,1/1/25\n'
    assert [cells for _, cells in csv_rows(csv_file(tmp_path, data))][1:] == [
        ['Say "hi"', "Sam", "1/1/25"], ['bare"quote', "Sam", "1/1/25"], ["ab", "Sam", "1/1/25"],
    ]  # fmt: skip


def test_a_cell_over_the_field_limit_is_refused_naming_its_row(tmp_path: Path) -> None:
    huge = b"x" * (csv.field_size_limit() + 1)
    path = csv_file(
        tmp_path, b'Ref,Action,Owner,Due\n1,A,Sam,1/1/25\n2,"' + huge + b'",Sam,1/1/25\n'
    )
    assert refused(path) == (
        f"tracker.csv row 3 has a cell longer than {csv.field_size_limit():,} characters — close"
        ' the quote (") that opens it if it is never closed, or shorten the cell'
    )


def test_a_workbook_named_csv_is_refused(tmp_path: Path) -> None:
    book = workbook(tmp_path / "t.xlsx")
    path = csv_file(tmp_path, book.read_bytes())
    assert refused(path) == "tracker.csv is an Excel workbook (.xlsx), not CSV — give --format xlsx"


def test_an_xls_or_a_password_protected_workbook_is_refused(tmp_path: Path) -> None:
    """Both are OLE compound files, not zips: openpyxl reads neither."""
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    expected = (
        "is an Excel 97-2003 workbook (.xls) or one protected by a password — save it in"
        " Excel as an .xlsx workbook without a password and import that"
    )
    assert refused(csv_file(tmp_path, ole)) == f"tracker.csv {expected}"
    assert refused(csv_file(tmp_path, ole, "tracker.xlsx"), "xlsx") == f"tracker.xlsx {expected}"


# XLSX: damaged packages


def test_a_truncated_workbook_or_a_zip_of_something_else_is_refused(tmp_path: Path) -> None:
    book = workbook(tmp_path / "tracker.xlsx")
    data = book.read_bytes()
    book.write_bytes(data[: len(data) // 2])
    expected = f"cannot read tracker.xlsx as an Excel workbook (.xlsx) — {RESAVE}"
    assert refused(book, "xlsx") == expected
    with zipfile.ZipFile(book, "w") as package:
        package.writestr("notes.txt", "not a workbook")
    assert refused(book, "xlsx") == expected


def test_a_sheet_cut_short_is_refused_naming_the_last_row_read(tmp_path: Path) -> None:
    book = rewrite(
        workbook(tmp_path / "tracker.xlsx"), SHEET, lambda xml: xml[: xml.index(b'<row r="4"') + 20]
    )
    assert refused(book, "xlsx").startswith("tracker.xlsx: the sheet cannot be read after row 3 (")


@pytest.mark.parametrize(
    ("ref", "xml", "detail"),
    [
        ("D3", '<c r="D3" t="d"><v>2025-02-31</v></c>', "day is out of range for month"),
        (
            "D3",
            '<c r="D3" t="n"><v>12abc</v></c>',
            "invalid literal for int() with base 10: '12abc'",
        ),
        ("B3", '<c r="B3" t="s"><v>999</v></c>', "list index out of range"),
    ],
)
def test_a_cell_excel_never_writes_is_refused_after_the_row_before(
    tmp_path: Path, ref: str, xml: str, detail: str
) -> None:
    book = set_cell(workbook(tmp_path / "tracker.xlsx"), ref, xml)
    assert refused(book, "xlsx") == (
        f"tracker.xlsx: the sheet cannot be read after row 2 ({detail}) — {RESAVE}"
    )


@pytest.mark.parametrize(("dtd", "entity"), [(LAUGHS, "lol9"), (EXTERNAL, "secret")])
def test_entities_are_refused_before_they_are_parsed(
    tmp_path: Path, dtd: bytes, entity: str
) -> None:
    book = with_dtd(workbook(tmp_path / "tracker.xlsx"), dtd, entity)
    assert refused(book, "xlsx") == (
        "tracker.xlsx declares XML entities in xl/worksheets/sheet1.xml, which Excel never"
        f" writes — {RESAVE}"
    )


@pytest.mark.parametrize("defused", ["True", "False"])
def test_entities_are_refused_with_or_without_defusedxml(tmp_path: Path, defused: str) -> None:
    """openpyxl parses with defusedxml only when it is installed (fpdf2 brings it to the
    tests, nothing to an installed improveplan): the refusal must not depend on it."""
    book = with_dtd(workbook(tmp_path / "tracker.xlsx"), LAUGHS, "lol9")
    script = (
        "import sys, openpyxl\n"
        "from improveplan.io.tracker_files import xlsx_rows\n"
        "from improveplan.io.tracker_values import TrackerError\n"
        "try:\n    xlsx_rows(__import__('pathlib').Path(sys.argv[1]))\n"
        "except TrackerError as exc:\n    print(openpyxl.DEFUSEDXML, exc.what)\n"
    )
    env = {**os.environ, "OPENPYXL_DEFUSEDXML": defused}
    done = subprocess.run(
        [sys.executable, "-c", script, str(book)], env=env, capture_output=True, text=True
    )
    assert (done.stdout, done.stderr) == (
        f"{defused} tracker.xlsx declares XML entities in xl/worksheets/sheet1.xml, which Excel"
        " never writes\n",
        "",
    )


def test_a_package_that_unpacks_too_large_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = workbook(tmp_path / "tracker.xlsx")
    monkeypatch.setattr("improveplan.io.tracker_files.MAX_UNPACKED", 1000)
    with pytest.raises(TrackerError, match=r"tracker\.xlsx unpacks to more than 0 MiB"):
        xlsx_rows(book)
    assert MAX_UNPACKED == 1 << 30


# XLSX: cells with no value


def test_error_cells_and_impossible_dates_become_bad_cells(tmp_path: Path) -> None:
    book = workbook(tmp_path / "tracker.xlsx")
    set_cell(book, "D2", '<c r="D2" s="1" t="n"><v>99999999</v></c>')
    set_cell(book, "B3", '<c r="B3" t="e"><f>VLOOKUP(A3,X!A:B,2,0)</f><v>#N/A</v></c>')
    set_cell(book, "D4", '<c r="D4" s="1" t="e"><f>A1+#REF!</f><v>#REF!</v></c>')
    rows = xlsx_rows(book)
    assert [row[1] for _, row in rows[1:]] == [
        "Audit supervision", BadCell(ref="B3", shown="#N/A"), "Review caseloads",
    ]  # fmt: skip
    assert [row[3] for _, row in rows[1:]][::2] == [
        BadCell(ref="D2", shown="99999999", date_serial=True), BadCell(ref="D4", shown="#REF!"),
    ]  # fmt: skip
