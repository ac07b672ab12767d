"""`access setup`: PostgreSQL itself enforces who may do what, for logins using psql too.

One database and five login roles per test module, with names unique to the run, made
through the admin URL and dropped at the end whatever happens. The data is set up by the
superuser through the CLI before any grant exists; logins are mapped and roles granted
with SQL (the `access grant` command is another's). Then each login connects on its own
and tries its writes with raw SQL, inside a transaction that is rolled back, so the
tests leave the rows as they found them.

Plans: Northshire (themes Early help, Care leavers; actions 1 and 2 in Early help owned
by Mona Manager and Otto Owner, 3 in Care leavers owned by Otto) and Southby (theme
Placements, action 1). Vera views Northshire, Mona manages there, Lena leads Early help,
Ada is its admin, Bob views Southby; the outsider is in the group with no role anywhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Connection, create_engine, make_url, text
from sqlalchemy.exc import ProgrammingError

from improveplan.cli.main import cli
from tests.conftest import (
    PG_SKIP,
    _pg_admin,
    _pg_admin_url,
    create_pg_database,
    drop_pg_database,
    migrate,
    sql,
)

pytestmark = pytest.mark.postgres

GROUP = "improveplan_member"
TODAY = {"IMPROVEPLAN_TODAY": "2026-03-02"}
LOGINS = ("viewer", "manager", "lead", "admin", "southby", "outsider", "stranger")
PEOPLE = {
    "viewer": "Vera Viewer",
    "manager": "Mona Manager",
    "lead": "Lena Lead",
    "admin": "Ada Admin",
    "southby": "Bob Southby",
    "outsider": "Olga Outsider",
}
TABLES = 18  # every table of models.metadata
POLICIES = 41


@dataclass(frozen=True)
class World:
    url: str  # the superuser's URL of the test database
    logins: dict[str, str]  # "viewer" -> ip_<run>_viewer

    def login_url(self, who: str) -> str:
        return (
            make_url(self.url)
            .set(username=self.logins[who], password=None)
            .render_as_string(hide_password=False)
        )


def invoke(url: str, *args: str, env: dict[str, str] | None = None) -> Result:
    """The CLI with no --user: on PostgreSQL the login is who acts."""
    return CliRunner().invoke(
        cli, ["--db", url, *args], env={**TODAY, **(env or {})}, prog_name="improveplan"
    )


def _ok(url: str, *args: str) -> None:
    result = invoke(url, *args)
    assert result.exit_code == 0, result.output


def _build(url: str) -> None:
    """Two councils' plans, their themes, people and actions, through the CLI."""
    for name, council in (
        ("Northshire", "Northshire County Council"),
        ("Southby", "Southby Council"),
    ):
        _ok(url, "plan", "add", name, "--authority", council)
    for person in (*PEOPLE.values(), "Otto Owner"):
        _ok(url, "person", "add", person)
    north = ("--plan", "Northshire")
    for theme in ("Early help", "Care leavers"):
        _ok(url, *north, "theme", "add", theme)
    _ok(url, "--plan", "Southby", "theme", "add", "Placements")
    for title, owner, theme in (
        ("Front door triage", "Mona Manager", "Early help"),
        ("Family hubs", "Otto Owner", "Early help"),
        ("Pathway plans", "Otto Owner", "Care leavers"),
    ):
        _ok(
            url,
            *north,
            "action",
            "add",
            title,
            "--owner",
            owner,
            "--due",
            "2026-06-30",
            "--theme",
            theme,
        )
    _ok(url, "--plan", "Southby", "action", "add", "Sufficiency", "--owner", "Bob Southby",
        "--due", "2026-06-30", "--theme", "Placements")  # fmt: skip


