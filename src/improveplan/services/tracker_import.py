"""`import tracker.xlsx|csv`: a council's action tracker into the current plan, all or nothing.

Decisions (README "Bringing in your Excel tracker"):
- every row is checked first (io/tracker.py reads the cells; the rules every new action
  meets, refs and dates, come from domain/workflow.py as for `action add`); any bad row
  → every problem listed by spreadsheet row number, nothing written;
- owners and themes not yet known are created; recommendations referenced but missing
  are created with their ref only (text to be filled in), and listed;
- owners, themes and milestones are matched as `lookups` matches what people type: case
  and runs of whitespace ignored (`domain.inputs.folded`), so "Priya  Natarajan" is the
  existing Priya Natarajan;
- a blank ref gets the next integer; a RAG worse than the computed one becomes an
  override with reason "imported from tracker" (or the file's rag_override_reason); a
  better one (a stale Green on an overdue action) becomes a progress note saying what the
  tracker showed, so the action still turns red (`services/tracker_rows.py`);
- "Progress update" becomes a progress note by the importing user;
- a milestone column links to an existing milestone; unknown names are left unlinked;
- the audit trail records each action's creation field by field, as `action add` does,
  plus an "import" event naming the file and row, its override and note, and the
  creation of people, themes and recommendations; all through bulk executemany inserts
  (services/new_actions.py), so 10k rows still import in seconds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session, col

from improveplan.domain.inputs import folded
from improveplan.domain.workflow import next_refs
from improveplan.errors import ImproveplanError
from improveplan.io.tracker import Tracker, TrackerError, TrackerRow, check, read_tracker
from improveplan.services import audit, new_actions
from improveplan.services.audit import FieldValues
from improveplan.services.context import App
from improveplan.services.export import table
from improveplan.services.new_actions import Link, NewAction
from improveplan.services.recommendations import SEQ_MAX
from improveplan.services.tracker_rows import TrackerRag, cleaned, tracker_rag
from improveplan.store.models import (
    Milestone,
    Person,
    Plan,
    ProgressNote,
    Recommendation,
    Theme,
    utcnow,
)

Progress = Callable[[str, int, int], None]
REC_TEXT = "(text not yet recorded — imported from a tracker)"


class RowsRejected(ImproveplanError):
    """Bad rows: `lines` holds one `row N: reason` per problem."""

    def __init__(self, lines: list[str], file: str) -> None:
        count = len({line.split(":", 1)[0] for line in lines})
        super().__init__(
            f"{count} bad row{'s' if count != 1 else ''} in {file}; nothing was imported",
            "fix them (or use --map) and run the import again",
        )
        self.lines = lines


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackerImport:
    """What an import wrote (or, on a dry run, would write)."""

    plan: str
    file: str
    dry_run: bool
    actions: int
    notes: int
    people_created: list[str]
    themes_created: list[str]
    recommendations_created: list[str]
    unlinked_milestones: list[str]
    ignored_columns: list[str]
    columns: dict[str, str]  # header → field
    overrides: int = 0  # RAG overrides kept (or, on a dry run, that would be)
    rag_notes: int = 0  # better RAGs kept as progress notes instead
    warnings: list[str] = field(default_factory=list)  # columns that look like a field


@dataclass
class Known:
    """What the database already holds, prefetched once (folded name → row), and the
    names the import will create (folded → as first written)."""

    people: dict[str, Link]
    themes: dict[str, Link]
    recs: dict[str, Link]
    rec_seq: dict[str, int]
    milestones: dict[str, Link]
    refs: list[str]
    seq: int
    new_people: dict[str, str] = field(default_factory=dict)
    new_themes: dict[str, str] = field(default_factory=dict)
    new_recs: dict[str, str] = field(default_factory=dict)


def _known(session: Session, pid: int) -> Known:
    def links(model: Any, column: Any, *where: Any) -> dict[str, Link]:
        stmt = select(column, col(model.id)).where(*where)
        return {folded(str(n)): Link(int(i), str(n)) for n, i in session.execute(stmt)}

    in_plan = col(Recommendation.plan_id) == pid
    seqs = select(col(Recommendation.ref), col(Recommendation.seq)).where(in_plan)
    return Known(
        people=links(Person, col(Person.name)),
        themes=links(Theme, col(Theme.name), col(Theme.plan_id) == pid),
        recs=links(Recommendation, col(Recommendation.ref), in_plan),
        rec_seq={folded(str(r)): int(s) for r, s in session.execute(seqs)},
        milestones=links(Milestone, col(Milestone.name), col(Milestone.plan_id) == pid),
        refs=new_actions.plan_refs(session, pid),
        seq=new_actions.last_seq(session, pid),
    )


def read(
    path: Path,
    fmt: str,
    mapping: Mapping[str, str],
    progress: Progress | None,
    encoding: str | None = None,
) -> Tracker:
    """The file's rows, checked; a file that cannot be read faithfully is one error line."""
    tick = (lambda done, total: progress("checking rows", done, total)) if progress else None
    try:
        return read_tracker(path, fmt=fmt, mapping=mapping, progress=tick, encoding=encoding)
    except TrackerError as exc:
        todo = exc.todo or "save it as .xlsx or UTF-8 .csv and try again"
        raise ImproveplanError(exc.what, todo) from exc


