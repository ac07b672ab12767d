"""The council's inspections side by side: which judgement of each framework fills which row.

Boards read a plan against the council's history, and the frameworks name their
judgements differently: the SIF (2013–2018) judged "children looked after and achieving
permanence" and "leadership, management and governance", ILACS judges "children in care"
and "the impact of leaders". A row here is what a board compares across the years; each
row lists the areas that mean it, first match wins. ILACS's combined
`children_in_care_and_care_leavers` (before 2023) counts for both care rows, as the one
grade Ofsted gave both. Pure: the history service and the board report's chart read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from improveplan.domain.vocab import Area, Grade, InspectionType, spoken

__all__ = ["CORE_ROWS", "SIF_ROWS", "HistoryRow", "column_labels", "grade_in", "history_grid"]


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One line of the history: its key (the JSON's `area`), its label, and the stored
    areas that fill it, in order of preference."""

    key: str
    label: str
    areas: tuple[Area, ...]


CORE_ROWS: tuple[HistoryRow, ...] = (
    HistoryRow("help_and_protection", "Help and protection", (Area.help_and_protection,)),
    HistoryRow(
        "children_in_care",
        "Children in care",
        (
            Area.children_in_care,
            Area.children_in_care_and_care_leavers,
            Area.children_looked_after_and_permanence,
        ),
    ),
    HistoryRow(
        "care_leavers", "Care leavers", (Area.care_leavers, Area.children_in_care_and_care_leavers)
    ),
    HistoryRow(
        "leadership", "Leadership", (Area.impact_of_leaders, Area.leadership_management_governance)
    ),
    HistoryRow("overall_effectiveness", "Overall effectiveness", (Area.overall_effectiveness,)),
)
# Judged by the SIF only: shown when an inspection graded them, empty for ILACS ones.
SIF_ROWS: tuple[HistoryRow, ...] = (
    HistoryRow("adoption_performance", "Adoption performance", (Area.adoption_performance,)),
    HistoryRow("lscb", "LSCB", (Area.lscb,)),
)


def grade_in(row: HistoryRow, judgements: Mapping[Area, Grade]) -> Grade | None:
    """The grade an inspection gave the row, or None when it judged none of its areas."""
    for area in row.areas:
        if area in judgements:
            return judgements[area]
    return None


def history_grid(
    judgements: Sequence[Mapping[Area, Grade]],
) -> list[tuple[HistoryRow, list[Grade | None]]]:
    """Each row with one grade (or None) per inspection, in the inspections' order: the
    core rows always, a SIF-only row when some inspection graded it."""
    grid = []
    for row in (*CORE_ROWS, *SIF_ROWS):
        grades = [grade_in(row, given) for given in judgements]
        if row in CORE_ROWS or any(g is not None for g in grades):
            grid.append((row, grades))
    return grid


def column_labels(inspections: Sequence[tuple[dt.date | None, InspectionType]]) -> list[str]:
    """ "2018 standard", "2015 sif": the year of fieldwork and the type; the full start
    date where two inspections of one type share a year, so no two columns read alike."""

    def label(start: dt.date | None, kind: InspectionType, full: bool) -> str:
        when = "undated" if start is None else start.isoformat() if full else str(start.year)
        return f"{when} {spoken(kind)}"

    short = [label(start, kind, False) for start, kind in inspections]
    return [
        label(start, kind, short.count(text) > 1)
        for (start, kind), text in zip(inspections, short, strict=True)
    ]
