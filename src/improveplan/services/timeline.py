"""Reading the timeline: the plan's milestones on a date, in a window, without writing.

The milestones come from `milestone_sync.plan_milestones` (the stored rows brought in
line with their sources in memory), so `timeline` and `milestone list` work on a
read-only database and never store anything. The writes live in services/milestones.py
and are re-exported here for the callers that know them by this module.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select as sql_select
from sqlmodel import Session, col, func

from improveplan.domain.dates import add_months
from improveplan.domain.milestone_sync import MilestoneFacts
from improveplan.domain.timeline import Timeline, TimelineEntry
from improveplan.services.context import App
from improveplan.services.milestone_sync import (
    find_notice,
    milestone_record,
    plan_milestones,
    record,
    refresh_plan,
)
from improveplan.services.milestones import mark_done, reset_milestone, set_milestone
from improveplan.store import queries
from improveplan.store.models import Action

__all__ = [
    "find_notice",
    "mark_done",
    "milestone_record",
    "refresh_plan",
    "reset_milestone",
    "set_milestone",
    "timeline",
    "timeline_rows",
]

BACK_MONTHS = 3  # the default window: the last three months and the next twelve
AHEAD_MONTHS = 12


def _months_from(as_of: dt.date, months: int) -> dt.date:
    """as_of moved by whole months, held at the ends of the calendar."""
    try:
        return add_months(as_of, months)
    except OverflowError:
        return dt.date.max if months > 0 else dt.date.min


def default_window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The timeline's default window around `as_of`."""
    return _months_from(as_of, -BACK_MONTHS), _months_from(as_of, AHEAD_MONTHS)


class _OpenCounts:
    """Open actions linked to, or due by, a milestone: counted from one grouped query
    (rows per distinct milestone and due date, never per action)."""

    def __init__(self, session: Session, plan_id: int) -> None:
        stmt = (
            sql_select(col(Action.milestone_id), col(Action.due), func.count())
            .where(col(Action.plan_id) == plan_id, queries.is_open())
            .group_by(col(Action.milestone_id), col(Action.due))
        )
        self.linked: dict[int, list[tuple[dt.date | None, int]]] = defaultdict(list)
        by_due: dict[dt.date, int] = defaultdict(int)
        for milestone_id, due, n in session.execute(stmt):
            if milestone_id is not None:
                self.linked[milestone_id].append((due, n))
            if due is not None:
                by_due[due] += n
        self.dues = sorted(by_due)
        self.running = list(itertools.accumulate(by_due[d] for d in self.dues))

    def of(self, m: MilestoneFacts) -> int:
        due_by = bisect.bisect_right(self.dues, m.date)
        found = self.running[due_by - 1] if due_by else 0
        if m.id is not None:
            found += sum(n for due, n in self.linked.get(m.id, []) if due is None or due > m.date)
        return found


def timeline_rows(
    session: Session,
    milestones: Sequence[MilestoneFacts],
    *,
    plan_id: int,
    as_of: dt.date,
    due_window_days: int,
) -> list[TimelineEntry]:
    """The milestones with status, days to go and the open actions due by each."""
    counts = _OpenCounts(session, plan_id)
    return [
        record(
            TimelineEntry,
            m,
            as_of=as_of,
            due_window_days=due_window_days,
            open_actions=counts.of(m),
            missed_reason=m.missed_reason,
        )
        for m in milestones
    ]


def timeline(
    app: App,
    *,
    as_of: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Timeline:
    """The plan's milestones from `start` to `end` (inclusive; None: no bound), and how
    many fall before and after. Reads only."""
    with app.read() as session:
        plan = app.plan(session)
        assert plan.id is not None
        found = plan_milestones(session, plan_id=plan.id, today=app.today, as_of=as_of)
        earlier = sum(1 for m in found if start is not None and m.date < start)
        later = sum(1 for m in found if end is not None and m.date > end)
        shown = [
            m
            for m in found
            if (start is None or m.date >= start) and (end is None or m.date <= end)
        ]
        rows = timeline_rows(
            session, shown, plan_id=plan.id, as_of=as_of, due_window_days=app.settings.amber_days
        )
        return Timeline(
            plan=plan.name, as_of=as_of, milestones=rows, start=start, end=end,
            earlier=earlier, later=later,
        )  # fmt: skip
