"""The audit trail's hash chain (docs/design.md §5): pure, no database.

Each event's hash is SHA-256 over a canonical encoding of its fields and the hash of the
event before it in the same chain (one chain per plan; events of no plan, such as
people's, form their own). Altering, removing or inserting a row breaks the hash of
that row or of the one after it, which `db verify` walks to find.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

GENESIS = "0" * 64  # the "previous hash" of a chain's first event


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """The hashed fields of one audit event."""

    plan_id: int | None
    actor: str
    at: dt.datetime
    entity: str
    entity_id: int
    field: str
    old_value: str | None
    new_value: str | None
    login: str | None = None  # the login behind the actor, when it differs


def utc_text(at: dt.datetime) -> str:
    """ISO 8601 in UTC to the microsecond; a naive time is taken as UTC already."""
    aware = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    return aware.isoformat(timespec="microseconds")


def encode(event: Event, previous: str) -> bytes:
    """The canonical bytes hashed: a compact JSON array (NULL and "" stay distinct)."""
    fields = [
        previous,
        event.plan_id,
        event.actor,
        utc_text(event.at),
        event.entity,
        event.entity_id,
        event.field,
        event.old_value,
        event.new_value,
    ]
    if event.login is not None:  # events before logins were kept hash as they did
        fields.append(event.login)
    return json.dumps(fields, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def event_hash(event: Event, previous: str) -> str:
    """This event's hash, 64 lower-case hex digits, given the previous one of its chain."""
    return hashlib.sha256(encode(event, previous)).hexdigest()


def chain(events: Iterable[Event], previous: str = GENESIS) -> Iterator[str]:
    """The hash of each event in turn, each following the one before (one pass)."""
    for event in events:
        previous = event_hash(event, previous)
        yield previous


@dataclass(frozen=True, slots=True, kw_only=True)
class Break:
    """Where a chain stops verifying: the event's id and what is wrong there."""

    event_id: int
    kind: str  # "altered" (or one before it removed), or "inserted" out of order


class Walker:
    """Verifies one chain event by event, in id order, remembering only the tail.

    A row whose hash does not follow is held until the next row shows which: if the
    next follows the last good hash, the held row was inserted out of order; otherwise
    the held row was altered, or one before it removed (the two look alike to a chain).
    """

    __slots__ = ("count", "found", "held", "previous")

    def __init__(self) -> None:
        self.previous = GENESIS
        self.held: tuple[int, Event, str] | None = None
        self.found: Break | None = None
        self.count = 0

    def add(self, event_id: int, event: Event, stored: str | None) -> None:
        if self.found is not None:
            return
        self.count += 1
        if self.held is not None:
            held_id = self.held[0]
            self.held = None
            inserted = stored == event_hash(event, self.previous)
            self.found = Break(event_id=held_id, kind="inserted" if inserted else "altered")
            return
        if stored == event_hash(event, self.previous):
            self.previous = stored
        else:
            self.held = (event_id, event, stored or "")

    def finish(self) -> Break | None:
        """The first break found, once every row was added."""
        if self.found is None and self.held is not None:
            self.found = Break(event_id=self.held[0], kind="altered")
            self.held = None
        return self.found
