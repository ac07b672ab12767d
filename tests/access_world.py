"""A plan with one person per role, for the tests of who may do what (docs/design.md §5).

Peterborough has two themes, Front door (A) and Care leavers (B), and four actions:
1 is Mona Manager's in A, 2 is Olu Other's in B, 3 is Olu's in A, 4 is Olu's in A and
complete (Olu marked it done). The world is built with no grant in the database (so
nothing is checked), then the grants are written with SQL, as `access grant` would.

On SQLite a role acts with `--user NAME`. On PostgreSQL it acts as a real login role,
made for this run (`ip_<uuid8>_<role>`), mapped to its person by `person.login`, with no
`--user`: the tool takes the login for who it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import (
    Invoke,
    _pg_admin,
    _pg_admin_url,
    _truncate,
    create_pg_database,
    drop_pg_database,
    make_invoker,
    migrate,
    sql,
)

PLAN = "Peterborough"
THEME_A, THEME_B = "Front door", "Care leavers"
DUE = "2030-06-30"

# Who holds which role: (person, role, theme led). Nora has none; Olu and Lee are
# people the actions need (Lee leads theme B, so he is "another lead" to Leo).
PEOPLE = {
    "viewer": "Vera Viewer",
    "manager": "Mona Manager",
    "lead": "Leo Lead",
    "admin": "Ada Admin",
    "nobody": "Nora Nobody",
    "other": "Olu Other",
    "lead_b": "Lee Other",
}
GRANTS = (
    ("viewer", "viewer", None),
    ("manager", "manager", None),
    ("manager", "manager", None),  # a second grant of the same role changes nothing
    ("lead", "lead", THEME_A),
    ("lead_b", "lead", THEME_B),
    ("admin", "admin", None),
)
ACTIONS = (
    ("1", "Own action", "manager", THEME_A),
    ("2", "Other theme", "other", THEME_B),
    ("3", "Lead's theme", "other", THEME_A),
    ("4", "To sign off", "other", THEME_A),
)
TABLES = (
    "plan",
    "person",
    "theme",
    "recommendation",
    "action",
    "action_recommendation",
    "progress_note",
    "audit_event",
    "access_grant",
)


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def build(run: Invoke) -> None:
    """The plan, its people, themes and actions, with no grant yet (nothing checked)."""
    ok(run("plan", "add", PLAN, "--authority", "Peterborough City Council"))
    for name in PEOPLE.values():
        ok(run("person", "add", name))
    ok(run("theme", "add", THEME_A))
    ok(run("theme", "add", THEME_B))
    for ref, title, owner, theme in ACTIONS:
        ok(run("action", "add", title, "--owner", PEOPLE[owner], "--due", DUE,
               "--theme", theme, "--ref", ref))  # fmt: skip
    ok(run("action", "done", "4", user=PEOPLE["other"]))


def grant(url: str, key: str, role: str, theme: str | None = None) -> None:
    """One grant written with SQL, as `access grant` would."""
    sql(
        url,
        "INSERT INTO access_grant (plan_id, person_id, role, theme_id) VALUES ("
        "(SELECT id FROM plan WHERE name = :plan), (SELECT id FROM person WHERE name = :person),"
        " :role, (SELECT id FROM theme WHERE name = :theme))",
        plan=PLAN,
        person=PEOPLE[key],
        role=role,
        theme=theme,
    )


def grant_all(url: str) -> None:
    for key, role, theme in GRANTS:
        grant(url, key, role, theme)


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row a command could change, to compare before and after a refusal."""
    return {t: sql(url, f'SELECT * FROM "{t}" ORDER BY 1') for t in TABLES}


@dataclass
class World:
    """A built plan on one backend, and how each person invokes the tool there."""

    url: str  # the owner's (SQLite file, or the PostgreSQL admin URL)
    backend: str
    logins: dict[str, str] = field(default_factory=dict)  # PostgreSQL: key -> login

    @property
    def server(self) -> bool:
        return self.backend == "postgres"

    def setup(self) -> Invoke:
        """The invoker that built the world (the file's owner, or the superuser)."""
        return make_invoker(self.url)

    def as_(self, key: str) -> Invoke:
        """Invoke as this person: `--user NAME` on SQLite, their own login on PostgreSQL."""
        if not self.server:
            run = make_invoker(self.url)
            return lambda *args, **kw: run(*args, user=PEOPLE[key], **kw)
        return login_invoker(self.login_url(self.logins[key]))

    def login_url(self, login: str) -> str:
        from sqlalchemy import make_url

        url = make_url(self.url).set(username=login, password=None)
        return url.render_as_string(hide_password=False)

    def map_logins(self) -> None:
        for key, login in self.logins.items():
            sql(self.url, "UPDATE person SET login = :l WHERE name = :n", l=login, n=PEOPLE[key])


def login_invoker(url: str) -> Invoke:
    """Invoke improveplan on `url` with no --user: the login is who acts."""
    from improveplan.cli.main import cli

    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None, **kw: Any) -> Any:
        return runner.invoke(cli, ["--db", url, *args], env=env, prog_name="improveplan", **kw)

    return invoke


@dataclass
class PgLogins:
    """A PostgreSQL database of its own and one login role per person, for a module."""

    url: str
    logins: dict[str, str]


def pg_logins() -> Iterator[PgLogins]:
    """Create the database and the login roles; drop them all at the end, even on failure."""
    url = create_pg_database()
    stem = f"ip_{uuid.uuid4().hex[:8]}"
    logins = {key: f"{stem}_{key}" for key in PEOPLE}
    made: list[str] = []
    try:
        migrate(url)
        for login in logins.values():
            _pg_admin(f'CREATE ROLE "{login}" LOGIN')
            made.append(login)
        names = ", ".join(f'"{login}"' for login in made)
        sql(url, f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {names}")
        sql(url, f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {names}")
        yield PgLogins(url=url, logins=logins)
    finally:
        for login in made:
            sql(url, f'DROP OWNED BY "{login}"')
        drop_pg_database(url)
        for login in made:
            _pg_admin(f'DROP ROLE IF EXISTS "{login}"')


def world(backend: str, sqlite_url: str | None, pg: PgLogins | None) -> World:
    """A freshly built world with every grant in place and logins mapped."""
    if backend == "postgres":
        assert pg is not None
        _truncate(pg.url)
        made = World(url=pg.url, backend=backend, logins=pg.logins)
    else:
        assert sqlite_url is not None
        made = World(url=sqlite_url, backend=backend)
    build(made.setup())
    grant_all(made.url)
    made.map_logins()
    return made


@pytest.fixture(scope="module")
def pg_world_db() -> Iterator[PgLogins]:
    """One PostgreSQL database and its login roles for the module's tests."""
    if _pg_admin_url() is None:
        pytest.skip("PostgreSQL tests need IMPROVEPLAN_TEST_POSTGRES_URL")
    yield from pg_logins()


@pytest.fixture
def access(backend: str, request: pytest.FixtureRequest) -> World:
    """The built world on the backend under test (import it with pg_world_db)."""
    if backend == "postgres":
        return world(backend, None, request.getfixturevalue("pg_world_db"))
    return world(backend, str(request.getfixturevalue("db_url")), None)
