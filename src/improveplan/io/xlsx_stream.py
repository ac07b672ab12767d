"""The XLSX workbook written row by row as text, the same bytes openpyxl writes.

openpyxl's write-only mode builds a cell object and an XML element for every cell, which
was two thirds of `export --format xlsx` (three minutes at 100k actions). Here each sheet's
rows go out as the text openpyxl would give them, into a temporary file; openpyxl then
writes everything else — styles, theme, workbook, properties, each sheet's head and tail
— from a skeleton workbook that meets the same styles in the same order, so the style
numbers agree. tests/cli/test_streamed_outputs.py holds the two writers to the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, cast

# A cell's style: its number format (None: General), bold or not, its fill colour.
Style = tuple[str | None, bool, str | None]
HEADER: Style = (None, True, None)
DATE: Style = ("dd/mm/yyyy", False, None)
STAMP: Style = ("dd/mm/yyyy hh:mm", False, None)
# zlib's fastest level: ~300 MB of sheet XML at 100k actions deflated in a fraction of the
# default level's time, for a somewhat larger file. The parts' text is openpyxl's; their
# compressed bytes are not (tests compare the parts' XML, never the zip's bytes).
COMPRESS = 1
WRITE_EVERY = 256  # rows' text joined into one write
ERRORS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _number(value: float) -> str:
    return f"{value:.16g}"  # openpyxl's safe_string: 16 significant digits


_EPOCH = dt.datetime(1899, 12, 30)  # openpyxl's WINDOWS_EPOCH


def _serial(value: dt.datetime) -> str:
    """openpyxl's `to_excel` of a naive datetime, as text: the same arithmetic, inline."""
    days = (value - _EPOCH).days
    if 0 < days <= 60:  # the 1900 leap-year bug, as openpyxl keeps it
        days -= 1
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 10**6
    return _number(days + seconds / 86400)


class _Styles:
    """Styles in the order a sheet first uses them: openpyxl numbers them so."""

    def __init__(self) -> None:
        self.order: list[Style] = [(None, False, None)]
        self.ids: dict[Style, str] = {(None, False, None): "0"}

    def id(self, style: Style) -> str:
        found = self.ids.get(style)
        if found is None:
            found = self.ids[style] = str(len(self.order))
            self.order.append(style)
        return found


def _letters(count: int) -> list[str]:
    from openpyxl.utils import get_column_letter

    return [get_column_letter(i) for i in range(1, count + 1)]


class _SheetWriter:
    """One sheet's <row> elements, as openpyxl's cell writer would print them."""

    def __init__(self, out: IO[str], styles: _Styles, fills: Mapping[Any, str]) -> None:
        from openpyxl.utils.datetime import to_excel

        self.out, self.styles, self.fills = out, styles, fills
        self.to_excel = cast(Callable[[dt.date], float], to_excel)
        self.days: dict[dt.date, str] = {}

    def header(self, columns: Sequence[str], letters: Sequence[str]) -> None:
        bold = self.styles.id(HEADER)
        cells = (
            self._text(f'{letter}1" s="{bold}', name)
            for letter, name in zip(letters, columns, strict=False)
        )
        self.out.write(f'<row r="1">{"".join(cells)}</row>')

    def row(
        self, number: int, values: Sequence[Any], letters: Sequence[str], rag_at: frozenset[int]
    ) -> str:
        # One loop over the cells with each value's text picked by its exact type: a
        # 100k-action workbook has ~6M cells, and a call per cell was most of its time.
        # Plain text (no escape, no space at an end, no error code) is written inline.
        n = str(number)
        parts = ['<row r="', n, '">']
        add, text, styles = parts.append, self._text, self.styles
        for i, value in enumerate(values):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                fill = self.fills.get(value) if i in rag_at else None
                if fill:
                    add(text(f'{letters[i]}{n}" s="{styles.id((None, False, fill))}', value))
                elif value and not (
                    value[0].isspace() or value[-1].isspace() or value in ERRORS
                    or "&" in value or "<" in value or ">" in value
                ):  # fmt: skip
                    add(f'<c r="{letters[i]}{n}" t="inlineStr"><is><t>{value}</t></is></c>')
                else:
                    add(text(letters[i] + n, value))
            elif kind is dt.datetime:
                add(f'<c r="{letters[i]}{n}" s="{self.stamp}" t="n"><v>{_serial(value)}</v></c>')
            elif kind is dt.date:
                add(f'<c r="{letters[i]}{n}" s="{self.date}" t="n"><v>{self._day(value)}</v></c>')
            else:
                add(self._cell(letters[i] + n, value, i in rag_at))
        add("</row>")
        return "".join(parts)

    @property
    def stamp(self) -> str:
        return self.styles.id(STAMP)

    @property
    def date(self) -> str:
        return self.styles.id(DATE)

    def _day(self, value: dt.date) -> str:
        """A date's serial text, once per date (the sheets repeat few dates many times)."""
        found = self.days.get(value)
        if found is None:
            found = self.days[value] = _number(self.to_excel(value))
        return found

    def _cell(self, where: str, value: Any, rag: bool) -> str:
        if isinstance(value, str):
            fill = self.fills.get(value) if rag else None
            at = f'{where}" s="{self.styles.id((None, False, fill))}' if fill else where
            return self._text(at, value)
        if isinstance(value, dt.date):
            style = self.styles.id(STAMP if isinstance(value, dt.datetime) else DATE)
            return f'<c r="{where}" s="{style}" t="n"><v>{_number(self.to_excel(value))}</v></c>'
        return f'<c r="{where}" t="n"><v>{_number(value)}</v></c>'

    @staticmethod
    def _text(at: str, text: str) -> str:
        if text == "":
            return f'<c r="{at}" t="inlineStr" />'
        if text in ERRORS:
            return f'<c r="{at}" t="e"><v>{text}</v></c>'
        # Spaces kept when the text has some at an end and is not all space (as strip()
        # would tell, without a copy of every text); escapes only where there are any.
        space = (
            ' xml:space="preserve"'
            if (text[0].isspace() or text[-1].isspace()) and not text.isspace()
            else ""
        )
        if "&" in text or "<" in text or ">" in text:
            text = _escape(text)
        return f'<c r="{at}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


