"""access grant, revoke and list; whoami; logins on people (SQLite and PostgreSQL).

The `run` fixture is the database's administrator on both: on PostgreSQL it connects as
the superuser, on SQLite the tests own the file. A doer who is not the DBA is made so on
SQLite by telling the identity the file is someone else's (`not_dba`); the real logins
of a PostgreSQL server are in tests/cli/test_identity.py.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import Invoke, sql


def ok(run: Invoke, *args: str, **kw: Any) -> str:
    result = run(*args, **kw)
    assert result.exit_code == 0, result.output
    return result.stderr


def refused(run: Invoke, *args: str, **kw: Any) -> str:
    result = run(*args, **kw)
    assert (result.exit_code, result.stdout) == (1, ""), result.output
    return result.stderr


def actor(url: str) -> str:
    """Who the trail names: on PostgreSQL the superuser's login once grants exist
    (`--user` someone else would make them act for a person of that name)."""
    return "postgres" if "postgresql" in url else "tester"


@pytest.fixture
def plan(plan_run: Invoke, db_url: str) -> Invoke:
    """Peterborough with two themes; Priya Natarajan and Tom Okafor, no grants yet."""
    ok(plan_run, "theme", "add", "Front door")
    ok(plan_run, "theme", "add", "Care leavers")

    def invoke(*args: str, user: str | None = None, **kw: Any) -> Result:
        return plan_run(*args, user=user or actor(db_url), **kw)

    return invoke


SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"])  # PostgreSQL: test_identity.py


@pytest.fixture
def not_dba(db_url: str) -> None:
    """The SQLite file is given to another user, so the doer is not its DBA (root may
    still write it). PostgreSQL's logins are in tests/cli/test_identity.py."""
    if os.geteuid() != 0:
        pytest.skip("giving the database file to another user needs root (CI runs as root)")
    os.chown(db_url, 65534, -1)


def grants(url: str) -> list[tuple[str, str, str | None]]:
    return [
        tuple(r)
        for r in sql(
            url,
            "SELECT p.name, g.role, t.name FROM access_grant g JOIN person p "
            "ON p.id = g.person_id LEFT JOIN theme t ON t.id = g.theme_id ORDER BY g.id",
        )
    ]


def grant_events(url: str) -> list[tuple[str, int, str, str | None, str | None]]:
    return [
        tuple(r)
        for r in sql(
            url,
            "SELECT actor, plan_id, field, old_value, new_value FROM audit_event "
            "WHERE entity = 'access_grant' ORDER BY id",
        )
    ]


def test_grant_writes_the_role_audits_it_and_the_chain_verifies(plan: Invoke, db_url: str) -> None:
    said = ok(plan, "access", "grant", "tom  okafor", "manager")
    assert said == "Granted Tom Okafor manager in plan Peterborough.\n"
    said = ok(plan, "access", "grant", "Priya Natarajan", "lead", "--theme", "front door")
    assert said == "Granted Priya Natarajan lead of theme Front door in plan Peterborough.\n"
    assert grants(db_url) == [
        ("Tom Okafor", "manager", None),
        ("Priya Natarajan", "lead", "Front door"),
    ]
    assert grant_events(db_url) == [
        (actor(db_url), 1, "person", None, "Tom Okafor"),
        (actor(db_url), 1, "role", None, "manager"),
        (actor(db_url), 1, "person", None, "Priya Natarajan"),
        (actor(db_url), 1, "role", None, "lead"),
        (actor(db_url), 1, "theme", None, "Front door"),
    ]
    assert plan("db", "verify").exit_code == 0


def test_granting_what_is_held_says_so_and_writes_nothing(plan: Invoke, db_url: str) -> None:
    ok(plan, "access", "grant", "Tom Okafor", "lead", "--theme", "Front door")
    before = sql(db_url, "SELECT count(*) FROM audit_event")
    said = ok(plan, "access", "grant", "Tom Okafor", "lead", "--theme", "FRONT DOOR")
    assert said == "Tom Okafor is already lead of theme Front door in plan Peterborough.\n"
    assert sql(db_url, "SELECT count(*) FROM audit_event") == before
    # another theme is another grant
    ok(plan, "access", "grant", "Tom Okafor", "lead", "--theme", "Care leavers")
    assert len(grants(db_url)) == 2


