"""Writing actions: add, the conditional update every change goes through, and notes.

Every change is one transaction: the action row is locked (`FOR UPDATE` on PostgreSQL,
`BEGIN IMMEDIATE` on SQLite), written by an UPDATE conditional on the version that was
read (so a lost update is impossible), its version bumped, and each changed field audited.
A new action takes the one write path of `new_actions`, as tracker and plan imports do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from improveplan.domain.access import Need
from improveplan.domain.records import ActionRow
from improveplan.domain.vocab import RAG_ORDER, Rag, Status, listed
from improveplan.domain.workflow import Draft, Flaw, Problem, check_new_actions, next_refs
from improveplan.errors import ChangedSince, Conflict, ImproveplanError, NotFound
from improveplan.services import access, audit, inputs, lookups, new_actions
from improveplan.services.action_reads import action_result, load_action, removed_error
from improveplan.services.context import App
from improveplan.services.new_actions import Link, NewAction
from improveplan.store.models import Action, Milestone, Plan, ProgressNote

# Reasons are audited once, as the field `reason`, not again under these columns.
REASON_FIELDS = ("status_reason", "rag_override_reason")


# What a field holds as the trail shows it (Status and Rag are strings; datetimes dates).
Value = str | int | float | bool | dt.date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One field of an action as the trail records its change (names, not ids)."""

    field: str
    old: Value
    new: Value


@dataclass(frozen=True, slots=True, kw_only=True)
class NoteAdded:
    """A progress note as written: on which action, by whom, when."""

    ref: str
    author: str
    at: dt.datetime
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionChange:
    """An action after a change (RAG as of the day asked), what changed, the note
    written with it, if any, and what the change should warn about."""

    action: ActionRow
    changes: list[Change] = field(default_factory=list)
    note: NoteAdded | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionAdded:
    """A new action as listed, and its warnings (due after its milestone)."""

    action: ActionRow
    warnings: list[str] = field(default_factory=list)


def status_value(status: str) -> Status:
    """A status from any spelling parse_status accepts (`In progress`, `in-progress`)."""
    from improveplan.domain.rag import parse_status

    try:
        return parse_status(str(status))
    except ValueError as exc:
        raise ImproveplanError(
            f'"{status}" is not a status', "use " + listed(list(Status))
        ) from exc


def rag_value(rag: str) -> Rag | None:
    """A RAG override, or None for `auto` (computed again)."""
    from improveplan.domain.rag import parse_rag

    text = str(rag).strip().lower()
    if text == "auto":
        return None
    try:
        return parse_rag(text)
    except ValueError as exc:
        raise ImproveplanError(
            f'"{rag}" is not a RAG rating', "use " + listed([*reversed(RAG_ORDER), "auto"])
        ) from exc


def recommendation_links(session: Session, plan: Plan, refs: Iterable[str]) -> tuple[Link, ...]:
    """The named recommendations, each once, in the plan's order (as the trail lists them)."""
    from improveplan.services.lookups import find_recommendation, normalise_ref

    found = [
        find_recommendation(session, plan, ref) for ref in dict.fromkeys(map(normalise_ref, refs))
    ]
    ordered = sorted(found, key=lambda r: (r.seq, r.ref))
    return tuple(Link(_id(r.id), r.ref) for r in ordered)


def _id(value: int | None) -> int:
    assert value is not None  # rows read from the database have ids
    return value


def _find_milestone(session: Session, plan: Plan, name: str) -> Milestone | None:
    return lookups.milestone_named(session, plan, name)


def milestone_link(session: Session, app: App, plan: Plan, name: str) -> Link:
    """The plan's milestone by name (defaults brought in step first), or NotFound."""
    milestone = _find_milestone(session, plan, name)
    if milestone is None:
        # Default milestones are derived from their sources; bring them in step first
        # so "Action plan due" is there even before any timeline command has run.
        from improveplan.services.timeline import refresh_plan

        refresh_plan(app, session, plan)
        milestone = _find_milestone(session, plan, name)
    if milestone is not None:
        return Link(_id(milestone.id), milestone.name)
    known = session.exec(select(Milestone.name).where(col(Milestone.plan_id) == plan.id)).all()
    hint = lookups.suggestion(name, list(known))
    raise NotFound(
        f'no milestone named "{name}" in plan "{plan.name}"',
        f"{hint} See improveplan milestone list" if hint else "see improveplan milestone list",
    )


def _refusal(problem: Problem, plan: Plan, draft: Draft) -> ImproveplanError:
    """A problem of the new action as `action add` words it."""
    if problem.flaw == Flaw.start_after_due:
        return ImproveplanError(
            f"the start date {draft.start} is after the due date {draft.due}",
            "check --start and --due",
        )
    if problem.flaw == Flaw.unusable_ref:
        return ImproveplanError(
            f'"{problem.ref}" is not a usable reference',
            "use up to 20 characters, no spaces: 3, 2.4",
        )
    return Conflict(
        f'action {problem.ref} already exists in plan "{plan.name}"',
        "choose another --ref, or leave it out for the next number",
    )


