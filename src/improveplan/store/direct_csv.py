"""`action list --format csv` read with the driver alone, its cells made as they are read.

A CSV listing is store/direct.py's `listing` with every text made a cell (domain/cells.py).
SQLite's rows are made cells in the pass that looks their names up, each name and each
list of recommendation refs (a few hundred distinct at 100k actions) once. PostgreSQL
writes the whole CSV itself (COPY ... TO STDOUT): names and refs joined, texts made cells
by `sql_cell`, days overdue counted, so no row passes through Python; at 100k actions
parsing its rows and making their cells took 0.5 s of the command's 0.8 s. Both give the
text render/csv_out.py writes of the SQLAlchemy path's records: tests/store/
test_direct_csv.py compares the three on both databases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from improveplan.domain.cells import RISKY, sql_cell, text_cell
from improveplan.domain.dates import shift_days
from improveplan.domain.filters import ActionFilter
from improveplan.domain.records import ACTION_CSV_CELLS, CsvText, TupleRows
from improveplan.store.direct import (
    COMPUTED,
    OPEN_SQL,
    OPEN_VALUES,
    Plan,
    as_text,
    listing,
    order_by,
    refs_of,
    streamed,
    where_clause,
)

# Each action's recommendations' refs, the plan's own in the plan's order, as one text.
_REFS = (
    "(SELECT l.action_id, string_agg(r.ref, ', ' ORDER BY r.seq, r.ref) AS refs"
    " FROM action_recommendation l JOIN recommendation r ON r.id = l.recommendation_id"
    " AND r.plan_id = ? GROUP BY l.action_id)"
)


def action_csv(
    plan: Plan, *, as_of: dt.date, amber_days: int, flt: ActionFilter
) -> TupleRows | CsvText | None:
    """The listing's CSV rows (SQLite) or text (PostgreSQL), or None as store/direct.py's
    `action_rows` says it."""
    if plan.conn.dialect == "postgresql":
        query = copy_query(plan, as_of=as_of, amber_days=amber_days, flt=flt)
        if query is None:
            return None
        try:
            return CsvText(plan.conn.copy_csv(*query))
        except plan.conn.error:
            return None
    found = listing(plan, as_of=as_of, amber_days=amber_days, flt=flt, minutes=True)
    rows = None if found is None else streamed(plan, found)
    return None if rows is None else TupleRows(_cells(plan, rows, as_of), ACTION_CSV_CELLS)


def _cells(
    plan: Plan, rows: Iterable[tuple[Any, ...]], as_of: dt.date
) -> Iterator[tuple[Any, ...]]:
    """store/direct.py's `cells` made CSV cells in the same pass (ACTION_CSV_CELLS): a
    title or ref needs a cell of its own only when it starts with a formula's character
    or holds a CR, which the test inline finds without a call."""
    people, themes, milestones = (
        {ident: text_cell(name) for ident, name in names.items()}.get
        for names in (plan.people, plan.themes, plan.milestones)
    )
    refs = refs_of(plan.recs)
    joined: dict[str | None, str | None] = {None: None, "": None}
    today, opened, fromiso, risky = as_of.isoformat(), OPEN_VALUES, dt.date.fromisoformat, RISKY
    for (ref, title, owner, due, original_due, status, override, computed, theme, milestone,
         version, updated_at, links) in rows:  # fmt: skip
        late = 0
        if due is not None and status in opened and due < today:
            late = (as_of - fromiso(due)).days
        if links not in joined:
            joined[links] = text_cell(", ".join(refs(links))) or None
        yield (
            ref if ref[:1] not in risky and "\r" not in ref else text_cell(ref),
            title if title[:1] not in risky and "\r" not in title else text_cell(title),
            people(owner), due, original_due, status,
            None if status == "cancelled" else override or computed, computed, late,
            joined[links], themes(theme), milestones(milestone), version, updated_at,
        )  # fmt: skip


def copy_query(
    plan: Plan, *, as_of: dt.date, amber_days: int, flt: ActionFilter
) -> tuple[str, list[Any]] | None:
    """PostgreSQL's SELECT of the CSV's columns (record_keys(ActionRow), in order) and its
    parameters, or None for a filter the direct read does not take."""
    if flt.rec is not None or flt.text:
        return None
    today, window = plan.date(as_of), plan.date(shift_days(as_of, amber_days))
    where, params = where_clause(plan, flt, as_of, window)
    names = {t: f"(SELECT id, {sql_cell('name')} AS name FROM {t})" for t in _NAMED}
    sql = (
        f"SELECT {sql_cell('a.ref')} AS ref, {sql_cell('a.title')} AS title, p.name AS owner,"
        f" {as_text('a.due', plan)} AS due, {as_text('a.original_due', plan)} AS original_due,"
        " a.status, CASE WHEN a.status = 'cancelled' THEN NULL"
        f" ELSE coalesce(a.rag_override, {COMPUTED}) END AS rag, {COMPUTED} AS rag_computed,"
        f" CASE WHEN a.status IN ({OPEN_SQL}) AND a.due < ? THEN ? - a.due ELSE 0 END"
        f" AS days_overdue, {sql_cell('k.refs')} AS recommendations, t.name AS theme,"
        f" m.name AS milestone, a.version,"
        f" substr({as_text('a.updated_at', plan)}, 1, 16) AS updated_at"
        f" FROM action a LEFT JOIN {names['person']} p ON p.id = a.owner_id"
        f" LEFT JOIN {names['theme']} t ON t.id = a.theme_id"
        f" LEFT JOIN {names['milestone']} m ON m.id = a.milestone_id"
        f" LEFT JOIN {_REFS} k ON k.action_id = a.id WHERE {where}{order_by(plan)}"
    )
    return sql, [today, window, today, window, today, today, plan.id, *params]


_NAMED = ("person", "theme", "milestone")
