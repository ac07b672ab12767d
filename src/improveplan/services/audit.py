"""The audit trail: one AuditEvent per changed field of every write (docs/design.md §2).

A new row is recorded as each of its fields from nothing (`record_creations`), whether it
is one action added by hand or ten thousand from a tracker, so the trail reads the same
whichever way a row came in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import fields
from typing import Any

from sqlalchemy import Connection, RowMapping, Table, bindparam, insert, select, text
from sqlmodel import Session, SQLModel

from improveplan.domain.audit_chain import GENESIS, Event, event_hash
from improveplan.store.models import AuditEvent, utcnow

EVENTS: Table = AuditEvent.__table__  # type: ignore[attr-defined]

# One stored or audited value: what a column holds (enums are str) or a trail line.
FieldValue = str | int | float | bool | dt.date | dt.datetime | None
# A row's fields by column or trail name, for bulk inserts and creation events.
FieldValues = dict[str, FieldValue]


def as_text(value: Any) -> str | None:
    """How a value is written in the trail: ISO dates, lower-case booleans, else str()."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def record(
    session: Session,
    *,
    actor: str,
    plan_id: int | None,
    entity: str,
    entity_id: int,
    changes: Mapping[str, tuple[Any, Any]],
    at: dt.datetime | None = None,
) -> None:
    """Write one event per field whose old and new values differ."""
    when = at or utcnow()
    rows = [
        {
            "plan_id": plan_id,
            "actor": actor,
            "at": when,
            "entity": entity,
            "entity_id": entity_id,
            "field": name,
            "old_value": old_text,
            "new_value": new_text,
        }
        for name, (old, new) in changes.items()
        if (old_text := as_text(old)) != (new_text := as_text(new))
    ]
    append(session, rows)


LOGIN = "improveplan.login"  # session.info key: the login behind this command's actor


def login_behind(session: Session, actor: str) -> str | None:
    """The login the trail keeps beside the actor: only when the two differ."""
    login = session.info.get(LOGIN)
    return login if isinstance(login, str) and login != actor else None


CHAIN_LOCK = 0x1A7E  # first key of the per-chain advisory locks on PostgreSQL


def chain_tail(connection: Connection, plan_id: int | None) -> str:
    """The last hash of a plan's chain (or of events of no plan), locked for appending.

    On PostgreSQL a transaction-level advisory lock keyed on the chain serialises
    appenders, so two writers never both extend the same tail; SQLite writes are
    serialised already (BEGIN IMMEDIATE).
    """
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:k, :p)"), {"k": CHAIN_LOCK, "p": plan_id or 0}
        )
    chain = EVENTS.c.plan_id.is_(None) if plan_id is None else EVENTS.c.plan_id == plan_id
    last = connection.execute(
        select(EVENTS.c.hash).where(chain).order_by(EVENTS.c.id.desc()).limit(1)
    ).scalar()
    return last or GENESIS


def event_of(row: Mapping[str, Any] | RowMapping) -> Event:
    """The hashed fields of an event row (a dict or a result row's mapping)."""
    return Event(**{name: row[name] for name in HASHED})


HASHED = tuple(f.name for f in fields(Event))


