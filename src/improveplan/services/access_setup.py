"""`access setup`: make a shared PostgreSQL database enforce who may do what itself.

The tool checks roles on every command (services/access.py), but a login with `psql`
bypasses the tool. This creates the group role `improveplan_member`, grants it the
tables (INSERT and SELECT only on the audit trail), and turns on row-level security with
policies keyed on plan membership (store/row_security.py). It is run by a DBA login and
is idempotent: a second run leaves the database as the first did, all in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from improveplan.errors import ImproveplanError, NotAllowed
from improveplan.services.context import App
from improveplan.store import row_security as rs

SQLITE_REFUSAL = ImproveplanError(
    "access setup is for a shared PostgreSQL database",
    "on SQLite whoever can write the file can change it; access grants are still checked "
    "by the tool",
)
WHO_MAY = "run it as a superuser, or as the owner of the database and its tables with CREATEROLE"


@dataclass(frozen=True, slots=True, kw_only=True)
class SetupReport:
    """What `access setup` did."""

    database: str
    group: str
    created_group: bool  # the group role did not exist before
    tables: int  # tables with row-level security
    policies: int
    members: list[str]  # logins given the group by --member


def setup(app: App, members: list[str]) -> SetupReport:
    """Group role, privileges, functions and policies, in one transaction."""
    engine = app.raw_engine()
    if engine.dialect.name != "postgresql":
        raise SQLITE_REFUSAL
    with engine.connect() as conn:  # before anything a non-member could not even read
        _refuse_non_dba(conn)
    app.engine()  # the schema is at head, and the identity settled
    quote = engine.dialect.identifier_preparer.quote
    with engine.begin() as conn:
        first, second = rs.SETUP_LOCK
        conn.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": first, "b": second})
        logins = [_existing_login(conn, name) for name in dict.fromkeys(members)]
        schema = quote(str(conn.execute(text("SELECT current_schema()")).scalar_one()))
        created = _ensure_group(conn)
        sequences = [str(s) for s in conn.exec_driver_sql(rs.sequence_query(schema)).scalars()]
        for sql in (
            *rs.privilege_statements(schema),
            *rs.sequence_statements(sequences),
            *rs.function_statements(schema),
            *rs.security_statements(schema),
            *(f"GRANT {rs.GROUP} TO {quote(login)}" for login in logins),
        ):
            conn.exec_driver_sql(sql)
    return SetupReport(
        database=app.shown_db,
        group=rs.GROUP,
        created_group=created,
        tables=len(rs.tables()),
        policies=len(rs.policies()),
        members=logins,
    )


def _refuse_non_dba(conn: Connection) -> None:
    """Only a superuser, or the owner of the database and of every improveplan table who
    may create roles, can set access up (ALTER TABLE needs the owner)."""
    row = conn.execute(
        text(
            "SELECT session_user, r.rolsuper, r.rolcreaterole "
            "AND pg_has_role(session_user, d.datdba, 'MEMBER') "
            "AND NOT EXISTS (SELECT 1 FROM pg_class c "
            "WHERE c.oid = ANY(CAST(:tables AS regclass[])) "
            "AND NOT pg_has_role(session_user, c.relowner, 'MEMBER')) "
            "FROM pg_roles r, pg_database d "
            "WHERE r.rolname = session_user AND d.datname = current_database()"
        ),
        {"tables": [*rs.tables(), rs.VERSIONS]},
    ).one()
    login, superuser, owner = row
    if not (superuser or owner):
        raise NotAllowed(f"login {login} may not set up access", WHO_MAY)


def _existing_login(conn: Connection, name: str) -> str:
    """A `--member` must name a login the server already has: setup creates no logins."""
    found = conn.execute(
        text("SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = :name"), {"name": name}
    ).first()
    if found is None or not found.rolcanlogin:
        what = "no login" if found is None else "a role that cannot log in"
        raise ImproveplanError(
            f"--member {name}: the server has {what} of that name",
            f"create it first (CREATE ROLE {name} LOGIN), or check the spelling",
        )
    return str(found.rolname)


def _ensure_group(conn: Connection) -> bool:
    """Create the group role when missing; True when this run created it."""
    exists = conn.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": rs.GROUP}
    ).first()
    if exists is not None:
        return False
    try:  # roles are the server's: a setup of another database may create it meanwhile
        with conn.begin_nested():
            conn.exec_driver_sql(f"CREATE ROLE {rs.GROUP} NOLOGIN")
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) not in ("42710", "23505"):
            raise
        return False
    return True
