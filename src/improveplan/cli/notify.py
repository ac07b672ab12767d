"""`notify` (email reminders) and `check` (the cron entry point)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from improveplan.cli.options import as_of_option, as_of_or_today, format_option, get_app, needs
from improveplan.domain.access import Need

if TYPE_CHECKING:
    from improveplan.render.output import Column
    from improveplan.services.check import CheckResult
    from improveplan.services.notify import Reminder

_MESSAGE_COLUMNS = (
    ("plan", "Plan"),
    ("to", "To"),
    ("kind", "Kind"),
    ("actions", "Actions"),
    ("status", "Status"),
)


def _warn(warnings: list[str]) -> None:
    from improveplan.render.output import message

    for text in warnings:
        message(f"Warning: {text}", "warning")


def _not_reached(lines: list[str]) -> None:
    """Everyone owed a reminder who could not be sent one: never silently lost."""
    from improveplan.render.output import message

    for text in lines:
        message(text, "warning")


def _messages_table(rows: list[Reminder], *, title: str, empty: str) -> None:
    from improveplan.render.output import Column, table

    columns = [Column(key, header) for key, header in _MESSAGE_COLUMNS]
    columns[1] = Column("to", "To", no_wrap=True)
    table(rows, columns, title=title, empty=empty)


def _messages(rows: list[Reminder], fmt: str, *, title: str, empty: str) -> None:
    """The run's messages: JSON objects or CSV rows as check's `notified` has them, or
    the table."""
    import sys

    from improveplan.render.csv_out import write_csv
    from improveplan.render.output import emit_json
    from improveplan.serialize import record_keys
    from improveplan.services.notify import Reminder

    if fmt == "json":
        emit_json(rows)
    elif fmt == "csv":
        write_csv(rows, record_keys(Reminder), sys.stdout)
    else:
        _messages_table(rows, title=title, empty=empty)


@click.command("notify")
@as_of_option
@click.option("--dry-run", is_flag=True, help="Show who would get what; send and record nothing.")
@format_option
@needs(Need.admin)
def notify(as_of: dt.date | None, dry_run: bool, fmt: str) -> None:
    """Email each owner their overdue and due-soon actions; escalate to the leads.

    One digest per owner, and a copy of actions overdue more than [notify]
    escalate_after_days to the theme lead, or to the plan lead when the owner leads the
    theme or it has none (never to the owner). A digest that has not changed since the
    last one is sent again only after [notify] resend_unchanged_days (7). Anyone who
    cannot be reached (no email, no owner, no plan lead) is listed as "Not reached" and
    in the plan lead's digest. A rerun on the same day sends nothing twice. SMTP comes
    from [smtp] in config.toml or IMPROVEPLAN_SMTP_* (the password never on the command line).
    """
    from improveplan.render.output import message
    from improveplan.services import notify as service

    when = as_of_or_today(as_of)
    outcome = service.notify(get_app(), as_of=when, dry_run=dry_run)
    _warn(outcome.warnings)
    rows = outcome.rows()
    title = f"Reminders for {when}" + (" (dry run: nothing sent)" if dry_run else "")
    _messages(rows, fmt, title=title, empty=f"No reminders due on {when}.")
    _not_reached(outcome.not_reached_lines())
    if not dry_run:
        sent = sum(1 for r in rows if r.status == service.Delivery.sent)
        message(f"Sent {sent} message{'s' if sent != 1 else ''}.", "success")
    _fail_if_not_sent(outcome.failed, len(rows))


def _fail_if_not_sent(failed: int, total: int) -> None:
    """Exit 1 after everyone else was reminded, so cron reports the bad records."""
    if failed:
        from improveplan.errors import ImproveplanError

        raise ImproveplanError(
            f"{failed} of {total} messages could not be sent",
            "see the warnings above; everyone else was reminded",
        )


@click.command("check")
@as_of_option
@click.option("--notify", "send", is_flag=True, help="Also send the day's email reminders.")
@click.option(
    "--quiet",
    is_flag=True,
    help="Print nothing when nothing is overdue and everyone could be reminded.",
)
@format_option
@needs(Need.admin)
def check(as_of: dt.date | None, send: bool, quiet: bool, fmt: str) -> None:
    """The nightly job: optionally notify, record the day's RAG counts, report overdue.

    The counts are recorded only for today (not for another --as-of) and only when the
    run succeeded; otherwise one line says why. Waits if another check is running on the
    same database. Covers every plan unless --plan is given. Exit status: 0 nothing
    overdue, 3 something overdue, 1 an error (mail not sent included), in every format.
    CSV: a row of counts per plan.
    """
    from improveplan.errors import ExitCode
    from improveplan.render.output import message
    from improveplan.services.check import RunFailed, run_check

    try:
        result = run_check(get_app(), as_of=as_of_or_today(as_of), notify=send)
    except RunFailed:
        message(f"Counts not recorded: {RunFailed.NOT_RECORDED}", "warning")
        raise
    overdue = result.overdue > 0
    if not (quiet and not overdue and not result.not_sent and not result.not_reached):
        _show(result, fmt)
        if result.not_recorded is not None:
            message(f"Counts not recorded: {result.not_recorded}", "warning")
    _fail_if_not_sent(result.not_sent, len(result.notified or []))
    if overdue:
        raise click.exceptions.Exit(int(ExitCode.OVERDUE))


def _check_columns() -> list[Column]:
    """Counts under whole-word headers: at 80 columns (cron mails what check prints) the
    two-word headers wrap at their space, never to `Gre…` or `Overd…`."""
    from improveplan.domain.vocab import RAG_ORDER
    from improveplan.render.output import Column, rag_style

    counts = [(rag.value, rag.value.capitalize(), rag_style(rag)) for rag in RAG_ORDER]
    counts += [("total", "Total", None), ("overdue", "Overdue", None),
               ("due_soon", "Due soon", None), ("milestones_at_risk", "At risk", None)]  # fmt: skip
    return [
        Column("plan", "Plan"),
        *(Column(key, header, style=style, justify="right") for key, header, style in counts),
    ]


def _show(result: CheckResult, fmt: str) -> None:
    from improveplan.domain.vocab import Rag
    from improveplan.render.output import emit_json, out, rag_style, table

    if fmt == "json":
        emit_json(result)
        return
    _warn(result.warnings)
    if fmt == "csv":
        _check_csv(result)
        return
    as_of = result.as_of
    columns = _check_columns()
    table(result.plans, columns, title=f"Check as of {as_of}")
    if result.notified is not None:
        _messages_table(result.notified, title="Reminders", empty="No reminders due today.")
        _not_reached(result.not_reached_lines)
    total = result.overdue
    if total:
        noun = "action is" if total == 1 else "actions are"
        out().print(
            f"{total} {noun} overdue as of {as_of}.", style=rag_style(Rag.red), markup=False
        )
    else:
        out().print(f"Nothing overdue as of {as_of}.", markup=False)


def _check_csv(result: CheckResult) -> None:
    """A row of counts per plan, the JSON's `plans`: what a spreadsheet of nightly runs
    keeps. Who was reminded is in --format json; who was not, on stderr as in the table."""
    import sys

    from improveplan.render.csv_out import write_csv
    from improveplan.serialize import record_keys
    from improveplan.services.check import PlanSummary

    write_csv(result.plans, record_keys(PlanSummary), sys.stdout)
    _not_reached(result.not_reached_lines)
