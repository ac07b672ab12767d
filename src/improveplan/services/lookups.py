"""Find rows by the names users type, with "Did you mean" suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from sqlmodel import Session, func, select

from improveplan.errors import NotFound
from improveplan.store.models import Person, Theme


def _likeness(typed: str, candidate: str) -> float:
    """How close a typed name is to a candidate, as a whole or to one of its words,
    so "Natrajan" finds "Priya Natarajan" and a misspelt full name still matches."""
    typed, candidate = typed.lower(), candidate.lower()
    if typed in candidate:
        return 1.0
    parts = [candidate, *candidate.split()]
    return max(difflib.SequenceMatcher(None, typed, part).ratio() for part in parts)


def suggestion(name: str, candidates: Sequence[str]) -> str:
    """`Did you mean "X"?` for the closest candidate, or an empty string."""
    scored = sorted(((_likeness(name, c), c) for c in candidates), reverse=True)
    if not scored or scored[0][0] < 0.7:
        return ""
    return f'Did you mean "{scored[0][1]}"?'


def find_person(session: Session, name: str) -> Person:
    """A person by name, case-insensitively; unknown names suggest the closest."""
    person = session.exec(select(Person).where(func.lower(Person.name) == name.lower())).first()
    if person is not None:
        return person
    names = list(session.exec(select(Person.name)).all())
    hint = suggestion(name, names)
    todo = (
        f"{hint} Add them with improveplan person add"
        if hint
        else "add them first with improveplan person add NAME"
    )
    raise NotFound(f'no person named "{name}"', todo)


def find_theme(session: Session, plan_id: int, name: str) -> Theme:
    """A theme (workstream) of the plan by name, case-insensitively."""
    theme = session.exec(
        select(Theme).where(Theme.plan_id == plan_id, func.lower(Theme.name) == name.lower())
    ).first()
    if theme is not None:
        return theme
    names = list(session.exec(select(Theme.name).where(Theme.plan_id == plan_id)).all())
    hint = suggestion(name, names)
    todo = (
        f"{hint} Or add it with improveplan theme add"
        if hint
        else "add it first with improveplan theme add NAME"
    )
    raise NotFound(f'no theme named "{name}"', todo)
