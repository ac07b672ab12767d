"""The `theme` group: workstreams that group actions, each with a lead."""

from __future__ import annotations

import datetime as dt

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


@click.group()
def theme() -> None:
    """Add, list, correct and remove themes (workstreams)."""


@theme.command("add")
@click.argument("name")
@click.option(
    "--lead",
    metavar="PERSON",
    help="Who leads it (gets escalations).",
    shell_complete=completes("person"),
)
@needs(Need.admin)
def add(name: str, lead: str | None) -> None:
    """Add a theme called NAME to the plan."""
    from improveplan.cli.action_views import say
    from improveplan.services import themes

    added = themes.add_theme(get_app(), name=name, lead=lead)
    led = f" (lead {added.lead})" if added.lead else ""
    say(f'Added theme "{added.name}"{led}.', "success")


@theme.command("list")
@as_of_option
@format_option
@needs(Need.read)
def list_(as_of: dt.date | None, fmt: str) -> None:
    """List themes with their actions, open and overdue (cancelled not counted)."""
    from improveplan.render.output import Column, emit
    from improveplan.services import themes

    columns = [
        Column("name", "Theme"),
        Column("lead", "Lead"),
        Column("actions", "Actions", justify="right", no_wrap=True),
        Column("open", "Open", justify="right", no_wrap=True),
        Column("overdue", "Overdue", justify="right", no_wrap=True),
    ]
    emit(
        themes.list_themes(get_app(), as_of=as_of_or_today(as_of)),
        columns,
        fmt,
        empty="No themes yet — add one with improveplan theme add NAME --lead PERSON.",
    )


@theme.command("update")
@click.argument("name", shell_complete=completes("theme"))
@click.option("--name", "new_name", metavar="NAME", help="Its name, corrected.")
@click.option(
    "--lead",
    metavar="PERSON",
    help="Who leads it now (`none`: nobody).",
    shell_complete=completes("person"),
)
@needs(Need.admin)
def update(name: str, new_name: str | None, lead: str | None) -> None:
    """Rename the theme called NAME or change its lead."""
    from improveplan.cli.people import report_update
    from improveplan.services import themes

    report_update("Theme", themes.update_theme(get_app(), name=name, new_name=new_name, lead=lead))


@theme.command("remove")
@click.argument("name", shell_complete=completes("theme"))
@needs(Need.admin)
def remove(name: str) -> None:
    """Remove the theme called NAME; only one holding no action or recommendation."""
    from improveplan.cli.action_views import say
    from improveplan.services import themes

    removed = themes.remove_theme(get_app(), name=name)
    say(f'Removed theme "{removed}".', "success")
