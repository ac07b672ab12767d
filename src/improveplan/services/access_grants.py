"""Granting and revoking roles, listing them, and `whoami` (docs/design.md §5).

The DBA (a PostgreSQL superuser or the database's owner, the SQLite file's owner) may
always grant, so the first admin of a plan is granted that way; from then on the plan's
admins grant. A plan is never left without an admin unless the DBA does it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select as sql_select
from sqlmodel import Session, col, func, select

from improveplan.domain.access import describe
from improveplan.domain.vocab import Role
from improveplan.errors import ImproveplanError, NotAllowed, NotFound
from improveplan.services import audit, inputs, lookups
from improveplan.services.access import Identity, is_dba, rights_in
from improveplan.services.context import App
from improveplan.store.models import AccessGrant, Person, Plan, Theme

ENTITY = "access_grant"
WHO_GRANTS = "the database administrator or a plan admin can (improveplan access list)"
RANK = {Role.admin: 0, Role.lead: 1, Role.manager: 2, Role.viewer: 3}  # listing order


@dataclass(frozen=True, slots=True, kw_only=True)
class GrantRecord:
    """One role of one person in one plan, as `access list` shows it."""

    person: str
    login: str | None
    role: Role
    theme: str | None
    plan: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Granted:
    """What `access grant` or `access revoke` did: the roles it named, or none (already
    held)."""

    person: str
    plan: str
    roles: list[str]  # "manager", "lead of theme Front door"
    changed: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanRole:
    plan: str
    role: Role
    theme: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class WhoAmI:
    """Who the tool takes you to be (`whoami`)."""

    login: str
    database: str  # sqlite or postgresql
    checked: bool
    person: str | None
    acting_for: str | None
    actor: str
    dba: bool
    roles: list[PlanRole]


def spoken_role(role: Role, theme: str | None) -> str:
    return f"lead of theme {theme}" if role is Role.lead and theme else role.value


def pick_plan(app: App, session: Session, name: str | None) -> Plan:
    """`--plan` of the access command, else the global one, else the only plan; no role
    check here: each command checks its own."""
    name = name or app.plan_name
    if name:
        return lookups.find_plan(session, name)
    count = session.exec(select(func.count()).select_from(Plan)).one()
    if count == 0:
        raise NotFound(
            "no plan in the database", "create one with improveplan plan add NAME --authority TEXT"
        )
    if count > 1:
        raise ImproveplanError(
            f"{count} plans in the database", "choose one with --plan NAME or IMPROVEPLAN_PLAN"
        )
    return session.exec(select(Plan)).one()


def _identity(app: App) -> Identity:
    assert app.identity is not None  # settled when the database was opened
    return app.identity


def refuse_unless_grantor(app: App, session: Session, plan: Plan, doing: str) -> bool:
    """Refuse a doer who is neither the DBA nor an admin of the plan; returns dba."""
    identity = _identity(app)
    if is_dba(app, session):
        return True
    assert plan.id is not None
    if identity.checked:
        rights = rights_in(identity, session, plan.id)
        if rights.is_admin:
            return False
        held = f"is {describe(rights)} of" if rights.reads() else "has no role in"
        raise NotAllowed(f"{identity.doer} {held} plan {plan.name} and may not {doing}", WHO_GRANTS)
    raise NotAllowed(
        f"login {identity.login} is not the database administrator and may not {doing}",
        "the first role of a database is granted by the database administrator "
        "(a superuser or the database's owner; on SQLite the file's owner)",
    )


def _role_theme(
    session: Session, plan: Plan, role: Role | None, theme: str | None, *, granting: bool
) -> Theme | None:
    """A lead's grant names one theme of the plan; no other role takes one."""
    assert plan.id is not None
    if theme is None:
        if granting and role is Role.lead:
            raise ImproveplanError(
                "a lead's grant names the theme they lead",
                "give --theme THEME (repeat the command for each theme)",
            )
        return None
    if role is not None and role is not Role.lead:
        raise ImproveplanError(
            f"--theme is for a lead, not a {role.value}", "drop --theme, or grant lead"
        )
    return lookups.find_theme(session, plan.id, theme)


