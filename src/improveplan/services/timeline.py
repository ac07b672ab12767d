"""The improvement-notice timeline: the Notice, default milestones kept in step, user dates.

Default milestones are *derived* (docs/design.md §2): from the plan's latest inspection
`received` date and its Notice. They are stored (actions link to them, status and reports
read them) and recomputed by `refresh_milestones` whenever a timeline command runs, so
they follow a changed source date. A row the user set (`user_set`) is never touched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import and_, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, func, select

from improveplan.domain import timeline as rules
from improveplan.domain.timeline import MilestoneRecord, Timeline, TimelineEntry
from improveplan.domain.vocab import Area, Grade, InspectionType, MilestoneKind
from improveplan.errors import ImproveplanError, NotFound
from improveplan.services import audit, inputs, lookups
from improveplan.services.context import App
from improveplan.store import queries
from improveplan.store.models import Action, Inspection, Judgement, Milestone, Notice, Plan

HORIZON_DAYS = 730  # repeating milestones stop at the lift date, else two years ahead
DERIVED = ("kind", "date", "rule", "source_date", "expected")
# A monitoring visit is not a deadline for the authority; every other visit produces plans.
PLAN_TYPES = tuple(t for t in InspectionType if t != InspectionType.monitoring_visit)
USER_RULE = "set by the user"
R = TypeVar("R", bound=MilestoneRecord)


@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneSet(MilestoneRecord):
    """`milestone add`: the milestone, and whether it is new or a default given a date."""

    created: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneRefresh:
    """How many stored default milestones one refresh added, updated and removed."""

    added: int = 0
    updated: int = 0
    removed: int = 0


def horizon_for(notice: Notice | None, *, today: dt.date, as_of: dt.date) -> dt.date:
    """Where repeating milestones stop: the lift date, else two years past today/as-of."""
    if notice is not None and notice.lifted is not None:
        return notice.lifted
    from improveplan.domain.dates import shift_days

    return shift_days(max(today, as_of), HORIZON_DAYS)


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
    received = inspection.received if inspection else None
    focused = inspection is not None and inspection.type == InspectionType.focused_visit
    monitoring = notice is not None or _inadequate(session, inspection)
    found = rules.default_milestones(
        received=None if focused else received,
        notice_issued=notice.issued if notice else None,
        review_months=notice.review_months if notice else 6,
        lifted=notice.lifted if notice else None,
        first_board=notice.first_board if notice else None,
        board_every_weeks=notice.board_every_weeks if notice else None,
        horizon=horizon,
        plan_due=notice.plan_due if notice else None,
        monitoring_every_months=rules.MONITORING_EVERY_MONTHS if monitoring else None,
    )
    if focused and received is not None:
        names = {m.name for m in found}
        found += [m for m in rules.focused_visit_milestones(received) if m.name not in names]
    return sorted(found, key=lambda m: (m.date, m.name))


def refresh_milestones(
    session: Session, *, plan_id: int, actor: str, horizon: dt.date
) -> MilestoneRefresh:
    """Bring stored default milestones in line with their sources; audited; user dates win.

    Returns how many rows were added, updated and removed. The plan row is locked first
    so two refreshes of one plan (PostgreSQL) never insert the same name twice.
    """
    session.exec(select(Plan).where(col(Plan.id) == plan_id).with_for_update()).first()
    wanted = {
        m.name.lower(): m for m in computed_milestones(session, plan_id=plan_id, horizon=horizon)
    }
    stored = {
        m.name.lower(): m
        for m in session.exec(select(Milestone).where(col(Milestone.plan_id) == plan_id))
    }
    added = updated = removed = 0
    for key, new in wanted.items():
        row = stored.get(key)
        if row is None:
            _insert(session, plan_id=plan_id, actor=actor, computed=new)
            added += 1
        elif not row.user_set:
            updates = {name: getattr(new, name) for name in DERIVED}
            if audit.apply(
                session, actor=actor, plan_id=plan_id, entity="milestone", obj=row, updates=updates
            ):
                updated += 1
    for key, row in stored.items():
        # Derived rows always carry a source date; rows without one were made elsewhere.
        if key not in wanted and not row.user_set and row.source_date is not None:
            _retire(session, plan_id=plan_id, actor=actor, row=row)
            removed += 1
    return MilestoneRefresh(added=added, updated=updated, removed=removed)


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
    """Default milestones of `plan` in step with their sources before anything reads them.

    Call it in any write transaction that looks milestones up by name (action add --milestone).
    """
    assert plan.id is not None
    as_of = as_of or app.today
    notice = find_notice(session, plan.id)
    horizon = horizon_for(notice, today=app.today, as_of=as_of)
    refresh_milestones(session, plan_id=plan.id, actor=app.user, horizon=horizon)


# Reading the timeline -------------------------------------------------------------------


def timeline_rows(
    session: Session, *, plan_id: int, as_of: dt.date, due_window_days: int
) -> list[TimelineEntry]:
    """Milestones by date with status, days to go and open actions due by each (SQL count)."""
    open_by = (
        sql_select(func.count())
        .select_from(Action)
        .where(
            col(Action.plan_id) == plan_id,
            queries.is_open(),
            or_(
                col(Action.milestone_id) == col(Milestone.id),
                and_(col(Action.due).is_not(None), col(Action.due) <= col(Milestone.date)),
            ),
        )
        .correlate(Milestone)
        .scalar_subquery()
    )
    stmt = (
        sql_select(Milestone, open_by.label("open_actions"))
        .where(col(Milestone.plan_id) == plan_id)
        .order_by(col(Milestone.date), col(Milestone.name))
    )
    return [
        _record(
            TimelineEntry,
            milestone,
            as_of=as_of,
            due_window_days=due_window_days,
            open_actions=int(open_actions or 0),
        )
        for milestone, open_actions in session.execute(stmt)
    ]


def _record(cls: type[R], m: Milestone, *, as_of: dt.date, due_window_days: int, **extra: Any) -> R:
    """A stored milestone as a MilestoneRecord (or a record extending it by `extra`)."""
    status = rules.milestone_status(
        date=m.date, done=m.done, as_of=as_of, expected=m.expected, due_window_days=due_window_days
    )
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
    """A stored milestone with its status as on `as_of` (the board report lists these)."""
    return _record(MilestoneRecord, m, as_of=as_of, due_window_days=due_window_days)


def timeline(app: App, *, as_of: dt.date) -> Timeline:
    """Refresh the defaults, then the plan's milestones (one transaction)."""
    with app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        refresh_plan(app, session, plan, as_of)
        rows = timeline_rows(
            session, plan_id=plan.id, as_of=as_of, due_window_days=app.settings.amber_days
        )
        return Timeline(plan=plan.name, as_of=as_of, milestones=rows)


