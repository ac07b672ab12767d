"""`import FILE --update`: the rows whose ref is already an action refresh that action.

A council refreshes its tracker after every monitoring visit; the refresh is worked out
here, before anything is written, so a dry run can say all of it:
- only the fields the file has a column for, and only when the value differs; a blank
  cell leaves the field as it is, except the recommendations, which the column sets
  exactly (a blank cell: no links);
- the due date and the status move under `domain.workflow`'s rules, as `action update`
  moves them: a later due date keeps the original one, and a move that needs a reason
  (slippage, a cancellation, a step back) gets "refreshed from the tracker FILE"; a move
  the workflow refuses (signing off work not complete) is a bad row;
- the RAG as for a new row, against the RAG computed after the refresh: worse → an
  override, better → a progress note, the same → nothing (an override is not cleared);
- the progress text becomes a note only when it differs from the latest one (notes the
  RAG rule wrote are not "the latest progress"), so re-importing an unchanged tracker
  changes nothing.
Names (owner, theme, recommendations, milestone) compare folded; ids are resolved when
written (`services/tracker_writes.py`), after the import has created what is new.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from improveplan.domain import workflow
from improveplan.domain.inputs import folded
from improveplan.domain.vocab import Rag, Status, spoken
from improveplan.errors import ImproveplanError
from improveplan.io.tracker import RowError, TrackerRow
from improveplan.services.new_actions import Link, late_for_milestone, late_warning
from improveplan.services.tracker_rows import NOTE_START, TrackerRag, tracker_rag
from improveplan.store.models import (
    Action,
    ActionRecommendation,
    Milestone,
    Person,
    ProgressNote,
    Recommendation,
    Theme,
)


def refresh_reason(file: str) -> str:
    """The reason a refresh gives a move that needs one (as `action update --reason`)."""
    return f"refreshed from the tracker {file}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Existing:
    """An action as a refresh compares it: its columns, and its links by name."""

    id: int
    ref: str
    version: int
    title: str
    owner: str | None
    theme: str | None
    milestone: Link | None
    due: dt.date | None
    original_due: dt.date | None
    status: Status
    status_reason: str | None
    start: dt.date | None
    success_measure: str | None
    evidence: str | None
    rag_override: Rag | None
    rag_override_reason: str | None
    recs: tuple[str, ...] = ()
    last_note: str | None = None
    last_rag_note: str | None = None


_COLUMNS = (
    "id",
    "ref",
    "version",
    "title",
    "due",
    "original_due",
    "status",
    "status_reason",
    "start",
    "success_measure",
    "evidence",
    "rag_override",
    "rag_override_reason",
)


def existing_actions(session: Session, pid: int, *, lock: bool) -> dict[str, Existing]:
    """Every action of the plan by lower-case ref (refs compare so), in four queries."""
    owner, theme, stone = Person.__table__, Theme.__table__, Milestone.__table__  # type: ignore[attr-defined]
    actions = Action.__table__  # type: ignore[attr-defined]
    stmt = (
        select(
            *(actions.c[c] for c in _COLUMNS), owner.c.name, theme.c.name, stone.c.id, stone.c.name
        )
        .outerjoin(owner, owner.c.id == actions.c.owner_id)
        .outerjoin(theme, theme.c.id == actions.c.theme_id)
        .outerjoin(stone, stone.c.id == actions.c.milestone_id)
        .where(actions.c.plan_id == pid)
    )
    if lock:  # PostgreSQL: no `action update` of these rows until the import commits
        stmt = stmt.with_for_update(of=actions)
    recs = _recs(session, pid)
    notes = _last_notes(session, pid)
    found: dict[str, Existing] = {}
    for row in session.execute(stmt):
        values = dict(zip(_COLUMNS, row[: len(_COLUMNS)], strict=True))
        person, named, stone_id, stone_name = row[len(_COLUMNS) :]
        i = int(values["id"])
        found[str(values["ref"]).lower()] = Existing(
            **values,
            owner=person,
            theme=named,
            milestone=Link(int(stone_id), str(stone_name)) if stone_id is not None else None,
            recs=tuple(recs.get(i, ())),
            last_note=notes.get((i, False)),
            last_rag_note=notes.get((i, True)),
        )
    return found


def _recs(session: Session, pid: int) -> dict[int, list[str]]:
    stmt = (
        select(col(ActionRecommendation.action_id), col(Recommendation.ref))
        .join(Recommendation, col(Recommendation.id) == col(ActionRecommendation.recommendation_id))
        .where(col(Recommendation.plan_id) == pid)
        .order_by(col(Recommendation.seq), col(Recommendation.ref))
    )
    links: dict[int, list[str]] = {}
    for action_id, ref in session.execute(stmt):
        links.setdefault(int(action_id), []).append(str(ref))
    return links


def _last_notes(session: Session, pid: int) -> dict[tuple[int, bool], str]:
    """Each action's latest progress note and latest note of the RAG rule, by (id, RAG?)."""
    by_rag = col(ProgressNote.text).like(f"{NOTE_START}%")
    latest = (
        select(func.max(col(ProgressNote.id)).label("id"))
        .join(Action, col(Action.id) == col(ProgressNote.action_id))
        .where(col(Action.plan_id) == pid)
        .group_by(col(ProgressNote.action_id), by_rag)
        .subquery()
    )
    stmt = select(col(ProgressNote.action_id), col(ProgressNote.text)).where(
        col(ProgressNote.id).in_(select(latest.c.id))
    )
    return {(int(i), text.startswith(NOTE_START)): text for i, text in session.execute(stmt).all()}


