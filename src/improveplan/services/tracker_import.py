"""`import tracker.xlsx|csv`: a council's action tracker into the current plan, all or nothing.

Decisions (README "Bringing in your Excel tracker"):
- every row is validated first (io/tracker.py, then refs against the plan); any bad row
  → every problem listed by spreadsheet row number, nothing written;
- owners and themes not yet known are created; recommendations referenced but missing
  are created with their ref only (text to be filled in), and listed;
- a blank ref gets the next integer; a RAG that differs from the computed one becomes an
  override with reason "imported from tracker" (or the file's rag_override_reason);
- "Progress update" becomes a progress note by the importing user;
- a milestone column links to an existing milestone; unknown names are left unlinked;
- the audit trail gets one "import" event per action (file and row), one per override and
  note, and the usual creation events for people, themes and recommendations — enough to
  trace every row, while 10k rows still import in seconds (bulk executemany inserts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlmodel import Session, col

from improveplan.errors import ImproveplanError
from improveplan.io.tracker import RowError, Tracker, TrackerError, TrackerRow, read_tracker
from improveplan.services.context import App
from improveplan.services.export import table
from improveplan.store import queries
from improveplan.store.models import (
    Action,
    ActionRecommendation,
    AuditEvent,
    Milestone,
    Person,
    Plan,
    ProgressNote,
    Recommendation,
    Theme,
    utcnow,
)

Progress = Callable[[str, int, int], None]
REASON = "imported from tracker"
REC_TEXT = "(text not yet recorded — imported from a tracker)"
CHUNK = 2000


class RowsRejected(ImproveplanError):
    """Bad rows: `lines` holds one `row N: reason` per problem."""

    def __init__(self, lines: list[str], file: str) -> None:
        count = len({line.split(":", 1)[0] for line in lines})
        super().__init__(
            f"{count} bad row{'s' if count != 1 else ''} in {file}; nothing was imported",
            "fix them (or use --map) and run the import again",
        )
        self.lines = lines


@dataclass
class Known:
    """What the database already holds, prefetched once: lower-case name → id."""

    people: dict[str, int]
    themes: dict[str, int]
    recs: dict[str, int]
    milestones: dict[str, int]
    refs: set[str]
    top_ref: int
    seq: int
    new_people: dict[str, str] = field(default_factory=dict)
    new_themes: dict[str, str] = field(default_factory=dict)
    new_recs: dict[str, str] = field(default_factory=dict)


def _known(session: Session, pid: int) -> Known:
    def names(model: Any, column: Any, *where: Any) -> dict[str, int]:
        stmt = select(column, col(model.id)).where(*where)
        return {str(n).lower(): int(i) for n, i in session.execute(stmt)}

    refs = list(
        session.execute(select(col(Action.ref)).where(col(Action.plan_id) == pid)).scalars()
    )
    seq = session.execute(select(func.max(col(Action.seq))).where(col(Action.plan_id) == pid))
    return Known(
        people=names(Person, col(Person.name)),
        themes=names(Theme, col(Theme.name), col(Theme.plan_id) == pid),
        recs=names(Recommendation, col(Recommendation.ref), col(Recommendation.plan_id) == pid),
        milestones=names(Milestone, col(Milestone.name), col(Milestone.plan_id) == pid),
        refs={r.lower() for r in refs},
        top_ref=max((int(r) for r in refs if r.isdigit()), default=0),
        seq=seq.scalar() or 0,
    )


def read(path: Path, fmt: str, mapping: Mapping[str, str], progress: Progress | None) -> Tracker:
    tick = (lambda done, total: progress("checking rows", done, total)) if progress else None
    try:
        return read_tracker(path, fmt=fmt, mapping=mapping, progress=tick)
    except TrackerError as exc:
        raise ImproveplanError(str(exc), "save it as .xlsx or UTF-8 .csv and try again") from exc


def import_tracker(
    app: App,
    *,
    path: Path,
    fmt: str,
    mapping: Mapping[str, str],
    dry_run: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Validate every row, then write them all in one transaction (or none)."""
    tracker = read(path, fmt, mapping, progress)
    with app.read() if dry_run else app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        if not dry_run:  # serialise with other writers of this plan (PostgreSQL)
            session.execute(select(col(Plan.id)).where(col(Plan.id) == plan.id).with_for_update())
        known = _known(session, plan.id)
        errors = tracker.errors + [
            RowError(r.row, f'action {r.ref} already exists in plan "{plan.name}"')
            for r in tracker.rows
            if r.ref and r.ref.lower() in known.refs
        ]
        if errors:
            ordered = sorted(errors, key=lambda e: e.row)
            raise RowsRejected([str(e) for e in ordered], path.name)
        if not tracker.rows:
            raise ImproveplanError(
                f"{path.name} has no action rows below its header", "check the file and sheet"
            )
        refs = _assign_refs(tracker.rows, known)
        _plan_new(tracker.rows, known)
        summary = _summary(tracker, known, plan.name, path.name, dry_run)
        if not dry_run:
            ids = _write(session, app, plan.id, tracker.rows, refs, known, path.name, progress)
            overrides = _overrides(session, app, plan.id, tracker.rows, ids)
            summary["overrides"] = overrides
            summary["lines"].insert(1, f"RAG overrides kept from the tracker: {overrides}.")
        return summary


