"""The full listings read with the database driver alone (issue 14).

`overdue` and `action list` in json or csv write every row of a plan: at 100k actions the
import of SQLModel and SQLAlchemy, the ORM's statement building and its result processing
cost more than reading and writing the rows. Here the same SELECTs as store/queries.py
are written once as SQL text for both databases, rows are read from the cursor as the
driver gives them, and owners, themes, milestones and recommendation refs are looked up
in the plan's small tables read first. The text out is the same as the SQLAlchemy path's
(tests/store/test_direct.py compares the two on both databases).

`open_plan` says None — take the SQLAlchemy path — whenever that path would do more than
read: the file or server is not there, the schema is not this program's, the database
has grants (roles are checked there), or a name does not find exactly one row (the
SQLAlchemy path then says why, with its suggestions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from improveplan.domain.dates import shift_days
from improveplan.domain.filters import ActionFilter
from improveplan.domain.inputs import clean_key, folded
from improveplan.domain.records import ACTION_CELLS, TupleRows
from improveplan.domain.vocab import (
    OPEN_STATUSES,
    Rag,
    Status,
)
from improveplan.store.dbapi import Connection, connect
from improveplan.store.revisions import HEAD

BATCH = 2000  # rows read from the cursor at a time
# PostgreSQL for a read of every row: no JIT (compiling this SELECT took 0.43 s of a 0.9 s
# query at 100k), a cursor planned for all its rows, not the first tenth, and room to
# sort 100k rows in memory rather than on disk. Incremental sort stays on: the first 50
# of the overdue table read 2 ms walking the due index, 40 ms sorting all 23k.
_LISTING = "-c jit=off -c cursor_tuple_fraction=1 -c work_mem=32MB -c DateStyle=ISO,YMD"

OPEN_SQL = ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES))
# domain/rag.py's compute_rag as store/queries.py's rag_computed writes it: ? is the as-of
# date, then the end of the amber window.
COMPUTED = (
    "CASE WHEN a.status = 'signed_off' THEN 'blue' WHEN a.status = 'cancelled' THEN NULL"
    " WHEN a.status = 'complete' THEN 'green'"
    " WHEN a.due IS NULL AND a.status = 'blocked' THEN 'amber' WHEN a.due IS NULL THEN 'green'"
    " WHEN a.due < ? THEN 'red' WHEN a.due <= ? OR a.status = 'blocked'"
    " OR (a.original_due IS NOT NULL AND a.due > a.original_due) THEN 'amber' ELSE 'green' END"
)
EFFECTIVE = (
    f"CASE WHEN a.status = 'cancelled' THEN NULL ELSE coalesce(a.rag_override, {COMPUTED}) END"
)
# By due, undated last. PostgreSQL puts NULLs last by itself, and sorting on the date
# first rather than on `due IS NULL` (the same for nearly every row) took the sort of a
# 100k listing from ~0.8 s to ~0.3 s.
_ORDER = {
    "sqlite": " ORDER BY a.due IS NULL, a.due, a.seq, a.ref",
    "postgresql": " ORDER BY a.due, a.seq, a.ref",
}
_DATED_ORDER = " ORDER BY a.due, a.seq, a.ref"  # _ORDER where no row is undated
_LINKS = {  # each row's recommendation ids; their refs and order come from the plan's list
    "sqlite": "SELECT group_concat(l.recommendation_id) FROM action_recommendation l",
    "postgresql": "SELECT string_agg(l.recommendation_id::text, ',') FROM action_recommendation l",
}
_STATUS_OF = {s.value: s for s in Status}
_RAG_OF: dict[str | None, Rag | None] = {None: None, **{r.value: r for r in Rag}}


@dataclass(frozen=True, slots=True)
class Plan:
    """One plan, open for reading, with the names its rows point to."""

    conn: Connection
    id: int
    name: str
    people: dict[int, str]
    themes: dict[int, str]
    milestones: dict[int, str]
    recs: dict[int, tuple[int, str]]  # id -> (place in the plan's order, ref)
    alone: bool = False  # the database's only plan

    def date(self, value: dt.date) -> Any:
        return self.conn.date(value)


def open_plan(db: str, plan: str | None) -> Plan | None:
    """The plan named `plan` (or the only one) in `db`, or None: see the module's doc."""
    try:
        conn = connect(db, timeout=60, postgres_options=_LISTING)
    except Exception:
        return None
    try:
        found = _plan(conn, plan)
    except Exception:
        conn.close()
        return None
    if found is None:
        conn.close()
    return found


