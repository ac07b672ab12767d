"""Column widths for a table in a narrow terminal, so that no word is split.

Pure arithmetic on widths (terminal cells): `render.output` measures the cells and
applies the result. A column that wraps keeps at least its longest word; one that does
not wrap keeps its full width; a title that may be shortened gives way first. Only a
token longer than `LONG_TOKEN` (an email address, a URL) is ever folded, and only when
nothing else fits.
"""

from __future__ import annotations

from collections.abc import Sequence

LONG_TOKEN = 24  # longer than any word: an address or a path, folded as a last resort
SHORTEST = 2  # a title cut to one character and "…" when nothing else is left


def text_width(text: str) -> int:
    """Terminal cells of the longest line (wide characters count twice)."""
    from rich.cells import cell_len

    return max((cell_len(line) for line in text.splitlines()), default=0)


def longest_word(text: str) -> int:
    """Terminal cells of the longest run without a space: the least a wrapping cell needs."""
    from rich.cells import cell_len

    return max((cell_len(word) for word in text.split()), default=0)


def shortened(text: str, width: int) -> str:
    """`text` on one line of `width` cells, cut at a space and ended with "…" if too long."""
    from rich.cells import cell_len

    flat = " ".join(text.split())
    if flat.isascii() and flat.isprintable():  # a cell a character: cut by index
        if len(flat) <= width:
            return flat
        end = max(width - 1, 0)
    else:
        if cell_len(flat) <= width:
            return flat
        end = _cut(flat, width - 1)
    head = flat[:end]
    if flat[end] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]  # never end inside a word
    return head.rstrip(" ,;:-—") + "…"


def _cut(flat: str, room: int) -> int:
    """The index of the first character that takes the text past `room` cells."""
    from rich.cells import cell_len

    used, end = 0, 0
    for end, char in enumerate(flat):  # noqa: B007 - `end` is the cut
        used += cell_len(char)
        if used > room:
            break
    return end


def fit_widths(
    natural: Sequence[int], floors: Sequence[int], room: int, *, bendable: Sequence[bool]
) -> list[int] | None:
    """Widths summing to at most `room`, each between its floor and its natural width.

    The widest columns narrow first, all to one level, as rich does. When the floors
    alone are too wide, the `bendable` columns (titles) give way, then over-long tokens
    fold; None when even that leaves too little room.
    """
    if sum(natural) <= room:
        return list(natural)
    bent = [min(f, SHORTEST) if b else f for f, b in zip(floors, bendable, strict=True)]
    folded = [min(f, LONG_TOKEN) for f in bent]
    for least in (list(floors), bent, folded):
        widths = _levelled(natural, least, room)
        if widths is not None:
            return widths
    return None


def _levelled(natural: Sequence[int], floors: Sequence[int], room: int) -> list[int] | None:
    """Every column cut down to one level (never below its floor), the level as high as fits."""
    floors = [min(f, n) for f, n in zip(floors, natural, strict=True)]
    if sum(floors) > room:
        return None
    level = max(natural)
    while level > 0 and sum(_at(natural, floors, level)) > room:
        level -= 1
    widths = _at(natural, floors, level)
    spare = room - sum(widths)
    for index, width in enumerate(widths):  # the level's leftovers, left to right
        if spare and width == level < natural[index]:
            widths[index] += 1
            spare -= 1
    return widths


def _at(natural: Sequence[int], floors: Sequence[int], level: int) -> list[int]:
    return [max(f, min(n, level)) for n, f in zip(natural, floors, strict=True)]
