"""People: owners of actions, theme leads, recipients of reminders."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from improveplan.errors import Conflict
from improveplan.services import audit, inputs
from improveplan.services.context import App
from improveplan.services.lookups import same
from improveplan.store.models import Person

FIELDS = ("name", "email", "role", "team")


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonRecord:
    """A person as `person list` shows them (docs/design.md §3)."""

    name: str
    email: str | None
    role: str | None
    team: str | None


def _record(person: Person) -> PersonRecord:
    return PersonRecord(name=person.name, email=person.email, role=person.role, team=person.team)


def add_person(
    app: App,
    *,
    name: str,
    email: str | None = None,
    role: str | None = None,
    team: str | None = None,
) -> PersonRecord:
    """A new person; names are unique in the database (any case)."""
    name = inputs.name(name, "the person's name")
    email = inputs.email(email)
    role = inputs.optional_name(role, "the role")
    team = inputs.optional_name(team, "the team")
    with app.write() as session:
        taken = session.exec(select(Person).where(same(Person.name, name))).first()
        if taken is not None:
            raise Conflict(f'a person named "{taken.name}" already exists', "names are unique")
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
