"""Plans: the unit most commands work in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from improveplan.domain.inputs import REF_LENGTH
from improveplan.errors import Conflict, NotFound
from improveplan.services import audit, inputs
from improveplan.services.context import App
from improveplan.store.models import Action, Plan, Recommendation


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanSummary:
    """A plan and how much is in it (`plan list` and `plan show`, docs/design.md §3)."""

    name: str
    authority: str
    la_code: str | None
    recommendations: int
    actions: int
    created_at: dt.datetime


def _summaries(session: Session, *where: Any) -> list[PlanSummary]:
    """Plans by name with their counts, in one query however many plans there are."""

    def count(model: type[Recommendation] | type[Action]) -> Any:
        return (
            sql_select(func.count())
            .select_from(model)
            .where(col(model.plan_id) == col(Plan.id))
            .scalar_subquery()
        )

    stmt = (
        sql_select(Plan, count(Recommendation).label("recs"), count(Action).label("actions"))
        .where(*where)
        .order_by(col(Plan.name))
    )
    return [
        PlanSummary(
            name=plan.name,
            authority=plan.authority,
            la_code=plan.la_code,
            recommendations=int(recs),
            actions=int(actions),
            created_at=plan.created_at,
        )
        for plan, recs, actions in session.execute(stmt)
    ]


def add_plan(app: App, *, name: str, authority: str, la_code: str | None = None) -> PlanSummary:
    """A new, empty plan; plan names are unique."""
    name = inputs.name(name, "the plan's name")
    authority = inputs.name(authority, "the local authority's name")
    la_code = inputs.optional_name(la_code, "the LA code", length=REF_LENGTH)
    with app.write() as session:
        if session.exec(select(Plan).where(Plan.name == name)).first() is not None:
            raise Conflict(f'a plan named "{name}" already exists', "choose another name")
        plan = Plan(name=name, authority=authority, la_code=la_code)
        session.add(plan)
        session.flush()
        audit.record_created(
            session,
            actor=app.user,
            plan_id=plan.id,
            entity="plan",
            obj=plan,
            fields=("name", "authority", "la_code"),
        )
        return PlanSummary(
            name=plan.name,
            authority=plan.authority,
            la_code=plan.la_code,
            recommendations=0,
            actions=0,
            created_at=plan.created_at,
        )


def list_plans(app: App) -> list[PlanSummary]:
    """Every plan in the database, by name."""
    with app.read() as session:
        return _summaries(session)


def show_plan(app: App, *, name: str | None = None) -> PlanSummary:
    """One plan by name (default: the current plan)."""
    name = None if name is None else inputs.key(name, "the plan's name")
    with app.read() as session:
        plan_id = app.plan(session).id if name is None else None
        where = col(Plan.id) == plan_id if name is None else col(Plan.name) == name
        found = _summaries(session, where)
        if not found:
            raise NotFound(f'no plan named "{name}"', "see improveplan plan list")
        return found[0]
