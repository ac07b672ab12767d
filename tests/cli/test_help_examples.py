"""Every --help ends with two or three examples (cli/examples.py), and every example runs.

Each example is run as a user would type it, against its own copy of the demo plan (as of
31 March 2025), in a folder holding the files it names: the tracker it imports, the report
PDF it reads, the template it renders. Commands that only make sense on a state the demo
lacks (removing a recommendation added by mistake) get that state first, through the CLI.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from improveplan.cli.examples import EXAMPLES
from improveplan.cli.main import cli
from improveplan.cli.options import GIVEN
from tests.commands import every_command
from tests.conftest import _pg_admin, create_pg_database, drop_pg_database
from tests.mailserver import env_for
from tests.pdfs import PETERBOROUGH, Report, write_report

TODAY = "2025-03-31"
WIDTH = 78
"""What click fits --help to in a terminal of 80 columns (CliRunner forces 80: the tests
give the width a terminal would)."""
GLOBAL = {"--db": 2, "--plan": 2, "--user": 2, "--no-pager": 1}
"""The global options an example may give before its command, with how many tokens each."""


def all_commands() -> Iterator[tuple[str, click.Command]]:
    """(path, command) for `improveplan` and everything under it, however deep."""
    return ((" ".join(path), command) for path, command in every_command())


def command_path(argv: list[str]) -> str:
    """The command an example runs ("action list"), past `improveplan` and global options."""
    words = argv[1:]
    while words and words[0] in GLOBAL:
        words = words[GLOBAL[words[0]] :]
    command: click.Command = cli
    path: list[str] = []
    while isinstance(command, click.Group) and words:
        sub = command.get_command(click.Context(command), words[0])
        if sub is None:
            break
        path.append(words.pop(0))
        command = sub
    return " ".join(path)


@dataclass(frozen=True)
class Example:
    key: str
    line: str

    @property
    def argv(self) -> list[str]:
        return shlex.split(self.line)

    @property
    def path(self) -> str:
        return command_path(self.argv)


EVERY = [Example(key, line) for key, examples in EXAMPLES.items() for line, _ in examples]
PATHS = [path for path, _ in all_commands()]


def help_at_80(path: str) -> str:
    runner = CliRunner()
    result = runner.invoke(cli, [*path.split(), "--help"], prog_name="improveplan",
                           terminal_width=WIDTH)  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_and_group_has_two_or_three_examples() -> None:
    assert sorted(EXAMPLES) == sorted(PATHS)
    for path in PATHS:
        assert 2 <= len(EXAMPLES[path]) <= 3, path
    for example in EVERY:
        assert example.line.startswith("improveplan "), example
        under = f"{example.path} ".startswith(f"{example.key} ".lstrip())
        assert under, f"{example.line} is not an example of {example.key!r}"


def shown_examples(text: str) -> list[tuple[str, str]]:
    """The examples a --help ends with, read back: (command line, description unwrapped)."""
    tail = text[text.index("\n  Examples:\n") :].splitlines()[2:]
    shown: list[tuple[str, str]] = []
    for row in tail:
        if row.startswith("    improveplan "):
            shown.append((row[4:], ""))
        else:
            assert row == "" or (row.startswith(" " * 8) and row[8] != " "), row
            line, does = shown[-1]
            shown[-1] = (line, f"{does} {row.strip()}".strip())
    return shown


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p or "improveplan")
def test_every_help_ends_with_its_examples_within_80_columns(path: str) -> None:
    text = help_at_80(path)
    assert shown_examples(text) == list(EXAMPLES[path])
    assert max(len(row) for row in text.splitlines()) <= WIDTH
    if "DATE is" in text:
        assert text.index("DATE is") < text.index("Examples:")


ACTION_LIST_HELP = """\
Usage: improveplan action list [OPTIONS]

  List actions, soonest due first.

  Cancelled actions are left out unless --all or --status asks for them.

