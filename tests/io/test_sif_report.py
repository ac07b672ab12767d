"""Reading SIF (2013–2018) reports: the published ones of ../shared, field by field, and
reports the tests generate in each layout (`tests/sif_pdfs.py`), in any clone."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from improveplan.domain.ofsted_report import ParsedReport
from improveplan.domain.vocab import Area, Grade, InspectionType
from improveplan.io.ofsted_pdf import read_report
from tests.conftest import SIF_REPORTS, sif_reports
from tests.sif_pdfs import SifReport, write_sif


@pytest.mark.parametrize("expected", sif_reports())
def test_reads_each_sif_report_as_expected(expected: dict[str, Any]) -> None:
    """Every field of expected.json; priority actions are the leading recommendations."""
    report = read_report(SIF_REPORTS / expected["file"])
    assert (report.local_authority or "").casefold() == expected["local_authority"]
    assert (report.framework, report.type) == (expected["framework"], expected["type"])
    assert report.start == date.fromisoformat(expected["start"])
    assert report.end == date.fromisoformat(expected["end"])
    published = expected["published"]
    assert report.published == (date.fromisoformat(published) if published else None)
    assert report.lead_inspector.casefold() == expected["lead_inspector"].casefold()
    assert report.judgements == expected["judgements"]
    assert report.recommendations == expected["recommendations"]
    assert report.lscb_recommendations == expected["lscb_recommendations"]
    assert report.recommendations[: report.priority] == expected["priority_actions"]


LAMBETH_LIKE = SifReport(
    local_authority="Southmere",
    start=date(2015, 2, 24),
    end=date(2015, 3, 18),
    published=date(2015, 5, 12),
    lead_inspector="Pietro Battista",
    layout=2014,
    judgements={
        "overall_effectiveness": "inadequate",
        "help_and_protection": "requires_improvement",
        "children_looked_after_and_permanence": "inadequate",
        "adoption_performance": "inadequate",
        "care_leavers": "requires_improvement",
        "leadership_management_governance": "inadequate",
    },
    priority=(
        "Ensure that all young people who go missing from home and care are promptly seen "
        "upon their return, and that the resulting information is used to reduce risk.",
        "Ensure that there is no undue delay in children moving to permanent homes.",
    ),
    subheadings={0: "Safeguarding children", 2: "Quality of practice"},
    lscb="inadequate",
    first_number=1,
)
GENERATED = {
    "2015 layout": SifReport(),
    "2014 layout, none priority": SifReport(
        layout=2014, published=None, subheadings={1: "Leadership, management and governance"}
    ),
    "2014 layout, priority actions, sub-headings": LAMBETH_LIKE,
    "bullets": SifReport(bullet="\u00b7", lscb_heading="Priority actions"),
    "LSCB without recommendations": SifReport(lscb="outstanding", lscb_recommendations=()),
    "2018 without LSCB": SifReport(
        start=date(2018, 1, 8), end=date(2018, 1, 25), published=date(2018, 3, 9), lscb=None
    ),
    "no overall judgement": SifReport(
        judgements={"help_and_protection": "good", "care_leavers": "outstanding"},
        intro="In order to improve, the local authority should:",
    ),
}


def written(report: SifReport) -> ParsedReport:
    return ParsedReport(
        local_authority=report.local_authority,
        type=InspectionType.sif,
        start=report.start,
        end=report.end,
        lead_inspector=report.lead_inspector,
        judgements={Area(a): Grade(g) for a, g in report.expected_judgements.items()},
        recommendations=report.all_recommendations,
        published=report.published,
        priority=len(report.priority),
        lscb_recommendations=list(report.lscb_recommendations) if report.lscb else [],
    )


@pytest.mark.parametrize("report", GENERATED.values(), ids=GENERATED.keys())
def test_reads_a_generated_sif_report_as_it_was_written(report: SifReport, tmp_path: Path) -> None:
    assert read_report(write_sif(tmp_path / "report.pdf", report)) == written(report)


def test_a_grade_wrapped_over_two_lines_is_one_grade(tmp_path: Path) -> None:
    """ "Requires improvement" in a narrow cell is "Requires" / "improvement"."""
    report = SifReport()
    text = read_report(write_sif(tmp_path / "r.pdf", report))
    assert text.judgements[Area.help_and_protection] is Grade.requires_improvement


def test_a_list_item_runs_over_a_page_break(tmp_path: Path) -> None:
    long = tuple(f"Ensure that item {n} is done. {'More words here ' * 12}".strip() + "."
                 for n in range(12))  # fmt: skip
    report = replace(SifReport(), recommendations=long)
    assert read_report(write_sif(tmp_path / "r.pdf", report)).recommendations == list(long)
