"""Changing milestones: add, done (one, several, or all through a date), missed, update,
reset, remove, and a recorded monitoring visit marking the expected one held. Audited.

Every write first stores the defaults in step with their sources (`refresh_plan`), so a
name the timeline shows can be changed even before anything stored it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from improveplan.domain.inputs import folded
from improveplan.domain.timeline import MilestoneRecord, is_meeting
from improveplan.domain.vocab import InspectionType, MilestoneKind
from improveplan.errors import Conflict, ImproveplanError, NotFound
from improveplan.services import audit, inputs, lookups
from improveplan.services.context import App
from improveplan.services.milestone_sync import (
    computed_milestones,
    delete_milestone,
    facts,
    find_notice,
    horizon_for,
    record,
    refresh_plan,
)
from improveplan.store.models import Action, Inspection, Milestone, Plan

USER_RULE = "set by the user"
NAME = "the milestone's name"


@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneSet(MilestoneRecord):
    """`milestone add`: the milestone, and whether it is new or a default given a date."""

    created: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneChange:
    """`milestone update`: the milestone after, and each changed field (old, new)."""

    milestone: MilestoneRecord
    changes: dict[str, tuple[Any, Any]]


def _shown(app: App, row: Milestone) -> MilestoneRecord:
    return record(
        MilestoneRecord, facts(row), as_of=app.today, due_window_days=app.settings.amber_days
    )


def _find(session: Session, plan: Plan, name: str) -> Milestone | None:
    return lookups.milestone_named(session, plan, inputs.key(name, NAME))


def _get(session: Session, plan: Plan, name: str) -> Milestone:
    row = _find(session, plan, name)
    if row is None:
        raise _unknown(session, plan, name)
    return row


def _change(app: App, session: Session, row: Milestone, updates: dict[str, Any]) -> dict[str, Any]:
    return audit.apply(
        session, actor=app.user, plan_id=row.plan_id, entity="milestone", obj=row,
        updates=updates,
    )  # fmt: skip


def _open(app: App, session: Session) -> Plan:
    """The plan, its defaults stored in step with their sources first."""
    plan = app.plan(session)
    refresh_plan(app, session, plan, app.today)
    return plan


def set_milestone(app: App, *, name: str, date: dt.date) -> MilestoneSet:
    """A custom milestone, or the user's own date for a default one (which then wins)."""
    name = inputs.name(name, NAME)
    with app.write() as session:
        plan = _open(app, session)
        assert plan.id is not None
        row = _find(session, plan, name)
        created = row is None
        if row is None:
            row = _add_custom(app, session, plan_id=plan.id, name=name, date=date)
        else:
            _set_user_date(app, session, row=row, date=date)
        window = app.settings.amber_days
        return record(
            MilestoneSet, facts(row), as_of=app.today, due_window_days=window, created=created
        )


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


def _set_user_date(app: App, session: Session, *, row: Milestone, date: dt.date) -> dict[str, Any]:
    """The user's date wins over the rule; the rule text keeps what it replaced. A meeting
    recorded missed and moved to a new date is no longer missed."""
    updates: dict[str, Any] = {"date": date, "user_set": True}
    if row.kind != MilestoneKind.custom:
        updates["rule"] = f"{USER_RULE} (was {row.rule})" if row.rule else USER_RULE
    if row.user_set and row.rule and row.rule.startswith(USER_RULE):
        updates.pop("rule", None)
    if row.missed_reason is not None and date != row.date:
        updates["missed_reason"] = None
    return _change(app, session, row, updates)


def mark_done(app: App, *, name: str, done: dt.date) -> MilestoneRecord:
    """Record the day a milestone was met (the plan sent, the board held)."""
    (found,) = mark_done_many(app, names=[name], done=done)
    return found


def mark_done_many(
    app: App, *, names: list[str] | None = None, through: dt.date | None = None,
    done: dt.date | None = None,
) -> list[MilestoneRecord]:  # fmt: skip
    """Milestones met: each one named (on `done`, else today), or every one not done or
    missed on or before `through` (each on `done`, else on its own date). One transaction."""
    with app.write() as session:
        plan = _open(app, session)
        if through is not None:
            rows = _not_done_through(session, plan, through)
        else:
            rows = _distinct([_get(session, plan, name) for name in names or []])
        for row in rows:
            when = done or (row.date if through is not None else app.today)
            _change(app, session, row, {"done": when, "missed_reason": None})
        return [_shown(app, row) for row in rows]


def _distinct(rows: list[Milestone]) -> list[Milestone]:
    """The rows in the order named, each once (two spellings of one name are one)."""
    seen: dict[int | None, Milestone] = {}
    for row in rows:
        seen.setdefault(row.id, row)
    return list(seen.values())


def _not_done_through(session: Session, plan: Plan, through: dt.date) -> list[Milestone]:
    return list(
        session.exec(
            select(Milestone)
            .where(
                col(Milestone.plan_id) == plan.id,
                col(Milestone.done).is_(None),
                col(Milestone.missed_reason).is_(None),
                col(Milestone.date) <= through,
            )
            .order_by(col(Milestone.date), col(Milestone.name))
        )
    )