def append(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """INSERT full event rows, in order, each chained to the one before in its plan."""
    pending = list(rows)
    if not pending:
        return
    session.flush()  # events already pending in the session keep their place
    connection = session.connection()
    tails: dict[int | None, str] = {}
    for row in pending:
        row.setdefault("login", login_behind(session, row["actor"]))
        chain = row["plan_id"]
        if chain not in tails:
            tails[chain] = chain_tail(connection, chain)
        row["hash"] = tails[chain] = event_hash(event_of(row), tails[chain])
    for chunk in _chunks(pending):
        connection.execute(insert(EVENTS), chunk)


def record_creations(
    session: Session,
    *,
    actor: str,
    plan_id: int | None,
    entity: str,
    created: Iterable[tuple[int, Mapping[str, Any]]],
    at: dt.datetime | None = None,
) -> None:
    """New rows, (id, {field: value}) each: one event per field that has a value, from
    nothing, as `record` writes them; in bulk, for one row or 10k."""
    events = (
        (entity_id, name, text)
        for entity_id, fields in created
        for name, value in fields.items()
        if (text := as_text(value)) is not None
    )
    session.flush()  # events already pending in the session keep their place
    shared = {"plan_id": plan_id, "actor": actor, "at": at or utcnow(), "entity": entity}
    shared["login"] = login_behind(session, actor)
    connection = session.connection()
    _insert_events(connection, shared, _hashed(shared, events, chain_tail(connection, plan_id)))


def _hashed(
    shared: Mapping[str, Any], events: Iterable[tuple[int, str, str]], previous: str
) -> Iterator[tuple[int, str, str, str]]:
    """(entity_id, field, new_value, hash): the chain computed in the same one pass."""
    for entity_id, name, value in events:
        event = Event(**shared, entity_id=entity_id, field=name, old_value=None, new_value=value)
        previous = event_hash(event, previous)
        yield entity_id, name, value, previous


_SHARED = ("plan_id", "actor", "at", "entity", "old_value", "login")
_OWN = ("entity_id", "field", "new_value", "hash")  # an integer and text: nothing to convert
CHUNK = 5000


def _insert_events(
    connection: Connection, shared: Mapping[str, Any], events: Iterable[tuple[int, str, str, str]]
) -> None:
    """INSERT events that share plan, actor, time and entity, in executemany chunks.

    SQLAlchemy would convert every parameter of every row (most of the time at 100k
    events); the shared ones are converted once, by the same type processors, and the
    rows go to the driver as they are. A database whose driver needs the own columns
    converted too takes the ordinary path.
    """
    dialect = connection.dialect
    values = {**shared, "old_value": None}
    processors = {
        n: EVENTS.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in (*_SHARED, *_OWN)
    }
    if any(processors[n] for n in _OWN):
        rows = (
            {**values, "entity_id": i, "field": f, "new_value": v, "hash": h}
            for i, f, v, h in events
        )
        for chunk in _chunks(rows):
            connection.execute(insert(EVENTS), chunk)
        return
    fixed = {n: (p(values[n]) if (p := processors[n]) else values[n]) for n in _SHARED}
    # inline: no RETURNING of the new id, which PostgreSQL would otherwise get per row
    stmt = insert(EVENTS).values({n: bindparam(n) for n in (*_SHARED, *_OWN)}).inline()
    compiled = stmt.compile(dialect=dialect)
    if compiled.positional:  # e.g. sqlite3: ?, ?, ... in the statement's column order
        order = list(compiled.positiontup or ())
        template = [fixed.get(n) for n in order]
        at = [order.index(n) for n in _OWN]

        def row(event: tuple[int, str, str, str]) -> Any:
            line = template.copy()
            for position, item in zip(at, event, strict=True):
                line[position] = item
            return tuple(line)
    else:  # e.g. psycopg: %(name)s

        def row(event: tuple[int, str, str, str]) -> Any:
            return {**fixed, **dict(zip(_OWN, event, strict=True))}

    for chunk in _chunks(map(row, events)):
        connection.exec_driver_sql(str(compiled), chunk)


def _chunks(rows: Iterable[Any]) -> Iterator[list[Any]]:
    """Lists of up to CHUNK rows: executemany speed without holding 100k rows at once."""
    chunk: list[Any] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def record_created(
    session: Session,
    *,
    actor: str,
    plan_id: int | None,
    entity: str,
    obj: SQLModel,
    fields: Iterable[str],
) -> None:
    """A new ORM row: every given field from nothing to its value."""
    session.flush()
    entity_id = getattr(obj, "id")  # noqa: B009 - every table has an integer id
    values = {name: getattr(obj, name) for name in fields}
    record_creations(
        session, actor=actor, plan_id=plan_id, entity=entity, created=[(entity_id, values)]
    )


def apply(
    session: Session,
    *,
    actor: str,
    plan_id: int | None,
    entity: str,
    obj: SQLModel,
    updates: Mapping[str, Any],
) -> dict[str, tuple[Any, Any]]:
    """Set the fields that really change on `obj`, audit them, return {field: (old, new)}."""
    changes = {
        name: (getattr(obj, name), value)
        for name, value in updates.items()
        if getattr(obj, name) != value
    }
    for name, (_old, new) in changes.items():
        setattr(obj, name, new)
    if changes:
        session.add(obj)
        session.flush()
        entity_id = getattr(obj, "id")  # noqa: B009
        record(
            session,
            actor=actor,
            plan_id=plan_id,
            entity=entity,
            entity_id=entity_id,
            changes=changes,
        )
    return changes
