"""The export's actions (with their notes) and audit trail, as the cursor reads them.

The two large sections of the plan document: 100k actions, 150k notes and 500k audit
events at the benchmark's largest plan. Rows come as the driver's tuples
(store/export_reads.py) and become the document's records here, each column converted
only if it needs to be. Each action's and note's key (services/export.py `Keys`) is known
once it has been read, and the audit trail, read last, names its subjects by them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from sqlmodel import Session

from improveplan.domain.vocab import Rag, Status
from improveplan.io.export_json import AuditEntry, ExportedAction, ExportedNote
from improveplan.store import export_reads
from improveplan.store.raw import day, utc_stamp

Keys = dict[tuple[str, int], str]  # (table, row id) → the name or ref the document uses
Names = dict[int, str]  # row id → name

_STATUS: dict[str, Status] = {s.value: s for s in Status}
_RAG: dict[str | None, Rag | None] = {None: None, **{r.value: r for r in Rag}}


def streamed_actions(
    session: Session, pid: int, lookups: dict[str, Names], keys: Keys
) -> Iterator[ExportedAction]:
    """The plan's actions by (seq, ref), each with its notes (oldest first) and its
    recommendations' refs (in recommendation order); a batch of notes at a time."""
    owners, themes, milestones = lookups["owner"], lookups["theme"], lookups["milestone"]
    for batch in export_reads.action_batches(session, pid):
        notes = _notes(session, [row[15] for row in batch])
        for row in batch:
            (ref, seq, title, start, due, original_due, status, rag_override, reason,
             status_reason, success_measure, evidence, version, created_at, updated_at,
             ident, owner_id, theme_id, milestone_id, refs) = row  # fmt: skip
            keys[("action", ident)] = ref
            own = notes.get(ident, ())
            for number, (note_id, _) in enumerate(own, 1):
                keys[("progress_note", note_id)] = f"{ref}#{number}"
            yield ExportedAction(
                ref=ref, seq=seq, title=title, start=day(start), due=day(due),
                original_due=day(original_due), status=_STATUS[status],
                rag_override=_RAG[rag_override], rag_override_reason=reason,
                status_reason=status_reason, success_measure=success_measure,
                evidence=evidence, version=version, created_at=utc_stamp(created_at),
                updated_at=utc_stamp(updated_at), owner=owners.get(owner_id),
                theme=themes.get(theme_id), milestone=milestones.get(milestone_id),
                recommendations=refs.split(export_reads.SEP) if refs else [],
                notes=[note for _, note in own],
            )  # fmt: skip


def _notes(session: Session, ids: list[int]) -> dict[int, list[tuple[int, ExportedNote]]]:
    """{action id: [(note id, note)]} for these actions, each action's oldest first."""
    found: dict[int, list[tuple[int, ExportedNote]]] = defaultdict(list)
    for action_id, note_id, author, at, text in export_reads.notes_of(session, ids):
        found[action_id].append((note_id, ExportedNote(author=author, at=utc_stamp(at), text=text)))
    return found


def audit(session: Session, pid: int, keys: Keys) -> Iterator[AuditEntry]:
    """The plan's audit trail, oldest first; an event whose subject no longer exists keeps
    its raw `entity_id`."""
    for batch in export_reads.audit_batches(session, pid):
        for at, actor, entity, entity_id, field, old, new in batch:
            key = keys.get((entity, entity_id))
            yield AuditEntry(
                at=utc_stamp(at), actor=actor, entity=entity, key=key,
                entity_id=None if key is not None else entity_id,
                field=field, old_value=old, new_value=new,
            )  # fmt: skip
