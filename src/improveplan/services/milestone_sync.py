"""Default milestones from their sources: stored on writes, computed in memory on reads.

Default milestones are *derived* (docs/design.md §2) from the plan's latest inspection's
`received` date and its Notice. They are stored — actions link to them — by
`refresh_plan`, which every write that changes a source (notice set, inspection add,
milestone commands, the nightly check) calls in its own transaction. A read never
writes: `plan_milestones` applies the same reconciliation to the stored rows in memory,
so a read-only database, or an `--as-of` years ahead, shows what the rules say.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, TypeVar

from sqlmodel import Session, col, func, select

from improveplan.domain import timeline as rules
from improveplan.domain.milestone_sync import (
    DERIVED,
    MilestoneFacts,
    MilestoneSources,
    effective,
    horizon,
    implied_milestones,
    reconcile,
)
from improveplan.domain.timeline import MilestoneRecord
from improveplan.domain.vocab import Area, Grade, InspectionType
from improveplan.services import audit
from improveplan.services.context import App
from improveplan.store.models import Action, Inspection, Judgement, Milestone, Notice, Plan

# A monitoring visit is not a deadline for the authority; every other visit produces plans.
PLAN_TYPES = tuple(t for t in InspectionType if t != InspectionType.monitoring_visit)
R = TypeVar("R", bound=MilestoneRecord)


def horizon_for(notice: Notice | None, *, today: dt.date, as_of: dt.date) -> dt.date:
    """Where repeating milestones stop (domain/milestone_sync.py `horizon`)."""
    return horizon(notice.lifted if notice else None, today=today, as_of=as_of)


def find_notice(session: Session, plan_id: int) -> Notice | None:
    return session.exec(select(Notice).where(col(Notice.plan_id) == plan_id)).first()


def _latest_inspection(session: Session, plan_id: int) -> Inspection | None:
    return session.exec(
        select(Inspection)
        .where(
            col(Inspection.plan_id) == plan_id,
            col(Inspection.received).is_not(None),
            col(Inspection.type).in_(PLAN_TYPES),
        )
        .order_by(col(Inspection.received).desc(), col(Inspection.id).desc())
    ).first()


def _inadequate(session: Session, inspection: Inspection | None) -> bool:
    if inspection is None:
        return False
    grade = session.exec(
        select(Judgement.grade).where(
            col(Judgement.inspection_id) == inspection.id,
            col(Judgement.area) == Area.overall_effectiveness,
        )
    ).first()
    return grade == Grade.inadequate


def computed_milestones(
    session: Session, *, plan_id: int, horizon: dt.date
) -> list[rules.ComputedMilestone]:
    """The default milestones the sources imply today (pure rules, sources read here)."""
    inspection = _latest_inspection(session, plan_id)
    notice = find_notice(session, plan_id)
    sources = MilestoneSources(
        inspection_type=inspection.type if inspection else None,
        received=inspection.received if inspection else None,
        inadequate=_inadequate(session, inspection),
    )
    if notice is not None:
        sources = dataclasses.replace(
            sources, notice=True, notice_issued=notice.issued, review_months=notice.review_months,
            lifted=notice.lifted, first_board=notice.first_board,
            board_every_weeks=notice.board_every_weeks, plan_due=notice.plan_due,
        )  # fmt: skip
    return implied_milestones(sources, until=horizon)


def facts(row: Milestone) -> MilestoneFacts:
    """A stored row as the pure rules see it."""
    return MilestoneFacts(
        id=row.id, name=row.name, kind=row.kind, date=row.date, rule=row.rule,
        source_date=row.source_date, user_set=row.user_set, expected=row.expected,
        done=row.done, missed_reason=row.missed_reason,
    )  # fmt: skip


def _stored(session: Session, plan_id: int) -> list[Milestone]:
    return list(session.exec(select(Milestone).where(col(Milestone.plan_id) == plan_id)))


def _linked(session: Session, ids: list[int]) -> set[int]:
    """Which of these milestones actions link to (one query, however many actions)."""
    if not ids:
        return set()
    found = select(col(Action.milestone_id)).where(col(Action.milestone_id).in_(ids)).distinct()
    return {i for i in session.exec(found) if i is not None}


def plan_milestones(
    session: Session, *, plan_id: int, today: dt.date, as_of: dt.date
) -> list[MilestoneFacts]:
    """The plan's milestones as on `as_of`, by date: the stored ones brought in line with
    their sources in memory (nothing is written), defaults not yet stored included."""
    horizon = horizon_for(find_notice(session, plan_id), today=today, as_of=as_of)
    wanted = computed_milestones(session, plan_id=plan_id, horizon=horizon)
    stored = [facts(row) for row in _stored(session, plan_id)]
    candidates = [m.id for m in reconcile(stored, wanted).retired if m.id is not None]
    return effective(stored, wanted, _linked(session, candidates))


def refresh_milestones(session: Session, *, plan_id: int, actor: str, horizon: dt.date) -> None:
    """Bring stored default milestones in line with their sources; audited; user dates win.

    The plan row is locked first so two refreshes of one plan (PostgreSQL) never insert
    the same name twice.
    """
    session.exec(select(Plan).where(col(Plan.id) == plan_id).with_for_update()).first()
    rows = {row.id: row for row in _stored(session, plan_id)}
    wanted = computed_milestones(session, plan_id=plan_id, horizon=horizon)
    plan = reconcile([facts(row) for row in rows.values()], wanted)
    for new in plan.added:
        _insert(session, plan_id=plan_id, actor=actor, computed=new)
    for old, updates in plan.updated:
        audit.apply(
            session, actor=actor, plan_id=plan_id, entity="milestone", obj=rows[old.id],
            updates=updates,
        )  # fmt: skip
    for old in plan.retired:
        _retire(session, plan_id=plan_id, actor=actor, row=rows[old.id])


def _insert(
    session: Session, *, plan_id: int, actor: str, computed: rules.ComputedMilestone
) -> None:
    row = Milestone(
        plan_id=plan_id,
        name=computed.name,
        kind=computed.kind,
        date=computed.date,
        rule=computed.rule,
        source_date=computed.source_date,
        expected=computed.expected,
    )
    session.add(row)
    audit.record_created(
        session,
        actor=actor,
        plan_id=plan_id,
        entity="milestone",
        obj=row,
        fields=("name", *DERIVED),
    )


def _retire(session: Session, *, plan_id: int, actor: str, row: Milestone) -> None:
    """A default no longer implied: deleted, unless actions link to it (then kept as set)."""
    assert row.id is not None
    linked = session.exec(
        select(func.count()).select_from(Action).where(col(Action.milestone_id) == row.id)
    ).one()
    if linked:
        audit.apply(
            session,
            actor=actor,
            plan_id=plan_id,
            entity="milestone",
            obj=row,
            updates={"user_set": True},
        )
        return
    delete_milestone(session, plan_id=plan_id, actor=actor, row=row)


def delete_milestone(session: Session, *, plan_id: int, actor: str, row: Milestone) -> None:
    """Delete a milestone, the trail keeping what it was (name and date to nothing)."""
    assert row.id is not None
    audit.record(
        session,
        actor=actor,
        plan_id=plan_id,
        entity="milestone",
        entity_id=row.id,
        changes={"name": (row.name, None), "date": (row.date, None)},
    )
    session.delete(row)
    session.flush()


def refresh_plan(app: App, session: Session, plan: Plan, as_of: dt.date | None = None) -> None:
    """Store the default milestones of `plan` in step with their sources (a write).

    Call it in any write transaction that changes a source or looks milestones up by
    name (action add --milestone); reads use `plan_milestones` instead.
    """
    assert plan.id is not None
    as_of = as_of or app.today
    notice = find_notice(session, plan.id)
    horizon = horizon_for(notice, today=app.today, as_of=as_of)
    refresh_milestones(session, plan_id=plan.id, actor=app.user, horizon=horizon)


def record(
    cls: type[R], m: MilestoneFacts, *, as_of: dt.date, due_window_days: int, **extra: Any
) -> R:
    """A milestone as a MilestoneRecord (or a record extending it by `extra`) on `as_of`."""
    status = rules.milestone_status(
        date=m.date, done=m.done, as_of=as_of, expected=m.expected,
        due_window_days=due_window_days, kind=m.kind, missed=m.missed_reason is not None,
    )  # fmt: skip
    return cls(
        name=m.name,
        kind=m.kind,
        date=m.date,
        rule=m.rule,
        done=m.done,
        status=status,
        days_to_go=(m.date - as_of).days,
        source_date=m.source_date,
        user_set=m.user_set,
        expected=m.expected,
        **extra,
    )


def milestone_record(m: Milestone, *, as_of: dt.date, due_window_days: int) -> MilestoneRecord:
    """A stored milestone with its status as on `as_of`."""
    return record(MilestoneRecord, facts(m), as_of=as_of, due_window_days=due_window_days)
