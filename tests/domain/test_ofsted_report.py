"""Reading an ILACS report from its text: dates, lead inspector, judgements, recommendations."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from improveplan.domain.ofsted_report import ParsedReport, ReportError, parse_report
from improveplan.domain.vocab import Area, Grade, InspectionType

COVER = """\
Inspection of Northshire local authority
children’s services
Inspection dates: 27 November to 8 December 2023
Lead inspector: Jane Doe, His Majesty’s Inspector
Judgement Grade
The impact of leaders on social work
practice with children and families
Requires improvement to be good
The experiences and progress of
children who need help and protection
Good
The experiences and progress of
children in care
Outstanding
The experiences and progress of care
leavers
Inadequate
Overall effectiveness Requires improvement to be good

Since the last inspection, services have changed.
"""

HEADER = "Inspection of Northshire local authority children’s services\n27 November to 8 December 2023 {n}\n"

RECS = """\
What needs to improve?
◼ The quality of supervision, so that social workers are supported to think through
complex situations.
◼ The consistency of support for children who go missing from care.
"""

BODY = """\
The experiences and progress of children who need help and
protection: good
1. Children benefit from early help services.
"""


def report(cover: str = COVER, recs: str = RECS, body: str = BODY) -> list[str]:
    """A three-page report: cover, then the list with its running header, then the body."""
    return [cover, HEADER.format(n=2) + recs, HEADER.format(n=3) + body]


def with_dates(line: str) -> ParsedReport:
    cover = COVER.replace("Inspection dates: 27 November to 8 December 2023", line)
    return parse_report(report(cover=cover))


def test_reads_a_whole_report() -> None:
    parsed = parse_report(report())
    assert parsed == ParsedReport(
        local_authority="Northshire",
        type=InspectionType.standard,
        start=date(2023, 11, 27),
        end=date(2023, 12, 8),
        lead_inspector="Jane Doe",
        judgements={
            Area.impact_of_leaders: Grade.requires_improvement,
            Area.help_and_protection: Grade.good,
            Area.children_in_care: Grade.outstanding,
            Area.care_leavers: Grade.inadequate,
            Area.overall_effectiveness: Grade.requires_improvement,
        },
        recommendations=[
            "The quality of supervision, so that social workers are supported to think through "
            "complex situations.",
            "The consistency of support for children who go missing from care.",
        ],
    )


def test_a_report_reads_into_the_vocabulary_enums() -> None:
    """The same Grade, Area and InspectionType members `inspection add` parses to."""
    parsed = parse_report(report())
    assert parsed.type is InspectionType.standard
    assert list(parsed.judgements) == [
        Area.impact_of_leaders,
        Area.help_and_protection,
        Area.children_in_care,
        Area.care_leavers,
        Area.overall_effectiveness,
    ]
    assert all(type(area) is Area for area in parsed.judgements)
    assert parsed.judgements[Area.impact_of_leaders] is Grade.requires_improvement
    assert all(type(grade) is Grade for grade in parsed.judgements.values())


@pytest.mark.parametrize(
    ("line", "start", "end"),
    [
        ("Inspection dates: 5 to 16 December 2022", date(2022, 12, 5), date(2022, 12, 16)),
        ("Inspection dates: 27 November to 8 December 2023", date(2023, 11, 27), date(2023, 12, 8)),
        (
            "Inspection dates: 27 November 2023 to 8 December 2023",
            date(2023, 11, 27),
            date(2023, 12, 8),
        ),
        ("Inspection dates: 25 June 2018 to 6 July 2018", date(2018, 6, 25), date(2018, 7, 6)),
        ("Inspection dates: 15–19 July 2024", date(2024, 7, 15), date(2024, 7, 19)),
        ("Inspection dates: 15 July – 19 July 2024", date(2024, 7, 15), date(2024, 7, 19)),
        (
            "Inspection dates: 27 November to 8\nDecember 2023",
            date(2023, 11, 27),
            date(2023, 12, 8),
        ),
        ("Inspection dates:\n13 to 24 May 2024", date(2024, 5, 13), date(2024, 5, 24)),
        ("Inspection dates 13th to 24th May 2024", date(2024, 5, 13), date(2024, 5, 24)),
        ("Inspection dates: 30 December to 10 January 2025", date(2024, 12, 30), date(2025, 1, 10)),
        ("Inspection dates: 2 to 6 Sept 2019", date(2019, 9, 2), date(2019, 9, 6)),
        ("INSPECTION DATES: 2 TO 6 SEPTEMBER 2019", date(2019, 9, 2), date(2019, 9, 6)),
    ],
)
def test_reads_every_form_of_the_dates_line(line: str, start: date, end: date) -> None:
    parsed = with_dates(line)
    assert (parsed.start, parsed.end) == (start, end)


def test_one_week_of_fieldwork_is_a_short_inspection() -> None:
    assert with_dates("Inspection dates: 15 to 19 July 2024").type == "short"
    assert with_dates("Inspection dates: 8 to 14 July 2024").type == "short"
    assert with_dates("Inspection dates: 8 to 15 July 2024").type == "standard"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Inspection dates: to be confirmed", "could not read the inspection dates"),
        ("Inspection dates: 31 February to 4 March 2023", "invalid inspection dates"),
        ("Inspection dates: 9 June 2023 to 5 June 2023", "end before they start"),
    ],
)
def test_an_unreadable_dates_line_says_so(line: str, message: str) -> None:
    with pytest.raises(ReportError, match=message):
        with_dates(line)


def test_text_without_a_dates_line_is_not_an_ilacs_report() -> None:
    with pytest.raises(ReportError, match="no 'Inspection dates' line found — is this an Ofsted"):
        parse_report(["Monitoring visit to Northshire children’s services", "Dear Director"])


def test_no_pages_at_all_is_an_error() -> None:
    with pytest.raises(ReportError, match="Inspection dates"):
        parse_report([])


@pytest.mark.parametrize(
    "line",
    [
        "Lead inspector: Jane Doe, His Majesty’s Inspector",
        "Lead inspector:  Jane Doe, Her Majesty’s Inspector",
        "Lead inspector: Jane Doe HMI",
        "Lead inspector Jane Doe",
        "Lead Inspector: Jane Doe",
        "Lead inspector:\nJane Doe\nHis Majesty's Inspector",
        "Jane Doe, His Majesty's Inspector",
    ],
)
def test_reads_the_lead_inspector(line: str) -> None:
    cover = COVER.replace("Lead inspector: Jane Doe, His Majesty’s Inspector", line)
    assert parse_report(report(cover=cover)).lead_inspector == "Jane Doe"


def test_a_report_without_a_lead_inspector_says_so() -> None:
    cover = COVER.replace("Lead inspector: Jane Doe, His Majesty’s Inspector\n", "")
    with pytest.raises(ReportError, match="no lead inspector found"):
        parse_report(report(cover=cover))


def test_reads_the_old_combined_judgement_with_grades_on_the_label_line() -> None:
    cover = """\
