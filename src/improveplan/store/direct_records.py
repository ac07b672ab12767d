"""Action rows as `ActionRow` records, read with the driver alone: the screen's first read.

`improveplan tui` opens on My actions. Read through the services, that list waits for
SQLModel and SQLAlchemy to be imported (about half a second of CPU, on the thread that
also starts Textual); read here, it is filled as soon as the screen is drawn. The SELECT
is store/direct.py's listing with the columns an `ActionRow` carries besides, and the
rows are the same records services/action_reads.py's `list_actions` gives
(tests/tui/test_first_read.py compares them on both databases).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from improveplan.domain.dates import shift_days
from improveplan.domain.filters import ActionFilter
from improveplan.domain.records import ActionRow
from improveplan.domain.stamps import utc_time
from improveplan.domain.vocab import OPEN_STATUSES, Rag, Status
from improveplan.store import direct
from improveplan.store.dbapi import day

_OPEN_VALUES = frozenset(s.value for s in OPEN_STATUSES)


def action_records(
    plan: direct.Plan, *, as_of: dt.date, amber_days: int, flt: ActionFilter
) -> list[ActionRow] | None:
    """store/queries.py's `action_rows` (sorted by due), or None for a filter the direct
    read does not take (a recommendation, words)."""
    if flt.rec is not None or flt.text:
        return None
    window = plan.date(shift_days(as_of, amber_days))
    where, params = direct.where_clause(plan, flt, as_of, window)
    text = direct.as_text
    sql = (
        f"SELECT a.ref, a.title, a.owner_id, {text('a.due', plan)},"
        f" {text('a.original_due', plan)}, a.status, a.rag_override, {direct.COMPUTED},"
        f" a.theme_id, a.milestone_id, a.version, {text('a.updated_at', plan)},"
        f" ({direct.links_of(plan)} WHERE l.action_id = a.id), a.id, a.seq,"
        f" {text('a.start', plan)}, a.rag_override_reason"
        f" FROM action a WHERE {where}{direct.order_by(plan)}"
    )
    rows = plan.conn.rows(sql, plan.date(as_of), window, *params)
    return list(_records(plan, rows, as_of))


def _records(
    plan: direct.Plan, rows: Iterable[tuple[Any, ...]], as_of: dt.date
) -> Iterable[ActionRow]:
    people, themes, milestones = plan.people.get, plan.themes.get, plan.milestones.get
    refs = direct.refs_of(plan.recs)
    for (ref, title, owner, due, original_due, status, override, computed, theme, milestone,
         version, updated_at, links, ident, seq, start, reason) in rows:  # fmt: skip
        due_day = day(due)
        late = 0
        if due_day is not None and status in _OPEN_VALUES and due_day < as_of:
            late = (as_of - due_day).days
        computed_rag = Rag(computed) if computed else None
        shown = None if status == Status.cancelled.value else override or computed
        yield ActionRow(
            ref=ref, title=title, owner=people(owner), due=due_day,
            original_due=day(original_due), status=Status(status),
            rag=Rag(shown) if shown else None, rag_computed=computed_rag, days_overdue=late,
            recommendations=list(refs(links)) if links else [], theme=themes(theme),
            milestone=milestones(milestone), version=version, updated_at=utc_time(updated_at),
            id=ident, seq=seq, start=day(start), rag_override_reason=reason,
        )  # fmt: skip
