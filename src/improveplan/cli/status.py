"""The `status` command: where the plan stands, for a director, in one screen."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from improveplan.cli.options import (
    PAST_DATE,
    as_of_option,
    as_of_or_today,
    format_option,
    get_app,
    needs,
)
from improveplan.domain.access import Need

if TYPE_CHECKING:
    from improveplan.domain.status import (
        Changes,
        GroupCounts,
        NextMilestone,
        StatusReport,
        Totals,
    )
    from improveplan.render.output import Column


@click.command()
@as_of_option
@click.option(
    "--by",
    type=click.Choice(["theme", "owner", "recommendation"]),
    default="theme",
    show_default=True,
    help="Group the counts by theme, owner or recommendation.",
)
@click.option(
    "--since", type=PAST_DATE, help="Also show what changed from this DATE (audit trail)."
)
@format_option
@needs(Need.read)
def status(as_of: dt.date | None, by: str, since: dt.date | None, fmt: str) -> None:
    """Show RAG totals, counts per group, the next milestone and the measures.

    Cancelled actions are left out of every count. "% complete" is the share of
    actions that are complete or signed off. Overdue: open and due before the as-of date.
    CSV: a row per group, then the plan's totals (by: "totals").
    """
    from improveplan.render.output import emit_json
    from improveplan.services import direct

    app, day = get_app(), as_of_or_today(as_of)
    # Read with the driver alone when it can (services/direct.py): half the time
    # SQLAlchemy's import would take. The audit trail of --since is read through it.
    data = None if since is not None else direct.status_report(app, as_of=day, by=by)
    if data is None:
        from improveplan.services.status import plan_status

        data = plan_status(app, as_of=day, by=by, since=since)
    if fmt == "json":
        emit_json(data)
    elif fmt == "csv":
        _csv(data)
    else:
        _show(data)


CSV_KEYS = ("by", "name", "blue", "green", "amber", "red", "total", "complete",
            "pct_complete", "overdue")  # fmt: skip


def _csv(data: StatusReport) -> None:
    """The counts a spreadsheet sums: one row per group led by what it groups by, then
    the whole plan's row ("totals", under the plan's name); numbers stay numbers."""
    import sys

    from improveplan.render.csv_out import write_csv
    from improveplan.serialize import as_record

    rows = [{"by": data.by, **as_record(g)} for g in data.groups]
    totals = data.totals
    rows.append({"by": "totals", "name": data.plan, **as_record(totals),
                 "complete": totals.complete, "pct_complete": totals.pct_complete,
                 "overdue": totals.overdue})  # fmt: skip
    write_csv(rows, CSV_KEYS, sys.stdout)


def _show(data: StatusReport) -> None:
    from improveplan.cli.measures import compact_measure_columns, measure_table_rows
    from improveplan.render.output import Column, out, table

    out().print(f"[heading]{data.plan}[/] — status as of {data.as_of.isoformat()}", highlight=False)
    columns = _count_columns()
    table([_counts_row(data.totals)], columns, title="RAG totals")
    group_header = {"theme": "Theme", "owner": "Owner", "recommendation": "Recommendation"}
    table(
        [{"name": g.name, **_counts_row(g)} for g in data.groups],
        [Column("name", group_header[data.by]), *columns],
        title=f"By {data.by}",
        empty="No actions yet.",
    )
    out().print(_milestone_line(data.next_milestone), highlight=False, markup=False)
    if data.measures:
        table(measure_table_rows(data.measures), compact_measure_columns(), title="Measures")
    if data.changes is not None:
        _show_changes(data.changes)


def _count_columns() -> list[Column]:
    """A column per RAG colour in the board's order, then total, % complete, overdue."""
    from improveplan.domain.vocab import RAG_ORDER, Rag
    from improveplan.render.output import Column, rag_style

    late = rag_style(Rag.red)
    return [
        *(
            Column(rag.value, rag.value.capitalize(), justify="right", style=rag_style(rag))
            for rag in RAG_ORDER
        ),
        Column("total", "Total", justify="right"),
        Column("pct_complete", "% complete", justify="right"),
        Column("overdue", "Overdue", justify="right", style=lambda v: late if v else None),
    ]


def _counts_row(counts: Totals | GroupCounts) -> dict[str, Any]:
    """A table row of counts (display only): "% complete" shown with its sign."""
    row: dict[str, Any] = {rag.value: n for rag, n in counts.colours}
    row |= {"total": counts.total, "pct_complete": f"{counts.pct_complete}%",
            "overdue": counts.overdue}  # fmt: skip
    return row


def _milestone_line(milestone: NextMilestone | None) -> str:
    if milestone is None:
        return "Next milestone: none ahead."
    days = milestone.days
    when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
    expected = " (expected)" if milestone.expected else ""
    return f"Next milestone: {milestone.name}{expected} on {milestone.date} — {when}."


def _counted(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _show_changes(changes: Changes) -> None:
    from improveplan.domain.vocab import spoken
    from improveplan.render.output import Column, out, spoken_value, table

    counts = (
        _counted(changes.status_changes, "status change", "status changes"),
        _counted(changes.new_actions, "new action", "new actions"),
        _counted(changes.notes_added, "note added", "notes added"),
        _counted(changes.due_dates_moved, "due date moved", "due dates moved"),
    )
    out().print(f"Since {changes.since}: {', '.join(counts)}.", highlight=False, markup=False)
    rows = [
        {"at": c.at.strftime("%Y-%m-%d"), "ref": c.ref, "title": c.title, "field": spoken(c.field),
         "change": f"{spoken_value(c.field, c.old)} → {spoken_value(c.field, c.new)}",
         "actor": c.actor}
        for c in changes.recent
    ]  # fmt: skip
    table(
        rows,
        [
            Column("at", "When", no_wrap=True),
            Column("ref", "Action", style="ref", no_wrap=True),
            Column("title", "Title", shorten=True),
            Column("field", "What"),
            Column("change", "Change"),
            Column("actor", "By"),
        ],
        title="Recent changes",
        empty="No changes in that period.",
    )
