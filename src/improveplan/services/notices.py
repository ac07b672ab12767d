"""The DfE improvement notice of a plan: one per plan, set in parts, audited.

Setting it re-derives the default milestones (boards, DfE reviews) in the same
transaction, so the timeline never shows dates from the notice as it was before.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from improveplan.errors import ImproveplanError, NotFound
from improveplan.services import audit
from improveplan.services.context import App
from improveplan.services.timeline import find_notice, refresh_plan
from improveplan.store.models import Notice

NOTICE_FIELDS = (
    "issued",
    "plan_due",
    "review_months",
    "board_every_weeks",
    "first_board",
    "chair",
    "lifted",
)


def notice_json(notice: Notice) -> dict[str, Any]:
    return {"kind": notice.kind} | {name: getattr(notice, name) for name in NOTICE_FIELDS}


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


def set_notice(app: App, *, changes: dict[str, Any]) -> dict[str, Any]:
    """Create or update the plan's one notice (only the options given change); audited."""
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
        current = notice_json(notice) if notice else dict.fromkeys(NOTICE_FIELDS)
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
        return notice_json(notice) | {"plan": plan.name}


def show_notice(app: App) -> dict[str, Any]:
    with app.read() as session:
        plan = app.plan(session)
        assert plan.id is not None
        notice = find_notice(session, plan.id)
        if notice is None:
            raise NotFound(
                f'plan "{plan.name}" has no improvement notice',
                "record one with improveplan notice set --issued DATE",
            )
        return notice_json(notice) | {"plan": plan.name}
