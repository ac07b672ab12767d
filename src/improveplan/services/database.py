"""Database lifecycle: create, upgrade, report and check the schema, back up."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from improveplan.errors import DatabaseError, ImproveplanError
from improveplan.services import access
from improveplan.services.audit_verify import verify
from improveplan.services.context import App
from improveplan.store import migrate
from improveplan.store.engine import (
    create_sqlite_file,
    integrity_problems,
    make_engine,
    sqlite_path,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaReport:
    """Where the schema stands: the revision in the database against this program's head."""

    database: str
    revision: str | None
    head: str
    state: migrate.SchemaState


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckReport:
    """The checks `db check` passed, in order, or the damage SQLite's integrity check
    found (then nothing passed). Any other failure raises instead."""

    database: str
    passed: list[str]
    problems: list[str] = field(default_factory=list)
    broken_trail: DatabaseError | None = None  # the audit chain's first break

    def failure(self) -> DatabaseError | None:
        """The one line to end with when the check found damage."""
        if not self.problems:
            return self.broken_trail
        count = len(self.problems)
        return DatabaseError(
            f"{self.database} is damaged ({count} problem{'s' if count > 1 else ''}"
            " found by SQLite's integrity check)",
            "restore it from a backup",
        )


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
    access.require_dba_to_upgrade(app, app.raw_engine())
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
    """Integrity, then schema and foreign keys; reports damage found, raises on others.

    On SQLite the integrity check runs first, on its own connection, so a damaged file
    gets its findings listed instead of failing on the first damaged page read.
    """
    path = sqlite_path(app.url)
    if path is None:
        app.engine()  # refuses missing, old and new schemas
        passed = [f"schema at head ({migrate.HEAD})", "server answers"]
        return _with_trail(app, passed)
    if not path.exists():
        raise DatabaseError(f"no database at {path}", "run improveplan init")
    probe = make_engine(app.url)
    try:
        problems = integrity_problems(probe)
    finally:
        probe.dispose()
    if problems:
        return CheckReport(database=app.shown_db, passed=[], problems=problems)
    engine = app.engine()
    with engine.connect() as conn:
        broken = list(conn.exec_driver_sql("PRAGMA foreign_key_check"))
    if broken:
        raise DatabaseError(f"{len(broken)} rows break foreign keys", "restore from a backup")
    passed = [f"schema at head ({migrate.HEAD})", "integrity check ok", "foreign keys ok"]
    return _with_trail(app, passed)


def _with_trail(app: App, passed: list[str]) -> CheckReport:
    """The checks passed, then the audit trail's: verified, or its first break."""
    try:
        trail = verify(app)
    except DatabaseError as exc:
        return CheckReport(database=app.shown_db, passed=passed, broken_trail=exc)
    return CheckReport(database=app.shown_db, passed=[*passed, trail.line()])


def backup(app: App, dest: Path) -> BackupReport:
    """A consistent copy of a SQLite database (the online backup API), mode 0600."""
    source = sqlite_path(app.url)
    if source is None:
        raise ImproveplanError(
            "db backup copies SQLite files only", "back up PostgreSQL with pg_dump"
        )
    engine = app.engine()
    access.require_dba(app, "back up the database")
    if dest.is_dir():
        dest = dest / source.name
    if dest.exists():
        raise ImproveplanError(f"{dest} already exists", "choose a new file name")
    create_sqlite_file(dest)
    try:
        # Through the engine's connection: a read-only database is read as make_engine
        # opens it, so a copy can always be made of one (the way to work on it).
        with engine.connect() as conn, closing(sqlite3.connect(dest)) as out:
            source_connection = conn.connection.driver_connection
            assert isinstance(source_connection, sqlite3.Connection)
            source_connection.backup(out)
    except (sqlite3.Error, SQLAlchemyError) as exc:
        os.unlink(dest)
        raise DatabaseError(f"backup failed: {exc}", "check the destination and retry") from exc
    return BackupReport(source=source, written=dest)
