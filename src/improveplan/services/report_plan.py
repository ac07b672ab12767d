"""The board pack's plan by recommendation: every recommendation in full, the actions
answering it with their latest note, then the actions linked to none.

A few bounded queries whatever the plan's size: the recommendations, up to PLAN_LIMIT
(recommendation, action) rows in plan order, two counts, and the latest note of each
listed action by a window function (SQLite and PostgreSQL alike).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import exists, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from improveplan.domain.dates import shift_days
from improveplan.domain.vocab import Rag
from improveplan.services.report_results import (
    LatestNote,
    PlanAction,
    PlanByRecommendation,
    RecommendationActions,
)
from improveplan.services.status import LONDON, day_start
from improveplan.store.models import (
    Action,
    ActionRecommendation,
    Person,
    ProgressNote,
    Recommendation,
)
from improveplan.store.queries import rag_effective

PLAN_LIMIT = 500  # rows listed: a real plan has tens of actions; 100k are counted instead


def _columns(as_of: dt.date, amber_days: int) -> list[Any]:
    return [
        col(Action.id),
        col(Action.ref),
        col(Action.title),
        col(Person.name).label("owner"),
        col(Action.due),
        col(Action.status),
        rag_effective(as_of, amber_days).label("rag"),
    ]


def _unlinked() -> Any:
    """Actions no recommendation names."""
    return ~exists().where(col(ActionRecommendation.action_id) == col(Action.id))


def plan_by_recommendation(
    session: Session, *, plan_id: int, as_of: dt.date, amber_days: int
) -> PlanByRecommendation:
    """Every recommendation with its actions (in plan order), then the unlinked actions."""
    recs = session.execute(
        sa_select(
            col(Recommendation.id),
            col(Recommendation.ref),
            col(Recommendation.text),
            col(Recommendation.priority_action),
        )
        .where(col(Recommendation.plan_id) == plan_id)
        .order_by(col(Recommendation.seq), col(Recommendation.ref))
    ).all()
    linked = session.execute(
        sa_select(col(ActionRecommendation.recommendation_id), *_columns(as_of, amber_days))
        .join(Action, col(Action.id) == col(ActionRecommendation.action_id))
        .join(Recommendation, col(Recommendation.id) == col(ActionRecommendation.recommendation_id))
        .outerjoin(Person, col(Person.id) == col(Action.owner_id))
        .where(col(Recommendation.plan_id) == plan_id)
        .order_by(col(Recommendation.seq), col(Recommendation.ref), col(Action.seq), col(Action.id))
        .limit(PLAN_LIMIT)
    ).all()
    unlinked = session.execute(
        sa_select(*_columns(as_of, amber_days))
        .outerjoin(Person, col(Person.id) == col(Action.owner_id))
        .where(col(Action.plan_id) == plan_id, _unlinked())
        .order_by(col(Action.seq), col(Action.id))
        .limit(PLAN_LIMIT - len(linked))
    ).all()
    notes = latest_notes(session, {r.id for r in (*linked, *unlinked)}, as_of)
    under: dict[int, list[PlanAction]] = defaultdict(list)
    for r in linked:
        under[r.recommendation_id].append(_plan_action(r, notes))
    return PlanByRecommendation(
        recommendations=[
            RecommendationActions(
                ref=r.ref, text=r.text, priority_action=r.priority_action, actions=under[r.id]
            )
            for r in recs
        ],
        unlinked=[_plan_action(r, notes) for r in unlinked],
        more=_placements(session, plan_id) - len(linked) - len(unlinked),
    )


def _plan_action(r: Any, notes: dict[int, LatestNote]) -> PlanAction:
    rag = Rag(r.rag) if r.rag else None
    return PlanAction(id=r.id, ref=r.ref, title=r.title, owner=r.owner, due=r.due,
                      status=r.status, rag=rag, note=notes.get(r.id))  # fmt: skip


def _placements(session: Session, plan_id: int) -> int:
    """Rows the whole section would hold: each link, and each action linked to none."""
    links = session.execute(
        sa_select(func.count())
        .select_from(ActionRecommendation)
        .join(Recommendation, col(Recommendation.id) == col(ActionRecommendation.recommendation_id))
        .where(col(Recommendation.plan_id) == plan_id)
    ).scalar_one()
    alone = session.execute(
        sa_select(func.count())
        .select_from(Action)
        .where(col(Action.plan_id) == plan_id, _unlinked())
    ).scalar_one()
    return int(links) + int(alone)


def latest_notes(session: Session, action_ids: set[int], as_of: dt.date) -> dict[int, LatestNote]:
    """Each action's latest note written by the end of `as_of` (by time, then by id)."""
    if not action_ids:
        return {}
    newest = func.row_number().over(
        partition_by=col(ProgressNote.action_id),
        order_by=(col(ProgressNote.created_at).desc(), col(ProgressNote.id).desc()),
    )
    ranked = (
        sa_select(
            col(ProgressNote.action_id),
            col(ProgressNote.text),
            col(ProgressNote.created_at),
            col(ProgressNote.author),
            newest.label("n"),
        )
        .where(
            col(ProgressNote.action_id).in_(sorted(action_ids)),
            col(ProgressNote.created_at) < day_start(shift_days(as_of, 1)),
        )
        .subquery()
    )
    rows = session.execute(sa_select(ranked).where(ranked.c.n == 1))
    return {
        r.action_id: LatestNote(
            text=r.text, at=r.created_at, on=r.created_at.astimezone(LONDON).date(),
            author=r.author,
        )
        for r in rows
    }  # fmt: skip
