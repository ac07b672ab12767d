"""The `status` command: where the plan stands, for a director, in one screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from improveplan.cli.options import DATE, as_of_option, as_of_or_today, get_app, table_or_json

COUNT_KEYS = (
    ("blue", "Blue"),
    ("green", "Green"),
    ("amber", "Amber"),
    ("red", "Red"),
    ("total", "Total"),
    ("pct_complete", "% complete"),
    ("overdue", "Overdue"),
)


@click.command()
@as_of_option
@click.option(
    "--by",
    type=click.Choice(["theme", "owner", "recommendation"]),
    default="theme",
    show_default=True,
    help="Group the counts by theme, owner or recommendation.",
)
@click.option("--since", type=DATE, help="Also show what changed from this DATE (audit trail).")
@table_or_json
def status(as_of: dt.date | None, by: str, since: dt.date | None, fmt: str) -> None:
    """Show RAG totals, counts per group, the next milestone and the measures.

    Cancelled actions are left out of every count. "% complete" is the share of
    actions that are complete or signed off. Overdue: open and due before the as-of date.
    """
    from improveplan.render.output import emit_json
    from improveplan.services.status import plan_status

    data = plan_status(get_app(), as_of=as_of_or_today(as_of), by=by, since=since)
    if fmt == "json":
        emit_json(data)
    else:
        _show(data)


def _show(data: dict[str, Any]) -> None:
    from improveplan.cli.measures import compact_measure_columns, measure_table_rows
    from improveplan.render.output import Column, out, table

    as_of = data["as_of"].isoformat()
    out().print(f"[heading]{data['plan']}[/] — status as of {as_of}", highlight=False)
    totals = {**data["totals"], "overdue": data["overdue"], "pct_complete": data["pct_complete"]}
    columns = [_count_column(key, header) for key, header in COUNT_KEYS]
    table([_with_pct(totals)], columns, title="RAG totals")
    group_header = {"theme": "Theme", "owner": "Owner", "recommendation": "Recommendation"}
    table(
        [_with_pct(g) for g in data["groups"]],
        [Column("name", group_header[data["by"]]), *columns],
        title=f"By {data['by']}",
        empty="No actions yet.",
    )
    out().print(_milestone_line(data["next_milestone"]), highlight=False, markup=False)
    if data["measures"]:
        table(measure_table_rows(data["measures"]), compact_measure_columns(), title="Measures")
    if "changes" in data:
        _show_changes(data["changes"])


def _count_column(key: str, header: str) -> Any:
    from improveplan.render.output import Column

    style = f"rag.{key}" if key in {"blue", "green", "amber", "red"} else None
    if key == "overdue":
        return Column(key, header, justify="right", style=lambda v: "rag.red" if v else None)
    return Column(key, header, justify="right", style=style)


def _with_pct(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "pct_complete": f"{row['pct_complete']}%"}


def _milestone_line(milestone: dict[str, Any] | None) -> str:
    if milestone is None:
        return "Next milestone: none ahead."
    days = milestone["days"]
    when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
    expected = " (expected)" if milestone.get("expected") else ""
    return f"Next milestone: {milestone['name']}{expected} on {milestone['date']} — {when}."


def _show_changes(changes: dict[str, Any]) -> None:
    from improveplan.render.output import Column, out, table

    out().print(
        f"Since {changes['since']}: {changes['status_changes']} status changes, "
        f"{changes['new_actions']} new actions, {changes['notes_added']} notes added, "
        f"{changes['due_dates_moved']} due dates moved.",
        highlight=False,
        markup=False,
    )
    rows = [
        {**c, "at": c["at"].strftime("%Y-%m-%d"), "change": f"{c['old']} → {c['new']}"}
        for c in changes["recent"]
    ]
    table(
        rows,
        [
            Column("at", "When", no_wrap=True),
            Column("ref", "Action", style="ref", no_wrap=True),
            Column("title", "Title", ratio=1),
            Column("field", "What"),
            Column("change", "Change", no_wrap=True),
            Column("actor", "By"),
        ],
        title="Recent changes",
        empty="No changes in that period.",
    )