def test_a_lead_names_one_theme_and_only_a_lead_does(plan: Invoke, db_url: str) -> None:
    assert refused(plan, "access", "grant", "Tom Okafor", "lead") == (
        "Error: a lead's grant names the theme they lead — give --theme THEME "
        "(repeat the command for each theme)\n"
    )
    assert refused(plan, "access", "grant", "Tom Okafor", "viewer", "--theme", "Front door") == (
        "Error: --theme is for a lead, not a viewer — drop --theme, or grant lead\n"
    )
    assert refused(plan, "access", "grant", "Tom Okafor", "lead", "--theme", "Nowhere") == (
        'Error: no theme named "Nowhere" — add it first with improveplan theme add NAME\n'
    )
    assert refused(plan, "access", "grant", "Nobody", "viewer").startswith(
        'Error: no person named "Nobody"'
    )
    assert plan("access", "grant", "Tom Okafor", "owner").exit_code == 2
    assert grants(db_url) == []


def test_plan_option_chooses_the_plan(plan: Invoke, db_url: str) -> None:
    ok(plan, "plan", "add", "Luton", "--authority", "Luton Borough Council")
    assert refused(plan, "access", "grant", "Tom Okafor", "viewer") == (
        "Error: 2 plans in the database — choose one with --plan NAME or IMPROVEPLAN_PLAN\n"
    )
    said = ok(plan, "access", "grant", "Tom Okafor", "viewer", "--plan", "luton")
    assert said == "Granted Tom Okafor viewer in plan Luton.\n"
    said = ok(plan, "--plan", "Peterborough", "access", "grant", "Tom Okafor", "admin")
    assert said == "Granted Tom Okafor admin in plan Peterborough.\n"
    rows = sql(
        db_url,
        "SELECT p.name, g.role FROM access_grant g JOIN plan p ON p.id = g.plan_id ORDER BY g.id",
    )
    assert rows == [("Luton", "viewer"), ("Peterborough", "admin")]
    # each grant is in its own plan's chain
    assert plan("db", "verify").exit_code == 0


def _granted(plan: Invoke) -> None:
    ok(plan, "person", "add", "Ann Admin")
    ok(plan, "person", "update", "Tom Okafor", "--login", "tom")
    ok(plan, "access", "grant", "Tom Okafor", "viewer")
    ok(plan, "access", "grant", "Priya Natarajan", "lead", "--theme", "Front door")
    ok(plan, "access", "grant", "Ann Admin", "admin")
    ok(plan, "access", "grant", "Priya Natarajan", "lead", "--theme", "Care leavers")
    ok(plan, "access", "grant", "Tom Okafor", "manager")


def test_list_by_role_then_name_in_every_format(plan: Invoke) -> None:
    _granted(plan)
    table = plan("access", "list")
    assert table.exit_code == 0
    assert [line.rstrip() for line in table.stdout.splitlines()] == [
        "┏━━━━━━━━━━━━━━━━━┳━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━━━━┓",
        "┃ Person          ┃ Login ┃ Role    ┃ Theme        ┃",
        "┡━━━━━━━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━━━━┩",
        "│ Ann Admin       │       │ admin   │              │",
        "│ Priya Natarajan │       │ lead    │ Care leavers │",
        "│ Priya Natarajan │       │ lead    │ Front door   │",
        "│ Tom Okafor      │ tom   │ manager │              │",
        "│ Tom Okafor      │ tom   │ viewer  │              │",
        "└─────────────────┴───────┴─────────┴──────────────┘",
    ]
    shown = json.loads(plan("access", "list", "--format", "json").stdout)
    assert shown[0] == {
        "person": "Ann Admin", "login": None, "role": "admin", "theme": None, "plan": "Peterborough",
    }  # fmt: skip
    assert [(g["person"], g["role"]) for g in shown][1:] == [
        ("Priya Natarajan", "lead"), ("Priya Natarajan", "lead"),
        ("Tom Okafor", "manager"), ("Tom Okafor", "viewer"),
    ]  # fmt: skip
    csv = plan("access", "list", "--format", "csv").stdout.splitlines()
    assert csv[:2] == ["person,login,role,theme", "Ann Admin,,admin,"]
    every = plan("access", "list", "--all", "--format", "csv").stdout.splitlines()
    assert every[:2] == ["plan,person,login,role,theme", "Peterborough,Ann Admin,,admin,"]
    assert plan("access", "list", "--all", "--plan", "Peterborough").exit_code == 2