def _grant(url: str, logins: dict[str, str]) -> None:
    """Map each login to its person and give the roles, as `access grant` would."""
    for who, person in PEOPLE.items():
        sql(
            url,
            "UPDATE person SET login = :login WHERE name = :name",
            login=logins[who],
            name=person,
        )
    for who, role, plan, theme in (
        ("viewer", "viewer", "Northshire", None),
        ("manager", "manager", "Northshire", None),
        ("lead", "lead", "Northshire", "Early help"),
        ("admin", "admin", "Northshire", None),
        ("southby", "viewer", "Southby", None),
    ):
        sql(
            url,
            "INSERT INTO access_grant (plan_id, person_id, role, theme_id) SELECT pl.id, pe.id, "
            ":role, (SELECT t.id FROM theme t WHERE t.plan_id = pl.id AND t.name = :theme) "
            "FROM plan pl, person pe WHERE pl.name = :plan AND pe.name = :person",
            role=role, plan=plan, theme=theme, person=PEOPLE[who],
        )  # fmt: skip


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    if _pg_admin_url() is None:
        pytest.skip(PG_SKIP)
    run = uuid.uuid4().hex[:8]
    logins = {who: f"ip_{run}_{who}" for who in LOGINS}
    url = create_pg_database()
    try:
        for login in logins.values():
            _pg_admin(f'CREATE ROLE "{login}" LOGIN')
        migrate(url)
        _build(url)
        _ok(url, "access", "setup")
        for who, login in logins.items():
            if who != "stranger":
                _pg_admin(f'GRANT {GROUP} TO "{login}"')
        _grant(url, logins)
        yield World(url, logins)
    finally:
        drop_pg_database(url)
        admin = _pg_admin_url()
        assert admin is not None
        for login in logins.values():
            if sql(admin, "SELECT 1 FROM pg_roles WHERE rolname = :r", r=login):
                _pg_admin(f'DROP OWNED BY "{login}"')
                _pg_admin(f'DROP ROLE "{login}"')


