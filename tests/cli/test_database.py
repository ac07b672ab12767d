"""init and the db group, and the errors every command shares."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from improveplan.store import migrate
from improveplan.store.engine import to_url
from tests.conftest import Invoke, make_invoker


def test_init_creates_a_private_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "plan.db"
    result = make_invoker(str(path))("init")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Database ready at {path} (schema {migrate.HEAD}).\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_init_twice_keeps_rows(run_fresh: Invoke) -> None:
    assert run_fresh("init").exit_code == 0
    assert run_fresh("plan", "add", "P", "--authority", "A").exit_code == 0
    again = run_fresh("init")
    assert again.exit_code == 0, again.output
    listed = run_fresh("plan", "list", "--format", "csv")
    assert listed.stdout == "name,authority,la_code,recommendations,actions,lead\nP,A,,0,0,\n"


def test_missing_database_says_run_init(tmp_path: Path) -> None:
    path = tmp_path / "absent.db"
    result = make_invoker(str(path))("plan", "list")
    assert result.exit_code == 1
    assert result.stderr == f"Error: no database at {path} — run improveplan init\n"
    assert not path.exists()


def test_empty_schema_says_run_init(run_fresh: Invoke, fresh_db_url: str) -> None:
    if "://" not in fresh_db_url:
        Path(fresh_db_url).touch()
    result = run_fresh("plan", "list")
    assert result.exit_code == 1
    assert result.stderr == "Error: the database has no improveplan schema — run improveplan init\n"


def test_older_schema_asks_for_upgrade(run: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    head = migrate.HEAD
    monkeypatch.setattr(migrate, "KNOWN_REVISIONS", (*migrate.KNOWN_REVISIONS, "9998"))
    monkeypatch.setattr(migrate, "HEAD", "9998")
    result = run("plan", "list")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the database schema is older ({head}) than this program (9998)"
        " — run improveplan db upgrade\n"
    )


def _stamp(url: str, revision: str) -> None:
    engine = create_engine(to_url(url))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


def test_newer_schema_is_refused(run: Invoke, db_url: str) -> None:
    _stamp(db_url, "9999")
    for args in (("plan", "list"), ("init",), ("db", "upgrade")):
        result = run(*args)
        assert result.exit_code == 1, args
        assert result.stderr == (
            f"Error: the database schema (9999) is newer than this program ({migrate.HEAD})"
            " — upgrade improveplan (pip install -U improveplan)\n"
        )
        assert "Traceback" not in result.output


def test_unreachable_server_masks_the_password() -> None:
    url = "postgresql://planner:s3cret-pw@127.0.0.1:1/improveplan"
    result = make_invoker(url)("plan", "list")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: cannot connect to postgresql+psycopg://planner:***@127.0.0.1:1/improveplan"
        " — check that the server is running and the URL is right\n"
    )
    assert "s3cret" not in result.output


def test_db_current_and_check(run: Invoke, backend: str) -> None:
    current = run("db", "current")
    assert current.exit_code == 0
    assert f"revision: {migrate.HEAD} (program head {migrate.HEAD}, up to date)" in current.stdout
    check = run("db", "check")
    assert check.exit_code == 0, check.output
    expected = ["ok  schema at head (0007)"]
    expected += (
        ["ok  integrity check ok", "ok  foreign keys ok"]
        if backend == "sqlite"
        else ["ok  server answers"]
    )
    expected.append("ok  audit trail: 0 events in 0 chains verify")
    assert check.stdout.splitlines() == expected


def test_db_upgrade_on_current_is_a_no_op(run: Invoke) -> None:
    result = run("db", "upgrade")
    assert result.exit_code == 0
    assert "is at schema 0007 (head)" in result.stderr


def test_backup_copies_sqlite(plan_run: Invoke, tmp_path: Path, backend: str) -> None:
    dest = tmp_path / "copy.db"
    result = plan_run("db", "backup", str(dest))
    if backend == "postgres":
        assert result.exit_code == 1
        assert (
            result.stderr
            == "Error: db backup copies SQLite files only — back up PostgreSQL with pg_dump\n"
        )
        return
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    listed = make_invoker(str(dest))("plan", "list", "--format", "csv")
    assert listed.stdout.splitlines()[1] == "Peterborough,Peterborough City Council,874,0,0,"
    again = plan_run("db", "backup", str(dest))
    assert again.exit_code == 1
    assert again.stderr == f"Error: {dest} already exists — choose a new file name\n"


def test_help_does_not_import_sqlmodel() -> None:
    code = (
        "import sys\n"
        "from improveplan.cli.main import cli\n"
        "try:\n    cli(['--help'], prog_name='improveplan')\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('sqlmodel', 'sqlalchemy', 'pendulum', 'rich', 'jinja2', 'pypdf', 'openpyxl', 'weasyprint') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout


def test_python_m_and_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "improveplan", "--version"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ},
    )
    assert out.stdout.startswith("improveplan, version ")


def test_unknown_option_is_a_usage_error(run: Invoke) -> None:
    result = run("plan", "list", "--colour")
    assert result.exit_code == 2
    assert "Error: No such option '--colour'." in result.stderr
