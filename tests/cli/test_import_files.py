"""import FILE: a tracker that cannot be read faithfully is one error line, nothing written.

Encodings (UTF-8 unless --encoding says otherwise), malformed CSV (a NUL, a quote never
closed, a cell over csv's field limit) and damaged or hostile workbooks (cut short, not a
workbook, entities, formula errors, impossible date serials), on both databases. The
files are built here (`tests/trackers.py` damages openpyxl's workbooks with zipfile).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Invoke, sql
from tests.trackers import LAUGHS, SHEET, rewrite, set_cell, with_dtd, workbook

TODAY = {"IMPROVEPLAN_TODAY": "2024-06-01"}
TABLES = ("action", "person", "theme", "recommendation", "progress_note", "audit_event")
RESAVE = "open it in Excel, save it again as .xlsx (or CSV UTF-8) and import that"


def counts(url: str) -> dict[str, int]:
    return {t: int(sql(url, f"SELECT count(*) FROM {t}")[0][0]) for t in TABLES}


def refused(plan_run: Invoke, db_url: str, path: Path, *args: str) -> str:
    """Import `path`: exit 1, nothing on stdout, nothing written; returns stderr."""
    before = counts(db_url)
    result = plan_run("import", str(path), *args, env=TODAY)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert counts(db_url) == before
    return result.stderr


def siân_tracker(rows: int = 20) -> str:
    lines = ["Ref,Action,Owner,Due"]
    lines += [f"{n},Review of Siân’s cases,Siân Jones,31/03/2025" for n in range(1, rows)]
    return "\n".join(lines) + "\n"


def test_one_stray_byte_refuses_the_file_instead_of_garbling_it(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    """It used to be read whole as cp1252: "Siân" became a new person "SiÃ¢n", exit 0."""
    data = siân_tracker().encode()
    at = data.index(b"13,Review") + 3  # in row 14: the header is row 1
    path = tmp_path / "tracker.csv"
    path.write_bytes(data[:at] + b"\xe2" + data[at:])
    assert refused(plan_run, db_url, path) == (
        f"Error: tracker.csv row 14 is not UTF-8 (byte 0xe2 at offset {at}) — save it as UTF-8,"
        " or give --encoding cp1252\n"
    )


def test_utf8_and_told_cp1252_both_import_the_same_names(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    utf8 = tmp_path / "utf8.csv"
    utf8.write_text(siân_tracker(3), encoding="utf-8-sig")
    assert plan_run("import", str(utf8), env=TODAY).exit_code == 0
    windows = tmp_path / "windows.csv"
    windows.write_bytes(siân_tracker(3).replace("1,", "11,").replace("2,", "12,").encode("cp1252"))
    result = plan_run("import", str(windows), "--encoding", "CP1252", env=TODAY)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith('Imported 2 actions into plan "Peterborough" from windows.csv.')
    assert sql(db_url, "SELECT name FROM person ORDER BY id") == [
        ("Priya Natarajan",), ("Tom Okafor",), ("Siân Jones",),
    ]  # fmt: skip
    titles = sql(db_url, "SELECT DISTINCT title FROM action")
    assert titles == [("Review of Siân’s cases",)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--encoding", "klingon"), """Invalid value for '--encoding': "klingon" is not a text"""
         " encoding (e.g. utf-8, cp1252, utf-16)"),
        (("--encoding", "hex"), """Invalid value for '--encoding': "hex" is not a text"""
         " encoding (e.g. utf-8, cp1252, utf-16)"),
        (("--encoding", "cp1252", "--format", "xlsx"),
         "--encoding is for CSV trackers (XLSX and JSON files say their own)"),
    ],
)  # fmt: skip
def test_encoding_must_be_a_text_encoding_for_a_csv(
    plan_run: Invoke, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    path = tmp_path / "tracker.csv"
    path.write_text(siân_tracker(3), encoding="utf-8")
    result = plan_run("import", str(path), *args)
    assert result.exit_code == 2
    assert result.stderr.endswith(f"\nError: {message}\n")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Ref,Action,Owner,Due\n1,A,Tom Okafor,1/7/24\n2,B\x00,Tom Okafor,1/7/24\n",
         "tracker.csv row 3 holds a NUL character, so it is not a text file — save it as CSV"
         " UTF-8, or give --encoding utf-16 if it is Unicode text"),
        (b'Ref,Action,Owner,Due\n1,A,Tom Okafor,1/7/24\n2,"B,Tom Okafor,1/7/24\n3,C,Tom Okafor,1/7/24\n',
         'tracker.csv row 3 opens a quote (") that is never closed, so the rest of the file'
         " would be one cell — close the quote, or save the file again from the spreadsheet"),
        (b'Ref,Action,Owner,Due\n1,A,Tom Okafor,1/7/24\n2,"' + b"x" * 200_000 + b'",Tom Okafor,1/7/24\n',
         f"tracker.csv row 3 has a cell longer than {csv.field_size_limit():,} characters — close"
         ' the quote (") that opens it if it is never closed, or shorten the cell'),
    ],
    ids=["nul", "unclosed-quote", "field-limit"],
)  # fmt: skip
def test_malformed_csv_is_one_line_naming_the_row(
    plan_run: Invoke, db_url: str, tmp_path: Path, data: bytes, message: str
) -> None:
    path = tmp_path / "tracker.csv"
    path.write_bytes(data)
    assert refused(plan_run, db_url, path) == f"Error: {message}\n"


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _not_a_workbook(path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w") as package:
        package.writestr("minutes.txt", "Minutes of the improvement board")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_truncated, f"cannot read tracker.xlsx as an Excel workbook (.xlsx) — {RESAVE}"),
        (_not_a_workbook, f"cannot read tracker.xlsx as an Excel workbook (.xlsx) — {RESAVE}"),
        (lambda p: with_dtd(p, LAUGHS, "lol9"),
         "tracker.xlsx declares XML entities in xl/worksheets/sheet1.xml, which Excel never"
         f" writes — {RESAVE}"),
        (lambda p: rewrite(p, SHEET, lambda xml: xml[: xml.index(b'<row r="4"') + 20]),
         "tracker.xlsx: the sheet cannot be read after row 3 (unclosed token: line 1, column"),
        (lambda p: set_cell(p, "D3", '<c r="D3" t="d"><v>2025-02-31</v></c>'),
         f"tracker.xlsx: the sheet cannot be read after row 2 (day is out of range for month) — {RESAVE}"),
    ],
    ids=["truncated", "not-a-workbook", "billion-laughs", "sheet-cut-short", "bad-iso-date"],
)  # fmt: skip
def test_a_damaged_workbook_is_one_line(
    plan_run: Invoke, db_url: str, tmp_path: Path, damage: object, message: str
) -> None:
    path = workbook(tmp_path / "tracker.xlsx")
    damage(path)  # type: ignore[operator]
    stderr = refused(plan_run, db_url, path)
    assert stderr.startswith(f"Error: {message}") and stderr.count("\n") == 1


def test_error_cells_and_impossible_dates_are_listed_by_row_and_cell(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    path = workbook(tmp_path / "tracker.xlsx")
    set_cell(path, "D2", '<c r="D2" s="1" t="n"><v>99999999</v></c>')
    set_cell(path, "B3", '<c r="B3" t="e"><f>VLOOKUP(A3,X!A:B,2,0)</f><v>#N/A</v></c>')
    set_cell(path, "D4", '<c r="D4" s="1" t="e"><f>A1+#REF!</f><v>#REF!</v></c>')
    assert refused(plan_run, db_url, path) == (
        "row 2: 99999999 in Due (cell D2) is not a date Excel can show (type the date, e.g."
        " 31/03/2025)\n"
        "row 3: formula error #N/A in Action (cell B3: correct the formula, or type the value)\n"
        "row 4: formula error #REF! in Due (cell D4: correct the formula, or type the value)\n"
        "Error: 3 bad rows in tracker.xlsx; nothing was imported — fix them (or use --map) and"
        " run the import again\n"
    )


def test_a_bad_cell_in_an_ignored_column_imports_quietly(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    """openpyxl warns of an impossible date serial on stderr (pytest would catch the
    warning, so this runs the real command); the column is not imported, so the import
    goes on and says only what it did."""
    path = set_cell(workbook(tmp_path / "tracker.xlsx"), "E3", '<c r="E3" s="1"><v>2958466</v></c>')
    set_cell(path, "E4", '<c r="E4" t="e"><v>#DIV/0!</v></c>')
    command = [sys.executable, "-m", "improveplan", "--db", db_url, "--user", "tester"]
    done = subprocess.run(
        [*command, "import", str(path), "--map", "Colour=ignore"],
        env={**os.environ, **TODAY},
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout) == (0, ""), done.stderr
    assert done.stderr == (
        'Imported 3 actions into plan "Peterborough" from tracker.xlsx.\n'
        "RAG overrides kept from the tracker: 0.\n"
        "Progress notes: 0.\n"
    )
    assert counts(db_url)["action"] == 3