Row = Callable[[object], Sequence[Any]]


def write_sheets(
    path: Path,
    book: Mapping[str, tuple[Sequence[str], Iterable[object]]],
    *,
    values: Callable[[Sequence[str]], Row],
    rag_columns: Sequence[str],
    fills: Mapping[Any, str],
    made: dt.datetime | None = None,
) -> None:
    """Write `book` (sheet title → columns, rows) to `path`. `values(columns)` gives the
    function turning one row into its cells' values (str, int, float, date, datetime or
    None); a cell of a `rag_columns` column whose text is in `fills` gets that fill.
    `made` (aware) is the workbook's created and modified time, in place of the wall
    clock's that openpyxl writes: one database at one time exports to the same bytes."""
    styles = _Styles()
    with tempfile.TemporaryDirectory(prefix="improveplan-xlsx-") as folder:
        sheets: list[tuple[str, Sequence[str], int, Path]] = []
        for index, (title, (columns, items)) in enumerate(book.items(), 1):
            part = Path(folder) / f"sheet{index}.xml"
            letters = _letters(len(columns))
            rag_at = frozenset(i for i, name in enumerate(columns) if name in rag_columns)
            row_of = values(columns)
            with part.open("w", encoding="utf-8", newline="") as out:
                writer = _SheetWriter(out, styles, fills)
                writer.header(columns, letters)
                count = 1
                rows: list[str] = []
                for item in items:
                    count += 1
                    rows.append(writer.row(count, row_of(item), letters, rag_at))
                    if len(rows) == WRITE_EVERY:
                        out.write("".join(rows))
                        rows.clear()
                out.write("".join(rows))
            sheets.append((title, columns, count, part))
        _assemble(path, sheets, styles, fills, made)


def _assemble(
    path: Path,
    sheets: Sequence[tuple[str, Sequence[str], int, Path]],
    styles: _Styles,
    fills: Mapping[Any, str],
    made: dt.datetime | None,
) -> None:
    """The workbook: openpyxl's skeleton, each sheet's rows put in its <sheetData>."""
    import io

    skeleton = io.BytesIO()
    _skeleton(skeleton, sheets, styles, fills)
    with (
        zipfile.ZipFile(skeleton) as parts,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS) as book,
    ):
        for info in parts.infolist():
            if made is not None:  # each part's time in the zip too, not the wall clock's
                info.date_time = made.astimezone(dt.UTC).timetuple()[:6]
            text = parts.read(info)
            number = _sheet_number(info.filename)
            if number is None:
                if info.filename == "docProps/core.xml" and made is not None:
                    text = _made(text, made)
                book.writestr(info, text, compresslevel=COMPRESS)
                continue
            # An info object given to open() keeps its own level (None: zlib's default);
            # its attribute is `compress_level` from Python 3.13, `_compresslevel` before.
            info._compresslevel = COMPRESS  # type: ignore[attr-defined]
            head, _, rest = text.decode("utf-8").partition("<sheetData>")
            tail = rest.partition("</sheetData>")[2]
            with (
                book.open(info, "w", force_zip64=True) as out,
                sheets[number - 1][3].open("rb") as rows,
            ):
                out.write(f"{head}<sheetData>".encode())
                while chunk := rows.read(1 << 20):
                    out.write(chunk)
                out.write(f"</sheetData>{tail}".encode())


def _made(core: bytes, made: dt.datetime) -> bytes:
    """The document properties with `made` as their created and modified times."""
    stamp = made.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return _PROPERTY_TIME.sub(rb"\g<1>" + stamp, core)


_PROPERTY_TIME = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*")


def _sheet_number(name: str) -> int | None:
    prefix, suffix = "xl/worksheets/sheet", ".xml"
    if name.startswith(prefix) and name.endswith(suffix):
        return int(name[len(prefix) : -len(suffix)])
    return None


def _skeleton(
    out: IO[bytes],
    sheets: Sequence[tuple[str, Sequence[str], int, Path]],
    styles: _Styles,
    fills: Mapping[Any, str],
) -> None:
    """A write-only workbook with the same sheets, frozen headers and filters, whose first
    sheet meets every style in the order the rows did (its rows are thrown away)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    fill_of = {colour: PatternFill("solid", fgColor=colour) for colour in fills.values()}
    for index, (title, columns, count, _) in enumerate(sheets):
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        if index == 0:
            for number_format, bold, fill in styles.order[1:]:
                cell = WriteOnlyCell(sheet, value=_sample(number_format))
                if number_format is not None:
                    cell.number_format = number_format
                if bold:
                    cell.font = Font(bold=True)
                if fill is not None:
                    cell.fill = fill_of[fill]
                sheet.append([cell])
        sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{count}"
    workbook.save(out)


def _sample(number_format: str | None) -> Any:
    """A value that takes a style as the real cell did: a date registers openpyxl's
    default date format before ours, exactly as the real cells did."""
    if number_format == DATE[0]:
        return dt.date(2000, 1, 1)
    if number_format == STAMP[0]:
        return dt.datetime(2000, 1, 1)
    return "x"
