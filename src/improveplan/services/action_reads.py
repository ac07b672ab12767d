"""Reading actions: the list a manager works from, one action in full, and its history."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from improveplan.domain.records import ActionRow
from improveplan.domain.vocab import Rag, Status
from improveplan.errors import NotFound
from improveplan.serialize import json_field
from improveplan.services import inputs, lookups
from improveplan.services.context import App
from improveplan.store import queries
from improveplan.store.models import Action, AuditEvent, Plan, ProgressNote


def load_action(session: Session, plan: Plan, ref: str, *, lock: bool = False) -> Action:
    """An action of the plan by reference in any case (refs are unique in any case, as
    `domain.workflow.check_new_actions` keeps them); `lock` holds the row until the
    transaction ends."""
    ref = inputs.ref(ref)
    stmt = select(Action).where(col(Action.plan_id) == plan.id, lookups.same(col(Action.ref), ref))
    if lock:
        stmt = stmt.with_for_update()
    action = session.exec(stmt).first()
    if action is None:
        raise NotFound(f'no action {ref} in plan "{plan.name}"', "see improveplan action list")
    return action


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """A progress note as `action show` lists it."""

    at: dt.datetime
    author: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionDetail:
    """One action in full (`action show`): the action JSON of docs/design.md §3, then
    what a reader of a single action wants, its notes oldest first."""

    ref: str
    title: str
    owner: str | None
    due: dt.date | None
    original_due: dt.date | None
    status: Status
    rag: Rag | None
    rag_computed: Rag | None
    days_overdue: int
    recommendations: list[str]
    theme: str | None
    milestone: str | None
    version: int
    updated_at: dt.datetime
    start: dt.date | None
    success_measure: str | None
    evidence: str | None
    rag_override_reason: str | None
    status_reason: str | None
    created_at: dt.datetime
    notes: list[Note]


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryEvent:
    """One audited change of an action or one of its notes (`action history`)."""

    when: dt.datetime
    who: str
    what: str
    old: str | None = json_field(key="from")
    to: str | None


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


def _check_filter(session: Session, plan: Plan, flt: queries.ActionFilter) -> queries.ActionFilter:
    """Unknown names in a filter are errors with suggestions, not empty lists; known ones
    are filtered by the name stored (what was typed may differ in case or spacing)."""
    assert plan.id is not None
    if flt.owner is not None:
        owner = lookups.find_person(session, flt.owner, "the owner's name").name
        flt = dataclasses.replace(flt, owner=owner)
    if flt.theme is not None:
        theme = lookups.find_theme(session, plan.id, flt.theme).name
        flt = dataclasses.replace(flt, theme=theme)
    if flt.rec is not None:
        from improveplan.services.lookups import find_recommendation

        find_recommendation(session, plan, flt.rec)
    return flt


def list_actions(
    app: App, *, as_of: dt.date, flt: queries.ActionFilter | None = None
) -> list[ActionRow]:
    """Actions of the plan, filtered and sorted by due date in SQL."""
    flt = flt or queries.ActionFilter()
    if flt.rec is not None:
        from improveplan.services.lookups import normalise_ref

        flt = dataclasses.replace(flt, rec=normalise_ref(flt.rec))
    with app.read() as session:
        plan = app.plan(session)
        assert plan.id is not None
        flt = _check_filter(session, plan, flt)
        return queries.action_rows(
            session,
            plan_id=plan.id,
            as_of=as_of,
            amber_days=app.settings.amber_days,
            flt=flt,
        )


def mine_filter(app: App, flt: queries.ActionFilter) -> queries.ActionFilter:
    """`--mine`: the acting user must be a person (the owner name actions carry)."""
    with app.read() as session:
        try:
            person = lookups.find_person(session, app.user)
        except NotFound as exc:
            raise NotFound(
                f'you are "{app.user}", who owns no actions (no person by that name)',
                f"{exc.todo}; or run as yourself with --user NAME or IMPROVEPLAN_USER",
            ) from None
    return dataclasses.replace(flt, owner=person.name)


def show_action(app: App, *, ref: str, as_of: dt.date) -> ActionDetail:
    """The action JSON plus what a reader of one action wants: measure, evidence, notes."""
    with app.read() as session:
        plan = app.plan(session)
        action = load_action(session, plan, ref)
        row = action_result(session, app, plan, action.ref, as_of)
        notes = session.exec(
            select(ProgressNote)
            .where(col(ProgressNote.action_id) == action.id)
            .order_by(col(ProgressNote.created_at), col(ProgressNote.id))
        ).all()
        return ActionDetail(
            ref=row.ref, title=row.title, owner=row.owner, due=row.due,
            original_due=row.original_due, status=row.status, rag=row.rag,
            rag_computed=row.rag_computed, days_overdue=row.days_overdue,
            recommendations=row.recommendations, theme=row.theme, milestone=row.milestone,
            version=row.version, updated_at=row.updated_at, start=row.start,
            success_measure=action.success_measure, evidence=action.evidence,
            rag_override_reason=row.rag_override_reason, status_reason=action.status_reason,
            created_at=action.created_at,
            notes=[Note(at=n.created_at, author=n.author, text=n.text) for n in notes],
        )  # fmt: skip


def history(app: App, *, ref: str) -> list[HistoryEvent]:
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
            HistoryEvent(
                when=e.at,
                who=e.actor,
                what="note" if e.entity == "progress_note" else e.field,
                old=e.old_value,
                to=e.new_value,
            )
            for e in events
        ]
