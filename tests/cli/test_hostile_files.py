"""Awkward data and awkward files: every output still written, every failure one line.

Old rows holding characters XML cannot hold, refs a flattening UID would merge, an install
missing its folders, a date at the end of the calendar, and the permissions of every file
improveplan writes (docs/design.md §5). Damaged and read-only databases are in
test_hostile_database.py.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import (
    Invoke,
    make_invoker,
    sql,
)

TODAY = {"IMPROVEPLAN_TODAY": "2025-03-31"}


def one_error(result: Result, line: str) -> None:
    """Exit 1, no traceback, and exactly `line` on stderr."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.stderr == f"Error: {line}\n"


def ok(run: Invoke, *args: str) -> Result:
    result = run(*args, env=TODAY)
    assert result.exit_code == 0, result.output
    return result


# XLSX and ICS text ------------------------------------------------------------------------

WORD_TITLE = "Audit supervision\x0bthen report\x01 to the board"  # Shift+Enter, and a stray ^A


def _stored_before_the_checks(db_url: str) -> None:
    """Text the door now refuses, written as an older version (or a script) could have."""
    sql(db_url, "UPDATE action SET title = :t WHERE ref = '1'", t=WORD_TITLE)
    sql(db_url, "UPDATE action SET title = :t WHERE ref = '2'", t='\x02=HYPERLINK("x")')
    sql(db_url, "UPDATE person SET name = :n WHERE name = 'Tom Okafor'", n="Tom\x1bOkafor")
    sql(db_url, "UPDATE progress_note SET text = :t", t="half\x0cway")


def _plan_with_old_text(plan_run: Invoke, db_url: str) -> None:
    ok(plan_run, "action", "add", "First", "--owner", "Priya Natarajan", "--due", "2025-05-01")
    ok(plan_run, "action", "add", "Second", "--owner", "Tom Okafor", "--due", "2025-06-01")
    ok(plan_run, "action", "note", "1", "halfway")
    _stored_before_the_checks(db_url)


