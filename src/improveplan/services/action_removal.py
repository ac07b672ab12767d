"""Removing an action made by mistake (docs/design.md §2).

The action, its recommendation links and its progress notes go; a `RemovedAction` row
keeps its ref (never numbered again, and `action show` of it says when, by whom and why),
and the trail keeps every field it had: one event per field from its value to nothing,
and each note's action, author and text, so `action history REF` still reads it whole.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, col, select

from improveplan.domain import workflow
from improveplan.domain.access import Need
from improveplan.services import access, audit, inputs
from improveplan.services.action_reads import action_result, load_action
from improveplan.services.audit import FieldValues
from improveplan.services.context import App
from improveplan.store.models import (
    Action,
    ActionRecommendation,
    Plan,
    ProgressNote,
    RemovedAction,
    utcnow,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Removed:
    """`action remove`: the action that went, with how many notes and links went too."""

    ref: str
    title: str
    notes: int
    recommendations: int
    removed_at: dt.datetime


def _fields(session: Session, app: App, plan: Plan, action: Action) -> FieldValues:
    """Every field the action had, as the trail names them (names, not ids)."""
    row = action_result(session, app, plan, action.ref)
    return {
        "ref": action.ref,
        "title": action.title,
        "owner": row.owner,
        "due": action.due,
        "original_due": action.original_due,
        "status": action.status,
        "status_reason": action.status_reason,
        "start": action.start,
        "success_measure": action.success_measure,
        "evidence": action.evidence,
        "recommendations": ", ".join(row.recommendations) or None,
        "theme": row.theme,
        "milestone": row.milestone,
        "rag_override": action.rag_override,
        "rag_override_reason": action.rag_override_reason,
    }


def _remove_notes(session: Session, app: App, plan: Plan, action_id: int, at: dt.datetime) -> int:
    """Delete the action's notes, each recorded first as it was; how many there were."""
    notes = session.exec(
        select(ProgressNote)
        .where(col(ProgressNote.action_id) == action_id)
        .order_by(col(ProgressNote.created_at), col(ProgressNote.id))
    ).all()
    for note in notes:
        assert note.id is not None
        audit.record(
            session, actor=app.user, plan_id=plan.id, entity="progress_note",
            entity_id=note.id, at=at,
            changes={"action_id": (action_id, None), "author": (note.author, None),
                     "text": (note.text, None)},
        )  # fmt: skip
    session.execute(delete(ProgressNote).where(col(ProgressNote.action_id) == action_id))
    return len(notes)


def remove_action(app: App, *, ref: str, reason: str | None) -> Removed:
    """Remove an action made by mistake; its ref is never reused, its trail stays."""
    ref = inputs.ref(ref)
    why = inputs.text(workflow.require_reason(reason, f"removing action {ref}"), "reason")
    with app.write() as session:
        plan = app.plan(session)
        action = load_action(session, plan, ref, lock=True)
        access.check_action(app, session, action, need=Need.theme_action)
        assert action.id is not None and plan.id is not None
        action_id, title, stored_ref = action.id, action.title, action.ref
        fields = _fields(session, app, plan, action)
        links = (
            session.connection()
            .execute(
                delete(ActionRecommendation).where(col(ActionRecommendation.action_id) == action_id)
            )
            .rowcount
        )
        now = utcnow()
        changes = {name: (value, None) for name, value in fields.items()}
        audit.record(
            session, actor=app.user, plan_id=plan.id, entity="action", entity_id=action_id,
            changes={**changes, "reason": (None, why)}, at=now,
        )  # fmt: skip
        notes = _remove_notes(session, app, plan, action_id, now)
        session.execute(delete(Action).where(col(Action.id) == action_id))
        session.add(
            RemovedAction(
                plan_id=plan.id, ref=stored_ref, title=title, reason=why,
                actor=app.user, removed_at=now, action_id=action_id,
            )
        )  # fmt: skip
        return Removed(
            ref=stored_ref, title=title, notes=notes,
            recommendations=int(links or 0), removed_at=now,
        )  # fmt: skip
