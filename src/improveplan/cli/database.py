"""`init` and the `db` group: create, upgrade, inspect, check and back up the database."""

from __future__ import annotations

from pathlib import Path

import click

from improveplan.cli.options import get_app


@click.command()
@click.option("--demo", is_flag=True, help="Also load the sample Peterborough plan.")
def init(demo: bool) -> None:
    """Create the database, or upgrade it to this version's schema."""
    from improveplan.render.output import message
    from improveplan.services import database

    app = get_app()
    report = database.init(app)
    message(f"Database ready at {report.database} (schema {report.revision}).", "success")
    if demo:
        from improveplan.services.demo import build_demo

        summary = build_demo(app)
        message(
            f'Loaded the demo plan "{summary.plan}": {summary.recommendations} recommendations, '
            f"{summary.actions} actions (explore it as of {summary.as_of.isoformat()}). "
            f"Public record: {summary.public} Invented: {summary.invented}",
            "success",
        )


@click.group()
def db() -> None:
    """Manage the database: upgrade, current, check, verify, backup."""


@db.command()
def upgrade() -> None:
    """Upgrade the schema to this version of improveplan, keeping every row."""
    from improveplan.render.output import message
    from improveplan.services import database

    report = database.upgrade(get_app())
    message(f"{report.database} is at schema {report.revision} (head).", "success")


@db.command()
def current() -> None:
    """Show the schema revision of the database and of this program."""
    from improveplan.services import database

    report = database.current(get_app())
    words = {
        "current": "up to date",
        "old": "older — run improveplan db upgrade",
        "new": "newer than this program — upgrade improveplan",
        "empty": "no schema — run improveplan init",
    }
    click.echo(f"database: {report.database}")
    click.echo(
        f"revision: {report.revision or '-'} (program head {report.head}, {words[report.state]})"
    )


@db.command()
def check() -> None:
    """Run SQLite's integrity check, confirm the schema is at head, verify the audit trail.

    On a damaged database, print what the integrity check found and exit 1; on an audit
    trail altered, name its first broken event and exit 1.
    """
    from improveplan.services import database

    report = database.check(get_app())
    for line in report.passed:
        click.echo(f"ok  {line}")
    for line in report.problems:
        click.echo(f"bad  {line}")
    failure = report.failure()
    if failure is not None:
        raise failure


@db.command()
def verify() -> None:
    """Verify the audit trail's hash chains, one per plan, event by event.

    Print how many events verify; on an event altered, removed or inserted out of
    order, name the first and exit 1.
    """
    from improveplan.services.audit_verify import verify

    click.echo(f"ok  {verify(get_app()).line()}")


@db.command()
@click.argument("dest", type=click.Path(path_type=Path))
def backup(dest: Path) -> None:
    """Copy the SQLite database consistently to DEST (a new file, mode 0600)."""
    from improveplan.render.output import message
    from improveplan.services import database

    report = database.backup(get_app(), dest)
    message(f"Backed up to {report.written}.", "success")
