"""The nightly check (cron): lock, refresh milestones, count, notify, record the counts.

The day's RAG counts (DailyCount, the trend the board report plots) describe one day, so
they are recorded only when the run is for today and succeeded: a back-dated `--as-of`
would file today's data under another date, and a failed run (mail refused) is rerun.
Safe to rerun: the day's row is upserted, reminders are claimed once a day. Without
`--plan` it covers every plan in the database (a regional database holds many).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from improveplan.domain.dates import shift_days
from improveplan.domain.records import RagCounts
from improveplan.domain.reminders import NotReached
from improveplan.errors import ImproveplanError
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
    """The whole run (`check --format json`); `notified` and `not_reached` are None unless
    asked to notify; `not_recorded` says why the counts were not recorded (None: they were)."""

    as_of: dt.date
    plans: list[PlanSummary]
    overdue: int
    notified: list[notify_service.Reminder] | None
    warnings: list[str]
    not_reached: list[NotReached] | None
    counts_recorded: bool
    not_sent: int = json_field(hidden=True, default=0)
    not_recorded: str | None = json_field(hidden=True, default=None)
    not_reached_lines: list[str] = json_field(hidden=True, default_factory=list)  # noqa: RUF009


class RunFailed(ImproveplanError):
    """The run failed once the counts were worked out, so none were recorded."""

    NOT_RECORDED = "the run failed; a rerun today records them"


def record_counts(session: Session, *, plan_id: int, as_of: dt.date, counts: PlanSummary) -> None:
    """Upsert a plan's RAG counts for the day (the trend the board report plots)."""
    row = session.exec(
        select(DailyCount)
        .where(col(DailyCount.plan_id) == plan_id, col(DailyCount.day) == as_of)
        .with_for_update()
    ).first()
    if row is None:
        row = DailyCount(plan_id=plan_id, day=as_of)
    row.blue, row.green, row.amber, row.red = counts.blue, counts.green, counts.amber, counts.red
    row.total, row.overdue = counts.total, counts.overdue
    session.add(row)
    session.flush()


def _plan_summary(session: Session, app: App, plan: Plan, as_of: dt.date) -> PlanSummary:
    assert plan.id is not None
    refresh_plan(app, session, plan, as_of)
    amber = app.settings.amber_days
    counts: RagCounts
    (counts,) = queries.rag_counts(session, plan_id=plan.id, as_of=as_of, amber_days=amber)
    soon = queries.ActionFilter(
        due_from=as_of, due_by=shift_days(as_of, app.settings.due_soon_days)
    )
    risk = milestones_at_risk(
        session, plan_id=plan.id, as_of=as_of, today=app.today, amber_days=amber
    )
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
            ids = [plan.id for plan in plans]
            summaries = [_plan_summary(session, app, plan, as_of) for plan in plans]
        try:
            outcome = notify_service.notify(app, as_of=as_of) if notify else None
        except ImproveplanError as exc:
            raise RunFailed(exc.what, exc.todo) from None
        why = _not_recorded(app, as_of, failed=outcome is not None and outcome.failed > 0)
        if why is None:
            with app.write() as session:
                for plan_id, summary in zip(ids, summaries, strict=True):
                    assert plan_id is not None
                    record_counts(session, plan_id=plan_id, as_of=as_of, counts=summary)
    return CheckResult(
        as_of=as_of,
        plans=summaries,
        overdue=sum(s.overdue for s in summaries),
        notified=None if outcome is None else outcome.rows(),
        warnings=[] if outcome is None else outcome.warnings,
        not_reached=None if outcome is None else outcome.not_reached,
        counts_recorded=why is None,
        not_sent=0 if outcome is None else outcome.failed,
        not_recorded=why,
        not_reached_lines=[] if outcome is None else outcome.not_reached_lines(),
    )


def _not_recorded(app: App, as_of: dt.date, *, failed: bool) -> str | None:
    """Why the day's counts must not be recorded, or None when they may."""
    if as_of != app.today:
        return f"--as-of {as_of} is not today ({app.today})"
    return RunFailed.NOT_RECORDED if failed else None
