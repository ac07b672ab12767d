"""Who the tool takes you to be: real PostgreSQL logins mapped to people, and the login
trail on SQLite (docs/design.md §5).

The PostgreSQL tests make their own database and login roles (unique names per run),
granted the tables but nothing more, and drop them at the end even when a test fails.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import (
    PG_SKIP,
    Invoke,
    _pg_admin,
    _pg_admin_url,
    create_pg_database,
    drop_pg_database,
    make_invoker,
    migrate,
    sql,
)


def as_login(url: str) -> Invoke:
    """The CLI connecting with this URL's login and no --user (nor IMPROVEPLAN_USER)."""
    from improveplan.cli.main import cli

    runner = CliRunner()

    def invoke(*args: str, **kw: Any) -> Result:
        return runner.invoke(cli, ["--db", url, *args], prog_name="improveplan", **kw)

    return invoke


def ok(run: Invoke, *args: str, **kw: Any) -> Result:
    result = run(*args, **kw)
    assert result.exit_code == 0, result.output
    return result


@dataclass(frozen=True)
class Server:
    url: str  # the superuser's
    admin: str  # login names
    manager: str
    outsider: str

    def url_of(self, login: str) -> str:
        from sqlalchemy import make_url

        return make_url(self.url).set(username=login, password=None).render_as_string(False)


