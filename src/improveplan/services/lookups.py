"""Find rows by the names and references users type, with "Did you mean" suggestions.

Every service that resolves a plan, person, theme, milestone, measure, inspection or
recommendation imports it from here, so the services that own those rows never need to
import each other. Names are found as people type them: in any case, with runs of spaces
folded (`domain.inputs.folded`), so "priya  NATARAJAN" is "Priya Natarajan" and "émile"
is "Émile" — and adding a name that differs from one already there only so is refused.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from improveplan.domain.inputs import folded
from improveplan.errors import NotFound
from improveplan.services.inputs import key
from improveplan.store.models import (
    Inspection,
    Measure,
    Milestone,
    Person,
    Plan,
    Recommendation,
    Theme,
)

Named = TypeVar("Named", Plan, Person, Theme, Milestone, Measure)

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


def named(
    session: Session, model: type[Named], typed: str, *where: Any, lock: bool = False
) -> Named | None:
    """The row of `model` (within `where`) whose name is `typed` as people type it.

    An indexed exact match first, then lower() in SQL; only then are the names of the
    scope folded in Python, because SQLite's lower() folds ASCII alone ("émile" must find
    "Émile") and neither database folds runs of spaces. The scope is one plan's themes,
    milestones or measures, or the database's people or plans: hundreds of names.
    """
    name_col = col(model.name)
    for match in (name_col == typed, same(name_col, typed)):
        stmt = select(model).where(*where, match)
        found = session.exec(stmt.with_for_update() if lock else stmt).first()
        if found is not None:
            return found
    wanted = folded(typed)
    for row_id, name in session.execute(select(col(model.id), name_col).where(*where)):
        if folded(name) == wanted:
            stmt = select(model).where(col(model.id) == row_id)
            return session.exec(stmt.with_for_update() if lock else stmt).first()
    return None


def find_plan(session: Session, name: str) -> Plan:
    """A plan by name as typed (`--plan`, `plan show NAME`)."""
    name = key(name, "the plan's name")
    plan = named(session, Plan, name)
    if plan is not None:
        return plan
    hint = suggestion(name, list(session.exec(select(Plan.name)).all()))
    todo = f"{hint} See improveplan plan list" if hint else "see improveplan plan list"
    raise NotFound(f'no plan named "{name}"', todo)


def find_person(session: Session, name: str, what: str = "the person's name") -> Person:
    """A person by name in any case and spacing; unknown names suggest the closest."""
    name = key(name, what)
    person = named(session, Person, name)
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
    """A theme (workstream) of the plan by name, in any case and spacing."""
    name = key(name, "the theme's name")
    theme = named(session, Theme, name, col(Theme.plan_id) == plan_id)
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


def milestone_named(session: Session, plan: Plan, name: str) -> Milestone | None:
    """A milestone of the plan by name as typed, or None (callers may refresh the
    default milestones and look again before saying it is unknown)."""
    name = key(name, "the milestone's name")
    return named(session, Milestone, name, col(Milestone.plan_id) == plan.id)


def find_measure(session: Session, plan_id: int, name: str, *, lock: bool = False) -> Measure:
    """A measure of the plan by name as typed; unknown names suggest the closest."""
    name = key(name, "the measure's name")
    found = named(session, Measure, name, col(Measure.plan_id) == plan_id, lock=lock)
    if found is not None:
        return found
    names = list(session.exec(select(Measure.name).where(col(Measure.plan_id) == plan_id)).all())
    hint = suggestion(name, names)
    todo = f"{hint} See improveplan measure list" if hint else "see improveplan measure list"
    raise NotFound(f'no measure named "{name}"', todo)


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
