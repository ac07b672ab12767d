"""People: owners of actions, theme leads, recipients of reminders."""

from __future__ import annotations

from typing import Any

from sqlmodel import func, select

from improveplan.errors import Conflict
from improveplan.services import audit
from improveplan.services.context import App
from improveplan.store.models import Person

FIELDS = ("name", "email", "role", "team")


def _row(person: Person) -> dict[str, Any]:
    return {name: getattr(person, name) for name in FIELDS}


def add_person(
    app: App,
    *,
    name: str,
    email: str | None = None,
    role: str | None = None,
    team: str | None = None,
) -> dict[str, Any]:
    with app.write() as session:
        taken = session.exec(select(Person).where(func.lower(Person.name) == name.lower())).first()
        if taken is not None:
            raise Conflict(f'a person named "{taken.name}" already exists', "names are unique")
        person = Person(name=name, email=email, role=role, team=team)
        session.add(person)
        audit.record_created(
            session, actor=app.user, plan_id=None, entity="person", obj=person, fields=FIELDS
        )
        return _row(person)


def list_people(app: App) -> list[dict[str, Any]]:
    with app.read() as session:
        return [_row(p) for p in session.exec(select(Person).order_by(Person.name)).all()]
