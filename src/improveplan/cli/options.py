"""Options and parameter types shared by every command group.

Only click is imported at module level: `improveplan --help` must stay fast, so the
domain and services load inside `convert` and the command bodies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from improveplan.domain.access import Need
    from improveplan.services.context import App


# Every --help that takes a DATE ends with this (`document_dates`); the grammar itself is
# domain/dates.py's, and tests/cli/test_date_help.py holds the two together.
DATE_HELP = (
    "DATE is 2025-03-31 or 31/03/2025 (day first), today, yesterday, tomorrow, a weekday "
    "(mon, friday: the next one{past}), +3d or -7d (days), +2w (weeks), +1m or -1m "
    "(months), +10wd (working days), eow, eom, eoq or eoy (end of week, month, quarter, "
    "year)."
)


class DateParam(click.ParamType[dt.date, Any]):
    """A DATE of docs/design.md §3; an unknown or impossible date is a usage error (exit 2).

    `past` is for options that look back (`--since`): a weekday is the last one, not the next.
    """

    name = "DATE"

    def __init__(self, *, past: bool = False) -> None:
        self.past = past

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        from improveplan.domain.dates import DateError, parse_date
        from improveplan.errors import ImproveplanError
        from improveplan.services.context import resolve_today

        try:
            return parse_date(str(value), today=resolve_today(), past=self.past)
        except DateError as exc:
            self.fail(str(exc), param, ctx)
        except ImproveplanError as exc:
            self.fail(str(exc), param, ctx)


DATE = DateParam()
PAST_DATE = DateParam(past=True)  # for dates that look back: --since, --from, "done on"


class DateOrNone(DateParam):
    """A DATE, or `none` to empty the field (returned as the string "none")."""

    name = "DATE|none"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value.strip().lower() == "none":
            return "none"
        return super().convert(value, param, ctx)


DATE_OR_NONE = DateOrNone()
PAST_DATE_OR_NONE = DateOrNone(past=True)


def date_help(command: click.Command) -> str | None:
    """The DATE paragraph for a command's --help, naming its look-back options; None when
    the command takes no DATE."""
    dates = [p for p in command.params if isinstance(p.type, DateParam)]
    if not dates:
        return None
    past = [p.opts[0] for p in dates if isinstance(p.type, DateParam) and p.type.past]
    named = ", ".join(past[:-1]) + f" and {past[-1]}" if len(past) > 1 else "".join(past)
    back = f"; the last one for {named}" if past else ""
    return DATE_HELP.format(past=back)


def document_dates(command: click.Command) -> None:
    """Append the DATE paragraph to the --help of `command` and of every command under it
    that takes a DATE, so no date option goes undocumented."""
    text = date_help(command)
    if text is not None and text not in (command.epilog or ""):
        command.epilog = f"{command.epilog}\n\n{text}" if command.epilog else text
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            document_dates(sub)


FC = TypeVar("FC", bound=Callable[..., Any])


def formats(*choices: str) -> Callable[[FC], FC]:
    """The `--format` option (param `fmt`) with these choices; the first is the default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


format_option = formats("table", "json", "csv")

as_of_option = click.option(
    "--as-of",
    "as_of",
    type=DATE,
    default=None,
    help="Compute RAG and overdue as on this DATE (default: today, Europe/London).",
)


NEED = "improveplan_need"  # the attribute `needs` sets on a command's callback


def needs(need: Need) -> Callable[[FC], FC]:
    """Declare what a command needs of its plan (docs/design.md §5). Put it under
    `@click.command`; a command that declares nothing needs a plan admin."""

    def mark(func: FC) -> FC:
        setattr(func, NEED, need)
        return func

    return mark


Complete = Callable[[click.Context, click.Parameter, str], "list[CompletionItem]"]


def completes(kind: str) -> Complete:
    """A `shell_complete=` offering the database's names of `kind` (store/names.py QUERIES:
    action, rec, person, plan, theme, milestone, measure, inspection)."""

    def complete(
        ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from improveplan.cli.completion import database_names

        return database_names(ctx, kind, incomplete)

    return complete


def complete_path(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Let the shell complete a file name (--db PATH)."""
    from click.shell_completion import CompletionItem

    return [CompletionItem(incomplete, type="file")]


GIVEN = "improveplan.given"  # root ctx.meta: --db, --plan, --user given after the command
SHARED = (  # the global options every command also takes after its name
    ("--db", "PATH|URL", complete_path),
    ("--plan", "NAME", completes("plan")),
    ("--user", "NAME", completes("person")),
)


def given(ctx: click.Context, name: str) -> str | None:
    """A global option's value, given before the command or after it."""
    root = ctx.find_root()
    value: str | None = root.params.get(name) or root.meta.get(GIVEN, {}).get(name)
    return value


def _record(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Keep a global option given after the command beside the root's; the same option
    with another value before the command is a usage error, the same value is not."""
    if value is None or param.name is None:
        return
    root = ctx.find_root()
    before = root.params.get(param.name)
    if before is not None and before != value:
        raise click.UsageError(
            f"{param.opts[0]} is given before the command and after it, with different "
            "values — give it once",
            ctx,
        )
    root.meta.setdefault(GIVEN, {})[param.name] = value


def share_global_options(command: click.Command) -> None:
    """Give `command` (every command under it, for a group) the global --db, --plan and
    --user, so they work after the command too. A command that has its own --db (demo
    builds its own database, plan and actor) takes none; one with its own --plan (access,
    whose --plan picks the plan the grants are in) keeps it."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            share_global_options(sub)
        return
    taken = {opt for param in command.params for opt in param.opts}
    if "--db" in taken:
        return
    for opt, metavar, complete in SHARED:
        if opt not in taken:
            option = click.Option(
                [opt],
                metavar=metavar,
                expose_value=False,
                callback=_record,
                shell_complete=complete,
                help=f"Same as the global {opt}.",
            )
            command.params.append(option)


def get_app() -> App:
    """The App for this invocation, built once from the global options."""
    current = click.get_current_context()
    ctx = current.find_root()
    app = ctx.meta.get("improveplan.app")
    if app is None:
        from improveplan.services.context import App

        app = App.from_options(
            db=given(ctx, "db"), plan=given(ctx, "plan"), user=given(ctx, "user")
        )
        ctx.meta["improveplan.app"] = app
        ctx.call_on_close(app.close)
        app.need = getattr(current.command.callback, NEED, None)
        app.doing = "run " + current.command_path.partition(" ")[2]
    return app


def as_of_or_today(as_of: dt.date | None) -> dt.date:
    return as_of if as_of is not None else get_app().today


def protected_files() -> list[Path]:
    """Files an `-o` must never replace: the live SQLite database (its sidecars follow)."""
    from improveplan.store.engine import sqlite_path

    path = sqlite_path(get_app().url)
    return [] if path is None else [path]


def checked_output(output: Path) -> Path:
    """Refuse the database, a folder or a missing folder before any work is done."""
    from improveplan.io.safe_write import guard_output

    guard_output(output, protected_files())
    return output
