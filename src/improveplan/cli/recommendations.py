"""The `rec` group: Ofsted's recommendations and the actions answering each."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from improveplan.cli.options import (
    as_of_option,
    as_of_or_today,
    completes,
    format_option,
    get_app,
    needs,
)
from improveplan.domain.access import Need

if TYPE_CHECKING:
    from improveplan.services.recommendations import RecommendationDetail


@click.group()
def rec() -> None:
    """Add, list, show, correct and remove the recommendations the plan answers."""


@rec.command("add")
@click.argument("ref")
@click.argument("text")
@click.option(
    "--inspection",
    type=int,
    metavar="ID",
    help="The inspection it comes from.",
    shell_complete=completes("inspection"),
)
@click.option(
    "--theme",
    metavar="NAME",
    help="The theme (workstream) that answers it.",
    shell_complete=completes("theme"),
)
@click.option("--priority", is_flag=True, help="An area for priority action.")
@needs(Need.admin)
def add(ref: str, text: str, inspection: int | None, theme: str | None, priority: bool) -> None:
    """Add recommendation REF (e.g. R9) with its TEXT, verbatim from the report."""
    from improveplan.render.output import message
    from improveplan.services import recommendations

    added = recommendations.add_recommendation(
        get_app(), ref=ref, text=text, inspection=inspection, theme=theme, priority=priority
    )
    message(f"Added recommendation {added.ref}.", "success")


@rec.command("update")
@click.argument("ref", shell_complete=completes("rec"))
@click.option("--text", metavar="TEXT", help="The text, verbatim from the report.")
@click.option(
    "--theme",
    metavar="NAME|none",
    help="The theme that answers it; none: no theme.",
    shell_complete=completes("theme"),
)
@click.option("--priority/--no-priority", default=None, help="An area for priority action, or not.")
@needs(Need.admin)
def update(ref: str, text: str | None, theme: str | None, priority: bool | None) -> None:
    """Correct recommendation REF: its text, theme or priority flag."""
    from improveplan.render.output import message
    from improveplan.services.recommendation_changes import NO_THEME, update_recommendation

    chosen = NO_THEME if theme is not None and theme.strip().lower() == "none" else theme
    done = update_recommendation(get_app(), ref=ref, text=text, theme=chosen, priority=priority)
    if not done.changes:
        message(f"Recommendation {done.ref}: nothing changed.", "success")
        return
    parts = [
        "text changed" if c.field == "text"
        else f"{c.field.replace('_', ' ')} {_shown(c.old)} → {_shown(c.new)}"
        for c in done.changes
    ]  # fmt: skip
    message(f"Recommendation {done.ref}: " + "; ".join(parts) + ".", "success")


def _shown(value: str | bool | None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "—" if value is None else value


@rec.command("remove")
@click.argument("ref", shell_complete=completes("rec"))
@needs(Need.admin)
def remove(ref: str) -> None:
    """Remove recommendation REF, added by mistake (only when no action answers it)."""
    from improveplan.render.output import message
    from improveplan.services.recommendation_changes import remove_recommendation

    gone = remove_recommendation(get_app(), ref=ref)
    message(f"Removed recommendation {gone}.", "success")


@rec.command("list")
@format_option
@needs(Need.read)
def list_(fmt: str) -> None:
    """List recommendations with how many actions answer each and how many are open."""
    from improveplan.render.output import Column, emit
    from improveplan.services import recommendations

    rows = recommendations.list_recommendations(get_app())
    columns = [
        Column("ref", "Ref", style="ref", no_wrap=True),
        Column("text", "Recommendation", ratio=1),
        Column("theme", "Theme", max_width=18),
        Column("actions", "Actions", justify="right", no_wrap=True),
        Column("open_actions", "Open", justify="right", no_wrap=True),
    ]
    if fmt == "csv":
        columns.insert(3, Column("priority_action", "Priority"))
    emit(
        rows,
        columns,
        fmt,
        empty="No recommendations yet — add one with improveplan rec add REF TEXT, "
        "or import the report with improveplan inspection import-report FILE.pdf.",
    )


@rec.command("show")
@click.argument("ref", shell_complete=completes("rec"))
@format_option
@as_of_option
@needs(Need.read)
def show(ref: str, fmt: str, as_of: dt.date | None) -> None:
    """Show recommendation REF and its actions with their RAG (CSV: the actions)."""
    from improveplan.render.output import emit_json
    from improveplan.services import recommendations

    detail = recommendations.show_recommendation(get_app(), ref=ref, as_of=as_of_or_today(as_of))
    if fmt == "json":
        emit_json(detail)
        return
    if fmt == "csv":  # the actions, in the columns of action list's CSV
        import sys

        from improveplan.domain.records import ActionRow
        from improveplan.render.csv_out import write_csv
        from improveplan.serialize import record_keys

        write_csv(detail.actions, record_keys(ActionRow), sys.stdout)
        return
    _show_detail(detail)


def _show_detail(detail: RecommendationDetail) -> None:
    from rich.text import Text

    from improveplan.render.output import Column, out, rag_style, table
    from improveplan.serialize import as_record

    console = out()
    console.print(Text.assemble((detail.ref, "ref"), " ", detail.text))  # wraps at spaces
    facts = [f"theme: {detail.theme or '-'}"]
    if detail.priority_action:
        facts.append("area for priority action")
    console.print(" · ".join(facts), style="muted", markup=False)
    columns = [
        Column("ref", "Ref", style="ref", no_wrap=True),
        Column("title", "Action", ratio=1),
        Column("owner", "Owner"),
        Column("due", "Due", no_wrap=True),
        Column("state", "Status"),
        Column("rag", "RAG", style=rag_style, no_wrap=True),
        Column("days_overdue", "Late", justify="right", no_wrap=True),
    ]
    rows = [{**as_record(a), "state": a.status.replace("_", " ")} for a in detail.actions]
    table(
        rows,
        columns,
        title=f"Actions as of {detail.as_of.isoformat()}",
        empty=f"No actions answer {detail.ref} yet — add one with "
        f"improveplan action add TITLE --owner NAME --due DATE --rec {detail.ref}.",
    )
