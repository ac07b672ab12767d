"""Changing actions under the status rules of docs/design.md §2, kept in domain/workflow.py.

`done` → complete; `signoff` only from complete; cancelling, reopening, moving a due
date later and overriding RAG need a reason, which is kept and audited (field `reason`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from improveplan.domain import workflow
from improveplan.domain.access import Need
from improveplan.domain.vocab import DONE_STATUSES, Status
from improveplan.domain.workflow import Step
from improveplan.errors import ImproveplanError
from improveplan.services import access, inputs, lookups
from improveplan.services.action_fields import (
    FieldRequest,
    check_start,
    field_values,
    late_warnings,
    link_change,
    relink,
)
from improveplan.services.action_reads import action_result, load_action
from improveplan.services.action_writes import (
    ActionChange,
    Change,
    append_note,
    changed_since,
    note_text,
    rag_value,
    status_value,
    write_changes,
)
from improveplan.services.audit import FieldValues
from improveplan.services.context import App
from improveplan.store.models import Action, Person, Plan, Theme


def _check_request(
    ref: str, given: tuple[Any, ...], title: str | None, rag: str | None, clear_rag: bool
) -> None:
    """Refuse an update that asks for nothing, or for contradictory things."""
    if rag is not None and clear_rag:
        raise ImproveplanError("--rag and --clear-rag contradict each other", "give one of them")
    if all(v is None or v is False for v in given) and not clear_rag:
        raise ImproveplanError(
            f"nothing to change for action {ref}",
            "give --status, --due, --owner, --title, --rag, --clear-rag or --note "
            "(or another option of improveplan action update --help)",
        )
    if title is not None and not title.strip():
        raise ImproveplanError("an action needs a title", "describe what will be done")


def _owner_change(session: Session, action: Action, owner: str) -> tuple[int | None, Change]:
    """The new owner's id, and how the trail shows the change (names, not ids)."""
    person = lookups.find_person(session, owner, "the owner's name")
    old = session.get(Person, action.owner_id) if action.owner_id else None
    return person.id, Change(field="owner", old=old.name if old else None, new=person.name)


def _wider(action: Action, values: FieldValues) -> list[str]:
    """What of an update is more than a manager's own work on their action: assigning,
    moving, cancelling and reopening are for its theme lead or an admin."""

    def changes(key: str) -> bool:
        return key in values and values[key] != getattr(action, key)

    status = values.get("status") if changes("status") else None
    back = status is not None and (
        action.status == Status.cancelled
        or (action.status in DONE_STATUSES and status != Status.signed_off)
    )
    asked = (
        ("reassign", changes("owner_id")),
        ("move to another theme", changes("theme_id")),
        ("cancel", status == Status.cancelled),
        ("reopen", back),
    )
    return [doing for doing, given in asked if given]


def _check_rights(
    app: App, session: Session, plan: Plan, action: Action, values: FieldValues
) -> None:
    """The update's parts that need more than the owner: its theme lead (of the theme it
    moves to, too) or an admin; a sign-off comes from someone other than its doer."""
    for doing in _wider(action, values):
        access.check_action(app, session, action, need=Need.theme_action, doing=doing)
    if "theme_id" in values and values["theme_id"] != action.theme_id:
        theme_id = values["theme_id"]
        theme = session.get(Theme, theme_id) if theme_id is not None else None
        access.check_theme(app, session, plan, theme, doing=f"move action {action.ref}")
    if values.get("status") == Status.signed_off and action.status != Status.signed_off:
        access.check_signoff(app, session, plan, action)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Request:
    """What `action update` asks to change (None: leave it)."""

    status: str | None
    due: dt.date | None
    owner: str | None
    title: str | None
    rag: str | None
    clear_rag: bool


def _requested(
    session: Session, action: Action, asked: _Request, reason: str | None, labels: dict[str, Change]
) -> FieldValues:
    """The column values asked for, checked against the workflow."""
    values: FieldValues = {}
    ref = action.ref
    if asked.status is not None:
        step = workflow.change_status(ref, action.status, status_value(asked.status), reason)
        if step is not None:
            values.update(status=step.status, status_reason=step.reason)
    if asked.due is not None:
        moved = workflow.move_due(ref, action.due, action.original_due, asked.due, reason)
        if moved is not None:
            values["due"] = moved.due
            if moved.original_due is not None:
                values["original_due"] = moved.original_due
    if asked.owner is not None:
        values["owner_id"], labels["owner_id"] = _owner_change(session, action, asked.owner)
    if asked.title is not None:
        values["title"] = asked.title
    if asked.rag is not None or asked.clear_rag:
        rag = None if asked.clear_rag or asked.rag is None else rag_value(asked.rag)
        by_hand = workflow.override_rag(ref, rag, reason)
        values.update(rag_override=by_hand.rag, rag_override_reason=by_hand.reason)
    return values


