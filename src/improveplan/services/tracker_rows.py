"""A tracker's rows as the import stores them: values cleaned, and what its RAG becomes.

Split from `services/tracker_import.py`, which owns the transaction; nothing here reads
or writes the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from improveplan.domain.inputs import Refused, clean_key, clean_name, clean_ref, clean_text
from improveplan.domain.rag import RagThresholds, compute_rag
from improveplan.domain.vocab import RAG_ORDER, Rag
from improveplan.io.tracker import RowError, Tracker, TrackerRow

REASON = "imported from tracker"
NOTE_START = "The tracker showed "  # how a better tracker RAG's note begins

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


def cleaned(tracker: Tracker) -> tuple[list[TrackerRow], list[RowError]]:
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


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackerRag:
    """What a row's RAG becomes: an override (the tracker says worse than the rule), or a
    progress note (it says better: a stale Green on an overdue action must not hide it
    for good), or nothing (it agrees, or says nothing)."""

    override: Rag | None = None
    reason: str | None = None
    note: str | None = None


def tracker_rag(row: TrackerRow, *, as_of: dt.date, amber_days: int) -> TrackerRag:
    """The row's RAG against the one computed on `as_of` (docs/design.md §2)."""
    computed = compute_rag(
        status=row.status,
        due=row.due,
        original_due=row.original_due or row.due,
        as_of=as_of,
        thresholds=RagThresholds(amber_days),
    )
    if row.rag is None or computed is None or computed == row.rag:
        return TrackerRag()
    if RAG_ORDER.index(row.rag) < RAG_ORDER.index(computed):
        shown = row.rag.value.capitalize()
        return TrackerRag(
            note=f"{NOTE_START}{shown} on {as_of.isoformat()}; the computed RAG is"
            f" {computed.value}, so {shown} was not kept as an override."
        )
    return TrackerRag(override=row.rag, reason=row.rag_override_reason or REASON)