# How the dry run names each field, in the order it lists them.
SPOKEN = {
    "status": "status",
    "due": "due",
    "owner": "owner",
    "title": "title",
    "theme": "theme",
    "recommendations": "recommendations",
    "milestone": "milestone",
    "start": "start",
    "success_measure": "success measure",
    "evidence": "evidence",
    "rag_override": "RAG override",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Refresh:
    """What a row changes in its action: the final values of the fields it changes (names
    for links, ids resolved on writing), the reason the workflow needed, and notes."""

    row: TrackerRow
    action: Existing
    values: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    note: str | None = None
    rag_note: str | None = None

    @property
    def fields(self) -> list[str]:
        """The changed fields as the dry run lists them."""
        return [SPOKEN[k] for k in SPOKEN if k in self.values]

    @property
    def notes(self) -> int:
        return (self.note is not None) + (self.rag_note is not None)

    @property
    def changed(self) -> bool:
        return bool(self.values) or self.notes > 0

    def final(self, name: str) -> Any:
        """A field's value after the refresh."""
        return self.values[name] if name in self.values else getattr(self.action, name)


def _differs(new: str | None, old: str | None) -> bool:
    return new is not None and folded(new) != folded(old or "")


def _names(
    row: TrackerRow, action: Existing, columns: Collection[str], milestones: Mapping[str, Link]
) -> dict[str, Any]:
    """Title, owner, theme, links and texts the row changes."""
    values: dict[str, Any] = {}
    if row.title != action.title:
        values["title"] = row.title
    for name in ("owner", "theme"):
        if _differs(getattr(row, name), getattr(action, name)):
            values[name] = getattr(row, name)
    wanted = {folded(r): r for r in row.recommendations}
    if "recommendations" in columns and set(wanted) != {folded(r) for r in action.recs}:
        values["recommendations"] = tuple(wanted.values())
    stone = milestones.get(folded(row.milestone or ""))
    if stone is not None and (action.milestone is None or stone.id != action.milestone.id):
        values["milestone"] = stone
    for name in ("start", "success_measure", "evidence"):
        value = getattr(row, name)
        if value is not None and value != getattr(action, name):
            values[name] = value
    return values


def _moves(
    row: TrackerRow, action: Existing, columns: Collection[str], reason: str
) -> tuple[dict[str, Any], bool]:
    """Due and status as `action update` moves them; and whether a move used the reason."""
    values: dict[str, Any] = {}
    used = False
    moved = workflow.move_due(action.ref, action.due, action.original_due, row.due, reason)
    if moved is not None:
        values["due"] = moved.due
        used = action.due is not None and moved.due > action.due
        if moved.original_due is not None:
            values["original_due"] = moved.original_due
    if "status" in columns:
        try:
            step = workflow.change_status(action.ref, action.status, row.status, reason)
        except ImproveplanError as exc:
            raise _Refused(
                f"{exc.what}, so it cannot become {spoken(row.status)} — {exc.todo}"
            ) from None
        if step is not None:
            values.update(status=step.status, status_reason=step.reason)
            used = used or step.reason is not None
    return values, used


class _Refused(Exception):
    """A row the workflow refuses, worded for the row's line."""


def _undated(text: str | None) -> str | None:
    """A RAG note without its date: the same stale Green is not noted at every refresh."""
    return None if text is None else re.sub(r" on \d{4}-\d{2}-\d{2};", ";", text)


def plan_refresh(
    row: TrackerRow,
    action: Existing,
    *,
    columns: Collection[str],
    file: str,
    milestones: Mapping[str, Link],
    as_of: dt.date,
    amber_days: int,
) -> Refresh:
    """What `row` changes in `action` (nothing, when the tracker agrees with the plan)."""
    reason = refresh_reason(file)
    moves, used = _moves(row, action, columns, reason)
    values = {**moves, **_names(row, action, columns, milestones)}
    refresh = Refresh(row=row, action=action, values=values)
    after = replace(
        row,
        status=refresh.final("status"),
        due=refresh.final("due"),
        original_due=refresh.final("original_due"),
    )
    rag = tracker_rag(after, as_of=as_of, amber_days=amber_days)
    reasons = [reason] if used else []
    if rag.override is not None and rag.override != action.rag_override:
        kept = row.rag_override_reason or reason
        values.update(rag_override=rag.override, rag_override_reason=kept)
        reasons += [kept] if kept not in reasons else []
    note = row.note if row.note is not None and row.note != action.last_note else None
    rag_note = rag.note if _undated(rag.note) != _undated(action.last_rag_note) else None
    return replace(refresh, reason="; ".join(reasons) or None, note=note, rag_note=rag_note)


def plan_refreshes(
    rows: list[TrackerRow], found: Mapping[str, Existing], **given: Any
) -> tuple[list[Refresh], list[TrackerRow], list[RowError]]:
    """The rows split: refreshes of existing actions, new rows, and rows refused."""
    refreshes: list[Refresh] = []
    new: list[TrackerRow] = []
    errors: list[RowError] = []
    for row in rows:
        action = found.get(row.ref.lower()) if row.ref else None
        if action is None:
            new.append(row)
            continue
        try:
            refreshes.append(plan_refresh(row, action, **given))
        except _Refused as exc:
            errors.append(RowError(row.row, str(exc)))
    return refreshes, new, errors


@dataclass(frozen=True, slots=True, kw_only=True)
class Batch:
    """What an import writes: new rows (their refs and what their RAG becomes) and the
    refreshes that change something; how many refreshes change nothing; milestones named."""

    rows: list[TrackerRow]
    refs: list[str]
    rags: list[TrackerRag]
    refreshes: list[Refresh]
    unchanged: int = 0
    named: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True, kw_only=True)
class Updated:
    """An action a refresh changes, as its summary names it."""

    ref: str
    fields: list[str]
    notes: int


def late_warnings(
    batch: Batch, milestones: Mapping[str, Link], dates: Mapping[int, dt.date]
) -> list[str]:
    """New and refreshed actions left due after their milestone, in row order."""
    found: list[tuple[int, str]] = []
    for row, ref in zip(batch.rows, batch.refs, strict=True):
        stone = milestones.get(folded(row.milestone or ""))
        if stone is not None and late_for_milestone(row.status, row.due, dates.get(stone.id)):
            found.append((row.row, late_warning(ref, row.due, stone.name, dates[stone.id])))
    for refresh in batch.refreshes:
        stone, due = refresh.final("milestone"), refresh.final("due")
        day = dates.get(stone.id) if stone is not None else None
        if (
            stone is not None
            and day is not None
            and late_for_milestone(refresh.final("status"), due, day)
        ):
            found.append((refresh.row.row, late_warning(refresh.action.ref, due, stone.name, day)))
    return [text for _, text in sorted(found, key=lambda f: f[0])]
