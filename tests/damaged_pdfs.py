"""Generated ILACS reports (`tests/pdfs.py`) damaged the ways a download or a disk does.

Each damage keeps the file's length where it can, so the cross-reference table still
points at every object and pypdf gets as far as the damaged part: a page whose content
stream names a filter pypdf lacks (extraction raises NotImplementedError), a page whose
fonts are gone (its text comes out as U+FFFD), a file cut short, a wrong startxref that
pypdf repairs (and logs about).
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.generic import IndirectObject

from tests.pdfs import PETERBOROUGH, Report, report_pdf


def _object(data: bytes, page: int, key: str) -> int:
    """The number of the object page `page` (1-based) holds under `key`."""
    reference = PdfReader(io.BytesIO(data)).pages[page - 1].raw_get(key)
    assert isinstance(reference, IndirectObject)
    return int(reference.idnum)


def _in_object(data: bytes, number: int, old: bytes, new: bytes) -> bytes:
    """`old` → `new` (the same length) the first time it appears in object `number`."""
    assert len(old) == len(new)
    start = data.index(b"\n%d 0 obj\n" % number)
    at = data.index(old, start)
    assert at < data.index(b"endobj", start)
    return data[:at] + new + data[at + len(old) :]


def unknown_filter(page: int, report: Report = PETERBOROUGH) -> bytes:
    """Page `page`'s content stream compressed with a filter no reader knows."""
    data = report_pdf(report)
    number = _object(data, page, "/Contents")
    return _in_object(data, number, b"/FlateDecode", b"/FlateDecodX")


def no_fonts(page: int, report: Report = PETERBOROUGH) -> bytes:
    """Page `page` with the fonts gone from its resources: text nobody can decode."""
    data = report_pdf(report)
    number = _object(data, page, "/Resources")
    return _in_object(data, number, b"/Font", b"/Fonx")


def cut_short(fraction: float = 0.6, report: Report = PETERBOROUGH) -> bytes:
    """The first `fraction` of the file: a download that stopped."""
    data = report_pdf(report)
    return data[: int(len(data) * fraction)]


def wrong_startxref(report: Report = PETERBOROUGH) -> bytes:
    """startxref pointing a few bytes off: pypdf repairs it, logging a warning."""
    data = report_pdf(report)
    found = re.search(rb"startxref\n(\d+)", data)
    assert found is not None
    return data[: found.start(1)] + b"%d" % (int(found[1]) + 7) + data[found.end(1) :]