def _place(session: Session, plan: Plan, draft: Draft) -> tuple[str, int]:
    """The new action's ref and plan order, under the plan's lock, or its refusal."""
    pid = _id(plan.id)
    # Serialise reference allocation within the plan (PostgreSQL; SQLite is already).
    session.exec(select(Plan.id).where(col(Plan.id) == pid).with_for_update()).one()
    gone = new_actions.removed_action(session, pid, draft.ref) if draft.ref else None
    if gone is not None:
        raise Conflict(
            removed_error(gone).what,
            "a removed action's ref is never reused; choose another --ref, "
            "or leave it out for the next number",
        )
    refs = new_actions.plan_refs(session, pid)
    for problem in check_new_actions([draft], taken=refs):
        raise _refusal(problem, plan, draft)
    return next_refs([draft.ref], refs)[0], new_actions.last_seq(session, pid) + 1


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
) -> ActionAdded:
    """A new action as listed (RAG as of today), and what it should warn about."""
    if not title.strip():
        raise ImproveplanError("an action needs a title", "describe what will be done")
    title = inputs.text(title, "title")
    measure = inputs.optional_text(measure, "success measure")
    draft = Draft(ref=None if ref is None else inputs.ref(ref), start=start, due=due)
    with app.write() as session:
        plan = app.plan(session)
        chosen = lookups.find_theme(session, _id(plan.id), theme) if theme else None
        access.check_theme(app, session, plan, chosen, doing="add actions")
        new_ref, seq = _place(session, plan, draft)
        person = lookups.find_person(session, owner, "the owner's name")
        links = recommendation_links(session, plan, recs)
        new = NewAction(
            ref=new_ref,
            seq=seq,
            title=title,
            owner=Link(_id(person.id), person.name),
            due=due,
            original_due=due,
            start=start,
            success_measure=measure,
            recommendations=links,
            theme=Link(_id(chosen.id), chosen.name) if chosen else None,
            milestone=milestone_link(session, app, plan, milestone) if milestone else None,
            created_at=app.now(),
        )
        (action_id,) = new_actions.insert_actions(session, _id(plan.id), [new])
        new_actions.record_created(
            session,
            actor=app.user,
            plan_id=_id(plan.id),
            created=[(action_id, new)],
            at=new.created_at,
        )
        warnings = new_actions.milestone_warnings(session, [new])
        return ActionAdded(action=action_result(session, app, plan, new.ref), warnings=warnings)


def _audited(
    action: Action,
    values: Mapping[str, Any],
    labels: Mapping[str, Change],
    reason: str | None,
    extra: Sequence[Change],
) -> list[Change]:
    """The changes as the trail shows them: labelled columns by name, then what is not a
    column (the recommendation links), a reason once."""
    changes = [
        labels.get(k) or Change(field=k, old=getattr(action, k), new=v)
        for k, v in values.items()
        if k not in REASON_FIELDS or v is None  # a reason given is audited once, below
    ]
    changes += extra
    if reason:
        changes.append(Change(field="reason", old=None, new=reason))
    return changes


def write_changes(
    session: Session,
    app: App,
    plan: Plan,
    action: Action,
    values: Mapping[str, Any],
    *,
    labels: Mapping[str, Change] | None = None,
    reason: str | None = None,
    extra: Sequence[Change] = (),
) -> list[Change]:
    """Apply `values` that differ, conditional on the version read; audit; bump version.

    `labels` says how a column appears in the trail ({"owner_id": Change(field="owner",
    old=name, new=name)}); `extra` are changes the caller writes itself (links), audited
    and versioned with the rest. Returns the changes as audited (empty when nothing changed).
    """
    assert action.id is not None
    values = {k: v for k, v in values.items() if getattr(action, k) != v}
    if not values and not extra:
        return []
    changes = _audited(action, values, labels or {}, reason, extra)
    now = app.now()
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
        changes={c.field: (c.old, c.new) for c in changes},
        at=now,
    )
    session.expire(action)
    return changes


def changed_since(ref: str, expected: int, current: int | None = None) -> ChangedSince:
    now = f"version {current}, " if current is not None else ""
    return ChangedSince(
        f"action {ref} changed since you read it ({now}expected {expected})",
        "show it again and retry",
    )


def add_note(app: App, *, ref: str, text: str) -> NoteAdded:
    """Append a progress note; notes never change the action's fields or version."""
    text = note_text(text)
    with app.write() as session:
        plan = app.plan(session)
        action = load_action(session, plan, ref, lock=True)
        access.check_action(app, session, action, need=Need.own_action)
        return append_note(session, app, plan, action, text)


def note_text(text: str) -> str:
    """A progress note as stored (checked before the transaction opens, and again when
    written: `action update --note` appends one after its other changes)."""
    if not text.strip():
        raise ImproveplanError("a note needs some text", "say what progress was made")
    return inputs.text(text, "note")


def append_note(session: Session, app: App, plan: Plan, action: Action, text: str) -> NoteAdded:
    text = note_text(text)
    assert action.id is not None
    now = app.now()
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
    ref = action.ref
    session.connection().execute(
        update(Action).where(col(Action.id) == action.id).values(updated_at=now)
    )
    session.expire(action)
    return NoteAdded(ref=ref, author=app.user, at=now, text=text)
