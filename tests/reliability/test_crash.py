"""A SIGKILLed import leaves the database whole: it passes `db check` and holds all or none.

The import runs as a real process on a tracker of tens of thousands of rows; we kill it
once it is writing (SQLite: the WAL file has grown; PostgreSQL: its transaction holds a
write lock on the action table), then look at what is left.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from improveplan.store.engine import make_engine, sqlite_path, to_url
from improveplan.store.models import Action, AuditEvent, Person, ProgressNote
from tests.conftest import Invoke
from tests.reliability import procs

ROWS = 30_000
OWNERS = [f"Officer {n:02d}" for n in range(40)]
STATUSES = ["Not started", "In progress", "Blocked", "Complete"]


def write_tracker(path: Path, rows: int = ROWS, prefix: str = "T") -> Path:
    """A council tracker CSV with the usual headers and UK dates."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Ref", "Action", "Lead officer", "Due date", "Status", "Progress update"])
        for n in range(1, rows + 1):
            day = 1 + n % 28
            month = 1 + n % 12
            out.writerow(
                [
                    f"{prefix}{n}",
                    f"Imported action {n}: review and embed practice standard",
                    OWNERS[n % len(OWNERS)],
                    f"{day:02d}/{month:02d}/2025",
                    STATUSES[n % len(STATUSES)],
                    f"Update for {n}" if n % 3 == 0 else "",
                ]
            )
    return path


def _wal_grew(url: str) -> Callable[[], bool]:
    """SQLite: the import's transaction has begun writing pages to the WAL."""
    path = sqlite_path(to_url(url))
    assert path is not None
    wal = Path(f"{path}-wal")
    return lambda: wal.exists() and wal.stat().st_size > 512 * 1024


def _holds_action_lock(url: str) -> Callable[[], bool]:
    """PostgreSQL: a transaction holds a write lock on the action table (it is inserting)."""
    engine = create_engine(to_url(url))
    sql = (
        "SELECT count(*) FROM pg_locks WHERE relation = 'action'::regclass "
        "AND mode = 'RowExclusiveLock' AND granted"
    )

    def probe() -> bool:
        with engine.connect() as conn:
            return bool(conn.exec_driver_sql(sql).scalar())

    return probe


def _kill_when(proc: subprocess.Popen[str], writing: Callable[[], bool], limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        if writing():
            time.sleep(0.05)  # a little further into the transaction
            break
        time.sleep(0.02)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)


def _counts(url: str) -> tuple[int, int, int, int]:
    engine = make_engine(to_url(url))
    with engine.connect() as conn:
        counts = tuple(
            int(conn.execute(select(func.count()).select_from(model)).scalar() or 0)
            for model in (Action, Person, ProgressNote, AuditEvent)
        )
    engine.dispose()
    return counts  # type: ignore[return-value]


@pytest.mark.slow
def test_killed_import_leaves_all_or_nothing(
    plan_run: Invoke, db_url: str, backend: str, tmp_path: Path
) -> None:
    tracker = write_tracker(tmp_path / "tracker.csv")
    before = _counts(db_url)
    assert before[0] == 0

    proc = procs.start(db_url, "import", str(tracker), user="importer")
    writing = _wal_grew(db_url) if backend == "sqlite" else _holds_action_lock(db_url)
    _kill_when(proc, writing, limit=240)
    assert proc.returncode == -signal.SIGKILL, (
        f"the import finished before it could be killed (exit {proc.returncode}); "
        "make the tracker bigger"
    )

    checked = plan_run("db", "check")
    assert checked.exit_code == 0, checked.output
    after = _counts(db_url)
    assert after in (before, (ROWS, *after[1:])), after
    if after[0] == 0:
        assert after == before, "a rolled-back import left people, notes or audit events"

    # The database still works (no lock or half-written page left behind).
    small = write_tracker(tmp_path / "small.csv", rows=50, prefix="S")
    rerun = plan_run("import", str(small))
    assert rerun.exit_code == 0, rerun.output
    assert _counts(db_url)[0] == after[0] + 50
