"""What is overdue, what falls due soon, and which milestones are at risk (docs/design.md §2-3).

A milestone is *at risk* when it is not done, falls on or after the as-of date, is a
deadline (not an "expected" monitoring visit), and an action linked to it, or due on or
before it, is still open. Each open action counts against one milestone: the one it is
linked to, else the first ahead on or after its due date. A milestone already past and
not done is not "at risk" but overdue: `timeline` shows it so.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, true
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from improveplan.domain.dates import shift_days
from improveplan.domain.records import ActionRow
from improveplan.serialize import json_field
from improveplan.services import lookups
from improveplan.services import timeline as timeline_service
from improveplan.services.context import App
from improveplan.store import queries
from improveplan.store.models import Action, Milestone, Plan

REFS_LIMIT = 8  # refs per milestone at risk in the summary (table) view


@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneAtRisk:
    """A milestone ahead and the open actions that threaten it. In the summary (a refs
    limit) `open_actions` holds the first refs only and `open_count` how many in all;
    in the full listing `open_count` is None and left out of the JSON."""

    name: str
    date: dt.date
    open_actions: list[str]
    open_count: int | None = json_field(omit_none=True, default=None)

    @property
    def count(self) -> int:
        """How many open actions threaten the milestone, in either form."""
        return len(self.open_actions) if self.open_count is None else self.open_count


@dataclass(frozen=True, slots=True, kw_only=True)
class OverdueCounts:
    """How many actions each list of a cut (`limit`ed) report holds in all."""

    overdue: int
    due_soon: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OverdueReport:
    """The `overdue --format json` document (docs/design.md §3). `counts` appears only
    when the lists were cut to a limit (the table's summary), saying how long they are."""

    as_of: dt.date
    plan: str
    overdue: list[ActionRow]
    due_soon: list[ActionRow]
    milestones_at_risk: list[MilestoneAtRisk]
    counts: OverdueCounts | None = json_field(omit_none=True, default=None)  # noqa: RUF009


def _ahead(session: Session, plan_id: int, as_of: dt.date) -> list[Milestone]:
    """Deadlines on or after `as_of`, not done, not merely expected, in date order."""
    return list(
        session.exec(
            select(Milestone)
            .where(
                col(Milestone.plan_id) == plan_id,
                col(Milestone.done).is_(None),
                col(Milestone.expected).is_(False),
                col(Milestone.date) >= as_of,
            )
            .order_by(col(Milestone.date), col(Milestone.name))
        )
    )


def _open_of(plan_id: int, owner_id: int | None) -> Any:
    """WHERE clause: the plan's open actions (of one owner, when given)."""
    clause = and_(col(Action.plan_id) == plan_id, queries.is_open())
    return clause if owner_id is None else and_(clause, col(Action.owner_id) == owner_id)


def _open_threats(plan_id: int, ahead: list[Milestone], owner_id: int | None) -> Any:
    """WHERE clause: open actions of the plan linked to, or due by, a milestone ahead."""
    ids = [m.id for m in ahead]
    return and_(
        _open_of(plan_id, owner_id),
        or_(col(Action.milestone_id).in_(ids), col(Action.due) <= ahead[-1].date),
    )


def _bucketer(ahead: list[Milestone]) -> Callable[[int | None, dt.date | None], int | None]:
    """bucket(milestone_id, due): the milestone an open action threatens — its own if
    ahead, else the first ahead on or after its due date (the module docstring's rule)."""
    ids = {m.id for m in ahead}
    dates = [m.date for m in ahead]

    def bucket(milestone_id: int | None, due: dt.date | None) -> int | None:
        if milestone_id in ids:
            return milestone_id
        if due is None or due > dates[-1]:
            return None
        return ahead[bisect.bisect_left(dates, due)].id

    return bucket


def milestones_at_risk(
    session: Session,
    *,
    plan_id: int,
    as_of: dt.date,
    owner_id: int | None = None,
    refs_limit: int | None = None,
) -> list[MilestoneAtRisk]:
    """Milestones ahead (not done, not merely expected) with open actions that threaten them.

    An open action threatens the milestone it is linked to; an unlinked one threatens the
    first milestone ahead on or after its due date (an overdue action: the next one), so
    each list names the work that could make *that* milestone slip, not every open action.
    With `refs_limit`, `open_actions` holds the first refs only and `open_count` the
    number: counted in SQL, since at 100k actions 40k open refs would be read to show 8.
    """
    ahead = _ahead(session, plan_id, as_of)
    if not ahead:
        return []
    if refs_limit is not None:
        return _at_risk_summary(session, plan_id, ahead, owner_id, refs_limit)
    stmt = (
        sql_select(col(Action.ref), col(Action.due), col(Action.milestone_id))
        .where(_open_threats(plan_id, ahead, owner_id))
        .order_by(col(Action.due).is_(None), col(Action.due), col(Action.seq), col(Action.ref))
    )
    bucket = _bucketer(ahead)
    refs: dict[int | None, list[str]] = {m.id: [] for m in ahead}
    for ref, due, milestone_id in session.execute(stmt):
        found = bucket(milestone_id, due)
        if found is not None:
            refs[found].append(ref)
    return [
        MilestoneAtRisk(name=m.name, date=m.date, open_actions=refs[m.id])
        for m in ahead
        if refs[m.id]
    ]


def _at_risk_summary(
    session: Session, plan_id: int, ahead: list[Milestone], owner_id: int | None, limit: int
) -> list[MilestoneAtRisk]:
    """milestones_at_risk with counts from one grouped query (read from the covering
    (plan, status, due, ..., milestone) index) and the first `limit` refs of each."""
    grouped = (
        sql_select(col(Action.milestone_id), col(Action.due), func.count())
        .where(_open_threats(plan_id, ahead, owner_id))
        .group_by(col(Action.milestone_id), col(Action.due))
    )
    bucket = _bucketer(ahead)
    dues: dict[int | None, list[tuple[dt.date | None, int]]] = {m.id: [] for m in ahead}
    for milestone_id, due, n in session.execute(grouped):
        found_id = bucket(milestone_id, due)
        if found_id is not None:
            dues[found_id].append((due, n))
    found = []
    for i, m in enumerate(ahead):
        if dues[m.id]:
            cutoff = _cutoff(dues[m.id], limit)
            refs = _first_refs(session, plan_id, owner_id, ahead, i, limit, cutoff)
            count = sum(n for _, n in dues[m.id])
            found.append(
                MilestoneAtRisk(name=m.name, date=m.date, open_actions=refs, open_count=count)
            )
    return found


def _cutoff(dues: list[tuple[dt.date | None, int]], limit: int) -> dt.date | None:
    """The due date by which a bucket holds `limit` actions: its first refs are due on or
    before it, so only those rows are read and sorted. None: read the whole bucket."""
    seen = 0
    for due, n in sorted((d, n) for d, n in dues if d is not None):
        seen += n
        if seen >= limit:
            return due
    return None


def _first_refs(
    session: Session,
    plan_id: int,
    owner_id: int | None,
    ahead: list[Milestone],
    i: int,
    limit: int,
    cutoff: dt.date | None,
) -> list[str]:
    """The first refs (due, seq, ref order) of the actions in milestone `i`'s bucket."""
    due = col(Action.due)
    unlinked = and_(
        or_(
            col(Action.milestone_id).is_(None),
            col(Action.milestone_id).not_in([m.id for m in ahead]),
        ),
        due <= ahead[i].date,
        due > ahead[i - 1].date if i else true(),
    )
    stmt = sql_select(col(Action.ref)).where(
        _open_of(plan_id, owner_id), or_(col(Action.milestone_id) == ahead[i].id, unlinked)
    )
    if cutoff is not None:
        stmt = stmt.where(due <= cutoff)
    stmt = stmt.order_by(due.is_(None), due, col(Action.seq), col(Action.ref)).limit(limit)
    return list(session.scalars(stmt))


def overdue_data(
    session: Session,
    *,
    app: App,
    plan: Plan,
    as_of: dt.date,
    within: int,
    owner: str | None = None,
    limit: int | None = None,
) -> OverdueReport:
    """The overdue report for one plan (milestones already refreshed).

    With `limit`, each action list holds at most that many (cut in SQL: 23k overdue rows
    at 100k actions are not built only to be dropped) and `counts` says how many in all;
    each milestone at risk then lists its first REFS_LIMIT refs and `open_count`.
    """
    assert plan.id is not None
    person = lookups.find_person(session, owner) if owner else None
    name = person.name if person else None
    overdue, n_overdue = _listed(
        session, app, plan.id, as_of, queries.ActionFilter(owner=name, overdue=True), limit
    )
    soon = queries.ActionFilter(owner=name, due_from=as_of, due_by=shift_days(as_of, within))
    due_soon, n_soon = _listed(session, app, plan.id, as_of, soon, limit)
    at_risk = milestones_at_risk(
        session,
        plan_id=plan.id,
        as_of=as_of,
        owner_id=person.id if person else None,
        refs_limit=None if limit is None else REFS_LIMIT,
    )
    return OverdueReport(
        as_of=as_of,
        plan=plan.name,
        overdue=overdue,
        due_soon=due_soon,
        milestones_at_risk=at_risk,
        counts=None if limit is None else OverdueCounts(overdue=n_overdue, due_soon=n_soon),
    )


def _listed(
    session: Session,
    app: App,
    plan_id: int,
    as_of: dt.date,
    flt: queries.ActionFilter,
    limit: int | None,
) -> tuple[list[ActionRow], int]:
    """The actions `flt` selects (at most `limit`) and how many it selects in all."""
    amber = app.settings.amber_days
    found = queries.action_rows(
        session, plan_id=plan_id, as_of=as_of, amber_days=amber, flt=flt, limit=limit
    )
    if limit is None or len(found) < limit:
        return found, len(found)
    total = queries.count_actions(session, plan_id=plan_id, as_of=as_of, amber_days=amber, flt=flt)
    return found, total


def overdue_report(
    app: App,
    *,
    as_of: dt.date,
    within: int | None = None,
    owner: str | None = None,
    limit: int | None = None,
) -> OverdueReport:
    """Refresh the default milestones, then report (one transaction)."""
    if within is None:
        within = app.settings.due_soon_days
    with app.write() as session:
        plan = app.plan(session)
        timeline_service.refresh_plan(app, session, plan, as_of)
        return overdue_data(
            session, app=app, plan=plan, as_of=as_of, within=within, owner=owner, limit=limit
        )
