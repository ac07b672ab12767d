"""`access setup`: the group role and row-level security of a shared PostgreSQL database."""

from __future__ import annotations

import click

from improveplan.cli.options import format_option, get_app


@click.command()
@click.option(
    "--member",
    "members",
    metavar="LOGIN",
    multiple=True,
    help="Also make this existing login a member of improveplan_member (repeatable).",
)
@format_option
def setup(members: tuple[str, ...], fmt: str) -> None:
    """Make a shared PostgreSQL database enforce the plans' roles itself.

    Creates the group role improveplan_member (NOLOGIN) if missing, grants it the
    improveplan tables (INSERT and SELECT only on the audit trail), and turns on
    row-level security: a login sees only the plans it holds a role in and changes only
    what its role allows. Run it as a DBA (a superuser, or the database's owner with
    CREATEROLE) after init and after each db upgrade; running it again is safe. Make
    logins members with CREATE ROLE name LOGIN IN ROLE improveplan_member, or --member.
    """
    from improveplan.services.access_setup import setup as run_setup

    report = run_setup(get_app(), list(members))
    if fmt == "json":
        from improveplan.render.output import emit_json

        emit_json(report)
        return
    if fmt == "csv":  # one row: what was set up, by the JSON's keys
        import sys

        from improveplan.render.csv_out import write_csv
        from improveplan.serialize import record_keys
        from improveplan.services.access_setup import SetupReport

        write_csv([report], record_keys(SetupReport), sys.stdout)
        return
    made = "created" if report.created_group else "already there"
    click.echo(
        f"Access set up on {report.database}: group role {report.group} ({made}), "
        f"row-level security on {report.tables} tables ({report.policies} policies)."
    )
    for login in report.members:
        click.echo(f"{login} is a member of {report.group}.")
