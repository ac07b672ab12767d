"""What is overdue, what falls due soon, and which milestones are at risk (docs/design.md §2-3).

A milestone is *at risk* when it is not done or missed, falls on or after the as-of date,
and open work threatens it by the rule of domain/at_risk.py: work linked to it that is
off track (red or amber) or due after it; for a deadline, also unlinked off-track work
due by it. Green work that will be done in time threatens nothing; a meeting (board, DfE
review, expected visit) is at risk only through work linked to it. A deadline already
past and not done is not "at risk" but overdue: `timeline` shows it so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, false, func, or_, true
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from improveplan.domain.at_risk import REFS_LIMIT, Ahead, Work, ahead_of, at_risk, risk_rule
from improveplan.domain.dates import shift_days
from improveplan.domain.records import ActionRow, MilestoneAtRisk, OverdueCounts, OverdueReport
from improveplan.domain.vocab import AMBER_DAYS, Rag
from improveplan.services import lookups
from improveplan.services.context import App
from improveplan.services.milestone_sync import plan_milestones
from improveplan.store import queries
from improveplan.store.models import Action, Plan


def _ahead(session: Session, plan_id: int, today: dt.date, as_of: dt.date) -> list[Ahead]:
    """Milestones on or after `as_of`, not done or missed, in date order, as the rule sees
    them: stored ones keyed by id, ones not yet stored by a negative key."""
    found = plan_milestones(session, plan_id=plan_id, today=today, as_of=as_of)
    return ahead_of(found, as_of)


def _open_of(plan_id: int, owner_id: int | None) -> Any:
    """WHERE clause: the plan's open actions (of one owner, when given)."""
    clause = and_(col(Action.plan_id) == plan_id, queries.is_open())
    return clause if owner_id is None else and_(clause, col(Action.owner_id) == owner_id)


def _off_track(as_of: dt.date, amber_days: int) -> Any:
    """SQL: the action's RAG (an override wins) is red or amber."""
    return queries.rag_effective(as_of, amber_days).in_([Rag.red.value, Rag.amber.value])


def _threats(plan_id: int, ahead: list[Ahead], owner_id: int | None, off: Any) -> Any:
    """WHERE clause: open actions that may put a milestone ahead at risk — linked to one,
    or off track and due by the last deadline (the rule then says which, if any)."""
    ids = [m.key for m in ahead if m.key > 0]
    deadlines = [m.date for m in ahead if not m.meeting]
    by_due = and_(off, col(Action.due) <= max(deadlines)) if deadlines else false()
    return and_(_open_of(plan_id, owner_id), or_(col(Action.milestone_id).in_(ids), by_due))


def milestones_at_risk(
    session: Session,
    *,
    plan_id: int,
    as_of: dt.date,
    owner_id: int | None = None,
    refs_limit: int | None = None,
    today: dt.date | None = None,
    amber_days: int = AMBER_DAYS,
) -> list[MilestoneAtRisk]:
    """Milestones ahead that open, off-track work puts at risk (domain/at_risk.py).

    Each list names the work that could make *that* milestone slip. With `refs_limit`,
    `open_actions` holds the first refs only and `open_count` the number: counted in
    SQL, since at 100k actions 40k open refs would be read to show 8. Reads only.
    """
    ahead = _ahead(session, plan_id, today or as_of, as_of)
    if not ahead:
        return []
    off = _off_track(as_of, amber_days)
    if refs_limit is not None:
        return _at_risk_summary(session, plan_id, ahead, owner_id, refs_limit, off)
    stmt = (
        sql_select(col(Action.ref), col(Action.due), col(Action.milestone_id), off)
        .where(_threats(plan_id, ahead, owner_id, off))
        .order_by(col(Action.due).is_(None), col(Action.due), col(Action.seq), col(Action.ref))
    )
    works = (
        (ref, Work(milestone=milestone_id, due=due, off_track=bool(bad)))
        for ref, due, milestone_id, bad in session.execute(stmt)
    )
    return at_risk(ahead, works)


def _at_risk_summary(
    session: Session,
    plan_id: int,
    ahead: list[Ahead],
    owner_id: int | None,
    limit: int,
    off: Any,
) -> list[MilestoneAtRisk]:
    """milestones_at_risk with counts from one grouped query and the first `limit` refs
    of each milestone at risk."""
    grouped = (
        sql_select(col(Action.milestone_id), col(Action.due), off, func.count())
        .where(_threats(plan_id, ahead, owner_id, off))
        .group_by(col(Action.milestone_id), col(Action.due), off)
    )
    rule = risk_rule(ahead)
    dues: dict[int, list[tuple[dt.date | None, int]]] = {m.key: [] for m in ahead}
    for milestone_id, due, bad, n in session.execute(grouped):
        found_key = rule(Work(milestone=milestone_id, due=due, off_track=bool(bad)))
        if found_key is not None:
            dues[found_key].append((due, n))
    found = []
    for m in ahead:
        if dues[m.key]:
            cutoff = _cutoff(dues[m.key], limit)
            where = _bucket(ahead, m, off)
            refs = _first_refs(session, and_(_open_of(plan_id, owner_id), where), limit, cutoff)
            count = sum(n for _, n in dues[m.key])
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


def _bucket(ahead: list[Ahead], m: Ahead, off: Any) -> Any:
    """SQL: the actions `risk_rule` puts against milestone `m` (its own, off track or due
    after it; for a deadline, unlinked off-track work due since the deadline before)."""
    due = col(Action.due)
    own = and_(col(Action.milestone_id) == m.key, or_(off, due > m.date))
    if m.meeting:
        return own
    deadlines = sorted((a for a in ahead if not a.meeting), key=lambda a: (a.date, a.key))
    before = deadlines[: deadlines.index(m)]
    linked_ahead = col(Action.milestone_id).in_([a.key for a in ahead if a.key > 0])
    unlinked = and_(
        or_(col(Action.milestone_id).is_(None), ~linked_ahead),
        off,
        due <= m.date,
        due > before[-1].date if before else true(),
    )
    return or_(own, unlinked)


def _first_refs(session: Session, where: Any, limit: int, cutoff: dt.date | None) -> list[str]:
    """The first refs (due, seq, ref order) of the actions `where` selects."""
    due = col(Action.due)
    stmt = sql_select(col(Action.ref)).where(where)
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
    """The overdue report for one plan.

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
        today=app.today,
        amber_days=app.settings.amber_days,
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
    """The overdue report (reads only: milestones are computed, never stored here)."""
    if within is None:
        within = app.settings.due_soon_days
    with app.read() as session:
        plan = app.plan(session)
        return overdue_data(
            session, app=app, plan=plan, as_of=as_of, within=within, owner=owner, limit=limit
        )
