"""Database exceptions a user can cause, translated into one masked line."""

from __future__ import annotations

from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, ProgrammingError

from improveplan.errors import Conflict, DatabaseError, ImproveplanError, NotAllowed
from improveplan.store.dbapi import driver_error
from improveplan.store.dbapi import mask_url as mask_text

__all__ = ["mask_text", "translate_db_error"]


def translate_db_error(exc: Exception) -> ImproveplanError | None:
    """Known failures as ImproveplanError; None means a bug that should surface."""
    if not isinstance(exc, SQLAlchemyDatabaseError):
        return driver_error(exc)  # a session's raw cursor (store/export_reads.py)
    if isinstance(exc, IntegrityError):
        return Conflict(
            "the change conflicts with data already in the database",
            "check for duplicate names or references and retry",
        )
    if isinstance(exc, OperationalError):
        first = _first(exc)
        if "locked" in first or "busy" in first or "lock timeout" in first:
            return DatabaseError("the database stayed busy for 60 seconds", "retry the command")
        if "readonly" in first or "read-only" in first:
            return DatabaseError(
                "the database is read-only", "ask for write access, or work on a copy"
            )
        return DatabaseError(f"database error: {first}", "check the database and retry")
    if isinstance(exc, DataError):
        return _refused_value(_first(exc))
    if isinstance(exc, ProgrammingError) and "row-level security" in _first(exc):
        return NotAllowed(  # `access setup`'s policies: the database's own role check
            f"the database refused the change ({_first(exc)})",
            "your role in the plan does not allow it; ask a plan admin (new plans: the DBA)",
        )
    if isinstance(exc, ProgrammingError) and "permission denied" in _first(exc).lower():
        return DatabaseError(
            f"the database refused access ({_first(exc)})",
            "ask its owner to GRANT the improveplan tables to this user, or connect as the owner",
        )
    if isinstance(exc, SQLAlchemyDatabaseError):
        first = _first(exc)
        if "malformed" in first or "not a database" in first:
            from improveplan.store.engine import damaged

            return damaged(None, exc)
    return None


# A driver's DataError by words in its first line: what it means, and what to do.
_REFUSED_VALUES = (
    ("0x00", "a value holds a NUL character (U+0000), which PostgreSQL cannot store",
     "remove it and retry"),
    ("too long", "a value is longer than its database column",
     "shorten it (names hold 200 characters, references 20) and retry"),
    ("byte sequence", "a value is not valid text in the database's encoding",
     "remove the character and retry"),
    ("out of range", "a number is beyond what the database holds", "use a smaller one and retry"),
)  # fmt: skip


def _refused_value(first: str) -> DatabaseError:
    """A value the database cannot hold, which slipped past the checks at the door."""
    for words, what, todo in _REFUSED_VALUES:
        if words in first.lower():
            return DatabaseError(f"{what} ({first})", todo)
    return DatabaseError(f"the database refused a value ({first})", "check the values, retry")


def _first(exc: SQLAlchemyDatabaseError) -> str:
    """The driver's first line, passwords masked."""
    text = str(exc.orig) if exc.orig is not None else str(exc)
    return mask_text(text.strip().splitlines()[0] if text.strip() else "unknown")
