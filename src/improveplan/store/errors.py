"""Database exceptions a user can cause, translated into one masked line."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError, OperationalError

from improveplan.errors import Conflict, DatabaseError, ImproveplanError

_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")


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
        text = str(exc.orig) if exc.orig is not None else str(exc)
        first = mask_text(text.strip().splitlines()[0] if text.strip() else "unknown")
        if "locked" in first or "busy" in first:
            return DatabaseError("the database stayed busy for 60 seconds", "retry the command")
        return DatabaseError(f"database error: {first}", "check the database and retry")
    return None
