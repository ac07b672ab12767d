"""The plan's inspection history: every inspection's judgements side by side, oldest first,
and the current inspection's recommendations that echo an earlier one's.

Which judgement fills which row is `domain.history`; what counts as an echo is
`domain.recurring`. The "current" inspection is the latest with recommendations (a
monitoring visit after it makes none); every inspection before it is earlier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from improveplan.domain.history import column_labels, history_grid
from improveplan.domain.recurring import echoes
from improveplan.domain.vocab import Grade, InspectionType
from improveplan.services.context import App
from improveplan.services.inspections import InspectionRecord, list_inspections


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryInspection:
    """One column of the history."""

    id: int | None
    type: InspectionType
    start: dt.date | None
    end: dt.date | None
    label: str
    overall: Grade | None


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryArea:
    """One row: its key and label, and a grade (or None) per inspection, in their order."""

    area: str
    label: str
    grades: list[Grade | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Said:
    """A recommendation as one inspection said it."""

    inspection_id: int | None
    year: int | None
    ref: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RecurringConcern:
    """A current recommendation, the earlier one it echoes, and how alike they read."""

    current: Said
    earlier: Said
    score: float


@dataclass(frozen=True, slots=True, kw_only=True)
class InspectionHistory:
    """The `inspection history` JSON of docs/design.md §3."""

    inspections: list[HistoryInspection]
    areas: list[HistoryArea]
    recurring: list[RecurringConcern]


def _said(record: InspectionRecord) -> list[Said]:
    year = record.start.year if record.start else None
    return [
        Said(inspection_id=record.id, year=year, ref=r.ref, text=r.text)
        for r in record.recommendations
    ]


def recurring(records: Sequence[InspectionRecord]) -> list[RecurringConcern]:
    """The latest inspection with recommendations against every one before it."""
    with_recs = [r for r in records if r.recommendations]
    if len(with_recs) < 2:
        return []
    current = _said(with_recs[-1])
    earlier = [said for record in with_recs[:-1] for said in _said(record)]
    found = echoes(
        [s.text for s in current],
        [s.text for s in earlier],
        groups=[s.inspection_id for s in earlier],
    )
    return [
        RecurringConcern(current=current[e.current], earlier=earlier[e.earlier], score=e.score)
        for e in found
    ]


def history_of(records: Sequence[InspectionRecord]) -> InspectionHistory:
    """The history of these inspections, in the order given (oldest first)."""
    labels = column_labels([(r.start, r.type) for r in records])
    grid = history_grid([r.judgements for r in records])
    return InspectionHistory(
        inspections=[
            HistoryInspection(
                id=r.id, type=r.type, start=r.start, end=r.end, label=label, overall=r.overall
            )
            for r, label in zip(records, labels, strict=True)
        ],
        areas=[HistoryArea(area=row.key, label=row.label, grades=grades) for row, grades in grid],
        recurring=recurring(records),
    )


def inspection_history(app: App) -> InspectionHistory:
    """Every inspection of the plan, oldest fieldwork first (as `inspection list`)."""
    return history_of(list_inspections(app))