def mark_missed(app: App, *, name: str, reason: str) -> MilestoneRecord:
    """Record that a meeting (board, DfE review) or expected visit did not take place."""
    reason = inputs.text(reason, "the reason")
    with app.write() as session:
        plan = _open(app, session)
        row = _get(session, plan, name)
        if not (is_meeting(row.kind) or row.expected):
            raise ImproveplanError(
                f'"{row.name}" is a deadline, not a meeting: it is overdue until it is done',
                f'record it met with improveplan milestone done "{row.name}"',
            )
        if row.done is not None:
            raise Conflict(
                f'"{row.name}" is recorded as done on {row.done}',
                f'move it with improveplan milestone update "{row.name}" --date DATE',
            )
        _change(app, session, row, {"missed_reason": reason})
        return _shown(app, row)


def update_milestone(
    app: App, *, name: str, new_name: str | None = None, date: dt.date | None = None
) -> MilestoneChange:
    """Rename the user's own milestone, or move any milestone (a default then keeps the
    user's date until `milestone reset`)."""
    if new_name is None and date is None:
        raise ImproveplanError("nothing to change", "give --name NAME or --date DATE")
    renamed = None if new_name is None else inputs.name(new_name, NAME)
    with app.write() as session:
        plan = _open(app, session)
        row = _get(session, plan, name)
        changes: dict[str, Any] = {}
        if renamed is not None:
            changes |= _rename(app, session, plan, row, renamed)
        if date is not None:
            changes |= _set_user_date(app, session, row=row, date=date)
        return MilestoneChange(milestone=_shown(app, row), changes=changes)


def _rename(app: App, session: Session, plan: Plan, row: Milestone, name: str) -> dict[str, Any]:
    if row.kind != MilestoneKind.custom:
        raise ImproveplanError(
            f'"{row.name}" is a default milestone and keeps its name',
            "add your own with improveplan milestone add NAME --date DATE",
        )
    other = _find(session, plan, name)
    if other is not None and other.id != row.id:
        raise Conflict(f'milestone "{other.name}" already exists', "choose another name")
    return _change(app, session, row, {"name": name})


def remove_milestone(app: App, *, name: str) -> MilestoneRecord:
    """Remove the user's own milestone (or a default its sources no longer imply) when
    no action is linked to it; the trail keeps what it was."""
    with app.write() as session:
        plan = _open(app, session)
        assert plan.id is not None
        row = _get(session, plan, name)
        if row.kind != MilestoneKind.custom and _implied(app, session, plan, row):
            raise ImproveplanError(
                f'"{row.name}" is a default milestone: it follows its source',
                f'move it with improveplan milestone update "{row.name}" --date DATE, '
                "or record a meeting not held with milestone missed",
            )
        linked = session.exec(
            select(func.count()).select_from(Action).where(col(Action.milestone_id) == row.id)
        ).one()
        if linked:
            raise Conflict(
                f'{linked} action{"s are" if linked != 1 else " is"} linked to "{row.name}"',
                "link them elsewhere with improveplan action update REF --milestone NAME|none",
            )
        shown = _shown(app, row)
        delete_milestone(session, plan_id=plan.id, actor=app.user, row=row)
        return shown


def _implied(app: App, session: Session, plan: Plan, row: Milestone) -> bool:
    assert plan.id is not None
    horizon = horizon_for(find_notice(session, plan.id), today=app.today, as_of=app.today)
    wanted = computed_milestones(session, plan_id=plan.id, horizon=horizon)
    return folded(row.name) in {folded(m.name) for m in wanted}


def reset_milestone(app: App, *, name: str) -> MilestoneRecord:
    """Give a default milestone back to its rule: the user's date is dropped."""
    with app.write() as session:
        plan = app.plan(session)
        row = _get(session, plan, name)
        if row.kind == MilestoneKind.custom:
            raise ImproveplanError(
                f'"{row.name}" is not a default milestone', "set its date with milestone add"
            )
        _change(app, session, row, {"user_set": False})
        refresh_plan(app, session, plan, app.today)
        session.refresh(row)
        return _shown(app, row)


def visit_held(app: App, session: Session, plan: Plan, inspection: Inspection) -> None:
    """A recorded monitoring visit: the expected visit nearest its dates is held then.

    The milestone takes the visit's first day as its date (kept as set, which `milestone
    reset` undoes) and is done on its last day. Call it after the inspection is added.
    """
    if inspection.type != InspectionType.monitoring_visit or inspection.start is None:
        return
    start = inspection.start
    refresh_plan(app, session, plan, app.today)
    candidates = session.exec(
        select(Milestone).where(
            col(Milestone.plan_id) == plan.id,
            col(Milestone.kind) == MilestoneKind.monitoring_visit,
            col(Milestone.done).is_(None),
        )
    ).all()
    if not candidates:
        return
    nearest = min(candidates, key=lambda m: (abs((m.date - start).days), m.date))
    rule = f"visit recorded {inspection.start} to {inspection.end}"
    updates: dict[str, Any] = {"date": inspection.start, "user_set": True, "done": inspection.end}
    updates |= {"rule": f"{rule} (was {nearest.rule})", "missed_reason": None}
    _change(app, session, nearest, updates)


def _unknown(session: Session, plan: Plan, name: str) -> NotFound:
    names = list(session.exec(select(Milestone.name).where(col(Milestone.plan_id) == plan.id)))
    hint = lookups.suggestion(name, names)
    todo = f"{hint} See improveplan milestone list" if hint else "see improveplan milestone list"
    return NotFound(f'no milestone named "{name}" in plan "{plan.name}"', todo)