def test_list_with_no_grants_says_everyone_may_do_everything(plan: Invoke) -> None:
    result = plan("access", "list")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        "No grants — no grants in this database: everyone may do everything; "
        "grant with improveplan access grant PERSON ROLE.\n"
    )
    assert json.loads(plan("access", "list", "--format", "json").stdout) == []


def test_revoke_one_role_or_all_and_audit_the_removal(plan: Invoke, db_url: str) -> None:
    _granted(plan)
    said = ok(plan, "access", "revoke", "Tom Okafor", "viewer")
    assert said == "Revoked Tom Okafor viewer in plan Peterborough.\n"
    said = ok(plan, "access", "revoke", "Priya Natarajan", "--theme", "Front door")
    assert said == "Revoked Priya Natarajan lead of theme Front door in plan Peterborough.\n"
    ok(plan, "access", "grant", "Priya Natarajan", "viewer")
    said = ok(plan, "access", "revoke", "priya natarajan")
    assert said == (
        "Revoked Priya Natarajan lead of theme Care leavers and viewer in plan Peterborough.\n"
    )
    assert grants(db_url) == [("Ann Admin", "admin", None), ("Tom Okafor", "manager", None)]
    removed = [e for e in grant_events(db_url) if e[3] is not None]
    assert removed[:2] == [
        (actor(db_url), 1, "person", "Tom Okafor", None),
        (actor(db_url), 1, "role", "viewer", None),
    ]
    assert plan("db", "verify").exit_code == 0


def test_revoking_what_is_not_held_is_an_error(plan: Invoke, db_url: str) -> None:
    _granted(plan)
    assert refused(plan, "access", "revoke", "Ann Admin", "viewer") == (
        "Error: Ann Admin is not viewer in plan Peterborough — see improveplan access list\n"
    )
    ok(plan, "person", "add", "Sam Reed")
    assert refused(plan, "access", "revoke", "Sam Reed") == (
        "Error: Sam Reed holds no role in plan Peterborough — see improveplan access list\n"
    )
    assert len(grants(db_url)) == 5


@SQLITE_ONLY
def test_who_may_grant_admin_yes_manager_no(plan: Invoke, db_url: str, not_dba: None) -> None:
    assert refused(plan, "access", "grant", "Tom Okafor", "admin") == (
        "Error: login " + _login() + " is not the database administrator and may not grant "
        "roles — the first role of a database is granted by the database administrator "
        "(a superuser or the database's owner; on SQLite the file's owner)\n"
    )
    sql(db_url, "INSERT INTO access_grant (plan_id, person_id, role) VALUES (1, 1, 'admin')")
    sql(db_url, "INSERT INTO access_grant (plan_id, person_id, role) VALUES (1, 2, 'manager')")
    said = ok(plan, "access", "grant", "Tom Okafor", "viewer", user="Priya Natarajan")
    assert said == "Granted Tom Okafor viewer in plan Peterborough.\n"
    assert refused(plan, "access", "grant", "Tom Okafor", "admin", user="Tom Okafor") == (
        "Error: Tom Okafor is a viewer and a manager of plan Peterborough and may not grant "
        "roles — the database administrator or a plan admin can (improveplan access list)\n"
    )
    assert refused(plan, "access", "revoke", "Priya Natarajan", user="Tom Okafor").startswith(
        "Error: Tom Okafor is a viewer and a manager of plan Peterborough and may not revoke"
    )
    assert grants(db_url) == [
        ("Priya Natarajan", "admin", None), ("Tom Okafor", "manager", None),
        ("Tom Okafor", "viewer", None),
    ]  # fmt: skip


