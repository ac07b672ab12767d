"""Recommendations: Ofsted's "What needs to improve" items, which actions answer.

References are `R1`, `R2`, ... (a bare number is read as `R<n>`, see
`lookups.normalise_ref`); `seq` keeps them in their natural order so R2 sorts before R10
on every database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import case, func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from improveplan.domain.records import ActionRow
from improveplan.domain.vocab import Status
from improveplan.errors import Conflict, ImproveplanError
from improveplan.services import audit, inputs
from improveplan.services.context import App
from improveplan.services.lookups import (
    find_inspection,
    find_recommendation,
    find_theme,
    normalise_ref,
    same,
)
from improveplan.store import queries
from improveplan.store.models import (
    Action,
    ActionRecommendation,
    Plan,
    Recommendation,
    Theme,
)

REC_FIELDS = ("ref", "text", "inspection_id", "theme_id", "priority_action", "seq")
SEQ_MAX = 2**31 - 1  # a 32-bit INTEGER, on both databases
_FIRST_NUMBER = re.compile(r"\d+")
_R_NUMBER = re.compile(r"r(\d+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecommendationRecord:
    """A recommendation with how many live actions answer it (`rec list`, docs/design.md §3);
    cancelled actions are not counted."""

    ref: str
    text: str
    theme: str | None
    priority_action: bool
    inspection: int | None
    actions: int = 0
    open_actions: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class RecommendationDetail:
    """One recommendation and the actions answering it, RAG as on `as_of` (`rec show`)."""

    ref: str
    text: str
    theme: str | None
    priority_action: bool
    inspection: int | None
    as_of: dt.date
    actions: list[ActionRow]


def _check_ref(ref: str) -> None:
    if not ref or len(ref) > 20 or any(ch.isspace() for ch in ref):
        raise ImproveplanError(
            f"{ref!r} is not a recommendation reference",
            "use a short reference without spaces, e.g. R9",
        )


def _seq(session: Session, plan_id: int, ref: str) -> int:
    """The number inside the reference (R10 -> 10; at most what an INTEGER column holds:
    R99999999999999999999 sorts last), else one after the last."""
    number = _FIRST_NUMBER.search(ref)
    if number is not None:
        return min(int(number.group(0)), SEQ_MAX)
    last = session.exec(
        select(func.max(col(Recommendation.seq))).where(Recommendation.plan_id == plan_id)
    ).one()
    return int(last or 0) + 1


def next_rec_number(session: Session, plan: Plan) -> int:
    """One more than the highest `R<n>` reference in the plan (1 when there is none)."""
    refs = session.exec(select(Recommendation.ref).where(Recommendation.plan_id == plan.id)).all()
    numbers = [int(m.group(1)) for ref in refs if (m := _R_NUMBER.fullmatch(ref))]
    return max(numbers, default=0) + 1


def create_recommendation(
    session: Session,
    app: App,
    plan: Plan,
    *,
    ref: str,
    text: str,
    inspection_id: int | None = None,
    theme_id: int | None = None,
    priority_action: bool = False,
) -> Recommendation:
    """Write one recommendation inside the caller's transaction, audited."""
    assert plan.id is not None
    ref = normalise_ref(ref)
    _check_ref(ref)
    if not text.strip():
        raise ImproveplanError(f"recommendation {ref} has no text", "give its text in quotes")
    # Ofsted's words on one line, as a report's PDF text is read (line breaks are layout).
    text = " ".join(inputs.text(text, "recommendation's text").split())
    taken = session.exec(
        select(Recommendation.ref).where(
            Recommendation.plan_id == plan.id,
            same(col(Recommendation.ref), ref),
        )
    ).first()
    if taken is not None:
        raise Conflict(
            f'recommendation {taken} already exists in plan "{plan.name}"',
            "choose another reference (see improveplan rec list)",
        )
    rec = Recommendation(
        plan_id=plan.id,
        ref=ref,
        text=text,
        seq=_seq(session, plan.id, ref),
        inspection_id=inspection_id,
        theme_id=theme_id,
        priority_action=priority_action,
    )
    session.add(rec)
    audit.record_created(
        session,
        actor=app.user,
        plan_id=plan.id,
        entity="recommendation",
        obj=rec,
        fields=REC_FIELDS,
    )
    return rec


def add_recommendation(
    app: App,
    *,
    ref: str,
    text: str,
    inspection: int | None = None,
    theme: str | None = None,
    priority: bool = False,
) -> RecommendationRecord:
    """Add a recommendation to the current plan (from a report, a visit, or the board)."""
    with app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        inspection_id = find_inspection(session, plan, inspection).id if inspection else None
        theme_row = find_theme(session, plan.id, theme) if theme else None
        rec = create_recommendation(
            session,
            app,
            plan,
            ref=ref,
            text=text,
            inspection_id=inspection_id,
            theme_id=theme_row.id if theme_row else None,
            priority_action=priority,
        )
        return RecommendationRecord(
            ref=rec.ref,
            text=rec.text,
            theme=theme_row.name if theme_row else None,
            priority_action=rec.priority_action,
            inspection=inspection_id,
        )


def list_recommendations(app: App) -> list[RecommendationRecord]:
    """Every recommendation with its action counts (cancelled actions not counted)."""
    live = col(Action.status) != Status.cancelled
    open_ = case((queries.is_open(), 1), else_=0)
    stmt = (
        sql_select(
            col(Recommendation.ref),
            col(Recommendation.text),
            col(Theme.name).label("theme"),
            col(Recommendation.priority_action),
            col(Recommendation.inspection_id).label("inspection"),
            func.count(col(Action.id)).label("actions"),
            func.coalesce(func.sum(open_), 0).label("open_actions"),
        )
        .select_from(Recommendation)
        .outerjoin(Theme, col(Theme.id) == col(Recommendation.theme_id))
        .outerjoin(
            ActionRecommendation,
            col(ActionRecommendation.recommendation_id) == col(Recommendation.id),
        )
        .outerjoin(Action, (col(Action.id) == col(ActionRecommendation.action_id)) & live)
        .group_by(
            col(Recommendation.id),
            col(Recommendation.ref),
            col(Recommendation.text),
            col(Recommendation.seq),
            col(Recommendation.priority_action),
            col(Recommendation.inspection_id),
            col(Theme.name),
        )
        .order_by(col(Recommendation.seq), col(Recommendation.ref))
    )
    with app.read() as session:
        plan = app.plan(session)
        rows = session.execute(stmt.where(col(Recommendation.plan_id) == plan.id))
        return [
            RecommendationRecord(
                ref=r.ref,
                text=r.text,
                theme=r.theme,
                priority_action=r.priority_action,
                inspection=r.inspection,
                actions=int(r.actions),
                open_actions=int(r.open_actions),
            )
            for r in rows
        ]


def show_recommendation(app: App, *, ref: str, as_of: dt.date) -> RecommendationDetail:
    """One recommendation and the actions answering it, with RAG as on `as_of`."""
    with app.read() as session:
        plan = app.plan(session)
        assert plan.id is not None
        rec = find_recommendation(session, plan, ref)
        theme = session.get(Theme, rec.theme_id) if rec.theme_id else None
        rows = queries.action_rows(
            session,
            plan_id=plan.id,
            as_of=as_of,
            amber_days=app.settings.amber_days,
            flt=queries.ActionFilter(rec=rec.ref),
        )
        return RecommendationDetail(
            ref=rec.ref,
            text=rec.text,
            theme=theme.name if theme else None,
            priority_action=rec.priority_action,
            inspection=rec.inspection_id,
            as_of=as_of,
            actions=rows,
        )