@pytest.fixture
def server() -> Iterator[Server]:
    """Peterborough on its own database: Ann Admin (admin), Tom Okafor (manager, owns
    action 1), Priya Natarajan (no role); three logins, the first two mapped."""
    if _pg_admin_url() is None:
        pytest.skip(PG_SKIP)
    tag = uuid.uuid4().hex[:8]
    logins = [f"ip_{tag}_{what}" for what in ("admin", "manager", "outsider")]
    url = create_pg_database()
    try:
        migrate(url)
        for login in logins:
            _pg_admin(f'CREATE ROLE "{login}" LOGIN')
            sql(url, f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{login}"')
            sql(url, f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{login}"')
        _build(url, *logins)
        yield Server(url, *logins)
    finally:
        for login in logins:
            with contextlib.suppress(Exception):  # the role may never have been made
                sql(url, f'DROP OWNED BY "{login}"')
        drop_pg_database(url)
        for login in logins:
            _pg_admin(f'DROP ROLE IF EXISTS "{login}"')


def _build(url: str, admin: str, manager: str, outsider: str) -> None:
    run = make_invoker(url)
    for args in (
        ("plan", "add", "Peterborough", "--authority", "Peterborough City Council"),
        ("theme", "add", "Front door"),
        ("person", "add", "Ann Admin", "--login", admin),
        ("person", "add", "Tom Okafor"),
        ("person", "add", "Priya Natarajan"),
        (
            "action",
            "add",
            "Audit case files",
            "--due",
            "2025-06-30",
            "--owner",
            "Tom Okafor",
            "--theme",
            "Front door",
        ),
        ("person", "update", "Tom Okafor", "--login", manager),
    ):
        ok(run, *args)


def _grant(server: Server) -> None:
    """The first grants, by the superuser (the DBA)."""
    dba = make_invoker(server.url)
    ok(dba, "access", "grant", "Ann Admin", "admin", user="postgres")
    ok(dba, "access", "grant", "Tom Okafor", "manager", user="postgres")


def last_event(url: str) -> tuple[str, str | None, str | None]:
    rows = sql(url, "SELECT actor, login, new_value FROM audit_event ORDER BY id DESC LIMIT 1")
    actor, login, new = rows[0]
    return actor, login, new


def test_whoami_as_a_mapped_login_names_the_person(server: Server) -> None:
    _grant(server)
    shown = json.loads(
        ok(as_login(server.url_of(server.manager)), "whoami", "--format", "json").stdout
    )
    assert shown == {
        "login": server.manager, "database": "postgresql", "checked": True,
        "person": "Tom Okafor", "acting_for": None, "actor": "Tom Okafor", "dba": False,
        "roles": [{"plan": "Peterborough", "role": "manager", "theme": None}],
    }  # fmt: skip
    outsider = json.loads(
        ok(as_login(server.url_of(server.outsider)), "whoami", "--format", "json").stdout
    )
    assert (outsider["person"], outsider["actor"], outsider["roles"]) == (None, server.outsider, [])


def test_a_login_acts_as_its_person_and_the_trail_keeps_the_login(server: Server) -> None:
    _grant(server)
    admin = as_login(server.url_of(server.admin))
    ok(admin, "action", "update", "1", "--status", "in-progress")
    assert last_event(server.url) == ("Ann Admin", server.admin, "in_progress")
    history = json.loads(ok(admin, "action", "history", "1", "--format", "json").stdout)
    assert (history[-1]["who"], history[-1]["login"]) == ("Ann Admin", server.admin)
    assert ok(admin, "db", "verify").exit_code == 0


def test_user_is_refused_for_a_non_admin_login(server: Server) -> None:
    _grant(server)
    before = sql(server.url, "SELECT count(*) FROM audit_event")
    manager = as_login(server.url_of(server.manager))
    result = manager("--user", "Priya Natarajan", "action", "note", "1", "Done half")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: --user Priya Natarajan is refused: login {server.manager} acts only as "
        "Tom Okafor — drop --user and IMPROVEPLAN_USER; only a plan admin may act for someone\n"
    )
    spoofed = manager("action", "note", "1", "x", env={"IMPROVEPLAN_USER": "Ann Admin"})
    assert spoofed.exit_code == 1 and "--user Ann Admin is refused" in spoofed.stderr
    assert sql(server.url, "SELECT count(*) FROM audit_event") == before


def test_an_admin_login_acts_for_someone_and_the_trail_says_so(server: Server) -> None:
    _grant(server)
    admin = as_login(server.url_of(server.admin))
    ok(admin, "--user", "tom okafor", "action", "update", "1", "--status", "in-progress")
    assert last_event(server.url) == (
        "Ann Admin acting for Tom Okafor",
        server.admin,
        "in_progress",
    )
    shown = json.loads(ok(admin, "--user", "Tom Okafor", "whoami", "--format", "json").stdout)
    assert (shown["person"], shown["acting_for"]) == ("Ann Admin", "Tom Okafor")


def test_no_grants_behaves_as_before(server: Server) -> None:
    outsider = as_login(server.url_of(server.outsider))
    ok(outsider, "--user", "Whoever", "action", "note", "1", "Looked at it")
    assert sql(server.url, "SELECT author FROM progress_note") == [("Whoever",)]
    assert last_event(server.url) == ("Whoever", server.outsider, "Looked at it")
    shown = json.loads(ok(outsider, "whoami", "--format", "json").stdout)
    assert (shown["checked"], shown["dba"]) == (False, False)
    # nobody but the DBA grants the first role
    refused = outsider("access", "grant", "Tom Okafor", "admin")
    assert refused.exit_code == 1
    assert refused.stderr.startswith(
        f"Error: login {server.outsider} is not the database administrator and may not grant"
    )
    assert sql(server.url, "SELECT count(*) FROM access_grant") == [(0,)]


def test_who_may_grant_and_revoke(server: Server) -> None:
    _grant(server)
    admin = as_login(server.url_of(server.admin))
    manager = as_login(server.url_of(server.manager))
    said = ok(admin, "access", "grant", "Priya Natarajan", "lead", "--theme", "Front door")
    assert said.stderr == "Granted Priya Natarajan lead of theme Front door in plan Peterborough.\n"
    refused = manager("access", "grant", "Tom Okafor", "admin")
    assert (refused.exit_code, refused.stderr) == (
        1,
        "Error: Tom Okafor is a manager of plan Peterborough and may not grant roles — "
        "the database administrator or a plan admin can (improveplan access list)\n",
    )
    listed = json.loads(ok(manager, "access", "list", "--format", "json").stdout)
    assert [(g["person"], g["login"], g["role"]) for g in listed] == [
        ("Ann Admin", server.admin, "admin"), ("Priya Natarajan", None, "lead"),
        ("Tom Okafor", server.manager, "manager"),
    ]  # fmt: skip
    assert as_login(server.url_of(server.outsider))("access", "list").stderr == (
        f"Error: login {server.outsider} has no role in plan Peterborough — a plan admin can "
        "grant a role (improveplan access grant)\n"
    )
    last = admin("access", "revoke", "Ann Admin", "admin")
    assert (last.exit_code, last.stderr) == (
        1,
        "Error: Ann Admin is the last admin of plan Peterborough — grant another admin "
        "first; only the database administrator may leave a plan without one\n",
    )
    dba = make_invoker(server.url)
    said = ok(dba, "access", "revoke", "Ann Admin", user="postgres")
    assert said.stderr == "Revoked Ann Admin admin in plan Peterborough.\n"
    assert sql(server.url, "SELECT actor, login FROM audit_event ORDER BY id DESC LIMIT 1") == [
        ("postgres", None)
    ]


@pytest.mark.parametrize("backend", ["sqlite"])  # PostgreSQL's login trail is above
def test_sqlite_records_the_os_login_beside_another_actor(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    me = getpass.getuser()
    ok(
        plan_run,
        "action",
        "add",
        "Audit case files",
        "--due",
        "2025-06-30",
        "--owner",
        "Tom Okafor",
    )
    ok(plan_run, "action", "note", "1", "Mine", user=me)
    events = sql(db_url, "SELECT DISTINCT actor, login FROM audit_event ORDER BY actor")
    assert events == sorted([("tester", me), (me, None)])
    history = json.loads(ok(plan_run, "action", "history", "1", "--format", "json").stdout)
    assert {(e["who"], e["login"]) for e in history} == {("tester", me), (me, None)}
    table = ok(plan_run, "action", "history", "1").stdout
    assert f"(login {me})" not in table  # the table keeps its pinned shape
    # an export carries no logins; the import records none, and its chain verifies
    out = tmp_path / "plan.json"
    ok(plan_run, "export", "--format", "json", "-o", str(out))
    target = tmp_path / "copy.db"
    copy = make_invoker(str(target))
    ok(copy, "init")
    ok(copy, "import", str(out), user="Importer")
    kept = "SELECT DISTINCT actor, login FROM audit_event WHERE login IS NOT NULL"
    assert sql(str(target), kept) == [("Importer", me)]  # the import's own events only
    assert ok(copy, "db", "verify").exit_code == 0
