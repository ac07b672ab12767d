"""`import tracker.xlsx|csv`: a council's action tracker into the current plan, all or nothing.

Decisions (README "Bringing in your Excel tracker"):
- every row is checked first (io/tracker.py reads the cells; the rules every new action
  meets, refs and dates, come from domain/workflow.py as for `action add`); any bad row
  → every problem listed by spreadsheet row number, nothing written;
- owners and themes not yet known are created; recommendations referenced but missing
  are created with their ref only (text to be filled in), and listed;
- a blank ref gets the next integer; a RAG that differs from the computed one becomes an
  override with reason "imported from tracker" (or the file's rag_override_reason);
- "Progress update" becomes a progress note by the importing user;
- a milestone column links to an existing milestone; unknown names are left unlinked;
- the audit trail records each action's creation field by field, as `action add` does,
  plus an "import" event naming the file and row, its override and note, and the
  creation of people, themes and recommendations; all through bulk executemany inserts
  (services/new_actions.py), so 10k rows still import in seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session, col

from improveplan.domain.inputs import Refused, clean_key, clean_name, clean_ref, clean_text
from improveplan.domain.rag import RagThresholds, compute_rag
from improveplan.domain.workflow import next_refs
from improveplan.errors import ImproveplanError
from improveplan.io.tracker import (
    RowError,
    Tracker,
    TrackerError,
    TrackerRow,
    check,
    read_tracker,
)
from improveplan.services import audit, new_actions
from improveplan.services.audit import FieldValues
from improveplan.services.context import App
from improveplan.services.export import table
from improveplan.services.new_actions import Link, NewAction
from improveplan.store.models import (
    Action,
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
    overrides: int | None = None  # RAG overrides kept; None on a dry run


@dataclass
class Known:
    """What the database already holds, prefetched once (lower-case name → row), and
    the names the import will create (lower case → as first written)."""

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
        return {str(n).lower(): Link(int(i), str(n)) for n, i in session.execute(stmt)}

    in_plan = col(Recommendation.plan_id) == pid
    seqs = select(col(Recommendation.ref), col(Recommendation.seq)).where(in_plan)
    return Known(
        people=links(Person, col(Person.name)),
        themes=links(Theme, col(Theme.name), col(Theme.plan_id) == pid),
        recs=links(Recommendation, col(Recommendation.ref), in_plan),
        rec_seq={str(r).lower(): int(s) for r, s in session.execute(seqs)},
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
        rows, unstorable = _cleaned(tracker)
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
        summary = _summary(tracker, known, plan.name, path.name, dry_run)
        if dry_run:
            return summary
        overrides = _write(session, app, plan.id, tracker.rows, known, path.name, progress)
        return replace(summary, overrides=overrides)


# How a row's values are stored (domain/inputs.py), in the order of the tracker's fields,
# and how an error names each: names folded and bounded, free text without control
# characters, refs and milestone names (looked up, never written) on one line.
_STORED = (
    ("ref", "the ref", "ref"),
    ("title", "title", "text"),
    ("owner", "the owner", "name"),
    ("recommendations", "the recommendation", "refs"),
    ("theme", "the theme", "name"),
    ("note", "progress update", "text"),
    ("success_measure", "success measure", "text"),
    ("evidence", "evidence", "text"),
    ("milestone", "the milestone", "key"),
    ("rag_override_reason", "RAG override reason", "text"),
)
_CLEAN: dict[str, Callable[[Any, str], Any]] = {
    "name": lambda value, what: clean_name(value, what=what),
    "text": lambda value, what: clean_text(value, what=what),
    "ref": lambda value, what: clean_ref(value, what=what),
    "key": lambda value, what: clean_key(value, what=what),
    "refs": lambda refs, what: tuple(clean_ref(ref, what=what) for ref in refs),
}


def _cleaned(tracker: Tracker) -> tuple[list[TrackerRow], list[RowError]]:
    """The good rows with their values as they will be stored, and a row error for each
    value that cannot be stored, naming its column."""
    header = {name: shown for shown, name in tracker.columns.items()}
    rows: list[TrackerRow] = []
    errors: list[RowError] = []
    for row in tracker.rows:
        values: dict[str, Any] = {}
        for name, label, kind in _STORED:
            value = getattr(row, name)
            if value is None or value == ():
                continue
            try:
                values[name] = _CLEAN[kind](value, f"{label} ({header.get(name, name)})")
            except Refused as exc:
                errors.append(RowError(row.row, str(exc)))
        rows.append(replace(row, **values))
    return rows, errors


def _plan_new(rows: list[TrackerRow], known: Known) -> None:
    for row in rows:
        if row.owner.lower() not in known.people:
            known.new_people.setdefault(row.owner.lower(), row.owner)
        if row.theme and row.theme.lower() not in known.themes:
            known.new_themes.setdefault(row.theme.lower(), row.theme)
        for ref in row.recommendations:
            if ref.lower() not in known.recs:
                known.new_recs.setdefault(ref.lower(), ref)


def _summary(tracker: Tracker, known: Known, plan: str, file: str, dry_run: bool) -> TrackerImport:
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
        unlinked_milestones=sorted(m for m in named if m.lower() not in known.milestones),
        ignored_columns=tracker.ignored,
        columns=tracker.columns,
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
    known.people.update({n.lower(): Link(i, n) for n, i in zip(people, ids, strict=True)})
    themes = list(known.new_themes.values())
    params = [{"plan_id": pid, "name": n} for n in themes]
    ids = _create(session, app, Theme, pid, params, ("name",), now)
    known.themes.update({n.lower(): Link(i, n) for n, i in zip(themes, ids, strict=True)})
    top = max(known.rec_seq.values(), default=0)
    recs = list(known.new_recs.values())
    params = [
        {"plan_id": pid, "ref": r, "text": REC_TEXT, "seq": top + n, "priority_action": False}
        for n, r in enumerate(recs, 1)
    ]
    ids = _create(session, app, Recommendation, pid, params, ("ref", "text"), now)
    for n, (ref, i) in enumerate(zip(recs, ids, strict=True), 1):
        known.recs[ref.lower()] = Link(i, ref)
        known.rec_seq[ref.lower()] = top + n


def _new_action(
    app: App, row: TrackerRow, ref: str, seq: int, known: Known, now: dt.datetime
) -> NewAction:
    """The row as a new action; a RAG that differs from the computed one (as of today) is
    kept as an override."""
    original_due = row.original_due or row.due
    computed = compute_rag(
        status=row.status,
        due=row.due,
        original_due=original_due,
        as_of=app.today,
        thresholds=RagThresholds(app.settings.amber_days),
    )
    kept = row.rag if row.rag and computed is not None and computed != row.rag else None
    recs = sorted((known.rec_seq[r.lower()], known.recs[r.lower()]) for r in row.recommendations)
    return NewAction(
        ref=ref,
        seq=seq,
        title=row.title,
        owner=known.people[row.owner.lower()],
        due=row.due,
        original_due=original_due,
        status=row.status,
        start=row.start,
        success_measure=row.success_measure,
        evidence=row.evidence,
        theme=known.themes[row.theme.lower()] if row.theme else None,
        milestone=known.milestones.get((row.milestone or "").lower()),
        recommendations=tuple(link for _, link in recs),
        rag_override=kept,
        rag_override_reason=(row.rag_override_reason or REASON) if kept else None,
        created_at=now,
    )


def _write(
    session: Session,
    app: App,
    pid: int,
    rows: list[TrackerRow],
    known: Known,
    file: str,
    progress: Progress | None,
) -> int:
    """Insert everything through the one write path; returns the RAG overrides kept."""
    now = utcnow()
    _write_names(session, app, pid, known, now)
    refs = next_refs([row.ref for row in rows], known.refs)
    new = [
        _new_action(app, row, ref, known.seq + n, known, now)
        for n, (row, ref) in enumerate(zip(rows, refs, strict=True), 1)
    ]
    tick = (lambda done, total: progress("writing", done, total)) if progress else None
    ids = new_actions.insert_actions(session, pid, new, tick)
    note_ids = _insert_notes(session, app, pid, ids, rows, now)
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
    return sum(1 for a in new if a.rag_override is not None)


def _imported(file: str, row: TrackerRow, new: NewAction) -> FieldValues:
    """Where an action came from, and the override the tracker's RAG became."""
    extra: FieldValues = {"import": f"{file} row {row.row}"}
    if new.rag_override is not None:
        extra.update(rag_override=new.rag_override, reason=new.rag_override_reason)
    return extra


def _insert_notes(
    session: Session, app: App, pid: int, ids: list[int], rows: list[TrackerRow], now: dt.datetime
) -> list[tuple[int, str]]:
    """Plain executemany (fast on both databases); (note id, text) in row order."""
    noted = [(i, row.note) for i, row in zip(ids, rows, strict=True) if row.note]
    if not noted:
        return []
    params = [
        {"action_id": i, "author": app.user, "created_at": now, "text": text} for i, text in noted
    ]
    session.connection().execute(insert(table(ProgressNote)), params)
    found = session.execute(
        select(col(ProgressNote.action_id), col(ProgressNote.id))
        .join(Action, col(Action.id) == col(ProgressNote.action_id))
        .where(col(Action.plan_id) == pid, col(ProgressNote.created_at) == now)
    )
    by_action = dict(found.all())
    return [(by_action[i], text) for i, text in noted]
