"""The database driver alone: sqlite3 or psycopg behind one small read-only API.

Shell completion (store/names.py) and the full listings (store/direct.py) read with the
driver itself: SQLAlchemy's and SQLModel's imports alone cost more than their whole work
(issue 14). Values come back as the driver gives them; `day` and `utc_stamp` read the
two kinds that differ between the backends the way the column types would.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import Any
from urllib.parse import quote

from improveplan.domain.stamps import utc_time
from improveplan.errors import DatabaseError

Dialect = str  # "sqlite" or "postgresql", as SQLAlchemy names them


class Connection:
    """One read-only connection; `?` in a query is the driver's placeholder, `error` the
    base class of the driver's errors (a damaged file, a lost server)."""

    def __init__(self, conn: Any, dialect: Dialect, error: type[Exception] = sqlite3.Error) -> None:
        self.conn = conn
        self.dialect = dialect
        self.error = error
        self.streams = 0
        self.placeholder = "%s" if dialect == "postgresql" else "?"

    def _sql(self, query: str) -> str:
        return query if self.placeholder == "?" else query.replace("?", self.placeholder)

    def rows(self, query: str, *params: Any, limit: int | None = None) -> list[tuple[Any, ...]]:
        cursor = self.conn.cursor()
        cursor.execute(self._sql(query), params)
        return list(cursor.fetchall() if limit is None else cursor.fetchmany(limit))

    def stream(self, query: str, params: Sequence[Any], batch: int) -> Iterator[tuple[Any, ...]]:
        """Rows as the cursor reads them, `batch` at a time (psycopg: a server-side
        cursor, so a 100k-row listing is never held whole by the client). The query runs
        here, so a database the driver cannot read raises before a row is written."""
        if self.dialect == "postgresql":
            self.streams += 1  # a name each: overdue holds two open at once
            cursor = self.conn.cursor(name=f"improveplan_stream_{self.streams}")
            cursor.itersize = batch
        else:
            cursor = self.conn.cursor()
        cursor.execute(self._sql(query), params)
        return _fetched(cursor, batch)

    def copy_csv(self, query: str, params: Sequence[Any]) -> Iterator[str]:
        """PostgreSQL's CSV of a SELECT, header first (COPY ... TO STDOUT), as UTF-8 text
        in pieces of many rows. The COPY starts here, so a query the server refuses
        raises before a piece is written."""
        statement = (
            f"COPY ({self._sql(query)}) TO STDOUT WITH (FORMAT csv, HEADER, ENCODING 'UTF8')"
        )
        pieces = _copied(self.conn, statement, params)
        return chain([next(pieces)], pieces)

    def date(self, value: dt.date) -> Any:
        """A date as a parameter: SQLite stores and compares ISO text."""
        return value if self.dialect == "postgresql" else value.isoformat()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _fetched(cursor: Any, batch: int) -> Iterator[tuple[Any, ...]]:
    while rows := cursor.fetchmany(batch):
        yield from rows
    cursor.close()


