"""`improveplan completion SHELL`, and the names Tab completes from the database.

The shell runs `improveplan` with `_IMPROVEPLAN_COMPLETE` set on every Tab (click's
protocol). Names are read by store/names.py with the driver alone and no schema check,
so a completion costs about what `--help` does; the database is the one the command would
use (flag > IMPROVEPLAN_DB > config.toml > default), the plan the `--plan` given or the
only plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from improveplan.cli.options import given

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem, ShellComplete

COMPLETE_VAR = "_IMPROVEPLAN_COMPLETE"
SHELLS = ("bash", "zsh", "fish")


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the completion script for SHELL (bash, zsh or fish).

    Tab then completes commands and options, and names from the database: action refs
    (with their titles in zsh and fish), recommendations, people, plans, themes,
    milestones, measures and inspections, in the plan given by --plan or the only plan.
    Install it once:

    \b
    bash:  eval "$(improveplan completion bash)"   in ~/.bashrc
    zsh:   eval "$(improveplan completion zsh)"    in ~/.zshrc
    fish:  improveplan completion fish > FILE, where FILE is
           ~/.config/fish/completions/improveplan.fish
    """
    from click.shell_completion import get_completion_class

    root = click.get_current_context().find_root()
    script_class = _bash_class() if shell == "bash" else get_completion_class(shell)
    assert script_class is not None  # click.Choice admits only the shells click knows
    click.echo(script_class(root.command, {}, "improveplan", COMPLETE_VAR).source())


def _bash_class() -> type[ShellComplete]:
    """click's bash script, quoting what it offers: bash inserts a completion as it is
    (zsh and fish quote it themselves), so "Priya Natarajan" would become two words, and
    `read` without -r would eat a backslash."""
    from click.shell_completion import BashComplete

    class QuotingBash(BashComplete):
        source_template = BashComplete.source_template.replace(
            "read type value", "read -r type value"
        ).replace("COMPREPLY+=($value)", 'COMPREPLY+=("$(printf \'%%q\' "$value")")')

    return QuotingBash


def database_names(ctx: click.Context, kind: str, incomplete: str) -> list[CompletionItem]:
    """The names of `kind` that start with `incomplete`; none when anything fails (a bad
    config.toml, no database): a completion has nowhere to show an error."""
    from click.shell_completion import CompletionItem

    from improveplan.store.names import names

    try:
        db, plan = _where(ctx)
    except Exception:  # no names rather than a traceback in the shell
        return []
    found = names(db, kind, plan=plan, typed=incomplete)
    return [CompletionItem(name, help=text or None) for name, text in found]


def _where(ctx: click.Context) -> tuple[str, str | None]:
    """The database and plan the command being completed would use."""
    from improveplan.config import default_db_path, load_settings

    settings = load_settings()
    db = given(ctx, "db") or settings.db or str(default_db_path())
    own_plan = ctx.params.get("plan")  # access commands take --plan of their own
    plan = (own_plan if isinstance(own_plan, str) else None) or given(ctx, "plan")
    return db, plan or settings.plan
