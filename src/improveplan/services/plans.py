"""Plans: the unit most commands work in."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, func, select

from improveplan.errors import Conflict, NotFound
from improveplan.services import audit
from improveplan.services.context import App
from improveplan.store.models import Action, Plan, Recommendation


def _row(session: Session, plan: Plan) -> dict[str, Any]:
    actions = session.exec(
        select(func.count()).select_from(Action).where(Action.plan_id == plan.id)
    ).one()
    recs = session.exec(
        select(func.count()).select_from(Recommendation).where(Recommendation.plan_id == plan.id)
    ).one()
    return {
        "name": plan.name,
        "authority": plan.authority,
        "la_code": plan.la_code,
        "recommendations": recs,
        "actions": actions,
        "created_at": plan.created_at,
    }


def add_plan(app: App, *, name: str, authority: str, la_code: str | None = None) -> dict[str, Any]:
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
        return _row(session, plan)


def list_plans(app: App) -> list[dict[str, Any]]:
    with app.read() as session:
        plans = session.exec(select(Plan).order_by(Plan.name)).all()
        return [_row(session, plan) for plan in plans]


def show_plan(app: App, *, name: str | None = None) -> dict[str, Any]:
    with app.read() as session:
        if name is None:
            return _row(session, app.plan(session))
        plan = session.exec(select(Plan).where(Plan.name == name)).first()
        if plan is None:
            raise NotFound(f'no plan named "{name}"', "see improveplan plan list")
        return _row(session, plan)
