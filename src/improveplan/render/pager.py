"""Long output on a terminal goes through a pager, as git's does.

A table taller than the screen is piped to `$IMPROVEPLAN_PAGER`, else `$PAGER`, else
`less` (with `LESS=-FRX` when LESS is unset: colours kept, the screen not cleared), via
click's pager. Never when stdout or stdin is not a terminal, with `--no-pager`, or when
the pager is set to "" or `cat`. The lines are a generator, so the pager shows the first
screen before the rest is drawn, and quitting it (q) stops the drawing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from itertools import islice

BATCH = 256  # lines written at once to stdout


def pager_command() -> str | None:
    """The pager a user asked for: IMPROVEPLAN_PAGER, PAGER, or less; None for none."""
    for name in ("IMPROVEPLAN_PAGER", "PAGER"):
        value = os.environ.get(name)
        if value is not None:
            value = value.strip()
            return None if value in ("", "cat") else value
    return "less"


def paging_allowed() -> bool:
    """False when the command was given --no-pager."""
    import click

    ctx = click.get_current_context(silent=True)
    return not (ctx is not None and ctx.find_root().params.get("no_pager"))


def _is_tty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def show(lines: Iterable[str], *, terminal: bool, height: int) -> None:
    """Write the lines to stdout, through the pager when they do not fit on the screen."""
    it = iter(lines)
    command = None
    if terminal and _is_tty(sys.stdout) and _is_tty(sys.stdin) and paging_allowed():
        command = pager_command()
    if command is None:
        _write(it)
        return
    first = list(islice(it, height))
    if len(first) < height:  # fits, with a line left for the prompt
        _write(iter(first))
        return
    _page(command, first, it)


def _write(it: Iterator[str]) -> None:
    write = sys.stdout.write
    while batch := list(islice(it, BATCH)):
        write("".join(batch))


def _page(command: str, first: list[str], rest: Iterator[str]) -> None:
    import click

    saved = {name: os.environ.get(name) for name in ("PAGER", "LESS")}
    os.environ["PAGER"] = command
    if saved["LESS"] is None:
        os.environ["LESS"] = "-FRX"
    try:
        sys.stdout.flush()
        with click.get_pager_file() as pager:
            pager.write("".join(first))
            while batch := list(islice(rest, BATCH)):
                pager.write("".join(batch))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
