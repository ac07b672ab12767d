"""Every command of `improveplan`, for the tests that hold a rule over all of them."""

from __future__ import annotations

from collections.abc import Iterator

import click


def every_command(root: click.Command | None = None) -> Iterator[tuple[list[str], click.Command]]:
    """(path, command) for `improveplan` (path []) and everything under it, however deep;
    the lazily loaded commands are loaded as --help would load them."""
    if root is None:
        from improveplan.cli.main import cli

        root = cli

    def walk(path: list[str], command: click.Command) -> Iterator[tuple[list[str], click.Command]]:
        yield path, command
        if isinstance(command, click.Group):
            ctx = click.Context(command)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                yield from walk([*path, name], sub)

    return walk([], root)
