"""Where the plan stands: RAG totals, groups, next milestone, measures, recent changes.

Everything is counted in SQL (`store.queries.rag_counts` and the queries here), so the
dashboard costs the same at 50 actions or 100k. The JSON shape is docs/design.md §3.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from improveplan.domain.dates import shift_days
from improveplan.domain.records import RagCounts
from improveplan.domain.vocab import RAG_ORDER, MilestoneKind, Rag
from improveplan.serialize import json_field
from improveplan.services import milestone_sync
from improveplan.services.context import App
from improveplan.services.measures import MeasureRecord, measure_rows
from improveplan.store.models import (
    Action,
    AuditEvent,
    ProgressNote,
)
from improveplan.store.queries import rag_counts

LONDON = ZoneInfo("Europe/London")
NO_GROUP = {"theme": "(no theme)", "owner": "(no owner)", "recommendation": "(no recommendation)"}

MeasureRows = list[MeasureRecord]


def pct(done: int, total: int) -> int:
    """Whole-number percentage; 0 of 0 is 0%."""
    return round(100 * done / total) if total else 0


class _ByColour:
    """`of(rag)` and `colours` for a counts type with one int field per RAG colour, so
    templates and charts walk RAG_ORDER instead of naming colours."""

    __slots__ = ()

    def of(self, rag: Rag) -> int:
        """The count for one colour."""
        return int(getattr(self, rag.value))

    @property
    def colours(self) -> tuple[tuple[Rag, int], ...]:
        """(colour, count) in the board's order."""
        return tuple((rag, self.of(rag)) for rag in RAG_ORDER)


@dataclass(frozen=True, slots=True, kw_only=True)
class Totals(_ByColour):
    """The whole plan's counts. The JSON `totals` holds the colours and the total; the
    overdue, complete and % complete figures sit beside it in the status JSON (§3)."""

    blue: int
    green: int
    amber: int
    red: int
    total: int
    overdue: int = json_field(hidden=True)
    complete: int = json_field(hidden=True)
    pct_complete: int = json_field(hidden=True)

    @classmethod
    def from_counts(cls, c: RagCounts) -> Totals:
        """The plan's RAG counts with their % complete."""
        return cls(blue=c.blue, green=c.green, amber=c.amber, red=c.red, total=c.total,
                   overdue=c.overdue, complete=c.complete,
                   pct_complete=pct(c.complete, c.total))  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupCounts(_ByColour):
    """One group's counts (a theme, an owner or a recommendation; never unnamed)."""

    name: str
    blue: int
    green: int
    amber: int
    red: int
    total: int
    complete: int
    pct_complete: int
    overdue: int

    @classmethod
    def from_counts(cls, c: RagCounts, name: str) -> GroupCounts:
        """A group's RAG counts under its shown name, with their % complete."""
        return cls(name=name, blue=c.blue, green=c.green, amber=c.amber, red=c.red,
                   total=c.total, complete=c.complete, pct_complete=pct(c.complete, c.total),
                   overdue=c.overdue)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class NextMilestone:
    """The first milestone ahead, not done, and how many days away it is."""

    name: str
    date: dt.date
    days: int
    kind: MilestoneKind
    expected: bool


def totals_and_groups(
    session: Session, *, plan_id: int, as_of: dt.date, amber_days: int, by: str
) -> tuple[Totals, list[GroupCounts]]:
    """The plan's totals and its groups. An action has one theme and one owner, so those
    totals are the groups' sums (one scan saved); recommendations may share an action."""
    found = rag_counts(session, plan_id=plan_id, as_of=as_of, amber_days=amber_days, group_by=by)
    groups = [GroupCounts.from_counts(c, c.name or NO_GROUP[by]) for c in found]
    if by == "recommendation":
        (total,) = rag_counts(session, plan_id=plan_id, as_of=as_of, amber_days=amber_days)
    else:
        total = _summed(found)
    return Totals.from_counts(total), groups


def _summed(found: list[RagCounts]) -> RagCounts:
    """Counts of groups that share no action, added up field by field."""
    keys = [f.name for f in dataclasses.fields(RagCounts) if f.name != "name"]
    return RagCounts(name=None, **{key: sum(getattr(c, key) for c in found) for key in keys})


def next_milestone(
    session: Session, *, plan_id: int, as_of: dt.date, today: dt.date
) -> NextMilestone | None:
    """The first milestone on or after `as_of` that is neither done nor recorded as missed,
    from the milestones as the timeline shows them (defaults not yet stored included)."""
    ahead = [
        m
        for m in milestone_sync.plan_milestones(session, plan_id=plan_id, today=today, as_of=as_of)
        if m.done is None and m.missed_reason is None and m.date >= as_of
    ]
    if not ahead:
        return None
    found = min(ahead, key=lambda m: (m.date, m.name))
    return NextMilestone(
        name=found.name,
        date=found.date,
        days=(found.date - as_of).days,
        kind=found.kind,
        expected=found.expected,
    )


