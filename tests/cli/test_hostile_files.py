"""Awkward data and awkward files: every output still written, every failure one line.

Old rows holding characters XML cannot hold, refs a flattening UID would merge, a database
that cannot be written or is damaged, an install missing its folders, a date at the end
of the calendar, and the permissions of every file improveplan writes (docs/design.md §5).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import Result

from improveplan.store.engine import to_url
from tests.conftest import (
    PG_ENV,
    PG_SKIP,
    Invoke,
    create_pg_database,
    drop_pg_database,
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


# db check on a damaged database -------------------------------------------------------------


def _overwrite_page(path: Path, table: str) -> int:
    """Overwrite the root page of `table` with junk, as a failing disk might; its number."""
    with closing(sqlite3.connect(path)) as conn:
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    with path.open("r+b") as handle:
        handle.seek((root[0] - 1) * size)
        handle.write(b"\xa5" * size)
    return int(root[0])


def test_db_check_lists_the_damage_it_finds(sqlite_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "improveplan.db"
    shutil.copyfile(sqlite_template, path)
    run = make_invoker(str(path))
    ok(run, "plan", "add", "Peterborough", "--authority", "Peterborough City Council")
    ok(run, "person", "add", "Tom Okafor")
    for n in range(3):
        ok(run, "action", "add", f"Action {n}", "--owner", "Tom Okafor", "--due", "2025-06-01")
    page = _overwrite_page(path, "action")
    before = path.read_bytes()
    result = run("db", "check")
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        f"bad  Page {page}: btreeInitPage() returns error code 11",
        "bad  the check stopped early: database disk image is malformed",
    ]
    assert result.stderr == (
        f"Error: {path} is damaged (2 problems found by SQLite's integrity check)"
        " — restore it from a backup\n"
    )
    assert path.read_bytes() == before
    # Every other command still says so in one line, and points at db check.
    listed = run("action", "list")
    assert listed.exit_code == 1 and "Traceback" not in listed.output
    assert listed.stderr.endswith(
        "is damaged (database disk image is malformed) — restore it from a backup;"
        " improveplan db check reports what it finds\n"
    )


def test_db_check_on_a_sound_database_still_passes(run: Invoke, backend: str) -> None:
    result = run("db", "check")
    assert result.exit_code == 0, result.output
    checks = (
        ["integrity check ok", "foreign keys ok"] if backend == "sqlite" else ["server answers"]
    )
    assert result.stdout.splitlines() == [f"ok  {c}" for c in ["schema at head (0002)", *checks]]


# A database this process cannot write --------------------------------------------------------

READ_ONLY = "is read-only — ask for write access, or work on a copy"
ADD = ("action", "add", "Another", "--owner", "Tom Okafor", "--due", "2025-06-01")


def _demo_file(sqlite_template: Path, path: Path) -> Path:
    shutil.copyfile(sqlite_template, path)
    run = make_invoker(str(path))
    ok(run, "plan", "add", "Peterborough", "--authority", "Peterborough City Council")
    ok(run, "person", "add", "Tom Okafor")
    ok(run, "action", "add", "Audit files", "--owner", "Tom Okafor", "--due", "2025-06-01")
    return path


def _without_override() -> list[str]:
    """A prefix that runs a command as its user, bound by file permissions: root ignores
    them, so as root the CAP_DAC_* capabilities are dropped (setpriv)."""
    if os.geteuid() != 0:
        return []
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
    if shutil.which("setpriv") is None or subprocess.run([*prefix, "true"]).returncode:
        pytest.skip("running as root without setpriv able to drop CAP_DAC_OVERRIDE")
    return prefix


def _improveplan(prefix: list[str], path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [*prefix, sys.executable, "-m", "improveplan", "--db", str(path), *args]
    env = {**os.environ, **TODAY, "IMPROVEPLAN_USER": "tester"}
    return subprocess.run(argv, capture_output=True, text=True, env=env, check=False)


def test_a_database_without_write_permission_is_read_and_never_written(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = _demo_file(sqlite_template, tmp_path / "improveplan.db")
    path.chmod(0o400)
    me = _without_override()
    listed = _improveplan(me, path, "action", "list", "--format", "csv")
    assert (listed.returncode, listed.stderr) == (0, "")
    assert listed.stdout.splitlines()[1].startswith("1,Audit files,Tom Okafor,2025-06-01,")
    refused = _improveplan(me, path, *ADD)
    assert (refused.returncode, refused.stderr) == (1, f"Error: {path} {READ_ONLY}\n")
    checked = _improveplan(me, path, "db", "check")
    assert (checked.returncode, checked.stdout.splitlines()[-1]) == (0, "ok  foreign keys ok")
    copy = tmp_path / "copy.db"
    assert _improveplan(me, path, "db", "backup", str(copy)).returncode == 0
    assert sql(str(copy), "SELECT count(*) FROM action") == [(1,)]
    # SQLite left -wal and -shm beside it, read-only like the database: once the owner
    # makes the database writable again, a write names them instead of failing vaguely.
    path.chmod(0o600)
    stuck = [f for f in (Path(f"{path}-wal"), Path(f"{path}-shm")) if f.exists()]
    assert stuck and all(f.stat().st_mode & 0o777 == 0o400 for f in stuck)
    again = _improveplan(me, path, *ADD)
    assert again.returncode == 1
    assert again.stderr == (
        f"Error: {' and '.join(map(str, stuck))} {'is' if len(stuck) == 1 else 'are'} read-only,"
        f" so {path} cannot be written — make {'it' if len(stuck) == 1 else 'them'} writable"
        " too (chmod u+w), then retry\n"
    )
    for f in stuck:
        f.chmod(0o600)
    assert _improveplan(me, path, *ADD).returncode == 0
    assert sql(str(path), "SELECT count(*) FROM action") == [(2,)]


def test_a_read_only_database_in_a_read_only_folder_says_what_sqlite_needs(
    sqlite_template: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    path = _demo_file(sqlite_template, folder / "improveplan.db")
    path.chmod(0o400)
    folder.chmod(0o555)
    try:
        done = _improveplan(_without_override(), path, "plan", "list")
    finally:
        folder.chmod(0o755)
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: cannot read {path}: it is read-only, and SQLite needs improveplan.db-shm beside"
        " it and cannot create it — make its folder writable, or copy it (with any -wal file)"
        " where you can write\n"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["improveplan.db"]


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of our own, to be remounted read-only (needs root; skips otherwise)."""
    where = tmp_path / "mnt"
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "improveplan-test", str(where)],
        capture_output=True,
        check=False,
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip() or 'not root'}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _seal(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)


