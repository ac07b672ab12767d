"""Find rows by the names users type, with "Did you mean" suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from sqlmodel import Session, func, select

from improveplan.errors import NotFound
from improveplan.store.models import Person, Theme


def suggestion(name: str, candidates: Sequence[str]) -> str:
    """`Did you mean "X"?` for the closest candidate, or an empty string."""
    lowered = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.5)
    if not close:
        # Surnames alone ("Natarajan") should still find the person.
        close = [c for c in lowered if name.lower() in c][:1]
    return f'Did you mean "{lowered[close[0]]}"?' if close else ""


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
