"""`db verify`: walk every audit chain in id order and find the first row that breaks it.

The rows are streamed, a page at a time; only each chain's last good hash is held, so a
million events verify in constant memory (docs/design.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from improveplan.domain.audit_chain import Break, Walker
from improveplan.errors import DatabaseError
from improveplan.services.audit import EVENTS, event_of
from improveplan.services.context import App
from improveplan.store.models import Plan

PAGE = 5000
RESTORE = "restore from a backup; the trail cannot be trusted from there"


@dataclass(frozen=True, slots=True, kw_only=True)
class TrailReport:
    """How many events and chains verified."""

    events: int
    chains: int

    def line(self) -> str:
        events = f"{self.events:,} event{'' if self.events == 1 else 's'}"
        chains = f"{self.chains:,} chain{'' if self.chains == 1 else 's'}"
        return f"audit trail: {events} in {chains} verif{'ies' if self.events == 1 else 'y'}"


def verify(app: App) -> TrailReport:
    """Every chain verifies, or a DatabaseError names the first event that breaks one."""
    with app.engine().connect() as connection:
        walkers = _walk(connection)
        breaks = [(b, chain) for chain, w in walkers.items() if (b := w.finish()) is not None]
        if breaks:
            found, chain = min(breaks, key=lambda pair: pair[0].event_id)
            raise _broken(connection, chain, found)
    return TrailReport(events=sum(w.count for w in walkers.values()), chains=len(walkers))


def _walk(connection: Connection) -> dict[int | None, Walker]:
    """Each chain's walker, fed every event in id order, page by page."""
    walkers: dict[int | None, Walker] = {}
    last = 0
    while True:
        page = connection.execute(
            select(EVENTS).where(EVENTS.c.id > last).order_by(EVENTS.c.id).limit(PAGE)
        ).all()
        if not page:
            return walkers
        for row in page:
            values = row._mapping
            walker = walkers.setdefault(values["plan_id"], Walker())
            walker.add(row.id, event_of(values), values["hash"])
        last = page[-1].id


def _broken(connection: Connection, chain: int | None, found: Break) -> DatabaseError:
    if chain is None:
        whose = "the audit trail of events outside any plan (people, imports)"
    else:
        name = connection.execute(
            select(Plan.__table__.c.name).where(Plan.__table__.c.id == chain)  # type: ignore[attr-defined]
        ).scalar()
        whose = f'the audit trail of plan "{name}"'
    if found.kind == "inserted":
        what = (
            f"{whose} has event {found.event_id} inserted out of order "
            "(the events either side of it chain without it)"
        )
    else:
        what = (
            f"{whose} was altered at event {found.event_id} (its hash does not match its "
            "fields, or an event before it was removed)"
        )
    return DatabaseError(what, RESTORE)
