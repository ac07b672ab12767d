"""Ofsted ILACS report PDFs the tests write themselves, so the import runs in any clone.

The published reports in ../shared are the real test of the reader, but only CI has them
beside the clone. A report generated here is laid out the way Ofsted lays one out, so that
pypdf extracts it the same way: the title page with the authority, the inspection dates,
the lead inspector, the judgement table (labels wrapped over two lines, each grade after
its label), the summary, then "What needs to improve?" as a bulleted list under a running
page header, then the body's sections ("...help and protection: good") and numbered
paragraphs. What the report says is a `Report`, so a test asserts exactly that.

fpdf2's built-in Helvetica encodes Latin-1 only (a TrueType font would have to be shipped),
so the text uses ASCII apostrophes and a middle-dot bullet, both of which the reader knows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from fpdf import FPDF

LABELS = {
    "impact_of_leaders": "The impact of leaders on social work practice with children and families",
    "help_and_protection": "The experiences and progress of children who need help and protection",
    "children_in_care": "The experiences and progress of children in care",
    "care_leavers": "The experiences and progress of care leavers",
    "children_in_care_and_care_leavers": (
        "The experiences and progress of children in care and care leavers"
    ),
    "overall_effectiveness": "Overall effectiveness",
}
SPLIT_AREAS = (
    "impact_of_leaders",
    "help_and_protection",
    "children_in_care",
    "care_leavers",
    "overall_effectiveness",
)
"""The judgement table's rows since 2023, in Ofsted's order."""
GRADE_WORDS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement to be good",
    "inadequate": "Inadequate",
}
PARAGRAPH = (
    "Social workers know their children well and visit them regularly. Managers oversee "
    "plans, although the written plans sometimes lack detail about how risks will be "
    "managed and when the plan will be reviewed with the family."
)


@dataclass(frozen=True)
class Report:
    """What a generated report says; the reader must give back exactly this."""

    local_authority: str = "Northshire"
    start: date = date(2024, 7, 15)
    end: date = date(2024, 7, 19)
    lead_inspector: str = "Jane Doe"
    judgements: dict[str, str] = field(
        default_factory=lambda: {
            "impact_of_leaders": "good",
            "help_and_protection": "requires_improvement",
            "children_in_care": "good",
            "care_leavers": "outstanding",
            "overall_effectiveness": "good",
        }
    )
    recommendations: tuple[str, ...] = (
        "The timeliness of assessments for disabled children, so that their needs are met "
        "without delay and their families know who to contact.",
        "Management oversight of decisions about children who go missing from care.",
    )
    bullet: str = "\u00b7"
    break_after: int | None = None
    """Start a new page after this many recommendations (the list runs over a page break)."""

    @property
    def type(self) -> str:
        return "short" if (self.end - self.start).days < 7 else "standard"

    @property
    def dates(self) -> str:
        """As Ofsted prints them: "15 to 19 July 2024", "27 November to 8 December 2023"."""
        end = f"{self.end.day} {self.end:%B %Y}"
        if (self.start.year, self.start.month) == (self.end.year, self.end.month):
            return f"{self.start.day} to {end}"
        if self.start.year == self.end.year:
            return f"{self.start.day} {self.start:%B} to {end}"
        return f"{self.start.day} {self.start:%B %Y} to {end}"

    @property
    def title(self) -> str:
        return f"Inspection of {self.local_authority} local authority children's services"

    def expected(self) -> dict[str, Any]:
        """The import's JSON for this report (type, dates, inspector, grades, texts)."""
        return {
            "type": self.type,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "lead_inspector": self.lead_inspector,
            "judgements": dict(self.judgements),
            "recommendations": list(self.recommendations),
        }


PETERBOROUGH = Report(
    local_authority="Peterborough",
    start=date(2023, 11, 27),
    end=date(2023, 12, 8),
    lead_inspector="Russel Breyer",
    judgements={
        "impact_of_leaders": "requires_improvement",
        "help_and_protection": "requires_improvement",
        "children_in_care": "requires_improvement",
        "care_leavers": "inadequate",
        "overall_effectiveness": "inadequate",
    },
    recommendations=(
        "The quality of support, advice, and guidance for care leavers, including those with "
        "additional vulnerabilities, to ensure that this is timely, consistent, and responsive "
        "to levels of need.",
        "Service capacity, particularly in the safeguarding teams, care leaver service and "
        "emergency duty service.",
        "The consistency in quality of social work assessments.",
        "Social work support for disabled children in need of help and protection.",
        "The identification and response to increased vulnerability when children are "
        "electively home educated or missing from education.",
        "The quality of supervision, so that social workers are supported to think through "
        "complex situations, to help children make progress.",
        "The sufficiency of suitable placements that can meet children and young people's "
        "assessed needs.",
        "The consistency of support for children who go missing from care.",
    ),
    break_after=5,
)
"""The facts of Peterborough's 2024 report (the demo's), in a generated PDF."""