def test_a_database_on_a_read_only_mount_is_read_and_never_written(
    sqlite_template: Path, tmp_path: Path, mount: Path
) -> None:
    source = _demo_file(sqlite_template, tmp_path / "improveplan.db")
    path = mount / "improveplan.db"
    shutil.copyfile(source, path)
    _seal(mount)
    before = path.read_bytes()
    run = make_invoker(str(path))
    listed = run("action", "list", "--format", "csv", env=TODAY)
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines()[1].startswith("1,Audit files,Tom Okafor,2025-06-01,")
    for args in (ADD, ("check",), ("plan", "add", "Other", "--authority", "X")):
        one_error(run(*args, env=TODAY), f"{path} {READ_ONLY}")
    assert ok(run, "db", "check").stdout.splitlines()[-1] == "ok  foreign keys ok"
    assert ok(run, "db", "upgrade").stderr == f"{path} is at schema 0002 (head).\n"
    copy = tmp_path / "copy.db"
    ok(run, "db", "backup", str(copy))
    assert sql(str(copy), "SELECT title FROM action") == [("Audit files",)]
    assert path.read_bytes() == before
    assert sorted(p.name for p in mount.iterdir()) == ["improveplan.db"]


def test_commits_in_a_wal_on_a_read_only_mount_are_read_not_ignored(
    sqlite_template: Path, tmp_path: Path, mount: Path
) -> None:
    source = _demo_file(sqlite_template, tmp_path / "improveplan.db")
    with closing(sqlite3.connect(source)) as writer:  # a writer that has not checkpointed
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute("UPDATE action SET title = 'Audit every file'")
        writer.commit()
        for suffix in ("", "-wal", "-shm"):
            shutil.copyfile(f"{source}{suffix}", mount / f"improveplan.db{suffix}")
        (mount / "lone").mkdir()
        for suffix in ("", "-wal"):
            shutil.copyfile(f"{source}{suffix}", mount / "lone" / f"improveplan.db{suffix}")
    _seal(mount)
    shown = ok(
        make_invoker(str(mount / "improveplan.db")), "action", "show", "1", "--format", "json"
    )
    assert json.loads(shown.stdout)["title"] == "Audit every file"  # immutable=1 would miss it
    lone = mount / "lone" / "improveplan.db"
    one_error(
        make_invoker(str(lone))("plan", "list"),
        f"cannot read {lone}: it is read-only, and SQLite needs improveplan.db-shm beside it and"
        " cannot create it — make its folder writable, or copy it (with any -wal file) where"
        " you can write",
    )


@pytest.mark.postgres
def test_a_read_only_postgres_database_refuses_writes_in_one_line() -> None:
    if os.environ.get(PG_ENV) is None:
        pytest.skip(PG_SKIP)
    url = create_pg_database()
    try:
        run = make_invoker(url)
        ok(run, "init")
        ok(run, "plan", "add", "Peterborough", "--authority", "Peterborough City Council")
        name = url.rsplit("/", 1)[1]
        sql(url, f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        assert (
            ok(run, "plan", "list", "--format", "csv")
            .stdout.splitlines()[1]
            .startswith("Peterborough,")
        )
        shown = to_url(url).render_as_string(hide_password=True)
        for args in (("plan", "add", "Other", "--authority", "X"), ("check",)):
            one_error(run(*args, env=TODAY), f"{shown} {READ_ONLY}")
        assert sql(url, "SELECT name FROM plan") == [("Peterborough",)]
    finally:
        drop_pg_database(url)


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
