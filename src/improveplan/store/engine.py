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
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from improveplan.errors import DatabaseError

BUSY_TIMEOUT_MS = 60_000
# No statement of a command runs this long on a region-sized database (benchmarks/).
STATEMENT_TIMEOUT_MS = 300_000
_WRITE = "improveplan_write"


_SCHEMES = {
    "sqlite": "sqlite",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
}


def to_url(db: str) -> URL:
    """A bare path, a sqlite:// URL or a postgresql:// URL (routed to psycopg 3).

    Any other scheme is refused with one line; a password holding `@` (people paste
    them unencoded) is read up to the *last* `@`, so it is used and masked whole.
    """
    if "://" not in db:
        return make_url(f"sqlite:///{Path(db).expanduser().resolve()}")
    scheme, _, rest = db.partition("://")
    base = scheme.split("+", 1)[0].lower()
    if base not in _SCHEMES:
        raise DatabaseError(
            f"{base}:// databases are not supported",
            "give a file path, a sqlite:// URL or a postgresql:// URL",
        )
    try:
        url = make_url(f"{scheme}://{_quoted_password(rest)}")
    except ArgumentError:
        raise DatabaseError(
            f"{masked_text(db)} is not a database URL", "use postgresql://USER@HOST/DATABASE"
        ) from None
    if "+" not in scheme:
        url = url.set(drivername=_SCHEMES[base])
    return url


def _quoted_password(rest: str) -> str:
    """`u:Top@Secret99@h/x` -> `u:Top%40Secret99@h/x`: the host follows the last `@`."""
    authority, slash, path = rest.partition("/")
    if authority.count("@") < 2:
        return rest
    userinfo, _, host = authority.rpartition("@")
    user, colon, password = userinfo.partition(":")
    return f"{user}{colon}{quote(password, safe='')}@{host}{slash}{path}"


def masked_text(db: str) -> str:
    """A database string as it may be printed, password masked, parseable or not."""
    scheme, sep, rest = db.partition("://")
    if not sep:
        return db
    authority, slash, path = rest.partition("/")
    if "@" not in authority:
        return db
    userinfo, _, host = authority.rpartition("@")
    user, colon, _password = userinfo.partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}@{host}{slash}{path}"


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
    # A row or table locked by another session fails after the same wait as SQLite's busy
    # timeout instead of blocking the command (or the nightly job) for ever.
    options = f"-c lock_timeout={BUSY_TIMEOUT_MS} -c statement_timeout={STATEMENT_TIMEOUT_MS}"
    return create_engine(
        url, poolclass=NullPool, connect_args={"connect_timeout": 10, "options": options}
    )


def check_reachable(engine: Engine) -> None:
    """Fail with one masked line when the server does not answer or the file is no
    SQLite database (SQLite reads the header on connect, in the WAL pragma)."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except OperationalError as exc:
        path = sqlite_path(engine.url)
        if path is not None:
            raise DatabaseError(
                f"cannot open {path}: {_first_line(exc)}",
                "check the file's permissions and that its folder exists",
            ) from exc
        raise DatabaseError(
            f"cannot connect to {masked(engine.url)}",
            "check that the server is running and the URL is right",
        ) from exc
    except SQLAlchemyDatabaseError as exc:
        raise damaged(sqlite_path(engine.url), exc) from exc


def _first_line(exc: SQLAlchemyDatabaseError) -> str:
    text = str(exc.orig if exc.orig is not None else exc).strip()
    return text.splitlines()[0] if text else "unknown error"


def damaged(path: Path | None, exc: SQLAlchemyDatabaseError) -> DatabaseError:
    """A file that is not SQLite at all, or a SQLite file whose pages are corrupt."""
    where = str(path) if path is not None else "the database"
    reason = _first_line(exc)
    if "not a database" in reason:
        return DatabaseError(
            f"{where} is not an improveplan database", "check the --db path or IMPROVEPLAN_DB"
        )
    return DatabaseError(
        f"{where} is damaged ({reason})",
        "restore it from a backup; improveplan db check reports what it finds",
    )


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
