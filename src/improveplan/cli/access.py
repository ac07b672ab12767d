"""The `access` group (grant, revoke, list roles) and `whoami` (docs/design.md §5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from improveplan.cli.options import completes, format_option, get_app

if TYPE_CHECKING:
    from improveplan.services.access_grants import Granted, WhoAmI

ROLES = ("viewer", "manager", "lead", "admin")  # domain/vocab.py Role, kept light for --help
NO_GRANTS = "no grants in this database: everyone may do everything"

plan_option = click.option(
    "--plan",
    "plan",
    metavar="NAME",
    shell_complete=completes("plan"),
    help="The plan (default: the global --plan, or the only plan).",
)
theme_option = click.option(
    "--theme",
    metavar="THEME",
    shell_complete=completes("theme"),
    help="The theme a lead leads (lead only; one per command).",
)


@click.group()
def access() -> None:
    """Grant, revoke and list who may do what in a plan.

    viewer reads the plan; manager updates, notes and completes the actions they own;
    lead does everything on the actions of the theme they lead; admin does everything in
    the plan, access included. A database with no grants checks nothing.
    """


def _said(verb: str, done: Granted) -> str:
    roles = " and ".join(done.roles)
    return f"{verb} {done.person} {roles} in plan {done.plan}."


@access.command("grant")
@click.argument("person", shell_complete=completes("person"))
@click.argument("role", type=click.Choice(ROLES))
@plan_option
@theme_option
def grant(person: str, role: str, plan: str | None, theme: str | None) -> None:
    """Give PERSON the ROLE in the plan (viewer, manager, lead or admin).

    The database administrator may always grant; otherwise a plan admin. A lead's grant
    names their theme with --theme; repeat the command for each theme.
    """
    from improveplan.cli.action_views import say
    from improveplan.domain.vocab import Role
    from improveplan.services import access_grants

    done = access_grants.grant(get_app(), person=person, role=Role(role), plan=plan, theme=theme)
    if not done.changed:
        say(f"{done.person} is already {done.roles[0]} in plan {done.plan}.", "success")
        return
    say(_said("Granted", done), "success")


@access.command("revoke")
@click.argument("person", shell_complete=completes("person"))
@click.argument("role", type=click.Choice(ROLES), required=False)
@plan_option
@theme_option
def revoke(person: str, role: str | None, plan: str | None, theme: str | None) -> None:
    """Take ROLE in the plan away from PERSON (no ROLE: every role they hold there).

    The last admin of a plan is kept unless the database administrator revokes it.
    """
    from improveplan.cli.action_views import say
    from improveplan.domain.vocab import Role
    from improveplan.services import access_grants

    asked = Role(role) if role else None
    done = access_grants.revoke(get_app(), person=person, role=asked, plan=plan, theme=theme)
    say(_said("Revoked", done), "success")


@access.command("list")
@plan_option
@click.option("--all", "every", is_flag=True, help="Every plan you may read.")
@format_option
def list_(plan: str | None, every: bool, fmt: str) -> None:
    """List who holds which role, by role then name."""
    from improveplan.render.output import Column, emit
    from improveplan.services import access_grants

    if every and plan:
        raise click.UsageError("give --plan or --all, not both")
    columns = [
        *([Column("plan", "Plan")] if every else []),
        Column("person", "Person", no_wrap=True),
        Column("login", "Login", no_wrap=True),
        Column("role", "Role", no_wrap=True),
        Column("theme", "Theme"),
    ]
    app = get_app()
    found = access_grants.list_grants(app, plan=plan, every=every)
    checked = app.identity is not None and app.identity.checked
    where = "in any plan you may read" if every else "in this plan"
    empty = f"No grants {where}" if checked else f"No grants — {NO_GRANTS}"
    emit(found, columns, fmt, empty=f"{empty}; grant with improveplan access grant PERSON ROLE.")


@click.command("whoami")
@format_option
def whoami(fmt: str) -> None:
    """Show who the tool takes you to be: login, person, and roles per plan."""
    from improveplan.render.output import emit_json
    from improveplan.services import access_grants

    me = access_grants.whoami(get_app())
    if fmt == "json":
        emit_json(me)
    elif fmt == "csv":
        _whoami_csv(me)
    else:
        _render_whoami(me)


WHOAMI_CSV = ("login", "person", "actor", "plan", "role", "theme")


def _whoami_csv(me: WhoAmI) -> None:
    """One row per role (plan, role, theme), each naming who holds it; a row with the
    role columns empty when there is none, so the login is always there."""
    import sys

    from improveplan.render.csv_out import write_csv

    who = {"login": me.login, "person": me.person, "actor": me.actor}
    roles = [{"plan": r.plan, "role": r.role.value, "theme": r.theme} for r in me.roles]
    write_csv([who | role for role in roles or [{}]], WHOAMI_CSV, sys.stdout)


def _render_whoami(me: WhoAmI) -> None:
    from improveplan.render.output import Column, table

    pairs = [
        ("Login", me.login),
        ("Database", "PostgreSQL" if me.database == "postgresql" else "SQLite"),
        ("Access", "checked" if me.checked else NO_GRANTS),
        ("Person", me.person or "none — no person is named by you or has your login"),
        ("Acting for", me.acting_for),
        # the trail keeps the login beside the actor when they differ (docs/design.md §5)
        ("Audit trail", me.actor if me.login == me.actor else f"{me.actor} (login {me.login})"),
        ("DBA", "yes" if me.dba else "no"),
    ]
    rows = [{"field": k, "value": v} for k, v in pairs if v]
    table(rows, [Column("field", "Who", style="heading", no_wrap=True), Column("value", "")])
    if not me.checked:
        return
    table(
        [{"plan": r.plan, "role": r.role.value, "theme": r.theme} for r in me.roles],
        [Column("plan", "Plan"), Column("role", "Role", no_wrap=True), Column("theme", "Theme")],
        title="Roles",
        empty="No roles in any plan — a plan admin can grant one (improveplan access grant).",
    )


def _attach_setup() -> None:
    """`access setup` lives in its own module (PostgreSQL's roles and policies)."""
    from improveplan.cli.access_setup import setup

    access.add_command(setup)


_attach_setup()
