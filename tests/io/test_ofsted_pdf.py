"""Importing Ofsted report PDFs: the published reports read as expected, bad files refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfWriter

from improveplan.domain.ofsted_report import ParsedReport, ReportError, parse_report
from improveplan.domain.vocab import Area, Grade, InspectionType
from improveplan.io.ofsted_pdf import read_pdf_pages, read_report
from tests.conftest import REPORTS, expected_reports, needs_reports, published_reports
from tests.damaged_pdfs import no_fonts, unknown_filter
from tests.pdfs import NO_RECOMMENDATIONS, ONE_RECOMMENDATION, PETERBOROUGH, Report, scan_pdf
from tests.pdfs import write_report as write_generated


@pytest.mark.parametrize("expected", published_reports())
def test_reads_each_published_report_as_expected(expected: dict[str, Any]) -> None:
    report = read_report(REPORTS / expected["file"])
    assert report.type == expected["type"]
    assert report.start == date.fromisoformat(expected["start"])
    assert report.end == date.fromisoformat(expected["end"])
    assert report.lead_inspector.casefold() == expected["lead_inspector"].casefold()
    assert report.judgements == expected["judgements"]
    assert report.recommendations == expected["recommendations"]
    assert (report.local_authority or "").casefold() == expected["local_authority"].casefold()


@needs_reports
@pytest.mark.parametrize("name", ["halton-2024-07-12.pdf", "peterborough-2018-08-06.pdf"])
def test_reading_every_page_gives_the_same_report(name: str) -> None:
    """read_report stops extracting at the report body; what it reads is the same."""
    pages = read_pdf_pages(REPORTS / name)
    assert len(pages) > 10
    assert parse_report(pages) == read_report(REPORTS / name)


@needs_reports
def test_every_shared_report_has_an_expected_reading() -> None:
    entries = expected_reports()
    assert sorted(p.name for p in REPORTS.glob("*.pdf")) == sorted(e["file"] for e in entries)


GENERATED = [
    Report(),
    PETERBOROUGH,
    ONE_RECOMMENDATION,
    NO_RECOMMENDATIONS,
    Report(local_authority="Westvale", start=date(2024, 12, 16), end=date(2025, 1, 10), bullet="*"),
]


def written(report: Report) -> ParsedReport:
    """What the reader must find in the generated PDF of `report`."""
    return ParsedReport(
        local_authority=report.local_authority,
        type=InspectionType(report.type),
        start=report.start,
        end=report.end,
        lead_inspector=report.lead_inspector,
        judgements={Area(area): Grade(grade) for area, grade in report.judgements.items()},
        recommendations=list(report.recommendations),
    )


@pytest.mark.parametrize("report", GENERATED, ids=[r.local_authority for r in GENERATED])
def test_reads_a_generated_report_as_it_was_written(report: Report, tmp_path: Path) -> None:
    """In any clone: title page, judgement table, the list over a page break, the body."""
    path = write_generated(tmp_path / "report.pdf", report)
    assert read_report(path) == written(report)
    pages = read_pdf_pages(path)
    assert len(pages) >= 3
    assert parse_report(pages) == read_report(path)


def test_a_generated_scan_is_refused(tmp_path: Path) -> None:
    """Pages that draw but hold no text: a scanned report."""
    path = tmp_path / "scan.pdf"
    path.write_bytes(scan_pdf())
    with pytest.raises(ReportError, match=r"the PDF has no text layer \(a scan\?\)"):
        read_report(path)


def text_pdf(lines: list[str], to_unicode: bytes | None = None) -> bytes:
    """A one-page PDF whose text layer holds `lines` (pypdf's writer cannot add text);
    `to_unicode` is a CMap for its font."""
    escaped = (line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines)
    content = "BT /F1 12 Tf 14 TL 72 720 Td " + " ".join(f"({s}) Tj T*" for s in escaped) + " ET"
    stream = content.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding"
        + (b" /ToUnicode 6 0 R >>" if to_unicode else b" >>"),
    ]
    if to_unicode:
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(to_unicode), to_unicode))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_a_pdf_that_is_not_an_ilacs_report_says_what_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "minutes.pdf"
    path.write_bytes(text_pdf(["Minutes of the improvement board", "Present: the chair"]))
    assert "Minutes of the improvement board" in read_pdf_pages(path)[0]
    with pytest.raises(ReportError, match="no 'Inspection dates' line found"):
        read_report(path)


MINIMAL = [
    "Inspection of Northshire local authority children's services",
    "Inspection dates: 15 to 19 July 2024",
    "Lead inspector: Jane Doe, His Majesty's Inspector",
    "Judgement Grade",
    "The impact of leaders on social work practice with children and families Good",
    "The experiences and progress of children who need help and protection Good",
    "The experiences and progress of children in care Good",
    "The experiences and progress of care leavers Outstanding",
    "Overall effectiveness Good",
    "What needs to improve?",
    "- The timeliness of assessments.",
]


def test_a_minimal_report_pdf_is_read_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(text_pdf(MINIMAL))
    report = read_report(path)
    assert (report.type, report.lead_inspector) == ("short", "Jane Doe")
    assert report.recommendations == ["The timeliness of assessments."]


def test_a_file_that_is_not_a_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_text("Inspection dates: 5 to 16 December 2022\n", encoding="utf-8")
    with pytest.raises(ReportError, match="not a PDF file"):
        read_report(path)


def test_a_damaged_pdf_is_refused(tmp_path: Path) -> None:
    """Cut short (no %%EOF in its last KiB, as Acrobat requires) it is incomplete, which
    it used to be called unreadable; whole but broken, pypdf's reason is given."""
    path = tmp_path / "report.pdf"
    path.write_bytes(text_pdf(["Inspection dates: 5 to 16 December 2022"])[:200])
    with pytest.raises(ReportError, match=r"^report\.pdf: the PDF is incomplete \(its end is"):
        read_report(path)
    path.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")
    with pytest.raises(ReportError, match=r"^report\.pdf: not a readable PDF \("):
        read_report(path)


AGAIN = "download the report again, or enter the inspection with `inspection add`"


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"")
    with pytest.raises(ReportError) as caught:
        read_report(path)
    assert str(caught.value) == f"report.pdf is empty (0 bytes) — {AGAIN}"


