"""The five views' contents: each fills its widgets from what the Board read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.containers import Vertical
from textual.widgets import DataTable, Label

from improveplan.domain.vocab import RAG_ORDER, spoken
from improveplan.tui.tables import ActionTable, rag_cell

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from improveplan.domain.records import OverdueReport
    from improveplan.domain.status import StatusReport
    from improveplan.domain.timeline import Timeline
    from improveplan.tui.data import Filter, Mine

VIEWS: tuple[tuple[str, str], ...] = (
    ("mine", "My actions"),
    ("all", "All actions"),
    ("overdue", "Overdue"),
    ("timeline", "Timeline"),
    ("status", "Status"),
)


def compose_view(view: str) -> ComposeResult:
    """The widgets of one view (inside its tab)."""
    with Vertical():
        if view == "mine":
            yield Label("Opening the plan…", id="mine-heading", classes="heading")
            yield ActionTable(id="mine-table", empty="You have no open actions.")
        elif view == "all":
            yield Label("", id="all-heading", classes="heading")
            yield ActionTable(id="all-table", empty="No action matches.")
        elif view == "overdue":
            yield Label("", id="overdue-heading", classes="heading")
            yield ActionTable(id="overdue-table", empty="Nothing is overdue.")
            yield Label("", id="soon-heading", classes="heading")
            yield ActionTable(id="soon-table", empty="Nothing falls due soon.")
        elif view == "timeline":
            yield Label("", id="timeline-heading", classes="heading")
            yield DataTable[Any](id="timeline-table", cursor_type="row", zebra_stripes=True)
        else:
            yield Label("", id="status-heading", classes="heading")
            yield DataTable[Any](id="status-table", cursor_type="row", zebra_stripes=True)


def _number(value: object) -> Text:
    return Text(str(value), justify="right")


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def fill_mine(root: Any, mine: Mine, keep: str | None) -> None:
    heading = root.query_one("#mine-heading", Label)
    if mine.problem is not None:
        heading.update(Text(mine.problem, style="bold red"))
    else:
        heading.update(f"{_count(len(mine.rows), 'open action')}, soonest due first")
    root.query_one("#mine-table", ActionTable).show(mine.rows, keep=keep)


def fill_all(root: Any, rows: list[Any], chosen: Filter, keep: str | None) -> None:
    said = chosen.described()
    where = f" — {said}" if said else " — f filters, / searches"
    root.query_one("#all-heading", Label).update(f"{_count(len(rows), 'action')}{where}")
    root.query_one("#all-table", ActionTable).show(rows, keep=keep)


def fill_overdue(root: Any, report: OverdueReport, keep: str | None) -> None:
    late = len(report.overdue)
    root.query_one("#overdue-heading", Label).update(
        f"Overdue: {_count(late, 'action')} as of {report.as_of.isoformat()}"
    )
    root.query_one("#overdue-table", ActionTable).show(report.overdue, keep=keep)
    at_risk = len(report.milestones_at_risk)
    risk = f"; {_count(at_risk, 'milestone')} at risk" if at_risk else ""
    root.query_one("#soon-heading", Label).update(
        f"Due soon: {_count(len(report.due_soon), 'action')}{risk}"
    )
    root.query_one("#soon-table", ActionTable).show(report.due_soon, keep=keep)


def fill_timeline(root: Any, found: Timeline) -> None:
    root.query_one("#timeline-heading", Label).update(
        f"{found.plan}: the timeline as of {found.as_of.isoformat()}"
    )
    table = root.query_one("#timeline-table", DataTable)
    table.clear(columns=True)
    for header in ("Date", "Milestone", "Status", "Days", "Open actions"):
        table.add_column(header)
    for entry in found.milestones:
        table.add_row(
            entry.date.isoformat(), entry.name, spoken(entry.status.value),
            _number(entry.days_to_go), _number(entry.open_actions),
        )  # fmt: skip
    if not found.milestones:
        table.add_row("", Text("No milestones yet.", style="italic"), "", "", "")


def fill_status(root: Any, report: StatusReport) -> None:
    totals = report.totals
    colours = ", ".join(f"{getattr(totals, rag.value)} {rag.value}" for rag in RAG_ORDER)
    root.query_one("#status-heading", Label).update(
        f"{report.plan} as of {report.as_of.isoformat()}: {_count(totals.total, 'action')} "
        f"({colours}); {report.pct_complete}% complete, {report.overdue} overdue"
    )
    table = root.query_one("#status-table", DataTable)
    table.clear(columns=True)
    table.add_column("Theme")
    for rag in RAG_ORDER:
        table.add_column(rag_cell(rag))
    for header in ("Total", "% done", "Late"):
        table.add_column(header)
    for group in report.groups:
        table.add_row(
            group.name, *(_number(getattr(group, rag.value)) for rag in RAG_ORDER),
            _number(group.total), _number(f"{group.pct_complete}%"), _number(group.overdue),
        )  # fmt: skip
