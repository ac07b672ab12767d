"""Writing actions: add, update, note, done, sign-off, reopen (docs/design.md §2 status rules).

Every change is one transaction: the action row is locked (`FOR UPDATE` on PostgreSQL,
`BEGIN IMMEDIATE` on SQLite), written by an UPDATE conditional on the version that was
read (so a lost update is impossible), its version bumped, and each changed field audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from improveplan.domain.vocab import Status
from improveplan.errors import Conflict, ImproveplanError, NotFound
from improveplan.serialize import as_record
from improveplan.services import audit, lookups
from improveplan.services.action_reads import action_result, load_action
from improveplan.services.context import App
from improveplan.store.models import (
    Action,
    ActionRecommendation,
    Milestone,
    Person,
    Plan,
    ProgressNote,
    Recommendation,
    utcnow,
)

OPEN = ("not_started", "in_progress", "blocked")
CLOSED = ("complete", "signed_off", "cancelled")
# Reasons are audited once, as the field `reason`, not again under these columns.
REASON_FIELDS = ("status_reason", "rag_override_reason")


def status_value(status: Any) -> str:
    """A status as stored (`in_progress`), from any spelling parse_status accepts."""
    from improveplan.domain.rag import parse_status

    try:
        return str(parse_status(str(getattr(status, "value", status))).value)
    except ValueError as exc:
        raise ImproveplanError(
            f'"{status}" is not a status',
            "use not_started, in_progress, blocked, complete, signed_off or cancelled",
        ) from exc


def rag_value(rag: Any) -> str | None:
    """A RAG override as stored, or None for `auto` (computed again)."""
    from improveplan.domain.rag import parse_rag

    text = str(getattr(rag, "value", rag)).strip().lower()
    if text == "auto":
        return None
    try:
        return str(parse_rag(text).value)
    except ValueError as exc:
        raise ImproveplanError(
            f'"{rag}" is not a RAG rating', "use red, amber, green, blue or auto"
        ) from exc


def needs_reason(what: str) -> ImproveplanError:
    return ImproveplanError(f"{what} needs a reason", "add --reason TEXT")


def _next_ref(session: Session, plan_id: int) -> str:
    """The next integer after the highest integer reference (dotted refs are skipped)."""
    refs = session.exec(select(Action.ref).where(col(Action.plan_id) == plan_id)).all()
    numbers = [int(r) for r in refs if r.isdigit()]
    return str(max(numbers, default=0) + 1)


def _recommendations(session: Session, plan: Plan, refs: Iterable[str]) -> list[Recommendation]:
    from improveplan.services.lookups import find_recommendation, normalise_ref

    return [
        find_recommendation(session, plan, ref) for ref in dict.fromkeys(map(normalise_ref, refs))
    ]


def _find_milestone(session: Session, plan: Plan, name: str) -> Milestone | None:
    return session.exec(
        select(Milestone).where(
            col(Milestone.plan_id) == plan.id, func.lower(col(Milestone.name)) == name.lower()
        )
    ).first()


def _milestone(session: Session, app: App, plan: Plan, name: str) -> Milestone:
    milestone = _find_milestone(session, plan, name)
    if milestone is None:
        # Default milestones are derived from their sources; bring them in step first
        # so "Action plan due" is there even before any timeline command has run.
        from improveplan.services.timeline import refresh_plan

        refresh_plan(app, session, plan)
        milestone = _find_milestone(session, plan, name)
    if milestone is not None:
        return milestone
    known = session.exec(select(Milestone.name).where(col(Milestone.plan_id) == plan.id)).all()
    hint = lookups.suggestion(name, list(known))
    raise NotFound(
        f'no milestone named "{name}" in plan "{plan.name}"',
        f"{hint} See improveplan milestone list" if hint else "see improveplan milestone list",
    )


def _check_ref(session: Session, plan: Plan, ref: str | None) -> str:
    assert plan.id is not None
    if ref is None:
        return _next_ref(session, plan.id)
    ref = ref.strip()
    if not ref or len(ref) > 20 or any(c.isspace() for c in ref):
        raise ImproveplanError(
            f'"{ref}" is not a usable reference', "use up to 20 characters, no spaces: 3, 2.4"
        )
    taken = session.exec(
        select(Action.id).where(col(Action.plan_id) == plan.id, col(Action.ref) == ref)
    ).first()
    if taken is not None:
        raise Conflict(
            f'action {ref} already exists in plan "{plan.name}"',
            "choose another --ref, or leave it out for the next number",
        )
    return ref


def add_action(
    app: App,
    *,
    title: str,
    owner: str,
    due: dt.date,
    ref: str | None = None,
    recs: Sequence[str] = (),
    theme: str | None = None,
    milestone: str | None = None,
    start: dt.date | None = None,
    measure: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """A new action; returns it in the action JSON shape (as of today)."""
    title = title.strip()
    if not title:
        raise ImproveplanError("an action needs a title", "describe what will be done")
    if start is not None and start > due:
        raise ImproveplanError(
            f"the start date {start} is after the due date {due}", "check --start and --due"
        )
    state = status_value(status) if status is not None else "not_started"
    with app.write() as session:
        plan = app.plan(session)
        # Serialise reference allocation within the plan (PostgreSQL; SQLite is already).
        session.exec(select(Plan.id).where(col(Plan.id) == plan.id).with_for_update()).one()
        action = _new_action(session, app, plan, title, owner, due, ref, state)
        action.start, action.success_measure = start, measure
        linked = _recommendations(session, plan, recs)
        chosen_theme = lookups.find_theme(session, _plan_id(plan), theme) if theme else None
        action.theme_id = chosen_theme.id if chosen_theme else None
        chosen = _milestone(session, app, plan, milestone) if milestone else None
        action.milestone_id = chosen.id if chosen else None
        session.add(action)
        session.flush()
        assert action.id is not None
        for rec in linked:
            assert rec.id is not None
            session.add(ActionRecommendation(action_id=action.id, recommendation_id=rec.id))
        names = (
            ", ".join(r.ref for r in sorted(linked, key=lambda r: (r.seq, r.ref))) or None,
            chosen_theme.name if chosen_theme else None,
            chosen.name if chosen else None,
        )
        _audit_created(session, app, plan, action, names)
        return dict(as_record(action_result(session, app, plan, action.ref)))


def _plan_id(plan: Plan) -> int:
    assert plan.id is not None
    return plan.id


def _new_action(
    session: Session,
    app: App,
    plan: Plan,
    title: str,
    owner: str,
    due: dt.date,
    ref: str | None,
    status: str,
) -> Action:
    person = lookups.find_person(session, owner)
    seq = session.exec(select(func.max(Action.seq)).where(col(Action.plan_id) == plan.id)).one()
    now = utcnow()
    return Action(
        plan_id=_plan_id(plan),
        ref=_check_ref(session, plan, ref),
        seq=(seq or 0) + 1,
        title=title,
        owner_id=person.id,
        due=due,
        original_due=due,
        status=Status(status),
        created_at=now,
        updated_at=now,
    )


def _audit_created(
    session: Session,
    app: App,
    plan: Plan,
    action: Action,
    names: tuple[str | None, str | None, str | None],
) -> None:
    """Every field of the new action, from nothing, as the trail shows it."""
    assert action.id is not None
    owner = session.get(Person, action.owner_id)
    recs, theme, milestone = names
    changes: dict[str, tuple[Any, Any]] = {
        "ref": (None, action.ref),
        "title": (None, action.title),
        "owner": (None, owner.name if owner else None),
        "due": (None, action.due),
        "original_due": (None, action.original_due),
        "status": (None, action.status),
        "start": (None, action.start),
        "success_measure": (None, action.success_measure),
        "recommendations": (None, recs),
        "theme": (None, theme),
        "milestone": (None, milestone),
    }
    audit.record(
        session,
        actor=app.user,
        plan_id=plan.id,
        entity="action",
        entity_id=action.id,
        changes=changes,
        at=action.created_at,
    )


def write_changes(
    session: Session,
    app: App,
    plan: Plan,
    action: Action,
    values: dict[str, Any],
    *,
    labels: dict[str, tuple[str, Any, Any]] | None = None,
    reason: str | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Apply `values` that differ, conditional on the version read; audit; bump version.

    `labels` says how a column appears in the trail ({"owner_id": ("owner", old, new)}).
    Returns {field: (old, new)} as audited (empty when nothing changed).
    """
    assert action.id is not None
    values = {k: v for k, v in values.items() if getattr(action, k) != v}
    if not values:
        return {}
    changes: dict[str, tuple[Any, Any]] = {}
    for k, v in values.items():
        if k in REASON_FIELDS and v is not None:
            continue  # audited once, below, as `reason`
        label, old, new = (labels or {}).get(k, (k, getattr(action, k), v))
        changes[label] = (old, new)
    if reason:
        changes["reason"] = (None, reason)
    now = utcnow()
    result = session.connection().execute(
        update(Action)
        .where(col(Action.id) == action.id, col(Action.version) == action.version)
        .values(**values, version=action.version + 1, updated_at=now)
    )
    if result.rowcount != 1:
        raise changed_since(action.ref, action.version)
    audit.record(
        session,
        actor=app.user,
        plan_id=plan.id,
        entity="action",
        entity_id=action.id,
        changes=changes,
        at=now,
    )
    session.expire(action)
    return changes