@pytest.mark.parametrize("page", [1, 2, 3])
def test_a_page_pypdf_cannot_extract_is_named(tmp_path: Path, page: int) -> None:
    """An unsupported filter raises NotImplementedError inside pypdf's extraction."""
    path = tmp_path / "report.pdf"
    path.write_bytes(unknown_filter(page))
    with pytest.raises(ReportError) as caught:
        read_pdf_pages(path)
    assert str(caught.value) == (
        f"report.pdf: cannot read the text of page {page} (Unsupported filter /FlateDecodX)"
        f" — {AGAIN}"
    )


def test_a_page_whose_fonts_are_gone_is_refused_not_skipped(tmp_path: Path) -> None:
    """Its text is U+FFFD throughout: read, the report would have no recommendations."""
    path = tmp_path / "report.pdf"
    path.write_bytes(no_fonts(page=2))
    with pytest.raises(ReportError) as caught:
        read_report(path)
    assert str(caught.value) == (
        f"report.pdf: the text of page 2 cannot be decoded (a damaged font?) — {AGAIN}"
    )


def test_a_recommendation_with_undecodable_text_is_refused(tmp_path: Path) -> None:
    """One glyph the font maps to U+FFFD: the page reads, the recommendation would not."""
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def"
        b" 1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <81> <FFFD>"
        b" endbfchar endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    path = tmp_path / "report.pdf"
    path.write_bytes(text_pdf([*MINIMAL[:-1], "- The timeliness of \x81 assessments."], cmap))
    assert "The timeliness of \ufffd assessments." in read_pdf_pages(path)[0]
    with pytest.raises(ReportError) as caught:
        read_report(path)
    assert str(caught.value) == (
        f"report.pdf: some of the report's text cannot be decoded (a damaged font?) — {AGAIN}"
    )


def test_an_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.encrypt(user_password="secret")
    path = tmp_path / "report.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(ReportError, match="the PDF is encrypted — save an unencrypted copy"):
        read_report(path)


def test_a_pdf_restricted_only_by_an_owner_password_is_read(tmp_path: Path) -> None:
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(text_pdf(["Minutes of the improvement board"]))
    writer = PdfWriter(clone_from=plain)
    writer.encrypt(user_password="", owner_password="owner")
    path = tmp_path / "report.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    assert "Minutes of the improvement board" in read_pdf_pages(path)[0]


def test_a_pdf_without_a_text_layer_is_refused(tmp_path: Path) -> None:
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=612, height=792)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    for read in (read_report, read_pdf_pages):
        with pytest.raises(ReportError, match=r"the PDF has no text layer \(a scan\?\)"):
            read(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="no such file"):
        read_report(tmp_path / "missing.pdf")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="is a directory"):
        read_report(tmp_path)
