"""Inline SVG charts for the board report: plain string building, every text escaped.

No charting library: the report must be one self-contained file that prints on A4, and
three small charts do not justify a dependency. Each function returns one `<svg>`
element (well-formed XML) or an empty string when there is nothing to draw.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from html import escape
from typing import Any, Protocol

from improveplan.domain.vocab import RAG_ORDER, Rag

# GOV.UK design-system colours: familiar to council readers and legible when printed.
# The board report's stylesheet takes its RAG colours from here too: one palette.
RAG_COLOURS: dict[Rag, str] = {
    Rag.blue: "#1d70b8",
    Rag.green: "#00703c",
    Rag.amber: "#f47738",
    Rag.red: "#d4351c",
}
GREY = "#b1b4b6"
INK = "#0b0c0c"
MUTED = "#505a5f"
# A measure on track is drawn as green work, off track as red, no value yet in grey.
ON_TRACK = {True: RAG_COLOURS[Rag.green], False: RAG_COLOURS[Rag.red], None: GREY}
FONT = 'font-family="Helvetica, Arial, sans-serif"'


class RagGroup(Protocol):
    """What a bar of `rag_bars` reads: a group's name, total and count per colour
    (`domain.records.RagCounts` and the status service's counts both are)."""

    @property
    def name(self) -> str | None: ...

    @property
    def total(self) -> int: ...

    def of(self, rag: Rag) -> int: ...


class TrendLike(Protocol):
    """One point of `trend`: the day, and the open and overdue counts on it."""

    @property
    def day(self) -> dt.date: ...

    @property
    def open(self) -> int: ...

    @property
    def overdue(self) -> int: ...


# Characters XML 1.0 forbids even when escaped (control codes, lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _t(value: Any) -> str:
    """Text safe inside an SVG element or attribute, in HTML and as standalone XML."""
    return escape(_NOT_XML.sub("", str(value)), quote=True)


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{_t(label)}" {FONT} font-size="12">'
        f"<title>{_t(label)}</title>{''.join(body)}</svg>"
    )


def _text(x: float, y: float, text: Any, **attrs: Any) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{_t(v)}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{_t(text)}</text>'


def _legend(items: Sequence[tuple[str, str]], y: float, x: float = 0) -> list[str]:
    parts = []
    for label, colour in items:
        parts.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{colour}"/>')
        parts.append(_text(x + 14, y, label, fill=INK))
        x += 24 + 7 * len(label)
    return parts


LABEL_CHARS = 28  # a label line: what fits left of the bars at 12px
LINE_HEIGHT = 14


def _label_lines(text: Any, limit: int = LABEL_CHARS) -> list[str]:
    """A label as lines of at most `limit` characters, broken at spaces: never cut.
    Only a word longer than a line is split (it would otherwise run into the bars)."""
    import textwrap

    return textwrap.wrap(" ".join(str(text).split()), limit, break_on_hyphens=False) or [""]


def _label(x: float, middle: float, lines: Sequence[str]) -> str:
    """Right-aligned label lines centred on `middle`: one line is a plain <text>, more
    are <tspan>s, so the whole text is always there to read and to select."""
    if len(lines) == 1:
        return _text(x, middle + 4, lines[0], text_anchor="end")
    first = middle + 4 - LINE_HEIGHT * (len(lines) - 1) / 2
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{first + i * LINE_HEIGHT:.1f}">{_t(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text x="{x:.1f}" y="{first:.1f}" text-anchor="end">{spans}</text>'


def _row_heights(labels: Sequence[list[str]], row: int) -> list[int]:
    """Each row as tall as its label needs, and never less than `row`."""
    return [max(row, LINE_HEIGHT * len(lines) + 10) for lines in labels]