def import_tracker(
    app: App,
    *,
    path: Path,
    fmt: str,
    mapping: Mapping[str, str],
    dry_run: bool = False,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> TrackerImport:
    """Check every row, then write them all in one transaction (or none)."""
    tracker = read(path, fmt, mapping, progress, encoding)
    with app.read() if dry_run else app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        if not dry_run:  # serialise with other writers of this plan (PostgreSQL)
            session.execute(select(col(Plan.id)).where(col(Plan.id) == plan.id).with_for_update())
        known = _known(session, plan.id)
        rows, unstorable = cleaned(tracker)
        errors = sorted([*check(tracker, taken=known.refs, plan=plan.name), *unstorable],
                        key=lambda e: e.row)  # fmt: skip
        if errors:
            raise RowsRejected([str(e) for e in errors], path.name)
        if not tracker.rows:
            raise ImproveplanError(
                f"{path.name} has no action rows below its header", "check the file and sheet"
            )
        tracker = replace(tracker, rows=rows)
        _plan_new(tracker.rows, known)
        rags = [tracker_rag(r, as_of=app.today, amber_days=app.settings.amber_days) for r in rows]
        summary = _summary(tracker, known, rags, plan.name, path.name, dry_run)
        if not dry_run:
            _write(session, app, plan.id, tracker.rows, rags, known, path.name, progress)
        return summary


def _plan_new(rows: list[TrackerRow], known: Known) -> None:
    for row in rows:
        if folded(row.owner) not in known.people:
            known.new_people.setdefault(folded(row.owner), row.owner)
        if row.theme and folded(row.theme) not in known.themes:
            known.new_themes.setdefault(folded(row.theme), row.theme)
        for ref in row.recommendations:
            if folded(ref) not in known.recs:
                known.new_recs.setdefault(folded(ref), ref)


def _summary(
    tracker: Tracker, known: Known, rags: list[TrackerRag], plan: str, file: str, dry_run: bool
) -> TrackerImport:
    named = {r.milestone for r in tracker.rows if r.milestone}
    return TrackerImport(
        plan=plan,
        file=file,
        dry_run=dry_run,
        actions=len(tracker.rows),
        notes=sum(1 for r in tracker.rows if r.note),
        people_created=list(known.new_people.values()),
        themes_created=list(known.new_themes.values()),
        recommendations_created=list(known.new_recs.values()),
        unlinked_milestones=sorted(m for m in named if folded(m) not in known.milestones),
        ignored_columns=tracker.ignored,
        columns=tracker.columns,
        overrides=sum(1 for r in rags if r.override is not None),
        rag_notes=sum(1 for r in rags if r.note is not None),
        warnings=tracker.warnings,
    )


def _insert_returning(session: Session, model: Any, params: list[dict[str, Any]]) -> list[int]:
    """executemany INSERT ... RETURNING id, ids in the order of `params` (a few rows)."""
    if not params:
        return []
    t = table(model)
    stmt = insert(t).returning(t.c.id, sort_by_parameter_order=True)
    return [int(i) for i in session.connection().execute(stmt, params).scalars()]


def _create(
    session: Session,
    app: App,
    model: Any,
    plan_id: int | None,
    params: list[dict[str, Any]],
    shown: tuple[str, ...],
    now: dt.datetime,
) -> list[int]:
    """Insert rows of `model` and record each creation (its `shown` fields); ids in order."""
    ids = _insert_returning(session, model, params)
    audit.record_creations(
        session,
        actor=app.user,
        plan_id=plan_id,
        entity=table(model).name,
        at=now,
        created=[(i, {k: p[k] for k in shown}) for p, i in zip(params, ids, strict=True)],
    )
    return ids


def _write_names(session: Session, app: App, pid: int, known: Known, now: dt.datetime) -> None:
    """Create the new people, themes and recommendations (people belong to no plan)."""
    people = list(known.new_people.values())
    ids = _create(session, app, Person, None, [{"name": n} for n in people], ("name",), now)
    known.people.update({folded(n): Link(i, n) for n, i in zip(people, ids, strict=True)})
    themes = list(known.new_themes.values())
    params = [{"plan_id": pid, "name": n} for n in themes]
    ids = _create(session, app, Theme, pid, params, ("name",), now)
    known.themes.update({folded(n): Link(i, n) for n, i in zip(themes, ids, strict=True)})
    top = max(known.rec_seq.values(), default=0)
    recs = list(known.new_recs.values())
    seqs = [_rec_seq(r, top + n) for n, r in enumerate(recs, 1)]
    params = [
        {"plan_id": pid, "ref": r, "text": REC_TEXT, "seq": seq, "priority_action": False}
        for r, seq in zip(recs, seqs, strict=True)
    ]
    ids = _create(session, app, Recommendation, pid, params, ("ref", "text"), now)
    for ref, i, seq in zip(recs, ids, seqs, strict=True):
        known.recs[folded(ref)] = Link(i, ref)
        known.rec_seq[folded(ref)] = seq


def _rec_seq(ref: str, otherwise: int) -> int:
    """R10 sorts as 10, as `rec add` sorts it, so R2 mentioned after R10 still comes first;
    a ref without a number after the others."""
    number = re.search(r"\d+", ref)
    return min(int(number[0]), SEQ_MAX) if number else otherwise


def _new_action(
    row: TrackerRow, rag: TrackerRag, ref: str, seq: int, known: Known, now: dt.datetime
) -> NewAction:
    """The row as a new action, with the override its RAG became (if any)."""
    recs = sorted((known.rec_seq[folded(r)], known.recs[folded(r)]) for r in row.recommendations)
    return NewAction(
        ref=ref,
        seq=seq,
        title=row.title,
        owner=known.people[folded(row.owner)],
        due=row.due,
        original_due=row.original_due or row.due,
        status=row.status,
        start=row.start,
        success_measure=row.success_measure,
        evidence=row.evidence,
        theme=known.themes[folded(row.theme)] if row.theme else None,
        milestone=known.milestones.get(folded(row.milestone or "")),
        recommendations=tuple(link for _, link in recs),
        rag_override=rag.override,
        rag_override_reason=rag.reason,
        created_at=now,
    )


def _write(
    session: Session,
    app: App,
    pid: int,
    rows: list[TrackerRow],
    rags: list[TrackerRag],
    known: Known,
    file: str,
    progress: Progress | None,
) -> None:
    """Insert everything through the one write path."""
    now = utcnow()
    _write_names(session, app, pid, known, now)
    refs = next_refs([row.ref for row in rows], known.refs)
    new = [
        _new_action(row, rag, ref, known.seq + n, known, now)
        for n, (row, rag, ref) in enumerate(zip(rows, rags, refs, strict=True), 1)
    ]
    tick = (lambda done, total: progress("writing", done, total)) if progress else None
    ids = new_actions.insert_actions(session, pid, new, tick)
    note_ids = _insert_notes(session, app, ids, rows, rags, now)
    new_actions.record_created(
        session,
        actor=app.user,
        plan_id=pid,
        created=zip(ids, new, strict=True),
        at=now,
        extra=lambda n: _imported(file, rows[n], new[n]),
    )
    audit.record_creations(
        session, actor=app.user, plan_id=pid, entity="progress_note", at=now,
        created=[(n, {"text": text}) for n, text in note_ids],
    )  # fmt: skip
    audit.record_creations(
        session, actor=app.user, plan_id=pid, entity="plan", at=now,
        created=[(pid, {"import": f"{len(rows)} actions from {file}"})],
    )  # fmt: skip


def _imported(file: str, row: TrackerRow, new: NewAction) -> FieldValues:
    """Where an action came from, and the override the tracker's RAG became."""
    extra: FieldValues = {"import": f"{file} row {row.row}"}
    if new.rag_override is not None:
        extra.update(rag_override=new.rag_override, reason=new.rag_override_reason)
    return extra


def _insert_notes(
    session: Session,
    app: App,
    ids: list[int],
    rows: list[TrackerRow],
    rags: list[TrackerRag],
    now: dt.datetime,
) -> list[tuple[int, str]]:
    """The progress updates, then what a better tracker RAG said, in row order; (note id,
    text) each. An action may get two, so ids come back from RETURNING, in order."""
    noted = [
        (i, text)
        for i, row, rag in zip(ids, rows, rags, strict=True)
        for text in (row.note, rag.note)
        if text
    ]
    params = [
        {"action_id": i, "author": app.user, "created_at": now, "text": text} for i, text in noted
    ]
    note_ids = _insert_returning(session, ProgressNote, params)
    return [(n, text) for n, (_, text) in zip(note_ids, noted, strict=True)]