@contextmanager
def as_login(world: World, who: str) -> Iterator[Connection]:
    """A connection as this login, in a transaction rolled back at the end."""
    engine = create_engine(world.login_url(who).replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            try:
                yield conn
            finally:
                conn.rollback()
    finally:
        engine.dispose()


def rows(conn: Connection, query: str, **params: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(text(query), params)]


def changed(conn: Connection, query: str, **params: Any) -> int:
    """How many rows a write touched (0: row-level security hid every row)."""
    with conn.begin_nested():
        return conn.execute(text(query), params).rowcount


def refused(conn: Connection, query: str, **params: Any) -> str:
    """The first line of the database's refusal of this write (SQLSTATE 42501)."""
    with pytest.raises(ProgrammingError) as caught:  # noqa: SIM117 - the savepoint rolls back
        with conn.begin_nested():
            conn.execute(text(query), params)
    assert getattr(caught.value.orig, "sqlstate", None) == "42501"
    return str(caught.value.orig).splitlines()[0]


def rls(table: str) -> str:
    return f'new row violates row-level security policy for table "{table}"'


def ids(conn: Connection, table: str, where: str = "true", **params: Any) -> list[int]:
    return [r[0] for r in rows(conn, f"SELECT id FROM {table} WHERE {where} ORDER BY id", **params)]


def one(conn: Connection, query: str, **params: Any) -> Any:
    return conn.execute(text(query), params).scalar_one()


# --- the setup itself -------------------------------------------------------------------


def test_setup_twice_is_the_same_and_covers_every_table(world: World) -> None:
    before = sql(
        world.url,
        "SELECT tablename, policyname, cmd, qual, with_check FROM pg_policies ORDER BY 1, 2",
    )
    result = invoke(world.url, "access", "setup")
    assert result.exit_code == 0, result.output
    shown = make_url(world.url).set(drivername="postgresql+psycopg").render_as_string()
    assert result.output == (
        f"Access set up on {shown}: group role {GROUP} (already there), row-level security"
        f" on {TABLES} tables ({POLICIES} policies).\n"
    )
    after = sql(
        world.url,
        "SELECT tablename, policyname, cmd, qual, with_check FROM pg_policies ORDER BY 1, 2",
    )
    assert after == before and len(after) == POLICIES
    assert all(name.startswith(f"improveplan_{table}_") for table, name, *_ in after)
    secured = sql(
        world.url,
        "SELECT count(*) FROM pg_class WHERE relrowsecurity AND relkind = 'r' "
        "AND relnamespace = 'public'::regnamespace",
    )
    assert secured == [(TABLES,)]
    privileges = sql(
        world.url,
        "SELECT t, has_table_privilege(:g, t, 'SELECT'), has_table_privilege(:g, t, 'INSERT'), "
        "has_table_privilege(:g, t, 'UPDATE'), has_table_privilege(:g, t, 'DELETE') "
        "FROM unnest(ARRAY['audit_event', 'alembic_version', 'action']) AS t",
        g=GROUP,
    )
    assert privileges == [
        ("audit_event", True, True, False, False),
        ("alembic_version", True, False, False, False),
        ("action", True, True, True, True),
    ]


def test_setup_json_and_member_option(world: World) -> None:
    stranger = world.logins["stranger"]
    result = invoke(world.url, "access", "setup", "--member", stranger, "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"created_group": false' in result.output
    assert f'"members": [\n    "{stranger}"\n  ]' in result.output
    assert sql(world.url, "SELECT pg_has_role(:l, :g, 'MEMBER')", l=stranger, g=GROUP) == [(True,)]
    _pg_admin(f'REVOKE {GROUP} FROM "{stranger}"')


def test_setup_member_must_be_an_existing_login(world: World) -> None:
    result = invoke(world.url, "access", "setup", "--member", "ip_nobody_at_all")
    assert result.exit_code == 1
    assert result.output == (
        "Error: --member ip_nobody_at_all: the server has no login of that name — create it "
        "first (CREATE ROLE ip_nobody_at_all LOGIN), or check the spelling\n"
    )
    result = invoke(world.url, "access", "setup", "--member", GROUP)
    assert result.output.startswith(
        f"Error: --member {GROUP}: the server has a role that cannot log in"
    )


@pytest.mark.parametrize("who", ["viewer", "admin", "stranger"])
def test_setup_by_a_login_that_is_no_dba_is_refused(world: World, who: str) -> None:
    result = invoke(world.login_url(who), "access", "setup")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: login {world.logins[who]} may not set up access — run it as a superuser, or "
        "as the owner of the database and its tables with CREATEROLE\n"
    )


def test_setup_on_sqlite_is_refused(tmp_path: Any) -> None:
    db = str(tmp_path / "plan.db")
    assert invoke(db, "init").exit_code == 0
    result = invoke(db, "access", "setup")
    assert result.exit_code == 1
    assert result.output == (
        "Error: access setup is for a shared PostgreSQL database — on SQLite whoever can write "
        "the file can change it; access grants are still checked by the tool\n"
    )


# --- what each login sees ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "plans", "themes", "actions"),
    [
        ("viewer", ["Northshire"], ["Care leavers", "Early help"], 3),
        ("admin", ["Northshire"], ["Care leavers", "Early help"], 3),
        ("southby", ["Southby"], ["Placements"], 1),
        ("outsider", [], [], 0),
    ],
)
def test_a_login_sees_only_the_plans_it_belongs_to(
    world: World, who: str, plans: list[str], themes: list[str], actions: int
) -> None:
    with as_login(world, who) as conn:
        assert [r[0] for r in rows(conn, "SELECT name FROM plan ORDER BY name")] == plans
        assert [r[0] for r in rows(conn, "SELECT name FROM theme ORDER BY name")] == themes
        assert one(conn, "SELECT count(*) FROM action") == actions
        # People and grants are read by everyone in the group: the tool must see them.
        assert one(conn, "SELECT count(*) FROM person") == 7
        assert one(conn, "SELECT count(*) FROM access_grant") == 5
        shown = one(
            conn, "SELECT count(DISTINCT plan_id) FROM audit_event WHERE plan_id IS NOT NULL"
        )
        assert shown == len(plans)


def test_a_login_outside_the_group_reads_nothing(world: World) -> None:
    with as_login(world, "stranger") as conn:
        assert refused(conn, "SELECT name FROM plan") == "permission denied for table plan"


# --- raw SQL writes -----------------------------------------------------------------------


