"""Themes (workstreams): groups of actions, each with a lead who gets escalations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, func, select

from improveplan.domain.vocab import Status
from improveplan.errors import Conflict, ImproveplanError
from improveplan.services import audit, inputs, lookups
from improveplan.services.context import App
from improveplan.services.edits import Updated, lead_change, updated
from improveplan.store import queries
from improveplan.store.models import Action, Person, Plan, Recommendation, Theme


@dataclass(frozen=True, slots=True, kw_only=True)
class ThemeRecord:
    """A theme, its lead and its live actions: all, open, and overdue on the day asked."""

    name: str
    lead: str | None
    actions: int = 0
    open: int = 0
    overdue: int = 0


def refuse_taken(session: Session, plan: Plan, name: str, but: Theme | None = None) -> None:
    """Theme names are unique in their plan in any case and spacing."""
    found = lookups.named(session, Theme, name, col(Theme.plan_id) == plan.id)
    if found is not None and found is not but:
        raise Conflict(
            f'a theme named "{found.name}" already exists in plan "{plan.name}"',
            "see improveplan theme list",
        )


def add_theme(app: App, *, name: str, lead: str | None = None) -> ThemeRecord:
    """A new theme of the current plan; names are unique in the plan (any case)."""
    name = inputs.name(name, "the theme's name")
    with app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        refuse_taken(session, plan, name)
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


def update_theme(
    app: App, *, name: str, new_name: str | None = None, lead: str | None = None
) -> Updated:
    """Rename a theme or change its lead (`none` clears it), each change audited."""
    name = inputs.key(name, "the theme's name")
    if new_name is None and lead is None:
        raise ImproveplanError(f'nothing to change for theme "{name}"', "give --name or --lead")
    new_name = None if new_name is None else inputs.name(new_name, "the theme's name")
    with app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        theme = lookups.find_theme(session, plan.id, name)
        assert theme.id is not None
        changes: dict[str, tuple[str | None, str | None]] = {}
        if new_name is not None:
            refuse_taken(session, plan, new_name, but=theme)
            changes["name"] = (theme.name, new_name)
            theme.name = new_name
        if lead is not None:
            theme.lead_id, changes["lead"] = lead_change(session, theme.lead_id, lead)
        session.add(theme)
        audit.record(
            session, actor=app.user, plan_id=plan.id, entity="theme", entity_id=theme.id,
            changes=changes,
        )  # fmt: skip
        return updated(theme.name, changes)


def remove_theme(app: App, *, name: str) -> str:
    """Remove an empty theme (no action or recommendation in it); returns its name."""
    name = inputs.key(name, "the theme's name")
    with app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        theme = lookups.find_theme(session, plan.id, name)
        assert theme.id is not None
        _refuse_in_use(session, theme)
        lead = session.get(Person, theme.lead_id) if theme.lead_id else None
        audit.record(
            session, actor=app.user, plan_id=plan.id, entity="theme", entity_id=theme.id,
            changes={"name": (theme.name, None), "lead": (lead.name if lead else None, None)},
        )  # fmt: skip
        session.delete(theme)
        session.flush()
        return theme.name


def _refuse_in_use(session: Session, theme: Theme) -> None:
    """A theme holding actions or recommendations stays: they would lose their theme."""

    def count(model: type[Action] | type[Recommendation]) -> int:
        return int(
            session.exec(
                select(func.count()).select_from(model).where(col(model.theme_id) == theme.id)
            ).one()
        )

    actions, recs = count(Action), count(Recommendation)
    if not actions and not recs:
        return
    held = [
        f"{n} {word}{'s' if n != 1 else ''}"
        for n, word in ((actions, "action"), (recs, "recommendation"))
        if n
    ]
    raise Conflict(
        f'theme "{theme.name}" holds {" and ".join(held)}',
        "move them to another theme first (action update REF --theme, rec update REF --theme)",
    )
