"""Typed rows that more than one part of improveplan reads (docs/design.md §3, §6).

An action row is what every listing, the overdue report, the reminders, the board report
and the exports start from; its public fields, in order, are the action JSON of §3.
Fields marked hidden travel with the row for the commands that need them (ids for
joins, the plan order, the override's reason) and never reach the JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice
from typing import Any, TypeAlias, Union

from improveplan.domain.vocab import RAG_ORDER, Rag, Status
from improveplan.serialize import json_field

__all__ = [
    "ACTION_CELLS",
    "ActionRow",
    "Cell",
    "CellRows",
    "Counted",
    "MilestoneAtRisk",
    "OverdueCounts",
    "OverdueReport",
    "OverdueStream",
    "RagCounts",
    "Shape",
    "TupleRows",
]


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


@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneAtRisk:
    """A milestone ahead and the open actions that threaten it. In the summary (a refs
    limit) `open_actions` holds the first refs only and `open_count` how many in all;
    in the full listing `open_count` is None and left out of the JSON."""

    name: str
    date: dt.date
    open_actions: list[str]
    open_count: int | None = json_field(omit_none=True, default=None)

    @property
    def count(self) -> int:
        """How many open actions threaten the milestone, in either form."""
        return len(self.open_actions) if self.open_count is None else self.open_count


class Cell(StrEnum):
    """What a column of plain rows holds, so a writer knows its text without a record:
    `text` a str or None, `day` a date or its ISO text, `word` an enum's value, `number`
    an int, `refs` a list of str, `stamp` a UTC time as the driver reads it (read by
    domain/stamps.py), `minutes` one already as the text a table or CSV shows
    ("2025-03-09 09:19", UTC), as the database wrote it for a CSV listing, `csv` a text
    already a CSV cell (domain/cells.py)."""

    text = "text"
    day = "day"
    word = "word"
    number = "number"
    refs = "refs"
    stamp = "stamp"
    minutes = "minutes"
    csv = "csv"


# ActionRow's public fields, in order, as plain rows hold them.
ACTION_CELLS: tuple[tuple[str, Cell], ...] = (
    ("ref", Cell.text), ("title", Cell.text), ("owner", Cell.text), ("due", Cell.day),
    ("original_due", Cell.day), ("status", Cell.word), ("rag", Cell.word),
    ("rag_computed", Cell.word), ("days_overdue", Cell.number), ("recommendations", Cell.refs),
    ("theme", Cell.text), ("milestone", Cell.text), ("version", Cell.number),
    ("updated_at", Cell.stamp),
)  # fmt: skip
# The same as `action list --format csv` writes them: texts made cells, the references
# joined, the time of the last change to the minute (store/direct_csv.py).
ACTION_CSV_CELLS: tuple[tuple[str, Cell], ...] = tuple(
    (
        key,
        Cell.minutes
        if kind is Cell.stamp
        else Cell.csv
        if kind in (Cell.text, Cell.refs)
        else kind,
    )
    for key, kind in ACTION_CELLS
)


# A plain row's columns: (key, what it holds); a nested Shape holds a list of such rows.
Shape: TypeAlias = tuple[tuple[str, Union[Cell, "Shape"]], ...]


class CellRows(Iterator[tuple[Any, ...]]):
    """Plain tuples whose columns `cells` names, in the order of the record they stand
    for: io/stream_json.py writes each as that record's JSON without building it (the
    export's 750k rows at 100k actions). Counts the rows read."""

    def __init__(self, rows: Iterator[tuple[Any, ...]], cells: Shape) -> None:
        self._rows = rows
        self.cells = cells
        self.count = 0

    def __iter__(self) -> CellRows:
        return self

    def uncounted(self) -> Iterator[tuple[Any, ...]]:
        """The rows for a writer that needs no count: no call of `__next__` per row."""
        return self._rows

    def chunks(self, size: int) -> Iterator[list[tuple[Any, ...]]]:
        """The rows `size` at a time (a writer's loop, without a call per row)."""
        while chunk := list(islice(self._rows, size)):
            self.count += len(chunk)
            yield chunk

    def __next__(self) -> tuple[Any, ...]:
        row = next(self._rows)
        self.count += 1
        return row


class TupleRows(CellRows):
    """Action rows as plain tuples of ACTION_CELLS, for the writers of a full listing
    (render/output.py's CSV, io/stream_json.py): at 100k rows, building an ActionRow
    each cost as much as writing it."""

    cells: tuple[tuple[str, Cell], ...]

    def __init__(
        self, rows: Iterator[tuple[Any, ...]], cells: tuple[tuple[str, Cell], ...] = ACTION_CELLS
    ) -> None:
        super().__init__(rows, cells)


class CsvText(Iterator[str]):
    """A listing's CSV as PostgreSQL's COPY wrote it, header first, in pieces: the text
    render/csv_out.py writes of the same rows (store/direct_csv.py)."""

    def __init__(self, pieces: Iterator[str]) -> None:
        self._pieces = pieces

    def __iter__(self) -> CsvText:
        return self

    def __next__(self) -> str:
        return next(self._pieces)


class Counted(Iterator[ActionRow]):
    """Rows as they are read, counting them (`--fail-on-overdue` asks whether any were)."""

    def __init__(self, rows: Iterator[ActionRow]) -> None:
        self._rows = rows
        self.count = 0

    def __iter__(self) -> Counted:
        return self

    def __next__(self) -> ActionRow:
        row = next(self._rows)
        self.count += 1
        return row


@dataclass(frozen=True, slots=True, kw_only=True)
class OverdueStream:
    """`overdue --format json` as it is written: OverdueReport (the same keys, in
    order), its two action lists read from the cursor."""

    as_of: dt.date
    plan: str
    overdue: Counted | TupleRows
    due_soon: Counted | TupleRows
    milestones_at_risk: list[MilestoneAtRisk]


@dataclass(frozen=True, slots=True, kw_only=True)
class OverdueCounts:
    """How many actions each list of a cut (`limit`ed) report holds in all."""

    overdue: int
    due_soon: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OverdueReport:
    """The `overdue --format json` document (docs/design.md §3). `counts` appears only
    when the lists were cut to a limit (the table's summary), saying how long they are."""

    as_of: dt.date
    plan: str
    overdue: list[ActionRow]
    due_soon: list[ActionRow]
    milestones_at_risk: list[MilestoneAtRisk]
    counts: OverdueCounts | None = json_field(omit_none=True, default=None)  # noqa: RUF009
