"""Which plan a report goes into: the current one, none yet (a dry run before any plan
exists still reads the report), or the one `--create-plan` makes for the authority the
report names.

A report names its local authority ("Inspection of Peterborough local authority
children's services") but not the DfE LA code, so a plan made from it has none until
`plan update --la-code`. It is named as `plan add` examples name plans: after the
authority, "Peterborough" (or `--plan NAME`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, func, select

from improveplan.errors import Conflict, ImproveplanError, NotFound
from improveplan.services import access
from improveplan.services.context import App
from improveplan.services.lookups import named
from improveplan.services.plans import create_plan
from improveplan.store.models import Plan

ADD_PLAN = "improveplan plan add NAME --authority TEXT"


@dataclass(frozen=True, slots=True, kw_only=True)
class NewPlan:
    """The plan `--create-plan` made, or on a dry run would make."""

    name: str
    authority: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """The plan to import into (None: no plan yet, on a dry run) and the one made for it."""

    plan: Plan | None
    new: NewPlan | None = None
    suggested: NewPlan | None = None  # no plan yet: what --create-plan would make


def _from_report(app: App, authority: str | None) -> NewPlan | None:
    """The plan a report calls for: named by --plan or after its authority."""
    if authority is None:
        return None
    return NewPlan(name=app.plan_name or authority, authority=authority)


def _to_create(session: Session, app: App, authority: str | None) -> NewPlan:
    """The plan --create-plan is to make; refused when it exists or has no name."""
    new = _from_report(app, authority)
    if new is None:
        raise ImproveplanError(
            "the report names no local authority to name the plan after",
            f"create the plan with {ADD_PLAN}, then import without --create-plan",
        )
    found = named(session, Plan, new.name)
    if found is not None:
        raise Conflict(
            f'a plan named "{found.name}" already exists',
            f'drop --create-plan to import into it (--plan "{found.name}"), or name a new '
            "plan with --plan NAME",
        )
    access.require_dba(app, "add plans")
    return new


def target_plan(
    session: Session, app: App, *, authority: str | None, create: bool, dry_run: bool
) -> Target:
    """The plan the import meets, made first with --create-plan (in the same transaction)."""
    if create:
        new = _to_create(session, app, authority)
        if dry_run:
            return Target(plan=None, new=new)
        plan = create_plan(session, app, name=new.name, authority=new.authority)
        return Target(plan=plan, new=new)
    if app.plan_name is None and session.exec(select(func.count()).select_from(Plan)).one() == 0:
        suggested = _from_report(app, authority)
        if dry_run:
            return Target(plan=None, suggested=suggested)
        todo = (
            f'add --create-plan to create plan "{suggested.name}" from the report, or create '
            f"one with {ADD_PLAN}"
            if suggested
            else f"create one with {ADD_PLAN}"
        )
        raise NotFound("no plan in the database", todo)
    return Target(plan=app.plan(session))
