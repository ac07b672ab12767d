"""`action update`'s corrections: theme, milestone, start, measure, evidence and the
recommendation links (docs/design.md §2).

Each is a field of the action like its title: changing it bumps the version, honours
`--if-version` and is audited with names, not ids (the links as field `recommendations`,
"R1, R2" → "R1, R3", as the action's creation lists them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from improveplan.errors import ImproveplanError
from improveplan.services import inputs, lookups
from improveplan.services.action_writes import (
    Change,
    milestone_link,
    recommendation_links,
)
from improveplan.services.audit import FieldValues
from improveplan.services.context import App
from improveplan.services.new_actions import LINKS, Link, late_for_milestone, late_warning
from improveplan.store.models import (
    Action,
    ActionRecommendation,
    Milestone,
    Plan,
    Recommendation,
    Theme,
)


class Clear(Enum):
    """`none` typed for a field that may be emptied (`--theme none`, `--start none`)."""

    clear = "none"


CLEAR = Clear.clear


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldRequest:
    """The corrections asked for (None: leave it; CLEAR: empty it; "" empties a text)."""

    theme: str | Clear | None = None
    milestone: str | Clear | None = None
    start: dt.date | Clear | None = None
    measure: str | None = None
    evidence: str | None = None
    recs: Sequence[str] | None = None  # the links exactly ("none" alone: no links)
    add_recs: Sequence[str] = ()
    remove_recs: Sequence[str] = ()

    def given(self) -> bool:
        links = self.recs is not None or bool(self.add_recs) or bool(self.remove_recs)
        texts = (self.theme, self.milestone, self.start, self.measure, self.evidence)
        return links or any(v is not None for v in texts)

    def checked(self) -> FieldRequest:
        """The texts checked at the door; links asked two contradictory ways refused."""
        if self.recs is not None and (self.add_recs or self.remove_recs):
            raise ImproveplanError(
                "--rec sets the links exactly, so it cannot go with --add-rec or --remove-rec",
                "give --rec for each recommendation, or only --add-rec and --remove-rec",
            )
        measure = (
            None
            if self.measure is None
            else inputs.optional_text(self.measure, "success measure") or ""
        )
        evidence = (
            None if self.evidence is None else inputs.optional_text(self.evidence, "evidence") or ""
        )
        return FieldRequest(
            theme=self.theme, milestone=self.milestone, start=self.start, measure=measure,
            evidence=evidence, recs=self.recs, add_recs=self.add_recs, remove_recs=self.remove_recs,
        )  # fmt: skip


def _name(session: Session, model: type[Theme] | type[Milestone], row_id: int | None) -> str | None:
    row = session.get(model, row_id) if row_id is not None else None
    return None if row is None else str(getattr(row, "name"))  # noqa: B009 - both have one


def _theme(
    session: Session, plan: Plan, action: Action, asked: str | Clear
) -> tuple[int | None, Change]:
    assert plan.id is not None
    theme = None if asked is CLEAR else lookups.find_theme(session, plan.id, str(asked))
    old = _name(session, Theme, action.theme_id)
    return (theme.id if theme else None), Change(
        field="theme", old=old, new=theme.name if theme else None
    )


def _milestone(
    session: Session, app: App, plan: Plan, action: Action, asked: str | Clear
) -> tuple[int | None, Change]:
    link = None if asked is CLEAR else milestone_link(session, app, plan, str(asked))
    old = _name(session, Milestone, action.milestone_id)
    return (link.id if link else None), Change(
        field="milestone", old=old, new=link.name if link else None
    )


def field_values(
    session: Session,
    app: App,
    plan: Plan,
    action: Action,
    asked: FieldRequest,
    labels: dict[str, Change],
) -> FieldValues:
    """The columns the corrections set; `labels` gets how the trail names the links."""
    values: FieldValues = {}
    if asked.theme is not None:
        values["theme_id"], labels["theme_id"] = _theme(session, plan, action, asked.theme)
    if asked.milestone is not None:
        values["milestone_id"], labels["milestone_id"] = _milestone(
            session, app, plan, action, asked.milestone
        )
    if asked.start is not None:
        values["start"] = None if asked.start is CLEAR else asked.start
    if asked.measure is not None:
        values["success_measure"] = asked.measure or None
    if asked.evidence is not None:
        values["evidence"] = asked.evidence or None
    return values


def check_start(ref: str, values: FieldValues, action: Action) -> None:
    """A start given must not be after the due date (the one asked for, or the action's)."""
    start = values.get("start", action.start)
    due = values.get("due", action.due)
    if (
        "start" in values
        and isinstance(start, dt.date)
        and isinstance(due, dt.date)
        and start > due
    ):
        raise ImproveplanError(
            f"the start date {start} is after the due date {due} of action {ref}",
            "check --start and --due",
        )


def _linked(session: Session, action_id: int) -> tuple[Link, ...]:
    """The action's recommendations in the plan's order."""
    rows = session.exec(
        select(Recommendation)
        .join(
            ActionRecommendation,
            col(ActionRecommendation.recommendation_id) == col(Recommendation.id),
        )
        .where(col(ActionRecommendation.action_id) == action_id)
        .order_by(col(Recommendation.seq), col(Recommendation.ref))
    ).all()
    return tuple(Link(int(r.id or 0), r.ref) for r in rows)


def _listed(links: Sequence[Link]) -> str | None:
    return ", ".join(link.name for link in links) or None


def link_change(
    session: Session, plan: Plan, action: Action, asked: FieldRequest
) -> tuple[Change, tuple[Link, ...]] | None:
    """The links asked for, and how the trail shows the change; None if they stay."""
    if asked.recs is None and not asked.add_recs and not asked.remove_recs:
        return None
    assert action.id is not None
    now = _linked(session, action.id)
    if asked.recs is not None:
        cleared = [r.strip().lower() for r in asked.recs] == ["none"]
        wanted = () if cleared else recommendation_links(session, plan, asked.recs)
    else:
        dropped = {link.id for link in recommendation_links(session, plan, asked.remove_recs)}
        added = recommendation_links(session, plan, asked.add_recs)
        kept = {link.id: link for link in (*now, *added) if link.id not in dropped}
        wanted = recommendation_links(session, plan, [link.name for link in kept.values()])
    if [link.id for link in wanted] == [link.id for link in now]:
        return None
    return Change(field="recommendations", old=_listed(now), new=_listed(wanted)), wanted


def relink(session: Session, action_id: int, links: Sequence[Link]) -> None:
    """Replace the action's recommendation links (after its conditional update)."""
    connection = session.connection()
    connection.execute(delete(LINKS).where(LINKS.c.action_id == action_id))
    if links:
        connection.execute(
            insert(LINKS),
            [{"action_id": action_id, "recommendation_id": link.id} for link in links],
        )


def late_warnings(session: Session, ref: str, action_id: int) -> list[str]:
    """The warning of an action left due after its milestone, if it is."""
    action = session.get(Action, action_id)
    assert action is not None
    milestone = session.get(Milestone, action.milestone_id) if action.milestone_id else None
    if milestone is None or action.due is None:
        return []
    if not late_for_milestone(action.status, action.due, milestone.date):
        return []
    return [late_warning(ref, action.due, milestone.name, milestone.date)]
