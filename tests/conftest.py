"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

`db_url` is parametrised over both backends. PostgreSQL needs
`IMPROVEPLAN_TEST_POSTGRES_URL` (a server URL whose user may create databases); each
test run creates its own database, migrated once, emptied before every test and dropped
at the end. Without the variable the PostgreSQL half skips, saying why.

The Ofsted reports Ofsted published live beside the clone, in `../shared/ofsted-reports`
(CI lays ../shared there; `IMPROVEPLAN_TEST_SHARED` names another place). A lone clone has
none: the tests that read them skip, saying where they looked, and the import is still
tested end to end on reports the tests generate (`tests/pdfs.py`).

Hypothesis runs without deadlines: on a loaded two-core machine an example's time says
nothing about the code. `CI` set loads the "ci" profile, otherwise "dev" (or name one with
`HYPOTHESIS_PROFILE`); a test's own settings may change only how many examples it runs.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, settings

PG_ENV = "IMPROVEPLAN_TEST_POSTGRES_URL"
PG_SKIP = f"PostgreSQL tests need {PG_ENV} (e.g. postgresql://postgres@127.0.0.1:5432/test)"
# Read once at import: the autouse fixture below clears IMPROVEPLAN_* for every test.
SHARED_ENV = "IMPROVEPLAN_TEST_SHARED"
SHARED = Path(
    os.environ.get(SHARED_ENV) or Path(__file__).resolve().parents[1].parent / "shared"
).resolve()
REPORTS = SHARED / "ofsted-reports"
EXPECTED = REPORTS / "expected.json"
NO_REPORTS = (
    f"the published Ofsted reports are not at {REPORTS} (CI provides ../shared beside the "
    f"clone; {SHARED_ENV} names another place)"
)
needs_reports = pytest.mark.skipif(not EXPECTED.is_file(), reason=NO_REPORTS)
SIF_REPORTS = SHARED / "ofsted-reports-sif"
SIF_EXPECTED = SIF_REPORTS / "expected.json"
NO_SIF = f"the SIF (2013–2018) Ofsted reports are not at {SIF_REPORTS} ({SHARED_ENV} names another place)"

# "ci" as recent Hypothesis defines it (older ones lack it): the same examples every run.
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", settings.get_profile("dev"), derandomize=True, database=None, print_blob=True
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


def expected_reports() -> list[dict[str, Any]]:
    """What `expected.json` says each published report holds; skips the test without it."""
    if not EXPECTED.is_file():
        pytest.skip(NO_REPORTS)
    entries: list[dict[str, Any]] = json.loads(EXPECTED.read_text("utf-8"))
    return entries


def published_reports() -> list[Any]:
    """One parameter per published report, or one skipped parameter that says why."""
    if not EXPECTED.is_file():
        return [pytest.param({}, marks=pytest.mark.skip(reason=NO_REPORTS), id="no-reports")]
    return [pytest.param(entry, id=entry["file"]) for entry in expected_reports()]


def sif_reports() -> list[Any]:
    """One parameter per SIF report of ../shared, or one skipped parameter that says why."""
    if not SIF_EXPECTED.is_file():
        return [pytest.param({}, marks=pytest.mark.skip(reason=NO_SIF), id="no-sif-reports")]
    entries = json.loads(SIF_EXPECTED.read_text("utf-8"))["reports"]
    return [pytest.param(entry, id=entry["file"]) for entry in entries]


def _pg_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def _pg_admin(sql: str) -> None:
    from sqlalchemy import create_engine

    from improveplan.store.engine import to_url

    url = _pg_admin_url()
    assert url is not None
    engine = create_engine(to_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(sql)
    engine.dispose()


def create_pg_database() -> str:
    """A new, empty PostgreSQL database; returns its URL."""
    from improveplan.store.engine import to_url

    name = f"improveplan_test_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    admin = _pg_admin_url()
    assert admin is not None
    return to_url(admin).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    from sqlalchemy import make_url

    name = make_url(url).database
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(url: str) -> None:
    from improveplan.store.engine import make_engine, to_url
    from improveplan.store.migrate import upgrade

    engine = make_engine(to_url(url))
    upgrade(engine)
    engine.dispose()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's config, database or clock by accident."""
    for name in list(os.environ):
        if name.startswith("IMPROVEPLAN_") and name != PG_ENV:
            monkeypatch.delenv(name)
    monkeypatch.setenv("IMPROVEPLAN_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate(str(path))
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    if _pg_admin_url() is None:
        pytest.skip(PG_SKIP)
    url = create_pg_database()
    try:
        migrate(url)
        yield url
    finally:
        drop_pg_database(url)


def _truncate(url: str) -> None:
    from sqlalchemy import create_engine

    from improveplan.store.migrate import HEAD
    from improveplan.store.models import metadata

    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{HEAD}'")
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and _pg_admin_url() is None:
        pytest.skip(PG_SKIP)
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database on the backend under test."""
    if backend == "postgres":
        url = str(request.getfixturevalue("pg_database"))
        _truncate(url)
        return url
    path = tmp_path / "improveplan.db"
    shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    path.chmod(0o600)
    return str(path)


@pytest.fixture
def fresh_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with no schema yet (for init and error tests)."""
    if backend == "postgres":
        url = create_pg_database()
        try:
            yield url
        finally:
            drop_pg_database(url)
    else:
        yield str(tmp_path / "fresh.db")


Invoke = Callable[..., Result]


def make_invoker(url: str) -> Invoke:
    from improveplan.cli.main import cli

    runner = CliRunner()

    def invoke(
        *args: str, user: str = "tester", env: dict[str, str] | None = None, **kw: Any
    ) -> Result:
        return runner.invoke(
            cli, ["--db", url, "--user", user, *args], env=env, prog_name="improveplan", **kw
        )

    return invoke


def sql(url: str, query: str, **params: Any) -> list[tuple[Any, ...]]:
    """Run one statement on a test database (reads, and fixtures other commands own)."""
    from sqlalchemy import create_engine, text

    from improveplan.store.engine import to_url

    engine = create_engine(to_url(url))
    with engine.begin() as conn:
        result = conn.execute(text(query), params)
        rows = [tuple(r) for r in result] if result.returns_rows else []
    engine.dispose()
    return rows


@pytest.fixture
def run(db_url: str) -> Invoke:
    """Invoke improveplan on the test database: run("plan", "list")."""
    return make_invoker(db_url)


@pytest.fixture
def run_fresh(fresh_db_url: str) -> Invoke:
    return make_invoker(fresh_db_url)


@pytest.fixture
def plan_run(run: Invoke) -> Invoke:
    """`run` on a database holding one plan, Peterborough, and two people."""
    for args in (
        (
            "plan",
            "add",
            "Peterborough",
            "--authority",
            "Peterborough City Council",
            "--la-code",
            "874",
        ),
        (
            "person",
            "add",
            "Priya Natarajan",
            "--email",
            "priya@example.org",
            "--role",
            "Head of Service",
        ),
        ("person", "add", "Tom Okafor", "--email", "tom@example.org", "--team", "Care Leavers"),
    ):
        result = run(*args)
        assert result.exit_code == 0, result.output
    return run
