"""Plans: the unit most commands work in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from improveplan.domain.inputs import REF_LENGTH
from improveplan.errors import Conflict, ImproveplanError
from improveplan.services import access, audit, inputs
from improveplan.services.context import App
from improveplan.services.edits import Updated, lead_change, updated
from improveplan.services.lookups import find_plan, named
from improveplan.store.models import Action, Person, Plan, Recommendation


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanSummary:
    """A plan and how much is in it (`plan list` and `plan show`, docs/design.md §3)."""

    name: str
    authority: str
    la_code: str | None
    recommendations: int
    actions: int
    created_at: dt.datetime
    lead: str | None = None  # the person accountable for the whole plan


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanDetail(PlanSummary):
    """`plan show`: the summary, and whether an action's owner or completer may also sign
    it off (very small teams)."""

    allow_self_signoff: bool = False


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
        .add_columns(col(Person.name).label("lead"))
        .outerjoin(Person, col(Person.id) == col(Plan.lead_id))
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
            lead=lead,
        )
        for plan, recs, actions, lead in session.execute(stmt)
    ]


def refuse_taken(session: Session, name: str, but: Plan | None = None) -> None:
    """Plan names are unique in any case and spacing."""
    found = named(session, Plan, name)
    if found is not None and found is not but:
        raise Conflict(f'a plan named "{found.name}" already exists', "choose another name")


def create_plan(
    session: Session, app: App, *, name: str, authority: str, la_code: str | None = None
) -> Plan:
    """A new, empty plan in the caller's transaction, audited (`plan add`, and
    `import-report --create-plan`, which fills it in the same transaction)."""
    name = inputs.name(name, "the plan's name")
    authority = inputs.name(authority, "the local authority's name")
    la_code = inputs.optional_name(la_code, "the LA code", length=REF_LENGTH)
    access.require_dba(app, "add plans")
    refuse_taken(session, name)
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
    return plan


def add_plan(app: App, *, name: str, authority: str, la_code: str | None = None) -> PlanSummary:
    """A new, empty plan; plan names are unique."""
    name = inputs.name(name, "the plan's name")  # checked before the database is opened
    authority = inputs.name(authority, "the local authority's name")
    la_code = inputs.optional_name(la_code, "the LA code", length=REF_LENGTH)
    with app.write() as session:
        plan = create_plan(session, app, name=name, authority=authority, la_code=la_code)
        return PlanSummary(
            name=plan.name,
            authority=plan.authority,
            la_code=plan.la_code,
            recommendations=0,
            actions=0,
            created_at=plan.created_at,
        )


def list_plans(app: App) -> list[PlanSummary]:
    """Every plan in the database by name; with grants, those the doer has a role in."""
    with app.read() as session:
        readable = access.readable_plans(app, session)
        return _summaries(session, *([] if readable is None else [col(Plan.id).in_(readable)]))


def show_plan(app: App, *, name: str | None = None) -> PlanDetail:
    """One plan by name as typed (default: the current plan)."""
    name = None if name is None else inputs.key(name, "the plan's name")
    with app.read() as session:
        plan = app.plan(session) if name is None else _entered(app, session, name)
        summary = _summaries(session, col(Plan.id) == plan.id)[0]
        return PlanDetail(
            **{f: getattr(summary, f) for f in PlanSummary.__dataclass_fields__},
            allow_self_signoff=plan.allow_self_signoff,
        )


def _entered(app: App, session: Session, name: str) -> Plan:
    """The plan named, once the doer's roles there allow what the command needs."""
    plan = find_plan(session, name)
    access.enter_plan(app, session, plan)
    return plan


def _asked(
    name: str,
    new_name: str | None,
    authority: str | None,
    la_code: str | None,
    lead: str | None,
    allow_self_signoff: bool | None = None,
) -> dict[str, str | None]:
    """The plan's own columns to set, checked (an empty --la-code clears it)."""
    if all(v is None for v in (new_name, authority, la_code, lead, allow_self_signoff)):
        raise ImproveplanError(
            f'nothing to change for plan "{name}"',
            "give --name, --authority, --la-code or --lead",
        )
    asked: dict[str, str | None] = {}
    if new_name is not None:
        asked["name"] = inputs.name(new_name, "the plan's name")
    if authority is not None:
        asked["authority"] = inputs.name(authority, "the local authority's name")
    if la_code is not None:
        asked["la_code"] = inputs.optional_name(la_code, "the LA code", length=REF_LENGTH)
    return asked


def update_plan(
    app: App,
    *,
    name: str,
    new_name: str | None = None,
    authority: str | None = None,
    la_code: str | None = None,
    lead: str | None = None,
    allow_self_signoff: bool | None = None,
) -> Updated:
    """Correct a plan's name, authority or LA code, name its lead (`none` clears it), or
    let an action's owner or completer sign it off too."""
    name = inputs.key(name, "the plan's name")
    asked = _asked(name, new_name, authority, la_code, lead, allow_self_signoff)
    with app.write() as session:
        plan = _entered(app, session, name)
        assert plan.id is not None
        if "name" in asked:
            refuse_taken(session, str(asked["name"]), but=plan)
        changes: dict[str, tuple[Any, Any]] = {k: (getattr(plan, k), v) for k, v in asked.items()}
        for key, value in asked.items():
            setattr(plan, key, value)
        if allow_self_signoff is not None:
            changes["allow_self_signoff"] = (plan.allow_self_signoff, allow_self_signoff)
            plan.allow_self_signoff = allow_self_signoff
        if lead is not None:
            plan.lead_id, changes["lead"] = lead_change(session, plan.lead_id, lead)
        session.add(plan)
        audit.record(
            session, actor=app.user, plan_id=plan.id, entity="plan", entity_id=plan.id,
            changes=changes,
        )  # fmt: skip
        return updated(plan.name, changes)