Options:
  --owner NAME               Only this person's actions.
  --mine                     Only the acting user's actions (--user).
  --status STATUS            Only this status.
  --rag RAG                  Only this RAG rating.
  --rec REF                  Only actions answering this recommendation.
  --theme T                  Only this theme.
  --overdue                  Only open actions past their due date.
  --all                      Include cancelled actions.
  --as-of DATE               Compute RAG and overdue as on this DATE (default:
                             today, Europe/London).
  --format [table|json|csv]  Output format.  [default: table]
  --db PATH|URL              Same as the global --db.
  --plan NAME                Same as the global --plan.
  --user NAME                Same as the global --user.
  -h, --help                 Show this message and exit.

  DATE is 2025-03-31 or 31/03/2025 (day first), today, yesterday, tomorrow, a
  weekday (mon, friday: the next one), +3d or -7d (days), +2w (weeks), +1m or
  -1m (months), +10wd (working days), eow, eom, eoq or eoy (end of week,
  month, quarter, year).

  Examples:
    improveplan action list --owner "Sarah Whitfield"
        Sarah Whitfield's actions, soonest due first, with RAG and status.

    improveplan action list --overdue --as-of 2025-03-31 --format csv
        The actions that were overdue at the end of March, as CSV.

    improveplan action list --theme "Care leavers" --rag red
        Only the red actions of the Care leavers theme.
"""


def test_the_layout_of_a_help_at_80_columns() -> None:
    env = {**os.environ, "COLUMNS": "80"}
    shown = subprocess.run([sys.executable, "-m", "improveplan", "action", "list", "--help"],
                           env=env, capture_output=True, text=True, check=True)  # fmt: skip
    assert shown.stdout == ACTION_LIST_HELP
    assert help_at_80("action list") == ACTION_LIST_HELP


# What some examples need of the database beyond the demo, made through the CLI first.
PREPARE: dict[str, tuple[str, ...]] = {
    "access revoke": (
        'access grant "Gareth Lloyd" manager',
        'access grant "Sarah Whitfield" lead --theme "Care leavers"',
    ),
    "inspection remove": ("inspection add --type monitoring_visit --start -7d --end -6d",),
    "measure remove": ('measure add "Supervision on time" --unit % --baseline 58 --target 90',),
    "milestone remove": ('milestone add "Care leaver hub opens" --date 2025-06-30',),
    "milestone update": ('milestone add "Care leaver hub opens" --date 2025-06-30',),
    "milestone reset": (
        'milestone update "Improvement board 10" --date 2025-05-06',
        'milestone update "DfE review 3" --date 2025-10-01',
    ),
    "person remove": ('person add "Priya Natarajan"',),
    "rec remove": ('rec add R9 "The quality of return home interviews."',),
    "theme remove": ('theme add "Early help"',),
}
ONLY_ON = {"access setup": "postgres", "db backup": "sqlite", "demo": "sqlite"}
"""Row-level security is PostgreSQL's; a backup copies a SQLite file; the demo builds one
whatever the database, so it runs once."""
NEW_REPORT = Report(
    local_authority="Peterborough",
    start=date(2025, 3, 3),
    end=date(2025, 3, 7),
    lead_inspector="Russel Breyer",
    judgements={
        "impact_of_leaders": "requires_improvement",
        "help_and_protection": "good",
        "children_in_care": "requires_improvement",
        "care_leavers": "requires_improvement",
        "overall_effectiveness": "requires_improvement",
    },
    recommendations=("The quality of return home interviews for children who go missing.",),
)
"""A later inspection of Peterborough, for the import examples to read."""

Invoke = Callable[..., Result]


def _tracker_xlsx(path: Path, run: Invoke) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Ref", "Action", "Lead officer", "Due date", "Status", "RAG"])
    sheet.append(["A1", "Review the EHE register", "Mark Ellison", "30/04/2025", "Not started"])
    sheet.append(["A2", "Audit return interviews", "Joanne Pike", "31/05/2025", "In progress"])
    book.save(path)


def _tracker_csv(path: Path, run: Invoke) -> None:
    path.write_text(
        "Ref,Action,Named manager,Due date\nA1,Review the EHE register,Mark Ellison,30/04/2025\n",
        encoding="utf-8",
    )


def _edited_export(path: Path, run: Invoke) -> None:
    """The plan's actions as CSV, with one action's owner changed as in a spreadsheet."""
    assert run("export", "--format", "csv", "-o", str(path)).exit_code == 0
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",Joanne Pike,", ",Gareth Lloyd,", 1), encoding="utf-8")


def _new_report(path: Path, run: Invoke) -> None:
    write_report(path, NEW_REPORT)


def _demo_report(path: Path, run: Invoke) -> None:
    write_report(path, PETERBOROUGH)


def _template(path: Path, run: Invoke) -> None:
    path.write_text("<h1>{{ plan.name }}</h1><p>{{ totals.red }} red</p>\n", encoding="utf-8")


# The files examples name, made in their folder before they run.
FILES: dict[str, Callable[[Path, Invoke], None]] = {
    "tracker.xlsx": _tracker_xlsx,
    "tracker.csv": _tracker_csv,
    "actions.csv": _edited_export,
    "report.pdf": _new_report,
    "ofsted-2024.pdf": _demo_report,
    "board.html.j2": _template,
}


def _build_demo(target: str) -> None:
    result = CliRunner().invoke(
        cli, ["demo", "--db", target], env={"IMPROVEPLAN_TODAY": TODAY, "IMPROVEPLAN_DB": None}
    )
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, built once per test session; each example runs on a copy."""
    path = tmp_path_factory.mktemp("demo") / "improveplan-demo.db"
    _build_demo(str(path))
    return path


