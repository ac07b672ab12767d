"""All output goes through here: one rich Console per stream with semantic styles.

Listings render as a rich table (plain when piped, `NO_COLOR` respected), JSON (stdout
alone, for pipes) or CSV (formula-neutralised). Messages go to stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from improveplan.domain.vocab import Rag, spoken
from improveplan.render.csv_out import cell_text, csv_text
from improveplan.render.fit import fit_widths, longest_word, shortened, text_width
from improveplan.serialize import as_record, jsonable

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
    """`data` as the one serializer's JSON text on stdout; iterators inside it (rows from
    a cursor) are written as they are read (io/stream_json.py), never held whole."""
    from improveplan.io.stream_json import write_json

    encoding = (getattr(sys.stdout, "encoding", None) or "utf-8").lower().replace("-", "")
    write_json(data, sys.stdout, ascii_only=not encoding.startswith("utf"), end="\n")


@dataclass(frozen=True)
class Column:
    """One table column: the row's JSON key, its header, and how to show it.

    `no_wrap` keeps every cell on one line at its full width (refs, dates, counts);
    `shorten` keeps a title on one line, cut at a space with "…" when the table is
    narrow; `spoken` shows stored keys as words (`not_started` -> "not started").
    """

    key: str
    header: str
    style: str | Callable[[Any], str | None] | None = None
    justify: str = "left"
    no_wrap: bool = False
    max_width: int | None = None
    ratio: int | None = None
    shorten: bool = False
    spoken: bool = False


def spoken_value(field: str, value: Any) -> str:
    """An audited value as a person reads it: a status as words, nothing as a dash."""
    if value is None:
        return "—"
    return spoken(str(value)) if field == "status" else cell_text(value)


def spoken_change(field: str, old: Any, new: Any) -> str:
    """`status not started → in progress`: one change, its field and statuses as words."""
    return f"{spoken(field)} {spoken_value(field, old)} → {spoken_value(field, new)}"


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
    the listing's full length when the query already cut `rows` short. However narrow
    the terminal, no word is split across lines (`_fit`).
    """
    if not rows:
        message(empty)
        return
    full = len(rows) if total is None else total
    if limit is not None:
        rows = rows[:limit]
    hidden = max(full - len(rows), 0)
    console = out()
    from improveplan.render.pager import show

    show(_table_lines(rows, columns, title, console), terminal=console.is_terminal,
         height=console.size.height)  # fmt: skip
    if hidden:
        message(f"… and {hidden:,} more — use --format csv or json for every row.", "muted")


def _table_lines(
    rows: Sequence[Any], columns: Sequence[Column], title: str | None, console: Any
) -> Iterator[str]:
    """The table's lines as rich prints them: drawn line by line (`render.table_lines`),
    or by rich whole where that cannot be (more columns than the terminal holds)."""
    from improveplan.render.table_lines import grid_lines

    texts, styles = _strings(rows, columns)
    lines = grid_lines(texts, styles, columns, title, console)
    if lines is not None:
        return lines
    with console.capture() as capture:
        console.print(_grid(rows, columns, title, console))
    return iter(capture.get().splitlines(keepends=True))


def _strings(
    rows: Sequence[Any], columns: Sequence[Column]
) -> tuple[list[list[str]], list[list[str]]]:
    """Each row's cells as text and style names, as `_cells` makes them for rich."""
    texts, styles = [], []
    keys = [(c.key, c.style, c.spoken) for c in columns]
    for row in rows:
        record = as_record(row)
        row_texts, row_styles = [], []
        for key, col_style, say in keys:
            value = record.get(key)
            style = col_style(value) if callable(col_style) else col_style
            text = cell_text(value)
            if say:
                text = spoken(text)
            if not text.isprintable():
                text = _sanitised(text)
            row_texts.append(text)
            row_styles.append(style or "")
        texts.append(row_texts)
        styles.append(row_styles)
    return texts, styles


def _sanitised(text: str) -> str:
    """What rich's Text keeps of a string (control codes stripped)."""
    from rich.text import Text

    return Text(text).plain


def _cells(rows: Sequence[Any], columns: Sequence[Column]) -> list[list[Any]]:
    """Each row's cells as rich Text, styled from the stored value, shown as words."""
    from rich.text import Text

    grid = []
    for row in rows:
        record = as_record(row)
        cells = []
        for col in columns:
            value = record.get(col.key)
            style = col.style(value) if callable(col.style) else col.style
            text = cell_text(value)
            cells.append(Text(spoken(text) if col.spoken else text, style=style or ""))
        grid.append(cells)
    return grid


def _grid(rows: Sequence[Any], columns: Sequence[Column], title: str | None, console: Any) -> Any:
    from rich.table import Table

    cells = _cells(rows, columns)
    from improveplan.render.table_lines import add_columns

    grid = Table(title=title, title_justify="left", header_style="heading", expand=False)
    add_columns(grid, columns)
    for row_cells in cells:
        grid.add_row(*row_cells)
    _fit(grid, columns, cells, console)
    return grid


# Rich's default box: a border each side of every column, one space of padding inside.
_PADDING = 2


def _fit(grid: Any, columns: Sequence[Column], cells: list[list[Any]], console: Any) -> None:
    """Give each column a width that splits no word, when rich's own would.

    Rich narrows wide tables by folding words (`Assessm` / `ent`) and ellipsing headers
    (`Gre…`); a column that wraps keeps at least its longest word here, one that does
    not keeps its width, and a title (`shorten`) gives way first, cut at a space.
    """
    room = console.width - (len(columns) + 1) - _PADDING * len(columns)
    natural, floors = _measures(columns, cells)
    widths = _rich_widths(grid, console)
    if widths is None or any(w < f for w, f in zip(widths, floors, strict=True)):
        widths = fit_widths(natural, floors, room, bendable=[c.shorten for c in columns])
        if widths is None:
            return  # more columns than the terminal holds: rich does what it can
        for rich_column, width in zip(grid.columns, widths, strict=True):
            rich_column.width = width
    for index, col in enumerate(columns):
        if col.shorten:
            for row_cells in cells:
                text = row_cells[index]
                text.plain = shortened(text.plain, widths[index])


def _measures(columns: Sequence[Column], cells: list[list[Any]]) -> tuple[list[int], list[int]]:
    """Each column's natural width and the least it can take without splitting a word."""
    natural, floors = [], []
    for index, col in enumerate(columns):
        texts = [row[index].plain for row in cells]
        widest = max([text_width(t) for t in texts] + [text_width(col.header)])
        cap = col.max_width or widest
        if col.no_wrap:
            least = widest
        elif col.shorten:
            least = min(widest, max(SHORTEST_TITLE, text_width(col.header)))
        else:
            least = max(longest_word(t) for t in [*texts, col.header])
        natural.append(min(widest, cap))
        floors.append(min(least, cap))
    return natural, floors


SHORTEST_TITLE = 16  # a title cut shorter than this no longer says what the action is


def _rich_widths(grid: Any, console: Any) -> list[int] | None:
    """The content widths rich would give the columns (None if this rich hides them).

    Kept whenever they split no word, so tables that fit render exactly as rich draws them.
    """
    calculate = getattr(grid, "_calculate_column_widths", None)
    if calculate is None:
        return None
    borders = len(grid.columns) + 1
    widths: list[int] = calculate(console, console.options.update_width(console.width - borders))
    return [w - _PADDING for w in widths]


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
