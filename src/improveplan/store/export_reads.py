"""The plan export's large reads (actions, their notes and refs, audit trail, the action
table's extra texts) on the driver's own cursor.

At 100k actions the export reads ~750k rows. Through SQLAlchemy each row was a Row, then
a dict (store/raw.py), before it became a record: twice the cost of the driver's fetch.
Here the statements run on the session's own DB-API connection (same transaction, same
snapshot) and the rows come back as the driver's tuples, columns in the order given
below; the caller converts only the columns that need it. PostgreSQL reads through a
server-side cursor, so memory stays flat in the number of rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import count
from typing import Any

from sqlmodel import Session

BATCH = 2000  # rows fetched at a time; also the ids of one notes query

# The columns of ExportedAction in its order (services/export_rows.py unpacks them so),
# then the references the service resolves. The recommendation refs come per batch
# (LINKS): a correlated subquery aggregating them for each action took 0.6 s of SQLite's
# time at 100k actions, the batched query 0.25 s.
ACTIONS = """
SELECT a.ref, a.seq, a.title, {day:a.start}, {day:a.due}, {day:a.original_due}, a.status,
       a.rag_override, a.rag_override_reason, a.status_reason, a.success_measure,
       a.evidence, a.version,
       {utc:a.created_at}, {utc:a.updated_at}, a.id, a.owner_id, a.theme_id, a.milestone_id
FROM action a WHERE a.plan_id = ? ORDER BY a.seq, a.ref
"""
# The same actions' ids and refs alone: what the workbook's Notes sheet needs of them.
ACTION_REFS = "SELECT a.id, a.ref FROM action a WHERE a.plan_id = ? ORDER BY a.seq, a.ref"
# Each action's recommendations in recommendation order (of the plan's own only).
LINKS = """
SELECT ar.action_id, r.ref FROM action_recommendation ar
JOIN recommendation r ON r.id = ar.recommendation_id
WHERE ar.action_id {ids} AND r.plan_id = ? ORDER BY ar.action_id, r.seq, r.ref
"""
NOTES = """
SELECT action_id, id, author, {utc:created_at}, text FROM progress_note
WHERE action_id {ids} ORDER BY action_id, created_at, id
"""
# What the action table (CSV, the Actions sheet) adds to a listing row: the texts a
# listing leaves out and the latest note, each action's by one step down its notes' index.
EXTRAS = """
SELECT a.id, a.success_measure, a.evidence,
       (SELECT n.text FROM progress_note n WHERE n.action_id = a.id
        ORDER BY n.created_at DESC, n.id DESC LIMIT 1)
FROM action a WHERE a.id {ids}
"""
# Oldest first. SQLite reads the plan's events by id (ix_audit_event_plan_id_id, close to
# the table's own order) and sorts them by time, spilling to a temporary file: walking
# the (plan_id, at) index instead reads the table in random order, twice the time at
# 500k events when the ids are not in time order (events imported from another plan).
# The last column names an event's action by its ref and a note as `ref#n` (n: its place
# among its action's notes, oldest first), where the row is still the plan's: a map of
# every action's and note's id held for the trail grew ~0.5 KiB an action.
AUDIT = """
SELECT {utc:e.at}, e.actor, e.entity, e.entity_id, e.field, e.old_value, e.new_value,
       CASE e.entity WHEN 'action' THEN a.ref WHEN 'progress_note' THEN (
         SELECT o.ref || '#' || (
           SELECT count(*) FROM progress_note m WHERE m.action_id = n.action_id
           AND (m.created_at < n.created_at OR (m.created_at = n.created_at AND m.id <= n.id)))
         FROM progress_note n JOIN action o ON o.id = n.action_id
         WHERE n.id = e.entity_id AND o.plan_id = e.plan_id) END
