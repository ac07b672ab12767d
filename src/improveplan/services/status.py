"""Where the plan stands: RAG totals, groups, next milestone, measures, recent changes.

Everything is counted in SQL (`store.queries.rag_counts` and the queries here), so the
dashboard costs the same at 50 actions or 100k. What it holds is domain/status.py's;
services/direct.py reads the same without SQLAlchemy when it can (`status_report`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from improveplan.domain import status
from improveplan.domain.dates import shift_days
from improveplan.domain.status import (
    Changes,
    GroupCounts,
    NextMilestone,
    RecentChange,
    StatusReport,
    Totals,
)
from improveplan.services import milestone_sync
from improveplan.services.context import App
from improveplan.services.measures import measure_rows
from improveplan.store.models import (
    Action,
    AuditEvent,
    ProgressNote,
)
from improveplan.store.queries import rag_counts

LONDON = ZoneInfo("Europe/London")


def totals_and_groups(
    session: Session, *, plan_id: int, as_of: dt.date, amber_days: int, by: str
) -> tuple[Totals, list[GroupCounts]]:
    """The plan's totals and its groups (domain/status.py); recommendations may share an
    action, so their plan's totals take a second count."""
    found = rag_counts(session, plan_id=plan_id, as_of=as_of, amber_days=amber_days, group_by=by)
    total = None
    if by == "recommendation":
        (total,) = rag_counts(session, plan_id=plan_id, as_of=as_of, amber_days=amber_days)
    return status.totals_and_groups(found, by, total)


def next_milestone(
    session: Session, *, plan_id: int, as_of: dt.date, today: dt.date
) -> NextMilestone | None:
    """The first milestone ahead on `as_of` (domain/status.py), of the milestones as the
    timeline shows them."""
    found = milestone_sync.plan_milestones(session, plan_id=plan_id, today=today, as_of=as_of)
    return status.next_milestone(found, as_of)


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
