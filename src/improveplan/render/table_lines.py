"""A rich table drawn line by line, in time proportional to the rows shown.

Rich lays a table out by measuring every cell, then renders every cell through its
generic machinery: ~1 ms a row, 10 s for 10,000 actions. The output here is the same,
line for line and byte for byte (styles included), made another way:

- the column widths come from rich's own `_calculate_column_widths` on a *proxy* table of
  two rows per column, the cell with the widest least width and the cell with the widest
  natural width (a column's measurement is the maximum over its cells, so the proxy's is
  the same), after the word-keeping fit of `render.output` on measures taken as strings;
- the header, the title and the bottom border are drawn by rich on a table of no rows;
- a row of one-line cells is formatted directly (pad or cut with "…", each cell's style
  rendered as rich renders it); any other row (wrapping text, control characters, a
  leading or trailing space) is drawn by rich alone in a headless table, edges cut off;
- the direct rows are checked against rich's: the first row of each shape (which cells
  were cut) is drawn both ways and, if any differs, every row is drawn by rich.

`lines()` is a generator: a pager reads the first screen before the rest is made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from improveplan.render.fit import fit_widths, shortened

if TYPE_CHECKING:
    from rich.console import Console

    from improveplan.render.output import Column

PADDING = 2  # one space each side of a cell (rich's default table padding)
SHORTEST_TITLE = 16  # as render.output: a title cut shorter no longer says what it is
CHUNK = 200  # rows drawn by rich at once when the direct rows are not trusted
CHECKED_SHAPES = 16  # shapes checked against rich; rows of further shapes go to rich


def _simple(text: str) -> bool:
    """One printable line without a leading or trailing space: drawn directly."""
    return text.isprintable() and (not text or (text[0] != " " and text[-1] != " "))


class Grid:
    """One table's cells as strings, measured once; `lines()` draws it."""

    def __init__(
        self,
        texts: list[list[str]],
        styles: list[list[str]],
        columns: Sequence[Column],
        title: str | None,
        console: Console,
    ) -> None:
        from rich.cells import cell_len

        self.texts, self.styles, self.columns, self.title = texts, styles, columns, title
        self.console = console
        self.cell_len: Callable[[str], int] = cell_len
        self._measured: dict[int, tuple[int, int, int, int]] = {}
        self._edges: tuple[str, str, str] | None = None
        self.widths = self._widths()

    # -- widths ---------------------------------------------------------------------------

    def _column_measures(self, index: int) -> tuple[int, int, int, int]:
        """(row of the widest least, row of the widest natural, that least, that natural),
        each cell measured as rich's Text measures it: its longest word, its longest line."""
        cached = self._measured.get(index)
        if cached is not None:
            return cached
        cl = self.cell_len
        best_min = best_max = -1
        row_min = row_max = 0
        for r, row in enumerate(self.texts):
            text = row[index]
            if text.isascii() and text.isprintable():
                widest = len(text)
                if widest <= best_min and widest <= best_max:
                    continue  # neither its words nor its length can beat the best
                words = text.split()
                least = max(map(len, words)) if words else widest
            else:
                lines = text.splitlines()
                widest = max(map(cl, lines)) if lines else 0
                words = text.split()
                least = max(map(cl, words)) if words else widest
            if least > best_min:
                best_min, row_min = least, r
            if widest > best_max:
                best_max, row_max = widest, r
        self._measured[index] = found = (row_min, row_max, best_min, best_max)
        return found

    def _rich_table(self, *, header: bool, title: str | None, fixed: list[int] | None) -> Any:
        from rich.table import Table

        grid = Table(
            title=title,
            title_justify="left",
            header_style="heading",
            expand=False,
            show_header=header,
        )
        add_columns(grid, self.columns, fixed)
        return grid

    def _calculate(self, grid: Any) -> list[int]:
        console = self.console
        borders = len(grid.columns) + 1
        options = console.options.update_width(console.width - borders)
        widths: list[int] = grid._calculate_column_widths(console, options)
        return [w - PADDING for w in widths]

    def _proxy_widths(self) -> list[int]:
        """The content widths rich gives the columns, from two rows per column."""
        from rich.text import Text

        grid = self._rich_table(header=True, title=None, fixed=None)
        picks = [self._column_measures(i)[:2] for i in range(len(self.columns))]
        for slot in (0, 1):
            for index in range(len(self.columns)):
                cells = [Text("") for _ in self.columns]
                cells[index] = Text(self.texts[picks[index][slot]][index])
                grid.add_row(*cells)
        return self._calculate(grid)

    def _widths(self) -> list[int]:
        """What `render.output._fit` decides, then what rich draws with it."""
        columns = self.columns
        cl = self.cell_len
        room = self.console.width - (len(columns) + 1) - PADDING * len(columns)
        natural, floors = [], []
        for index, col in enumerate(columns):
            _, _, least_word, widest = self._column_measures(index)
            widest = max(widest, max(map(cl, col.header.splitlines()), default=0))
            cap = col.max_width or widest
            if col.no_wrap:
                least = widest
            elif col.shorten:
                least = min(widest, max(SHORTEST_TITLE, cl(col.header)))
            else:
                header_word = max(map(cl, col.header.split()), default=0)
                least = max(least_word, header_word)
            natural.append(min(widest, cap))
            floors.append(min(least, cap))
        widths = self._proxy_widths()
        fixed = None
        if any(w < f for w, f in zip(widths, floors, strict=True)):
            fitted = fit_widths(natural, floors, room, bendable=[c.shorten for c in columns])
            if fitted is None:
                raise _Unfit
            widths = fixed = fitted
        for index, col in enumerate(columns):
            if col.shorten:
                self._shorten(index, widths[index])
        if fixed is not None:
            return self._calculate(self._rich_table(header=True, title=None, fixed=fixed))
        return self._proxy_widths()  # rich measures the shortened titles again

    def _shorten(self, index: int, width: int) -> None:
        """Cut the column's titles to the width, as `render.fit.shortened` does."""
        self._measured.pop(index, None)
        for row in self.texts:
            text = row[index]
            if len(text) <= width and text.isascii() and "  " not in text and _simple(text):
                continue  # shortened() would return it as it is
            row[index] = shortened(text, width)

    # -- drawing --------------------------------------------------------------------------

    def _rich_lines(self, rows: Sequence[int], *, header: bool) -> list[str]:
        """Rows drawn by rich at the fixed widths, as lines (borders included)."""
        from rich.text import Text

        grid = self._rich_table(header=header, title=self.title if header else None,
                                fixed=self.widths)  # fmt: skip
        for r in rows:
            grid.add_row(*(Text(t, style=s) for t, s in zip(self.texts[r], self.styles[r],
                                                           strict=True)))  # fmt: skip
        with self.console.capture() as capture:
            self.console.print(grid)
        return capture.get().splitlines(keepends=True)

    def _stylers(self) -> Callable[[str, str], str]:
        console = self.console
        system = console._color_system
        cache: dict[str, Callable[[str], str] | None] = {}

        def styled(text: str, name: str) -> str:
            if not name or system is None or not text:
                return text
            render = cache.get(name, False)
            if render is False:
                style = console.get_style(name)
                if console.no_color:
                    style = style.without_color
                render = (lambda s, st=style: st.render(s, color_system=system)) if style else None
                cache[name] = render
            return render(text) if render else text  # type: ignore[operator]

        return styled

    def _direct(self, r: int, styled: Callable[[str, str], str]) -> tuple[str, tuple[bool, ...]]:
        """Row `r` as one line and its shape (which cells were cut), or ("", ()) if not one."""
        from rich.cells import set_cell_size

        cl = self.cell_len
        parts = []
        shape = []
        for text, name, col, width in zip(
            self.texts[r], self.styles[r], self.columns, self.widths, strict=True
        ):
            if not _simple(text):
                return "", ()
            length = len(text) if text.isascii() else cl(text)
            cut = length > width
            if cut:
                if not (col.no_wrap or col.shorten):
                    return "", ()  # it would wrap
                text = set_cell_size(text, width - 1) + "…"
                length = width
            pad = " " * (width - length)
            if col.justify == "right":
                text = pad + text
            elif col.justify == "left":
                text = text + pad
            else:
                return "", ()
            shape.append(cut)
            parts.append(styled(text, name))
        left, divider, right = self._verticals
        return left + divider.join(parts) + right, tuple(shape)

    @property
    def _verticals(self) -> tuple[str, str, str]:
        """A row's left edge, dividers and right edge with their padding, as rich's box
        draws them on this console (ASCII where the output encoding is not UTF)."""
        cached = self._edges
        if cached is None:
            grid = self._rich_table(header=True, title=None, fixed=self.widths)
            box = grid.box.substitute(self.console.options, safe=self.console.safe_box)
            cached = (f"{box.mid_left} ", f" {box.mid_vertical} ", f" {box.mid_right}\n")
            self._edges = cached
        return cached

    def lines(self) -> Iterator[str]:
        """Every line of the table, as rich would print it, made as they are read."""
        head = self._rich_lines([], header=True)
        yield from head[:-1]
        bottom = head[-1]
        styled = self._stylers()
        checked: set[tuple[bool, ...]] = set()
        trusted = True
        for start in range(0, len(self.texts), CHUNK):
            rows = range(start, min(start + CHUNK, len(self.texts)))
            if not trusted:
                yield from self._rich_lines(rows, header=False)[1:-1]
                continue
            for r in rows:
                line, shape = self._direct(r, styled) if trusted else ("", ())
                if line and shape not in checked and len(checked) < CHECKED_SHAPES:
                    checked.add(shape)
                    if self._rich_lines([r], header=False)[1:-1] != [line]:
                        trusted = False
                if trusted and line and shape in checked:
                    yield line
                else:
                    yield from self._rich_lines([r], header=False)[1:-1]
        yield bottom


class _Unfit(Exception):
    """More columns than the terminal holds: the caller lets rich do what it can."""


def grid_lines(
    texts: list[list[str]],
    styles: list[list[str]],
    columns: Sequence[Column],
    title: str | None,
    console: Console,
) -> Iterator[str] | None:
    """The table's lines, or None where rich must lay it out itself."""
    if not hasattr(_rich_table_class(), "_calculate_column_widths"):
        return None
    try:
        return Grid(texts, styles, columns, title, console).lines()
    except _Unfit:
        return None


def _rich_table_class() -> Any:
    from rich.table import Table

    return Table


def add_columns(grid: Any, columns: Sequence[Column], fixed: list[int] | None = None) -> None:
    """The columns as every table of the program declares them to rich (`fixed`: widths
    already measured), so the line-by-line drawing and rich's own agree."""
    for index, col in enumerate(columns):
        grid.add_column(
            col.header,
            justify=col.justify,
            no_wrap=col.no_wrap or col.shorten,
            max_width=col.max_width,
            ratio=col.ratio,
            overflow="ellipsis" if col.no_wrap or col.shorten else "fold",
            width=None if fixed is None else fixed[index],
        )
