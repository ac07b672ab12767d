"""What the board report shows, as types: `services.report` builds a `BoardReport`, the
templates read it by attribute (docs/design.md §3-4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from improveplan.domain.status import GroupCounts, MeasureRows, NextMilestone, Totals
from improveplan.domain.timeline import MilestoneRecord
from improveplan.domain.vocab import Rag, Status
from improveplan.services.history import InspectionHistory

# What each colour tells a board: a card's caption, and the report's footnote (§2).
RAG_LABELS: dict[Rag, str] = {
    Rag.blue: "signed off",
    Rag.green: "on track",
    Rag.amber: "at risk",
    Rag.red: "past due",
}
RAG_MEANINGS: dict[Rag, str] = {
    Rag.blue: "signed off",
    Rag.green: "on track or complete awaiting sign-off",
    Rag.amber: "due within the amber window, blocked or slipped",
    Rag.red: "open and past its due date",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanHeading:
    """Who the report is for."""

    name: str
    authority: str
    la_code: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class BoardAction:
    """An overdue or slipped action as the board reads it, with why it is late."""

    id: int
    ref: str
    title: str
    owner: str | None
    theme: str | None
    status: Status
    due: dt.date | None
    original_due: dt.date | None
    reason: str
    days_overdue: int
    slip_days: int
    rag: Rag | None  # None: cancelled (no RAG)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionList:
    """The first LIST_LIMIT actions of a list, how many it holds, and how many not shown."""

    count: int
    rows: list[BoardAction]
    more: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneWindow:
    """The milestones a board discusses, and how many fall after `until` (not listed)."""

    rows: list[MilestoneRecord]
    later: int
    until: dt.date


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """A progress note with the action it is about."""

    at: dt.datetime
    author: str
    text: str
    ref: str
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendPoint:
    """One night's counts: open (not yet signed off) and overdue."""

    day: dt.date
    open: int
    overdue: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LatestNote:
    """An action's latest progress note up to the as-of date; `on` is its London day."""

    text: str
    at: dt.datetime
    on: dt.date
    author: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanAction:
    """An action as the plan lists it under its recommendation; cancelled ones included,
    with no RAG, so nothing leaves the plan unseen."""

    id: int
    ref: str
    title: str
    owner: str | None
    due: dt.date | None
    status: Status
    rag: Rag | None
    note: LatestNote | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RecommendationActions:
    """One recommendation in full and the actions that answer it, in plan order."""

    ref: str
    text: str
    priority_action: bool
    actions: list[PlanAction]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanByRecommendation:
    """Every recommendation with its actions, then the actions linked to none. An action
    answering two recommendations is listed under each. `more` rows past PLAN_LIMIT are
    counted, not listed."""

    recommendations: list[RecommendationActions]
    unlinked: list[PlanAction]
    more: int


@dataclass(frozen=True, slots=True, kw_only=True)
class BoardReport:
    """Everything the board report shows; templates read it by attribute (its fields are
    a template's names, so a user's template writes `plan.name`, `overdue.rows`)."""

    plan: PlanHeading
    as_of: dt.date
    totals: Totals
    overdue_count: int
    complete: int
    pct_complete: int
    themes: list[GroupCounts]
    next_milestone: NextMilestone | None
    overdue: ActionList
    due_soon: ActionList  # open, due from as_of to due_soon_until (both included)
    due_soon_days: int
    due_soon_until: dt.date
    slipped: ActionList
    milestones: MilestoneWindow
    measures: MeasureRows
    notes: list[Note]
    notes_days: int
    trend: list[TrendPoint]
    by_recommendation: PlanByRecommendation
    # The council's inspections side by side, when 2+ of them have judgements; else None.
    history: InspectionHistory | None = None
