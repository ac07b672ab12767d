"""Engine and transactions for SQLite and PostgreSQL through one code path.

SQLite gets WAL, foreign keys and a busy timeout on every connection, and write
transactions open with `BEGIN IMMEDIATE` so two writers queue instead of failing with
"database is locked" halfway through. The database file is created with mode 0600.

A SQLite file this process cannot write (no write permission, a read-only mount) is
opened read-only, so reading commands work and a write is refused with one line before
it starts; `read_only_open` says how, following SQLite's rules for WAL databases.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from improveplan.errors import DatabaseError
from improveplan.store.dbapi import quoted_password

BUSY_TIMEOUT_MS = 60_000
# No statement of a command runs this long on a region-sized database (benchmarks/).
STATEMENT_TIMEOUT_MS = 300_000
_WRITE = "improveplan_write"
_READ_ONLY = "improveplan_read_only"


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
        url = make_url(f"{scheme}://{quoted_password(rest)}")
    except ArgumentError:
        raise DatabaseError(
            f"{masked_text(db)} is not a database URL", "use postgresql://USER@HOST/DATABASE"
        ) from None
    if "+" not in scheme:
        url = url.set(drivername=_SCHEMES[base])
    return url


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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise DatabaseError(
            f"cannot create {path} ({exc.strerror or exc})", "choose a folder you can write to"
        ) from None
    os.close(fd)


@dataclass(frozen=True, slots=True)
class ReadOnly:
    """How to open a database this process cannot write, and the files that stop it:
    the database itself, or -wal/-shm files a read by another user left read-only."""

    uri: str
    blockers: tuple[Path, ...]


def read_only_open(path: Path) -> ReadOnly | None:
    """None when this process can write `path` (and its -wal and -shm); else how to read it.

    SQLite's rules (sqlite.org wal.html "Read-Only Databases", walformat.html, uri.html):
    `mode=ro` reads a WAL database only when its -wal and -shm files exist or can be
    created beside it; `immutable=1` needs neither, but skips locking and change
    detection and ignores the -wal file, so it is right only when nothing can change
    the file. It is used on a filesystem mounted read-only (nothing writes through it)
    when no -wal file holds commits; everywhere else `mode=ro`, which sees other writers.
    """
    if not path.exists() or not os.access(path, os.R_OK):
        return None  # nothing to read: opened as usual, it fails with the usual line
    wal, shm = (path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))
    uri = path.resolve().as_uri()
    if os.statvfs(path).f_flag & os.ST_RDONLY:
        if wal.exists() and wal.stat().st_size > 0:
            return ReadOnly(f"{uri}?mode=ro", (path,))
        return ReadOnly(f"{uri}?immutable=1", (path,))
    if not os.access(path, os.W_OK):
        return ReadOnly(f"{uri}?mode=ro", (path,))
    stuck = tuple(f for f in (wal, shm) if f.exists() and not os.access(f, os.W_OK))
    return ReadOnly(f"{uri}?mode=ro", stuck) if stuck else None


def is_read_only(engine: Engine) -> bool:
    """Whether `make_engine` opened this database read-only."""
    return engine.get_execution_options().get(_READ_ONLY) is not None


def refuse_writes(engine: Engine) -> None:
    """One line before a write starts, instead of SQLite's error half-way through it."""
    blockers: tuple[Path, ...] | None = engine.get_execution_options().get(_READ_ONLY)
    if blockers is None:
        return
    path = sqlite_path(engine.url)
    if blockers == (path,):
        raise DatabaseError(f"{path} is read-only", "ask for write access, or work on a copy")
    one = len(blockers) == 1
    raise DatabaseError(
        f"{' and '.join(map(str, blockers))} {'is' if one else 'are'} read-only, so {path}"
        " cannot be written",
        f"make {'it' if one else 'them'} writable too (chmod u+w), then retry",
    )