def rag_bars(groups: Sequence[RagGroup], *, label: str = "RAG by theme") -> str:
    """Horizontal stacked bars, one per group, drawn to one scale so sizes compare; a
    long name wraps onto more lines and its row grows to hold them."""
    if not groups:
        return ""
    width, left, row, top, bar = 720, 210, 26, 28, 18
    scale_max = max(g.total for g in groups) or 1
    span = width - left - 40
    body = _legend([(rag.value.capitalize(), RAG_COLOURS[rag]) for rag in RAG_ORDER], 14, left)
    labels = [_label_lines(g.name) for g in groups]
    y = top
    for group, lines, height in zip(groups, labels, _row_heights(labels, row), strict=True):
        middle = y + (height - 2) / 2
        body.append(_label(left - 8, middle, lines))
        x = float(left)
        for rag in RAG_ORDER:
            n = group.of(rag)
            if not n:
                continue
            w = span * n / scale_max
            body.append(
                f'<rect x="{x:.1f}" y="{middle - bar / 2:.1f}" width="{w:.1f}" height="{bar}" '
                f'fill="{RAG_COLOURS[rag]}"><title>{_t(group.name)}: {n} {rag.value}</title></rect>'
            )
            if w >= 18:
                body.append(_text(x + w / 2, middle + 4, n, text_anchor="middle", fill="#ffffff"))
            x += w
        body.append(_text(x + 6, middle + 4, group.total, fill=MUTED))
        y += height
    return _svg(width, y + 6, label, body)


