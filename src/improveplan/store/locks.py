"""One nightly `check` at a time, per database (docs/design.md §5).

SQLite: an exclusive `flock` on `<db>.check.lock` beside the database file (mode 0600);
the kernel drops it if the process dies, so a crashed run never blocks the next one.
PostgreSQL: a session-level `pg_advisory_lock` on a fixed key, held on a dedicated
connection for the whole run. A second run waits (up to `timeout` seconds) and then runs.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from improveplan.errors import ImproveplanError
from improveplan.store.engine import refuse_writes, sqlite_path

CHECK_LOCK_KEY = 0x1A7E_C4EC  # fixed advisory-lock key of `improveplan check`
WAIT_SECONDS = 600.0
_POLL = 0.2


def _busy(what: str, timeout: float) -> ImproveplanError:
    return ImproveplanError(
        f"another improveplan check still holds {what} after {timeout:.0f} s",
        "wait for it to finish, then run check again",
    )


@contextmanager
def _file_lock(path: Path, timeout: float) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _busy(str(path), timeout) from None
                time.sleep(_POLL)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _advisory_lock(engine: Engine, timeout: float) -> Iterator[None]:
    with engine.connect() as conn:
        deadline = time.monotonic() + timeout
        while not conn.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": CHECK_LOCK_KEY}
        ).scalar():
            conn.rollback()
            if time.monotonic() >= deadline:
                raise _busy("the database's check lock", timeout)
            time.sleep(_POLL)
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": CHECK_LOCK_KEY})
            conn.commit()


@contextmanager
def check_lock(engine: Engine, *, timeout: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the nightly-check lock of this database for the body; wait for a running one.
    A read-only database is refused first: the check writes, and its lock file could
    not be created beside it."""
    refuse_writes(engine)
    path = sqlite_path(engine.url)
    if path is not None:
        with _file_lock(path.with_name(path.name + ".check.lock"), timeout):
            yield
    elif engine.dialect.name == "postgresql":
        with _advisory_lock(engine, timeout):
            yield
    else:  # in-memory SQLite and the like: nobody else can run at the same time
        yield