def update_action(
    app: App,
    *,
    ref: str,
    status: str | None = None,
    due: dt.date | None = None,
    reason: str | None = None,
    owner: str | None = None,
    title: str | None = None,
    rag: str | None = None,
    clear_rag: bool = False,
    note: str | None = None,
    if_version: int | None = None,
    as_of: dt.date | None = None,
    fields: FieldRequest | None = None,
) -> ActionChange:
    """Change fields of an action under the status rules; the action after, what changed,
    and a warning when it is left due after its milestone (docs/design.md §2)."""
    ref = inputs.ref(ref)
    fields = (fields or FieldRequest()).checked()
    given = (status, due, owner, title, rag, note, fields.given())
    _check_request(ref, given, title, rag, clear_rag)
    reason = inputs.optional_text(reason, "reason")
    title = None if title is None else inputs.text(title, "title")
    note = None if note is None else note_text(note)
    asked = _Request(status=status, due=due, owner=owner, title=title, rag=rag, clear_rag=clear_rag)
    with app.write() as session:
        plan = app.plan(session)
        action = load_action(session, plan, ref, lock=True)
        access.check_action(app, session, action, need=Need.own_action)
        if if_version is not None and action.version != if_version:
            raise changed_since(action.ref, if_version, action.version)
        labels: dict[str, Change] = {}
        values = _requested(session, action, asked, reason, labels)
        values.update(field_values(session, app, plan, action, fields, labels))
        _check_rights(app, session, plan, action, values)
        check_start(action.ref, values, action)
        links = link_change(session, plan, action, fields)
        action_ref, action_id = action.ref, action.id
        assert action_id is not None
        changes = write_changes(
            session, app, plan, action, values, labels=labels, reason=reason,
            extra=[links[0]] if links else [],
        )  # fmt: skip
        if links:
            relink(session, action_id, links[1])
        noted = append_note(session, app, plan, action, note) if note is not None else None
        row = action_result(session, app, plan, action_ref, as_of)
        late = due is not None or fields.milestone is not None
        warnings = late_warnings(session, action_ref, action_id) if late else []
        return ActionChange(action=row, changes=changes, note=noted, warnings=warnings)


def _transition(
    app: App,
    ref: str,
    step: Step,
    *,
    reason: str | None = None,
    if_version: int | None = None,
    **extra: Any,
) -> ActionChange:
    """Load, take the workflow `step` (or be refused), write; the action and its changes."""
    with app.write() as session:
        plan = app.plan(session)
        action = load_action(session, plan, ref, lock=True)
        if if_version is not None and action.version != if_version:
            raise changed_since(action.ref, if_version, action.version)
        if step is Step.sign_off:
            access.check_signoff(app, session, plan, action)
        else:
            need = Need.own_action if step is Step.done else Need.theme_action
            access.check_action(app, session, action, need=need)
        new = workflow.take(step, action.ref, action.status)
        values = {"status": new, "status_reason": reason, **extra}
        action_ref = action.ref
        changes = write_changes(session, app, plan, action, values, reason=reason)
        return ActionChange(action=action_result(session, app, plan, action_ref), changes=changes)


def mark_done(
    app: App, *, ref: str, evidence: str | None = None, if_version: int | None = None
) -> ActionChange:
    """An open action is complete, awaiting sign-off by the board."""
    kept = inputs.optional_text(evidence, "evidence")
    extra = {"evidence": kept} if kept else {}
    return _transition(app, ref, Step.done, if_version=if_version, **extra)


def sign_off(app: App, *, ref: str) -> ActionChange:
    """The board accepts a complete action (blue)."""
    return _transition(app, ref, Step.sign_off)


def reopen(app: App, *, ref: str, reason: str) -> ActionChange:
    """Work resumes on a complete, signed-off or cancelled action; the reason is kept."""
    ref = inputs.ref(ref)
    text = inputs.text(workflow.require_reason(reason, f"reopening action {ref}"), "reason")
    return _transition(app, ref, Step.reopen, reason=text)
