"""Find rows by the names and references users type, with "Did you mean" suggestions.

Every service that resolves a person, theme, inspection or recommendation imports it from
here, so the services that own those rows never need to import each other.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from improveplan.errors import NotFound
from improveplan.services.inputs import key
from improveplan.store.models import Inspection, Person, Plan, Recommendation, Theme

_REF_NUMBER = re.compile(r"r?(\d+)", re.IGNORECASE)


def same(column: Any, typed: str) -> ColumnElement[bool]:
    """`column` equals what was typed in any case. Both sides are lowered by the database,
    so a name is found as written even where its lower() folds ASCII only (SQLite: "Émile").
    """
    return func.lower(column) == func.lower(typed)


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


def find_person(session: Session, name: str, what: str = "the person's name") -> Person:
    """A person by name, case-insensitively; unknown names suggest the closest."""
    name = key(name, what)
    person = session.exec(select(Person).where(same(Person.name, name))).first()
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
    name = key(name, "the theme's name")
    theme = session.exec(
        select(Theme).where(Theme.plan_id == plan_id, same(Theme.name, name))
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


def find_inspection(session: Session, plan: Plan, inspection_id: int) -> Inspection:
    """An inspection of this plan by id, or NotFound pointing at `inspection list`."""
    found = session.exec(
        select(Inspection).where(Inspection.id == inspection_id, Inspection.plan_id == plan.id)
    ).first()
    if found is None:
        raise NotFound(
            f'no inspection {inspection_id} in plan "{plan.name}"',
            "see improveplan inspection list",
        )
    return found


def normalise_ref(ref: str) -> str:
    """`3`, `r3` and `R3` are the same reference, stored as `R3`; others kept as typed
    (trimmed; a control character is refused: no stored reference holds one)."""
    text = key(ref, "the reference")
    match = _REF_NUMBER.fullmatch(text)
    return f"R{int(match.group(1))}" if match else text


def find_recommendation(session: Session, plan: Plan, ref: str) -> Recommendation:
    """A recommendation of the plan by reference, case-insensitively."""
    wanted = normalise_ref(ref)
    found = session.exec(
        select(Recommendation).where(
            Recommendation.plan_id == plan.id,
            same(col(Recommendation.ref), wanted),
        )
    ).first()
    if found is None:
        known = session.exec(
            select(Recommendation.ref).where(Recommendation.plan_id == plan.id)
        ).all()
        hint = suggestion(wanted, list(known))
        raise NotFound(
            f'no recommendation {wanted} in plan "{plan.name}"',
            f"{hint} See improveplan rec list" if hint else "see improveplan rec list",
        )
    return found
