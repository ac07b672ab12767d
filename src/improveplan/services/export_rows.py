"""The export's actions (with their notes) and audit trail, as the cursor reads them.

The two large sections of the plan document: 100k actions, 150k notes and 500k audit
events at the benchmark's largest plan. Rows come as the driver's tuples
(store/export_reads.py) and stay tuples, in the columns of the document's records
(ACTION_SHAPE, AUDIT_SHAPE): the JSON writer writes each straight from its tuple
(io/json_rows.py), the workbook takes its Notes and Audit cells from them, and only the
ICS calendar, which wants records, builds them, each column converted as its type says.
The audit trail, read last, names a live action or note as the query finds it (its ref,
`ref#n`) and anything else by the small tables' keys (services/export.py `Keys`): no map
of every action's and note's id is held, so memory stays flat in the number of actions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import chain
from typing import Any

from sqlmodel import Session

from improveplan.domain.records import Shape
from improveplan.domain.vocab import Rag, Status
from improveplan.io.export_json import AuditEntry, ExportedAction, ExportedNote
from improveplan.io.json_rows import shape_of
from improveplan.store import export_reads
from improveplan.store.raw import day, utc_stamp

Keys = dict[tuple[str, int], str]  # (table, row id) → the name or ref the document uses
Names = dict[int, str]  # row id → name
Row = tuple[Any, ...]

ACTION_SHAPE: Shape = shape_of(ExportedAction)  # its notes: rows of ExportedNote's shape
AUDIT_SHAPE: Shape = shape_of(AuditEntry)

_STATUS: dict[str, Status] = {s.value: s for s in Status}
_RAG: dict[str | None, Rag | None] = {None: None, **{r.value: r for r in Rag}}


def action_rows(session: Session, pid: int, lookups: dict[str, Names]) -> Iterator[Row]:
    """The plan's actions by (seq, ref) in ACTION_SHAPE, each with its notes (oldest
    first) and its recommendations' refs (in recommendation order)."""
    return chain.from_iterable(_action_batches(session, pid, lookups))


def _action_batches(session: Session, pid: int, lookups: dict[str, Names]) -> Iterator[list[Row]]:
    """A batch of actions at a time, with one query for their notes and one for their
    recommendations."""
    owners, themes, milestones = lookups["owner"], lookups["theme"], lookups["milestone"]
    for batch in export_reads.action_batches(session, pid):
        ids = [row[15] for row in batch]
        notes = _notes(session, ids)
        links: dict[int, list[str]] = defaultdict(list)
        for action_id, ref in export_reads.links_of(session, pid, ids):
            links[action_id].append(ref)
        # The action's own columns (ref ... updated_at), then what it refers to.
        yield [
            (*row[:15], owners.get(row[16]), themes.get(row[17]), milestones.get(row[18]),
             links.get(row[15], []), notes.get(row[15], []))
            for row in batch
        ]  # fmt: skip


def note_lines(session: Session, pid: int) -> Iterator[Row]:
    """(action ref, author, at, text) of every note, in the order of `action_rows` (the
    workbook's Notes sheet), without reading the actions whole: their other columns and
    their recommendations were a fifth of the workbook's time."""
    for batch in export_reads.action_refs(session, pid):
        notes = _notes(session, [ident for ident, _ in batch])
        for ident, ref in batch:
            for author, at, text in notes.get(ident, ()):
                yield ref, author, at, text


def _notes(session: Session, ids: list[int]) -> dict[int, list[Row]]:
    """{action id: [(author, at, text)]} for these actions, each action's oldest first."""
    found: dict[int, list[Row]] = defaultdict(list)
    for action_id, _, author, at, text in export_reads.notes_of(session, ids):
        found[action_id].append((author, at, text))
    return found


def audit_rows(session: Session, pid: int, keys: Keys) -> Iterator[Row]:
    """The plan's audit trail in AUDIT_SHAPE, oldest first; an event whose subject no
    longer exists keeps its raw `entity_id`."""
    return chain.from_iterable(_audit_batches(session, pid, keys))


def _audit_batches(session: Session, pid: int, keys: Keys) -> Iterator[list[Row]]:
    """A live action or note is named by the query; the rest by `keys` (a removed
    action by its ref, people, themes and the plan's other small tables)."""
    get = keys.get
    for batch in export_reads.audit_batches(session, pid):
        yield [
            (at, actor, entity, (key := found if found is not None else get((entity, ident))),
             None if key is not None else ident, field, old, new)
            for at, actor, entity, ident, field, old, new, found in batch
        ]  # fmt: skip


def action_record(row: Row) -> ExportedAction:
    """An action row as its record, each column in its type."""
    (ref, seq, title, start, due, original_due, status, rag_override, reason, status_reason,
     success_measure, evidence, version, created_at, updated_at, owner, theme, milestone,
     recommendations, notes) = row  # fmt: skip
    return ExportedAction(
        ref=ref, seq=seq, title=title, start=day(start), due=day(due),
        original_due=day(original_due), status=_STATUS[status],
        rag_override=_RAG[rag_override], rag_override_reason=reason,
        status_reason=status_reason, success_measure=success_measure,
        evidence=evidence, version=version, created_at=utc_stamp(created_at),
        updated_at=utc_stamp(updated_at), owner=owner, theme=theme, milestone=milestone,
        recommendations=recommendations,
        notes=[ExportedNote(author=a, at=utc_stamp(at), text=t) for a, at, t in notes],
    )  # fmt: skip


def audit_record(row: Row) -> AuditEntry:
    """An audit row as its record."""
    at, actor, entity, key, entity_id, field, old, new = row
    return AuditEntry(
        at=utc_stamp(at), actor=actor, entity=entity, key=key, entity_id=entity_id,
        field=field, old_value=old, new_value=new,
    )  # fmt: skip
