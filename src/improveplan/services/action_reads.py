"""Reading actions: the list a manager works from, one action in full, and its history."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, func, or_
from sqlmodel import Session, col, select

from improveplan.domain.records import ActionRow
from improveplan.domain.vocab import Rag, Status
from improveplan.errors import NotAllowed, NotFound
from improveplan.serialize import json_field
from improveplan.services import inputs, lookups
from improveplan.services.context import App
from improveplan.services.new_actions import removed_action
from improveplan.store import queries
from improveplan.store.models import (
    Action,
    AuditEvent,
    Person,
    Plan,
    ProgressNote,
    RemovedAction,
)

LONDON = ZoneInfo("Europe/London")


def load_action(session: Session, plan: Plan, ref: str, *, lock: bool = False) -> Action:
    """An action of the plan by reference in any case (refs are unique in any case, as
    `domain.workflow.check_new_actions` keeps them); `lock` holds the row until the
    transaction ends."""
    ref = inputs.ref(ref)
    # As typed first, through the (plan_id, ref) unique index; in any case only when that
    # finds nothing: lower() on both sides scans the plan (0.16 s of a write at 100k).
    action = None
    for match in (col(Action.ref) == ref, lookups.same(col(Action.ref), ref)):
        stmt = select(Action).where(col(Action.plan_id) == plan.id, match)
        if lock:
            stmt = stmt.with_for_update()
        if (action := session.exec(stmt).first()) is not None:
            break
    if action is None and lock and _visible(session, plan, ref):
        # Row-level security hides from FOR UPDATE a row its policies forbid changing.
        raise NotAllowed(
            f"the database does not let you change action {ref}",
            "its owner, its theme lead or a plan admin can",
        )
    if action is None:
        raise _missing(session, plan, ref)
    return action


def _visible(session: Session, plan: Plan, ref: str) -> bool:
    stmt = select(Action.id).where(
        col(Action.plan_id) == plan.id, lookups.same(col(Action.ref), ref)
    )
    return session.exec(stmt).first() is not None


def _missing(session: Session, plan: Plan, ref: str) -> NotFound:
    """Not found: removed (when, by whom, why), or never there."""
    assert plan.id is not None
    removed = removed_action(session, plan.id, ref)
    if removed is not None:
        return removed_error(removed)
    return NotFound(f'no action {ref} in plan "{plan.name}"', "see improveplan action list")


def removed_error(removed: RemovedAction) -> NotFound:
    """What a ref of a removed action answers, on any command: the trail stays readable."""
    day = removed.removed_at.astimezone(LONDON).date().isoformat()
    why = " ".join(removed.reason.split())  # one line, whatever the reason held
    return NotFound(
        f"action {removed.ref} was removed on {day} by {removed.actor}: {why}",
        f"what it held is in improveplan action history {removed.ref}",
    )


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
    login: str | None = None  # the login behind `who`, when it differs (JSON only)


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
    """`--mine`: the acting user must be a person (the owner name actions carry); with
    grants, the person the identity says is "me" (whom an admin acts for)."""
    with app.read() as session:
        identity = app.identity
        if identity is not None and identity.checked:
            me = session.get(Person, identity.me_id) if identity.me_id is not None else None
            if me is None:
                raise NotFound(
                    f'you are "{identity.me}", who owns no actions (no person is mapped to you)',
                    "a plan admin can map your login: improveplan person update NAME --login",
                )
            return dataclasses.replace(flt, owner=me.name)
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


def _removed_before(
    session: Session, plan_id: int, action_id: int, until: dt.datetime | None
) -> dt.datetime | None:
    """When an earlier action with this id was removed: SQLite may give a new action the
    id of the last one removed, and the trail of one is not the other's."""
    stmt = select(func.max(col(RemovedAction.removed_at))).where(
        col(RemovedAction.plan_id) == plan_id, col(RemovedAction.action_id) == action_id
    )
    if until is not None:
        stmt = stmt.where(col(RemovedAction.removed_at) < until)
    return session.exec(stmt).first()


def _live_trail(session: Session, plan_id: int, action: Action) -> ColumnElement[bool]:
    """The events of a live action and of its notes (each note's since it was written)."""
    assert action.id is not None
    after = _removed_before(session, plan_id, action.id, None)
    own = and_(col(AuditEvent.entity) == "action", col(AuditEvent.entity_id) == action.id)
    if after is not None:
        own = and_(own, col(AuditEvent.at) > after)
    note = exists().where(
        col(ProgressNote.id) == col(AuditEvent.entity_id),
        col(ProgressNote.action_id) == action.id,
        col(ProgressNote.created_at) <= col(AuditEvent.at),
    )
    return or_(own, and_(col(AuditEvent.entity) == "progress_note", note))


def _removed_trail(session: Session, removed: RemovedAction) -> ColumnElement[bool]:
    """The events of a removed action and its notes, up to and with its removal (which
    recorded each note's action, author and text as they were)."""
    after = _removed_before(session, removed.plan_id, removed.action_id, removed.removed_at)
    notes = select(col(AuditEvent.entity_id)).where(
        col(AuditEvent.plan_id) == removed.plan_id,
        col(AuditEvent.entity) == "progress_note",
        col(AuditEvent.field) == "action_id",
        col(AuditEvent.old_value) == str(removed.action_id),
        col(AuditEvent.at) == removed.removed_at,
    )
    window = col(AuditEvent.at) <= removed.removed_at
    if after is not None:
        window = and_(window, col(AuditEvent.at) > after)
    own = and_(col(AuditEvent.entity) == "action", col(AuditEvent.entity_id) == removed.action_id)
    of_notes = and_(col(AuditEvent.entity) == "progress_note", col(AuditEvent.entity_id).in_(notes))
    return and_(window, or_(own, of_notes))


def history(app: App, *, ref: str) -> list[HistoryEvent]:
    """Audit events of the action and its notes, oldest first: when, who, what, from, to.
    A removed action's history stays readable under its ref."""
    ref = inputs.ref(ref)
    with app.read() as session:
        plan = app.plan(session)
        assert plan.id is not None
        try:
            trail = _live_trail(session, plan.id, load_action(session, plan, ref))
        except NotFound:
            removed = removed_action(session, plan.id, ref)
            if removed is None:
                raise
            trail = _removed_trail(session, removed)
        events = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.plan_id) == plan.id, trail)
            # a note shows as its text; the removal also recorded its action and author
            .where(or_(col(AuditEvent.entity) == "action", col(AuditEvent.field) == "text"))
            .order_by(col(AuditEvent.at), col(AuditEvent.id))
        ).all()
        return [
            HistoryEvent(
                when=e.at,
                who=e.actor,
                what="note" if e.entity == "progress_note" else e.field,
                old=e.old_value,
                to=e.new_value,
                login=e.login,
            )
            for e in events
        ]
