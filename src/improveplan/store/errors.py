"""Database exceptions a user can cause, translated into one masked line."""

from __future__ import annotations

import re

from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError
from sqlalchemy.exc import IntegrityError, OperationalError

from improveplan.errors import Conflict, DatabaseError, ImproveplanError

# Greedy up to the last `@` before the path: a password may itself hold `@`.
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^/\s]*@")


def mask_text(text: str) -> str:
    """Mask a password inside any URL that appears in free text."""
    return _URL_PASSWORD.sub(r"\1***@", text)


def translate_db_error(exc: Exception) -> ImproveplanError | None:
    """Known failures as ImproveplanError; None means a bug that should surface."""
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
    if isinstance(exc, SQLAlchemyDatabaseError):
        first = _first(exc)
        if "malformed" in first or "not a database" in first:
            from improveplan.store.engine import damaged

            return damaged(None, exc)
    return None


def _first(exc: SQLAlchemyDatabaseError) -> str:
    """The driver's first line, passwords masked."""
    text = str(exc.orig) if exc.orig is not None else str(exc)
    return mask_text(text.strip().splitlines()[0] if text.strip() else "unknown")