1
Northshire City Council
Inspection of children’s social care services
Inspection dates: 25 June 2018 to 6 July 2018
Lead inspector:  Jane Doe, Her Majesty’s Inspector
Judgement Grade
The impact of leaders on social work practice with
children and families Good
The experiences and progress of children who need help
and protection Requires improvement to be good
The experiences and progress of children in care and
care leavers Good
Overall effectiveness Good

Outcomes for children in care and care leavers are good.
"""
    parsed = parse_report(report(cover=cover))
    assert parsed.local_authority == "Northshire"
    assert parsed.judgements == {
        "impact_of_leaders": "good",
        "help_and_protection": "requires_improvement",
        "children_in_care_and_care_leavers": "good",
        "overall_effectiveness": "good",
    }


def test_reads_a_table_without_its_header_row_in_any_order() -> None:
    table = COVER[COVER.index("Judgement Grade") : COVER.index("\nSince the last")]
    reordered = """\
Overall effectiveness Requires improvement to be good
The experiences and progress of care leavers Inadequate
The impact of leaders on social work practice with children and families
Requires improvement to be good
The experiences and progress of children in care Outstanding
The experiences and progress of children who need help and protection Good
"""
    cover = COVER.replace(table, reordered)
    assert parse_report(report(cover=cover)).judgements == parse_report(report()).judgements


def test_a_report_without_a_judgements_table_says_so() -> None:
    cover = COVER.split("Judgement Grade")[0] + "\nWe visited the front door.\n"
    with pytest.raises(ReportError, match="no judgements table found"):
        parse_report(report(cover=cover))


@pytest.mark.parametrize(
    ("row", "missing"),
    [
        ("Overall effectiveness Requires improvement to be good", "overall_effectiveness"),
        ("The experiences and progress of care\nleavers\nInadequate", "care_leavers"),
    ],
)
def test_an_incomplete_judgements_table_names_the_missing_area(row: str, missing: str) -> None:
    cover = COVER.replace(row, "")
    with pytest.raises(ReportError, match=f"incomplete: no grade found for {missing}$"):
        parse_report(report(cover=cover))


@pytest.mark.parametrize(
    "heading",
    [
        "What needs to improve?",
        "What needs to improve",
        "What needs to improve in this local authority?",
        "What needs to improve in this local\nauthority?",
    ],
)
def test_reads_the_list_under_any_form_of_the_heading(heading: str) -> None:
    recs = RECS.replace("What needs to improve?", heading)
    assert len(parse_report(report(recs=recs)).recommendations) == 2


@pytest.mark.parametrize("glyph", ["◼", "\uf0a7", "\uf0b7", "•", "▪", "●", "-", "–"])
def test_removes_any_bullet_glyph(glyph: str) -> None:
    recs = RECS.replace("◼", glyph)
    assert parse_report(report(recs=recs)).recommendations == [
        "The quality of supervision, so that social workers are supported to think through "
        "complex situations.",
        "The consistency of support for children who go missing from care.",
    ]


def test_a_glyph_alone_on_its_line_starts_an_item() -> None:
    recs = "What needs to improve?\n◼\nThe first thing.\n◼\nThe second\nthing.\n"
    assert parse_report(report(recs=recs)).recommendations == [
        "The first thing.",
        "The second thing.",
    ]


def test_a_dash_inside_a_wrapped_item_is_not_a_new_item() -> None:
    recs = "What needs to improve?\n◼ Placements for children\n– including those far away.\n"
    assert parse_report(report(recs=recs)).recommendations == [
        "Placements for children – including those far away."
    ]


def test_a_running_header_does_not_leak_into_an_item_across_a_page_break() -> None:
    pages = [
        COVER,
        HEADER.format(n=2) + "What needs to improve?\n◼ The first item.\n◼ The second item\n",
        HEADER.format(n=3) + "wraps onto the next page.\n◼ The third item.\n" + BODY,
    ]
    assert parse_report(pages).recommendations == [
        "The first item.",
        "The second item wraps onto the next page.",
        "The third item.",
    ]


@pytest.mark.parametrize(
    ("header", "footer"),
    [
        ("Inspection of Northshire local authority children’s services\n", "Page {n} of 12\n"),
        ("{n}\n", "Ofsted\n"),
        ("Northshire children’s services inspection, page {n}\n", "{n}\n"),
        ("", "- {n} -\n"),
        (
            "Inspection of Northshire local authority children’s services, 27 November to "
            "8 December 2023 | Page {n} of 12\n",
            "Ofsted {n}\n",
        ),
        ("27 November to 8 December 2023\n", "\n{n}\n\n"),
    ],
)
def test_strips_headers_and_footers_of_other_layouts(header: str, footer: str) -> None:
    pages = [
        COVER + footer.format(n=1),
        header.format(n=2) + "What needs to improve?\n◼ The first item\n" + footer.format(n=2),
        header.format(n=3) + "continues here\n◼ The second item\n" + footer.format(n=3),
        header.format(n=4) + BODY + footer.format(n=4),
    ]
    assert parse_report(pages).recommendations == [
        "The first item continues here",
        "The second item",
    ]


def test_items_separated_by_blank_lines_and_ending_without_full_stops() -> None:
    recs = (
        "What needs to improve\n\n\uf0b7 The use of chronologies\n\n"
        "\uf0b7 Return interviews for children\nmissing from care\n\n\n"
    )
    body = "The experiences and progress of children who need help and\nprotection:  Good\n"
    assert parse_report(report(recs=recs, body=body)).recommendations == [
        "The use of chronologies",
        "Return interviews for children missing from care",
    ]


def test_hyphenated_wraps_keep_the_word_together() -> None:
    recs = (
        "What needs to improve?\n◼ Timely decision-\nmaking and pre-\nproceedings for 16-\n"
        "and 17-year-old children and/\nor their carers.\n"
    )
    assert parse_report(report(recs=recs)).recommendations == [
        "Timely decision-making and pre-proceedings for 16- and 17-year-old children "
        "and/or their carers."
    ]


def test_keeps_quotes_verbatim_and_folds_whitespace() -> None:
    recs = (
        'What needs to improve?\n◼ Use of ‘staying put’ and "staying close"\u00a0  arrangements. \n'
    )
    assert parse_report(report(recs=recs)).recommendations == [
        'Use of ‘staying put’ and "staying close" arrangements.'
    ]


def test_a_paragraph_after_the_list_is_not_part_of_the_last_item() -> None:
    recs = "What needs to improve?\n◼ The first item.\n\nLeaders know this well.\n"
    assert parse_report(report(recs=recs)).recommendations == ["The first item."]


def test_no_heading_means_no_recommendations() -> None:
    assert parse_report(report(recs="")).recommendations == []


def test_a_heading_with_no_items_means_no_recommendations() -> None:
    assert parse_report(report(recs="What needs to improve?\n\n")).recommendations == []


def test_text_before_the_first_bullet_is_not_an_item() -> None:
    recs = "What needs to improve?\nLeaders should improve:\n◼ The first item.\n"
    assert parse_report(report(recs=recs)).recommendations == ["The first item."]


def test_the_body_of_the_report_is_not_read_for_recommendations() -> None:
    body = BODY + "2. Leaders know what needs to improve.\nWhat needs to improve\n◼ Not an item.\n"
    assert parse_report(report(recs="", body=body)).recommendations == []


def test_stops_reading_pages_after_the_start_of_the_report_body() -> None:
    consumed: list[int] = []

    def pages() -> Iterator[str]:
        for number, page in enumerate([*report(), "late page", "later page"]):
            consumed.append(number)
            yield page

    assert len(parse_report(pages()).recommendations) == 2
    assert consumed == [0, 1, 2]


@pytest.mark.parametrize(
    ("title", "authority"),
    [
        (
            "Inspection of Cheshire West and\nChester local authority children’s\nservices",
            "Cheshire West and Chester",
        ),
        ("Inspection of St Helens local authority children's services", "St Helens"),
        (
            "Northshire County Council\n\nInspection of children’s social care services",
            "Northshire",
        ),
        ("Some other heading", None),
    ],
)
def test_reads_the_local_authority_from_the_title(title: str, authority: str | None) -> None:
    cover = COVER.replace("Inspection of Northshire local authority\nchildren’s services", title)
    assert parse_report(report(cover=cover)).local_authority == authority


@settings(max_examples=300)
@given(st.lists(st.text(max_size=400), max_size=4))
def test_arbitrary_text_raises_only_report_error(pages: list[str]) -> None:
    with contextlib.suppress(ReportError):
        parse_report(pages)


report_words = st.sampled_from(
    [
        "Inspection dates:",
        "Lead inspector:",
        "Judgement Grade",
        "What needs to improve?",
        "The impact of leaders",
        "help and protection",
        "children in care",
        "care leavers",
        "Overall effectiveness",
        "Good",
        "Requires improvement to be good",
        "Inadequate",
        "◼",
        "\n",
        "1.",
        "5",
        "31",
        "0000",
        "9999",
        "February",
        "to",
        "–",
        "-",
        "protection:",
    ]
)


@settings(max_examples=300)
@given(st.lists(st.lists(report_words, max_size=60).map(" ".join), max_size=4))
def test_report_like_text_raises_only_report_error(pages: list[str]) -> None:
    with contextlib.suppress(ReportError):
        parse_report(pages)