def _assign_refs(rows: list[TrackerRow], known: Known) -> list[str]:
    """The file's refs, and the next integers (after the plan's and the file's) for blanks."""
    top = max([known.top_ref, *(int(r.ref) for r in rows if r.ref and r.ref.isdigit())])
    refs = []
    for row in rows:
        if row.ref:
            refs.append(row.ref)
        else:
            top += 1
            refs.append(str(top))
    return refs


def _plan_new(rows: list[TrackerRow], known: Known) -> None:
    for row in rows:
        if row.owner.lower() not in known.people:
            known.new_people.setdefault(row.owner.lower(), row.owner)
        if row.theme and row.theme.lower() not in known.themes:
            known.new_themes.setdefault(row.theme.lower(), row.theme)
        for ref in row.recommendations:
            if ref.lower() not in known.recs:
                known.new_recs.setdefault(ref.lower(), ref)


def _summary(tracker: Tracker, known: Known, plan: str, file: str, dry_run: bool) -> dict[str, Any]:
    unlinked = sorted(
        {r.milestone for r in tracker.rows if r.milestone}
        - {m for m in (r.milestone for r in tracker.rows) if m and m.lower() in known.milestones}
    )
    verb = "Would import" if dry_run else "Imported"
    add = "Would add" if dry_run else "Added"
    notes = sum(1 for r in tracker.rows if r.note)
    lines = [f'{verb} {len(tracker.rows)} actions into plan "{plan}" from {file}.']
    lines.append(f"Progress notes: {notes}.")
    for label, names in (
        ("people", known.new_people.values()),
        ("themes", known.new_themes.values()),
        ("recommendations (ref only — add their text)", known.new_recs.values()),
    ):
        if names:
            lines.append(f"{add} {label}: {_listed(list(names))}")
    if unlinked:
        lines.append("No such milestone, left unlinked: " + ", ".join(unlinked))
    if tracker.ignored:
        lines.append("Ignored columns: " + ", ".join(tracker.ignored))
    return {
        "plan": plan,
        "file": file,
        "dry_run": dry_run,
        "actions": len(tracker.rows),
        "notes": notes,
        "people_created": list(known.new_people.values()),
        "themes_created": list(known.new_themes.values()),
        "recommendations_created": list(known.new_recs.values()),
        "unlinked_milestones": unlinked,
        "ignored_columns": tracker.ignored,
        "columns": tracker.columns,
        "lines": lines,
    }


def _listed(names: list[str], most: int = 20) -> str:
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(names[:most]) + more


def _event(
    pid: int | None,
    actor: str,
    at: dt.datetime,
    entity: str,
    entity_id: int,
    name: str,
    new: str | None,
) -> dict[str, Any]:
    return {
        "plan_id": pid,
        "actor": actor,
        "at": at,
        "entity": entity,
        "entity_id": entity_id,
        "field": name,
        "old_value": None,
        "new_value": new,
    }


def _insert_returning(session: Session, model: Any, params: list[dict[str, Any]]) -> list[int]:
    """executemany INSERT ... RETURNING id, ids in the order of `params`."""
    if not params:
        return []
    t = table(model)
    stmt = insert(t).returning(t.c.id, sort_by_parameter_order=True)
    return [int(i) for i in session.connection().execute(stmt, params).scalars()]


def _write_names(
    session: Session, app: App, pid: int, known: Known, now: dt.datetime
) -> list[dict[str, Any]]:
    """Create the new people, themes and recommendations; their creation events."""
    events = []
    people = list(known.new_people.values())
    for name, i in zip(
        people, _insert_returning(session, Person, [{"name": n} for n in people]), strict=True
    ):
        known.people[name.lower()] = i
        events.append(_event(None, app.user, now, "person", i, "name", name))
    themes = list(known.new_themes.values())
    ids = _insert_returning(session, Theme, [{"plan_id": pid, "name": n} for n in themes])
    for name, i in zip(themes, ids, strict=True):
        known.themes[name.lower()] = i
        events.append(_event(pid, app.user, now, "theme", i, "name", name))
    seq = (
        session.execute(
            select(func.max(col(Recommendation.seq))).where(col(Recommendation.plan_id) == pid)
        ).scalar()
        or 0
    )
    recs = list(known.new_recs.values())
    ids = _insert_returning(
        session,
        Recommendation,
        [
            {"plan_id": pid, "ref": r, "text": REC_TEXT, "seq": seq + n, "priority_action": False}
            for n, r in enumerate(recs, 1)
        ],
    )
    for ref, i in zip(recs, ids, strict=True):
        known.recs[ref.lower()] = i
        events += [
            _event(pid, app.user, now, "recommendation", i, "ref", ref),
            _event(pid, app.user, now, "recommendation", i, "text", REC_TEXT),
        ]
    return events


