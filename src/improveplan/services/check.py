"""The nightly check (cron): lock, refresh milestones, record the day's RAG counts, notify.

Safe to rerun: the day's DailyCount row is upserted, reminders are claimed once a day.
Without `--plan` it covers every plan in the database (a regional database holds many).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from improveplan.domain.dates import shift_days
from improveplan.services import notify as notify_service
from improveplan.services.context import App
from improveplan.services.overdue import milestones_at_risk
from improveplan.services.timeline import refresh_plan
from improveplan.store import queries
from improveplan.store.models import DailyCount, Plan

COUNTS = ("blue", "green", "amber", "red", "total", "overdue")


def record_counts(
    session: Session, *, plan: Plan, as_of: dt.date, amber_days: int
) -> dict[str, int]:
    """Upsert the plan's RAG counts for the day (the trend the board report plots)."""
    assert plan.id is not None
    totals = queries.rag_counts(session, plan_id=plan.id, as_of=as_of, amber_days=amber_days)
    counts = {key: int(totals[0][key]) if totals else 0 for key in COUNTS}
    row = session.exec(
        select(DailyCount)
        .where(col(DailyCount.plan_id) == plan.id, col(DailyCount.day) == as_of)
        .with_for_update()
    ).first()
    if row is None:
        row = DailyCount(plan_id=plan.id, day=as_of)
    for key, value in counts.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    return counts


def _plan_summary(session: Session, app: App, plan: Plan, as_of: dt.date) -> dict[str, Any]:
    assert plan.id is not None
    refresh_plan(app, session, plan, as_of)
    counts = record_counts(session, plan=plan, as_of=as_of, amber_days=app.settings.amber_days)
    due_by = shift_days(as_of, app.settings.due_soon_days)
    soon = queries.action_rows(
        session,
        plan_id=plan.id,
        as_of=as_of,
        flt=queries.ActionFilter(due_by=due_by),
        amber_days=app.settings.amber_days,
    )
    risk = milestones_at_risk(session, plan_id=plan.id, as_of=as_of)
    return {
        "plan": plan.name,
        **counts,
        "due_soon": sum(1 for r in soon if r["due"] >= as_of),
        "milestones_at_risk": len(risk),
    }


def run_check(app: App, *, as_of: dt.date, notify: bool = False) -> dict[str, Any]:
    """The whole nightly run, under the database's check lock (a second run waits)."""
    from improveplan.store.locks import check_lock

    with check_lock(app.engine()):
        with app.write() as session:
            plans = notify_service.selected_plans(app, session)
            summaries = [_plan_summary(session, app, plan, as_of) for plan in plans]
        result: dict[str, Any] = {
            "as_of": as_of,
            "plans": summaries,
            "overdue": sum(s["overdue"] for s in summaries),
            "notified": None,
            "warnings": [],
        }
        if notify:
            outcome = notify_service.notify(app, as_of=as_of)
            result["notified"] = outcome.rows()
            result["warnings"] = outcome.warnings
    return result
