"""People: owners of actions, theme and plan leads, recipients of reminders.

A person belongs to the database, not to one plan, so `person show` lists what they hold
in every plan (or in `--plan` alone). Their removal is in services/person_removal.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from improveplan.domain.vocab import Status
from improveplan.errors import Conflict, ImproveplanError
from improveplan.services import access, audit, inputs
from improveplan.services.context import App
from improveplan.services.edits import Updated, updated
from improveplan.services.lookups import find_person, named
from improveplan.store.models import Action, Person, Plan, Theme

FIELDS = ("name", "email", "role", "team")


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonRecord:
    """A person as `person list` shows them (docs/design.md §3)."""

    name: str
    email: str | None
    role: str | None
    team: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnedAction:
    """One action a person owns, as `person show` lists it."""

    plan: str
    ref: str
    title: str
    status: Status
    due: dt.date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LedTheme:
    plan: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonDetail:
    """`person show`: who they are, the actions they own, what they lead."""

    name: str
    email: str | None
    role: str | None
    team: str | None
    actions: list[OwnedAction]
    themes: list[LedTheme]
    plans: list[str]


def _record(person: Person) -> PersonRecord:
    return PersonRecord(name=person.name, email=person.email, role=person.role, team=person.team)


def _refuse_taken(session: Session, name: str, but: Person | None = None) -> None:
    """Names are unique in any case and spacing: "tom  OKAFOR" is Tom Okafor."""
    found = named(session, Person, name)
    if found is not None and found is not but:
        raise Conflict(f'a person named "{found.name}" already exists', "names are unique")


def add_person(
    app: App,
    *,
    name: str,
    email: str | None = None,
    role: str | None = None,
    team: str | None = None,
) -> PersonRecord:
    """A new person; names are unique in the database (any case and spacing)."""
    name = inputs.name(name, "the person's name")
    email = inputs.email(email)
    role = inputs.optional_name(role, "the role")
    team = inputs.optional_name(team, "the team")
    with app.write() as session:
        access.require_people_admin(app, session, "add people")
        _refuse_taken(session, name)
        person = Person(name=name, email=email, role=role, team=team)
        session.add(person)
        audit.record_created(
            session, actor=app.user, plan_id=None, entity="person", obj=person, fields=FIELDS
        )
        return _record(person)


def list_people(app: App) -> list[PersonRecord]:
    """Everyone, by name."""
    with app.read() as session:
        return [_record(p) for p in session.exec(select(Person).order_by(Person.name)).all()]


def _asked(
    name: str, new_name: str | None, email: str | None, role: str | None, team: str | None
) -> dict[str, str | None]:
    """The columns to set, checked: an empty string clears email, role or team."""
    if all(v is None for v in (new_name, email, role, team)):
        raise ImproveplanError(
            f'nothing to change for "{name}"', "give --name, --email, --role or --team"
        )
    asked: dict[str, str | None] = {}
    if new_name is not None:
        asked["name"] = inputs.name(new_name, "the person's name")
    if email is not None:
        asked["email"] = inputs.email(email)
    if role is not None:
        asked["role"] = inputs.optional_name(role, "the role")
    if team is not None:
        asked["team"] = inputs.optional_name(team, "the team")
    return asked


def update_person(
    app: App,
    *,
    name: str,
    new_name: str | None = None,
    email: str | None = None,
    role: str | None = None,
    team: str | None = None,
) -> Updated:
    """Correct a person's name, email, role or team, each change audited."""
    name = inputs.key(name, "the person's name")
    asked = _asked(name, new_name, email, role, team)
    with app.write() as session:
        access.require_people_admin(app, session, "correct people")
        person = find_person(session, name)
        if "name" in asked:
            _refuse_taken(session, str(asked["name"]), but=person)
        changes = audit.apply(
            session, actor=app.user, plan_id=None, entity="person", obj=person, updates=asked
        )
        return updated(person.name, changes)


def show_person(app: App, *, name: str) -> PersonDetail:
    """A person, the actions they own and what they lead: in `--plan`, or in every plan."""
    name = inputs.key(name, "the person's name")
    with app.read() as session:
        person = find_person(session, name)
        only = [col(Plan.id) == app.plan(session).id] if app.plan_name else []
        readable = access.readable_plans(app, session)
        if readable is not None:  # with grants, only the plans the doer has a role in
            only.append(col(Plan.id).in_(readable))
        actions = session.execute(
            select(col(Plan.name), col(Action.ref), col(Action.title))
            .add_columns(col(Action.status), col(Action.due))
            .join(Plan, col(Plan.id) == col(Action.plan_id))
            .where(col(Action.owner_id) == person.id, *only)
            .order_by(col(Plan.name), col(Action.due), col(Action.seq), col(Action.ref))
        ).all()
        themes = session.execute(
            select(col(Plan.name), col(Theme.name))
            .join(Plan, col(Plan.id) == col(Theme.plan_id))
            .where(col(Theme.lead_id) == person.id, *only)
            .order_by(col(Plan.name), col(Theme.name))
        ).all()
        plans = session.exec(
            select(Plan.name).where(col(Plan.lead_id) == person.id, *only).order_by(Plan.name)
        ).all()
        return PersonDetail(
            name=person.name,
            email=person.email,
            role=person.role,
            team=person.team,
            actions=[
                OwnedAction(plan=p, ref=r, title=t, status=s, due=d) for p, r, t, s, d in actions
            ],
            themes=[LedTheme(plan=p, name=t) for p, t in themes],
            plans=list(plans),
        )
