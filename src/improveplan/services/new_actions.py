"""One write path for new actions: `action add`, the tracker import and the plan import.

Each checks its batch with `domain.workflow.check_new_actions` (and words the problems
for its user), inserts it here in executemany chunks — no ORM object or query per action,
so 10k tracker rows stay quick — and, unless it restores an export that brings its own
trail, records every action's creation with `record_created`: one audit event per field
that has a value, the events `action add` has always written (docs/design.md §2).
`plan_refs` holds the refs of removed actions too, so none is ever numbered again, and
`milestone_warnings` words the new actions due after the milestone they are linked to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlmodel import Session, col

from improveplan.domain.vocab import OPEN_STATUSES, Rag, Status
from improveplan.domain.workflow import NEW_STATUS
from improveplan.errors import ImproveplanError
from improveplan.services import audit
from improveplan.services.audit import FieldValues
from improveplan.services.inputs import unstorable
from improveplan.services.lookups import same
from improveplan.store.models import Action, ActionRecommendation, Milestone, RemovedAction

CHUNK = 2000
ACTIONS: Table = Action.__table__  # type: ignore[attr-defined]
LINKS: Table = ActionRecommendation.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Link:
    """A row an action points at: its id for the foreign key, its name for the trail."""

    id: int
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NewAction:
    """A new action row, links resolved; the defaults are those of a freshly added one."""

    ref: str
    seq: int
    title: str
    owner: Link | None
    due: dt.date | None
    original_due: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime | None = None  # None: created_at
    status: Status = NEW_STATUS
    start: dt.date | None = None
    success_measure: str | None = None
    evidence: str | None = None
    theme: Link | None = None
    milestone: Link | None = None
    recommendations: tuple[Link, ...] = ()  # in the plan's order (seq, then ref)
    rag_override: Rag | None = None
    rag_override_reason: str | None = None
    status_reason: str | None = None
    version: int = 1


def plan_refs(session: Session, plan_id: int) -> list[str]:
    """Every ref the plan holds or held (the refs a new action may not take, and numbers
    on from): a removed action's ref is never reused, so a reader of an old board paper
    never finds another action under it."""
    live = select(col(Action.ref)).where(col(Action.plan_id) == plan_id)
    removed = select(col(RemovedAction.ref)).where(col(RemovedAction.plan_id) == plan_id)
    return [*session.execute(live).scalars(), *session.execute(removed).scalars()]


def removed_action(session: Session, plan_id: int, ref: str) -> RemovedAction | None:
    """The removal of the plan's action `ref` (any case), if it was removed."""
    stmt = select(RemovedAction).where(
        col(RemovedAction.plan_id) == plan_id, same(col(RemovedAction.ref), ref)
    )
    return session.execute(stmt).scalars().first()


def late_for_milestone(status: Status, due: dt.date | None, milestone: dt.date | None) -> bool:
    """An open action due after the milestone it must be done by (a warning, not an error:
    the milestone may move, or the action was linked to the wrong one)."""
    return status in OPEN_STATUSES and due is not None and milestone is not None and due > milestone


def late_warning(ref: str, due: dt.date, name: str, day: dt.date) -> str:
    """How every way in words an action due after its milestone (after "Warning: ")."""
    return (
        f'action {ref} is due {due.isoformat()}, after its milestone "{name}" on '
        f"{day.isoformat()} — bring the due date forward or link it to a later milestone"
    )


def milestone_warnings(session: Session, actions: Sequence[NewAction]) -> list[str]:
    """One warning per new action due after its milestone, in batch order (one query)."""
    ids = {a.milestone.id for a in actions if a.milestone is not None}
    if not ids:
        return []
    stmt = select(col(Milestone.id), col(Milestone.date)).where(col(Milestone.id).in_(ids))
    dates: dict[int, dt.date] = {int(i): d for i, d in session.execute(stmt).all()}
    return [
        late_warning(a.ref, a.due, a.milestone.name, dates[a.milestone.id])
        for a in actions
        if a.milestone is not None
        and a.due is not None
        and late_for_milestone(a.status, a.due, dates.get(a.milestone.id))
    ]


