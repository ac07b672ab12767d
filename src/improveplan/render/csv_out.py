"""CSV, and the text of a cell wherever a spreadsheet may read it.

Every CSV the tool writes (listings, exports) goes through `write_csv`: formula-neutralised
(a cell starting `=`, `+`, `-`, `@`, a tab or CR gets a quote first), line breaks as LF,
rows written as they are read. `cell_text` is also how a table shows a value.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from improveplan.domain.cells import FORMULA_PREFIXES, text_cell
from improveplan.domain.records import ACTION_CSV_CELLS, Cell, TupleRows
from improveplan.domain.stamps import stamp_minutes
from improveplan.domain.vocab import Rag, Status
from improveplan.serialize import as_record

__all__ = ["FORMULA_PREFIXES", "cell_text", "csv_cell", "csv_rows", "neutralise", "write_csv"]

_ENUM_TEXT: dict[type, Callable[[Any], str]] = {Rag: str, Status: str}


def neutralise(value: Any) -> Any:
    """Stop spreadsheet formula injection: prefix risky text cells with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def csv_cell(value: Any) -> str:
    """A cell as CSV text: formula-neutralised, line breaks as LF. The csv module quotes
    only the line terminator's characters, so a bare CR would otherwise split the row."""
    kind = type(value)
    if kind is str:  # most cells: no conversion, and most start with no risky character
        text: str = "'" + value if value.startswith(FORMULA_PREFIXES) else value
    elif value is None:
        return ""
    elif kind is int or (isinstance(value, int | float) and not isinstance(value, bool)):
        return str(value)  # a number is never a formula: -20 days stays a number
    elif kind is dt.date:
        day: str = value.isoformat()
        return day  # digits and dashes: nothing to neutralise
    elif kind in _ENUM_TEXT:
        text = _ENUM_TEXT[kind](value)
    else:
        text = neutralise(cell_text(value))
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _stamp_cell(value: dt.datetime) -> str:
    return value.isoformat(" ", "minutes")[:16]  # as cell_text's "%Y-%m-%d %H:%M", faster


# csv_cell by a value's exact type for the commonest cells (1.4M of them in a 100k-row
# listing); any other type goes through csv_cell itself.
_CELL: dict[type, Callable[[Any], str]] = {
    str: lambda v: csv_cell(v) if v.startswith(FORMULA_PREFIXES) or "\r" in v else v,
    int: int.__repr__,
    type(None): lambda v: "",
    dt.date: dt.date.isoformat,
    dt.datetime: _stamp_cell,
    Rag: str,
    Status: str,
}


def _values(keys: Sequence[str]) -> Callable[[Any], Sequence[Any]]:
    """A row's values under `keys`, as `as_record(row).get(key)` reads them, made once
    per row type: a listing writes 100k rows of one type."""
    getters: dict[type, Callable[[Any], Sequence[Any]]] = {}

    def values(row: Any) -> Sequence[Any]:
        kind = type(row)
        getter = getters.get(kind)
        if getter is None:
            getter = getters[kind] = _getter(kind, keys)
        return getter(row)

    return values


def _getter(kind: type, keys: Sequence[str]) -> Callable[[Any], Sequence[Any]]:
    from collections.abc import Mapping

    from improveplan.serialize import json_plan

    plan = json_plan(kind)
    if plan is None or issubclass(kind, Mapping):
        return lambda row: [as_record(row).get(k) for k in keys]
    names = {key: name for name, key, _ in plan}
    wanted = [names.get(k) for k in keys]
    return lambda row: [None if name is None else getattr(row, name) for name in wanted]


def write_csv(rows: Iterable[Any], keys: Sequence[str], stream: Any) -> None:
    """CSV of typed results (or mappings) by their JSON keys, header first; rows are
    written as they are read (an iterator from the cursor is never held whole)."""
    write_cells(csv_rows(rows, keys), keys, stream)


def write_cells(rows: Iterable[Sequence[Any]], keys: Sequence[str], stream: Any) -> None:
    """CSV of rows already made cells (csv_rows), header first."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(keys)
    writer.writerows(rows)


def csv_rows(rows: Iterable[Any], keys: Sequence[str]) -> Iterator[Sequence[Any]]:
    """Each row's cells under `keys`: typed results, mappings or plain TupleRows."""
    if isinstance(rows, TupleRows):
        return _tuple_cells(rows, keys)
    values = _values(keys)
    cell = _CELL.get
    return ([cell(type(v), csv_cell)(v) for v in values(row)] for row in rows)


# csv_cell of what a TupleRows column holds (domain/records.py Cell), without a record;
# None: the csv writer's own text is the same (None empty, an int or a date as str()).
_TUPLE_CELL: dict[Cell, Callable[[Any], Any] | None] = {
    Cell.text: text_cell,
    Cell.day: None,
    Cell.word: None,
    Cell.number: None,
    Cell.refs: lambda v: text_cell(", ".join(v)),
    Cell.stamp: stamp_minutes,
    Cell.minutes: None,
    Cell.csv: None,
}


def _tuple_cells(rows: TupleRows, keys: Sequence[str]) -> Iterator[Sequence[Any]]:
    if rows.cells is ACTION_CSV_CELLS and tuple(keys) == tuple(n for n, _ in rows.cells):
        return rows.uncounted()  # `action list --format csv`: made cells (store/direct_csv.py)
    return _picked_cells(rows, keys)


def _picked_cells(rows: TupleRows, keys: Sequence[str]) -> Iterator[list[Any]]:
    from operator import itemgetter

    at = {name: (n, _TUPLE_CELL[kind]) for n, (name, kind) in enumerate(rows.cells)}
    pick = itemgetter(*(at[key][0] for key in keys))
    convert = [(i, f) for i, key in enumerate(keys) if (f := at[key][1]) is not None]
    for row in rows:
        cells = list(pick(row))
        for i, f in convert:
            cells[i] = f(cells[i])
        yield cells


def csv_text(rows: Iterable[Any], keys: Sequence[str]) -> str:
    buffer = io.StringIO()
    write_csv(rows, keys, buffer)
    return buffer.getvalue()
