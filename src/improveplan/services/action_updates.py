"""Changing actions under the status rules of docs/design.md §2.

`done` → complete; `signoff` only from complete; cancelling, reopening, moving a due
date later and overriding RAG need a reason, which is kept and audited (field `reason`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from improveplan.errors import ImproveplanError, InvalidState
from improveplan.serialize import as_record
from improveplan.services import lookups
from improveplan.services.action_reads import action_result, load_action
from improveplan.services.action_writes import (
    OPEN,
    append_note,
    changed_since,
    needs_reason,
    rag_value,
    status_value,
    write_changes,
)
from improveplan.services.context import App
from improveplan.store.models import Action, Person


def _status_change(action: Action, new: str, reason: str | None) -> dict[str, Any]:
    """Workflow rules: sign-off only from complete; cancel and going back need a reason."""
    old, ref = action.status, action.ref
    if new == old:
        return {}
    if new == "signed_off" and old != "complete":
        raise not_complete(action)
    backwards = old == "cancelled" or (old in ("complete", "signed_off") and new != "signed_off")
    if new == "cancelled" and not reason:
        raise needs_reason(f"cancelling action {ref}")
    if backwards and not reason:
        raise needs_reason(f"moving action {ref} from {old} back to {new}")
    needed = new == "cancelled" or backwards
    return {"status": new, "status_reason": reason if needed else None}


def not_complete(action: Action) -> InvalidState:
    if action.status == "signed_off":
        return InvalidState(f"action {action.ref} is already signed off", "nothing to do")
    if action.status == "cancelled":
        return InvalidState(
            f"action {action.ref} is cancelled",
            f"reopen it first: improveplan action reopen {action.ref} --reason TEXT",
        )
    return InvalidState(
        f"action {action.ref} is not complete",
        f"mark it done first: improveplan action done {action.ref}",
    )


def _due_change(action: Action, due: dt.date, reason: str | None) -> dict[str, Any]:
    """A later due date is slippage: it needs a reason and keeps the original due date."""
    if due == action.due:
        return {}
    values: dict[str, Any] = {"due": due}
    if action.due is not None and due > action.due:
        if not reason:
            raise needs_reason(
                f"moving action {action.ref}'s due date later ({action.due} → {due})"
            )
        if action.original_due is None:
            values["original_due"] = action.due
    return values


def _rag_change(action: Action, rag: str | None, reason: str | None) -> dict[str, Any]:
    if rag is None:
        return {"rag_override": None, "rag_override_reason": None}
    if not reason:
        raise needs_reason(f"setting action {action.ref}'s RAG by hand")
    return {"rag_override": rag, "rag_override_reason": reason}


def _check_request(
    ref: str, given: tuple[Any, ...], title: str | None, rag: str | None, clear_rag: bool
) -> None:
    """Refuse an update that asks for nothing, or for contradictory things."""
    if rag is not None and clear_rag:
        raise ImproveplanError("--rag and --clear-rag contradict each other", "give one of them")
    if all(v is None for v in given) and not clear_rag:
        raise ImproveplanError(
            f"nothing to change for action {ref}",
            "give --status, --due, --owner, --title, --rag, --clear-rag or --note",
        )
    if title is not None and not title.strip():
        raise ImproveplanError("an action needs a title", "describe what will be done")


def _owner_change(
    session: Session, action: Action, owner: str
) -> tuple[int | None, tuple[str, Any, Any]]:
    """The new owner's id, and how the trail shows the change (names, not ids)."""
    person = lookups.find_person(session, owner)
    old = session.get(Person, action.owner_id) if action.owner_id else None
    return person.id, ("owner", old.name if old else None, person.name)


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
) -> dict[str, Any]:
    """Change fields of an action under the status rules; returns the action + `changes`."""
    reason = (reason or "").strip() or None
    _check_request(ref, (status, due, owner, title, rag, note), title, rag, clear_rag)
    with app.write() as session:
        plan = app.plan(session)
        action = load_action(session, plan, ref, lock=True)
        if if_version is not None and action.version != if_version:
            raise changed_since(action.ref, if_version, action.version)
        values: dict[str, Any] = {}
        labels: dict[str, tuple[str, Any, Any]] = {}
        if status is not None:
            values.update(_status_change(action, status_value(status), reason))
        if due is not None:
            values.update(_due_change(action, due, reason))
        if owner is not None:
            values["owner_id"], labels["owner_id"] = _owner_change(session, action, owner)
        if title is not None:
            values["title"] = title.strip()
        if rag is not None or clear_rag:
            values.update(_rag_change(action, None if clear_rag else rag_value(rag), reason))
        action_ref = action.ref
        changes = write_changes(session, app, plan, action, values, labels=labels, reason=reason)
        if note is not None:
            append_note(session, app, plan, action, note)
        result = dict(as_record(action_result(session, app, plan, action_ref, as_of)))
        result["changes"] = changes
        return result


def _transition(
    app: App, ref: str, rule: Any, *, reason: str | None = None, **extra: Any
) -> dict[str, Any]:
    """Load, check `rule(action) -> new status`, write, return the action + `changes`."""
    with app.write() as session:
        plan = app.plan(session)
        action = load_action(session, plan, ref, lock=True)
        values = {"status": rule(action), "status_reason": reason, **extra}
        action_ref = action.ref
        changes = write_changes(session, app, plan, action, values, reason=reason)
        result = dict(as_record(action_result(session, app, plan, action_ref)))
        result["changes"] = changes
        return result


def mark_done(app: App, *, ref: str, evidence: str | None = None) -> dict[str, Any]:
    """An open action is complete, awaiting sign-off by the board."""

    def rule(action: Action) -> str:
        if action.status == "complete":
            raise InvalidState(
                f"action {action.ref} is already complete",
                f"sign it off with improveplan action signoff {action.ref}",
            )
        if action.status not in OPEN:
            raise not_complete(action)
        return "complete"

    extra = {"evidence": evidence.strip()} if evidence and evidence.strip() else {}
    return _transition(app, ref, rule, **extra)


def sign_off(app: App, *, ref: str) -> dict[str, Any]:
    """The board accepts a complete action (blue)."""

    def rule(action: Action) -> str:
        if action.status != "complete":
            raise not_complete(action)
        return "signed_off"

    return _transition(app, ref, rule)


def reopen(app: App, *, ref: str, reason: str) -> dict[str, Any]:
    """Work resumes on a complete, signed-off or cancelled action; the reason is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise needs_reason(f"reopening action {ref}")

    def rule(action: Action) -> str:
        if action.status in OPEN:
            raise InvalidState(
                f"action {action.ref} is {action.status}, not closed", "there is nothing to reopen"
            )
        return "in_progress"

    return _transition(app, ref, rule, reason=reason)
