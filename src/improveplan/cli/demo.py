"""`improveplan demo`: build the sample Peterborough plan in its own file and show it."""

from __future__ import annotations

import datetime as dt
import shlex
from typing import TYPE_CHECKING, Any

import click

from improveplan.cli.options import DATE

if TYPE_CHECKING:
    from improveplan.domain.records import RagCounts
    from improveplan.services.demo import DemoStatus

DEMO_FILE = "improveplan-demo.db"
EXPLORE = (
    (("action", "list"), "action list --as-of {as_of}"),
    (("overdue",), "overdue --as-of {as_of}"),
    (("status",), "status --as-of {as_of} --since {month}"),
    (("action", "history"), "action history 3"),
    (("action", "show"), "action show 3"),
    (("rec", "list"), "rec list"),
    (("inspection", "show"), "inspection show 1"),
    (("inspection", "history"), "inspection history"),
    (("timeline",), "timeline --as-of {as_of}"),
    (("report",), "report --format md --as-of {as_of} -o board-report.md"),
)


@click.command()
@click.option(
    "--db",
    "db_path",
    metavar="PATH|URL",
    help=f"Where to build the demo [default: {DEMO_FILE} in the current directory, "
    "never your real database].",
)
@click.option(
    "--as-of",
    "as_of",
    type=DATE,
    default=None,
    help="Show status and overdue as on this DATE [default: 2025-03-31, inside the plan].",
)
def demo(db_path: str | None, as_of: dt.date | None) -> None:
    """Build a realistic plan for Peterborough City Council and show where it stands.

    The inspections of 2015, 2018 and 2023 (its eight recommendations), the MASH focused
    visit, the DfE improvement notice, the improvement board and the July 2024 monitoring
    visit are the public record; the people and actions are invented. Every change is
    dated on its day of the story, and the nightly counts are recorded weekly. An earlier
    demo file is rebuilt fresh; any other file is left alone.
    """
    from improveplan.render.output import err, message
    from improveplan.services import database
    from improveplan.services import demo as demo_service
    from improveplan.services.context import App
    from improveplan.store.engine import sqlite_path

    target = db_path or DEMO_FILE
    app = App.from_options(db=target, plan=demo_service.DEMO_PLAN, user=demo_service.DEMO_ACTOR)
    path = sqlite_path(app.url)
    if path is not None:
        demo_service.prepare_demo_file(path)
    else:
        demo_service.refuse_a_shared_database(app)
    with err().status("Building the demo plan through the services (a few seconds)…"):
        database.init(app)
        summary = demo_service.build_demo(app)
    message(
        f"Built the {summary.authority} demo plan in {app.shown_db}: "
        f"{summary.inspections} inspections, {summary.recommendations} recommendations "
        f"to answer, {summary.actions} actions, {summary.people} people, "
        f"{summary.themes} themes, dated through the story to {summary.as_of.isoformat()}.",
        "success",
    )
    click.echo(f"Public record: {summary.public}\nInvented: {summary.invented}\n")
    when = as_of or summary.as_of
    _show(demo_service.demo_status(app, as_of=when))
    _explore(target, when)


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _show(status: DemoStatus) -> None:
    """Status by theme with a total row, then the overdue list, most overdue first."""
    from improveplan.domain.vocab import RAG_ORDER, Rag
    from improveplan.render.output import Column, out, rag_style, table

    out().print(f"As of {_long_date(status.as_of)}:", style="heading", markup=False)
    rows = [_counts_row(r.name or "(no theme)", r) for r in status.themes]
    rows.append(_counts_row("Whole plan", status.totals))
    columns = [
        Column("name", "Theme", no_wrap=True),
        *(
            Column(rag.value, rag.value.capitalize(), justify="right", style=rag_style(rag))
            for rag in RAG_ORDER
        ),
        Column("total", "Total", justify="right"),
        Column("overdue", "Overdue", justify="right"),
    ]
    table(rows, columns, title=f"Plan {status.plan}: RAG by theme")
    overdue_columns = [
        Column("ref", "Ref", style="ref", no_wrap=True),
        Column("title", "Overdue action", ratio=1),
        Column("owner", "Owner", no_wrap=True),
        Column("due", "Due", no_wrap=True),
        Column(
            "days_overdue", "Days late", justify="right", style=rag_style(Rag.red), no_wrap=True
        ),
    ]
    table(status.overdue, overdue_columns, empty="Nothing is overdue.")


def _counts_row(name: str, counts: RagCounts) -> dict[str, Any]:
    """One table row (display only): the group's name and its counts."""
    row: dict[str, Any] = {rag.value: n for rag, n in counts.colours}
    return {"name": name, **row, "total": counts.total, "overdue": counts.overdue}


def _explore(target: str, as_of: dt.date) -> None:
    """The commands to explore the demo (only those this build of improveplan has)."""
    root = click.get_current_context().find_root()
    lines = []
    for path, template in EXPLORE:
        if _registered(root, path):
            command = template.format(as_of=as_of.isoformat(), month=as_of.replace(day=1))
            lines.append(f"  improveplan --db {shlex.quote(target)} {command}")
    click.echo("\nExplore it:")
    click.echo("\n".join(lines))


def _registered(ctx: click.Context, path: tuple[str, ...]) -> bool:
    command: click.Command | None = ctx.command
    for name in path:
        if not isinstance(command, click.Group):
            return False
        command = command.get_command(ctx, name)
    return command is not None