def test_a_viewer_changes_nothing(world: World) -> None:
    with as_login(world, "viewer") as conn:
        for table in ("action", "theme", "person", "access_grant", "milestone", "progress_note"):
            assert changed(conn, f"DELETE FROM {table}") == 0
        assert changed(conn, "UPDATE action SET title = 'x'") == 0
        assert changed(conn, "UPDATE theme SET name = name || ' x'") == 0
        assert changed(conn, "UPDATE person SET email = 'x@example.org'") == 0
        assert refused(conn, "UPDATE plan SET authority = 'x'") == rls("plan")
        assert refused(
            conn, "INSERT INTO theme (name, plan_id) SELECT 'Sneaky', id FROM plan"
        ) == rls("theme")
        assert refused(
            conn,
            "INSERT INTO action (ref, title, status, plan_id, seq, version, created_at, updated_at) "
            "SELECT '9', 'Sneaky', 'not-started', id, 9, 1, now(), now() FROM plan",
        ) == rls("action")
        assert refused(conn, "INSERT INTO person (name) VALUES ('Sneaky')") == rls("person")
        assert refused(
            conn,
            "INSERT INTO access_grant (plan_id, person_id, role) "
            "SELECT pl.id, pe.id, 'admin' FROM plan pl, person pe WHERE pe.login = session_user",
        ) == rls("access_grant")
        assert refused(conn, "INSERT INTO plan (name, authority, created_at, allow_self_signoff) "
                       "VALUES ('Mine', 'x', now(), false)") == rls("plan")  # fmt: skip


def test_a_manager_changes_only_their_own_action_and_keeps_it(world: World) -> None:
    with as_login(world, "manager") as conn:
        assert changed(conn, "UPDATE action SET title = 'Mine'") == 1
        assert changed(conn, "UPDATE action SET title = 'Mine' WHERE ref = '2'") == 0
        otto = one(conn, "SELECT id FROM person WHERE name = 'Otto Owner'")
        assert refused(conn, "UPDATE action SET owner_id = :o WHERE ref = '1'", o=otto) == rls(
            "action"
        )
        assert changed(conn, "DELETE FROM action") == 0
        mine = one(
            conn,
            "SELECT a.id FROM action a JOIN person p ON p.id = a.owner_id WHERE p.login = session_user",
        )
        note = "INSERT INTO progress_note (action_id, author, created_at, text) VALUES (:a, 'Mona', now(), 'x')"
        assert changed(conn, note, a=mine) == 1
        theirs = one(conn, "SELECT id FROM action WHERE ref = '2'")
        assert refused(conn, note, a=theirs) == rls("progress_note")
        assert changed(conn, "UPDATE theme SET name = name") == 0


def test_a_lead_changes_the_actions_of_their_theme_only(world: World) -> None:
    with as_login(world, "lead") as conn:
        assert changed(conn, "UPDATE action SET title = title || '!'") == 2
        early, care = (
            one(conn, "SELECT id FROM theme WHERE name = :n", n=n)
            for n in ("Early help", "Care leavers")
        )
        assert changed(conn, "UPDATE action SET title = 'x' WHERE theme_id = :t", t=care) == 0
        assert refused(conn, "UPDATE action SET theme_id = :t WHERE ref = '1'", t=care) == rls(
            "action"
        )
        add = (
            "INSERT INTO action (ref, title, status, plan_id, seq, version, created_at, updated_at, "
            "theme_id) SELECT :ref, 'New', 'not-started', id, 9, 1, now(), now(), :t FROM plan"
        )
        assert changed(conn, add, ref="8", t=early) == 1
        assert refused(conn, add, ref="9", t=care) == rls("action")
        assert changed(conn, "DELETE FROM action WHERE ref = '8'") == 1
        assert changed(conn, "UPDATE theme SET name = name") == 0


def test_an_admin_changes_their_plan_only(world: World) -> None:
    with as_login(world, "admin") as conn:
        assert changed(conn, "UPDATE theme SET name = name || ' (2026)'") == 2
        assert (
            changed(conn, "INSERT INTO theme (name, plan_id) SELECT 'Youth justice', id FROM plan")
            == 1
        )
        assert changed(conn, "UPDATE action SET title = title") == 3
        assert changed(conn, "UPDATE plan SET allow_self_signoff = true") == 1
        assert changed(conn, "UPDATE person SET team = 'Early Help' WHERE name = 'Otto Owner'") == 1
        southby = sql(world.url, "SELECT id FROM plan WHERE name = 'Southby'")[0][0]
        assert changed(conn, "UPDATE theme SET name = 'x' WHERE plan_id = :p", p=southby) == 0
        assert refused(
            conn, "INSERT INTO theme (name, plan_id) VALUES ('x', :p)", p=southby
        ) == rls("theme")


