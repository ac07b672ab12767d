"""UTC times as the drivers give them, read without a parse where the text allows.

Kept apart (it imports only datetime) because shell completion and the full listings
import it before anything else of improveplan.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeGuard

__all__ = ["naive_utc", "stamp_iso", "stamp_minutes", "utc_time"]

_NAIVE = frozenset((19, 26))  # "YYYY-MM-DD HH:MM:SS", then ".ffffff" as SQLAlchemy writes it
_parse = dt.datetime.fromisoformat


def utc_time(value: Any) -> dt.datetime:
    """An aware UTC datetime from SQLite's stored text or psycopg's datetime."""
    if type(value) is str and len(value) in _NAIVE and value[10] == " ":
        # UTC stored without an offset (UTCDateTime): parsed with one, ~8x cheaper than
        # .replace(tzinfo=) afterwards (650k stamps in a 100k export).
        return _parse(value + "+00:00")
    stamp: dt.datetime = dt.datetime.fromisoformat(value) if type(value) is str else value
    if stamp.utcoffset() is None:  # stored as UTC without an offset (UTCDateTime)
        return stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC)


def _naive_text(value: Any) -> TypeGuard[str]:
    """UTC as SQLite stores it ("2025-03-09 09:19:07.000000") or PostgreSQL's text of it
    ("2025-03-09 09:19:07", "... 09:19:07.5"): no offset, read without a parse."""
    return (
        type(value) is str
        and 19 <= len(value) <= 26
        and value[10] == " "
        and (len(value) == 19 or value[19] == ".")
    )


def stamp_iso(value: Any) -> str:
    """A Cell.stamp as its aware UTC datetime's isoformat(): stored text rearranged
    without a parse (microseconds only when there are any, as isoformat writes them)."""
    if _naive_text(value):
        fraction = value[20:]
        tail = "." + fraction.ljust(6, "0") if fraction.strip("0") else ""
        return value[:10] + "T" + value[11:19] + tail + "+00:00"
    return utc_time(value).isoformat()


def stamp_minutes(value: Any) -> str:
    """A Cell.stamp to the minute, "2025-03-09 09:19" (UTC), as a table or CSV shows it."""
    if _naive_text(value):
        return value[:16]
    return utc_time(value).isoformat(" ", "minutes")[:16]


def naive_utc(value: Any) -> dt.datetime:
    """A Cell.stamp as a naive UTC datetime (what a spreadsheet cell holds): SQLite's
    stored text parsed as it is, without an offset to add and take off again."""
    if type(value) is str and len(value) in _NAIVE and value[10] == " ":
        return _parse(value)
    return utc_time(value).replace(tzinfo=None)
