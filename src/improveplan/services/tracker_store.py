"""Where a tracker import stands in the database, and how it writes its rows.

Split from `services/tracker_import.py`, which owns the transaction and the checks:
`Known` is what the plan already holds, prefetched once (no query per row); `write` puts
in every new person, theme, recommendation, action and note in bulk (executemany, ids by
RETURNING or through the (plan, ref) index), with the audit trail of each, and hands the
refreshes of `--update` to `services/tracker_writes.py`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session, col

from improveplan.domain.inputs import folded
from improveplan.io.tracker import TrackerRow
from improveplan.services import audit, new_actions, tracker_writes
from improveplan.services.audit import FieldValues
from improveplan.services.context import App
from improveplan.services.export import table
from improveplan.services.new_actions import Link, NewAction
from improveplan.services.recommendations import SEQ_MAX
from improveplan.services.tracker_refresh import Batch, Refresh
from improveplan.services.tracker_rows import TrackerRag
from improveplan.store.models import (
    Milestone,
    Person,
    ProgressNote,
    Recommendation,
    Theme,
)

Progress = Callable[[str, int, int], None]
REC_TEXT = "(text not yet recorded — imported from a tracker)"


@dataclass
class Known:
    """What the database already holds, prefetched once (folded name → row), and the
    names the import will create (folded → as first written)."""

    people: dict[str, Link]
    themes: dict[str, Link]
    recs: dict[str, Link]
    rec_seq: dict[str, int]
    milestones: dict[str, Link]
    milestone_dates: dict[int, dt.date]
    refs: list[str]
    seq: int
    new_people: dict[str, str] = field(default_factory=dict)
    new_themes: dict[str, str] = field(default_factory=dict)
    new_recs: dict[str, str] = field(default_factory=dict)


def known_rows(session: Session, pid: int) -> Known:
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
        milestone_dates={
            int(i): d
            for i, d in session.execute(
                select(col(Milestone.id), col(Milestone.date)).where(col(Milestone.plan_id) == pid)
            )
        },
        refs=new_actions.plan_refs(session, pid),
        seq=new_actions.last_seq(session, pid),
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


def write(
    session: Session,
    app: App,
    pid: int,
    batch: Batch,
    known: Known,
    file: str,
    progress: Progress | None,
) -> None:
    """Insert everything through the one write path; refresh what the rows change."""
    now = app.now()
    _write_names(session, app, pid, known, now)
    rows = batch.rows
    new = [
        _new_action(row, rag, ref, known.seq + n, known, now)
        for n, (row, rag, ref) in enumerate(zip(rows, batch.rags, batch.refs, strict=True), 1)
    ]
    tick = (lambda done, total: progress("writing", done, total)) if progress else None
    ids = new_actions.insert_actions(session, pid, new, tick)
    noted = [
        (i, text)
        for i, row, rag in zip(ids, rows, batch.rags, strict=True)
        for text in (row.note, rag.note)
        if text
    ]
    new_actions.record_created(
        session,
        actor=app.user,
        plan_id=pid,
        created=zip(ids, new, strict=True),
        at=now,
        extra=lambda n: _imported(file, rows[n], new[n]),
    )
    noted += _refresh(session, app, pid, batch.refreshes, known, file, now)
    note_ids = _insert_notes(session, app, noted, now)
    audit.record_creations(
        session, actor=app.user, plan_id=pid, entity="progress_note", at=now,
        created=[(n, {"text": text}) for n, text in note_ids],
    )  # fmt: skip
    done = {"import": f"{len(rows)} actions from {file}"}
    if batch.refreshes:
        done["refresh"] = f"{len(batch.refreshes)} actions updated from {file}"
    audit.record_creations(
        session, actor=app.user, plan_id=pid, entity="plan", at=now, created=[(pid, done)]
    )


def _refresh(
    session: Session,
    app: App,
    pid: int,
    refreshes: list[Refresh],
    known: Known,
    file: str,
    now: dt.datetime,
) -> list[tuple[int, str]]:
    """Write the refreshes (names resolved now that new ones exist); their notes to add."""
    recs = {k: (known.rec_seq[k], link) for k, link in known.recs.items()}
    planned = [
        (r, *tracker_writes.columns_and_trail(r, known.people, known.themes, recs, file))
        for r in refreshes
    ]
    tracker_writes.write_refreshes(
        session, actor=app.user, plan_id=pid, planned=planned, recs=recs, now=now
    )
    return [
        (r.action.id, text) for r in refreshes for text in (r.note, r.rag_note) if text is not None
    ]


def _imported(file: str, row: TrackerRow, new: NewAction) -> FieldValues:
    """Where an action came from, and the override the tracker's RAG became."""
    extra: FieldValues = {"import": f"{file} row {row.row}"}
    if new.rag_override is not None:
        extra.update(rag_override=new.rag_override, reason=new.rag_override_reason)
    return extra


def _insert_notes(
    session: Session, app: App, noted: list[tuple[int, str]], now: dt.datetime
) -> list[tuple[int, str]]:
    """The notes (action id, text), in row order: the progress updates, then what a better
    tracker RAG said; (note id, text) each. An action may get two, so ids come back from
    RETURNING, in order."""
    params = [
        {"action_id": i, "author": app.user, "created_at": now, "text": text} for i, text in noted
    ]
    note_ids = _insert_returning(session, ProgressNote, params)
    return [(n, text) for n, (_, text) in zip(note_ids, noted, strict=True)]
