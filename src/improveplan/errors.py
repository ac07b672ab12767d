"""Errors a user can cause, and the exit codes of docs/design.md §3.

Every layer raises these; only the CLI turns them into `Error: <what> — <what to do>`.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, shared by every command (docs/design.md §3)."""

    OK = 0
    ERROR = 1
    USAGE = 2
    OVERDUE = 3


class ImproveplanError(Exception):
    """A failure the user can act on: printed as one line, exit 1, nothing written."""

    exit_code = ExitCode.ERROR

    def __init__(self, what: str, todo: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.todo = todo

    def __str__(self) -> str:
        return f"{self.what} — {self.todo}" if self.todo else self.what


class NotFound(ImproveplanError):
    """A plan, person, action, ... that the user named does not exist."""


class Conflict(ImproveplanError):
    """A name or reference already taken, or a concurrent change detected."""


class ChangedSince(Conflict):
    """The action moved on from the version the user read (`--if-version`, the screen)."""


class InvalidState(ImproveplanError):
    """A status change the workflow does not allow (sign-off before done, ...)."""


class NotAllowed(ImproveplanError):
    """The acting person's roles in the plan do not allow this (docs/design.md §5)."""


class DatabaseError(ImproveplanError):
    """The database is missing, unreachable, too old or too new."""
