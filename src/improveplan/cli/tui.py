"""The `tui` command: the keyboard screen (tui/), in the terminal or served to a browser."""

from __future__ import annotations

import datetime as dt

import click

from improveplan.cli.options import as_of_option, get_app, needs
from improveplan.domain.access import Need


@click.command()
@as_of_option
@click.option(
    "--serve",
    is_flag=True,
    help="Serve the screen to a web browser on 127.0.0.1 instead (textual-serve).",
)
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
    help="The port --serve listens on.",
)  # fmt: skip
@needs(Need.read)
def tui(as_of: dt.date | None, serve: bool, port: int) -> None:
    """Open the service manager's screen: my actions, all actions, overdue, timeline, status.

    Keys act on the highlighted action: enter opens it, s status, n note, d done,
    u due date, r RAG, / search, f filter, tab next view, ? keys, q quit. Every change
    is the command line's own, with the same rules and audit trail.
    """
    if serve:
        _serve(port, as_of)
        return
    import os
    import sys

    from improveplan.errors import ImproveplanError

    # Served (textual-serve names the driver), the screen talks to the browser instead.
    served = "TEXTUAL_DRIVER" in os.environ
    if not served and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise ImproveplanError(
            "the screen needs a terminal, and this input or output is not one",
            "run improveplan tui in a terminal, or serve it to a browser with --serve",
        )
    from improveplan.tui.app import PlanScreen
    from improveplan.tui.data import Board

    # The screen is drawn first (~0.6 s) while the plan opens on its database thread; an
    # unknown plan or a refused role closes it again with the one line below.
    screen = PlanScreen(Board(get_app(), as_of=as_of))
    screen.run()
    if screen.failure is not None:  # an unknown plan, a refused role: one line, after
        raise ImproveplanError(screen.failure)


def _serve(port: int, as_of: dt.date | None) -> None:
    """Run this screen (the same database, plan, user and date) for each browser that
    connects, as textual-serve does: one process per browser tab."""
    import shlex
    import sys

    from improveplan.errors import ImproveplanError

    try:
        from textual_serve.server import Server
    except ImportError:
        raise ImproveplanError(
            "serving to a browser needs textual-serve", 'pip install "improveplan[serve]"'
        ) from None
    app = get_app()
    argv = [sys.executable, "-m", "improveplan", "--db", app.db]
    if app.asked_user:
        argv += ["--user", app.asked_user]
    if app.plan_name:
        argv += ["--plan", app.plan_name]
    argv.append("tui")
    if as_of is not None:
        argv += ["--as-of", as_of.isoformat()]
    click.echo(f"Serving the screen on http://127.0.0.1:{port} — Ctrl+C stops.", err=True)
    Server(shlex.join(argv), host="127.0.0.1", port=port).serve()
