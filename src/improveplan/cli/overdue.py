"""The `overdue` command: overdue actions, those due soon, milestones at risk."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from improveplan.cli.options import (
    as_of_option,
    as_of_or_today,
    completes,
    format_option,
    get_app,
    needs,
)
from improveplan.domain.access import Need

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any

    from improveplan.domain.records import MilestoneAtRisk, OverdueReport, OverdueStream


def _refs(refs: list[str], count: int) -> str:
    """The first refs (the service sends REFS_LIMIT), then "+N more" of `count`."""
    more = count - len(refs)
    shown = ", ".join(refs)
    return f"{shown} +{more} more" if more > 0 else shown


# The table is a summary a person reads: the most overdue first, the rest in csv/json.
TABLE_LIMIT = 50


def render(data: OverdueReport, fmt: str) -> None:
    """Print the report as JSON, CSV (overdue and due-soon actions) or tables."""
    from improveplan.render.output import emit_json, out

    if fmt == "json":
        emit_json(data)
        return
    if fmt == "csv":
        _csv(data)
        return
    if not data.overdue and not data.due_soon and not data.milestones_at_risk:
        out().print(f"Nothing overdue as of {data.as_of}.", markup=False)
        return
    _action_tables(data)
    if data.milestones_at_risk:
        _milestone_table(data.milestones_at_risk)


CSV_KEYS = ("section", "ref", "title", "owner", "due", "days_overdue", "status", "rag")


def _csv(data: OverdueReport | OverdueStream) -> None:
    """One CSV of both lists, each row led by its section."""
    import sys
    from itertools import chain

    from improveplan.render.csv_out import csv_rows, write_cells

    def lines(section: str, rows: Iterable[Any]) -> Iterator[list[Any]]:
        return ([section, *cells] for cells in csv_rows(rows, CSV_KEYS[1:]))

    rows = chain(lines("overdue", data.overdue), lines("due_soon", data.due_soon))
    write_cells(rows, CSV_KEYS, sys.stdout)


def _stream(as_of: dt.date, within: int | None, owner: str | None, fmt: str) -> int:
    """The full report in json or csv, streamed; returns how many actions were overdue."""
    from improveplan.services import direct

    app = get_app()
    with direct.overdue_stream(app, as_of=as_of, within=within, owner=owner) as data:
        if data is not None:  # read with the driver alone (services/direct.py)
            return _write(data, fmt)
    from improveplan.services.listing import overdue_stream

    with overdue_stream(app, as_of=as_of, within=within, owner=owner) as full:
        return _write(full, fmt)


def _summary(as_of: dt.date, within: int | None, owner: str | None) -> OverdueReport:
    """The table's report, cut to TABLE_LIMIT: read with the driver alone when it can."""
    from improveplan.services import direct

    app = get_app()
    data = direct.overdue_report(app, as_of=as_of, within=within, owner=owner, limit=TABLE_LIMIT)
    if data is None:
        from improveplan.services.overdue import overdue_report

        data = overdue_report(app, as_of=as_of, within=within, owner=owner, limit=TABLE_LIMIT)
    return data


def _write(data: OverdueStream, fmt: str) -> int:
    from improveplan.render.output import emit_json

    if fmt == "json":
        emit_json(data)
    else:
        _csv(data)
    return data.overdue.count


def _action_tables(data: OverdueReport) -> None:
    from improveplan.domain.vocab import Rag
    from improveplan.render.output import Column, out, rag_style, table

    actions = [
        Column("ref", "Ref", style="ref", no_wrap=True),
        Column("title", "Action", ratio=3),
        Column("owner", "Owner"),
        Column("due", "Due", no_wrap=True),
    ]
    counts = data.counts
    if data.overdue:
        days = Column("days_overdue", "Days overdue", style=rag_style(Rag.red), justify="right")
        table(
            data.overdue,
            [*actions, days],
            title=f"Overdue as of {data.as_of}",
            limit=TABLE_LIMIT,
            total=counts.overdue if counts else None,
        )
    else:
        out().print(f"Nothing overdue as of {data.as_of}.", markup=False)
    if data.due_soon:
        rag = Column("rag", "RAG", style=rag_style, no_wrap=True)
        table(
            data.due_soon,
            [*actions, rag],
            title="Due soon",
            limit=TABLE_LIMIT,
            total=counts.due_soon if counts else None,
        )


def _milestone_table(at_risk: list[MilestoneAtRisk]) -> None:
    from improveplan.render.output import Column, table

    rows = [
        {"date": m.date, "name": m.name, "count": m.count, "refs": _refs(m.open_actions, m.count)}
        for m in at_risk
    ]
    columns = [
        Column("date", "Date", no_wrap=True),
        Column("name", "Milestone"),
        Column("count", "Open", justify="right", no_wrap=True),
        Column("refs", "Open actions", style="ref", ratio=2),
    ]
    table(rows, columns, title="Milestones at risk")


@click.command("overdue")
@as_of_option
@click.option(
    "--owner",
    metavar="NAME",
    help="Only this person's actions.",
    shell_complete=completes("person"),
)
@click.option(
    "--within",
    type=click.IntRange(min=0),
    default=None,
    help="Due soon = due within DAYS of the as-of date [config notify.due_soon_days, 14].",
)
@click.option(
    "--fail-on-overdue", is_flag=True, help="Exit with status 3 when anything is overdue."
)
@format_option
@needs(Need.read)
def overdue(
    as_of: dt.date | None, owner: str | None, within: int | None, fail_on_overdue: bool, fmt: str
) -> None:
    """Overdue actions (most overdue first), actions due soon, and milestones at risk.

    A milestone (a deadline, not done, today or later) is at risk when an action linked
    to it, or due on or before it, is still open; each open action counts against the
    milestone it is linked to, else the first one on or after its due date.
    """
    from improveplan.errors import ExitCode

    if fmt != "table":  # every row, written as the cursor reads it
        late = _stream(as_of_or_today(as_of), within, owner, fmt)
        if fail_on_overdue and late:
            raise click.exceptions.Exit(int(ExitCode.OVERDUE))
        return
    data = _summary(as_of_or_today(as_of), within, owner)
    render(data, fmt)
    if fail_on_overdue and data.overdue:
        raise click.exceptions.Exit(int(ExitCode.OVERDUE))
