"""All output goes through here: one rich Console per stream with semantic styles.

Listings render as a rich table (plain when piped, `NO_COLOR` respected), JSON (stdout
alone, for pipes) or CSV (formula-neutralised). Messages go to stderr.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from improveplan.domain.vocab import Rag
from improveplan.serialize import as_record, dumps, jsonable

if TYPE_CHECKING:
    from rich.console import Console

THEME = {
    "rag.blue": "bold blue",
    "rag.green": "bold green",
    "rag.amber": "bold dark_orange",
    "rag.red": "bold red",
    "muted": "dim",
    "ref": "bold cyan",
    "success": "#00703c",  # the report's green, not a RAG
    "warning": "dark_orange",
    "error": "bold red",
    "heading": "bold",
}

_RAGS = frozenset(Rag)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@cache
def _theme() -> Any:
    from rich.theme import Theme

    return Theme(THEME)


def _console(stderr: bool) -> Console:
    # Made per call (cheap) so the width follows COLUMNS and the *current* sys.stdout
    # and sys.stderr, which matters when one process runs several commands (tests).
    from rich.console import Console

    return Console(theme=_theme(), stderr=stderr, highlight=False, soft_wrap=False)


def out() -> Console:
    return _console(False)


def err() -> Console:
    return _console(True)


def message(text: str, style: str | None = None) -> None:
    """A human message on stderr (never mixed into JSON on stdout)."""
    err().print(text, style=style, markup=False, soft_wrap=True)


def to_jsonable(value: Any) -> Any:
    """Plain JSON data from typed results, mappings, dates and enums (one serializer)."""
    return jsonable(value)


def emit_json(data: Any) -> None:
    encoding = (getattr(sys.stdout, "encoding", None) or "utf-8").lower().replace("-", "")
    sys.stdout.write(dumps(data, ascii_only=not encoding.startswith("utf")) + "\n")


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


@dataclass(frozen=True)
class Column:
    """One table column: the row's JSON key, its header, and how to show it."""

    key: str
    header: str
    style: str | Callable[[Any], str | None] | None = None
    justify: str = "left"
    no_wrap: bool = False
    max_width: int | None = None
    ratio: int | None = None


def csv_cell(value: Any) -> str:
    """A cell as CSV text: formula-neutralised, line breaks as LF. The csv module quotes
    only the line terminator's characters, so a bare CR would otherwise split the row."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # a number is never a formula: -20 days stays a number
    text: str = neutralise(cell_text(value))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def write_csv(rows: Iterable[Any], keys: Sequence[str], stream: Any) -> None:
    """CSV of typed results (or mappings) by their JSON keys, header first."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(keys)
    for row in rows:
        record = as_record(row)
        writer.writerow([csv_cell(record.get(k)) for k in keys])


def csv_text(rows: Iterable[Any], keys: Sequence[str]) -> str:
    buffer = io.StringIO()
    write_csv(rows, keys, buffer)
    return buffer.getvalue()


def rag_style(value: Any) -> str | None:
    return f"rag.{value}" if value in _RAGS else None


def table(
    rows: Sequence[Any],
    columns: Sequence[Column],
    *,
    title: str | None = None,
    empty: str = "Nothing to show.",
    limit: int | None = None,
    total: int | None = None,
) -> None:
    """A rich table on stdout; an empty listing says so on stderr.

    `limit` caps summary views: rich spends milliseconds per row, so thousands of rows
    belong in `--format csv|json`, and the table says how many it left out. `total` is
    the listing's full length when the query already cut `rows` short.
    """
    from rich.table import Table
    from rich.text import Text

    if not rows:
        message(empty)
        return
    full = len(rows) if total is None else total
    if limit is not None:
        rows = rows[:limit]
    hidden = max(full - len(rows), 0)
    grid = Table(title=title, title_justify="left", header_style="heading", expand=False)
    for col in columns:
        grid.add_column(
            col.header,
            justify=col.justify,  # type: ignore[arg-type]
            no_wrap=col.no_wrap,
            max_width=col.max_width,
            ratio=col.ratio,
            overflow="ellipsis" if col.no_wrap else "fold",
        )
    for row in rows:
        cells = []
        record = as_record(row)
        for col in columns:
            value = record.get(col.key)
            style = col.style(value) if callable(col.style) else col.style
            cells.append(Text(cell_text(value), style=style or ""))
        grid.add_row(*cells)
    out().print(grid)
    if hidden:
        message(f"… and {hidden:,} more — use --format csv or json for every row.", "muted")


def emit(
    rows: Sequence[Any],
    columns: Sequence[Column],
    fmt: str,
    *,
    title: str | None = None,
    json_data: Any = None,
    empty: str = "Nothing to show.",
) -> None:
    """Render a listing as table, json or csv (docs/design.md §3)."""
    if fmt == "json":
        emit_json(json_data if json_data is not None else list(rows))
    elif fmt == "csv":
        sys.stdout.write(csv_text(rows, [c.key for c in columns]))
    else:
        table(rows, columns, title=title, empty=empty)
