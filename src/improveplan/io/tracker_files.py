"""A tracker file's bytes to numbered raw rows, refusing what cannot be read faithfully.

A tracker comes from anyone's laptop, so nothing about the file is trusted, and a wrong
reading is worse than a refusal: a mis-decoded name becomes a new person, a swallowed
line loses actions. Every refusal is one `TrackerError` naming the file and row.

- CSV is UTF-8, with or without a BOM (or UTF-16 with its BOM: Excel's "Unicode text"),
  unless `--encoding` names another; a byte that is not in the encoding, a NUL, a quote
  never closed or an oversized cell is refused naming its row. Rows are numbered as
  `csv` reads records, as a spreadsheet numbers its rows.
- XLSX: a part declaring a DTD (entity expansion, external entities) is refused before
  openpyxl parses anything, whether or not defusedxml is installed, and so is a package
  that unpacks to more than `MAX_UNPACKED`. A damaged zip or sheet is one line; a
  formula error or an impossible date serial becomes a `BadCell` in its row.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import IO, Any

from improveplan.io.tracker_values import BadCell, TrackerError

Rows = list[tuple[int, Sequence[Any]]]
MAX_UNPACKED = 1 << 30  # bytes; a 100k-row tracker unpacks to ~100 MB
_RESAVE = "open it in Excel, save it again as .xlsx (or CSV UTF-8) and import that"
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
OLE = b"\xd0\xcf\x11\xe0"  # an Excel 97-2003 .xls, or an .xlsx encrypted by a password
_OLD_OR_LOCKED = (
    "an Excel 97-2003 workbook (.xls) or one protected by a password",
    "save it in Excel as an .xlsx workbook without a password and import that",
)
_SIGNATURES = {b"PK\x03\x04": ("an Excel workbook (.xlsx), not CSV", "give --format xlsx")}


def raw_rows(path: Path, fmt: str, encoding: str | None = None) -> Rows:
    """The file's rows numbered as the spreadsheet numbers them (1-based)."""
    if fmt == "xlsx":
        return xlsx_rows(path)
    return csv_rows(path, encoding)


def csv_rows(path: Path, encoding: str | None = None) -> Rows:
    """A CSV's records; `encoding` None means UTF-8 (or what a BOM says)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TrackerError(f"cannot read {path.name} ({exc.strerror})", "check the file") from None
    for magic, (what, todo) in {**_SIGNATURES, OLE: _OLD_OR_LOCKED}.items():
        if data.startswith(magic):
            raise TrackerError(f"{path.name} is {what}", todo)
    text = decode(path.name, data, encoding)
    delimiter = _delimiter(text)
    if (nul := text.find("\x00")) >= 0:
        raise TrackerError(
            f"{path.name} row {_row_at(text, nul, delimiter)} holds a NUL character, so it is"
            " not a text file",
            "save it as CSV UTF-8, or give --encoding utf-16 if it is Unicode text",
        )
    return _records(path.name, text, delimiter)


def decode(name: str, data: bytes, encoding: str | None) -> str:
    """The whole file as text, strictly: one undecodable byte refuses the file, naming
    its row and byte offset, instead of another encoding garbling every accent."""
    codec = codecs.lookup(encoding).name if encoding else None
    bom = next((b for b, c in _BOMS if data.startswith(b) and codec in (None, c)), b"")
    codec = codec or dict(_BOMS).get(bom, "utf-8")
    skip = len(bom) if codec == "utf-8" else 0  # the utf-16 codec reads its own BOM
    try:
        return data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        before = data[skip:offset].decode(codec, errors="replace")
        row = _row_at(before, len(before), _delimiter(before))
        shown = "UTF-8" if codec == "utf-8" else codec
        todo = (
            "save it as UTF-8, or give --encoding cp1252"
            if encoding is None or codec == "utf-8"
            else "save it as UTF-8, or give the --encoding it was saved in"
        )
        raise TrackerError(
            f"{name} row {row} is not {shown} (byte 0x{data[offset]:02x} at offset {offset})", todo
        ) from None


def _delimiter(text: str) -> str:
    first = io.StringIO(text).readline()
    return max(",;\t", key=first.count)


def _row_at(text: str, index: int, delimiter: str) -> int:
    """The record holding text[index]: the records of the text before it, plus a stand-in
    for the character itself (so a record just begun counts)."""
    reader = csv.reader(io.StringIO(text[:index] + "x", newline=""), delimiter=delimiter)
    try:
        return sum(1 for _ in reader)
    except csv.Error:  # a huge cell before it: count lines instead
        return text.count("\n", 0, index) + 1


def _records(name: str, text: str, delimiter: str) -> Rows:
    """Every record; `csv`'s lenient reading, except that a quote never closed (which
    would swallow the rest of the file into one cell) and a cell over the field limit
    are refused naming the row they start in."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: Rows = []
    begun = last_begun = 0  # physical lines before the record being read, and the last
    try:
        for number, cells in enumerate(reader, 1):
            rows.append((number, cells))
            begun, last_begun = reader.line_num, begun
    except csv.Error as exc:
        row = len(rows) + 1
        if str(exc).startswith("field larger"):
            raise TrackerError(
                f"{name} row {row} has a cell longer than {csv.field_size_limit():,} characters",
                'close the quote (") that opens it if it is never closed, or shorten the cell',
            ) from None
        raise TrackerError(f"{name} row {row} cannot be read as CSV ({exc})", _RESAVE) from None
    if rows and _unclosed(text, last_begun, delimiter):
        raise TrackerError(
            f'{name} row {rows[-1][0]} opens a quote (") that is never closed, so the rest of'
            " the file would be one cell",
            "close the quote, or save the file again from the spreadsheet",
        )
    return rows


