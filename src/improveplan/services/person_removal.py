"""`person remove`: someone who has left the council.

Their actions cannot be left without an owner, so while they own any the removal is
refused unless `--reassign-to` names who takes them over; each action then moves as
`action update --owner` would move it (version bumped, the owner change audited on the
action). The themes and plans they lead pass to that successor too — the person taking
over someone's work takes over what they led — and without a successor those leads are
cleared, so escalations go to the plan lead until someone is named. Every change is
audited, the person's own fields last, from their values to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import update
from sqlmodel import Session, col, select

from improveplan.errors import Conflict, ImproveplanError
from improveplan.services import access, audit, inputs
from improveplan.services.access_grants import forget_grants
from improveplan.services.context import App
from improveplan.services.lookups import find_person
from improveplan.store.models import Action, Person, Plan, Theme

FIELDS = ("name", "email", "role", "team")


@dataclass(frozen=True, slots=True, kw_only=True)
class LeadPassed:
    """A theme or plan the removed person led, and who leads it now (None: nobody)."""

    kind: str  # "theme" or "plan"
    plan: str
    name: str
    lead: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonRemoved:
    name: str
    reassigned_to: str | None
    actions_moved: int
    leads: list[LeadPassed] = field(default_factory=list)


def remove_person(app: App, *, name: str, reassign_to: str | None = None) -> PersonRemoved:
    """Remove a person; their actions and leads move to `reassign_to` (see the module)."""
    name = inputs.key(name, "the person's name")
    with app.write() as session:
        access.require_people_admin(app, session, "remove people")
        person = find_person(session, name)
        successor = None
        if reassign_to is not None:
            successor = find_person(session, reassign_to, "the name to reassign to")
            if successor is person:
                raise ImproveplanError(
                    f"{person.name} cannot take over from themselves",
                    "give --reassign-to the person who takes over",
                )
        moved = _move_actions(session, app, person, successor)
        leads = _pass_leads(session, app, person, successor)
        forget_grants(app, session, person)
        _forget(session, app, person)
        return PersonRemoved(
            name=person.name,
            reassigned_to=successor.name if successor else None,
            actions_moved=moved,
            leads=leads,
        )


def _move_actions(session: Session, app: App, person: Person, successor: Person | None) -> int:
    """Every action they own to the successor, audited on each action; refused without one."""
    owned = session.execute(
        select(col(Action.id), col(Action.plan_id))
        .where(col(Action.owner_id) == person.id)
        .with_for_update()
        .order_by(col(Action.plan_id), col(Action.seq), col(Action.id))
    ).all()
    if not owned:
        return 0
    if successor is None:
        count = len(owned)
        raise Conflict(
            f"{person.name} owns {count} action{'s' if count != 1 else ''}",
            "give --reassign-to PERSON to move them to who takes over "
            f'(improveplan person show "{person.name}" lists them)',
        )
    now = app.now()
    session.connection().execute(
        update(Action)
        .where(col(Action.owner_id) == person.id)
        .values(owner_id=successor.id, version=Action.version + 1, updated_at=now)
    )
    for action_id, plan_id in owned:
        audit.record(
            session, actor=app.user, plan_id=plan_id, entity="action", entity_id=action_id,
            changes={"owner": (person.name, successor.name)}, at=now,
        )  # fmt: skip
    return len(owned)


def _pass_leads(
    session: Session, app: App, person: Person, successor: Person | None
) -> list[LeadPassed]:
    """The themes and plans they lead, to the successor or to nobody, audited (`lead`)."""
    new_id, new_name = (successor.id, successor.name) if successor else (None, None)
    passed: list[LeadPassed] = []
    themes = session.execute(
        select(Theme, col(Plan.name))
        .join(Plan, col(Plan.id) == col(Theme.plan_id))
        .where(col(Theme.lead_id) == person.id)
        .order_by(col(Plan.name), col(Theme.name))
    ).all()
    for theme, plan_name in themes:
        _relead(session, app, theme, theme.plan_id, "theme", person.name, new_id, new_name)
        passed.append(LeadPassed(kind="theme", plan=plan_name, name=theme.name, lead=new_name))
    plans = session.exec(select(Plan).where(col(Plan.lead_id) == person.id).order_by(Plan.name))
    for plan in plans.all():
        assert plan.id is not None
        _relead(session, app, plan, plan.id, "plan", person.name, new_id, new_name)
        passed.append(LeadPassed(kind="plan", plan=plan.name, name=plan.name, lead=new_name))
    return passed


def _relead(
    session: Session,
    app: App,
    row: Theme | Plan,
    plan_id: int,
    entity: str,
    old: str,
    new_id: int | None,
    new: str | None,
) -> None:
    assert row.id is not None
    row.lead_id = new_id
    session.add(row)
    audit.record(
        session, actor=app.user, plan_id=plan_id, entity=entity, entity_id=row.id,
        changes={"lead": (old, new)},
    )  # fmt: skip


def _forget(session: Session, app: App, person: Person) -> None:
    """Delete the row; the trail keeps each field it had (database-wide, as added)."""
    assert person.id is not None
    audit.record(
        session,
        actor=app.user,
        plan_id=None,
        entity="person",
        entity_id=person.id,
        changes={name: (getattr(person, name), None) for name in FIELDS},
    )
    session.flush()
    session.delete(person)
    session.flush()
