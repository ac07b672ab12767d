"""UTC times as the drivers give them, read without a parse where the text allows.

Kept apart (it imports only datetime) because shell completion and the full listings
import it before anything else of improveplan.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = ["stamp_iso", "stamp_minutes", "utc_time"]


def utc_time(value: Any) -> dt.datetime:
    """An aware UTC datetime from SQLite's stored text or psycopg's datetime."""
    stamp: dt.datetime = dt.datetime.fromisoformat(value) if type(value) is str else value
    if stamp.utcoffset() is None:  # stored as UTC without an offset (UTCDateTime)
        return stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC)


def stamp_iso(value: Any) -> str:
    """A Cell.stamp as its aware UTC datetime's isoformat(): SQLite's stored text
    ("2025-03-09 09:19:07.000000", UTC) rearranged without a parse, else parsed."""
    if type(value) is str and len(value) == 26 and value[19] == ".":
        micro = value[20:]
        tail = "+00:00" if micro == "000000" else "." + micro + "+00:00"
        return value[:10] + "T" + value[11:19] + tail
    return utc_time(value).isoformat()


def stamp_minutes(value: Any) -> str:
    """A Cell.stamp to the minute, "2025-03-09 09:19" (UTC), as a table or CSV shows it."""
    if type(value) is str and len(value) == 26 and value[19] == ".":
        return value[:16]
    return utc_time(value).isoformat(" ", "minutes")[:16]
