"""Read an Ofsted inspection report PDF: the edge between a file and the pure parser.

pypdf is imported inside the functions so that `improveplan --help` stays fast. Every
failure a user can cause (wrong file, encrypted, scanned) becomes a `ReportError` that
says what to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from improveplan.domain.ofsted_report import ParsedReport, ReportError, parse_report

if TYPE_CHECKING:
    from pypdf import PdfReader

PDF_MAGIC = b"%PDF-"
_HEADER_WINDOW = 1024


def read_pdf_pages(path: Path) -> list[str]:
    """The text of every page, in reading order."""
    pages = list(_iter_pages(path))
    if not any(page.strip() for page in pages):
        raise _no_text(path)
    return pages


def read_report(path: Path) -> ParsedReport:
    """Parse the report at `path`; reads pages only as far as the parser needs them."""
    return parse_report(_iter_pages(path))


def _no_text(path: Path) -> ReportError:
    return ReportError(
        f"{path.name}: the PDF has no text layer (a scan?) — import the report as published "
        "by Ofsted, or enter the inspection with `inspection add`"
    )


def _iter_pages(path: Path) -> Iterator[str]:
    """Extract pages one at a time (plain mode: the content stream's reading order)."""
    from pypdf.errors import PyPdfError

    reader = _open(path)
    seen_text = False
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = page.extract_text(extraction_mode="plain")
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ReportError(f"{path.name}: cannot read the text of page {number}: {exc}") from exc
        seen_text = seen_text or bool(text.strip())
        yield text
    if not seen_text:
        raise _no_text(path)


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
    except (PyPdfError, NotImplementedError) as exc:
        if "crypt" in str(exc).lower():
            raise _encrypted(path) from exc
        raise ReportError(f"{path.name}: not a readable PDF ({exc})") from exc
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise ReportError(f"{path.name}: not a readable PDF ({exc})") from exc
    return reader


def _encrypted(path: Path) -> ReportError:
    return ReportError(
        f"{path.name}: the PDF is encrypted — save an unencrypted copy and import that"
    )


def _check_is_pdf(path: Path) -> None:
    """Refuse a missing file or one that is not a PDF before pypdf guesses at it."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEADER_WINDOW)
    except FileNotFoundError:
        raise ReportError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ReportError(f"{path}: is a directory, not a PDF file") from None
    except OSError as exc:
        raise ReportError(f"{path}: cannot read the file ({exc.strerror})") from None
    if PDF_MAGIC not in head:
        raise ReportError(
            f"{path.name}: not a PDF file — export or download the report as a PDF and import that"
        )