def _copied(conn: Any, statement: str, params: Sequence[Any]) -> Iterator[str]:
    """The COPY's rows (one a message) joined into pieces of COPY_PIECE bytes: a write
    and a decode per row cost more than the server's work."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with conn.cursor() as cursor, cursor.copy(statement, params) as copy:
        held: list[bytes] = []
        size = 0
        for data in copy:
            held.append(data)
            size += len(data)
            if size >= COPY_PIECE:
                yield decoder.decode(b"".join(held))
                held.clear()
                size = 0
        yield decoder.decode(b"".join(held), final=True)


COPY_PIECE = 1 << 18


def connect(db: str, *, timeout: float, postgres_options: str = "") -> Connection:
    """A read-only connection to `db` (a path, sqlite:// or postgresql:// URL); raises
    ValueError for what is no database file, and the driver's errors as they are."""
    scheme, _, rest = db.partition("://")
    if not rest:
        return _sqlite(Path(db).expanduser(), timeout)
    base = scheme.split("+", 1)[0].lower()
    if base == "sqlite":
        path = rest.partition("?")[0].removeprefix("/")  # sqlite:///x is x, sqlite:////x is /x
        if not path or path == ":memory:":
            raise ValueError("no database file")
        return _sqlite(Path(path).expanduser(), timeout)
    if base in ("postgresql", "postgres"):
        return _postgres(f"postgresql://{quoted_password(rest)}", timeout, postgres_options)
    raise ValueError(f"{base}:// databases are not supported")


def _postgres(conninfo: str, timeout: float, options: str) -> Connection:
    """libpq itself where it loads (store/libpq.py: a tenth of psycopg's import), else
    psycopg; only PostgreSQL users pay for either."""
    from improveplan.store import libpq

    seconds = max(1, int(timeout))
    if libpq.library() is not None:
        found = libpq.connect(conninfo, connect_timeout=seconds, options=options)
        return Connection(found, "postgresql", libpq.Error)
    import psycopg

    conn = psycopg.connect(conninfo, connect_timeout=seconds, options=options)
    conn.read_only = True
    return Connection(conn, "postgresql", psycopg.Error)


def _sqlite(path: Path, timeout: float) -> Connection:
    """`mode=ro` never creates the file, and a reader waits for no writer (WAL)."""
    if not path.is_file():
        raise ValueError("no database file")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    return Connection(sqlite3.connect(uri, uri=True, timeout=timeout), "sqlite")


def quoted_password(rest: str) -> str:
    """`u:Top@Secret99@h/x` -> `u:Top%40Secret99@h/x`: the host follows the last `@`
    (people paste passwords unencoded; store.engine.to_url reads them the same way)."""
    authority, slash, path = rest.partition("/")
    if authority.count("@") < 2:
        return rest
    userinfo, _, host = authority.rpartition("@")
    user, colon, password = userinfo.partition(":")
    return f"{user}{colon}{quote(password, safe='')}@{host}{slash}{path}"


def driver_error(exc: Exception) -> DatabaseError | None:
    """A driver's own error met while reading rows with it (here, or on a session's raw
    cursor: store/export_reads.py), as one line; None for what is a bug (bad SQL) or no
    driver's. A damaged page deep in a table is met mid-stream, after the first rows."""
    drivers: list[type[Exception]] = [sqlite3.DatabaseError]
    bugs: list[type[Exception]] = [sqlite3.ProgrammingError]
    if "improveplan.store.libpq" in sys.modules:
        from improveplan.store import libpq

        if isinstance(exc, libpq.Error) and exc.sqlstate[:2] in libpq.BUG_CLASSES:
            return None
        drivers.append(libpq.Error)
    if "psycopg" in sys.modules:  # loaded only where PostgreSQL is used
        import psycopg

        drivers.append(psycopg.DatabaseError)
        bugs.append(psycopg.ProgrammingError)
    if not isinstance(exc, tuple(drivers)) or isinstance(exc, tuple(bugs)):
        return None
    first = mask_url((str(exc).strip().splitlines() or [exc.__class__.__name__])[0])
    if "malformed" in first or "not a database" in first:
        return DatabaseError(
            f"the database is damaged ({first})",
            "restore it from a backup; improveplan db check reports what it finds",
        )
    return DatabaseError(f"database error: {first}", "check the database and retry")


def mask_url(text: str) -> str:
    """A password inside any URL in the text, masked."""
    return _URL_PASSWORD.sub(r"\1***@", text)


# Greedy up to the last `@` before the path: a password may itself hold `@`.
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^/\s]*@")


def day(value: Any) -> dt.date | None:
    """A date from SQLite's ISO text or psycopg's date."""
    return dt.date.fromisoformat(value) if type(value) is str else value


def utc_stamp(value: Any) -> dt.datetime:
    """An aware UTC timestamp from SQLite's ISO text or psycopg's datetime."""
    return utc_time(value)