def _plan(conn: Connection, typed: str | None) -> Plan | None:
    if conn.rows("SELECT version_num FROM alembic_version") != [(HEAD,)]:
        return None
    if conn.rows("SELECT 1 FROM access_grant", limit=1):
        return None
    plans = conn.rows("SELECT id, name FROM plan")
    chosen = plans if typed is None else _matching(plans, typed)
    if len(chosen) != 1:
        return None
    plan_id, name = chosen[0]
    recs = conn.rows(
        "SELECT id, ref FROM recommendation WHERE plan_id = ? ORDER BY seq, ref", plan_id
    )
    return Plan(
        conn=conn,
        id=plan_id,
        name=name,
        people=dict(conn.rows("SELECT id, name FROM person")),
        themes=dict(conn.rows("SELECT id, name FROM theme")),
        milestones=dict(conn.rows("SELECT id, name FROM milestone")),
        recs={ident: (n, ref) for n, (ident, ref) in enumerate(recs)},
        alone=len(plans) == 1,
    )


def _matching(rows: Sequence[tuple[Any, ...]], typed: str) -> list[tuple[Any, ...]]:
    """The rows whose name is `typed` as store/queries' lookups find it: as written, else
    in any case and spacing; more than one is left to them."""
    try:
        typed = clean_key(typed)
    except ValueError:
        return []
    exact = [r for r in rows if r[1] == typed]
    if exact:
        return exact
    wanted = folded(typed)
    return [r for r in rows if folded(r[1]) == wanted]


def named(names: dict[int, str], typed: str) -> tuple[int, str] | None:
    """(id, stored name) of the one row of `names` that `typed` finds, else None."""
    found = _matching(list(names.items()), typed)
    return (int(found[0][0]), str(found[0][1])) if len(found) == 1 else None


def plan_themes(plan: Plan) -> dict[int, str]:
    return dict(plan.conn.rows("SELECT id, name FROM theme WHERE plan_id = ?", plan.id))


def action_rows(
    plan: Plan, *, as_of: dt.date, amber_days: int, flt: ActionFilter
) -> TupleRows | None:
    """store/queries.py's `stream_action_values` (the order by due), or None for a filter
    this path does not take (a recommendation, words). None too for a database the
    driver opened but cannot read (a damaged page): nothing is written yet, and the
    services say what it is."""
    found = listing(plan, as_of=as_of, amber_days=amber_days, flt=flt)
    rows = None if found is None else streamed(plan, found)
    return None if rows is None else TupleRows(cells(plan, rows, as_of), ACTION_CELLS)


def streamed(plan: Plan, query: tuple[str, list[Any]]) -> Iterator[tuple[Any, ...]] | None:
    """The rows of `query` from the cursor, or None for a database the driver cannot read."""
    try:
        return plan.conn.stream(*query, BATCH)
    except plan.conn.error:
        return None


def listing(
    plan: Plan, *, as_of: dt.date, amber_days: int, flt: ActionFilter, minutes: bool = False,
    extra: str = "", limit: int | None = None,
) -> tuple[str, list[Any]] | None:  # fmt: skip
    """The one SELECT of an action listing and its parameters, or None for a filter this
    path does not take. Its first columns are those `cells` reads; `extra` columns follow
    (store/direct_records.py's, for a whole `ActionRow`). With `limit`, the first rows
    only: the (plan, due) index walked in order, stopping there (SQLite: 0.1 ms for the
    overdue table's 50 of 47k rows, where the sorted scan of a full listing takes 25 ms)."""
    if not takes(flt):
        return None
    window = plan.date(shift_days(as_of, amber_days))
    where, params = where_clause(plan, flt, as_of, window, scan=limit is None)
    order = order_by(plan)
    if limit is not None:
        order = f"{_DATED_ORDER if dated(flt) else order} LIMIT {int(limit)}"
    link = f"({links_of(plan)} WHERE l.action_id = a.id)"
    stamp = as_text("a.updated_at", plan)
    if minutes:  # SQLite's "2025-03-09 09:19:07.000000", PostgreSQL's text of it
        stamp = f"substr({stamp}, 1, 16)"
    sql = (
        f"SELECT a.ref, a.title, a.owner_id, {as_text('a.due', plan)},"
        f" {as_text('a.original_due', plan)}, a.status, a.rag_override, {COMPUTED}, a.theme_id,"
        f" a.milestone_id, a.version, {stamp}, {link}{extra}"
        f" FROM action a WHERE {where}{order}"
    )
    return sql, [plan.date(as_of), window, *params]


def dated(flt: ActionFilter) -> bool:
    """Whether the filter keeps undated actions out: then "undated last" orders nothing,
    and SQLite's `due IS NULL` term would keep it from reading the due index in order."""
    return flt.overdue or flt.due_by is not None or flt.due_from is not None