def _unclosed(text: str, begun: int, delimiter: str) -> bool:
    """Whether the last record (after `begun` lines) ends inside a quoted cell: strict
    `csv` refuses it, and accepts it with one more quote."""
    tail = "".join(islice(io.StringIO(text, newline=""), begun, None))

    def strict(candidate: str) -> bool:
        try:
            list(csv.reader(io.StringIO(candidate, newline=""), delimiter=delimiter, strict=True))
        except csv.Error:
            return False
        return True

    return not strict(tail) and strict(tail + '"')


def xlsx_rows(path: Path) -> Rows:
    """The rows of sheet "Actions", else the first sheet."""
    try:
        with path.open("rb") as handle:
            _check_package(path.name, handle)
            handle.seek(0)
            return _sheet_rows(path.name, handle)
    except OSError as exc:
        raise TrackerError(f"cannot read {path.name} ({exc.strerror})", "check the file") from None


def _check_package(name: str, handle: IO[bytes]) -> None:
    """Refuse a zip that is not one, unpacks too large, or holds a part with a DTD."""
    from zipfile import ZipFile

    unreadable = TrackerError(f"cannot read {name} as an Excel workbook (.xlsx)", _RESAVE)
    if handle.read(len(OLE)) == OLE:
        raise TrackerError(f"{name} is {_OLD_OR_LOCKED[0]}", _OLD_OR_LOCKED[1])
    handle.seek(0)
    try:
        with ZipFile(handle) as package:
            parts = package.infolist()
            if sum(part.file_size for part in parts) > MAX_UNPACKED:
                raise TrackerError(
                    f"{name} unpacks to more than {MAX_UNPACKED >> 20} MiB, too large for a"
                    " tracker",
                    "import the actions sheet alone, saved as CSV UTF-8",
                )
            for part in parts:
                with package.open(part) as stream:
                    if _declares_dtd(stream):
                        raise TrackerError(
                            f"{name} declares XML entities in {part.filename}, which Excel never"
                            " writes",
                            _RESAVE,
                        )
    except TrackerError:
        raise
    except Exception as exc:  # zipfile on hostile bytes: BadZipFile, zlib.error, EOFError...
        raise unreadable from exc


def _declares_dtd(stream: IO[bytes]) -> bool:
    """Whether an XML part has a DOCTYPE, found by expat (the parser openpyxl uses)
    before any entity in it is declared, let alone expanded. Parsing stops at the root
    element; a part that is not XML is openpyxl's to refuse."""
    from xml.parsers import expat

    class Stop(Exception):
        def __init__(self, dtd: bool) -> None:
            self.dtd = dtd

    def doctype(*_: Any) -> None:
        raise Stop(dtd=True)

    def element(*_: Any) -> None:
        raise Stop(dtd=False)

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = element
    try:
        while chunk := stream.read(1 << 16):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except Stop as stop:
        return stop.dtd
    except expat.ExpatError:
        return False
    return False


_OUT_OF_RANGE = re.compile(r"Cell (\w+) is marked as a date but the serial value (\S+) is outside")


def _sheet_rows(name: str, handle: IO[bytes]) -> Rows:
    """openpyxl's reading, its warnings kept off stderr; the date serials it could not
    convert (it warns, and gives "#VALUE!") are told apart from real formula errors."""
    from openpyxl import load_workbook

    rows: Rows = []
    serials: dict[str, str] = {}  # cell → the serial openpyxl warned of
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            book = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl on a damaged package raises nearly anything
            raise TrackerError(f"cannot read {name} as an Excel workbook (.xlsx)", _RESAVE) from exc
        try:
            sheet = book["Actions"] if "Actions" in book.sheetnames else book.worksheets[0]
            for number, cells in enumerate(sheet.iter_rows(), 1):
                serials.update(_OUT_OF_RANGE.findall(" ".join(str(w.message) for w in caught)))
                caught.clear()
                rows.append((number, [_value(cell, serials) for cell in cells]))
        except Exception as exc:  # a damaged sheet: truncated XML, a value of the wrong type
            detail = " ".join(str(exc).split())[:120] or type(exc).__name__
            raise TrackerError(
                f"{name}: the sheet cannot be read after row {len(rows)} ({detail})", _RESAVE
            ) from exc
        finally:
            book.close()
    return rows


def _value(cell: Any, serials: dict[str, str]) -> Any:
    """A cell's value; an error cell as a BadCell."""
    if getattr(cell, "data_type", None) != "e":
        return cell.value
    ref = str(cell.coordinate)
    if ref in serials:
        return BadCell(ref=ref, shown=serials[ref], date_serial=True)
    return BadCell(ref=ref, shown=str(cell.value))
