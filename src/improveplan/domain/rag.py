"""Action statuses and the RAG rating a board reads (docs/design.md §2).

The functions here are THE definition of the RAG rule: pure, so every case can be tested
without a database. `store.queries.rag_computed`/`rag_effective` are its derived SQL form
(counts and filters over 100k actions cannot loop in Python); tests/store/test_queries_rag.py
checks the SQL against these functions for every status, due offset, slip and override,
so a change here is made there too and that test proves it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from improveplan.domain.vocab import AMBER_DAYS, OPEN_STATUSES, Rag, Status, listed, normal_key

__all__ = [
    "OPEN_STATUSES",
    "Rag",
    "RagThresholds",
    "Status",
    "compute_rag",
    "days_overdue",
    "effective_rag",
    "parse_rag",
    "parse_status",
]


# Spellings people use in trackers and on the command line, normalised by _key().
_STATUS_ALIASES = {
    "completed": Status.complete,
    "done": Status.complete,
    "on_hold": Status.blocked,
    "canceled": Status.cancelled,
    "signedoff": Status.signed_off,
    "notstarted": Status.not_started,
    "inprogress": Status.in_progress,
}


@dataclass(frozen=True)
class RagThresholds:
    """How near a due date turns an open action amber (days, inclusive)."""

    amber_days: int = AMBER_DAYS


def parse_status(text: str) -> Status:
    """A status from any usual spelling; ValueError naming the valid ones otherwise."""
    key = normal_key(text)
    if key in Status.__members__:
        return Status(key)
    if key in _STATUS_ALIASES:
        return _STATUS_ALIASES[key]
    valid = listed([status.value for status in Status])
    raise ValueError(f"{text.strip()!r} is not a status — use {valid}")


def parse_rag(text: str) -> Rag:
    """A RAG rating from its name or initial (`Red`, `r`, `AMBER`, `a`...)."""
    key = normal_key(text)
    for rag in Rag:
        if key in (rag.value, rag.value[0]):
            return rag
    valid = listed([f"{rag.value} ({rag.value[0]})" for rag in Rag])
    raise ValueError(f"{text.strip()!r} is not a RAG rating — use {valid}")


def compute_rag(
    *,
    status: Status,
    due: dt.date | None,
    original_due: dt.date | None,
    as_of: dt.date,
    thresholds: RagThresholds = RagThresholds(),  # frozen, so safe to share
) -> Rag | None:
    """The RAG of docs/design.md §2 on `as_of`; None for a cancelled action, which has none.

    Signed off is blue and complete green whatever the dates; an open action is red once
    past due, amber when due within the window, blocked or slipped, green otherwise.
    """
    if status == Status.signed_off:
        return Rag.blue
    if status == Status.cancelled:
        return None
    if status == Status.complete:
        return Rag.green
    if due is None:
        return Rag.amber if status == Status.blocked else Rag.green
    if due < as_of:
        return Rag.red
    due_soon = (due - as_of).days <= thresholds.amber_days  # no overflow near 9999-12-31
    slipped = original_due is not None and due > original_due
    if due_soon or status == Status.blocked or slipped:
        return Rag.amber
    return Rag.green


def effective_rag(computed: Rag | None, override: Rag | None) -> Rag | None:
    """A manual override wins, except that a cancelled action (computed None) has no RAG."""
    if computed is None:
        return None
    return override if override is not None else computed


def days_overdue(*, status: Status, due: dt.date | None, as_of: dt.date) -> int:
    """Calendar days an open action is past its due date; 0 when not overdue."""
    if status not in OPEN_STATUSES or due is None or due >= as_of:
        return 0
    return (as_of - due).days
