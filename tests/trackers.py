"""Tracker workbooks the tests write with openpyxl, then damage with zipfile.

What Excel never writes but a file can hold: a cell element swapped for a formula error or
an impossible date serial, a sheet cut short, a DTD with entity expansion or an external
entity. Each helper returns the path it wrote, so a test reads as the file it makes.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

SHEET = "xl/worksheets/sheet1.xml"
HEADER = ("Ref", "Action", "Owner", "Due", "Colour")
ROWS = (
    (1, "Audit supervision", "Tom Okafor", dt.datetime(2024, 7, 1), "red"),
    (2, "Train staff", "Tom Okafor", dt.datetime(2024, 7, 1), "blue"),
    (3, "Review caseloads", "Tom Okafor", dt.datetime(2024, 7, 1), "green"),
)
LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (n, b"&lol%d;" % (n - 1) * 10) for n in range(1, 10))
    + b"]>"
)
"""The billion laughs: &lol9; expands to 10^9 "lol"s."""
EXTERNAL = b'<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


def workbook(path: Path, rows: Sequence[Sequence[Any]] = ROWS) -> Path:
    """A tracker as Excel would save it: the header, then `rows`; dates as date cells."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def rewrite(path: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    """Rewrite one part of the package, every other part as it was."""
    with zipfile.ZipFile(path) as package:
        parts = [(info, package.read(info)) for info in package.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for info, data in parts:
            package.writestr(info, change(data) if info.filename == part else data)
    return path


def set_cell(path: Path, ref: str, xml: str) -> Path:
    """Replace the element of cell `ref` in the first sheet with `xml`."""

    def change(sheet: bytes) -> bytes:
        cell = re.compile(rb'<c r="%s"[^>]*?(?:/>|>.*?</c>)' % ref.encode())
        assert cell.search(sheet), f"no cell {ref}"
        return cell.sub(xml.encode(), sheet, count=1)

    return rewrite(path, SHEET, change)


def with_dtd(path: Path, dtd: bytes, entity: str) -> Path:
    """The first sheet declaring `dtd`, and cell B2 (a title) referring to `entity`."""

    def change(sheet: bytes) -> bytes:
        body = sheet[sheet.index(b"<worksheet") :]
        body = re.sub(rb"<t>Audit supervision</t>", b"<t>&%s;</t>" % entity.encode(), body)
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + dtd + body

    return rewrite(path, SHEET, change)
