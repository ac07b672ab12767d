"""The `improveplan` command: global options, command groups, error translation."""

from __future__ import annotations

import errno
import io
import os
import sys
from typing import Any

import click

from improveplan.cli import access as access_cli
from improveplan.cli import actions as actions_cli
from improveplan.cli import database, people, plans
from improveplan.cli import demo as demo_cli
from improveplan.cli import exchange as exchange_cli
from improveplan.cli import inspections as inspections_cli
from improveplan.cli import measures as measures_cli
from improveplan.cli import notify as notify_cli
from improveplan.cli import overdue as overdue_cli
from improveplan.cli import recommendations as recommendations_cli
from improveplan.cli import report as report_cli
from improveplan.cli import status as status_cli
from improveplan.cli import themes as themes_cli
from improveplan.cli import timeline as timeline_cli
from improveplan.cli.options import document_dates
from improveplan.errors import ImproveplanError


def _translate(exc: Exception) -> ImproveplanError | None:
    """A database failure a user can cause, as one masked line; None for real bugs."""
    if "sqlalchemy" not in sys.modules:
        return None
    from improveplan.store.errors import translate_db_error

    return translate_db_error(exc)


class ImproveplanGroup(click.Group):
    """Turns ImproveplanError into `Error: <what> — <what to do>` with its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ImproveplanError as exc:
            raise _click_error(exc) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except UnicodeEncodeError as exc:
            raise UserError(_unencodable(exc)) from None
        except BrokenPipeError:
            raise
        except OSError as exc:
            if not _is_output_error(exc):
                raise
            raise UserError(_unwritable(exc)) from None
        except Exception as exc:
            translated = _translate(exc)
            if translated is None:
                raise
            raise _click_error(translated) from None


class UserError(click.ClickException):
    """Printed by click as `Error: <message>` on stderr, exit 1 (docs/design.md §3)."""

    exit_code = 1


def _click_error(exc: ImproveplanError) -> click.ClickException:
    return UserError(str(exc))


_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EBADF, errno.EIO, errno.EDQUOT, errno.EFBIG}


def _is_output_error(exc: OSError) -> bool:
    """A failure to write standard output (a full disk, a closed stream), not a file the
    command opened by name, which raises its own one-line error."""
    return exc.errno in _OUTPUT_ERRNOS and exc.filename is None


def _unencodable(exc: UnicodeEncodeError) -> str:
    return (
        f"the output holds characters the {exc.encoding} encoding cannot show — "
        "set PYTHONIOENCODING=utf-8 (or a UTF-8 locale), or use --format json"
    )


def _unwritable(exc: OSError) -> str:
    if exc.errno == errno.EBADF:
        return f"cannot write the output ({exc.strerror}) — run the command with stdout open"
    return f"cannot write the output ({exc.strerror}) — free some space or send it elsewhere"


class _ClosedStream(io.TextIOBase):
    """Standard output when the process was started with it closed: writing fails with
    EBADF, which becomes one line on stderr instead of an AttributeError on None."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    def isatty(self) -> bool:
        return False


def _finish_output() -> None:
    """Flush stdout inside the command's error handling: a pipe closed early (`| head`)
    ends quietly, a full disk is one line, never a traceback at interpreter exit."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        raise SystemExit(1) from None
    except OSError as exc:
        _silence_stdout()
        click.echo(f"Error: {_unwritable(exc)}", err=True)
        raise SystemExit(1) from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush has nowhere to fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until exit
    finally:
        os.close(devnull)


@click.group(cls=ImproveplanGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    metavar="PATH|URL",
    help="Database file or URL [env IMPROVEPLAN_DB; default: improveplan.db in the user data dir].",
)
@click.option(
    "--plan", metavar="NAME", help="Plan to work in [env IMPROVEPLAN_PLAN; default: the only plan]."
)
@click.option(
    "--user",
    metavar="NAME",
    help="Who is acting, for the audit trail [env IMPROVEPLAN_USER; default: login name].",
)
@click.option(
    "--no-pager",
    is_flag=True,
    help="Print long tables straight to the terminal [pager: env IMPROVEPLAN_PAGER, "
    "PAGER; default: less].",
)
@click.version_option(package_name="improveplan", prog_name="improveplan")
def cli(db: str | None, plan: str | None, user: str | None, no_pager: bool) -> None:
    """Run the improvement plan that follows an Ofsted inspection of children's services.

    Recommendations become actions with owners and due dates; RAG status, the
    statutory and DfE timeline and overdue reports are computed for any date.
    """
    # --no-pager is read where tables are written (render.pager.paging_allowed).


cli.add_command(database.init)
cli.add_command(demo_cli.demo)
cli.add_command(database.db)
cli.add_command(plans.plan)
cli.add_command(people.person)
cli.add_command(actions_cli.action)
cli.add_command(themes_cli.theme)
cli.add_command(inspections_cli.inspection)
cli.add_command(recommendations_cli.rec)
cli.add_command(measures_cli.measure)
cli.add_command(status_cli.status)
cli.add_command(report_cli.report)
cli.add_command(timeline_cli.notice)
cli.add_command(timeline_cli.milestone)
cli.add_command(timeline_cli.timeline)
cli.add_command(overdue_cli.overdue)
cli.add_command(notify_cli.notify)
cli.add_command(notify_cli.check)
cli.add_command(exchange_cli.export)
cli.add_command(exchange_cli.import_)
cli.add_command(access_cli.access)
cli.add_command(access_cli.whoami)
document_dates(cli)


def main() -> None:
    if sys.stdout is None:
        sys.stdout = _ClosedStream()
    try:
        # Outside standalone mode click returns a command's exit code (check's 3) instead
        # of exiting, so the output can be flushed inside the error handling first.
        code = cli(prog_name="improveplan", standalone_mode=False)
    except click.ClickException as exc:
        _finish_output()
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except click.Abort:
        click.echo("Aborted!", err=True)
        raise SystemExit(1) from None
    except BrokenPipeError:
        _silence_stdout()
        raise SystemExit(1) from None
    else:
        _finish_output()
        raise SystemExit(code if isinstance(code, int) else 0)
    finally:
        # The command is over and its connections are closed (App.close). Freezing the
        # heap spares the interpreter's last garbage collection, which would otherwise walk
        # every SQLAlchemy and pydantic object for ~0.1 s after the output is written.
        import gc

        gc.freeze()
