"""The action lists: one row per action, the title wrapped to the width left over.

The RAG shows as a letter in its colour, so it reads without colour (NO_COLOR, a
monochrome terminal over SSH) as well as with it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import DataTable

from improveplan.domain.vocab import Rag, spoken

if TYPE_CHECKING:
    from textual.events import Resize

    from improveplan.domain.records import ActionRow

RAG_STYLE = {
    Rag.red: "bold white on red",
    Rag.amber: "bold black on yellow",
    Rag.green: "bold white on dark_green",
    Rag.blue: "bold white on blue",
}

# (header, width) of every column but the title, which takes what is left.
# Status and theme wrap at their spaces too ("not started" on two lines), so the title
# keeps a readable width at 80 columns.
FIXED = (("Ref", 5), ("RAG", 3), ("Status", 8), ("Due", 10), ("Late", 4), ("Theme", 12))
NARROWEST_TITLE = 16


def rag_cell(rag: Rag | None) -> Text:
    if rag is None:
        return Text(" - ", justify="center")
    return Text(f" {rag.value[0].upper()} ", style=RAG_STYLE[rag], justify="center")


def _wrapped(text: str, width: int) -> list[str]:
    """Lines of at most `width`, broken at spaces (a longer word is cut where it must be)."""
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


class ActionTable(DataTable[Any]):
    """A list of actions; the keys act on `highlighted`, the row under the cursor."""

    def __init__(self, *, id: str | None = None, empty: str = "No actions.") -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.actions: list[ActionRow] = []
        self.empty = empty
        self._width = 0

    @property
    def highlighted(self) -> ActionRow | None:
        if not self.actions or not 0 <= self.cursor_row < len(self.actions):
            return None
        return self.actions[self.cursor_row]

    def show(self, actions: Sequence[ActionRow], *, keep: str | None = None) -> None:
        """Replace the rows; the cursor goes back to the action `keep` (by ref) if it is
        still listed, else to the first row."""
        self.actions = list(actions)
        self._fill()
        refs = [a.ref for a in self.actions]
        self.move_cursor(row=refs.index(keep) if keep in refs else 0)

    def on_resize(self, event: Resize) -> None:
        if event.size.width != self._width:
            self._fill()

    def _title_width(self) -> int:
        taken = sum(width + 2 for _, width in FIXED) + 2
        return max(NARROWEST_TITLE, self.size.width - taken - 2)

    def _fill(self) -> None:
        row_before = self.cursor_row
        self._width = self.size.width
        title_width = self._title_width()
        self.clear(columns=True)
        for header, width in FIXED[:5]:
            self.add_column(header, width=width)
        self.add_column("Title", width=title_width)
        self.add_column(*FIXED[5][:1], width=FIXED[5][1])
        if not self.actions:
            self.add_row("", "", "", "", "", Text(self.empty, style="italic"), "")
            return
        for action in self.actions:
            title = _wrapped(action.title, title_width)
            status = _wrapped(spoken(action.status.value), FIXED[2][1])
            theme = _wrapped(action.theme or "", FIXED[5][1])
            self.add_row(
                Text(action.ref, style="bold"),
                rag_cell(action.rag),
                "\n".join(status),
                action.due.isoformat() if action.due else "",
                Text(str(action.days_overdue), style="red") if action.days_overdue else "",
                "\n".join(title),
                "\n".join(theme),
                height=max(len(title), len(status), len(theme)),
                key=action.ref,
            )
        if row_before < len(self.actions):
            self.move_cursor(row=row_before)