def grant(app: App, *, person: str, role: Role, plan: str | None, theme: str | None) -> Granted:
    """Give PERSON a role in the plan; granting what they hold already writes nothing."""
    person = inputs.key(person, "the person's name")
    with app.write() as session:
        found = pick_plan(app, session, plan)
        assert found.id is not None
        refuse_unless_grantor(app, session, found, "grant roles")
        who = lookups.find_person(session, person)
        led = _role_theme(session, found, role, theme, granting=True)
        spoken = spoken_role(role, led.name if led else None)
        if _held(session, found, who, role, led, exact=True):
            return Granted(person=who.name, plan=found.name, roles=[spoken], changed=False)
        assert who.id is not None
        row = AccessGrant(
            plan_id=found.id, person_id=who.id, role=role, theme_id=led.id if led else None
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        fields = {"person": who.name, "role": role.value, "theme": led.name if led else None}
        audit.record_creations(
            session, actor=app.user, plan_id=found.id, entity=ENTITY, created=[(row.id, fields)]
        )
        return Granted(person=who.name, plan=found.name, roles=[spoken], changed=True)


def revoke(
    app: App, *, person: str, role: Role | None, plan: str | None, theme: str | None
) -> Granted:
    """Take away PERSON's matching roles in the plan (no ROLE: all of them)."""
    person = inputs.key(person, "the person's name")
    with app.write() as session:
        found = pick_plan(app, session, plan)
        dba = refuse_unless_grantor(app, session, found, "revoke roles")
        who = lookups.find_person(session, person)
        led = _role_theme(session, found, role, theme, granting=False)
        held = _held(session, found, who, role, led)
        if not held:
            what = (
                f"is not {spoken_role(role, led.name if led else None)}"
                if role
                else "holds no role"
            )
            raise NotFound(f"{who.name} {what} in plan {found.name}", "see improveplan access list")
        if not dba:
            _refuse_last_admin(session, found, who, held)
        for row, theme_name in held:
            assert row.id is not None
            audit.record(
                session, actor=app.user, plan_id=found.id, entity=ENTITY, entity_id=row.id,
                changes={"person": (who.name, None), "role": (row.role.value, None),
                         "theme": (theme_name, None)},
            )  # fmt: skip
            session.delete(row)
        session.flush()
        roles = [spoken_role(row.role, name) for row, name in held]
        return Granted(person=who.name, plan=found.name, roles=roles, changed=True)


def forget_grants(app: App, session: Session, who: Person) -> None:
    """Take every role of a person being removed away, audited in each plan's chain; a
    plan's last admin goes only by the DBA's hand, as with `access revoke`."""
    plans = session.exec(
        select(Plan).join(AccessGrant, col(AccessGrant.plan_id) == col(Plan.id))
        .where(col(AccessGrant.person_id) == who.id).distinct()
    ).all()  # fmt: skip
    for plan in plans:
        held = _held(session, plan, who, None, None)
        if not _identity(app).dba:
            _refuse_last_admin(session, plan, who, held)
        for row, theme_name in held:
            assert row.id is not None
            audit.record(
                session, actor=app.user, plan_id=plan.id, entity=ENTITY, entity_id=row.id,
                changes={"person": (who.name, None), "role": (row.role.value, None),
                         "theme": (theme_name, None)},
            )  # fmt: skip
            session.delete(row)
    session.flush()


def _held(
    session: Session,
    plan: Plan,
    who: Person,
    role: Role | None,
    led: Theme | None,
    *,
    exact: bool = False,
) -> list[tuple[AccessGrant, str | None]]:
    """The person's grants in the plan matching ROLE and --theme, with theme names
    (`exact`: no theme given means a grant of no theme)."""
    query = (
        select(AccessGrant, Theme.name)
        .join(Theme, col(Theme.id) == col(AccessGrant.theme_id), isouter=True)
        .where(col(AccessGrant.plan_id) == plan.id, col(AccessGrant.person_id) == who.id)
    )
    if role is not None:
        query = query.where(col(AccessGrant.role) == role)
    if led is not None:
        query = query.where(col(AccessGrant.theme_id) == led.id)
    elif exact:
        query = query.where(col(AccessGrant.theme_id).is_(None))
    rows = session.exec(query).all()
    return sorted(rows, key=lambda r: (RANK[r[0].role], r[1] or ""))


def _refuse_last_admin(
    session: Session, plan: Plan, who: Person, held: Sequence[tuple[AccessGrant, str | None]]
) -> None:
    """A plan keeps at least one admin: only the DBA may lock its admins out."""
    if not any(row.role is Role.admin for row, _ in held):
        return
    others = session.exec(
        select(func.count())
        .select_from(AccessGrant)
        .where(
            col(AccessGrant.plan_id) == plan.id,
            col(AccessGrant.role) == Role.admin,
            col(AccessGrant.person_id) != who.id,
        )
    ).one()
    if not others:
        raise NotAllowed(
            f"{who.name} is the last admin of plan {plan.name}",
            "grant another admin first; only the database administrator may leave a plan "
            "without one",
        )


def list_grants(app: App, *, plan: str | None, every: bool) -> list[GrantRecord]:
    """Who holds which role: in one plan, or (`--all`) in every plan the doer may read."""
    with app.read() as session:
        plans = _readable(app, session) if every else [pick_plan(app, session, plan)]
        if not every:
            _refuse_unless_reader(app, session, plans[0])
        ids = [p.id for p in plans]
        rows = session.execute(
            sql_select(
                col(Person.name),
                col(Person.login),
                col(AccessGrant.role),
                col(Theme.name),
                col(Plan.name),
            )
            .select_from(AccessGrant)
            .join(Person, col(Person.id) == col(AccessGrant.person_id))
            .join(Plan, col(Plan.id) == col(AccessGrant.plan_id))
            .join(Theme, col(Theme.id) == col(AccessGrant.theme_id), isouter=True)
            .where(col(AccessGrant.plan_id).in_(ids or [-1]))
        ).all()
        found = [
            GrantRecord(person=p, login=lg, role=Role(r), theme=t, plan=pl)
            for p, lg, r, t, pl in rows
        ]
        return sorted(found, key=lambda g: (g.plan, RANK[g.role], g.person, g.theme or ""))


def _refuse_unless_reader(app: App, session: Session, plan: Plan) -> None:
    identity = _identity(app)
    if not identity.checked or is_dba(app, session):
        return
    assert plan.id is not None
    if not rights_in(identity, session, plan.id).reads():
        raise NotAllowed(
            f"{identity.doer} has no role in plan {plan.name}",
            "a plan admin can grant a role (improveplan access grant)",
        )


def _readable(app: App, session: Session) -> list[Plan]:
    """The plans whose grants the doer may see: all for the DBA or with no grants."""
    identity = _identity(app)
    plans = list(session.exec(select(Plan).order_by(Plan.name)).all())
    if not identity.checked or is_dba(app, session):
        return plans
    return [p for p in plans if p.id is not None and rights_in(identity, session, p.id).reads()]


def whoami(app: App) -> WhoAmI:
    """The login, the person whose roles apply, whom an admin acts for, and their roles."""
    with app.read() as session:
        identity = _identity(app)
        roles: list[PlanRole] = []
        if identity.person_id is not None:
            rows = session.exec(
                select(Plan.name, AccessGrant.role, Theme.name)
                .join(Plan, col(Plan.id) == col(AccessGrant.plan_id))
                .join(Theme, col(Theme.id) == col(AccessGrant.theme_id), isouter=True)
                .where(col(AccessGrant.person_id) == identity.person_id)
            ).all()
            roles = [PlanRole(plan=p, role=Role(r), theme=t) for p, r, t in rows]
            roles.sort(key=lambda x: (x.plan, RANK[x.role], x.theme or ""))
        return WhoAmI(
            login=identity.login,
            database="postgresql" if identity.server else "sqlite",
            checked=identity.checked,
            person=identity.person,
            acting_for=identity.acting_for,
            actor=identity.actor,
            dba=is_dba(app, session),
            roles=roles,
        )
