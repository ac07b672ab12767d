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
    completes,
    format_option,
    get_app,
    needs,
)
from improveplan.domain.access import Need

if TYPE_CHECKING:
    from improveplan.domain.timeline import TimelineEntry


def _status_style() -> Callable[[Any], str | None]:
    """A milestone's status in the colour of the RAG it is closest to."""
    from improveplan.domain.timeline import MilestoneStatus as S

    styles = {
        S.done: "rag.blue",
        S.held: "rag.blue",
        S.overdue: "rag.red",
        S.missed: "rag.red",
        S.due: "rag.amber",
        S.upcoming: "rag.green",
        S.expected: "muted",
    }
    return styles.get


EMPTY = (
    "No milestones yet — add an inspection with --received, "
    "or improveplan notice set --issued DATE, or improveplan milestone add NAME --date DATE."
)


def _emit_milestones(
    rows: Sequence[TimelineEntry], fmt: str, *, title: str | None, empty: str = EMPTY
) -> None:
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
    emit(rows, columns, fmt, title=title, empty=empty)


def _not_shown(earlier: int, later: int) -> str | None:
    """ "12 earlier and 20 later not shown (--all shows them).", or None when none are."""
    parts = [f"{n} {side}" for n, side in ((earlier, "earlier"), (later, "later")) if n]
    return f"{' and '.join(parts)} not shown (--all shows them)." if parts else None


