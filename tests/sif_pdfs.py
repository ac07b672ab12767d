"""SIF (2013–2018) report PDFs the tests write themselves, as `tests/pdfs.py` does for ILACS.

Laid out as Ofsted laid them out: page 1 with the council, the title, "Inspection date",
"Report published", the overall judgement (2014: "The overall judgement is ..."; from
2015: "Children's services in X require improvement to be good") and the numbered table,
each grade in a narrow cell beside its row (so "Requires improvement" wraps over two
lines); then the summary's numbered paragraphs, the recommendations numbered on from them
("What does the local authority need to improve?" with "Priority and immediate action" and
"Areas for improvement" in 2014, "Recommendations" after), the body, the LSCB's review
with its own grade and list, and the inspection team. What the report says is a
`SifReport`, so a test asserts exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fpdf import FPDF

from tests.pdfs import PARAGRAPH

ROWS = (
    ("help_and_protection", "1. Children who need help and protection"),
    ("children_looked_after_and_permanence", "2. Children looked after and achieving permanence"),
    ("adoption_performance", "2.1 Adoption performance"),
    ("care_leavers", "2.2 Experiences and progress of care leavers"),
    ("leadership_management_governance", "3. Leadership, management and governance"),
)
GRADES = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
}
SAID = {  # "Children's services in X ..." (2015 on)
    "outstanding": "are outstanding",
    "good": "are good",
    "requires_improvement": "require improvement to be good",
    "inadequate": "are inadequate",
}
NONE_FOUND = "The inspection did not find any areas for priority and immediate action."


@dataclass(frozen=True)
class SifReport:
    """What a generated SIF report says; the reader must give back exactly this."""

    local_authority: str = "Northshire"
    start: date = date(2015, 4, 13)
    end: date = date(2015, 5, 8)
    published: date | None = date(2015, 9, 18)
    lead_inspector: str = "Nigel Parkes"
    layout: int = 2015  # 2014: "The overall judgement is" and "What does the LA need..."
    judgements: dict[str, str] = field(
        default_factory=lambda: {
            "overall_effectiveness": "requires_improvement",
            "help_and_protection": "requires_improvement",
            "children_looked_after_and_permanence": "requires_improvement",
            "adoption_performance": "good",
            "care_leavers": "requires_improvement",
            "leadership_management_governance": "inadequate",
        }
    )
    priority: tuple[str, ...] = ()  # 2014 layout: under "Priority and immediate action"
    recommendations: tuple[str, ...] = (
        "Ensure that performance management information systems are fit for purpose, provide "
        "reliable data and enable managers to identify and respond quickly to issues and "
        "areas of concern.",
        "Ensure that robust service and actions plans, informed by audit findings, are used to "
        "drive continuous improvement at every level.",
        "Develop and implement a neglect strategy",
        "Ensure that all care leavers have up-to-date pathway plans which are outcome focused "
        "and are specific and measurable, in particular in relation to their education, "
        "employment and training.",
    )
    subheadings: dict[int, str] = field(default_factory=dict)  # before item n (from 0)
    first_number: int = 10  # the list's numbers run on from the summary's paragraphs
    bullet: str | None = None  # a bullet glyph in place of numbers
    lscb: str | None = "good"  # the LSCB's grade; None: no LSCB review (2018)
    lscb_heading: str = "Recommendations"
    lscb_recommendations: tuple[str, ...] = (
        "Prioritise the revision of the threshold document so that step up and step down "
        "thresholds are well understood by practitioners and managers in partner agencies.",
        "Ensure that the issue of neglect is given a suitably high strategic and operational "
        "profile.",
    )
    intro: str | None = None  # a sentence before the list ("The local authority should:")

    @property
    def all_recommendations(self) -> list[str]:
        return [*self.priority, *self.recommendations]

    @property
    def expected_judgements(self) -> dict[str, str]:
        return self.judgements | ({"lscb": self.lscb} if self.lscb else {})


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


class _Pdf(FPDF):
    """A4 in Helvetica; a page number at the top of every page, as Ofsted prints it."""

    def __init__(self) -> None:
        super().__init__(format="A4")
        self.set_margins(25, 20, 25)
        self.set_auto_page_break(auto=True, margin=20)
        self.number = 0

    def header(self) -> None:
        self.set_font("Helvetica", size=9)
        self.cell(0, 5, str(self.page_no()), align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def block(self, text: str, size: float = 11, style: str = "", gap: float = 2) -> None:
        self.set_font("Helvetica", style=style, size=size)
        self.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(gap)

    def paragraphs(self, count: int) -> None:
        for _ in range(count):
            self.number += 1
            self.block(f"{self.number}. {PARAGRAPH}")


def _front(pdf: _Pdf, report: SifReport) -> None:
    pdf.add_page()
    pdf.block(f"{report.local_authority} County Council", size=14, style="B")
    title = (
        "Inspection of services for children in need of help and protection, children "
        "looked after and care leavers"
    )
    if report.lscb:
        title += " and Review of the effectiveness of the Local Safeguarding Children Board"
    pdf.block(title, size=16, style="B")
    pdf.block(f"Inspection date: {_day(report.start)} - {_day(report.end)}", gap=0)
    if report.published:
        pdf.block(f"Report published: {_day(report.published)}")
    overall = report.judgements.get("overall_effectiveness")
    if overall and report.layout == 2014:
        pdf.block(f"The overall judgement is {GRADES[overall].lower()}", style="B")
    elif overall:
        pdf.block(f"Children's services in {report.local_authority} {SAID[overall]}", style="B")
    pdf.block("There are no widespread or serious failures that leave children at risk.")
    _table(pdf, report.judgements)
    if report.lscb and report.layout == 2014:
        pdf.block(
            "The effectiveness of the Local Safeguarding Children Board (LSCB) is "
            + GRADES[report.lscb].lower()
        )


def _table(pdf: _Pdf, judgements: dict[str, str]) -> None:
    """Each row's label, then its grade in a narrow cell beside it (wrapping)."""
    left, label_w, grade_w, line = pdf.l_margin, 120, 30, 5.5
    for area, label in ROWS:
        if area not in judgements:
            continue
        pdf.set_font("Helvetica", size=11)
        top = pdf.get_y()
        pdf.set_x(left)
        pdf.multi_cell(label_w, line, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_xy(left + label_w, top)
        pdf.multi_cell(grade_w, line, GRADES[judgements[area]], new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), top + line) + 1)