def _find_milestone(session: Session, plan: Plan, name: str) -> Milestone | None:
    return lookups.milestone_named(session, plan, name)


def set_milestone(app: App, *, name: str, date: dt.date) -> MilestoneSet:
    """A custom milestone, or the user's own date for a default one (which then wins)."""
    name = inputs.name(name, "the milestone's name")
    with app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        refresh_plan(app, session, plan, app.today)
        row = _find_milestone(session, plan, name)
        created = row is None
        if row is None:
            row = _add_custom(app, session, plan_id=plan.id, name=name, date=date)
        else:
            _set_user_date(app, session, plan_id=plan.id, row=row, date=date)
        window = app.settings.amber_days
        return _record(MilestoneSet, row, as_of=app.today, due_window_days=window, created=created)


def _add_custom(app: App, session: Session, *, plan_id: int, name: str, date: dt.date) -> Milestone:
    row = Milestone(plan_id=plan_id, name=name, kind=MilestoneKind.custom, date=date, user_set=True)
    row.rule = USER_RULE
    session.add(row)
    audit.record_created(
        session,
        actor=app.user,
        plan_id=plan_id,
        entity="milestone",
        obj=row,
        fields=("name", "kind", "date", "rule", "user_set"),
    )
    return row


def _set_user_date(
    app: App, session: Session, *, plan_id: int, row: Milestone, date: dt.date
) -> None:
    """The user's date wins over the rule; the rule text keeps what it replaced."""
    updates: dict[str, Any] = {"date": date, "user_set": True}
    if row.kind != MilestoneKind.custom:
        updates["rule"] = f"{USER_RULE} (was {row.rule})" if row.rule else USER_RULE
    if row.user_set and row.rule and row.rule.startswith(USER_RULE):
        updates.pop("rule", None)
    audit.apply(
        session, actor=app.user, plan_id=plan_id, entity="milestone", obj=row, updates=updates
    )


def mark_done(app: App, *, name: str, done: dt.date) -> MilestoneRecord:
    """Record the day a milestone was met (the plan sent, the board held)."""
    with app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        refresh_plan(app, session, plan, app.today)
        row = _find_milestone(session, plan, name)
        if row is None:
            raise _unknown(session, plan, name)
        audit.apply(
            session,
            actor=app.user,
            plan_id=plan.id,
            entity="milestone",
            obj=row,
            updates={"done": done},
        )
        return milestone_record(row, as_of=app.today, due_window_days=app.settings.amber_days)


def reset_milestone(app: App, *, name: str) -> MilestoneRecord:
    """Give a default milestone back to its rule: the user's date is dropped."""
    with app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        row = _find_milestone(session, plan, name)
        if row is None:
            raise _unknown(session, plan, name)
        if row.kind == MilestoneKind.custom:
            raise ImproveplanError(
                f'"{row.name}" is not a default milestone', "set its date with milestone add"
            )
        audit.apply(
            session, actor=app.user, plan_id=plan.id, entity="milestone", obj=row,
            updates={"user_set": False},
        )  # fmt: skip
        refresh_plan(app, session, plan, app.today)
        session.refresh(row)
        return milestone_record(row, as_of=app.today, due_window_days=app.settings.amber_days)


def _unknown(session: Session, plan: Plan, name: str) -> NotFound:
    from improveplan.services.lookups import suggestion

    names = list(session.exec(select(Milestone.name).where(col(Milestone.plan_id) == plan.id)))
    hint = suggestion(name, names)
    todo = f"{hint} See improveplan milestone list" if hint else "see improveplan milestone list"
    return NotFound(f'no milestone named "{name}" in plan "{plan.name}"', todo)