def _empty_window(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return f"No milestones from {start} to {end}."
    return f"No milestones from {start} on." if start else f"No milestones up to {end}."


@click.command("timeline")
@as_of_option
@click.option(
    "--from",
    "start",
    type=PAST_DATE,
    default=None,
    help="Show milestones from DATE [3 months before the as-of date].",
)
@click.option(
    "--to",
    "end",
    type=DATE,
    default=None,
    help="Show milestones up to DATE [12 months after the as-of date].",
)
@click.option("--all", "show_all", is_flag=True, help="Show every milestone, first to last.")
@format_option
@needs(Need.read)
def timeline(
    as_of: dt.date | None, start: dt.date | None, end: dt.date | None, show_all: bool, fmt: str
) -> None:  # fmt: skip
    """The statutory and DfE timeline, by date, with what is still open before each milestone.

    Shows the last 3 months and the next 12 (in every format), and says how many
    milestones fall outside. Past boards and DfE reviews are held unless recorded missed;
    only deadlines turn overdue. Default milestones follow their sources (the report's
    received date, the notice); a date set with `milestone add` or `update` wins.
    """
    from improveplan.errors import ImproveplanError
    from improveplan.render.output import message
    from improveplan.services import timeline as service

    if show_all and (start or end):
        raise click.UsageError("give --all or --from/--to, not both")
    when = as_of_or_today(as_of)
    if not show_all:
        first, last = service.default_window(when)
        start, end = start or first, end or last
    if start and end and start > end:
        raise ImproveplanError(f"--from {start} is after --to {end}", "give the earlier date first")
    data = service.timeline(get_app(), as_of=when, start=start, end=end)
    empty = _empty_window(start, end) if data.earlier or data.later else EMPTY
    _emit_milestones(
        data.milestones, fmt, title=f"Timeline of {data.plan} as of {when}", empty=empty
    )
    note = _not_shown(data.earlier, data.later)
    if note:
        message(note)


@click.group()
def milestone() -> None:
    """Add, list, complete, move and remove milestones."""


@milestone.command("list")
@as_of_option
@format_option
@needs(Need.read)
def milestone_list(as_of: dt.date | None, fmt: str) -> None:
    """List every milestone of the plan (the rows of `timeline --all`)."""
    from improveplan.services import timeline as service

    when = as_of_or_today(as_of)
    data = service.timeline(get_app(), as_of=when)
    _emit_milestones(data.milestones, fmt, title=None)


@milestone.command("add")
@click.argument("name")
@click.option("--date", "when", type=DATE, required=True, help="The milestone's DATE.")
@needs(Need.admin)
def milestone_add(name: str, when: dt.date) -> None:
    """Add milestone NAME, or set your own date for a default one (your date then wins)."""
    from improveplan.render.output import message
    from improveplan.services import milestones as service

    row = service.set_milestone(get_app(), name=name, date=when)
    verb = "Added" if row.created else "Set"
    message(f'{verb} milestone "{row.name}" on {row.date}.', "success")


@milestone.command("done")
@click.argument("names", metavar="[NAME]...", nargs=-1, shell_complete=completes("milestone"))
@click.option(
    "--through",
    type=PAST_DATE,
    default=None,
    help="Every milestone not done or missed up to DATE, each on its own date.",
)
@click.option(
    "--date",
    "when",
    type=PAST_DATE,
    default=None,
    help="When they were met (default: today for NAMEs, each one's date with --through).",
)
@needs(Need.admin)
def milestone_done(names: tuple[str, ...], through: dt.date | None, when: dt.date | None) -> None:
    """Record that milestones NAME... were met, or all of them up to --through DATE."""
    from improveplan.render.output import message
    from improveplan.services import milestones as service

    if bool(names) == (through is not None):
        raise click.UsageError("give one or more NAMEs, or --through DATE (not both)")
    rows = service.mark_done_many(get_app(), names=list(names), through=through, done=when)
    for row in rows:
        message(f'Milestone "{row.name}" done on {row.done}.', "success")
    if through is not None and not rows:
        message(f"Nothing to mark done: every milestone up to {through} is done or missed.")


@milestone.command("missed")
@click.argument("name", shell_complete=completes("milestone"))
@click.option("--reason", required=True, help="Why it did not take place.")
@needs(Need.admin)
def milestone_missed(name: str, reason: str) -> None:
    """Record that board, DfE review or expected visit NAME did not take place."""
    from improveplan.render.output import message
    from improveplan.services import milestones as service

    row = service.mark_missed(get_app(), name=name, reason=reason)
    message(f'Milestone "{row.name}" on {row.date} recorded as missed.', "success")


@milestone.command("update")
@click.argument("name", shell_complete=completes("milestone"))
@click.option(
    "--name", "new_name", metavar="NEW", default=None, help="A new name (your own milestones only)."
)
@click.option(
    "--date",
    "when",
    type=DATE,
    default=None,
    help="A new DATE (a default milestone then keeps it until milestone reset).",
)
@needs(Need.admin)
def milestone_update(name: str, new_name: str | None, when: dt.date | None) -> None:
    """Rename your milestone NAME, or move any milestone to a new date."""
    from improveplan.render.output import message
    from improveplan.services import milestones as service

    done = service.update_milestone(get_app(), name=name, new_name=new_name, date=when)
    shown = [
        f"{field} {old} → {new}"
        for field, (old, new) in done.changes.items()
        if field in ("name", "date")
    ]
    row = done.milestone
    if not shown:
        message(f'Milestone "{row.name}" unchanged.')
        return
    message(f'Updated milestone "{row.name}": {", ".join(shown)}.', "success")


@milestone.command("remove")
@click.argument("name", shell_complete=completes("milestone"))
@needs(Need.admin)
def milestone_remove(name: str) -> None:
    """Remove your own milestone NAME (no action may be linked to it)."""
    from improveplan.render.output import message
    from improveplan.services import milestones as service

    row = service.remove_milestone(get_app(), name=name)
    message(f'Removed milestone "{row.name}" ({row.date}).', "success")


@milestone.command("reset")
@click.argument("name", shell_complete=completes("milestone"))
@needs(Need.admin)
def milestone_reset(name: str) -> None:
    """Drop your date for default milestone NAME: it follows its rule again."""
    from improveplan.render.output import message
    from improveplan.services import milestones as service

    row = service.reset_milestone(get_app(), name=name)
    message(f'Milestone "{row.name}" follows its rule again: {row.date}.', "success")


@click.group()
def notice() -> None:
    """Record and show the DfE improvement notice."""


@notice.command("set")
@click.option(
    "--issued", type=PAST_DATE, help="When the notice was issued (needed the first time)."
)
@click.option("--plan-due", type=DATE, help="Plan deadline set by the notice.")
@click.option("--review-months", type=int, help="DfE progress reviews every N months [6].")
@click.option("--board-every-weeks", type=int, help="Improvement board every N weeks.")
@click.option("--first-board", type=DATE, help="Date of the first improvement board.")
@click.option("--chair", metavar="NAME", help="Independent chair of the board.")
@click.option("--lifted", type=PAST_DATE, help="When the notice was lifted.")
@needs(Need.admin)
def notice_set(**options: Any) -> None:
    """Create or update the plan's improvement notice; only the options given change."""
    from improveplan.render.output import message
    from improveplan.services import notices

    row = notices.set_notice(get_app(), changes=options)
    message(f'Improvement notice of {row.issued} recorded for plan "{row.plan}".', "success")


@notice.command("show")
@format_option
@needs(Need.read)
def notice_show(fmt: str) -> None:
    """Show the plan's improvement notice (CSV: one row, its terms and dates)."""
    import sys

    from improveplan.domain.vocab import spoken
    from improveplan.render.csv_out import write_csv
    from improveplan.render.output import Column, emit, emit_json
    from improveplan.serialize import as_record
    from improveplan.services import notices

    data = notices.show_notice(get_app())
    if fmt == "json":
        emit_json(data)
        return
    if fmt == "csv":
        record = as_record(data)
        write_csv([record], list(record), sys.stdout)
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
