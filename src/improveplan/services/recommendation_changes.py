"""Correcting and removing recommendations (docs/design.md §2): every change audited
field by field (the theme by name), a removal recorded as each field to nothing.

A recommendation answered by any action (cancelled ones too) is not removed: its links
are the plan's record of what answers Ofsted, so they are moved first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from improveplan.errors import Conflict, ImproveplanError
from improveplan.services import audit, inputs
from improveplan.services.context import App
from improveplan.services.lookups import find_recommendation, find_theme, normalise_ref
from improveplan.store.models import ActionRecommendation, Plan, Recommendation, Theme


class NoTheme(Enum):
    """`rec update --theme none`: the recommendation belongs to no theme."""

    none = "none"


NO_THEME = NoTheme.none


@dataclass(frozen=True, slots=True, kw_only=True)
class RecChange:
    """One field of a recommendation as the trail records it (the theme by name)."""

    field: str
    old: str | bool | None
    new: str | bool | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RecUpdated:
    """`rec update`: the recommendation's ref and what changed."""

    ref: str
    changes: list[RecChange]


def _theme_name(session: Session, theme_id: int | None) -> str | None:
    theme = session.get(Theme, theme_id) if theme_id is not None else None
    return None if theme is None else theme.name


def _asked(
    session: Session,
    plan: Plan,
    rec: Recommendation,
    text: str | None,
    theme: str | NoTheme | None,
    priority: bool | None,
) -> tuple[dict[str, object], list[RecChange]]:
    """The columns to set and the changes as audited, only those that differ."""
    assert plan.id is not None
    values: dict[str, object] = {}
    changes: list[RecChange] = []
    if text is not None and text != rec.text:
        values["text"] = text
        changes.append(RecChange(field="text", old=rec.text, new=text))
    if theme is not None:
        row = None if theme is NO_THEME else find_theme(session, plan.id, str(theme))
        if (row.id if row else None) != rec.theme_id:
            values["theme_id"] = row.id if row else None
            old = _theme_name(session, rec.theme_id)
            changes.append(RecChange(field="theme", old=old, new=row.name if row else None))
    if priority is not None and priority != rec.priority_action:
        values["priority_action"] = priority
        changes.append(RecChange(field="priority_action", old=rec.priority_action, new=priority))
    return values, changes


def update_recommendation(
    app: App,
    *,
    ref: str,
    text: str | None = None,
    theme: str | NoTheme | None = None,
    priority: bool | None = None,
) -> RecUpdated:
    """Correct a recommendation's text, theme or priority flag."""
    ref = normalise_ref(ref)
    if text is None and theme is None and priority is None:
        raise ImproveplanError(
            f"nothing to change for recommendation {ref}",
            "give --text, --theme or --priority/--no-priority",
        )
    if text is not None:
        if not text.strip():
            raise ImproveplanError(f"recommendation {ref} needs text", "give its text in quotes")
        text = " ".join(inputs.text(text, "recommendation's text").split())
    with app.write() as session:
        plan = app.plan(session)
        rec = find_recommendation(session, plan, ref)
        assert rec.id is not None
        values, changes = _asked(session, plan, rec, text, theme, priority)
        for name, value in values.items():
            setattr(rec, name, value)
        session.add(rec)
        audit.record(
            session, actor=app.user, plan_id=plan.id, entity="recommendation", entity_id=rec.id,
            changes={c.field: (c.old, c.new) for c in changes},
        )  # fmt: skip
        return RecUpdated(ref=rec.ref, changes=changes)


def remove_recommendation(app: App, *, ref: str) -> str:
    """Remove a recommendation no action answers; its ref as stored."""
    with app.write() as session:
        plan = app.plan(session)
        rec = find_recommendation(session, plan, ref)
        assert rec.id is not None
        linked = session.exec(
            select(func.count()).where(col(ActionRecommendation.recommendation_id) == rec.id)
        ).one()
        if linked:
            actions = "action answers" if linked == 1 else "actions answer"
            raise Conflict(
                f"{linked} {actions} recommendation {rec.ref}, so it cannot be removed",
                f"see them with improveplan rec show {rec.ref}, then move each with "
                f"improveplan action update REF --remove-rec {rec.ref}",
            )
        fields = {
            "ref": rec.ref,
            "text": rec.text,
            "inspection_id": rec.inspection_id,
            "theme": _theme_name(session, rec.theme_id),
            "priority_action": rec.priority_action,
            "seq": rec.seq,
        }
        audit.record(
            session, actor=app.user, plan_id=plan.id, entity="recommendation", entity_id=rec.id,
            changes={name: (value, None) for name, value in fields.items()},
        )  # fmt: skip
        stored, rec_id = rec.ref, rec.id
        session.flush()
        session.expunge(rec)
        session.execute(delete(Recommendation).where(col(Recommendation.id) == rec_id))
        return stored
