"""One action in full: what `action show` and `action history` print, on one screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from improveplan.domain.vocab import spoken
from improveplan.tui.tables import rag_cell

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from improveplan.tui.data import Detail


def _facts(detail: Detail) -> Table:
    action = detail.action
    facts = Table.grid(padding=(0, 1))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column()
    rag = Text.assemble(rag_cell(action.rag), " ", action.rag.value if action.rag else "none")
    if action.rag_override_reason:
        rag.append(f" (set by hand: {action.rag_override_reason})")
    late = f", {action.days_overdue} days late" if action.days_overdue else ""
    due = action.due.isoformat() if action.due else "none"
    slipped = action.original_due is not None and action.original_due != action.due
    original = action.original_due.isoformat() if slipped and action.original_due else None
    status = spoken(action.status.value)
    rows: list[tuple[str, RenderableType]] = [
        ("Owner", action.owner or "nobody"),
        ("Theme", action.theme or "none"),
        ("Status", f"{status} ({action.status_reason})" if action.status_reason else status),
        ("RAG", rag),
        ("Due", f"{due}{late}" + (f" (first due {original})" if original else "")),
        ("Start", action.start.isoformat() if action.start else "none"),
        ("Milestone", action.milestone or "none"),
        ("Success measure", action.success_measure or "none"),
        ("Evidence", action.evidence or "none"),
        ("Version", str(action.version)),
    ]
    for name, value in rows:
        facts.add_row(name, value)
    return facts


def _recommendations(detail: Detail) -> RenderableType:
    if not detail.recommendations:
        return Text("Answers no recommendation.", style="italic")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for ref, text in detail.recommendations:
        grid.add_row(ref, text)
    return grid


def _notes(detail: Detail) -> RenderableType:
    notes = detail.action.notes
    if not notes:
        return Text("No notes yet.", style="italic")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="dim")
    grid.add_column()
    for note in notes:
        grid.add_row(note.at.strftime("%Y-%m-%d"), f"{note.text} — {note.author}")
    return grid


def _history(detail: Detail) -> RenderableType:
    table = Table(expand=True, show_edge=False, pad_edge=False)
    for header in ("When", "Who", "What", "From", "To"):
        table.add_column(header, no_wrap=header == "When")
    for event in detail.history:
        table.add_row(
            event.when.strftime("%Y-%m-%d %H:%M"), event.who, spoken(event.what),
            event.old or "", event.to or "",
        )  # fmt: skip
    return table


def render_detail(detail: Detail) -> RenderableType:
    """The whole action as one renderable (also what the tests read)."""
    action = detail.action
    heading = Text.assemble((f"Action {action.ref}", "bold"), "  ", action.title)
    return Group(
        heading, Text(), _facts(detail),
        Text("\nRecommendations", style="bold underline"), _recommendations(detail),
        Text("\nNotes", style="bold underline"), _notes(detail),
        Text("\nHistory", style="bold underline"), _history(detail),
    )  # fmt: skip


class ActionScreen(Screen[None]):
    """The detail pane of one action; the action keys work here as in the lists."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    def __init__(self, detail: Detail) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="detail"):
            yield Static(render_detail(self.detail), id="detail-body")
        yield Footer()

    def show(self, detail: Detail) -> None:
        self.detail = detail
        self.query_one("#detail-body", Static).update(render_detail(detail))

    def action_back(self) -> None:
        self.dismiss(None)
