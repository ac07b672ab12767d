"""Action rows as `ActionRow` records, read with the driver alone: the table of `action
list` and the screen's first read.

`action list` as a table and `improveplan tui` opening on My actions show a few
thousand rows at most; read through the services, they wait for SQLModel and SQLAlchemy
to be imported and for the ORM's result processing (most of a second at 100k actions).
The SELECT is store/direct.py's `listing` with the columns an `ActionRow` carries
besides, and each row's names, RAG and days overdue come from the same loop as the
streamed rows' (`direct.cells`), so the records are those services/action_reads.py's
`list_actions` gives (tests/store/test_direct.py and tests/tui/test_first_read.py
compare them on both databases).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from improveplan.domain.dates import shift_days
from improveplan.domain.filters import ActionFilter
from improveplan.domain.records import ActionRow
from improveplan.domain.stamps import utc_time
from improveplan.domain.vocab import Rag, Status
from improveplan.store import direct
from improveplan.store.dbapi import day


def action_records(
    plan: direct.Plan, *, as_of: dt.date, amber_days: int, flt: ActionFilter,
    limit: int | None = None,
) -> list[ActionRow] | None:  # fmt: skip
    """store/queries.py's `action_rows` (sorted by due; the first `limit`), or None for a
    filter the direct read does not take (a recommendation, words) or a database the
    driver could open but not read (a damaged page): nothing is shown yet, so the
    services can say what it is."""
    extra = f", a.id, a.seq, {direct.as_text('a.start', plan)}, a.rag_override_reason"
    found = direct.listing(
        plan, as_of=as_of, amber_days=amber_days, flt=flt, extra=extra, limit=limit
    )
    if found is None:
        return None
    sql, params = found
    try:
        rows = plan.conn.rows(sql, *params)
    except plan.conn.error:
        return None
    return list(_records(plan, rows, as_of))


def count_actions(
    plan: direct.Plan, *, as_of: dt.date, amber_days: int, flt: ActionFilter
) -> int | None:
    """store/queries.py's `count_actions`: how many `action_records` would return without
    a limit; None as there."""
    if not direct.takes(flt):
        return None
    window = plan.date(shift_days(as_of, amber_days))
    where, params = direct.where_clause(plan, flt, as_of, window, scan=False)
    try:
        (found,) = plan.conn.rows(f"SELECT count(*) FROM action a WHERE {where}", *params)
    except plan.conn.error:
        return None
    return int(found[0])


def _records(
    plan: direct.Plan, rows: Sequence[tuple[Any, ...]], as_of: dt.date
) -> Iterator[ActionRow]:
    """The listing's cells, and the extra columns, typed as `ActionRow` fields."""
    own = direct.OWN_COLUMNS
    cells = direct.cells(plan, (row[:own] for row in rows), as_of)
    for (ref, title, owner, due, original_due, status, rag, computed, late, recs, theme,
         milestone, version, updated_at), row in zip(cells, rows, strict=True):  # fmt: skip
        ident, seq, start, reason = row[own:]
        yield ActionRow(
            ref=ref, title=title, owner=owner, due=day(due), original_due=day(original_due),
            status=Status(status), rag=Rag(rag) if rag else None,
            rag_computed=Rag(computed) if computed else None, days_overdue=late,
            recommendations=list(recs), theme=theme, milestone=milestone, version=version,
            updated_at=utc_time(updated_at), id=ident, seq=seq, start=day(start),
            rag_override_reason=reason,
        )  # fmt: skip
