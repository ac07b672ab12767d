"""What is overdue, what falls due soon, and which milestones are at risk (DESIGN.md §2-3).

A milestone is *at risk* when it is not done, falls on or after the as-of date, is a
deadline (not an "expected" monitoring visit), and an action linked to it, or due on or
before it, is still open. Each open action counts against one milestone: the one it is
linked to, else the first ahead on or after its due date. A milestone already past and
not done is not "at risk" but overdue: `timeline` shows it so.
"""

from __future__ import annotations

import bisect
import datetime as dt
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from improveplan.domain.dates import shift_days
from improveplan.services import lookups
from improveplan.services import timeline as timeline_service
from improveplan.services.context import App
from improveplan.store import queries
from improveplan.store.models import Action, Milestone, Plan


def milestones_at_risk(
    session: Session, *, plan_id: int, as_of: dt.date, owner_id: int | None = None
) -> list[dict[str, Any]]:
    """Milestones ahead (not done, not merely expected) with open actions that threaten them.

    An open action threatens the milestone it is linked to; an unlinked one threatens the
    first milestone ahead on or after its due date (an overdue action: the next one), so
    each list names the work that could make *that* milestone slip, not every open action.
    """
    ahead = list(
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
    if not ahead:
        return []
    ids = [m.id for m in ahead]
    stmt = (
        sql_select(col(Action.ref), col(Action.due), col(Action.milestone_id))
        .where(
            col(Action.plan_id) == plan_id,
            queries.is_open(),
            or_(col(Action.milestone_id).in_(ids), col(Action.due) <= ahead[-1].date),
        )
        .order_by(col(Action.due).is_(None), col(Action.due), col(Action.seq), col(Action.ref))
    )
    if owner_id is not None:
        stmt = stmt.where(col(Action.owner_id) == owner_id)
    dates = [m.date for m in ahead]
    refs: dict[int | None, list[str]] = {m.id: [] for m in ahead}
    for ref, due, milestone_id in session.execute(stmt):
        if milestone_id in refs:
            refs[milestone_id].append(ref)
        elif due is not None:
            refs[ahead[bisect.bisect_left(dates, due)].id].append(ref)
    return [
        {"name": m.name, "date": m.date, "open_actions": refs[m.id]} for m in ahead if refs[m.id]
    ]


def overdue_data(
    session: Session,
    *,
    app: App,
    plan: Plan,
    as_of: dt.date,
    within: int,
    owner: str | None = None,
) -> dict[str, Any]:
    """The `overdue --format json` document for one plan (milestones already refreshed)."""
    assert plan.id is not None
    person = lookups.find_person(session, owner) if owner else None
    flt = queries.ActionFilter(
        owner=person.name if person else None, due_by=shift_days(as_of, within)
    )
    rows = queries.action_rows(
        session, plan_id=plan.id, as_of=as_of, amber_days=app.settings.amber_days, flt=flt
    )
    # Ordered by due date ascending, so the overdue part is by days overdue descending.
    overdue = [queries.public_action(r) for r in rows if r["due"] < as_of]
    due_soon = [queries.public_action(r) for r in rows if r["due"] >= as_of]
    at_risk = milestones_at_risk(
        session, plan_id=plan.id, as_of=as_of, owner_id=person.id if person else None
    )
    return {
        "as_of": as_of,
        "plan": plan.name,
        "overdue": overdue,
        "due_soon": due_soon,
        "milestones_at_risk": at_risk,
    }


def overdue_report(
    app: App, *, as_of: dt.date, within: int | None = None, owner: str | None = None
) -> dict[str, Any]:
    """Refresh the default milestones, then report (one transaction)."""
    if within is None:
        within = app.settings.due_soon_days
    with app.write() as session:
        plan = app.plan(session)
        timeline_service.refresh_plan(app, session, plan, as_of)
        return overdue_data(session, app=app, plan=plan, as_of=as_of, within=within, owner=owner)
