"""CSV of actions and the XLSX workbook (a sheet per entity), formula injection neutralised.

Every text cell goes through `xml_text` (a Word line break U+000B becomes a line break,
other characters XML cannot hold are dropped) and then `neutralise`: a title such as
`=HYPERLINK(...)` is stored as the text `'=HYPERLINK(...)`, never as a live formula.
Dates are real dates in Excel.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Any, cast

from improveplan.domain.records import Cell, CellRows
from improveplan.domain.stamps import naive_utc
from improveplan.domain.vocab import Rag, Status
from improveplan.io.export_json import AuditEntry, PlanExport
from improveplan.io.xml_text import xml_text
from improveplan.render.csv_out import FORMULA_PREFIXES, cell_text, csv_text, neutralise
from improveplan.serialize import as_record, json_plan, record_keys

RAG_FILLS = {Rag.red: "FFC7CE", Rag.amber: "FFEB9C", Rag.green: "C6EFCE", Rag.blue: "BDD7EE"}
RAG_COLUMNS = ("rag", "rag_computed")
BATCH = 512  # plain rows taken from the cursor at a time

# A sheet: its columns (JSON keys of its rows) and its rows, typed records or mappings.
Sheet = tuple[Sequence[str], Iterable[object]]


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionLine:
    """An action as the CSV export and the Actions sheet show it: the action JSON of
    docs/design.md §3 (RAG as of a date), then what a spreadsheet reader also wants."""

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
    start: dt.date | None
    success_measure: str | None
    evidence: str | None
    rag_override_reason: str | None
    latest_note: str | None


ACTION_COLUMNS = record_keys(ActionLine)


# A note on the Notes sheet, with its action's ref.
NOTE_COLUMNS = ("action", "author", "at", "text")


def actions_csv(actions: Iterable[ActionLine]) -> str:
    return csv_text(actions, ACTION_COLUMNS)


def sheets(
    document: PlanExport,
    actions: Iterable[ActionLine],
    measures: Sequence[object],
    notes: Iterable[tuple[Any, ...]],
) -> dict[str, Sheet]:
    """The workbook's sheets from the plan document, the action table, the measures
    with their latest values and the notes as (action ref, author, at, text) (a sheet
    shows the columns named here, in this order)."""
    return {
        "Actions": (ACTION_COLUMNS, actions),
        "Recommendations": (
            ("ref", "text", "priority_action", "theme", "inspection"),
            document.recommendations,
        ),
        "Themes": (("name", "lead"), document.themes),
        "People": (("name", "email", "role", "team"), document.people),
        "Milestones": (
            ("name", "kind", "date", "rule", "source_date", "expected", "done"),
            document.milestones,
        ),
        "Measures": (
            (
                "name",
                "unit",
                "baseline",
                "baseline_date",
                "target",
                "target_date",
                "direction",
                "latest",
                "latest_date",
            ),
            measures,
        ),
        "Notes": (NOTE_COLUMNS, ((r, a, naive_utc(at), t) for r, a, at, t in notes)),
        "Audit": (record_keys(AuditEntry), _values(_plain(document.audit))),
    }


def _plain(rows: object) -> CellRows:
    if not isinstance(rows, CellRows):
        raise TypeError("the workbook reads the document's plain rows")
    return rows


def _values(rows: CellRows) -> Iterator[tuple[Any, ...]]:
    """Plain rows with each date and UTC time as a cell takes it (no record each)."""
    stamps = [n for n, (_, kind) in enumerate(rows.cells) if kind is Cell.stamp]
    days = [n for n, (_, kind) in enumerate(rows.cells) if kind is Cell.day]
    assert all(isinstance(kind, Cell) for _, kind in rows.cells), "no nested rows"
    for row in chain.from_iterable(rows.chunks(BATCH)):
        values = list(row)
        for n in stamps:
            values[n] = None if values[n] is None else naive_utc(values[n])
        for n in days:
            values[n] = dt.date.fromisoformat(values[n]) if type(values[n]) is str else values[n]
        yield tuple(values)


def cell_value(value: Any) -> Any:
    """What goes in a cell: real dates (naive UTC for timestamps), numbers, safe text:
    characters XML cannot hold removed first (so they cannot hide a formula), then
    formulas neutralised."""
    kind = type(value)  # the common cases first, by exact type: a cell is written per call
    if kind is str:
        if _PLAIN(value) is None and not value.startswith(FORMULA_PREFIXES):
            return value  # nearly every text: nothing to remove, no formula (one scan)
        return neutralise(xml_text(value))
    if kind is int or kind is dt.date or value is None:
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, dt.date | int | float) and not isinstance(value, bool):
        return value
    return neutralise(xml_text(cell_text(value)))


# Whatever xml_text would change: text without any of it is kept as it is.
_PLAIN = re.compile("[\r\x0b\x0c\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]").search


def _getter(kind: type, columns: Sequence[str]) -> Callable[[object], tuple[Any, ...]] | None:
    """The columns' values of a record type in one call, as `as_record(...).get` gives
    them (None: not a record type, or one without all of the columns)."""
    plan = json_plan(kind)
    if plan is None:
        return None
    attributes = {key: name for name, key, _ in plan}
    if len(columns) < 2 or any(column not in attributes for column in columns):
        return None
    return cast(Callable[[object], tuple[Any, ...]], attrgetter(*(attributes[c] for c in columns)))


def write_xlsx(path: Path, book: Mapping[str, Sheet], *, made: dt.datetime | None = None) -> None:
    """The workbook, streamed (io/xlsx_stream.py): frozen header, auto-filter, real dates
    (dd/mm/yyyy), RAG fills; `made`, when it was made (the command's clock)."""
    from improveplan.io.xlsx_stream import write_sheets

    def values(columns: Sequence[str]) -> Callable[[object], list[Any]]:
        getters: dict[type, Callable[[object], tuple[Any, ...]] | None] = {}

        def row(item: object) -> list[Any]:
            kind = type(item)
            if kind is tuple:  # a plain row of the sheet's columns' values
                return list(map(cell_value, cast(tuple[Any, ...], item)))
            getter = (
                getters[kind]
                if kind in getters
                else getters.setdefault(kind, _getter(kind, columns))
            )
            if getter is None:  # a mapping
                record = as_record(item)
                return [cell_value(record.get(name)) for name in columns]
            return list(map(cell_value, getter(item)))

        return row

    write_sheets(path, book, values=values, rag_columns=RAG_COLUMNS, fills=RAG_FILLS, made=made)
