"""The `action` group: a service manager's daily work on their actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from improveplan.cli.action_list import list_
from improveplan.cli.choices import RAG_OR_AUTO, STATUS
from improveplan.cli.options import (
    DATE,
    DATE_OR_NONE,
    as_of_option,
    as_of_or_today,
    completes,
    format_option,
    get_app,
    needs,
)
from improveplan.domain.access import Need

if TYPE_CHECKING:
    from improveplan.services.action_writes import ActionChange, Change


def _changes_text(
    ref: str, changes: Sequence[Change], shown: frozenset[str] | set[str] = frozenset()
) -> str:
    from improveplan.render.output import spoken_change

    hidden = {"reason", "status_reason", "rag_override_reason", "evidence"} - set(shown)
    parts = [spoken_change(c.field, c.old, c.new) for c in changes if c.field not in hidden]
    if not parts:
        return f"Action {ref}: nothing changed."
    return f"Action {ref}: " + "; ".join(parts) + "."


def _report(result: ActionChange) -> None:
    from improveplan.cli.action_views import say

    say(_changes_text(result.action.ref, result.changes), "success")


def warn(warnings: Sequence[str]) -> None:
    """Each warning on its own line of stderr; the command still succeeded."""
    from improveplan.cli.action_views import say

    for text in warnings:
        say(f"Warning: {text}", "warning")


@click.group()
def action() -> None:
    """Add, list, update and close actions."""


action.add_command(list_, "list")


@action.command("add")
@click.argument("title")
@click.option(
    "--owner",
    required=True,
    metavar="NAME",
    help="Who is responsible (a person).",
    shell_complete=completes("person"),
)
@click.option("--due", required=True, type=DATE, help="When it must be done.")
@click.option("--ref", metavar="REF", help="Reference, e.g. 2.4 [default: the next number].")
@click.option(
    "--rec",
    "recs",
    multiple=True,
    metavar="REF",
    help="Recommendation it answers.",
    shell_complete=completes("rec"),
)
@click.option("--theme", metavar="T", help="Theme (workstream).", shell_complete=completes("theme"))
@click.option(
    "--milestone",
    metavar="NAME",
    help="Milestone it must be done by.",
    shell_complete=completes("milestone"),
)
@click.option("--start", type=DATE, help="When work starts.")
@click.option("--measure", metavar="TEXT", help="How success will be measured.")
@needs(Need.theme_action)
def add(
    title: str,
    owner: str,
    due: dt.date,
    ref: str | None,
    recs: tuple[str, ...],
    theme: str | None,
    milestone: str | None,
    start: dt.date | None,
    measure: str | None,
) -> None:
    """Add an action called TITLE."""
    from improveplan.cli.action_views import say
    from improveplan.services import actions

    added = actions.add_action(
        get_app(),
        title=title,
        owner=owner,
        due=due,
        ref=ref,
        recs=recs,
        theme=theme,
        milestone=milestone,
        start=start,
        measure=measure,
    )
    row = added.action
    say(f"Added action {row.ref}: {row.title} (owner {row.owner}, due {row.due}).", "success")
    warn(added.warnings)


@action.command("show")
@click.argument("ref", shell_complete=completes("action"))
@as_of_option
@format_option
@needs(Need.read)
def show(ref: str, as_of: dt.date | None, fmt: str) -> None:
    """Show action REF in full, with its notes."""
    from improveplan.cli.action_views import render_show
    from improveplan.services import actions

    day = as_of_or_today(as_of)
    render_show(actions.show_action(get_app(), ref=ref, as_of=day), fmt)


@action.command("history")
@click.argument("ref", shell_complete=completes("action"))
@format_option
@needs(Need.read)
def history(ref: str, fmt: str) -> None:
    """Show the history of action REF: who changed what, and when."""
    from improveplan.cli.action_views import render_history
    from improveplan.services import actions

    render_history(ref, actions.history(get_app(), ref=ref), fmt)


@action.command("update")
@click.argument("ref", shell_complete=completes("action"))
@click.option("--status", type=STATUS, help="New status (in-progress, blocked, ...).")
@click.option("--due", type=DATE, help="New due date (later needs --reason).")
@click.option("--reason", metavar="TEXT", help="Why (to cancel, delay the due date, set --rag).")
@click.option(
    "--owner", metavar="NAME", help="New owner (a person).", shell_complete=completes("person")
)
@click.option("--title", metavar="T", help="New title.")
@click.option("--rag", type=RAG_OR_AUTO, help="Set RAG by hand (needs --reason); auto clears.")
@click.option("--clear-rag", is_flag=True, help="Go back to the computed RAG.")
@click.option("--note", metavar="TEXT", help="Add a progress note too.")
@click.option("--if-version", type=int, metavar="N", help="Fail if the action is not at version N.")
@click.option(
    "--theme",
    metavar="NAME|none",
    help="Move it to another theme; none: no theme.",
    shell_complete=completes("theme"),
)
@click.option(
    "--rec", "recs", multiple=True, metavar="REF", help="The recommendations it answers, exactly "
    "(repeat for each; --rec none: none).", shell_complete=completes("rec"),
)  # fmt: skip
@click.option(
    "--add-rec",
    "add_recs",
    multiple=True,
    metavar="REF",
    shell_complete=completes("rec"),
    help="Link a recommendation too.",
)
@click.option(
    "--remove-rec",
    "remove_recs",
    multiple=True,
    metavar="REF",
    shell_complete=completes("rec"),
    help="Unlink a recommendation.",
)
@click.option(
    "--milestone",
    metavar="NAME|none",
    shell_complete=completes("milestone"),
    help="The milestone it must be done by; none: no milestone.",
)
@click.option(
    "--start", type=DATE_OR_NONE, metavar="DATE|none", help="When work starts; none: no start date."
)
@click.option("--measure", metavar="TEXT", help='How success will be measured ("": none).')
@click.option("--evidence", metavar="TEXT", help='What shows it is done ("": none).')
@needs(Need.own_action)
def update(
    ref: str,
    status: str | None,
    due: dt.date | None,
    reason: str | None,
    owner: str | None,
    title: str | None,
    rag: str | None,
    clear_rag: bool,
    note: str | None,
    if_version: int | None,
    theme: str | None,
    recs: tuple[str, ...],
    add_recs: tuple[str, ...],
    remove_recs: tuple[str, ...],
    milestone: str | None,
    start: dt.date | str | None,
    measure: str | None,
    evidence: str | None,
) -> None:
    """Change action REF (status, due date, owner, title, RAG, theme, recommendations,
    milestone, start, measure, evidence) or add a note."""
    from improveplan.cli.action_views import say
    from improveplan.services import actions
    from improveplan.services.action_fields import CLEAR, FieldRequest

    if recs and (add_recs or remove_recs):
        raise click.UsageError(
            "--rec sets the links exactly: give it alone, or --add-rec/--remove-rec"
        )

    def cleared(value: Any) -> Any:
        return CLEAR if isinstance(value, str) and value.strip().lower() == "none" else value

    auto = rag == "auto"
    result = actions.update_action(
        get_app(),
        ref=ref,
        status=status,
        due=due,
        reason=reason,
        owner=owner,
        title=title,
        rag=None if auto else rag,
        clear_rag=clear_rag or auto,
        note=note,
        if_version=if_version,
        fields=FieldRequest(
            theme=cleared(theme), milestone=cleared(milestone), start=cleared(start),
            measure=measure, evidence=evidence, recs=recs or None, add_recs=add_recs,
            remove_recs=remove_recs,
        ),
    )  # fmt: skip
    if result.changes or note is None:
        say(_changes_text(result.action.ref, result.changes, shown={"evidence"}), "success")
    if note is not None:
        say(f"Noted on action {result.action.ref}.", "success")
    warn(result.warnings)


@action.command("remove")
@click.argument("ref", shell_complete=completes("action"))
@click.option("--reason", metavar="TEXT", help="Why it was a mistake (required).")
@needs(Need.theme_action)
def remove(ref: str, reason: str | None) -> None:
    """Remove action REF, made by mistake, with its links and notes.

    Its ref is never given to another action, and its history stays readable with
    improveplan action history REF. To stop work on a real action, cancel it instead:
    improveplan action update REF --status cancelled --reason TEXT.
    """
    from improveplan.cli.action_views import say
    from improveplan.services import actions

    gone = actions.remove_action(get_app(), ref=ref, reason=reason)
    plural = "s" if gone.notes != 1 else ""
    notes = f" (and its {gone.notes} note{plural})" if gone.notes else ""
    say(
        f"Removed action {gone.ref}: {gone.title}{notes}. Its ref is not reused; "
        f"improveplan action history {gone.ref} shows what it held.",
        "success",
    )


@action.command("note")
@click.argument("ref", shell_complete=completes("action"))
@click.argument("text")
@needs(Need.own_action)
def note(ref: str, text: str) -> None:
    """Add a progress note to action REF (notes are never edited)."""
    from improveplan.cli.action_views import say
    from improveplan.services import actions

    row = actions.add_note(get_app(), ref=ref, text=text)
    say(f"Noted on action {row.ref} by {row.author}.", "success")


@action.command("done")
@click.argument("ref", shell_complete=completes("action"))
@click.option("--evidence", metavar="TEXT", help="What shows it is done.")
@needs(Need.own_action)
def done(ref: str, evidence: str | None) -> None:
    """Mark action REF complete, awaiting sign-off."""
    from improveplan.services import actions

    _report(actions.mark_done(get_app(), ref=ref, evidence=evidence))


@action.command("signoff")
@click.argument("ref", shell_complete=completes("action"))
@needs(Need.theme_action)
def signoff(ref: str) -> None:
    """Sign off complete action REF (accepted by the board)."""
    from improveplan.services import actions

    _report(actions.sign_off(get_app(), ref=ref))


@action.command("reopen")
@click.argument("ref", shell_complete=completes("action"))
@click.option("--reason", metavar="TEXT", help="Why work resumes (required).")
@needs(Need.theme_action)
def reopen(ref: str, reason: str | None) -> None:
    """Reopen action REF with a reason (back to in progress)."""
    from improveplan.services import actions

    _report(actions.reopen(get_app(), ref=ref, reason=reason or ""))