ONE_RECOMMENDATION = Report(
    local_authority="Southmere",
    start=date(2023, 6, 19),
    end=date(2023, 6, 30),
    lead_inspector="Amir Rahman",
    judgements={
        "impact_of_leaders": "good",
        "help_and_protection": "good",
        "children_in_care_and_care_leavers": "good",
        "overall_effectiveness": "good",
    },
    recommendations=("The quality and timeliness of return home interviews.",),
    bullet="-",
)
"""The older combined judgement for children in care and care leavers, dashes as bullets."""

NO_RECOMMENDATIONS = Report(
    local_authority="Eastwold",
    start=date(2024, 9, 16),
    end=date(2024, 9, 20),
    lead_inspector="Rachel Green",
    judgements=dict.fromkeys(SPLIT_AREAS, "outstanding"),
    recommendations=(),
)
"""An outstanding report: no "What needs to improve" section at all."""


class _Pdf(FPDF):
    """A4 in Helvetica; every page after the first has Ofsted's running header."""

    def __init__(self, report: Report) -> None:
        super().__init__(format="A4")
        self.report = report
        self.set_margins(25, 20, 25)
        self.set_auto_page_break(auto=True, margin=20)

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font("Helvetica", size=9)
        self.cell(0, 5, self.report.title, new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 5, f"{self.report.dates} {self.page_no()}", new_x="LMARGIN", new_y="NEXT")
        self.ln(4)

    def text_block(self, text: str, size: float = 11, style: str = "", gap: float = 3) -> None:
        self.set_font("Helvetica", style=style, size=size)
        self.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(gap)


def _title_page(pdf: _Pdf, report: Report) -> None:
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=20)
    pdf.multi_cell(110, 9, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.text_block(f"Inspection dates: {report.dates}", gap=0)
    pdf.text_block(f"Lead inspector: {report.lead_inspector}, His Majesty's Inspector")
    _judgement_table(pdf, report.judgements)
    pdf.ln(5)
    for _ in range(2):
        pdf.text_block(f"Services for children in {report.local_authority}. {PARAGRAPH}")


def _judgement_table(pdf: _Pdf, judgements: dict[str, str]) -> None:
    """Label cells wrap at ~45 characters; the grade is drawn after its label, centred."""
    left, label_w, grade_w, line = pdf.l_margin, 85, 70, 5.5
    rows = [("Judgement", "Grade")] + [(LABELS[a], GRADE_WORDS[g]) for a, g in judgements.items()]
    for number, (label, grade) in enumerate(rows):
        pdf.set_font("Helvetica", style="B" if number == 0 else "", size=11)
        top = pdf.get_y()
        pdf.set_x(left)
        pdf.multi_cell(label_w, line, label, new_x="LMARGIN", new_y="NEXT")
        bottom = pdf.get_y()
        pdf.set_xy(left + label_w, top + (bottom - top - line) / 2)
        pdf.cell(grade_w, line, grade)
        pdf.rect(left, top, label_w + grade_w, bottom - top)
        pdf.set_y(bottom)


def _recommendations(pdf: _Pdf, report: Report) -> None:
    if not report.recommendations:
        return
    pdf.text_block("What needs to improve?", size=14, style="B")
    for number, text in enumerate(report.recommendations):
        if number == report.break_after:
            pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.cell(6, 5.5, report.bullet)
        pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _body(pdf: _Pdf, report: Report) -> None:
    """The body's sections, one heading per judged area, each with numbered paragraphs."""
    paragraph = 0
    for area, grade in report.judgements.items():
        if area == "overall_effectiveness":
            continue
        heading = f"{LABELS[area]}: {GRADE_WORDS[grade].lower()}"
        pdf.text_block(heading, size=14, style="B")
        for _ in range(4):
            paragraph += 1
            pdf.text_block(f"{paragraph}. {PARAGRAPH} {PARAGRAPH}")


def report_pdf(report: Report) -> bytes:
    """The PDF of `report`: title page, recommendations on page two, then the body."""
    pdf = _Pdf(report)
    _title_page(pdf, report)
    pdf.add_page()
    _recommendations(pdf, report)
    _body(pdf, report)
    return bytes(pdf.output())


def write_report(path: Path, report: Report | None = None) -> Path:
    """Write the PDF of `report` (by default a short inspection of Northshire) to `path`."""
    path.write_bytes(report_pdf(report or Report()))
    return path


def scan_pdf(pages: int = 3) -> bytes:
    """A PDF of pages with pictures only, like a scanned report: no text layer."""
    pdf = FPDF(format="A4")
    for _ in range(pages):
        pdf.add_page()
        for row in range(20):
            pdf.rect(25, 30 + row * 12, 160, 6, style="F")
    return bytes(pdf.output())