def read_only_refusal(engine: Engine, exc: DBAPIError) -> DatabaseError | None:
    """PostgreSQL's refusal to write in a read-only transaction (a database or role set
    `default_transaction_read_only`, a hot standby) as one line; None for anything else."""
    if getattr(exc.orig, "sqlstate", None) != "25006":
        return None
    return DatabaseError(
        f"{masked(engine.url)} is read-only", "ask for write access, or work on a copy"
    )


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy's begin event emit BEGIN itself (the pysqlite recipe).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_connect_read_only(dbapi_conn: Any, _record: Any) -> None:
    # No journal_mode pragma: changing the mode is a write.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    write = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: URL) -> Engine:
    """An engine with the per-dialect settings of docs/design.md §4."""
    if url.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        read_only = read_only_open(path) if path is not None else None
        if read_only is not None:
            return _read_only_engine(url, read_only)
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


def _read_only_engine(url: URL, read_only: ReadOnly) -> Engine:
    """An engine on `url` whose connections open the read-only URI, marked so that
    `refuse_writes` stops a write before it starts."""

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(read_only.uri, uri=True, timeout=60)

    engine = create_engine(url, poolclass=NullPool, creator=connect)
    event.listen(engine, "connect", _sqlite_connect_read_only)
    event.listen(engine, "begin", _sqlite_begin)
    return engine.execution_options(**{_READ_ONLY: read_only.blockers})


def check_reachable(engine: Engine) -> None:
    """Fail with one masked line when the server does not answer or the file is no
    SQLite database (SQLite reads the header on connect, in the WAL pragma; reading the
    schema opens the WAL, which a read-only database may not be able to)."""
    probe = "SELECT count(*) FROM sqlite_master" if sqlite_path(engine.url) else "SELECT 1"
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(probe)
    except OperationalError as exc:
        raise _unreachable(engine, exc) from exc
    except SQLAlchemyDatabaseError as exc:
        raise damaged(sqlite_path(engine.url), exc) from exc


def _unreachable(engine: Engine, exc: OperationalError) -> DatabaseError:
    """A server that does not answer, or a file SQLite cannot open, as one line."""
    path = sqlite_path(engine.url)
    if path is not None and is_read_only(engine) and not Path(f"{path}-shm").exists():
        return DatabaseError(
            f"cannot read {path}: it is read-only, and SQLite needs {path.name}-shm beside"
            " it and cannot create it",
            "make its folder writable, or copy it (with any -wal file) where you can write",
        )
    if path is not None:
        return DatabaseError(
            f"cannot open {path}: {_first_line(exc)}",
            "check the file's permissions and that its folder exists",
        )
    return DatabaseError(
        f"cannot connect to {masked(engine.url)}",
        "check that the server is running and the URL is right",
    )


INTEGRITY_LIMIT = 100  # findings shown at most (SQLite's own default)


def integrity_problems(engine: Engine) -> list[str]:
    """What `PRAGMA integrity_check` finds in a SQLite database, [] when it is sound.

    SQLite reports damaged pages in a first row and then, checking the indexes against
    damaged tables, may stop with "database disk image is malformed". Python's sqlite3
    drops the row it holds when the next step fails, so rows are collected by a function
    called as each one is made, and a check that stops early says so.
    """
    found: list[str] = []
    sql = f"SELECT improveplan_keep(integrity_check) FROM pragma_integrity_check({INTEGRITY_LIMIT})"
    try:
        with engine.connect() as conn:
            driver = conn.connection.driver_connection
            assert driver is not None
            driver.create_function("improveplan_keep", 1, found.append)
            conn.exec_driver_sql(sql).all()
    except OperationalError as exc:
        raise _unreachable(engine, exc) from exc
    except SQLAlchemyDatabaseError as exc:
        if "not a database" in _first_line(exc):
            raise damaged(sqlite_path(engine.url), exc) from exc
        found.append(f"the check stopped early: {_first_line(exc)}")
    lines = [line for row in found for line in row.splitlines() if not line.startswith("***")]
    return [] if lines == ["ok"] else lines


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
    refuse_writes(engine)
    bound = engine.execution_options(**{_WRITE: True})
    try:
        with Session(bound, expire_on_commit=False) as session, session.begin():
            yield session
    except DBAPIError as exc:
        raise read_only_refusal(engine, exc) or exc from None


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A read-only unit of work (a snapshot; never committed)."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