def takes(flt: ActionFilter) -> bool:
    """Whether this path reads the filter: not a recommendation's or words (the services')."""
    return flt.rec is None and not flt.text


def order_by(plan: Plan) -> str:
    """store/queries.py's order of an action listing: by due, undated last."""
    return _ORDER[plan.conn.dialect]


def links_of(plan: Plan) -> str:
    """The subquery head joining an action's recommendation ids ("3,7")."""
    return _LINKS[plan.conn.dialect]


def as_text(column: str, plan: Plan) -> str:
    """A date or UTC time as text, as SQLite stores them: psycopg's date and datetime
    objects cost a conversion each way, and to_char() 0.4 s of a 100k listing; the
    session's DateStyle is ISO (_LISTING), so the plain cast is ISO 8601."""
    if plan.conn.dialect != "postgresql":
        return column
    if column == "a.updated_at":
        return "(a.updated_at AT TIME ZONE 'UTC')::text"
    return f"{column}::text"


def where_clause(
    plan: Plan, flt: ActionFilter, as_of: dt.date, window: Any, *, scan: bool = True
) -> tuple[str, list[Any]]:
    """store/queries.py's `_apply`, clause for clause. For a whole listing (`scan`) of a
    database of one plan, SQLite reads the table in its order and sorts (`+` keeps the
    plan's index out): walking the index and the table in due order took 0.8 s of a 100k
    listing, the scan 0.5 s. A count or the first rows take the indexes."""
    scan = scan and plan.alone and plan.conn.dialect == "sqlite"
    clauses, params = ["+a.plan_id = ?" if scan else "a.plan_id = ?"], [plan.id]

    def add(clause: str, *values: Any) -> None:
        clauses.append(clause)
        params.extend(values)

    if flt.ref is not None:
        add("a.ref = ?", flt.ref)
    if flt.owner is not None:
        add("a.owner_id IN (SELECT id FROM person WHERE lower(name) = lower(?))", flt.owner)
    if flt.status:
        add(f"a.status IN ({', '.join('?' for _ in flt.status)})", *(s.value for s in flt.status))
    if not flt.include_cancelled:
        add("a.status != 'cancelled'")
    if flt.rag is not None:
        add(f"{EFFECTIVE} = ?", plan.date(as_of), window, flt.rag.value)
    if flt.theme is not None:
        add("a.theme_id IN (SELECT id FROM theme WHERE lower(name) = lower(?))", flt.theme)
    if flt.overdue:
        add(f"a.status IN ({OPEN_SQL}) AND a.due IS NOT NULL AND a.due < ?", plan.date(as_of))
    if flt.due_by is not None:
        add(f"a.status IN ({OPEN_SQL}) AND a.due <= ?", plan.date(flt.due_by))
    if flt.due_from is not None:
        add("a.due >= ?", plan.date(flt.due_from))
    return " AND ".join(clauses), params


OPEN_VALUES = frozenset(s.value for s in OPEN_STATUSES)
OWN_COLUMNS = 13  # the columns of `listing` before its `extra`


def cells(plan: Plan, rows: Iterable[tuple[Any, ...]], as_of: dt.date) -> Iterator[tuple[Any, ...]]:
    """The SELECT's rows as ACTION_CELLS tuples (domain/records.py): names looked up,
    RAG as store/queries' rag_effective, days overdue as domain/rag.py counts them.
    It takes rows of `listing`'s own OWN_COLUMNS: any `extra` is cut off first."""
    people, themes, milestones = plan.people.get, plan.themes.get, plan.milestones.get
    refs = refs_of(plan.recs)
    today, opened, fromiso = as_of.isoformat(), OPEN_VALUES, dt.date.fromisoformat
    for (ref, title, owner, due, original_due, status, override, computed, theme, milestone,
         version, updated_at, links) in rows:  # fmt: skip
        late = 0
        if due is not None and status in opened and due < today:
            late = (as_of - fromiso(due)).days
        yield (
            ref, title, people(owner), due, original_due, status,
            None if status == "cancelled" else override or computed, computed, late,
            refs(links) if links else [], themes(theme), milestones(milestone), version,
            updated_at,
        )  # fmt: skip


def refs_of(recs: dict[int, tuple[int, str]]) -> Any:
    """ids as the database joins them ("3,7") -> the plan's refs, in the plan's order."""
    known: dict[str, list[str]] = {}

    def refs(links: str) -> list[str]:
        found = known.get(links)
        if found is None:
            placed = sorted(recs[int(i)] for i in links.split(",") if int(i) in recs)
            found = known[links] = [ref for _, ref in placed]
        return found  # one list per combination: the writers only read it

    return refs
