"""The `person` group: owners, theme leads and reminder recipients."""

from __future__ import annotations

import click

from improveplan.cli.options import format_option, get_app


@click.group()
def person() -> None:
    """Add and list people."""


@person.command("add")
@click.argument("name")
@click.option("--email", help="Where reminders go.")
@click.option("--role", help="e.g. Head of Service, Safeguarding.")
@click.option("--team", help="e.g. Children in Care.")
def add(name: str, email: str | None, role: str | None, team: str | None) -> None:
    """Add a person called NAME (names are unique)."""
    from improveplan.render.output import message
    from improveplan.services import people

    added = people.add_person(get_app(), name=name, email=email, role=role, team=team)
    message(f"Added {added.name}.", "success")


@person.command("list")
@format_option
def list_(fmt: str) -> None:
    """List people."""
    from improveplan.render.output import Column, emit
    from improveplan.services import people

    columns = [
        Column("name", "Name", no_wrap=True),
        Column("email", "Email"),
        Column("role", "Role"),
        Column("team", "Team"),
    ]
    emit(
        people.list_people(get_app()),
        columns,
        fmt,
        empty="No people yet — add one with improveplan person add NAME.",
    )
