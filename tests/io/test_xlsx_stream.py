"""The streamed XLSX writer gives the bytes openpyxl's write-only mode gives.

The reference is openpyxl itself, driven the way `export --format xlsx` drove it before
(a WriteOnlyCell for each date and each RAG fill, plain values otherwise); hypothesis
makes the rows, with the values a sheet can hold and the ones that trip writers up:
empty text, spaces at the ends, error codes, large and small numbers, old dates.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from improveplan.io.xlsx_stream import write_sheets

FILLS = {"red": "FFC7CE", "amber": "FFEB9C", "green": "C6EFCE", "blue": "BDD7EE"}
STAMP = re.compile(r"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")
Book = Mapping[str, tuple[Sequence[str], list[list[Any]]]]


def reference(path: Path, book: Book) -> None:
    """openpyxl's write-only workbook, as the export wrote it before."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    fills = {rag: PatternFill("solid", fgColor=colour) for rag, colour in FILLS.items()}
    for title, (columns, rows) in book.items():
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        header = []
        for name in columns:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for values in rows:
            row: list[Any] = []
            for i, value in enumerate(values):
                if isinstance(value, dt.date):
                    cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
                    cell.number_format = (
                        "dd/mm/yyyy" if type(value) is dt.date else "dd/mm/yyyy hh:mm"
                    )
                    row.append(cell)
                elif columns[i] == "rag" and value in fills:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.fill = fills[value]
                    row.append(cell)
                else:
                    row.append(value)
            sheet.append(row)
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    workbook.save(path)


def _as_given(columns: Sequence[str]) -> Callable[[object], Sequence[Any]]:
    def row(item: object) -> Sequence[Any]:
        assert isinstance(item, list)
        return item

    return row


def streamed(path: Path, book: Book) -> None:
    write_sheets(path, book, values=_as_given, rag_columns=("rag",), fills=FILLS)


def parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as book:
        return {name: STAMP.sub("", book.read(name).decode()) for name in book.namelist()}


# Text reaches the writer neutralised (io/export_tabular.py cell_value puts a quote before
# a leading "="): openpyxl would take "=0" for a formula, and the writer never sees one.
texts = st.one_of(
    st.sampled_from(["", " ", " padded ", "#N/A", "#DIV/0!", "red", "amber", "a & b <c>"]),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12
    ).filter(lambda text: not (len(text) > 1 and text.startswith("="))),
)
values = st.one_of(
    st.none(),
    texts,
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.dates(min_value=dt.date(1900, 3, 1)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1)),
)
COLUMNS = ("ref", "rag", "when", "text")
sheets = st.lists(st.lists(values, min_size=4, max_size=4), max_size=6)


@settings(max_examples=60, deadline=None)
@given(first=sheets, second=sheets)
def test_the_streamed_workbook_is_openpyxls(
    first: list[list[Any]], second: list[list[Any]], tmp_path_factory: Any
) -> None:
    folder = tmp_path_factory.mktemp("xlsx")
    book = {"Actions": (COLUMNS, first), "Audit": (COLUMNS, second)}
    reference(folder / "reference.xlsx", book)
    streamed(folder / "streamed.xlsx", book)
    assert parts(folder / "streamed.xlsx") == parts(folder / "reference.xlsx")


def test_a_workbook_opens_with_its_dates_fills_and_filters(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    rows: list[list[Any]] = [
        ["1", "red", dt.date(2025, 3, 31), " spaced "],
        ["2", "blue", None, "#N/A"],
    ]
    streamed(tmp_path / "book.xlsx", {"Actions": (COLUMNS, rows)})
    sheet = load_workbook(tmp_path / "book.xlsx")["Actions"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        list(COLUMNS),
        ["1", "red", dt.datetime(2025, 3, 31), " spaced "],
        ["2", "blue", None, "#N/A"],
    ]
    assert sheet["C2"].number_format == "dd/mm/yyyy"
    assert sheet["B2"].fill.fgColor.rgb == "00FFC7CE"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D3"


def test_the_workbook_is_dated_by_the_commands_clock(tmp_path: Path) -> None:
    """openpyxl dates a workbook and its zip's parts by the wall clock; given `made`, all
    are it (the zip keeps even seconds), so one database at one moment exports to the
    same bytes."""
    made = dt.datetime(2025, 6, 1, 9, 30, 5, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    book: Book = {"Actions": (COLUMNS, [["A1", "red", dt.date(2025, 1, 2), "x"]])}
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for path in (first, second):
        write_sheets(path, book, values=_as_given, rag_columns=("rag",), fills=FILLS, made=made)
    with zipfile.ZipFile(first) as written:
        core = written.read("docProps/core.xml").decode()
        assert {info.date_time for info in written.infolist()} == {(2025, 6, 1, 8, 30, 4)}
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core) == [
        "2025-06-01T08:30:05Z",
        "2025-06-01T08:30:05Z",
    ]
    assert first.read_bytes() == second.read_bytes()