@pytest.mark.parametrize("who", ["viewer", "manager", "lead", "admin", "southby"])
def test_the_audit_trail_is_append_only_for_every_member(world: World, who: str) -> None:
    insert = (
        "INSERT INTO audit_event (plan_id, actor, at, entity, entity_id, field, hash) "
        "VALUES (:p, 'x', now(), 'plan', 1, 'note', repeat('0', 64))"
    )
    with as_login(world, who) as conn:
        assert refused(conn, "UPDATE audit_event SET actor = 'x'") == (
            "permission denied for table audit_event"
        )
        assert refused(conn, "DELETE FROM audit_event") == "permission denied for table audit_event"
        assert refused(conn, "TRUNCATE audit_event") == "permission denied for table audit_event"
        mine = one(conn, "SELECT id FROM plan")
        other = sql(world.url, "SELECT id FROM plan WHERE id <> :p", p=mine)[0][0]
        assert changed(conn, insert, p=mine) == 1
        assert changed(conn, insert, p=None) == 1
        assert refused(conn, insert, p=other) == rls("audit_event")


# --- the tool itself, as a member login ---------------------------------------------------


def test_status_works_for_a_viewer_under_row_security(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = invoke(world.login_url("viewer"), "status")
    dba = invoke(world.url, "--plan", "Northshire", "status")
    assert mine.exit_code == 0, mine.output
    assert mine.output == dba.output
    assert "Northshire" in mine.output


def test_the_tool_writes_as_members_under_row_security(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        _writes_as_members(world)
    finally:  # leave the rows other tests count as they were (the trail keeps its events)
        sql(world.url, "DELETE FROM action WHERE title = 'Step-down panel'")
        sql(world.url, "DELETE FROM theme WHERE name = 'Youth justice'")


def _writes_as_members(world: World) -> None:
    manager, lead, admin = (world.login_url(w) for w in ("manager", "lead", "admin"))
    result = invoke(manager, "action", "note", "1", "Triage rota agreed")
    assert result.exit_code == 0, result.output
    # The database hides another owner's action from the lock a change takes.
    result = invoke(manager, "action", "note", "2", "Not mine")
    assert result.exit_code == 1
    assert result.output == (
        "Error: the database does not let you change action 2 — its owner, its theme lead "
        "or a plan admin can\n"
    )
    result = invoke(lead, "action", "add", "Step-down panel", "--owner", "Mona Manager",
                    "--due", "2026-07-31", "--theme", "Early help")  # fmt: skip
    assert result.exit_code == 0, result.output
    result = invoke(admin, "theme", "add", "Youth justice")
    assert result.exit_code == 0, result.output
    actors = sql(
        world.url,
        "SELECT actor, entity, field FROM audit_event WHERE actor IN ('Mona Manager', 'Lena Lead', "
        "'Ada Admin') AND field IN ('text', 'title', 'name') ORDER BY id",
    )
    assert actors == [
        ("Mona Manager", "progress_note", "text"),
        ("Lena Lead", "action", "title"),
        ("Ada Admin", "theme", "name"),
    ]
    result = invoke(world.url, "db", "verify")
    assert result.exit_code == 0, result.output


def test_a_write_the_database_refuses_is_one_line(world: World) -> None:
    """New plans are a DBA's job: the tool says so first, and a write the policies refuse
    anyway (another client's, or a rule the tool missed) is one line, not a traceback."""
    result = invoke(world.login_url("admin"), "plan", "add", "Eastby", "--authority", "Eastby")
    assert result.exit_code == 1
    assert result.output == (
        "Error: Ada Admin may not add plans — the database administrator can (a superuser or "
        "the database's owner)\n"
    )
    from improveplan.store.errors import translate_db_error

    with as_login(world, "admin") as conn, pytest.raises(ProgrammingError) as refused:
        conn.execute(text("INSERT INTO plan (name, authority, created_at, allow_self_signoff) "
                          "VALUES ('Eastby', 'Eastby', now(), false)"))  # fmt: skip
    assert str(translate_db_error(refused.value)) == (
        "the database refused the change (new row violates row-level security policy "
        'for table "plan") — your role in the plan does not allow it; ask a plan admin (new '
        "plans: the DBA)"
    )
