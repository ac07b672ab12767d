"""The audit trail: one AuditEvent per changed field of every write (docs/design.md §2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlmodel import Session, SQLModel

from improveplan.store.models import AuditEvent, utcnow


def as_text(value: Any) -> str | None:
    """How a value is written in the trail: ISO dates, lower-case booleans, else str()."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def record(
    session: Session,
    *,
    actor: str,
    plan_id: int | None,
    entity: str,
    entity_id: int,
    changes: Mapping[str, tuple[Any, Any]],
    at: dt.datetime | None = None,
) -> None:
    """Write one event per field whose old and new values differ."""
    when = at or utcnow()
    for name, (old, new) in changes.items():
        old_text, new_text = as_text(old), as_text(new)
        if old_text == new_text:
            continue
        session.add(
            AuditEvent(
                plan_id=plan_id,
                actor=actor,
                at=when,
                entity=entity,
                entity_id=entity_id,
                field=name,
                old_value=old_text,
                new_value=new_text,
            )
        )


def record_created(
    session: Session,
    *,
    actor: str,
    plan_id: int | None,
    entity: str,
    obj: SQLModel,
    fields: Iterable[str],
) -> None:
    """A new row: every given field from nothing to its value (id must be assigned)."""
    session.flush()
    entity_id = getattr(obj, "id")  # noqa: B009 - every table has an integer id
    changes = {name: (None, getattr(obj, name)) for name in fields}
    record(
        session, actor=actor, plan_id=plan_id, entity=entity, entity_id=entity_id, changes=changes
    )


def apply(
    session: Session,
    *,
    actor: str,
    plan_id: int | None,
    entity: str,
    obj: SQLModel,
    updates: Mapping[str, Any],
) -> dict[str, tuple[Any, Any]]:
    """Set the fields that really change on `obj`, audit them, return {field: (old, new)}."""
    changes = {
        name: (getattr(obj, name), value)
        for name, value in updates.items()
        if getattr(obj, name) != value
    }
    for name, (_old, new) in changes.items():
        setattr(obj, name, new)
    if changes:
        session.add(obj)
        session.flush()
        entity_id = getattr(obj, "id")  # noqa: B009
        record(
            session,
            actor=actor,
            plan_id=plan_id,
            entity=entity,
            entity_id=entity_id,
            changes=changes,
        )
    return changes