@pytest.fixture(scope="session")
def demo_postgres() -> Iterator[str]:
    """The demo in a PostgreSQL database, the template each example's database is made from."""
    url = create_pg_database()
    try:
        _build_demo(url)
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture(scope="session")
def dropped() -> Iterator[Callable[[str], None]]:
    """Drop the examples' PostgreSQL databases in the background: DROP DATABASE waits for
    a checkpoint, a second or more on a busy server, longer than most examples run."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: list[Future[None]] = []
        yield lambda url: pending.append(pool.submit(drop_pg_database, url))
        for drop in pending:
            drop.result()


@pytest.fixture
def example_db(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the demo on the backend under test."""
    if backend == "sqlite":
        path = tmp_path / "improveplan.db"
        shutil.copyfile(request.getfixturevalue("demo_file"), path)
        yield str(path)
        return
    from sqlalchemy import make_url

    template = make_url(request.getfixturevalue("demo_postgres"))
    drop = request.getfixturevalue("dropped")
    name = f"improveplan_example_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template.database}"')
    url = template.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        drop(url)


def _needs_smtp(argv: list[str], path: str) -> bool:
    return "--notify" in argv or (path == "notify" and "--dry-run" not in argv)


@pytest.mark.parametrize("example", EVERY, ids=lambda e: e.line.removeprefix("improveplan "))
def test_every_example_runs(
    example: Example,
    backend: str,
    example_db: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, argv = example.path, example.argv
    if ONLY_ON.get(path, backend) != backend:
        pytest.skip(f"{path} runs on {ONLY_ON[path]} only")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    env = {"IMPROVEPLAN_TODAY": TODAY, "IMPROVEPLAN_DB": example_db}
    if _needs_smtp(argv, path):
        env |= env_for(request.getfixturevalue("smtp")[1], TODAY)
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(cli, list(args), env=env, prog_name="improveplan")

    if path == "tui":  # a screen, not output: see _open_the_screen
        _open_the_screen(argv, example_db)
        return
    for line in PREPARE.get(path, ()):
        prepared = run(*shlex.split(line))
        assert prepared.exit_code == 0, (line, prepared.output)
    for name, make in FILES.items():
        if name in argv:
            make(work / name, run)
    if "improveplan-demo.db" in argv:
        shutil.copyfile(request.getfixturevalue("demo_file"), work / "improveplan-demo.db")
    result = run(*argv[1:])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code == _expected_exit(path, argv), result.output


def _open_the_screen(argv: list[str], db: str) -> None:
    """A `tui` example's options parse as the command's, and the screen they ask for
    opens (headless, through Textual's pilot) on My actions; --serve is only parsed here
    (tests/tui/test_serve.py serves it)."""
    import asyncio

    from improveplan.services.context import App
    from improveplan.tui.app import PlanScreen
    from improveplan.tui.data import Board
    from tests.tui.screen import settle, shown_text

    with cli.make_context("improveplan", argv[1:]) as root:
        command = cli.get_command(root, "tui")
        assert command is not None
        with command.make_context("tui", argv[2:], parent=root) as ctx:
            options = {**root.params, **ctx.params, **root.meta.get(GIVEN, {})}
    if options["serve"]:
        assert options["port"] == 8080
        return

    async def drive() -> str:
        context = App.from_options(db=db, user=options.get("user"))
        ui = PlanScreen(Board(context, as_of=options["as_of"] or date.fromisoformat(TODAY)))
        try:
            async with ui.run_test(size=(100, 30)) as pilot:
                await settle(ui, pilot)
                return shown_text(ui)
        finally:
            context.close()

    shown = asyncio.run(drive())
    if options.get("user"):
        assert "3 open actions, soonest due first" in shown
    else:  # the login running the tests owns nothing in the demo, and is told so
        assert "who owns no actions" in shown


def _expected_exit(path: str, argv: list[str]) -> int:
    """check always exits 3 on something overdue, overdue only with --fail-on-overdue."""
    overdue = path == "check" or (path == "overdue" and "--fail-on-overdue" in argv)
    return 3 if overdue else 0