@SQLITE_ONLY
def test_the_last_admin_stays_unless_the_dba_revokes(plan: Invoke, db_url: str) -> None:
    ok(plan, "access", "grant", "Priya Natarajan", "admin")
    ok(plan, "access", "grant", "Tom Okafor", "lead", "--theme", "Front door")
    if os.geteuid() != 0:
        pytest.skip("giving the database file to another user needs root (CI runs as root)")
    owner = os.stat(db_url).st_uid
    os.chown(db_url, 65534, -1)  # the file is someone else's: nobody here is the DBA
    assert refused(plan, "access", "revoke", "Priya Natarajan", user="Priya Natarajan") == (
        "Error: Priya Natarajan is the last admin of plan Peterborough — grant another admin "
        "first; only the database administrator may leave a plan without one\n"
    )
    ok(plan, "access", "grant", "Tom Okafor", "admin", user="Priya Natarajan")
    ok(plan, "access", "revoke", "Priya Natarajan", "admin", user="Tom Okafor")
    os.chown(db_url, owner, -1)
    said = ok(plan, "access", "revoke", "Tom Okafor", "admin")  # the DBA may
    assert said == "Revoked Tom Okafor admin in plan Peterborough.\n"
    assert grants(db_url) == [("Tom Okafor", "lead", "Front door")]


def _login() -> str:
    import getpass

    return getpass.getuser()


def test_whoami_without_grants(plan: Invoke, db_url: str) -> None:
    shown = json.loads(plan("whoami", "--format", "json").stdout)
    server = "postgresql" in db_url
    assert shown == {
        "login": "postgres" if server else _login(),
        "database": "postgresql" if server else "sqlite",
        "checked": False,
        "person": None,
        "acting_for": None,
        "actor": actor(db_url),
        "dba": True,
        "roles": [],
    }
    table = plan("whoami").stdout
    assert "│ Access      │ no grants in this database: everyone may do everything │" in table
    assert "Roles" not in table


def test_whoami_names_the_person_and_their_roles(plan: Invoke, db_url: str) -> None:
    ok(plan, "access", "grant", "Priya Natarajan", "admin")
    ok(plan, "access", "grant", "Priya Natarajan", "lead", "--theme", "Front door")
    if "postgresql" in db_url:  # the superuser acts for Priya with --user
        shown = json.loads(plan("whoami", "--format", "json", user="priya natarajan").stdout)
        assert (shown["person"], shown["acting_for"]) == (None, "Priya Natarajan")
        assert shown["actor"] == "postgres acting for Priya Natarajan"
        return
    shown = json.loads(plan("whoami", "--format", "json", user="priya natarajan").stdout)
    assert shown == {
        "login": _login(), "database": "sqlite", "checked": True, "person": "Priya Natarajan",
        "acting_for": None, "actor": "priya natarajan", "dba": True,
        "roles": [
            {"plan": "Peterborough", "role": "admin", "theme": None},
            {"plan": "Peterborough", "role": "lead", "theme": "Front door"},
        ],
    }  # fmt: skip
    lines = plan("whoami", user="Priya Natarajan").stdout.splitlines()
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in lines if "│" in line]
    assert ["Person", "Priya Natarajan"] in cells
    assert ["Audit trail", f"Priya Natarajan (login {_login()})"] in cells  # both kept
    assert ["Peterborough", "lead", "Front door"] in cells


def test_person_login_set_shown_cleared_and_unique(plan: Invoke, db_url: str) -> None:
    said = ok(plan, "person", "add", "Sam Reed", "--login", "sam_reed")
    assert said == "Added Sam Reed.\n"
    said = ok(plan, "person", "update", "Tom Okafor", "--login", "tom")
    assert said == "Person Tom Okafor: login — → tom.\n"
    assert refused(plan, "person", "update", "Priya Natarajan", "--login", "tom") == (
        "Error: login tom already acts as Tom Okafor — clear it there first: "
        'improveplan person update "Tom Okafor" --login ""\n'
    )
    assert refused(plan, "person", "add", "Kim", "--login", "sam_reed").startswith(
        "Error: login sam_reed already acts as Sam Reed"
    )
    shown = json.loads(plan("person", "show", "Tom Okafor", "--format", "json").stdout)
    assert list(shown)[-1:] == ["login"] and shown["login"] == "tom"
    assert "│ Login  │ tom" in plan("person", "show", "Tom Okafor").stdout
    listed = json.loads(plan("person", "list", "--format", "json").stdout)
    assert [(p["name"], p.get("login")) for p in listed] == [
        ("Priya Natarajan", None), ("Sam Reed", "sam_reed"), ("Tom Okafor", "tom"),
    ]  # fmt: skip
    assert ok(plan, "person", "update", "Tom Okafor", "--login", "") == (
        "Person Tom Okafor: login tom → —.\n"
    )
    assert ok(plan, "person", "update", "Sam Reed", "--login", "NONE") == (
        "Person Sam Reed: login sam_reed → —.\n"
    )
    assert sql(db_url, "SELECT count(*) FROM person WHERE login IS NOT NULL") == [(0,)]
    events = sql(
        db_url, "SELECT old_value, new_value FROM audit_event WHERE field = 'login' ORDER BY id"
    )
    assert events == [(None, "sam_reed"), (None, "tom"), ("tom", None), ("sam_reed", None)]


