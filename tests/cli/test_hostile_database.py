"""A database that cannot be written, or is damaged: read what can be read, one line for
the rest (docs/design.md §5).

SQLite files without write permission, in a read-only folder, on a read-only mount (with
and without commits in the -wal), a PostgreSQL database in read-only transactions, and
`db check` on a file whose pages were overwritten.
"""

from __future__ import annotations

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

from improveplan.store.engine import to_url
from tests.cli.test_hostile_files import TODAY, ok, one_error
from tests.conftest import (
    PG_ENV,
    PG_SKIP,
    Invoke,
    create_pg_database,
    drop_pg_database,
    make_invoker,
    sql,
)

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
    # Every other command still says so in one line, and points at db check: the reads
    # with the driver alone too (the table, json, csv, --mine, overdue).
    for args in (
        ("action", "list"),
        ("action", "list", "--format", "csv"),
        ("action", "list", "--mine", "--format", "json"),
        ("overdue", "--format", "json"),
    ):
        listed = run(*args, user="Tom Okafor")
        assert listed.exit_code == 1 and "Traceback" not in listed.output, (args, listed.output)
        assert listed.stderr.endswith(
            "is damaged (database disk image is malformed) — restore it from a backup;"
            " improveplan db check reports what it finds\n"
        ), args


def test_damage_met_mid_export_is_one_line_and_no_file(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export reads its audit trail last, on the session's own cursor (store/
    export_reads.py): a damaged trail is met after the actions were read, by the driver
    itself, and is still one line, with no file left behind."""
    path = _demo_file(sqlite_template, tmp_path / "improveplan.db")
    run = make_invoker(str(path))
    ok(run, "action", "update", "1", "--status", "in_progress")
    _overwrite_page(path, "audit_event")
    damaged = (
        "the database is damaged (database disk image is malformed) — restore it from a"
        " backup; improveplan db check reports what it finds"
    )
    for args, written in (
        (("export", "--format", "json", "-o", "plan.json"), "plan.json"),
        (("export", "--format", "xlsx", "-o", "plan.xlsx"), "plan.xlsx"),
        (("export", "--format", "ics", "-o", "plan.ics"), "plan.ics"),
        (("export", "--format", "json"), None),
    ):
        monkeypatch.chdir(tmp_path)
        one_error(run(*args, env=TODAY), damaged)
        assert written is None or not any(tmp_path.glob(written + "*")), args


def test_db_check_on_a_sound_database_still_passes(run: Invoke, backend: str) -> None:
    result = run("db", "check")
    assert result.exit_code == 0, result.output
    checks = (
        ["integrity check ok", "foreign keys ok"] if backend == "sqlite" else ["server answers"]
    )
    lines = [f"ok  {c}" for c in ["schema at head (0007)", *checks]]
    assert result.stdout.splitlines() == [*lines, "ok  audit trail: 0 events in 0 chains verify"]


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
    assert (checked.returncode, checked.stdout.splitlines()[-2]) == (0, "ok  foreign keys ok")
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
    assert ok(run, "db", "check").stdout.splitlines()[-2] == "ok  foreign keys ok"
    assert ok(run, "db", "upgrade").stderr == f"{path} is at schema 0007 (head).\n"
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
