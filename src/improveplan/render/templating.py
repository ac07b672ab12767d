"""The one Jinja2 environment factory of the project (board report, email digests).

Bundled templates load from `resource_dir("templates")` so they are found installed or
editable; HTML is autoescaped by file name, text and Markdown are not. Templates a user
supplies run in Jinja2's sandbox: they may read the data given, never call into Python.
A template's data is a typed context (a dataclass): `context_of` makes its fields the
template's names, so a template writes `plan.name`, `a.days_overdue`, never a key.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from improveplan.resources import resource_dir

# Autoescape by the name's ending: `report.html.j2` escapes, `digest.txt.j2` does not.
_ESCAPED = ("html", "htm", "xml", "svg", "html.j2", "htm.j2", "xml.j2", "svg.j2")
_PLAIN = ("txt", "md", "csv", "txt.j2", "md.j2", "csv.j2")


def context_of(data: Any, **extra: Any) -> dict[str, Any]:
    """The fields of a typed context (one level: values stay typed) as a template's
    top-level names, with `extra` names beside them (helpers, charts)."""
    names = {f.name: getattr(data, f.name) for f in dataclasses.fields(data)}
    return names | extra


def _autoescape() -> Callable[[str | None], bool]:
    return select_autoescape(
        enabled_extensions=_ESCAPED,
        disabled_extensions=_PLAIN,
        default_for_string=True,
        default=True,
    )


def environment() -> Environment:
    """Bundled templates; HTML autoescaped (anything unrecognised escapes too: safe default)."""
    return Environment(
        loader=FileSystemLoader(str(resource_dir("templates"))),
        autoescape=_autoescape(),
    )


def sandboxed_environment(
    path: Path | None = None, *, autoescape: bool | None = None
) -> SandboxedEnvironment:
    """An environment for a user's template: sandboxed, loading only beside `path`.

    `autoescape` None chooses by file name (HTML escaped, `.md`/`.txt` not); a string
    template (`from_string`) is escaped unless told otherwise.
    """
    loader = FileSystemLoader(str(path.parent)) if path is not None else None
    chosen: bool | Callable[[str | None], bool] = (
        _autoescape() if autoescape is None else autoescape
    )
    return SandboxedEnvironment(loader=loader, autoescape=chosen)


OUTPUT_LIMIT = 10_000_000  # characters: a board pack is a few hundred kB
TIME_LIMIT_SECONDS = 60


def bounded_render(template: Any, context: dict[str, Any]) -> str:
    """Render a user's template, stopping it past OUTPUT_LIMIT characters or
    TIME_LIMIT_SECONDS (a loop in a template must not fill the disk or hang cron)."""
    from improveplan.errors import ImproveplanError

    parts: list[str] = []
    size = 0
    with _deadline(TIME_LIMIT_SECONDS):
        for chunk in template.generate(context):
            size += len(chunk)
            if size > OUTPUT_LIMIT:
                raise ImproveplanError(
                    f"the template wrote more than {OUTPUT_LIMIT:,} characters",
                    "check it for a runaway loop",
                )
            parts.append(chunk)
    return "".join(parts)


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """SIGALRM after `seconds` (main thread on Unix; elsewhere no time limit)."""
    import signal
    import threading

    from improveplan.errors import ImproveplanError

    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(_signum: int, _frame: object) -> None:
        raise ImproveplanError(
            f"the template ran for more than {seconds} seconds", "check it for a runaway loop"
        )

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
