"""The `status` dashboard's counts and measures read with the driver alone (issue 14).

`status` is what a director runs every morning; through SQLAlchemy half its time was the
import of SQLAlchemy and SQLModel. These are store/queries.py's `rag_counts` and
services/measures.py's `measure_rows` as SQL text for both databases, the rows handed
to the same domain code (domain/status.py, domain/measures.py), so the dashboard reads
the same (tests/store/test_direct.py compares the two).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from improveplan.domain.dates import shift_days
from improveplan.domain.measures import MeasureRecord, measure_record
from improveplan.domain.records import RagCounts
from improveplan.domain.status import pivot_counts
from improveplan.domain.vocab import DONE_STATUSES
from improveplan.store.dbapi import day
from improveplan.store.direct import EFFECTIVE, OPEN_SQL, Plan

_DONE_SQL = ", ".join(f"'{s.value}'" for s in sorted(DONE_STATUSES))
_GROUPS: dict[str | None, tuple[str, str]] = {  # store/queries.py `_group_key`
    None: ("NULL", ""),
    "theme": ("t.name", " LEFT JOIN theme t ON t.id = a.theme_id"),
    "owner": ("p.name", " LEFT JOIN person p ON p.id = a.owner_id"),
    "recommendation": (
        "r.ref",
        " LEFT JOIN action_recommendation l ON l.action_id = a.id"
        " LEFT JOIN recommendation r ON r.id = l.recommendation_id",
    ),
}


def rag_counts(
    plan: Plan, *, as_of: dt.date, amber_days: int, group_by: str | None
) -> list[RagCounts]:
    """store/queries.py's `rag_counts`: each row's RAG evaluated once, counted by (group,
    rag, done); cancelled actions left out. A grouping not known is a KeyError."""
    if group_by in _PACKED_KEYS:
        packed = _packed_counts(plan, as_of=as_of, amber_days=amber_days, group_by=group_by)
        if packed is not None:
            return pivot_counts(packed, grouped=group_by is not None)
    key, joins = _GROUPS[group_by]
    labelled = (
        f"SELECT {key} AS name, {EFFECTIVE} AS rag,"
        f" CASE WHEN a.status IN ({_DONE_SQL}) THEN 1 ELSE 0 END AS done,"
        f" CASE WHEN a.status IN ({OPEN_SQL}) AND a.due IS NOT NULL AND a.due < ?"
        " THEN 1 ELSE 0 END AS late"
        f" FROM action a{joins} WHERE a.plan_id = ? AND a.status != 'cancelled'"
    )
    sql = (
        f"SELECT name, rag, done, count(*), sum(late) FROM ({labelled}) c GROUP BY name, rag, done"
    )
    on = plan.date(as_of)
    rows = plan.conn.rows(sql, on, plan.date(shift_days(as_of, amber_days)), on, plan.id)
    return pivot_counts(rows, grouped=group_by is not None)


# The plan's totals and the count by theme (what `status` shows by default) read the
# (plan, status) and (plan, theme, status) indexes in order and group as they read:
# sorting 97k rows by (theme, rag, done) was most of the count's 100-150 ms on SQLite,
# this ~40 ms. A row's RAG is then one number so that one sum counts three colours:
# red in the low 21 bits, amber in the next 21, green above; blue is what is left.
_PACKED_KEYS = {None: "", "theme": "a.theme_id, "}
_BITS = 21
_FIELD = (1 << _BITS) - 1  # a group of more actions than this is counted plainly
_CODES = " ".join(
    f"WHEN '{rag}' THEN {1 << (_BITS * i)}" for i, rag in enumerate(("red", "amber", "green"))
)
_DONE_VALUES = frozenset(s.value for s in DONE_STATUSES)


def _packed_counts(
    plan: Plan, *, as_of: dt.date, amber_days: int, group_by: str | None
) -> list[tuple[str | None, str, bool, int, int]] | None:
    """`rag_counts`'s (name, rag, done, n, late) rows from a count by (group, status),
    or None where a group holds more actions than a packed field counts."""
    key = _PACKED_KEYS[group_by]
    sql = (
        f"SELECT {key or 'NULL, '}a.status, count(*),"
        f" CAST(sum(CASE {EFFECTIVE} {_CODES} ELSE 0 END) AS BIGINT),"
        f" sum(CASE WHEN a.status IN ({OPEN_SQL}) AND a.due < ? THEN 1 ELSE 0 END)"
        f" FROM action a WHERE a.plan_id = ? AND a.status != 'cancelled'"
        f" GROUP BY {key}a.status"
    )
    on = plan.date(as_of)
    rows = plan.conn.rows(sql, on, plan.date(shift_days(as_of, amber_days)), on, plan.id)
    if any(n > _FIELD for _, _, n, _, _ in rows):
        return None
    found = []
    for ident, status, n, packed, late in rows:
        name = None if ident is None else plan.themes.get(ident)
        red, amber, green = (int(packed) >> (_BITS * i) & _FIELD for i in range(3))
        done = status in _DONE_VALUES
        blue = n - red - amber - green
        found += [(name, "red", done, red, int(late)), (name, "amber", done, amber, 0),
                  (name, "green", done, green, 0), (name, "blue", done, blue, 0)]  # fmt: skip
    return found


class _Terms(NamedTuple):
    """A measure's defining fields as read (domain/measures.py MeasureTerms)."""

    name: str
    unit: str
    baseline: float
    baseline_date: dt.date | None
    target: float
    target_date: dt.date | None
    higher_is_better: bool


_MEASURES = (
    "SELECT m.name, m.unit, m.baseline, m.baseline_date, m.target, m.target_date,"
    " m.higher_is_better, v.date, v.value FROM measure m"
    " LEFT JOIN (SELECT measure_id, max(date) AS day FROM measure_value WHERE date <= ?"
    " GROUP BY measure_id) d ON d.measure_id = m.id"
    " LEFT JOIN measure_value v ON v.measure_id = m.id AND v.date = d.day"
    " WHERE m.plan_id = ? ORDER BY m.name"
)


def measures(plan: Plan, *, as_of: dt.date) -> list[MeasureRecord]:
    """services/measures.py's `measure_rows`: every measure of the plan with its latest
    value on or before `as_of`, by name as the database orders names."""
    found = []
    for name, unit, base, base_on, target, target_on, higher, on, value in plan.conn.rows(
        _MEASURES, plan.date(as_of), plan.id
    ):
        terms = _Terms(name, unit, float(base), day(base_on), float(target), day(target_on),
                       bool(higher))  # fmt: skip
        latest = None if on is None else (day(on) or dt.date.min, float(value))
        found.append(measure_record(terms, latest))
    return found
