"""Themes (workstreams): groups of actions, each with a lead who gets escalations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case
from sqlalchemy import select as sql_select
from sqlmodel import col, func, select

from improveplan.domain.vocab import Status
from improveplan.errors import Conflict
from improveplan.services import audit, inputs, lookups
from improveplan.services.context import App
from improveplan.store import queries
from improveplan.store.models import Action, Person, Theme


@dataclass(frozen=True, slots=True, kw_only=True)
class ThemeRecord:
    """A theme, its lead and its live actions: all, open, and overdue on the day asked."""

    name: str
    lead: str | None
    actions: int = 0
    open: int = 0
    overdue: int = 0


def add_theme(app: App, *, name: str, lead: str | None = None) -> ThemeRecord:
    """A new theme of the current plan; names are unique in the plan (any case)."""
    name = inputs.name(name, "the theme's name")
    with app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        taken = session.exec(
            select(Theme).where(col(Theme.plan_id) == plan.id, lookups.same(col(Theme.name), name))
        ).first()
        if taken is not None:
            raise Conflict(
                f'a theme named "{taken.name}" already exists in plan "{plan.name}"',
                "see improveplan theme list",
            )
        person = lookups.find_person(session, lead, "the lead's name") if lead else None
        theme = Theme(name=name, plan_id=plan.id, lead_id=person.id if person else None)
        session.add(theme)
        session.flush()
        assert theme.id is not None
        audit.record(
            session,
            actor=app.user,
            plan_id=plan.id,
            entity="theme",
            entity_id=theme.id,
            changes={"name": (None, name), "lead": (None, person.name if person else None)},
        )
        return ThemeRecord(name=name, lead=person.name if person else None)


def list_themes(app: App, *, as_of: dt.date | None = None) -> list[ThemeRecord]:
    """Themes with counts of their actions (cancelled ones excluded), counted in SQL."""
    as_of = as_of or app.today
    with app.read() as session:
        plan = app.plan(session)
        counted = col(Action.id).is_not(None) & (col(Action.status) != Status.cancelled)
        stmt: Any = (
            sql_select(
                col(Theme.name),
                col(Person.name).label("lead"),
                func.sum(case((counted, 1), else_=0)).label("actions"),
                func.sum(case((counted & queries.is_open(), 1), else_=0)).label("open"),
                func.sum(case((counted & queries.is_overdue(as_of), 1), else_=0)).label("overdue"),
            )
            .select_from(Theme)
            .outerjoin(Person, col(Person.id) == col(Theme.lead_id))
            .outerjoin(Action, col(Action.theme_id) == col(Theme.id))
            .where(col(Theme.plan_id) == plan.id)
            .group_by(col(Theme.id), col(Theme.name), col(Person.name))
            .order_by(col(Theme.name))
        )
        return [
            ThemeRecord(
                name=r.name,
                lead=r.lead,
                actions=int(r.actions or 0),
                open=int(r.open or 0),
                overdue=int(r.overdue or 0),
            )
            for r in session.execute(stmt)
        ]
