"""The `person` group: owners, theme leads and reminder recipients."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from improveplan.cli.options import completes, format_option, get_app, needs
from improveplan.domain.access import Need

if TYPE_CHECKING:
    from improveplan.services.edits import Updated


@click.group()
def person() -> None:
    """Add, list, show, correct and remove people."""


@person.command("add")
@click.argument("name")
@click.option("--email", help="Where reminders go.")
@click.option("--role", help="e.g. Head of Service, Safeguarding.")
@click.option("--team", help="e.g. Children in Care.")
@click.option("--login", metavar="ROLE", help="The PostgreSQL login that acts as them.")
def add(
    name: str, email: str | None, role: str | None, team: str | None, login: str | None
) -> None:
    """Add a person called NAME (names are unique)."""
    from improveplan.render.output import message
    from improveplan.services import people

    added = people.add_person(get_app(), name=name, email=email, role=role, team=team, login=login)
    message(f"Added {added.name}.", "success")


@person.command("list")
@format_option
@needs(Need.read)
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


def report_update(label: str, result: Updated) -> None:
    """`Person Tom Okafor: email — → tom@example.org.`, or that nothing changed."""
    from improveplan.cli.action_views import say

    parts = [f"{c.field} {c.old or '—'} → {c.new or '—'}" for c in result.changes]
    if not parts:
        say(f"{label} {result.name}: nothing changed.", "success")
        return
    say(f"{label} {result.name}: " + "; ".join(parts) + ".", "success")


@person.command("update")
@click.argument("name", shell_complete=completes("person"))
@click.option("--name", "new_name", metavar="NAME", help="Their name, corrected.")
@click.option("--email", help='Where reminders go ("" clears it).')
@click.option("--role", help='e.g. Head of Service ("" clears it).')
@click.option("--team", help='e.g. Children in Care ("" clears it).')
@click.option(
    "--login", metavar="ROLE", help='The PostgreSQL login that acts as them ("" or none clears it).'
)
def update(
    name: str,
    new_name: str | None,
    email: str | None,
    role: str | None,
    team: str | None,
    login: str | None,
) -> None:
    """Correct the name, email, role, team or login of the person called NAME."""
    from improveplan.services import people

    result = people.update_person(
        get_app(), name=name, new_name=new_name, email=email, role=role, team=team, login=login
    )
    report_update("Person", result)


@person.command("show")
@click.argument("name", shell_complete=completes("person"))
@format_option
@needs(Need.read)
def show(name: str, fmt: str) -> None:
    """Show the person called NAME: their actions, and the themes and plans they lead.

    Every plan's, or only those of --plan when it is given.
    """
    from improveplan.cli.person_views import render_person
    from improveplan.services import people

    render_person(people.show_person(get_app(), name=name), fmt)


@person.command("remove")
@click.argument("name", shell_complete=completes("person"))
@click.option(
    "--reassign-to",
    metavar="PERSON",
    shell_complete=completes("person"),
    help="Who takes over their actions, and the themes and plans they lead.",
)
def remove(name: str, reassign_to: str | None) -> None:
    """Remove the person called NAME (someone who has left).

    Refused while they own actions, unless --reassign-to names who takes them over. The
    themes and plans they lead pass to that person too; without one, those leads are
    cleared.
    """
    from improveplan.cli.person_views import render_removal
    from improveplan.services import person_removal

    render_removal(person_removal.remove_person(get_app(), name=name, reassign_to=reassign_to))
