"""People: owners of actions, theme and plan leads, recipients of reminders.

A person belongs to the database, not to one plan, so `person show` lists what they hold
in every plan (or in `--plan` alone). Their removal is in services/person_removal.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from improveplan.domain.vocab import Status
from improveplan.errors import Conflict, ImproveplanError, NotAllowed
from improveplan.serialize import json_field
from improveplan.services import access, audit, inputs
from improveplan.services.access import is_dba, rights_in
from improveplan.services.context import App
from improveplan.services.edits import Updated, updated
from improveplan.services.lookups import find_person, named
from improveplan.store.models import AccessGrant, Action, Person, Plan, Theme

FIELDS = ("name", "email", "role", "team", "login")
LOGIN_BYTES = 63  # PostgreSQL's longest role name (NAMEDATALEN - 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonRecord:
    """A person as `person list` shows them (docs/design.md §3)."""

    name: str
    email: str | None
    role: str | None
    team: str | None
    # the PostgreSQL login that acts as them; absent from the JSON while there is none
    login: str | None = json_field(default=None, omit_none=True)


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
    login: str | None = json_field(default=None, omit_none=True)


def _record(person: Person) -> PersonRecord:
    return PersonRecord(
        name=person.name, email=person.email, role=person.role, team=person.team,
        login=person.login,
    )  # fmt: skip


def clean_login(value: str) -> str | None:
    """A PostgreSQL role name: one line, no control characters, at most 63 bytes;
    "" or `none` clears it (PostgreSQL reserves the role name "none")."""
    login = value.strip()
    if login == "" or login.lower() == "none":
        return None
    login = inputs.name(login, "the login", length=LOGIN_BYTES)
    size = len(login.encode("utf-8"))
    if size > LOGIN_BYTES:
        raise ImproveplanError(
            f"the login can be at most {LOGIN_BYTES} bytes in UTF-8 (this one has {size})",
            "shorten it: PostgreSQL cuts longer role names",
        )
    return login


def _refuse_login_taken(session: Session, login: str | None, but: Person | None = None) -> None:
    """A login acts as one person."""
    if login is None:
        return
    found = session.exec(select(Person).where(col(Person.login) == login)).first()
    if found is not None and found is not but:
        raise Conflict(
            f"login {login} already acts as {found.name}",
            f'clear it there first: improveplan person update "{found.name}" --login ""',
        )


def refuse_login_change(app: App, session: Session, person: Person | None) -> None:
    """With grants, a login is mapped by the DBA or by an admin of every plan the person
    holds a role in: an admin of one council cannot take over another's admin."""
    identity = app.identity
    if identity is None or not identity.checked or is_dba(app, session):
        return
    plans = [] if person is None else session.exec(
        select(Plan).join(AccessGrant, col(AccessGrant.plan_id) == col(Plan.id))
        .where(col(AccessGrant.person_id) == person.id).distinct().order_by(Plan.name)
    ).all()  # fmt: skip
    admin_somewhere = session.exec(
        select(AccessGrant.id).where(
            col(AccessGrant.person_id) == identity.person_id, col(AccessGrant.role) == "admin"
        )
    ).first()
    outside = [
        p.name for p in plans if p.id is None or not rights_in(identity, session, p.id).is_admin
    ]
    if admin_somewhere is not None and not outside:
        return
    whose = f"{person.name}'s login" if person is not None else "a login"
    where = f" (they hold a role in plan {', '.join(outside)})" if outside else ""
    raise NotAllowed(
        f"{identity.doer} may not set {whose}{where}",
        "the database administrator or an admin of every plan they hold a role in can",
    )


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
    login: str | None = None,
) -> PersonRecord:
    """A new person; names are unique in the database (any case and spacing), and so
    are logins."""
    name = inputs.name(name, "the person's name")
    email = inputs.email(email)
    role = inputs.optional_name(role, "the role")
    team = inputs.optional_name(team, "the team")
    mapped = clean_login(login) if login is not None else None
    with app.write() as session:
        access.require_people_admin(app, session, "add people")
        _refuse_taken(session, name)
        if mapped is not None:
            refuse_login_change(app, session, None)
            _refuse_login_taken(session, mapped)
        person = Person(name=name, email=email, role=role, team=team, login=mapped)
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
    name: str,
    new_name: str | None,
    email: str | None,
    role: str | None,
    team: str | None,
    login: str | None = None,
) -> dict[str, str | None]:
    """The columns to set, checked: an empty string clears email, role, team or login."""
    if all(v is None for v in (new_name, email, role, team, login)):
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
    if login is not None:
        asked["login"] = clean_login(login)
    return asked


def update_person(
    app: App,
    *,
    name: str,
    new_name: str | None = None,
    email: str | None = None,
    role: str | None = None,
    team: str | None = None,
    login: str | None = None,
) -> Updated:
    """Correct a person's name, email, role, team or login, each change audited."""
    name = inputs.key(name, "the person's name")
    asked = _asked(name, new_name, email, role, team, login)
    with app.write() as session:
        access.require_people_admin(app, session, "correct people")
        person = find_person(session, name)
        if "name" in asked:
            _refuse_taken(session, str(asked["name"]), but=person)
        if "login" in asked and asked["login"] != person.login:
            refuse_login_change(app, session, person)
            _refuse_login_taken(session, asked["login"], but=person)
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
            login=person.login,
        )