FROM audit_event e {hint}
LEFT JOIN action a ON e.entity = 'action' AND a.id = e.entity_id AND a.plan_id = e.plan_id
WHERE e.plan_id = ? ORDER BY e.at, e.id
"""
_names = count()


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# `{day:column}` and `{utc:column}`: a date and a UTC time as SQLite stores them, ISO
# text. psycopg's date and datetime objects cost a conversion each way: at 100k actions
# the export's 650k stamps took a third of its time on PostgreSQL as datetimes, against
# SQLite's text rearranged inline (io/json_rows.py). The session's DateStyle is ISO
# (_iso_dates), so the cast is ISO 8601.
_AS_TEXT = re.compile(r"\{(day|utc):([\w.]+)\}")


def _sql(session: Session, text: str, ids: int = 0) -> str:
    """`text` for the session's database: its hints, placeholders, dates and times as
    text, and `{ids}` as a test of `ids` action ids (one array parameter on PostgreSQL:
    2,000 placeholders cost more to send and plan than the query took to run)."""
    postgres = _dialect(session) == "postgresql"
    parts = {
        "hint": "" if postgres else "INDEXED BY ix_audit_event_plan_id_id",
        "ids": "= ANY(?)" if postgres else f"IN ({', '.join('?' * ids)})",
    }
    found = _AS_TEXT.sub(lambda m: _as_text(m[1], m[2], postgres=postgres), text)
    found = found.format(**parts)
    return found.replace("?", "%s") if postgres else found


def _as_text(kind: str, column: str, *, postgres: bool) -> str:
    if not postgres:
        return column
    return f"({column} AT TIME ZONE 'UTC')::text" if kind == "utc" else f"{column}::text"


def _iso_dates(session: Session, conn: Any) -> None:
    """PostgreSQL, for the rest of this transaction: dates and times as ISO text, and the
    settings of store/direct.py's full listings. No JIT (compiling the trail's join took
    0.27 s); cursors planned for all their rows; room to sort 500k events in memory; no
    incremental sort. The trail's join to its actions is then one hash join and one
    sort, 0.9 s as a cursor at 100k, not 500k index lookups along the events' time
    index (1.5 s)."""
    if _dialect(session) == "postgresql" and not session.info.get("iso_dates"):
        with conn.cursor() as cursor:
            cursor.execute("SET LOCAL DateStyle TO 'ISO, YMD'")
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '32MB'")
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1")
            cursor.execute("SET LOCAL enable_incremental_sort = off")
        session.info["iso_dates"] = True


@contextmanager
def _cursor(session: Session, *, streamed: bool) -> Iterator[Any]:
    """A cursor on the session's connection; `streamed` on PostgreSQL: a server-side one."""
    conn = session.connection().connection.driver_connection
    assert conn is not None
    _iso_dates(session, conn)
    if streamed and _dialect(session) == "postgresql":
        cursor = conn.cursor(name=f"improveplan_export_{next(_names)}")
        cursor.itersize = BATCH
    else:
        cursor = conn.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


def _batches(session: Session, sql: str, params: Sequence[Any]) -> Iterator[list[tuple[Any, ...]]]:
    with _cursor(session, streamed=True) as cursor:
        cursor.execute(sql, tuple(params))
        while batch := cursor.fetchmany(BATCH):
            yield batch


def action_batches(session: Session, plan_id: int) -> Iterator[list[tuple[Any, ...]]]:
    """The plan's actions by (seq, ref), BATCH at a time, columns as in ACTIONS."""
    return _batches(session, _sql(session, ACTIONS), (plan_id,))


def action_refs(session: Session, plan_id: int) -> Iterator[list[tuple[Any, ...]]]:
    """(id, ref) of the plan's actions in ACTIONS's order, BATCH at a time."""
    return _batches(session, _sql(session, ACTION_REFS), (plan_id,))


def notes_of(session: Session, action_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """(action_id, id, author, created_at, text) of these actions' notes, each action's
    oldest first."""
    return _of_actions(session, NOTES, action_ids)


def links_of(session: Session, plan_id: int, action_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """(action_id, recommendation ref) of these actions, each action's in recommendation
    order."""
    return _of_actions(session, LINKS, action_ids, plan_id)


def extras_of(session: Session, action_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """(id, success_measure, evidence, latest note's text) of these actions."""
    return _of_actions(session, EXTRAS, action_ids)


def _of_actions(
    session: Session, text: str, action_ids: Sequence[int], *more: Any
) -> list[tuple[Any, ...]]:
    if not action_ids:
        return []
    sql = _sql(session, text, ids=len(action_ids))
    ids = [list(action_ids)] if _dialect(session) == "postgresql" else list(action_ids)
    with _cursor(session, streamed=False) as cursor:
        cursor.execute(sql, (*ids, *more))
        found: list[tuple[Any, ...]] = cursor.fetchall()
        return found


def audit_batches(session: Session, plan_id: int) -> Iterator[list[tuple[Any, ...]]]:
    """(at, actor, entity, entity_id, field, old_value, new_value, key) of the plan's
    audit events, oldest first, BATCH at a time; `key` names a live action or note."""
    return _batches(session, _sql(session, AUDIT), (plan_id,))