def changed_since(ref: str, expected: int, current: int | None = None) -> Conflict:
    now = f"version {current}, " if current is not None else ""
    return Conflict(
        f"action {ref} changed since you read it ({now}expected {expected})",
        "show it again and retry",
    )


def add_note(app: App, *, ref: str, text: str) -> dict[str, Any]:
    """Append a progress note; notes never change the action's fields or version."""
    with app.write() as session:
        plan = app.plan(session)
        action = load_action(session, plan, ref, lock=True)
        return append_note(session, app, plan, action, text)


def append_note(
    session: Session, app: App, plan: Plan, action: Action, text: str
) -> dict[str, Any]:
    text = text.strip()
    if not text:
        raise ImproveplanError("a note needs some text", "say what progress was made")
    assert action.id is not None
    now = utcnow()
    note = ProgressNote(action_id=action.id, author=app.user, created_at=now, text=text)
    session.add(note)
    session.flush()
    assert note.id is not None
    audit.record(
        session,
        actor=app.user,
        plan_id=plan.id,
        entity="progress_note",
        entity_id=note.id,
        changes={"text": (None, text)},
        at=now,
    )
    session.connection().execute(
        update(Action).where(col(Action.id) == action.id).values(updated_at=now)
    )
    session.expire(action)
    return {"ref": action.ref, "author": app.user, "at": now, "text": text}
