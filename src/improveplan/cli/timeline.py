"""The `notice` and `milestone` groups and the `timeline` command (docs/design.md §2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from improveplan.cli.options import (
    DATE,
    PAST_DATE,
    as_of_option,
    as_of_or_today,
    format_option,
    get_app,
    table_or_json,
)

if TYPE_CHECKING:
    from improveplan.domain.timeline import TimelineEntry


def _status_style() -> Callable[[Any], str | None]:
    """A milestone's status in the colour of the RAG it is closest to."""
    from improveplan.domain.timeline import MilestoneStatus as S

    styles = {
        S.done: "rag.blue",
        S.overdue: "rag.red",
        S.due: "rag.amber",
        S.upcoming: "rag.green",
        S.expected: "muted",
    }
    return styles.get


def _emit_milestones(rows: Sequence[TimelineEntry], fmt: str, *, title: str | None) -> None:
    from improveplan.render.output import Column, emit

    columns = [
        Column("date", "Date", no_wrap=True),
        Column("name", "Milestone", ratio=2),
        Column("status", "Status", style=_status_style(), no_wrap=True, spoken=True),
        Column("days_to_go", "Days", justify="right", no_wrap=True),
        Column("open_actions", "Open", justify="right", no_wrap=True),
        Column("rule", "Rule", style="muted", ratio=3),
    ]
    if fmt == "csv":
        columns[2:2] = [Column("kind", "Kind"), Column("done", "Done")]
    emit(
        rows,
        columns,
        fmt,
        title=title,
        empty="No milestones yet — add an inspection with --received, "
        "or improveplan notice set --issued DATE, or improveplan milestone add NAME --date DATE.",
    )


@click.command("timeline")
@as_of_option
@format_option
def timeline(as_of: dt.date | None, fmt: str) -> None:
    """The statutory and DfE timeline, by date, with what is still open before each milestone.

    Default milestones follow their sources (the report's received date, the notice);
    a date set with `milestone add` wins.
    """
    from improveplan.services import timeline as service

    when = as_of_or_today(as_of)
    data = service.timeline(get_app(), as_of=when)
    _emit_milestones(data.milestones, fmt, title=f"Timeline of {data.plan} as of {when}")


@click.group()
def milestone() -> None:
    """Add, list and complete milestones."""


@milestone.command("list")
@as_of_option
@format_option
def milestone_list(as_of: dt.date | None, fmt: str) -> None:
    """List the plan's milestones (the same rows as `timeline`)."""
    from improveplan.services import timeline as service

    when = as_of_or_today(as_of)
    data = service.timeline(get_app(), as_of=when)
    _emit_milestones(data.milestones, fmt, title=None)


@milestone.command("add")
@click.argument("name")
@click.option("--date", "when", type=DATE, required=True, help="The milestone's DATE.")
def milestone_add(name: str, when: dt.date) -> None:
    """Add milestone NAME, or set your own date for a default one (your date then wins)."""
    from improveplan.render.output import message
    from improveplan.services import timeline as service

    row = service.set_milestone(get_app(), name=name, date=when)
    verb = "Added" if row.created else "Set"
    message(f'{verb} milestone "{row.name}" on {row.date}.', "success")


@milestone.command("done")
@click.argument("name")
@click.option(
    "--date", "when", type=PAST_DATE, default=None, help="When it was met (default today)."
)
def milestone_done(name: str, when: dt.date | None) -> None:
    """Record that milestone NAME was met."""
    from improveplan.render.output import message
    from improveplan.services import timeline as service

    app = get_app()
    row = service.mark_done(app, name=name, done=when or app.today)
    message(f'Milestone "{row.name}" done on {row.done}.', "success")


@milestone.command("reset")
@click.argument("name")
def milestone_reset(name: str) -> None:
    """Drop your date for default milestone NAME: it follows its rule again."""
    from improveplan.render.output import message
    from improveplan.services import timeline as service

    row = service.reset_milestone(get_app(), name=name)
    message(f'Milestone "{row.name}" follows its rule again: {row.date}.', "success")


@click.group()
def notice() -> None:
    """Record and show the DfE improvement notice."""


@notice.command("set")
@click.option("--issued", type=DATE, help="When the notice was issued (needed the first time).")
@click.option("--plan-due", type=DATE, help="Plan deadline set by the notice.")
@click.option("--review-months", type=int, help="DfE progress reviews every N months [6].")
@click.option("--board-every-weeks", type=int, help="Improvement board every N weeks.")
@click.option("--first-board", type=DATE, help="Date of the first improvement board.")
@click.option("--chair", metavar="NAME", help="Independent chair of the board.")
@click.option("--lifted", type=DATE, help="When the notice was lifted.")
def notice_set(**options: Any) -> None:
    """Create or update the plan's improvement notice; only the options given change."""
    from improveplan.render.output import message
    from improveplan.services import notices

    row = notices.set_notice(get_app(), changes=options)
    message(f'Improvement notice of {row.issued} recorded for plan "{row.plan}".', "success")


@notice.command("show")
@table_or_json
def notice_show(fmt: str) -> None:
    """Show the plan's improvement notice."""
    from improveplan.domain.vocab import spoken
    from improveplan.render.output import Column, emit, emit_json
    from improveplan.services import notices

    data = notices.show_notice(get_app())
    if fmt == "json":
        emit_json(data)
        return
    shown: list[tuple[str, object]] = [
        ("Plan", data.plan),
        ("Kind", spoken(data.kind)),
        ("Issued", data.issued),
        ("Plan due", data.plan_due),
        ("DfE reviews every (months)", data.review_months),
        ("Board every (weeks)", data.board_every_weeks),
        ("First board", data.first_board),
        ("Chair", data.chair),
        ("Lifted", data.lifted),
    ]
    rows = [{"field": label, "value": value} for label, value in shown]
    emit(rows, [Column("field", "", style="heading"), Column("value", "")], "table")