def day_start(day: dt.date) -> dt.datetime:
    """Midnight in Europe/London as aware UTC: the audit trail's clock."""
    return dt.datetime.combine(day, dt.time(), tzinfo=LONDON).astimezone(dt.UTC)


def _audit_action_events(plan_id: int, start: dt.datetime, end: dt.datetime) -> Any:
    """Action events of the plan in [start, end), with the action's ref and title."""
    return (
        sa_select(
            col(AuditEvent.at),
            col(AuditEvent.actor),
            col(Action.ref),
            col(Action.title),
            col(AuditEvent.field),
            col(AuditEvent.old_value).label("old"),
            col(AuditEvent.new_value).label("new"),
        )
        .join(Action, col(Action.id) == col(AuditEvent.entity_id))
        .where(
            col(AuditEvent.plan_id) == plan_id,
            col(AuditEvent.entity) == "action",
            col(AuditEvent.at) >= start,
            col(AuditEvent.at) < end,
        )
    )


def _created_between(
    session: Session, plan_id: int, start: dt.datetime, end: dt.datetime
) -> tuple[int, int]:
    """(actions created, progress notes added) in [start, end)."""
    new_actions = session.execute(
        select(func.count())
        .select_from(Action)
        .where(
            col(Action.plan_id) == plan_id,
            col(Action.created_at) >= start,
            col(Action.created_at) < end,
        )
    ).scalar_one()
    notes = session.execute(
        select(func.count())
        .select_from(ProgressNote)
        .join(Action, col(Action.id) == col(ProgressNote.action_id))
        .where(
            col(Action.plan_id) == plan_id,
            col(ProgressNote.created_at) >= start,
            col(ProgressNote.created_at) < end,
        )
    ).scalar_one()
    return int(new_actions), int(notes)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecentChange:
    """One status change or moved due date from the audit trail."""

    at: dt.datetime
    actor: str
    ref: str
    title: str
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Changes:
    """What moved between two dates: counts, and the latest changes themselves."""

    since: dt.date
    status_changes: int
    new_actions: int
    notes_added: int
    due_dates_moved: int
    recent: list[RecentChange]


def changes_since(
    session: Session, *, plan_id: int, since: dt.date, as_of: dt.date, limit: int = 10
) -> Changes:
    """What moved between `since` and the end of `as_of`, counted from the audit trail.

    A status change or a moved due date is an action event with an old value (creation
    records fields from nothing); new actions and notes are counted from their own rows.
    """
    start, end = day_start(since), day_start(shift_days(as_of, 1))
    moved = col(AuditEvent.old_value).is_not(None) & col(AuditEvent.field).in_(["status", "due"])
    events = _audit_action_events(plan_id, start, end).where(moved)
    tally = session.execute(
        sa_select(events.subquery().c.field, func.count()).group_by("field")
    ).all()
    by_field = {field: int(n) for field, n in tally}
    new_actions, notes = _created_between(session, plan_id, start, end)
    recent = session.execute(
        events.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc()).limit(limit)
    ).mappings()
    return Changes(
        since=since,
        status_changes=by_field.get("status", 0),
        new_actions=new_actions,
        notes_added=notes,
        due_dates_moved=by_field.get("due", 0),
        recent=[RecentChange(**row) for row in recent],
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusReport:
    """The `status` dashboard: the JSON shape of docs/design.md §3, plus extras after it;
    `changes` appears only when asked for with `--since`."""

    as_of: dt.date
    plan: str
    totals: Totals
    groups: list[GroupCounts]
    next_milestone: NextMilestone | None
    by: str
    overdue: int
    complete: int
    pct_complete: int
    measures: MeasureRows
    changes: Changes | None = json_field(omit_none=True, default=None)  # noqa: RUF009


def plan_status(
    app: App, *, as_of: dt.date, by: str = "theme", since: dt.date | None = None
) -> StatusReport:
    """Where the plan stands on `as_of`, grouped `by` theme, owner or recommendation."""
    amber = app.settings.amber_days
    with app.read() as session:
        plan = app.plan(session)
        assert plan.id is not None
        totals, groups = totals_and_groups(
            session, plan_id=plan.id, as_of=as_of, amber_days=amber, by=by
        )
        changes = (
            None
            if since is None
            else changes_since(session, plan_id=plan.id, since=since, as_of=as_of)
        )
        return StatusReport(
            as_of=as_of,
            plan=plan.name,
            totals=totals,
            groups=groups,
            next_milestone=next_milestone(session, plan_id=plan.id, as_of=as_of, today=app.today),
            by=by,
            overdue=totals.overdue,
            complete=totals.complete,
            pct_complete=totals.pct_complete,
            measures=measure_rows(session, plan_id=plan.id, as_of=as_of),
            changes=changes,
        )
