"""`action list`: the plan's actions as a table, or every row in json or csv."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from improveplan.cli.choices import RAG, STATUS
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
    from improveplan.domain.filters import ActionFilter
    from improveplan.services.context import App


@click.command("list")
@click.option(
    "--owner",
    metavar="NAME",
    help="Only this person's actions.",
    shell_complete=completes("person"),
)
@click.option("--mine", is_flag=True, help="Only the acting user's actions (--user).")
@click.option("--status", "statuses", multiple=True, type=STATUS, help="Only this status.")
@click.option("--rag", type=RAG, help="Only this RAG rating.")
@click.option(
    "--rec",
    metavar="REF",
    help="Only actions answering this recommendation.",
    shell_complete=completes("rec"),
)
@click.option("--theme", metavar="T", help="Only this theme.", shell_complete=completes("theme"))
@click.option("--overdue", is_flag=True, help="Only open actions past their due date.")
@click.option("--all", "all_", is_flag=True, help="Include cancelled actions.")
@as_of_option
@format_option
@needs(Need.read)
def list_(
    owner: str | None,
    mine: bool,
    statuses: tuple[str, ...],
    rag: str | None,
    rec: str | None,
    theme: str | None,
    overdue: bool,
    all_: bool,
    as_of: dt.date | None,
    fmt: str,
) -> None:
    """List actions, soonest due first.

    Cancelled actions are left out unless --all or --status asks for them.
    """
    from improveplan.domain.filters import ActionFilter
    from improveplan.domain.vocab import Rag, Status

    if mine and owner:
        raise click.UsageError("give --mine or --owner, not both")
    app = get_app()
    day = as_of_or_today(as_of)
    flt = ActionFilter(
        owner=owner,
        status=tuple(Status(s) for s in statuses) or None,
        rag=None if rag is None else Rag(rag),
        rec=rec,
        theme=theme,
        overdue=overdue,
        include_cancelled=all_ or bool(statuses),
    )
    if fmt == "table":
        _table(app, day, flt, mine=mine)
    else:  # every row, written as the cursor reads it
        _stream(app, day, flt, fmt, mine=mine)


def _table(app: App, day: dt.date, flt: ActionFilter, *, mine: bool) -> None:
    """The table from the driver alone where it can (services/direct.py: no SQLAlchemy
    to import for a few thousand rows), else from the services, which say what is wrong."""
    from improveplan.cli.action_views import render_list
    from improveplan.services import direct

    rows = direct.action_list(app, as_of=day, flt=flt, mine=mine)
    if rows is None:
        from improveplan.services import actions

        if mine:
            flt = actions.mine_filter(app, flt)
        rows = actions.list_actions(app, as_of=day, flt=flt)
    render_list(rows, "table", day)


def _stream(app: App, day: dt.date, flt: ActionFilter, fmt: str, *, mine: bool) -> None:
    """Every row in json or csv as the cursor reads it: with the driver alone where it
    can (services/direct.py), else through SQLAlchemy (services/listing.py)."""
    from improveplan.cli.action_views import render_list
    from improveplan.services import direct

    read = direct.action_csv if fmt == "csv" else direct.action_stream
    with read(app, as_of=day, flt=flt, mine=mine) as rows:
        if rows is not None:
            render_list(rows, fmt, day)
            return
    from improveplan.services.listing import action_stream

    if mine:
        from improveplan.services import actions

        flt = actions.mine_filter(app, flt)
    with action_stream(app, as_of=day, flt=flt) as full:
        render_list(full, fmt, day)
