"""Reading the inspection vocabulary as people type it: grades, areas, inspection types.

Pure (docs/design.md §2): the CLI validates `--grade AREA=GRADE` with these before any
database work, and the report reader (`domain.ofsted_report`) turns a report's own words
into the same enums, so "Requires improvement to be good", "RI" and
"requires-improvement" are one grade wherever they come from. Errors are ValueError
naming every valid value, which the CLI shows as a usage error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TypeVar

from improveplan.domain.vocab import Area, Grade, InspectionType, Rag

__all__ = [
    "COMBINED_CARE",
    "CORE_AREAS",
    "GRADE_LABELS",
    "GRADE_RAG",
    "SIF_ORDER",
    "SPLIT_CARE",
    "area_words",
    "in_area_order",
    "missing_areas",
    "parse_area",
    "parse_grade",
    "parse_grades",
    "parse_inspection_type",
]

# How Ofsted writes each grade in a report's judgement table.
GRADE_LABELS: Mapping[Grade, str] = {
    Grade.outstanding: "Outstanding",
    Grade.good: "Good",
    Grade.requires_improvement: "Requires improvement to be good",
    Grade.inadequate: "Inadequate",
}

# Grades are shown in the board's colours: outstanding blue down to inadequate red.
GRADE_RAG: Mapping[Grade, Rag] = {
    Grade.outstanding: Rag.blue,
    Grade.good: Rag.green,
    Grade.requires_improvement: Rag.amber,
    Grade.inadequate: Rag.red,
}

# Every ILACS report grades these; reports from 2023 grade children in care and care
# leavers separately, earlier (SIF) ones together.
CORE_AREAS: tuple[Area, ...] = (
    Area.impact_of_leaders,
    Area.help_and_protection,
    Area.overall_effectiveness,
)
SPLIT_CARE: tuple[Area, ...] = (Area.children_in_care, Area.care_leavers)
COMBINED_CARE = Area.children_in_care_and_care_leavers

_GRADE_ALIASES = {
    "ri": Grade.requires_improvement,
    "requires_improvement_to_be_good": Grade.requires_improvement,
}
_AREA_ALIASES = {
    "overall": Area.overall_effectiveness,
    "the_impact_of_leaders": Area.impact_of_leaders,
    "impact_of_leaders_on_social_work_practice": Area.impact_of_leaders,
    "local_safeguarding_children_board": Area.lscb,
    "leadership_management_and_governance": Area.leadership_management_governance,
    "children_looked_after_and_achieving_permanence": Area.children_looked_after_and_permanence,
}
# How an area reads in a sentence or table where its value would not.
_AREA_WORDS = {
    Area.lscb: "LSCB",
    Area.leadership_management_governance: "leadership, management and governance",
}

E = TypeVar("E", bound=StrEnum)


def _key(text: str) -> str:
    """ "Requires improvement-to be good" -> "requires_improvement_to_be_good"."""
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def _parse(enum: type[E], what: str, text: str, aliases: Mapping[str, E]) -> E:
    key = _key(text)
    try:
        return aliases.get(key) or enum(key)
    except ValueError:
        raise ValueError(f"unknown {what} {text!r}: use one of {', '.join(enum)}") from None


def parse_grade(text: str) -> Grade:
    """A grade from any usual spelling; ValueError naming the valid grades."""
    return _parse(Grade, "grade", text, _GRADE_ALIASES)


def parse_area(text: str) -> Area:
    """A judgement area from any usual spelling; ValueError naming the valid areas."""
    return _parse(Area, "area", text, _AREA_ALIASES)


def parse_inspection_type(text: str) -> InspectionType:
    """An inspection type ("focused visit" is `focused_visit`); ValueError naming them."""
    return _parse(InspectionType, "inspection type", text, {})


def area_words(area: Area) -> str:
    """An area as people read it: "children looked after and permanence", "LSCB"."""
    return _AREA_WORDS.get(area, area.replace("_", " "))


# A SIF report's order: the overall judgement, its table's rows, then the LSCB's grade.
SIF_ORDER: tuple[Area, ...] = (
    Area.overall_effectiveness,
    Area.help_and_protection,
    Area.children_looked_after_and_permanence,
    Area.adoption_performance,
    Area.care_leavers,
    Area.leadership_management_governance,
    Area.lscb,
)
_SIF_ONLY = frozenset(SIF_ORDER) - {Area.overall_effectiveness, Area.help_and_protection,
                                    Area.care_leavers}  # fmt: skip


def in_area_order(judgements: Mapping[Area, Grade]) -> dict[Area, Grade]:
    """The judgements in the order a report's table lists them: the enum's order, or a
    SIF report's when it grades any area of its own."""
    first = SIF_ORDER if _SIF_ONLY & judgements.keys() else ()
    order = dict.fromkeys((*first, *Area))
    return {area: judgements[area] for area in order if area in judgements}


def missing_areas(judgements: Mapping[Area, Grade]) -> list[Area]:
    """The areas a complete judgement table would still need (none when complete)."""
    care = () if COMBINED_CARE in judgements else SPLIT_CARE
    return [area for area in (*CORE_AREAS, *care) if area not in judgements]


def parse_grades(pairs: Sequence[str]) -> dict[Area, Grade]:
    """`AREA=GRADE` pairs as {area: grade}; ValueError for anything a report cannot hold."""
    judgements: dict[Area, Grade] = {}
    for pair in pairs:
        area_text, sep, grade_text = pair.partition("=")
        if not sep:
            raise ValueError(f"{pair!r} is not AREA=GRADE, e.g. overall_effectiveness=inadequate")
        area = parse_area(area_text)
        if area in judgements:
            raise ValueError(f"{area} is graded twice")
        judgements[area] = parse_grade(grade_text)
    if COMBINED_CARE in judgements and set(SPLIT_CARE) & judgements.keys():
        raise ValueError(
            f"grade either {COMBINED_CARE} (reports before 2023) or {' and '.join(SPLIT_CARE)}"
            ", not both"
        )
    return judgements
