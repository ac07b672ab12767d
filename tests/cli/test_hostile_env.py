"""Broken environments get one line each: config of the wrong type, a damaged or foreign
database file, a URL of another scheme, a password holding `@` (docs/design.md §5).

The rule every case checks: exit 1 (2 for usage), one `Error:` line on stderr, no
traceback, and the file the user pointed at left exactly as it was.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import Invoke, make_invoker


def one_error(result: Result, start: str) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Error: {start}"), lines[0]
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rag = 5\n", "configuration rag = 5 is not a [table] of settings"),
        ("[smtp]\nhost = 5\n", "configuration smtp.host = 5 is not text (put it in quotes)"),
        ("[smtp]\nport = 70000\n", "configuration smtp.port = 70000 is not a whole number from 1"),
        ("[rag]\namber_days = true\n", "configuration rag.amber_days = true is not a whole number"),
        ("[rag]\namber_days = -3\n", "configuration rag.amber_days = -3 is not a whole number"),
        ("[notify]\ndue_soon_days = 1.5\n", "configuration notify.due_soon_days = 1.5 is not"),
        ("plan = 874\n", "configuration plan = 874 is not text"),
        ("[smtp]\nstarttls = 1\n", "configuration smtp.starttls = 1 is not true or false"),
    ],
)
def test_config_value_of_the_wrong_type_names_its_key(
    plan_run: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text, "utf-8")
    monkeypatch.setenv("IMPROVEPLAN_CONFIG", str(config))
    line = one_error(plan_run("status", "--as-of", "2025-03-31"), message)
    assert line.endswith("— fix config.toml or the environment")


def test_config_file_not_utf8(
    plan_run: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b'plan = "Peterb\xf6rough"\n')
    monkeypatch.setenv("IMPROVEPLAN_CONFIG", str(config))
    one_error(plan_run("plan", "list"), f"configuration {config} is not UTF-8 text")


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 200)
    before = digest(path)
    run = make_invoker(str(path))
    for args in (
        ("plan", "list"),
        ("db", "check"),
        ("action", "add", "x", "--owner", "Ann", "--due", "2025-01-01"),
    ):
        one_error(run(*args), f"{path} is not an improveplan database")
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_a_damaged_database_says_so(sqlite_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "improveplan.db"
    shutil.copyfile(sqlite_template, path)
    run = make_invoker(str(path))
    assert run("plan", "add", "Peterborough", "--authority", "PCC").exit_code == 0
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page after the header's
    path.write_bytes(bytes(data))
    line = one_error(run("plan", "list"), f"{path} is damaged (")
    assert "restore it from a backup" in line


@pytest.mark.parametrize(
    "url", ["mysql://u:secret@localhost/plans", "oracle+cx://u@h/x", "MSSQL://h/x"]
)
def test_other_database_schemes_are_refused(url: str) -> None:
    line = one_error(make_invoker(url)("plan", "list"), "")
    assert "databases are not supported — give a file path" in line
    assert "secret" not in line


def test_a_password_holding_at_signs_is_masked_whole() -> None:
    run = make_invoker("postgresql://ann:Top@Secret99@127.0.0.1:1/plans")
    line = one_error(
        run("plan", "list"), "cannot connect to postgresql+psycopg://ann:***@127.0.0.1:1/plans"
    )
    assert "Secret99" not in line and "Top" not in line


def test_password_with_at_sign_is_used_whole() -> None:
    from improveplan.store.engine import masked, to_url

    url = to_url("postgresql://ann:Top@Secret99@db.example.org:5433/plans")
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "ann", "Top@Secret99", "db.example.org", 5433, "plans",
    )  # fmt: skip
    assert masked(url) == "postgresql+psycopg://ann:***@db.example.org:5433/plans"


def test_mask_text_hides_passwords_in_driver_messages() -> None:
    from improveplan.store.errors import mask_text

    text = 'connection to "postgresql://ann:Top@Secret99@h/x" failed'
    assert mask_text(text) == 'connection to "postgresql://ann:***@h/x" failed'


@pytest.mark.postgres
def test_postgres_sessions_give_up_on_locks(pg_database: str) -> None:
    """A row another session holds fails after SQLite's busy timeout, never hangs."""
    from improveplan.store.engine import make_engine, to_url

    engine = make_engine(to_url(pg_database))
    with engine.connect() as conn:
        lock = conn.exec_driver_sql("SHOW lock_timeout").scalar()
        statement = conn.exec_driver_sql("SHOW statement_timeout").scalar()
    engine.dispose()
    assert (lock, statement) == ("1min", "5min")


@pytest.mark.slow
def test_a_locked_action_is_one_line_after_the_busy_timeout(plan_run: Invoke, db_url: str) -> None:
    """Another session holds the action's row (SQLite: the write lock) for longer than the
    60 s busy timeout: the update gives up with one line and changes nothing."""
    from sqlalchemy import create_engine, text

    from improveplan.store.engine import to_url

    added = plan_run("action", "add", "Audit files", "--owner", "Tom Okafor", "--due", "2025-06-30")
    assert added.exit_code == 0, added.output
    holder = create_engine(to_url(db_url))
    with holder.connect() as conn:
        if holder.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.begin()
        conn.execute(text("SELECT id FROM action WHERE ref = '1' FOR UPDATE")
                     if holder.dialect.name != "sqlite" else text("SELECT 1"))  # fmt: skip
        result = plan_run("action", "update", "1", "--title", "Audit every file")
        conn.rollback()
    holder.dispose()
    assert (result.exit_code, result.stderr) == (
        1, "Error: the database stayed busy for 60 seconds — retry the command\n"
    )  # fmt: skip
    shown = plan_run("action", "show", "1", "--format", "json")
    assert '"title": "Audit files"' in shown.stdout