def _action_params(
    pid: int, row: TrackerRow, ref: str, seq: int, known: Known, now: dt.datetime
) -> dict[str, Any]:
    return {
        "plan_id": pid,
        "ref": ref,
        "seq": seq,
        "title": row.title,
        "owner_id": known.people[row.owner.lower()],
        "theme_id": known.themes[row.theme.lower()] if row.theme else None,
        "milestone_id": known.milestones.get((row.milestone or "").lower()),
        "start": row.start,
        "due": row.due,
        "original_due": row.original_due or row.due,
        "status": row.status,
        "rag_override": None,
        "rag_override_reason": None,
        "status_reason": None,
        "success_measure": row.success_measure,
        "evidence": row.evidence,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def _write(
    session: Session,
    app: App,
    pid: int,
    rows: list[TrackerRow],
    refs: list[str],
    known: Known,
    file: str,
    progress: Progress | None,
) -> list[int]:
    """Insert everything in chunks of executemany; returns the new action ids in row order."""
    now = utcnow()
    events = _write_names(session, app, pid, known, now)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        params = [
            _action_params(pid, row, refs[start + n], known.seq + start + n + 1, known, now)
            for n, row in enumerate(chunk)
        ]
        session.connection().execute(insert(table(Action)), params)
        if progress:
            progress("writing", start + len(chunk), len(rows))
    by_ref = dict(
        session.execute(
            select(col(Action.ref), col(Action.id)).where(col(Action.plan_id) == pid)
        ).all()
    )
    ids = [by_ref[ref] for ref in refs]
    links = [
        {"action_id": i, "recommendation_id": known.recs[ref.lower()]}
        for i, row in zip(ids, rows, strict=True)
        for ref in row.recommendations
    ]
    if links:
        session.connection().execute(insert(table(ActionRecommendation)), links)
    noted = [(i, row) for i, row in zip(ids, rows, strict=True) if row.note]
    note_ids = _insert_notes(session, app, pid, noted, now)
    events += [
        _event(pid, app.user, now, "action", i, "import", f"{file} row {row.row}")
        for i, row in zip(ids, rows, strict=True)
    ]
    events += [
        _event(pid, app.user, now, "progress_note", n, "text", row.note)
        for n, (_, row) in zip(note_ids, noted, strict=True)
    ]
    events.append(
        _event(pid, app.user, now, "plan", pid, "import", f"{len(rows)} actions from {file}")
    )
    session.connection().execute(insert(table(AuditEvent)), events)
    return ids


def _insert_notes(
    session: Session, app: App, pid: int, noted: list[tuple[int, TrackerRow]], now: dt.datetime
) -> list[int]:
    """Plain executemany (fast on both databases), then the new ids in the order given."""
    params = [
        {"action_id": i, "author": app.user, "created_at": now, "text": row.note}
        for i, row in noted
    ]
    if not params:
        return []
    session.connection().execute(insert(table(ProgressNote)), params)
    wanted = {i for i, _ in noted}
    found = session.execute(
        select(col(ProgressNote.action_id), col(ProgressNote.id))
        .join(Action, col(Action.id) == col(ProgressNote.action_id))
        .where(col(Action.plan_id) == pid, col(ProgressNote.created_at) == now)
    )
    by_action = {a: n for a, n in found if a in wanted}
    return [by_action[i] for i, _ in noted]


def _overrides(session: Session, app: App, pid: int, rows: list[TrackerRow], ids: list[int]) -> int:
    """Keep the tracker's RAG where it differs from the computed one (as of today)."""
    wanted = {i: row for i, row in zip(ids, rows, strict=True) if row.rag}
    if not wanted:
        return 0
    computed = queries.rag_computed(app.today, app.settings.amber_days)
    stmt = select(col(Action.id), computed).where(col(Action.plan_id) == pid)
    changes = [
        {"b_id": i, "b_rag": wanted[i].rag, "b_reason": wanted[i].rag_override_reason or REASON}
        for i, rag in session.execute(stmt)
        if i in wanted and rag is not None and rag != wanted[i].rag
    ]
    if not changes:
        return 0
    t = table(Action)
    session.connection().execute(
        update(t)
        .where(t.c.id == bindparam("b_id"))
        .values(rag_override=bindparam("b_rag"), rag_override_reason=bindparam("b_reason")),
        changes,
    )
    now = utcnow()
    events = [
        _event(pid, app.user, now, "action", c["b_id"], "rag_override", c["b_rag"]) for c in changes
    ]
    events += [
        _event(pid, app.user, now, "action", c["b_id"], "reason", c["b_reason"]) for c in changes
    ]
    session.connection().execute(insert(table(AuditEvent)), events)
    return len(changes)
