"""Who the tool takes you to be, and whether you may do what you asked (docs/design.md §5).

The identity is resolved once per command, when the database is first opened: the OS
login on SQLite (or `--user`), the database login (`session_user`) on PostgreSQL, mapped
to a person by `person.login`. A database with no grants at all is not checked, so a
single-user plan works exactly as it did before roles existed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import text
from sqlmodel import Session, col, select

from improveplan.domain.access import Grant, Need, Rights, acting_label, describe, who_may
from improveplan.domain.inputs import folded
from improveplan.domain.vocab import Role
from improveplan.errors import NotAllowed
from improveplan.store.models import AccessGrant, Action, AuditEvent, Person, Plan, Theme

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL


class App(Protocol):
    """What of services.context.App these checks read: described here rather than
    imported, since the context calls into this module (services import without cycles)."""

    login: str
    user: str
    asked_user: str | None
    need: Need | None
    doing: str
    identity: Identity | None

    @property
    def url(self) -> URL: ...


SIGNOFF_TODO = "sign-off must come from its theme lead or a plan admin"


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """Who is acting. `person` is whose roles apply; `acting_for` whom an admin acts for."""

    login: str  # the OS login on SQLite, session_user on PostgreSQL
    dba: bool  # may always grant: a superuser or the database's owner, or the file's owner
    checked: bool  # the database holds grants, so access is checked
    actor: str  # what the audit trail records
    server: bool = False  # PostgreSQL, where the login is the database's own
    person_id: int | None = None
    person: str | None = None
    acting_for_id: int | None = None
    acting_for: str | None = None
    _rights: dict[int, Rights] = field(default_factory=dict, compare=False, repr=False)

    @property
    def me_id(self) -> int | None:
        """The person whose actions are "mine": the one acted for, else the doer."""
        return self.acting_for_id if self.acting_for_id is not None else self.person_id

    @property
    def me(self) -> str:
        return self.acting_for or self.person or self.login

    @property
    def doer(self) -> str:
        """Who a refusal names: the person whose roles were checked, else the login."""
        return self.person or f"login {self.login}"


def resolve(app: App, session: Session) -> Identity:
    """The identity for this command; refuses `--user` on PostgreSQL unless allowed."""
    postgres = session.get_bind().dialect.name == "postgresql"
    login = _session_login(session) if postgres else app.login
    checked = session.exec(select(AccessGrant.id).limit(1)).first() is not None
    dba = _is_dba(session, app) if checked else False
    if not postgres:
        person = _named(session, app.user) or _mapped(session, login)
        return _identity(login, dba, checked, app.user, person, server=False)
    mapped = _mapped(session, login)
    asked = app.asked_user
    if not checked:
        return _identity(login, dba, checked, app.user, _named(session, app.user), server=True)
    own = mapped.name if mapped else login
    if asked is None or folded(asked) == folded(own):
        return _identity(login, dba, checked, own, mapped, server=True)
    if not (dba or (mapped is not None and _admin_somewhere(session, mapped))):
        raise NotAllowed(
            f"--user {asked} is refused: login {login} acts only as {own}",
            "drop --user and IMPROVEPLAN_USER; only a plan admin may act for someone",
        )
    from improveplan.services.lookups import find_person

    target = find_person(session, asked, "the person acted for (--user)")
    return Identity(
        login=login, dba=dba, checked=True, actor=acting_label(own, target.name), server=True,
        person_id=mapped.id if mapped else None, person=mapped.name if mapped else None,
        acting_for_id=target.id, acting_for=target.name,
    )  # fmt: skip


def _session_login(session: Session) -> str:
    return str(session.connection().exec_driver_sql("SELECT session_user").scalar_one())


def _identity(
    login: str, dba: bool, checked: bool, actor: str, person: Person | None, *, server: bool
) -> Identity:
    return Identity(
        login=login, dba=dba, checked=checked, actor=actor, server=server,
        person_id=person.id if person else None, person=person.name if person else None,
    )  # fmt: skip


def _named(session: Session, name: str) -> Person | None:
    from improveplan.services.lookups import named

    return named(session, Person, name)


def _mapped(session: Session, login: str) -> Person | None:
    return session.exec(select(Person).where(col(Person.login) == login)).first()


def _admin_somewhere(session: Session, person: Person) -> bool:
    query = select(AccessGrant.id).where(
        col(AccessGrant.person_id) == person.id, col(AccessGrant.role) == "admin"
    )
    return session.exec(query.limit(1)).first() is not None


def is_dba(app: App, session: Session) -> bool:
    """Whether the doer is the DBA, asked even when no grant exists yet (the first grant
    of a database, `whoami`): the identity skips the question while nothing is checked."""
    identity = app.identity
    if identity is not None and identity.checked:
        return identity.dba
    return _is_dba(session, app)


def _is_dba(session: Session, app: App) -> bool:
    """PostgreSQL: a superuser or a member of the database owner's role. SQLite: the OS
    user who owns the database file (who could rewrite it anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        query = text(
            "SELECT r.rolsuper OR pg_has_role(session_user, d.datdba, 'MEMBER') "
            "FROM pg_roles r, pg_database d "
            "WHERE r.rolname = session_user AND d.datname = current_database()"
        )
        return bool(session.exec(query).scalar())  # type: ignore[call-overload]
    from improveplan.store.engine import sqlite_path

    path = sqlite_path(app.url)
    try:
        return path is not None and path.stat().st_uid == os.geteuid()
    except OSError:
        return False


def rights_in(identity: Identity, session: Session, plan_id: int) -> Rights:
    """The doer's rights in one plan, read once per command."""
    cached = identity._rights.get(plan_id)
    if cached is not None:
        return cached
    grants: list[Grant] = []
    if identity.person_id is not None:
        rows = session.exec(
            select(AccessGrant.role, AccessGrant.theme_id).where(
                col(AccessGrant.plan_id) == plan_id,
                col(AccessGrant.person_id) == identity.person_id,
            )
        ).all()
        grants = [Grant(Role(role), theme) for role, theme in rows]
    # A PostgreSQL DBA bypasses row-level security anyway, so the tool treats them as an
    # admin everywhere; the owner of a SQLite file only grants, and acts as their person.
    rights = Rights.of(grants, dba=identity.dba and identity.server)
    identity._rights[plan_id] = rights
    return rights


def enter_plan(app: App, session: Session, plan: Plan) -> None:
    """Refuse a command whose need the doer's roles in this plan do not meet."""
    identity = app.identity
    if identity is None or not identity.checked or plan.id is None:
        return
    rights = rights_in(identity, session, plan.id)
    need = app.need or Need.admin  # a command that declares nothing needs an admin
    if rights.allows(need):
        return
    if not rights.reads():
        raise NotAllowed(f"{identity.doer} has no role in plan {plan.name}", who_may(Need.read))
    raise NotAllowed(
        f"{identity.doer} is {describe(rights)} of plan {plan.name} and may not {app.doing}",
        who_may(need),
    )


def check_action(
    app: App, session: Session, action: Action, *, need: Need, doing: str | None = None
) -> None:
    """Refuse a change to this action the doer may not make (owner, theme lead, admin).
    `doing` names the change when it is narrower than the command ("reassign")."""
    identity = app.identity
    if identity is None or not identity.checked:
        return
    rights = rights_in(identity, session, action.plan_id)
    owns = action.owner_id is not None and action.owner_id == identity.person_id
    if need is Need.own_action and rights.changes(owns=owns, theme_id=action.theme_id):
        return
    if need is not Need.own_action and rights.leads(action.theme_id):
        return
    what = f"{doing} action {action.ref}" if doing else f"{app.doing} on action {action.ref}"
    raise NotAllowed(f"{identity.doer} may not {what}", who_may(need))


def check_theme(
    app: App, session: Session, plan: Plan, theme: Theme | None, *, doing: str | None = None
) -> None:
    """Refuse putting an action in a theme the doer does not lead (`action add`, a move):
    its lead or an admin may; an action in no theme is an admin's."""
    identity = app.identity
    if identity is None or not identity.checked or plan.id is None:
        return
    if rights_in(identity, session, plan.id).leads(theme.id if theme else None):
        return
    where = f'in theme "{theme.name}"' if theme else "with no theme"
    todo = who_may(Need.theme_action) if theme else who_may(Need.admin)
    raise NotAllowed(f"{identity.doer} may not {doing or app.doing} {where}", todo)


def _dba_todo(identity: Identity, *, or_admin: bool = False) -> str:
    """Who can do what needs the DBA (`or_admin`: or an admin of some plan)."""
    dba = "the database administrator" if identity.server else "the database file's owner"
    if or_admin:
        return f"{dba} or a plan admin can"
    return f"{dba} can (a superuser or the database's owner)" if identity.server else f"{dba} can"


def require_dba(app: App, what: str) -> None:
    """Refuse a database-wide command (a new plan, an upgrade, a backup) to all but the
    DBA once the database holds grants."""
    identity = app.identity
    if identity is None or not identity.checked or identity.dba:
        return
    raise NotAllowed(f"{identity.doer} may not {what}", _dba_todo(identity))


def require_people_admin(app: App, session: Session, what: str) -> None:
    """People belong to no plan: the DBA or an admin of some plan adds and corrects them."""
    identity = app.identity
    if identity is None or not identity.checked or identity.dba:
        return
    person = session.get(Person, identity.person_id) if identity.person_id is not None else None
    if person is not None and _admin_somewhere(session, person):
        return
    raise NotAllowed(f"{identity.doer} may not {what}", _dba_todo(identity, or_admin=True))


def readable_plans(app: App, session: Session) -> list[int] | None:
    """The ids of the plans the doer has a role in; None when every plan is theirs (no
    grants, or a PostgreSQL DBA)."""
    identity = app.identity
    if identity is None or not identity.checked or (identity.server and identity.dba):
        return None
    if identity.person_id is None:
        return []
    query = select(AccessGrant.plan_id).where(col(AccessGrant.person_id) == identity.person_id)
    return sorted(set(session.exec(query).all()))


def require_dba_to_upgrade(app: App, engine: Engine) -> None:
    """`db upgrade` runs before the schema is current, so the identity is not resolved:
    with grants in the database (revision 0005 on), only the DBA upgrades."""
    from sqlalchemy import inspect

    if not inspect(engine).has_table("access_grant"):
        return
    with Session(engine) as session:
        if session.exec(select(AccessGrant.id).limit(1)).first() is None:
            return
        postgres = engine.dialect.name == "postgresql"
        if _is_dba(session, app):
            return
        login = _session_login(session) if postgres else app.login
    identity = Identity(login=login, dba=False, checked=True, actor=login, server=postgres)
    raise NotAllowed(f"login {login} may not upgrade the database", _dba_todo(identity))


def check_signoff(app: App, session: Session, plan: Plan, action: Action) -> None:
    """Sign-off comes from someone other than the action's owner and its completer."""
    check_action(app, session, action, need=Need.theme_action)
    identity = app.identity
    if identity is None or not identity.checked or plan.allow_self_signoff:
        return
    completer = completed_by(session, action)
    if completer is not None and folded(completer) == folded(identity.me):
        raise NotAllowed(f"{completer} completed action {action.ref}", SIGNOFF_TODO)
    if action.owner_id is not None and action.owner_id == identity.me_id:
        raise NotAllowed(f"{identity.me} owns action {action.ref}", SIGNOFF_TODO)


def completed_by(session: Session, action: Action) -> str | None:
    """Who last marked the action complete: the person acted for, if an admin did it."""
    actor = session.exec(
        select(AuditEvent.actor)
        .where(
            col(AuditEvent.entity) == "action",
            col(AuditEvent.entity_id) == action.id,
            col(AuditEvent.field) == "status",
            col(AuditEvent.new_value) == "complete",
        )
        .order_by(col(AuditEvent.id).desc())
        .limit(1)
    ).first()
    if actor is None:
        return None
    return actor.rpartition(" acting for ")[2]
