"""Fuzzed command lines never crash: no traceback, and exit codes follow docs/design.md (0-3).

Dates, references and option values come from hypothesis; every command runs in-process
(CliRunner) on one SQLite plan, so a hundred-odd invocations stay within seconds. SQLite
only: the parsing under test is the same on both databases.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Invoke, make_invoker, migrate

EXIT_CODES = {0, 1, 2, 3}
ENV = {"IMPROVEPLAN_TODAY": "2024-06-03"}
# The profile (tests/conftest.py) sets the deadline and the load-related health checks.
FUZZ = settings(
    max_examples=40,
    suppress_health_check=[
        *(settings.default.suppress_health_check if settings.default else ()),
        HealthCheck.function_scoped_fixture,
    ],
)

DATE_WORDS = ["today", "tomorrow", "yesterday", "monday", "eow", "eom", "eoq", "eoy"]
dates = st.one_of(
    st.text(max_size=20),
    st.sampled_from(DATE_WORDS),
    st.from_regex(r"[+-]?\d{1,6}(d|w|m|wd)?", fullmatch=True),
    st.from_regex(r"\d{1,4}[-/]\d{1,3}[-/]\d{1,5}", fullmatch=True),
    st.dates().map(str),
    st.sampled_from(["9999-12-31", "31/12/9999", "0001-01-01", "01/01/0001"]),
)
refs = st.one_of(st.text(max_size=12), st.sampled_from(["1", "2", "2.4", "R1", "", " 1 ", "0"]))
words = st.one_of(
    st.text(max_size=15),
    st.sampled_from(["table", "json", "csv", "red", "amber", "in-progress", "blocked", "theme"]),
)


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """A small plan on SQLite: two people, a recommendation, three actions. The working
    directory is a temporary one, so a fuzzed `-o FILE` writes nowhere that matters."""
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "fuzz.db"
    migrate(str(db))
    invoke = make_invoker(str(db))
    for args in (
        ("plan", "add", "Peterborough", "--authority", "Peterborough City Council"),
        ("person", "add", "Priya Natarajan"),
        ("person", "add", "Tom Okafor"),
        ("rec", "add", "R1", "Improve the front door"),
        ("action", "add", "Review thresholds", "--owner", "Priya Natarajan", "--due", "2024-05-01"),
        ("action", "add", "Pathway plans", "--owner", "Tom Okafor", "--due", "2024-07-01"),
        ("action", "add", "Audit", "--owner", "Tom Okafor", "--due", "2024-09-01", "--ref", "2.4"),
    ):
        result = invoke(*args, env=ENV)
        assert result.exit_code == 0, (args, result.output)
    return invoke


def assert_clean(result: Result, args: tuple[str, ...]) -> None:
    """No crash: a SystemExit at most, no traceback text, an exit code docs/design.md knows."""
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), (args, repr(exc))
    assert "Traceback" not in result.output, (args, result.output)
    assert result.exit_code in EXIT_CODES, (args, result.exit_code, result.output)
    if result.exit_code == 1:
        assert result.stderr.startswith("Error: "), (args, result.stderr)


def invoke(run: Invoke, *args: str) -> Result:
    result = run(*args, env=ENV)
    assert_clean(result, args)
    return result


AS_OF_COMMANDS = [
    ("overdue",),
    ("status",),
    ("action", "list"),
    ("timeline",),
    ("check", "--quiet"),
    ("milestone", "list"),
]


@FUZZ
@given(command=st.sampled_from(AS_OF_COMMANDS), when=dates)
def test_as_of_dates(run: Invoke, command: tuple[str, ...], when: str) -> None:
    invoke(run, *command, "--as-of", when)


@FUZZ
@given(title=st.text(max_size=40), due=dates, start=dates)
def test_action_add_dates_and_titles(run: Invoke, title: str, due: str, start: str) -> None:
    invoke(run, "action", "add", title, "--owner", "Tom Okafor", "--due", due, "--start", start)


@FUZZ
@given(
    ref=refs,
    status=words,
    due=dates,
    reason=st.text(max_size=20),
    rag=words,
    version=st.text(max_size=6),
)
def test_action_update_values(
    run: Invoke, ref: str, status: str, due: str, reason: str, rag: str, version: str
) -> None:
    invoke(run, "action", "update", ref, "--status", status, "--reason", reason)
    invoke(run, "action", "update", ref, "--due", due, "--reason", reason)
    invoke(run, "action", "update", ref, "--rag", rag, "--reason", reason)
    invoke(run, "action", "update", ref, "--title", reason, "--if-version", version)


@FUZZ
@given(ref=refs, text=st.text(max_size=40))
def test_refs_everywhere(run: Invoke, ref: str, text: str) -> None:
    for args in (
        ("action", "show", ref),
        ("action", "history", ref),
        ("action", "note", ref, text),
        ("action", "done", ref, "--evidence", text),
        ("action", "signoff", ref),
        ("action", "reopen", ref, "--reason", text),
        ("rec", "show", ref),
        ("inspection", "show", ref),
    ):
        invoke(run, *args)


@FUZZ
@given(fmt=words, owner=st.text(max_size=20), status=words, rag=words, within=st.text(max_size=5))
def test_listing_options(
    run: Invoke, fmt: str, owner: str, status: str, rag: str, within: str
) -> None:
    invoke(run, "action", "list", "--format", fmt, "--owner", owner)
    invoke(run, "action", "list", "--status", status, "--rag", rag)
    invoke(run, "overdue", "--within", within, "--format", fmt)
    invoke(run, "overdue", "--owner", owner, "--fail-on-overdue")
    invoke(run, "status", "--by", status, "--format", fmt)


TOKENS = [
    "action", "list", "add", "update", "show", "note", "done", "status", "overdue", "report",
    "export", "timeline", "milestone", "notice", "set", "measure", "record", "theme", "rec",
    "plan", "person", "check", "--format", "--as-of", "--due", "--owner", "--ref", "--status",
    "--by", "--within", "--plan", "-o", "1", "R1", "json", "csv", "today", "--help",
]  # fmt: skip


@FUZZ
@given(argv=st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)), max_size=6))
def test_random_command_lines(run: Invoke, argv: list[str]) -> None:
    invoke(run, *argv)


CALENDAR_COMMANDS = [
    ("status",),
    ("action", "list"),
    ("overdue",),
    ("timeline",),
    ("check", "--quiet"),
    ("report", "--format", "md"),
    ("milestone", "list"),
]
CALENDAR_CASES = [
    pytest.param(command, when, id=f"{command[0]}-{when}")
    for command in CALENDAR_COMMANDS
    for when in ("9999-12-31", "31/12/9999", "0001-01-01")
]


@pytest.mark.parametrize(("command", "when"), CALENDAR_CASES)
def test_end_of_the_calendar(run: Invoke, command: tuple[str, ...], when: str) -> None:
    """Dates at the edge of the calendar are answered or refused, never a traceback."""
    invoke(run, *command, "--as-of", when)


def test_overdue_within_a_huge_window(run: Invoke) -> None:
    invoke(run, "overdue", "--within", "3000000")