def last_seq(session: Session, plan_id: int) -> int:
    """The plan order of the last action; new ones follow it."""
    found = session.execute(select(func.max(col(Action.seq))).where(col(Action.plan_id) == plan_id))
    return int(found.scalar() or 0)


def _params(plan_id: int, new: NewAction) -> FieldValues:
    return {
        "plan_id": plan_id,
        "ref": new.ref,
        "seq": new.seq,
        "title": new.title,
        "owner_id": new.owner.id if new.owner else None,
        "theme_id": new.theme.id if new.theme else None,
        "milestone_id": new.milestone.id if new.milestone else None,
        "start": new.start,
        "due": new.due,
        "original_due": new.original_due,
        "status": new.status,
        "rag_override": new.rag_override,
        "rag_override_reason": new.rag_override_reason,
        "status_reason": new.status_reason,
        "success_measure": new.success_measure,
        "evidence": new.evidence,
        "version": new.version,
        "created_at": new.created_at,
        "updated_at": new.updated_at or new.created_at,
    }


def insert_actions(
    session: Session,
    plan_id: int,
    actions: Sequence[NewAction],
    progress: Callable[[int, int], None] | None = None,
) -> list[int]:
    """Insert checked actions and their recommendation links; their ids, in order.

    Plain executemany per chunk, then the chunk's ids through the (plan, ref) index:
    faster than INSERT ... RETURNING for thousands of rows on both databases. Each way in
    checks its values at its door; what no database could store is refused here too, so
    it can never reach one (SQLite would keep it, PostgreSQL fail with a traceback).
    """
    params = [_params(plan_id, a) for a in actions]
    for new, values in zip(actions, params, strict=True):
        for why in unstorable(ACTIONS, values):
            raise ImproveplanError(f"action {new.ref}: {why}", "correct it and try again")
    session.flush()  # ORM rows pending in this session go first, as they were made first
    connection = session.connection()
    ids: list[int] = []
    for start in range(0, len(actions), CHUNK):
        chunk = actions[start : start + CHUNK]
        connection.execute(insert(ACTIONS), params[start : start + CHUNK])
        refs = [a.ref for a in chunk]
        found = dict(
            connection.execute(
                select(ACTIONS.c.ref, ACTIONS.c.id).where(
                    ACTIONS.c.plan_id == plan_id, ACTIONS.c.ref.in_(refs)
                )
            ).all()
        )
        ids += [int(found[ref]) for ref in refs]
        if progress is not None:
            progress(start + len(chunk), len(actions))
    links = [
        {"action_id": i, "recommendation_id": rec.id}
        for i, new in zip(ids, actions, strict=True)
        for rec in new.recommendations
    ]
    if links:
        connection.execute(insert(LINKS), links)
    return ids


def _creation_fields(new: NewAction) -> FieldValues:
    """How the trail shows a new action: names for links, recommendations in plan order."""
    return {
        "ref": new.ref,
        "title": new.title,
        "owner": new.owner.name if new.owner else None,
        "due": new.due,
        "original_due": new.original_due,
        "status": new.status,
        "start": new.start,
        "success_measure": new.success_measure,
        "evidence": new.evidence,
        "recommendations": ", ".join(r.name for r in new.recommendations) or None,
        "theme": new.theme.name if new.theme else None,
        "milestone": new.milestone.name if new.milestone else None,
    }


def record_created(
    session: Session,
    *,
    actor: str,
    plan_id: int,
    created: Iterable[tuple[int, NewAction]],
    at: dt.datetime,
    extra: Callable[[int], Mapping[str, Any]] | None = None,
) -> None:
    """Each new action's fields from nothing; `extra(n)` adds fields to the n-th (where
    a tracker row came from)."""
    audit.record_creations(
        session,
        actor=actor,
        plan_id=plan_id,
        entity="action",
        at=at,
        created=(
            (i, {**_creation_fields(new), **(extra(n) if extra else {})})
            for n, (i, new) in enumerate(created)
        ),
    )
