"""Every --help that takes a DATE lists the forms a DATE may take, and options that look
back (`--since`) read a weekday as the last one."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from improveplan.cli.main import cli
from improveplan.cli.options import DATE_HELP, DateParam
from tests.commands import every_command
from tests.conftest import Invoke

# Each form DATE_HELP names, as a user would type it; each must parse.
FORMS = ("2025-03-31", "31/03/2025", "today", "yesterday", "tomorrow", "mon", "friday",
         "+3d", "-7d", "+2w", "+1m", "-1m", "+10wd", "eow", "eom", "eoq", "eoy")  # fmt: skip


def dated_commands() -> Iterator[tuple[list[str], click.Command]]:
    """(path, command) for every command taking a DATE, however deep in the groups."""
    return (
        (path, command)
        for path, command in every_command()
        if any(isinstance(p.type, DateParam) for p in command.params)
    )


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_help_names_only_forms_the_grammar_reads() -> None:
    from improveplan.domain.dates import parse_date

    shown = flat(DATE_HELP.format(past=""))
    for form in FORMS:
        assert re.search(rf"(?<![\w+-]){re.escape(form)}(?![\w])", shown), form
        parse_date(form, today=dt.date(2025, 4, 2))


COMMANDS = [pytest.param(path, id=" ".join(path)) for path, _ in dated_commands()]


def test_the_commands_with_dates_are_found() -> None:
    names = {" ".join(path) for path, _ in dated_commands()}
    assert {"action add", "status", "overdue", "check", "timeline", "measure record"} <= names


@pytest.mark.parametrize("path", COMMANDS)
def test_every_help_that_takes_a_date_lists_the_forms(path: list[str]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "+3d or -7d (days)" in text and "+1m or -1m (months)" in text
    assert flat(DATE_HELP.split("(mon")[0]) in text
    assert text.count("DATE is 2025-03-31") == 1


def test_since_names_itself_as_looking_back() -> None:
    result = CliRunner().invoke(cli, ["status", "--help"])
    assert "a weekday (mon, friday: the next one; the last one for --since)" in flat(result.output)
    add = CliRunner().invoke(cli, ["action", "add", "--help"])
    assert "a weekday (mon, friday: the next one), +3d" in flat(add.output)


def test_status_since_monday_is_the_last_monday(plan_run: Invoke) -> None:
    wednesday = {"IMPROVEPLAN_TODAY": "2025-04-02"}
    result = plan_run("status", "--since", "monday", "--format", "json", env=wednesday)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["changes"]["since"] == "2025-03-31"
    week = plan_run("status", "--since", "-7d", "--format", "json", env=wednesday)
    assert json.loads(week.stdout)["changes"]["since"] == "2025-03-26"
    due = plan_run("action", "add", "Audit", "--owner", "Tom Okafor", "--due", "monday",
                   env=wednesday)  # fmt: skip
    assert due.stderr == "Added action 1: Audit (owner Tom Okafor, due 2025-04-07).\n"


def test_a_date_that_is_not_one_names_the_forms(plan_run: Invoke) -> None:
    result = plan_run("status", "--since", "last week")
    assert result.exit_code == 2
    assert "'last week' is not a date — use YYYY-MM-DD, DD/MM/YYYY, today, yesterday" in flat(
        result.stderr
    )


def test_dates_of_what_has_happened_read_a_weekday_as_the_last_one(plan_run: Invoke) -> None:
    wednesday = {"IMPROVEPLAN_TODAY": "2025-04-02"}
    added = plan_run("inspection", "add", "--type", "monitoring_visit", "--start", "monday",
                     "--end", "tuesday", env=wednesday)  # fmt: skip
    assert added.exit_code == 0, added.output
    shown = json.loads(plan_run("inspection", "show", "1", "--format", "json").stdout)
    assert (shown["start"], shown["end"]) == ("2025-03-31", "2025-04-01")
    help_text = flat(CliRunner().invoke(cli, ["inspection", "add", "--help"]).output)
    assert "the last one for --start, --end, --received and --published" in help_text