def _nice_max(value: int) -> int:
    """A round axis maximum at or above `value` (5, 10, 20, 50, 100, ...)."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if value <= m * step * 5:
                return m * step * 5
        step *= 10


def trend(points: Sequence[TrendLike], *, label: str = "Open and overdue actions over time") -> str:
    """Two lines, open and overdue, over the recorded days."""
    if not points:
        return ""
    width, height, left, right, top, bottom = 720, 240, 44, 16, 26, 30
    first, last = points[0].day, points[-1].day
    days = max((last - first).days, 1)
    peak = max(max(p.open, p.overdue) for p in points)
    y_max = _nice_max(peak + max(peak // 10, 1))  # headroom: a line never rides the frame
    plot_w, plot_h = width - left - right, height - top - bottom

    def xy(point: TrendLike, value: int) -> str:
        x = left + plot_w * (point.day - first).days / days
        y = top + plot_h * (1 - value / y_max)
        return f"{x:.1f},{y:.1f}"

    blue, red = RAG_COLOURS[Rag.blue], RAG_COLOURS[Rag.red]
    body = _legend([("Open", blue), ("Overdue", red)], 14, left)
    for i in range(6):
        value = y_max * i / 5
        y = top + plot_h * (1 - i / 5)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#dddddd" stroke-width="1"/>'
        )
        body.append(_text(left - 6, y + 4, f"{value:g}", text_anchor="end", fill=MUTED))
    for coords, colour in (
        (" ".join(xy(p, p.open) for p in points), blue),
        (" ".join(xy(p, p.overdue) for p in points), red),
    ):
        body.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
        )
    base = height - bottom + 16
    body.append(_text(left, base, first.isoformat(), fill=MUTED))
    if last != first:
        body.append(_text(width - right, base, last.isoformat(), text_anchor="end", fill=MUTED))
    return _svg(width, height, label, body)


class Measured(Protocol):
    """What a measure's bar needs (domain.measures.MeasureRecord has it)."""

    @property
    def name(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def baseline(self) -> float: ...
    @property
    def target(self) -> float: ...
    @property
    def latest(self) -> float | None: ...
    @property
    def on_track(self) -> bool | None: ...


def _progress(m: Measured) -> float | None:
    """How far from baseline to target the latest value is, 0..1 (None: no value)."""
    if m.latest is None:
        return None
    span = float(m.target) - float(m.baseline)
    if span == 0:
        return 1.0
    return min(max((float(m.latest) - float(m.baseline)) / span, 0.0), 1.0)


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def measures(items: Sequence[Measured], *, label: str = "Measures against target") -> str:
    """One bar per measure: the share of the way from baseline to target achieved. A long
    name wraps onto more lines (never cut) and its row grows to hold them."""
    if not items:
        return ""
    width, left, row, top, bar = 720, 210, 30, 26, 18
    span = width - left - 170
    body = _legend(
        [("On track", ON_TRACK[True]), ("Off track", ON_TRACK[False]), ("No data", GREY)],
        14,
        left,
    )
    labels = [_label_lines(m.name) for m in items]
    y = top
    for m, lines, height in zip(items, labels, _row_heights(labels, row), strict=True):
        middle = y + (height - 2) / 2
        body.append(_label(left - 8, middle, lines))
        body.extend(_measure_bar(m, left, middle - bar / 2, span, bar))
        y += height
    return _svg(width, y + 4, label, body)


def _measure_bar(m: Measured, left: int, top: float, span: int, bar: int) -> list[str]:
    """The track, the share achieved in its colour, and the value against the target."""
    progress = _progress(m)
    colour = GREY if m.on_track is None else ON_TRACK[m.on_track]
    parts = [
        f'<rect x="{left}" y="{top:.1f}" width="{span}" height="{bar}" fill="#f3f2f1" '
        f'stroke="{GREY}"/>'
    ]
    if progress is not None:
        # A value no better than the baseline still shows a sliver in its colour.
        parts.append(
            f'<rect x="{left}" y="{top:.1f}" width="{max(span * progress, 3):.1f}" '
            f'height="{bar}" fill="{colour}"/>'
        )
    latest = "no value" if m.latest is None else f"{_num(m.latest)}"
    note = f"{latest} → {_num(m.target)} {m.unit or ''}".strip()
    parts.append(_text(left + span + 8, top + bar / 2 + 4, note, fill=MUTED))
    return parts


class HistoryLike(Protocol):
    """What `history` reads: the inspections' labels and each area's grades in order
    (services.history.InspectionHistory has them)."""

    @property
    def inspections(self) -> Sequence[Any]: ...
    @property
    def areas(self) -> Sequence[Any]: ...


GRADE_SHORT = {"outstanding": "Outstanding", "good": "Good", "requires_improvement": "RI",
               "inadequate": "Inadequate"}  # fmt: skip


def history(found: HistoryLike, *, label: str = "Judgements by area over the inspections") -> str:
    """A grid: one row per area, one column per inspection (oldest first), each judged cell
    a tile in the grade's board colour with the grade written on it; a cell not judged
    stays blank."""
    from improveplan.domain.judgements import GRADE_RAG

    if not found.inspections or not found.areas:
        return ""
    left, top, row, cell, gap = 180, 26, 26, 110, 6
    width = left + len(found.inspections) * (cell + gap)
    body = [
        _text(left + i * (cell + gap) + cell / 2, 16, column.label, text_anchor="middle",
              fill=INK, font_weight="bold")
        for i, column in enumerate(found.inspections)
    ]  # fmt: skip
    for r, area in enumerate(found.areas):
        y = top + r * row
        body.append(_text(left - 8, y + 15, area.label, text_anchor="end", fill=INK))
        for i, grade in enumerate(area.grades):
            if grade is None:
                continue
            x = left + i * (cell + gap)
            colour = RAG_COLOURS[GRADE_RAG[grade]]
            body.append(
                f'<rect x="{x}" y="{y}" width="{cell}" height="{row - 4}" fill="{colour}">'
                f"<title>{_t(area.label)}, {_t(found.inspections[i].label)}: "
                f"{_t(grade.replace('_', ' '))}</title></rect>"
            )
            body.append(_text(x + cell / 2, y + 15, GRADE_SHORT[grade], text_anchor="middle",
                              fill="#ffffff"))  # fmt: skip
    return _svg(width, top + len(found.areas) * row + 4, label, body)
