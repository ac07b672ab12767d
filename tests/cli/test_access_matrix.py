"""Who may do what, role by command, through the CLI on both databases (issue 13).

For each role (viewer, manager, lead of theme A, admin, nobody) every representative
command of each need is tried in turn: allowed means exit 0 and the change in the
database; refused means exit 1, the exact one-line error, and no row changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import access_world
from tests.access_world import (
    PEOPLE,
    PLAN,
    THEME_B,
    PgLogins,
    World,
    dump,
    grant,
    login_invoker,
    ok,
    world,
)
from tests.conftest import Invoke, sql

access = access_world.access  # the fixtures
pg_world_db = access_world.pg_world_db

READ = "a plan admin can grant a role (improveplan access grant)"
OWN = "its owner, its theme lead or a plan admin can"
THEME = "its theme lead or a plan admin can"
ADMIN = "a plan admin can (improveplan access list shows them)"
TRACKER = "Ref,Action,Lead officer,Due date\n20,Imported action,Olu Other,30/06/2030\n"


def _one(url: str, query: str) -> object:
    return sql(url, query)[0][0]


@dataclass(frozen=True)
class Case:
    """A command, the need it declares, and what in the database shows it ran."""

    key: str
    args: tuple[str, ...]
    need: str  # read, own, theme, admin
    done: Callable[[str], bool] = lambda url: True


def _cases(tracker: Path) -> list[Case]:
    title = "SELECT title FROM action WHERE ref = '{}'"
    return [
        Case("status", ("status",), "read"),
        Case("export", ("export", "--format", "json"), "read"),
        Case("update own", ("action", "update", "1", "--title", "Own, retitled"), "own",
             lambda u: _one(u, title.format("1")) == "Own, retitled"),
        Case("update in lead's theme", ("action", "update", "3", "--title", "Third, retitled"),
             "own", lambda u: _one(u, title.format("3")) == "Third, retitled"),
        Case("update in another theme", ("action", "update", "2", "--title", "Second, retitled"),
             "own", lambda u: _one(u, title.format("2")) == "Second, retitled"),
        Case("note", ("action", "note", "1", "Audits started"), "own",
             lambda u: _one(u, "SELECT count(*) FROM progress_note") == 1),
        Case("done", ("action", "done", "1"), "own",
             lambda u: _one(u, "SELECT status FROM action WHERE ref = '1'") == "complete"),
        Case("reassign", ("action", "update", "1", "--owner", "Olu Other"), "own",
             lambda u: _one(u, "SELECT p.name FROM action a JOIN person p ON p.id = a.owner_id"
                               " WHERE a.ref = '1'") == "Olu Other"),
        Case("cancel", ("action", "update", "3", "--status", "cancelled", "--reason", "Dup"),
             "own", lambda u: _one(u, "SELECT status FROM action WHERE ref = '3'") == "cancelled"),
        Case("add in theme A", ("action", "add", "New in A", "--owner", "Mona Manager", "--due",
             "2030-01-31", "--theme", "Front door", "--ref", "9"), "theme",
             lambda u: _one(u, "SELECT count(*) FROM action WHERE ref = '9'") == 1),
        Case("add in theme B", ("action", "add", "New in B", "--owner", "Olu Other", "--due",
             "2030-01-31", "--theme", THEME_B, "--ref", "10"), "theme",
             lambda u: _one(u, "SELECT count(*) FROM action WHERE ref = '10'") == 1),
        Case("signoff", ("action", "signoff", "4"), "theme",
             lambda u: _one(u, "SELECT status FROM action WHERE ref = '4'") == "signed_off"),
        Case("theme add", ("theme", "add", "Governance"), "admin",
             lambda u: _one(u, "SELECT count(*) FROM theme WHERE name = 'Governance'") == 1),
        Case("rec add", ("rec", "add", "R9", "Strengthen supervision."), "admin",
             lambda u: _one(u, "SELECT count(*) FROM recommendation WHERE ref = 'R9'") == 1),
        Case("import", ("import", str(tracker)), "admin",
             lambda u: _one(u, "SELECT count(*) FROM action WHERE ref = '20'") == 1),
        Case("plan update", ("plan", "update", PLAN, "--authority", "PCC"), "admin",
             lambda u: _one(u, "SELECT authority FROM plan") == "PCC"),
        Case("person add", ("person", "add", "New Person"), "people",
             lambda u: _one(u, "SELECT count(*) FROM person WHERE name = 'New Person'") == 1),
    ]  # fmt: skip


PATHS = {
    "own": OWN, "theme": THEME, "admin": ADMIN,
}  # fmt: skip
ROLE_WORDS = {"viewer": "a viewer", "manager": "a manager", "lead": "a lead", "admin": "an admin"}
PLAN_LEVEL = {  # which needs each role meets in the plan, before any action is looked at
    "viewer": {"read"},
    "manager": {"read", "own"},
    "lead": {"read", "own", "theme"},
    "admin": {"read", "own", "theme", "admin"},
    "nobody": set(),
}
# Refusals of one action, after the plan let the role in: (role, case) -> message.
ACTION_LEVEL = {
    (
        "manager",
        "update in lead's theme",
    ): f"Mona Manager may not run action update on action 3 — {OWN}",
    (
        "manager",
        "update in another theme",
    ): f"Mona Manager may not run action update on action 2 — {OWN}",
    ("manager", "reassign"): f"Mona Manager may not reassign action 1 — {THEME}",
    ("manager", "cancel"): f"Mona Manager may not run action update on action 3 — {OWN}",
    ("lead", "update in another theme"): f"Leo Lead may not run action update on action 2 — {OWN}",
    ("lead", "add in theme B"): f'Leo Lead may not add actions in theme "{THEME_B}" — {THEME}',
}


def expected(role: str, case: Case, server: bool) -> str | None:
    """The refusal `role` gets for `case`, or None when it is allowed."""
    who = PEOPLE[role]
    if case.need == "people":  # people are the DBA's or any plan admin's (SQLite: the owner)
        if not server or role == "admin":
            return None
        return f"{who} may not add people — the database administrator or a plan admin can"
    if role == "nobody":
        return f"{who} has no role in plan {PLAN} — {READ}"
    if case.need not in PLAN_LEVEL[role]:
        groups = {"action", "theme", "rec", "plan", "person"}
        command = " ".join(case.args[:2]) if case.args[0] in groups else case.args[0]
        return (
            f"{who} is {ROLE_WORDS[role]} of plan {PLAN} and may not run {command} — "
            f"{PATHS[case.need]}"
        )
    return ACTION_LEVEL.get((role, case.key))


@pytest.mark.parametrize("role", ["viewer", "manager", "lead", "admin", "nobody"])
def test_role_by_command(access: World, role: str, tmp_path: Path) -> None:
    tracker = tmp_path / "tracker.csv"
    tracker.write_text(TRACKER, "utf-8")
    run = access.as_(role)
    wrong = []
    for case in _cases(tracker):
        before = dump(access.url)
        result = run(*case.args)
        refusal = expected(role, case, access.server)
        if refusal is None:
            if result.exit_code != 0 or not case.done(access.url):
                wrong.append(
                    f"{case.key}: should be allowed, got {result.exit_code} {result.output}"
                )
        elif (result.exit_code, result.stderr) != (1, f"Error: {refusal}\n"):
            wrong.append(
                f"{case.key}: expected {refusal!r}, got {result.exit_code} {result.output!r}"
            )
        elif dump(access.url) != before:
            wrong.append(f"{case.key}: refused, but the database changed")
    assert wrong == []


def test_a_reader_sees_the_plan_and_changes_nothing(access: World) -> None:
    run = access.as_("viewer")
    listed = json.loads(ok(run("action", "list", "--format", "json")))
    assert [a["ref"] for a in listed] == ["1", "2", "3", "4"]
    for args in (("plan", "show"), ("theme", "list"), ("rec", "list"), ("timeline",),
                 ("overdue",), ("action", "show", "1"), ("action", "history", "1"),
                 ("milestone", "list"), ("measure", "list"), ("inspection", "list")):  # fmt: skip
        assert run(*args).exit_code == 0, args


def test_a_lead_moves_an_action_only_into_a_theme_they_lead(access: World) -> None:
    before = dump(access.url)
    moved = access.as_("lead")("action", "update", "3", "--theme", THEME_B)
    assert moved.exit_code == 1
    assert moved.stderr == f'Error: Leo Lead may not move action 3 in theme "{THEME_B}" — {THEME}\n'
    out = access.as_("lead")("action", "update", "3", "--theme", "none")
    assert out.stderr == f"Error: Leo Lead may not move action 3 with no theme — {ADMIN}\n"
    assert dump(access.url) == before
    grant(access.url, "lead", "lead", THEME_B)
    ok(access.as_("lead")("action", "update", "3", "--theme", THEME_B))


def test_a_manager_may_not_reopen_what_is_done(access: World) -> None:
    run = access.as_("manager")
    ok(run("action", "done", "1"))
    before = dump(access.url)
    back = run("action", "update", "1", "--status", "in-progress", "--reason", "Not yet")
    assert back.stderr == f"Error: Mona Manager may not reopen action 1 — {THEME}\n"
    reopen = run("action", "reopen", "1", "--reason", "Not yet")
    assert reopen.stderr == (
        f"Error: Mona Manager is a manager of plan {PLAN} and may not run action reopen — {THEME}\n"
    )
    assert dump(access.url) == before
    ok(access.as_("lead")("action", "reopen", "1", "--reason", "Not yet"))


def test_plan_list_shows_only_the_plans_with_a_role(access: World) -> None:
    sql(access.url, "INSERT INTO plan (name, authority, created_at, allow_self_signoff) "
        "VALUES ('Luton', 'Luton Council', '2025-01-01', false)")  # fmt: skip
    names = [
        p["name"] for p in json.loads(ok(access.as_("viewer")("plan", "list", "--format", "json")))
    ]
    assert names == [PLAN]
    assert json.loads(ok(access.as_("nobody")("plan", "list", "--format", "json"))) == []
    shown = access.as_("viewer")("plan", "show", "Luton")
    assert shown.stderr == f"Error: Vera Viewer has no role in plan Luton — {READ}\n"


def test_mine_is_the_person_the_tool_takes_you_to_be(access: World) -> None:
    mine = json.loads(ok(access.as_("manager")("action", "list", "--mine", "--format", "json")))
    assert [a["ref"] for a in mine] == ["1"]


def test_no_grants_no_checks(run: Invoke, db_url: str) -> None:
    """A database with no grant lets `--user anyone` do everything, as before roles."""
    anyone = {"user": "Somebody Random"}
    ok(run("plan", "add", PLAN, "--authority", "PCC", **anyone))
    ok(run("person", "add", "Olu Other", **anyone))
    ok(run("theme", "add", "Front door", **anyone))
    ok(run("action", "add", "A", "--owner", "Olu Other", "--due", "2030-01-31", **anyone))
    ok(run("action", "done", "1", **anyone))
    ok(run("action", "signoff", "1", **anyone))  # the completer signs off: nothing is checked
    ok(run("plan", "update", PLAN, "--authority", "P", **anyone))
    assert _one(db_url, "SELECT status FROM action") == "signed_off"


@pytest.mark.postgres
def test_postgres_dba_only_commands(pg_world_db: PgLogins) -> None:
    made = world("postgres", None, pg_world_db)
    before = dump(made.url)
    added = made.as_("admin")("plan", "add", "Luton", "--authority", "Luton Council")
    assert added.stderr == (
        "Error: Ada Admin may not add plans — the database administrator can "
        "(a superuser or the database's owner)\n"
    )
    upgrade = made.as_("admin")("db", "upgrade")
    login = made.logins["admin"]
    assert upgrade.stderr == (
        f"Error: login {login} may not upgrade the database — the database administrator "
        "can (a superuser or the database's owner)\n"
    )
    person = made.as_("lead")("person", "update", "Olu Other", "--team", "X")
    assert person.stderr == (
        "Error: Leo Lead may not correct people — the database administrator or a plan admin can\n"
    )
    assert made.as_("viewer")("db", "current").exit_code == 0
    assert made.as_("viewer")("db", "verify").exit_code == 0
    assert dump(made.url) == before
    ok(made.as_("admin")("person", "update", "Olu Other", "--team", "X"))
    dba = login_invoker(made.url)  # the superuser, as itself
    ok(dba("plan", "add", "Luton", "--authority", "Luton Council"))
    listed = json.loads(ok(dba("plan", "list", "--format", "json")))
    assert [p["name"] for p in listed] == ["Luton", PLAN]  # a PostgreSQL DBA sees every plan


@pytest.mark.postgres
def test_postgres_user_is_refused_unless_an_admin_acts_for_someone(pg_world_db: PgLogins) -> None:
    made = world("postgres", None, pg_world_db)
    manager = made.logins["manager"]
    before = dump(made.url)
    spoofed = made.as_("manager")("--user", "Ada Admin", "action", "note", "2", "Spoof")
    assert spoofed.stderr == (
        f"Error: --user Ada Admin is refused: login {manager} acts only as Mona Manager — "
        "drop --user and IMPROVEPLAN_USER; only a plan admin may act for someone\n"
    )
    assert dump(made.url) == before
    admin = made.as_("admin")
    mine = json.loads(ok(admin("--user", "Mona Manager", "action", "list", "--mine",
                               "--format", "json")))  # fmt: skip
    assert [a["ref"] for a in mine] == ["1"]
    ok(admin("--user", "Mona Manager", "action", "note", "1", "For Mona"))
    assert sql(made.url, "SELECT actor, login FROM audit_event WHERE entity = 'progress_note'") == [
        ("Ada Admin acting for Mona Manager", made.logins["admin"])
    ]