def test_xlsx_exports_text_stored_with_control_characters(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    _plan_with_old_text(plan_run, db_url)
    path = tmp_path / "plan.xlsx"
    result = ok(plan_run, "export", "-o", str(path))
    assert result.stderr == f'Exported plan "Peterborough" as xlsx to {path}.\n'
    book = load_workbook(path)
    actions = book["Actions"]
    header = [c.value for c in actions[1]]
    titles = [actions.cell(row, header.index("title") + 1).value for row in (2, 3)]
    # U+000B is the line break Word meant; ^A and ^B are dropped; the formula stays text.
    assert titles == ["Audit supervision\nthen report to the board", '\'=HYPERLINK("x")']
    owners = [actions.cell(row, header.index("owner") + 1).value for row in (2, 3)]
    assert owners == ["Priya Natarajan", "TomOkafor"]
    assert book["Notes"].cell(2, 4).value == "half\nway"


def test_ics_exports_text_stored_with_control_characters(plan_run: Invoke, db_url: str) -> None:
    from icalendar import Calendar

    _plan_with_old_text(plan_run, db_url)
    text = ok(plan_run, "export", "--format", "ics").stdout
    assert not [c for c in text if ord(c) < 32 and c not in "\r\n"]
    events = {str(e["UID"]): e for e in Calendar.from_ical(text).walk("VEVENT")}
    first = events["action-%50eterborough-1@improveplan"]
    assert str(first["SUMMARY"]) == "Action 1 due: Audit supervision\nthen report to the board"
    second = events["action-%50eterborough-2@improveplan"]
    assert str(second["DESCRIPTION"]) == "Owner: TomOkafor\nStatus: not_started"


# ICS UIDs ---------------------------------------------------------------------------------


def test_refs_differing_only_by_case_or_punctuation_get_their_own_events(
    plan_run: Invoke, db_url: str
) -> None:
    from icalendar import Calendar

    for ref in ("A1", "B1", "2-4", "2/4", "2.4"):
        ok(plan_run, "action", "add", f"Action {ref}", "--ref", ref, "--owner", "Tom Okafor",
           "--due", "2025-06-02")  # fmt: skip
    # Refs are unique regardless of case today; older data may hold both spellings.
    sql(db_url, "UPDATE action SET ref = 'a1', title = 'Action a1' WHERE ref = 'B1'")
    first = ok(plan_run, "export", "--format", "ics").stdout
    events = Calendar.from_ical(first).walk("VEVENT")
    uids = {str(e["SUMMARY"]).removeprefix("Action ").split(" ")[0]: str(e["UID"]) for e in events}
    assert uids == {
        "A1": "action-%50eterborough-%411@improveplan",
        "a1": "action-%50eterborough-a1@improveplan",
        "2-4": "action-%50eterborough-2%2D4@improveplan",
        "2/4": "action-%50eterborough-2%2F4@improveplan",
        "2.4": "action-%50eterborough-2.4@improveplan",
    }
    assert len({u.lower() for u in uids.values()}) == 5  # apart even to a case-blind client
    ok(plan_run, "action", "note", "2.4", "progress")  # stable across exports
    again = Calendar.from_ical(ok(plan_run, "export", "--format", "ics").stdout)
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == sorted(uids.values())


def test_an_action_due_on_the_last_day_of_the_calendar_is_a_one_day_event(
    plan_run: Invoke,
) -> None:
    from icalendar import Calendar

    ok(plan_run, "action", "add", "Far off", "--owner", "Tom Okafor", "--due", "9999-12-31")
    (event,) = Calendar.from_ical(ok(plan_run, "export", "--format", "ics").stdout).walk("VEVENT")
    assert event.decoded("DTSTART") == dt.date.max
    assert "DTEND" not in event  # RFC 5545: a DATE DTSTART alone lasts the day


# A broken install ---------------------------------------------------------------------------

REINSTALL = "reinstall it (pip install --force-reinstall improveplan)"


def _installed_in(site: Path, monkeypatch: pytest.MonkeyPatch, *keep: str) -> None:
    """Pretend the package lives in `site`, beside copies of only the folders in `keep`
    (`templates`, `migrations`), as a wheel unpacked without some of its files would."""
    from improveplan import resources

    source = Path(resources.__file__).resolve().parent.parent.parent
    package = site / "improveplan"
    package.mkdir(parents=True)
    for name in keep:
        shutil.copytree(source / name, package / name)
    monkeypatch.setattr(resources, "_PACKAGE_DIR", package)


def test_init_without_migrations_is_one_line_and_creates_nothing(
    run_fresh: Invoke, fresh_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _installed_in(tmp_path / "site", monkeypatch, "templates")
    for args in (("init",), ("db", "upgrade")):
        result = run_fresh(*args)
        if args == ("db", "upgrade") and fresh_db_url.endswith(".db"):
            one_error(result, f"no database at {fresh_db_url} — run improveplan init")
            continue
        one_error(result, f"improveplan is installed without its migrations/ folder — {REINSTALL}")
    if fresh_db_url.endswith(".db"):
        assert not Path(fresh_db_url).exists()
    else:
        assert sql(fresh_db_url, "SELECT count(*) FROM information_schema.tables"
                   " WHERE table_schema = 'public'") == [(0,)]  # fmt: skip


def test_a_missing_migration_script_is_named(
    run_fresh: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _installed_in(tmp_path / "site", monkeypatch, "templates", "migrations")
    for script in (tmp_path / "site/improveplan/migrations/versions").glob("0002_*.py"):
        script.unlink()
    one_error(
        run_fresh("init"),
        f"improveplan is installed without its migrations/versions/0002_*.py script — {REINSTALL}",
    )


@pytest.mark.parametrize("missing", ["templates", "templates/report.md.j2"])
def test_report_without_its_templates_is_one_line(
    plan_run: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    _installed_in(tmp_path / "site", monkeypatch, "migrations", "templates")
    target = tmp_path / "site/improveplan" / missing
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()
    what = "templates/ folder" if missing == "templates" else missing
    one_error(
        plan_run("report", "--format", "md", env=TODAY),
        f"improveplan is installed without its {what} — {REINSTALL}",
    )


# A report received on the last day of the calendar -----------------------------------------

HELD = "held at the end of the calendar"


def _milestones(run: Invoke) -> list[tuple[str, str, str]]:
    shown = json.loads(ok(run, "milestone", "list", "--format", "json").stdout)
    return [(m["name"], m["date"], m["rule"]) for m in shown]


def test_received_on_9999_12_31_holds_the_deadlines_at_the_end_of_the_calendar(
    plan_run: Invoke, db_url: str
) -> None:
    added = ok(plan_run, "inspection", "add", "--type", "standard", "--start", "9999-12-01",
               "--end", "9999-12-10", "--received", "9999-12-31",
               "--grade", "overall_effectiveness=inadequate")  # fmt: skip
    assert added.stderr == "Added inspection 1 (standard, 9999-12-01 to 9999-12-10).\n"
    assert _milestones(plan_run) == [
        ("Action plan due", "9999-12-31", f"received 9999-12-31 + 70 working days, {HELD}"),
        ("Report published locally", "9999-12-31", f"received 9999-12-31 + 30 working days, {HELD}"),
    ]  # fmt: skip
    assert sql(db_url, "SELECT count(*) FROM milestone") == [(2,)]


def test_updating_received_to_9999_12_31_moves_the_deadlines_there(plan_run: Invoke) -> None:
    ok(plan_run, "inspection", "add", "--type", "focused_visit", "--start", "2024-11-04",
       "--end", "2024-11-05", "--received", "2024-11-29")  # fmt: skip
    assert [m[1] for m in _milestones(plan_run)] == ["2024-12-31", "2025-03-12"]
    updated = ok(plan_run, "inspection", "update", "1", "--received", "9999-12-31")
    assert updated.stderr == "Updated inspection 1.\n"
    assert _milestones(plan_run) == [
        ("Action plan due", "9999-12-31", f"received 9999-12-31 + 70 working days, {HELD}"),
        ("Draft action plan due", "9999-12-31", f"received 9999-12-31 + 20 working days, {HELD}"),
    ]  # fmt: skip
    timeline = ok(plan_run, "timeline", "--as-of", "9999-12-31", "--format", "json")
    assert [m["status"] for m in json.loads(timeline.stdout)] == ["due", "due"]


# Every file improveplan writes is its owner's alone -------------------------------------------


@pytest.fixture
def open_umask() -> Iterator[None]:
    """umask 000, the most permissive a user's shell can set: modes are ours alone."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.mark.usefixtures("open_umask")
def test_exports_and_reports_are_created_0600(plan_run: Invoke, tmp_path: Path) -> None:
    ok(plan_run, "action", "add", "Audit files", "--owner", "Tom Okafor", "--due", "2025-06-01")
    written = []
    for name in ("plan.json", "plan.csv", "plan.ics", "plan.xlsx"):
        ok(plan_run, "export", "-o", str(tmp_path / name))
        written.append(tmp_path / name)
    for fmt in ("html", "md"):
        ok(plan_run, "report", "--format", fmt, "-o", str(tmp_path / f"board.{fmt}"))
        written.append(tmp_path / f"board.{fmt}")
    assert {p.name: _mode(p) for p in written} == {p.name: 0o600 for p in written}
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # no temporary file left beside them


@pytest.mark.usefixtures("open_umask")
def test_a_new_database_its_journal_files_and_its_backup_are_0600(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    run = make_invoker(str(path))
    ok(run, "init")
    ok(run, "plan", "add", "Peterborough", "--authority", "Peterborough City Council")
    with closing(sqlite3.connect(path)) as held:  # so the -wal and -shm stay to be seen
        held.execute("SELECT count(*) FROM plan").fetchall()
        ok(run, "check", "--as-of", "2025-03-31")
        files = sorted(tmp_path.iterdir())
        assert [p.name for p in files] == [
            "new.db", "new.db-shm", "new.db-wal", "new.db.check.lock",
        ]  # fmt: skip
        assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
    ok(run, "db", "backup", str(tmp_path / "copy.db"))
    assert _mode(tmp_path / "copy.db") == 0o600
