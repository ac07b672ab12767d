"""The DfE improvement notice of a plan: one per plan, set in parts, audited.

Setting it re-derives the default milestones (boards, DfE reviews) in the same
transaction, so the timeline never shows dates from the notice as it was before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from improveplan.domain.timeline import NoticeTerms
from improveplan.errors import ImproveplanError, NotFound
from improveplan.serialize import record_keys
from improveplan.services import audit, inputs
from improveplan.services.context import App
from improveplan.services.timeline import find_notice, refresh_plan
from improveplan.store.models import Notice

# What `notice set` may change: every term but the kind (one kind of notice so far).
NOTICE_FIELDS = tuple(name for name in record_keys(NoticeTerms) if name != "kind")


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeRecord(NoticeTerms):
    """`notice show` and `notice set`: the notice's terms and the plan it binds."""

    plan: str


def _record(notice: Notice, plan: str) -> NoticeRecord:
    terms = {name: getattr(notice, name) for name in NOTICE_FIELDS}
    return NoticeRecord(kind=notice.kind, **terms, plan=plan)


def _check_notice(values: dict[str, Any]) -> None:
    if values["review_months"] is not None and values["review_months"] < 1:
        raise ImproveplanError("--review-months must be 1 or more", "reviews are usually every 6")
    weeks = values["board_every_weeks"]
    if weeks is not None and weeks < 1:
        raise ImproveplanError(
            "--board-every-weeks must be 1 or more", "boards meet every 4-6 weeks"
        )
    if weeks is not None and values["first_board"] is None:
        raise ImproveplanError("boards every N weeks need a first date", "add --first-board DATE")
    issued, lifted = values["issued"], values["lifted"]
    if lifted is not None and lifted < issued:
        raise ImproveplanError(
            f"the notice cannot be lifted ({lifted}) before it was issued ({issued})",
            "check --lifted and --issued",
        )


def set_notice(app: App, *, changes: dict[str, Any]) -> NoticeRecord:
    """Create or update the plan's one notice (only the options given change); audited."""
    if changes.get("chair") is not None:
        changes = {**changes, "chair": inputs.name(changes["chair"], "the chair's name")}
    with app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        notice = session.exec(
            select(Notice).where(col(Notice.plan_id) == plan.id).with_for_update()
        ).first()
        if notice is None and changes.get("issued") is None:
            raise ImproveplanError(
                f'plan "{plan.name}" has no improvement notice yet',
                "give the date it was issued with --issued DATE",
            )
        current = {name: getattr(notice, name) if notice else None for name in NOTICE_FIELDS}
        merged = current | {k: v for k, v in changes.items() if v is not None}
        if merged.get("review_months") is None:
            merged["review_months"] = 6
        _check_notice(merged)
        values = {name: merged[name] for name in NOTICE_FIELDS}
        if notice is None:
            notice = Notice.model_validate(values | {"plan_id": plan.id})
            session.add(notice)
            audit.record_created(
                session, actor=app.user, plan_id=plan.id, entity="notice", obj=notice,
                fields=NOTICE_FIELDS,
            )  # fmt: skip
        else:
            audit.apply(
                session, actor=app.user, plan_id=plan.id, entity="notice", obj=notice,
                updates=values,
            )  # fmt: skip
        refresh_plan(app, session, plan, app.today)
        return _record(notice, plan.name)


def show_notice(app: App) -> NoticeRecord:
    """The plan's notice; a plan without one is told how to record it."""
    with app.read() as session:
        plan = app.plan(session)
        assert plan.id is not None
        notice = find_notice(session, plan.id)
        if notice is None:
            raise NotFound(
                f'plan "{plan.name}" has no improvement notice',
                "record one with improveplan notice set --issued DATE",
            )
        return _record(notice, plan.name)
