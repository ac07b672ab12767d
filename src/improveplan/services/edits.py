"""What a correction changed (`person update`, `theme update`, `plan update`), as the
audit trail records it: field by field, people by name rather than id."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from improveplan.services.audit import as_text
from improveplan.services.lookups import find_person
from improveplan.store.models import Person


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldChange:
    """One field from its old value to its new one (None: empty)."""

    field: str
    old: str | None = None
    new: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Updated:
    """A row after a correction: its name now, and each field that changed."""

    name: str
    changes: list[FieldChange] = field(default_factory=list)


def updated(name: str, changes: Mapping[str, tuple[Any, Any]]) -> Updated:
    """The result of `audit.apply`-style changes, as the trail writes their values."""
    return Updated(
        name=name,
        changes=[
            FieldChange(field=k, old=as_text(old), new=as_text(new))
            for k, (old, new) in changes.items()
            if as_text(old) != as_text(new)
        ],
    )


def clearing(value: str | None) -> bool:
    """`--lead none` (any case) clears a lead; so does an empty string."""
    return value is not None and value.strip().casefold() in {"", "none"}


def lead_change(
    session: Session, current: int | None, lead: str
) -> tuple[int | None, tuple[str | None, str | None]]:
    """A theme's or plan's new lead id from what was typed, and the change by name."""
    old = session.get(Person, current) if current is not None else None
    person = None if clearing(lead) else find_person(session, lead, "the lead's name")
    return (person.id if person else None), (
        old.name if old else None,
        person.name if person else None,
    )