def _items(pdf: _Pdf, report: SifReport, items: tuple[str, ...], headed: bool) -> None:
    for n, text in enumerate(items):
        if headed and n in report.subheadings:
            pdf.block(report.subheadings[n], style="B", gap=0)
        pdf.number += 1
        mark = report.bullet or f"{pdf.number}."
        pdf.set_font("Helvetica", size=11)
        pdf.cell(10, 5.5, mark)
        pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")


def _recommendations(pdf: _Pdf, report: SifReport) -> None:
    pdf.add_page()
    if report.layout == 2014:
        pdf.block("What does the local authority need to improve?", size=14, style="B")
        pdf.block("Priority and immediate action", style="B", gap=0)
        if report.priority:
            _items(pdf, report, report.priority, headed=False)
        else:
            pdf.block(NONE_FOUND, gap=0)
        pdf.block("Areas for improvement", style="B", gap=0)
    else:
        pdf.block("Recommendations", size=14, style="B")
    if report.intro:
        pdf.block(report.intro, gap=0)
    _items(pdf, report, report.recommendations, headed=True)
    pdf.ln(4)


def _lscb(pdf: _Pdf, report: SifReport) -> None:
    if not report.lscb:
        return
    pdf.add_page()
    pdf.block("The Local Safeguarding Children Board (LSCB)", size=14, style="B")
    pdf.block(f"The Local Safeguarding Children Board is {GRADES[report.lscb].lower()}")
    pdf.block("Executive summary", style="B")
    pdf.block(f"The board in {report.local_authority}. {PARAGRAPH}")
    pdf.block(report.lscb_heading, size=14, style="B")
    _items(pdf, report, report.lscb_recommendations, headed=False)
    pdf.block("Inspection findings - the Local Safeguarding Children Board", style="B")
    pdf.paragraphs(3)


def sif_pdf(report: SifReport) -> bytes:
    """The PDF of `report`: page 1, the summary, the lists, the body, LSCB, the team."""
    pdf = _Pdf()
    _front(pdf, report)
    pdf.add_page()
    pdf.block("Executive summary", size=14, style="B")
    pdf.paragraphs(report.first_number - 1)
    _recommendations(pdf, report)
    pdf.block("Summary for children and young people", size=14, style="B")
    pdf.block(f"{report.local_authority} helps children early. {PARAGRAPH}")
    pdf.block("Inspection findings", size=14, style="B")
    pdf.paragraphs(6)
    _lscb(pdf, report)
    pdf.add_page()
    pdf.block("Information about this inspection", size=14, style="B")
    pdf.block("The inspection team", style="B")
    pdf.block(f"Lead inspector: {report.lead_inspector}", gap=0)
    pdf.block("Deputy lead inspector: Tina Shepherd")
    return bytes(pdf.output())


def write_sif(path: Path, report: SifReport | None = None) -> Path:
    path.write_bytes(sif_pdf(report or SifReport()))
    return path
