"""Reading actions: the list a manager works from, one action in full, and its history."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from improveplan.domain.records import ActionRow
from improveplan.errors import NotFound
from improveplan.serialize import record_keys
from improveplan.services import lookups
from improveplan.services.context import App
from improveplan.store import queries
from improveplan.store.models import Action, AuditEvent, Plan, ProgressNote


def load_action(session: Session, plan: Plan, ref: str, *, lock: bool = False) -> Action:
    """An action of the plan by reference; `lock` holds the row until the transaction ends."""
    stmt = select(Action).where(col(Action.plan_id) == plan.id, col(Action.ref) == ref.strip())
    if lock:
        stmt = stmt.with_for_update()
    action = session.exec(stmt).first()
    if action is None:
        raise NotFound(f'no action {ref} in plan "{plan.name}"', "see improveplan action list")
    return action


def action_result(
    session: Session, app: App, plan: Plan, ref: str, as_of: dt.date | None = None
) -> ActionRow:
    """One action as `action_rows` gives it, with its RAG as of `as_of` (default today)."""
    assert plan.id is not None
    rows = queries.action_rows(
        session,
        plan_id=plan.id,
        as_of=as_of or app.today,
        amber_days=app.settings.amber_days,
        flt=queries.ActionFilter(ref=ref),
    )
    if not rows:
        raise NotFound(f'no action {ref} in plan "{plan.name}"', "see improveplan action list")
    return rows[0]


def _check_filter(session: Session, plan: Plan, flt: queries.ActionFilter) -> None:
    """Unknown names in a filter are errors with suggestions, not empty lists."""
    assert plan.id is not None
    if flt.owner is not None:
        lookups.find_person(session, flt.owner)
    if flt.theme is not None:
        lookups.find_theme(session, plan.id, flt.theme)
    if flt.rec is not None:
        from improveplan.services.recommendations import find_recommendation

        find_recommendation(session, plan, flt.rec)


def list_actions(
    app: App, *, as_of: dt.date, flt: queries.ActionFilter | None = None
) -> list[ActionRow]:
    """Actions of the plan, filtered and sorted by due date in SQL."""
    flt = flt or queries.ActionFilter()
    if flt.rec is not None:
        from improveplan.services.recommendations import normalise_ref

        flt = dataclasses.replace(flt, rec=normalise_ref(flt.rec))
    with app.read() as session:
        plan = app.plan(session)
        assert plan.id is not None
        _check_filter(session, plan, flt)
        return queries.action_rows(
            session,
            plan_id=plan.id,
            as_of=as_of,
            amber_days=app.settings.amber_days,
            flt=flt,
        )


def mine_filter(app: App, flt: queries.ActionFilter) -> queries.ActionFilter:
    """`--mine`: the acting user must be a person (the owner name actions carry)."""
    from dataclasses import replace

    with app.read() as session:
        try:
            person = lookups.find_person(session, app.user)
        except NotFound as exc:
            raise NotFound(
                f'you are "{app.user}", who owns no actions (no person by that name)',
                f"{exc.todo}; or run as yourself with --user NAME or IMPROVEPLAN_USER",
            ) from None
    return replace(flt, owner=person.name)


def show_action(app: App, *, ref: str, as_of: dt.date) -> dict[str, Any]:
    """The action JSON plus what a reader of one action wants: measure, evidence, notes."""
    with app.read() as session:
        plan = app.plan(session)
        action = load_action(session, plan, ref)
        full = action_result(session, app, plan, action.ref, as_of)
        row = {key: full[key] for key in record_keys(ActionRow)}
        notes = session.exec(
            select(ProgressNote)
            .where(col(ProgressNote.action_id) == action.id)
            .order_by(col(ProgressNote.created_at), col(ProgressNote.id))
        ).all()
        row.update(
            start=action.start,
            success_measure=action.success_measure,
            evidence=action.evidence,
            rag_override_reason=action.rag_override_reason,
            status_reason=action.status_reason,
            created_at=action.created_at,
            notes=[{"at": n.created_at, "author": n.author, "text": n.text} for n in notes],
        )
        return row


def history(app: App, *, ref: str) -> list[dict[str, Any]]:
    """Audit events of the action and its notes, oldest first: when, who, what, from, to."""
    with app.read() as session:
        plan = app.plan(session)
        action = load_action(session, plan, ref)
        note_ids = select(ProgressNote.id).where(col(ProgressNote.action_id) == action.id)
        events = session.exec(
            select(AuditEvent)
            .where(
                col(AuditEvent.plan_id) == plan.id,
                or_(
                    and_(
                        col(AuditEvent.entity) == "action", col(AuditEvent.entity_id) == action.id
                    ),
                    and_(
                        col(AuditEvent.entity) == "progress_note",
                        col(AuditEvent.entity_id).in_(note_ids),
                    ),
                ),
            )
            .order_by(col(AuditEvent.at), col(AuditEvent.id))
        ).all()
        return [
            {
                "when": e.at,
                "who": e.actor,
                "what": "note" if e.entity == "progress_note" else e.field,
                "from": e.old_value,
                "to": e.new_value,
            }
            for e in events
        ]
