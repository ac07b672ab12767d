"""The `plan` group: the plans held in the database."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from improveplan.cli.options import completes, format_option, get_app, needs
from improveplan.domain.access import Need

if TYPE_CHECKING:
    from improveplan.render.output import Column

PLAN_COLUMNS = (
    ("name", "Plan"),
    ("authority", "Local authority"),
    ("la_code", "LA code"),
    ("recommendations", "Recs"),
    ("actions", "Actions"),
    ("lead", "Lead"),
)


def _columns(*extra: tuple[str, str]) -> list[Column]:
    from improveplan.render.output import Column

    return [
        Column(key, header, no_wrap=key in {"la_code"}) for key, header in (*PLAN_COLUMNS, *extra)
    ]


@click.group()
def plan() -> None:
    """Add, list, show and correct improvement plans."""


@plan.command("add")
@click.argument("name")
@click.option(
    "--authority", required=True, help="The local authority, e.g. Peterborough City Council."
)
@click.option("--la-code", help="The DfE local authority code, e.g. 874.")
def add(name: str, authority: str, la_code: str | None) -> None:
    """Add a plan called NAME."""
    from improveplan.render.output import message
    from improveplan.services import plans

    added = plans.add_plan(get_app(), name=name, authority=authority, la_code=la_code)
    message(f'Added plan "{added.name}" for {added.authority}.', "success")


@plan.command("list")
@format_option
def list_(fmt: str) -> None:
    """List the plans in the database."""
    from improveplan.render.output import emit
    from improveplan.services import plans

    emit(
        plans.list_plans(get_app()),
        _columns(),
        fmt,
        empty="No plans yet — add one with improveplan plan add NAME --authority TEXT.",
    )


@plan.command()
@click.argument("name", required=False, shell_complete=completes("plan"))
@format_option
@needs(Need.read)
def show(name: str | None, fmt: str) -> None:
    """Show one plan (default: the current plan)."""
    from improveplan.render.output import emit
    from improveplan.services import plans

    summary = plans.show_plan(get_app(), name=name)
    emit([summary], _columns(("allow_self_signoff", "Self sign-off")), fmt, json_data=summary)


@plan.command("update")
@click.argument("name", shell_complete=completes("plan"))
@click.option("--name", "new_name", metavar="NAME", help="Its name, corrected.")
@click.option("--authority", help="The local authority, corrected.")
@click.option("--la-code", help='The DfE local authority code ("" clears it).')
@click.option(
    "--lead",
    metavar="PERSON",
    shell_complete=completes("person"),
    help="Who is accountable for the whole plan (`none`: nobody); escalations with no "
    "other lead reach them.",
)
@click.option(
    "--allow-self-signoff/--no-allow-self-signoff",
    default=None,
    help="Let an action's owner or completer sign it off too (very small teams); by "
    "default sign-off comes from its theme lead or a plan admin.",
)
@needs(Need.admin)
def update(
    name: str,
    new_name: str | None,
    authority: str | None,
    la_code: str | None,
    lead: str | None,
    allow_self_signoff: bool | None,
) -> None:
    """Correct the plan called NAME, name its lead, or say who may sign off."""
    from improveplan.cli.people import report_update
    from improveplan.services import plans

    result = plans.update_plan(
        get_app(), name=name, new_name=new_name, authority=authority, la_code=la_code,
        lead=lead, allow_self_signoff=allow_self_signoff,
    )  # fmt: skip
    report_update("Plan", result)
