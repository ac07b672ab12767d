"""Engine and transactions for SQLite and PostgreSQL through one code path.

SQLite gets WAL, foreign keys and a busy timeout on every connection, and write
transactions open with `BEGIN IMMEDIATE` so two writers queue instead of failing with
"database is locked" halfway through. The database file is created with mode 0600.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from improveplan.errors import DatabaseError

BUSY_TIMEOUT_MS = 60_000
_WRITE = "improveplan_write"


def to_url(db: str) -> URL:
    """A bare path or any SQLAlchemy URL; `postgresql://` is routed to psycopg 3."""
    if "://" not in db:
        return make_url(f"sqlite:///{Path(db).expanduser().resolve()}")
    url = make_url(db)
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    return url


def masked(url: URL | str) -> str:
    """The URL as it may appear in a message: the password replaced by ***."""
    parsed = make_url(url) if isinstance(url, str) else url
    return parsed.render_as_string(hide_password=True)


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and `:memory:`."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def create_sqlite_file(path: Path) -> None:
    """Create an empty database file readable by its owner only (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy's begin event emit BEGIN itself (the pysqlite recipe).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    write = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: URL) -> Engine:
    """An engine with the per-dialect settings of docs/design.md §4."""
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": 60})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 10})


def check_reachable(engine: Engine) -> None:
    """Fail with one masked line when the server does not answer."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except OperationalError as exc:
        raise DatabaseError(
            f"cannot connect to {masked(engine.url)}",
            "check that the server is running and the URL is right",
        ) from exc


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One write transaction: commit at the end, roll back on any error."""
    bound = engine.execution_options(**{_WRITE: True})
    with Session(bound, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A read-only unit of work (a snapshot; never committed)."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
