"""The `improveplan` command: global options, command groups, error translation."""

from __future__ import annotations

import errno
import io
import os
import sys
from typing import Any

import click

from improveplan.cli.examples import document_examples
from improveplan.cli.options import complete_path, completes, document_dates, share_global_options
from improveplan.errors import ImproveplanError


def _translate(exc: Exception) -> ImproveplanError | None:
    """A database failure a user can cause, as one masked line; None for real bugs."""
    if "sqlalchemy" not in sys.modules:  # the driver alone read (store/direct.py)
        from improveplan.store.dbapi import driver_error

        return driver_error(exc)
    from improveplan.store.errors import translate_db_error

    return translate_db_error(exc)


# Each command's module, imported only when the command runs (or --help lists it): a
# command then pays for its own imports alone, ~0.1 s less on every run than loading
# all twenty modules first.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "access": ("access", "access"),
    "action": ("actions", "action"),
    "check": ("notify", "check"),
    "completion": ("completion", "completion"),
    "db": ("database", "db"),
    "demo": ("demo", "demo"),
    "export": ("exchange", "export"),
    "import": ("exchange", "import_"),
    "init": ("database", "init"),
    "inspection": ("inspections", "inspection"),
    "measure": ("measures", "measure"),
    "milestone": ("timeline", "milestone"),
    "notice": ("timeline", "notice"),
    "notify": ("notify", "notify"),
    "overdue": ("overdue", "overdue"),
    "person": ("people", "person"),
    "plan": ("plans", "plan"),
    "rec": ("recommendations", "rec"),
    "report": ("report", "report"),
    "status": ("status", "status"),
    "theme": ("themes", "theme"),
    "timeline": ("timeline", "timeline"),
    "tui": ("tui", "tui"),
    "whoami": ("access", "whoami"),
}


class ImproveplanGroup(click.Group):
    """Turns ImproveplanError into `Error: <what> — <what to do>` with its exit code;
    loads each command's module when the command is asked for (LAZY_COMMANDS)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            import importlib

            module, name = LAZY_COMMANDS[cmd_name]
            command = getattr(importlib.import_module(f"improveplan.cli.{module}"), name)
            document_dates(command)
            share_global_options(command)
            document_examples(command, cmd_name)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

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
    shell_complete=complete_path,
    help="Database file or URL [env IMPROVEPLAN_DB; default: improveplan.db in the user data dir].",
)
@click.option(
    "--plan",
    metavar="NAME",
    shell_complete=completes("plan"),
    help="Plan to work in [env IMPROVEPLAN_PLAN; default: the only plan].",
)
@click.option(
    "--user",
    metavar="NAME",
    shell_complete=completes("person"),
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


document_dates(cli)
document_examples(cli, "")


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
