"""The nightly check (cron): lock, refresh milestones, record the day's RAG counts, notify.

Safe to rerun: the day's DailyCount row is upserted, reminders are claimed once a day.
Without `--plan` it covers every plan in the database (a regional database holds many).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from improveplan.domain.dates import shift_days
from improveplan.domain.records import RagCounts
from improveplan.serialize import json_field
from improveplan.services import notify as notify_service
from improveplan.services.context import App
from improveplan.services.overdue import milestones_at_risk
from improveplan.services.timeline import refresh_plan
from improveplan.store import queries
from improveplan.store.models import DailyCount, Plan


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanSummary:
    """One plan's line of the nightly check: the day's counts and what needs attention."""

    plan: str
    blue: int
    green: int
    amber: int
    red: int
    total: int
    overdue: int
    due_soon: int
    milestones_at_risk: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    """The whole run (`check --format json`); `notified` is None unless asked to notify."""

    as_of: dt.date
    plans: list[PlanSummary]
    overdue: int
    notified: list[notify_service.Reminder] | None
    warnings: list[str]
    not_sent: int = json_field(hidden=True, default=0)


def record_counts(session: Session, *, plan: Plan, as_of: dt.date, amber_days: int) -> RagCounts:
    """Upsert the plan's RAG counts for the day (the trend the board report plots)."""
    assert plan.id is not None
    (counts,) = queries.rag_counts(session, plan_id=plan.id, as_of=as_of, amber_days=amber_days)
    row = session.exec(
        select(DailyCount)
        .where(col(DailyCount.plan_id) == plan.id, col(DailyCount.day) == as_of)
        .with_for_update()
    ).first()
    if row is None:
        row = DailyCount(plan_id=plan.id, day=as_of)
    row.blue, row.green, row.amber, row.red = counts.blue, counts.green, counts.amber, counts.red
    row.total, row.overdue = counts.total, counts.overdue
    session.add(row)
    session.flush()
    return counts


def _plan_summary(session: Session, app: App, plan: Plan, as_of: dt.date) -> PlanSummary:
    assert plan.id is not None
    refresh_plan(app, session, plan, as_of)
    amber = app.settings.amber_days
    counts = record_counts(session, plan=plan, as_of=as_of, amber_days=amber)
    soon = queries.ActionFilter(
        due_from=as_of, due_by=shift_days(as_of, app.settings.due_soon_days)
    )
    risk = milestones_at_risk(session, plan_id=plan.id, as_of=as_of)
    return PlanSummary(
        plan=plan.name,
        blue=counts.blue,
        green=counts.green,
        amber=counts.amber,
        red=counts.red,
        total=counts.total,
        overdue=counts.overdue,
        due_soon=queries.count_actions(
            session, plan_id=plan.id, as_of=as_of, amber_days=amber, flt=soon
        ),
        milestones_at_risk=len(risk),
    )


def run_check(app: App, *, as_of: dt.date, notify: bool = False) -> CheckResult:
    """The whole nightly run, under the database's check lock (a second run waits)."""
    from improveplan.store.locks import check_lock

    with check_lock(app.engine()):
        with app.write() as session:
            plans = notify_service.selected_plans(app, session)
            summaries = [_plan_summary(session, app, plan, as_of) for plan in plans]
        outcome = notify_service.notify(app, as_of=as_of) if notify else None
    return CheckResult(
        as_of=as_of,
        plans=summaries,
        overdue=sum(s.overdue for s in summaries),
        notified=None if outcome is None else outcome.rows(),
        warnings=[] if outcome is None else outcome.warnings,
        not_sent=0 if outcome is None else outcome.failed,
    )
