"""Database lifecycle: create, upgrade, report and check the schema, back up."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from improveplan.errors import DatabaseError, ImproveplanError
from improveplan.services.context import App
from improveplan.store import migrate
from improveplan.store.engine import create_sqlite_file, sqlite_path


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaReport:
    """Where the schema stands: the revision in the database against this program's head."""

    database: str
    revision: str | None
    head: str
    state: migrate.SchemaState


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckReport:
    """The checks `db check` passed, in the order run (a failure raises instead)."""

    passed: list[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class BackupReport:
    """Where `db backup` wrote the copy (a directory destination gets the file's name)."""

    source: Path
    written: Path


def init(app: App) -> SchemaReport:
    """Create the database (mode 0600 for SQLite) or bring it to head; keeps every row."""
    path = sqlite_path(app.url)
    migrate.script_folder()  # a broken install stops here, before a file is created
    if path is not None and not path.exists():
        create_sqlite_file(path)
    migrate.upgrade(app.raw_engine())
    return current(app)


def upgrade(app: App) -> SchemaReport:
    """Bring an existing database to head; refuses to create one (that is `init`)."""
    path = sqlite_path(app.url)
    if path is not None and not path.exists():
        raise DatabaseError(f"no database at {path}", "run improveplan init")
    migrate.upgrade(app.raw_engine())
    return current(app)


def current(app: App) -> SchemaReport:
    """The schema's revision and state, without refusing an old or new one."""
    path = sqlite_path(app.url)
    if path is not None and not path.exists():
        raise DatabaseError(f"no database at {path}", "run improveplan init")
    revision = migrate.current_revision(app.raw_engine())
    return SchemaReport(
        database=app.shown_db,
        revision=revision,
        head=migrate.HEAD,
        state=migrate.schema_state(revision),
    )


def check(app: App) -> CheckReport:
    """Integrity and schema checks; returns what passed, raises on the first failure."""
    engine = app.engine()  # refuses missing, old and new schemas
    passed = [f"schema at head ({migrate.HEAD})"]
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            result = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
            if result != ["ok"]:
                raise DatabaseError(
                    f"integrity check failed: {'; '.join(result[:3])}",
                    "restore from a backup (improveplan db backup makes one)",
                )
            passed.append("integrity check ok")
            broken = list(conn.exec_driver_sql("PRAGMA foreign_key_check"))
            if broken:
                raise DatabaseError(
                    f"{len(broken)} rows break foreign keys", "restore from a backup"
                )
            passed.append("foreign keys ok")
        else:
            conn.exec_driver_sql("SELECT 1")
            passed.append("server answers")
    return CheckReport(passed=passed)


def backup(app: App, dest: Path) -> BackupReport:
    """A consistent copy of a SQLite database (the online backup API), mode 0600."""
    source = sqlite_path(app.url)
    if source is None:
        raise ImproveplanError(
            "db backup copies SQLite files only", "back up PostgreSQL with pg_dump"
        )
    app.engine()
    if dest.is_dir():
        dest = dest / source.name
    if dest.exists():
        raise ImproveplanError(f"{dest} already exists", "choose a new file name")
    create_sqlite_file(dest)
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(dest)) as out:
            src.backup(out)
    except sqlite3.Error as exc:
        os.unlink(dest)
        raise DatabaseError(f"backup failed: {exc}", "check the destination and retry") from exc
    return BackupReport(source=source, written=dest)
