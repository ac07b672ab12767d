"""Typed rows that more than one part of improveplan reads (docs/design.md §3, §6).

An action row is what every listing, the overdue report, the reminders, the board report
and the exports start from; its public fields, in order, are the action JSON of §3.
Fields marked hidden travel with the row for the commands that need them (ids for
joins, the plan order, the override's reason) and never reach the JSON.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from improveplan.domain.vocab import RAG_ORDER, Rag, Status
from improveplan.serialize import json_field

__all__ = ["ActionRow", "RagCounts"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionRow:
    """One action with its RAG as on a date: the action JSON of docs/design.md §3."""

    ref: str
    title: str
    owner: str | None
    due: dt.date | None
    original_due: dt.date | None
    status: Status
    rag: Rag | None
    rag_computed: Rag | None
    days_overdue: int
    recommendations: list[str]
    theme: str | None
    milestone: str | None
    version: int
    updated_at: dt.datetime
    id: int = json_field(hidden=True)
    seq: int = json_field(hidden=True)
    start: dt.date | None = json_field(hidden=True, default=None)  # noqa: RUF009
    rag_override_reason: str | None = json_field(hidden=True, default=None)

    @property
    def overridden(self) -> bool:
        """A manual RAG differs from the computed one (a cancelled action has neither)."""
        return self.rag != self.rag_computed


@dataclass(frozen=True, slots=True, kw_only=True)
class RagCounts:
    """Actions by RAG in one group (a theme, an owner, a recommendation, or the plan),
    cancelled ones left out; `complete` counts complete and signed-off actions."""

    name: str | None
    blue: int = 0
    green: int = 0
    amber: int = 0
    red: int = 0
    total: int = 0
    overdue: int = 0
    complete: int = 0

    def of(self, rag: Rag) -> int:
        """The count for one colour."""
        return int(getattr(self, rag.value))

    @property
    def colours(self) -> tuple[tuple[Rag, int], ...]:
        """(colour, count) in the board's order."""
        return tuple((rag, self.of(rag)) for rag in RAG_ORDER)
