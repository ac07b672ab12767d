"""The milestones the direct reads need (store/direct.py's plan, the driver alone).

What services/milestone_sync.py reads to reconcile a plan's milestones with their
sources, and services/overdue.py's threats to those ahead, as SQL text for both
databases: `overdue` and `status` read them without SQLAlchemy (issue 14).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from improveplan.domain.dates import shift_days
from improveplan.domain.milestone_sync import MilestoneFacts, MilestoneSources
from improveplan.domain.vocab import Area, Grade, InspectionType, MilestoneKind
from improveplan.store.dbapi import day
from improveplan.store.direct import EFFECTIVE, OPEN_SQL, Plan, order_by

_PLAN_TYPES = [t.value for t in InspectionType if t != InspectionType.monitoring_visit]


def milestone_sources(plan: Plan) -> MilestoneSources:
    """What the plan's default milestones follow from (services/milestone_sync.py)."""
    rows = plan.conn.rows(
        "SELECT id, type, received FROM inspection WHERE plan_id = ? AND received IS NOT NULL"
        f" AND type IN ({', '.join('?' for _ in _PLAN_TYPES)}) ORDER BY received DESC, id DESC",
        plan.id,
        *_PLAN_TYPES,
        limit=1,
    )
    sources = MilestoneSources()
    if rows:
        ident, kind, received = rows[0]
        grade = plan.conn.rows(
            "SELECT grade FROM judgement WHERE inspection_id = ? AND area = ?",
            ident,
            Area.overall_effectiveness.value,
            limit=1,
        )
        sources = MilestoneSources(
            inspection_type=InspectionType(kind),
            received=day(received),
            inadequate=bool(grade) and grade[0][0] == Grade.inadequate.value,
        )
    return _with_notice(plan, sources)


def _with_notice(plan: Plan, sources: MilestoneSources) -> MilestoneSources:
    import dataclasses

    found = plan.conn.rows(
        "SELECT issued, review_months, lifted, first_board, board_every_weeks, plan_due"
        " FROM notice WHERE plan_id = ?",
        plan.id,
        limit=1,
    )
    if not found:
        return sources
    issued, months, lifted, first_board, every, plan_due = found[0]
    return dataclasses.replace(
        sources, notice=True, notice_issued=day(issued), review_months=months,
        lifted=day(lifted), first_board=day(first_board), board_every_weeks=every,
        plan_due=day(plan_due),
    )  # fmt: skip


def stored_milestones(plan: Plan) -> list[MilestoneFacts]:
    rows = plan.conn.rows(
        "SELECT id, name, kind, date, rule, source_date, user_set, expected, done,"
        " missed_reason FROM milestone WHERE plan_id = ?",
        plan.id,
    )
    return [
        MilestoneFacts(
            id=ident,
            name=name,
            kind=MilestoneKind(kind),
            date=day(date) or dt.date.min,
            rule=rule,
            source_date=day(source),
            user_set=bool(user_set),
            expected=bool(expected),
            done=day(done),
            missed_reason=missed,
        )
        for ident, name, kind, date, rule, source, user_set, expected, done, missed in rows
    ]


def linked(plan: Plan, ids: Sequence[int]) -> set[int]:
    """Which of these milestones actions link to."""
    if not ids:
        return set()
    marks = ", ".join("?" for _ in ids)
    rows = plan.conn.rows(
        f"SELECT DISTINCT milestone_id FROM action WHERE milestone_id IN ({marks})", *ids
    )
    return {int(r[0]) for r in rows if r[0] is not None}


def threats(
    plan: Plan, *, as_of: dt.date, amber_days: int, owner_id: int | None, ids: Sequence[int],
    last_deadline: dt.date | None,
) -> list[tuple[str, dt.date | None, int | None, bool]]:  # fmt: skip
    """(ref, due, milestone id, off track) of the open actions that may put a milestone
    ahead at risk (services/overdue.py `_threats`), in listing order."""
    window = plan.date(shift_days(as_of, amber_days))
    off = f"({EFFECTIVE}) IN ('red', 'amber')"
    params: list[Any] = [plan.date(as_of), window, plan.id]
    where = f"a.plan_id = ? AND a.status IN ({OPEN_SQL})"
    if owner_id is not None:
        where += " AND a.owner_id = ?"
        params.append(owner_id)
    either = [f"a.milestone_id IN ({', '.join('?' for _ in ids)})"] if ids else []
    params.extend(ids)
    if last_deadline is not None:
        either.append(f"({off} AND a.due <= ?)")
        params.extend([plan.date(as_of), window, plan.date(last_deadline)])
    if not either:
        return []
    sql = (
        f"SELECT a.ref, a.due, a.milestone_id, {off} FROM action a"
        f" WHERE {where} AND ({' OR '.join(either)}){order_by(plan)}"
    )
    rows = plan.conn.rows(sql, *params)
    return [(ref, day(due), milestone, bool(bad)) for ref, due, milestone, bad in rows]
