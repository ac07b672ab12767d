"""Where the plan stands: RAG totals, groups, next milestone, measures, recent changes.

Everything is counted in SQL (`store.queries.rag_counts` and the queries here), so the
dashboard costs the same at 50 actions or 100k. The JSON shape is docs/design.md §3.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from improveplan.domain.dates import shift_days
from improveplan.serialize import as_record
from improveplan.services.context import App
from improveplan.services.measures import measure_rows
from improveplan.store.models import (
    Action,
    AuditEvent,
    Milestone,
    ProgressNote,
)
from improveplan.store.queries import rag_counts

LONDON = ZoneInfo("Europe/London")
COLOURS = ("blue", "green", "amber", "red")
GROUPINGS = ("theme", "owner", "recommendation")
NO_GROUP = {"theme": "(no theme)", "owner": "(no owner)", "recommendation": "(no recommendation)"}
DONE = ("complete", "signed_off")


def pct(done: int, total: int) -> int:
    """Whole-number percentage; 0 of 0 is 0%."""
    return round(100 * done / total) if total else 0


def counts(
    session: Session, *, plan_id: int, as_of: dt.date, amber_days: int, by: str | None
) -> list[dict[str, Any]]:
    """rag_counts rows plus `complete` (complete + signed off) and `pct_complete`."""
    found = rag_counts(session, plan_id=plan_id, as_of=as_of, amber_days=amber_days, group_by=by)
    rows = [dict(as_record(r)) for r in found]
    for row in rows:
        row["pct_complete"] = pct(row["complete"], row["total"])
        if by is not None and row["name"] is None:
            row["name"] = NO_GROUP[by]
    return rows


def totals_and_groups(
    session: Session, *, plan_id: int, as_of: dt.date, amber_days: int, by: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The plan's totals and its groups. An action has one theme and one owner, so those
    totals are the groups' sums (one scan saved); recommendations may share an action."""
    groups = counts(session, plan_id=plan_id, as_of=as_of, amber_days=amber_days, by=by)
    if by == "recommendation":
        (total,) = counts(session, plan_id=plan_id, as_of=as_of, amber_days=amber_days, by=None)
        return total, groups
    keys = (*COLOURS, "total", "overdue", "complete")
    total = {key: sum(g[key] for g in groups) for key in keys}
    total["pct_complete"] = pct(total["complete"], total["total"])
    return total, groups


def next_milestone(session: Session, *, plan_id: int, as_of: dt.date) -> dict[str, Any] | None:
    """The first milestone not yet done whose date is on or after `as_of`."""
    found = session.exec(
        select(Milestone)
        .where(
            col(Milestone.plan_id) == plan_id,
            col(Milestone.done).is_(None),
            col(Milestone.date) >= as_of,
        )
        .order_by(col(Milestone.date), col(Milestone.name))
        .limit(1)
    ).first()
    if found is None:
        return None
    return {
        "name": found.name,
        "date": found.date,
        "days": (found.date - as_of).days,
        "kind": found.kind,
        "expected": found.expected,
    }


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
) -> dict[str, Any]:
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
    return {
        "since": since,
        "status_changes": by_field.get("status", 0),
        "new_actions": new_actions,
        "notes_added": notes,
        "due_dates_moved": by_field.get("due", 0),
        "recent": [dict(row) for row in recent],
    }


def plan_status(
    app: App, *, as_of: dt.date, by: str = "theme", since: dt.date | None = None
) -> dict[str, Any]:
    """The `status` dashboard as plain data (JSON shape of docs/design.md §3, plus extras)."""
    amber = app.settings.amber_days
    with app.read() as session:
        plan = app.plan(session)
        assert plan.id is not None
        total, groups = totals_and_groups(
            session, plan_id=plan.id, as_of=as_of, amber_days=amber, by=by
        )
        result: dict[str, Any] = {
            "as_of": as_of,
            "plan": plan.name,
            "totals": {key: total[key] for key in (*COLOURS, "total")},
            "groups": [
                {
                    key: row[key]
                    for key in ("name", *COLOURS, "total", "complete", "pct_complete", "overdue")
                }
                for row in groups
            ],
            "next_milestone": next_milestone(session, plan_id=plan.id, as_of=as_of),
            "by": by,
            "overdue": total["overdue"],
            "complete": total["complete"],
            "pct_complete": total["pct_complete"],
            "measures": measure_rows(session, plan_id=plan.id, as_of=as_of),
        }
        if since is not None:
            result["changes"] = changes_since(session, plan_id=plan.id, since=since, as_of=as_of)
        return result