def test_a_login_is_a_postgresql_role_name(plan: Invoke, db_url: str) -> None:
    assert refused(plan, "person", "update", "Tom Okafor", "--login", "x" * 64) == (
        "Error: the login can be at most 63 characters (this one has 64) — shorten it\n"
    )
    assert refused(plan, "person", "update", "Tom Okafor", "--login", "é" * 40) == (
        "Error: the login can be at most 63 bytes in UTF-8 (this one has 80) — shorten it: "
        "PostgreSQL cuts longer role names\n"
    )
    assert refused(plan, "person", "update", "Tom Okafor", "--login", "to\x07m").startswith(
        "Error: the login cannot hold control characters (U+0007)"
    )
    ok(plan, "person", "update", "Tom Okafor", "--login", "x" * 63)
    assert sql(db_url, "SELECT login FROM person WHERE name = 'Tom Okafor'") == [("x" * 63,)]


@SQLITE_ONLY
def test_who_may_set_a_login(plan: Invoke, db_url: str, not_dba: None) -> None:
    """The DBA, or an admin of every plan where the person holds a role."""
    ok(plan, "plan", "add", "Luton", "--authority", "Luton Borough Council")
    ok(plan, "person", "add", "Lu Admin")
    sql(db_url, "INSERT INTO access_grant (plan_id, person_id, role) VALUES (1, 1, 'admin')")
    sql(db_url, "INSERT INTO access_grant (plan_id, person_id, role) VALUES (2, 3, 'admin')")
    sql(db_url, "INSERT INTO access_grant (plan_id, person_id, role) VALUES (1, 2, 'manager')")
    said = ok(plan, "person", "update", "Tom Okafor", "--login", "tom", user="Priya Natarajan")
    assert said == "Person Tom Okafor: login — → tom.\n"
    # Luton's admin cannot map their login onto Peterborough's admin, nor onto Tom
    assert refused(
        plan, "person", "update", "Priya Natarajan", "--login", "lu", user="Lu Admin"
    ) == (
        "Error: Lu Admin may not set Priya Natarajan's login (they hold a role in plan "
        "Peterborough) — the database administrator or an admin of every plan they hold a "
        "role in can\n"
    )
    # and a manager corrects nobody
    assert refused(plan, "person", "update", "Lu Admin", "--login", "x", user="Tom Okafor") == (
        "Error: Tom Okafor may not correct people — the database file's owner or a plan admin can\n"
    )
    assert sql(db_url, "SELECT name, login FROM person WHERE login IS NOT NULL") == [
        ("Tom Okafor", "tom")
    ]


def test_removing_a_person_takes_their_roles_away_audited(plan: Invoke, db_url: str) -> None:
    ok(plan, "access", "grant", "Priya Natarajan", "admin")
    ok(plan, "access", "grant", "Tom Okafor", "lead", "--theme", "Front door")
    ok(plan, "access", "grant", "Tom Okafor", "viewer")
    before = len(grant_events(db_url))
    assert ok(plan, "person", "remove", "Tom Okafor") == "Removed Tom Okafor.\n"
    assert grants(db_url) == [("Priya Natarajan", "admin", None)]
    gone = grant_events(db_url)[before:]
    assert [(field, old, new) for _, _, field, old, new in gone] == [
        ("person", "Tom Okafor", None), ("role", "lead", None), ("theme", "Front door", None),
        ("person", "Tom Okafor", None), ("role", "viewer", None),
    ]  # fmt: skip
    verified = plan("db", "verify")
    assert verified.exit_code == 0, verified.output
