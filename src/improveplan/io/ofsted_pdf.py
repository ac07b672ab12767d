"""Read an Ofsted inspection report PDF: the edge between a file and the pure parser.

pypdf is imported inside the functions so that `improveplan --help` stays fast. Every
failure a user can cause (wrong file, empty, cut short, encrypted, scanned, damaged so
that pypdf itself fails) becomes one `ReportError` line that says what to do; pypdf's
own log messages ("EOF marker not found") are kept off stderr.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from improveplan.domain.ofsted_report import ParsedReport, ReportError, parse_report

if TYPE_CHECKING:
    from pypdf import PdfReader

PDF_MAGIC = b"%PDF-"
EOF_MARKER = b"%%EOF"
_WINDOW = 1024  # the header within the first KiB, %%EOF within the last (as Acrobat reads)
_AGAIN = "download the report again, or enter the inspection with `inspection add`"
logging.getLogger("pypdf").addHandler(logging.NullHandler())


def read_pdf_pages(path: Path) -> list[str]:
    """The text of every page, in reading order."""
    pages = list(_iter_pages(path))
    if not any(page.strip() for page in pages):
        raise _no_text(path)
    return pages


def read_report(path: Path) -> ParsedReport:
    """Parse the report at `path`; reads pages only as far as the parser needs them.
    A recommendation or inspector pypdf could not wholly decode (U+FFFD) is refused,
    not imported."""
    report = parse_report(_iter_pages(path))
    texts = (report.lead_inspector, *report.recommendations, *report.lscb_recommendations)
    if any("\ufffd" in text for text in texts):
        raise ReportError(
            f"{path.name}: some of the report's text cannot be decoded (a damaged font?) — "
            + _AGAIN
        )
    return report


def _no_text(path: Path) -> ReportError:
    return ReportError(
        f"{path.name}: the PDF has no text layer (a scan?) — import the report as published "
        "by Ofsted, or enter the inspection with `inspection add`"
    )


def _iter_pages(path: Path) -> Iterator[str]:
    """Extract pages one at a time (plain mode: the content stream's reading order)."""
    reader = _open(path)
    seen_text = False
    for number in range(1, len(reader.pages) + 1):
        # pypdf on a damaged page can raise nearly anything (an unsupported filter is
        # NotImplementedError, a broken font an IndexError): each is this page's failure.
        try:
            text = reader.pages[number - 1].extract_text(extraction_mode="plain")
        except Exception as exc:
            raise ReportError(
                f"{path.name}: cannot read the text of page {number} ({_said(exc)}) — " + _AGAIN
            ) from exc
        if _garbled(text):
            raise ReportError(
                f"{path.name}: the text of page {number} cannot be decoded (a damaged font?) — "
                + _AGAIN
            )
        seen_text = seen_text or bool(text.strip())
        yield text
    if not seen_text:
        raise _no_text(path)


def _garbled(text: str) -> bool:
    """Mostly U+FFFD: pypdf found no way to decode the page's font, so what the parser
    would read (or miss, like a whole "What needs to improve" section) is noise. A few
    odd glyphs are not; the published reports have none at all."""
    return text.count("\ufffd") * 20 > len(text.strip())


def _said(exc: Exception) -> str:
    """pypdf's message on one short line, or the exception's name when it has none."""
    return " ".join(str(exc).split())[:120] or type(exc).__name__


def _open(path: Path) -> PdfReader:
    """A pypdf reader for `path`, decrypted when it opens without a password."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    _check_is_pdf(path)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _encrypted(path)
        _ = len(reader.pages)
    except ReportError:
        raise
    except Exception as exc:  # as for a page: pypdf on a damaged file raises nearly anything
        if isinstance(exc, PyPdfError | NotImplementedError) and "crypt" in str(exc).lower():
            raise _encrypted(path) from exc
        raise ReportError(f"{path.name}: not a readable PDF ({_said(exc)})") from exc
    return reader


def _encrypted(path: Path) -> ReportError:
    return ReportError(
        f"{path.name}: the PDF is encrypted — save an unencrypted copy and import that"
    )


def _check_is_pdf(path: Path) -> None:
    """Refuse a missing, empty or cut-short file, or one that is not a PDF, before pypdf
    guesses at it (pypdf reads what it can of a cut-short file)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_WINDOW)
            handle.seek(max(handle.seek(0, 2) - _WINDOW, 0))
            tail = handle.read(_WINDOW)
    except FileNotFoundError:
        raise ReportError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ReportError(f"{path}: is a directory, not a PDF file") from None
    except OSError as exc:
        raise ReportError(f"{path}: cannot read the file ({exc.strerror})") from None
    if not head:
        raise ReportError(f"{path.name} is empty (0 bytes) — " + _AGAIN)
    if PDF_MAGIC not in head:
        raise ReportError(
            f"{path.name}: not a PDF file — export or download the report as a PDF and import that"
        )
    if EOF_MARKER not in tail:
        raise ReportError(
            f"{path.name}: the PDF is incomplete (its end is missing: a download cut short?) — "
            + _AGAIN
        )
