"""Several processes write the same plan at once: all succeed, nothing is lost.

Four managers add notes to and update their own actions, all of them also retitle one
shared action, and the nightly `check` runs at the same moment — every command as its
own `python -m improveplan` process, all started together (docs/design.md §5).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import col

from improveplan.store.engine import make_engine, to_url
from improveplan.store.models import Action, AuditEvent, ProgressNote
from tests.conftest import Invoke
from tests.reliability import procs

MANAGERS = ["Priya Natarajan", "Tom Okafor", "Aisha Khan", "James Smith"]
NOTES = 6  # per manager
UPDATES = 2  # per manager, on their own action
SHARED = "99"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(to_url(db_url))
    yield engine
    engine.dispose()


def _setup(plan_run: Invoke) -> None:
    for name in MANAGERS[2:]:
        assert plan_run("person", "add", name).exit_code == 0
    for i, name in enumerate(MANAGERS, start=1):
        due = "2024-05-01" if i % 2 else "2024-09-30"  # half overdue on TODAY
        result = plan_run(
            "action", "add", f"Action of {name}", "--owner", name, "--due", due, "--ref", str(i)
        )
        assert result.exit_code == 0, result.output
    result = plan_run(
        "action",
        "add",
        "Shared action",
        "--owner",
        MANAGERS[0],
        "--due",
        "2024-12-31",
        "--ref",
        SHARED,
    )
    assert result.exit_code == 0, result.output


def _launch(url: str) -> tuple[list[subprocess.Popen[str]], int]:
    """Start everything at once; returns the processes and how many are workers."""
    workers = []
    for i, name in enumerate(MANAGERS, start=1):
        user = name.split()[0].lower()
        commands = [["action", "note", str(i), f"{user} note {n}"] for n in range(NOTES)]
        commands[1:1] = [
            ["action", "update", str(i), "--title", f"{name} v{n}"] for n in range(UPDATES)
        ]
        workers.append(procs.start_worker(url, user, commands))
    singles = [
        procs.start(url, "action", "update", SHARED, "--title", f"Shared by {m}", user=m)
        for m in ("priya", "tom", "aisha", "james")
    ]
    singles.append(procs.start(url, "check", user="cron"))
    return workers + singles, len(workers)


def _title_events(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(AuditEvent)
                .join(Action, col(Action.id) == col(AuditEvent.entity_id))
                .where(
                    col(AuditEvent.entity) == "action",
                    col(AuditEvent.field) == "title",
                    col(Action.ref) == SHARED,
                )
            ).scalar()
            or 0
        )


@pytest.mark.slow
def test_managers_and_nightly_check_at_once_lose_nothing(
    plan_run: Invoke, db_url: str, engine: Engine
) -> None:
    _setup(plan_run)
    events_before = _title_events(engine)
    started, n_workers = _launch(db_url)
    finished = procs.finish(started)
    results = [r for w in finished[:n_workers] for r in procs.worker_results(w)]
    results += finished[n_workers:]
    assert len(results) == len(MANAGERS) * (NOTES + UPDATES + 1) + 1

    for done in results:
        allowed = {0, 3} if done.args and "check" in done.args else {0}
        assert done.code in allowed, (done.args, done.code, done.stderr)
        assert "database is locked" not in done.stderr.lower(), done.stderr
        assert "Traceback" not in done.stderr, done.stderr

    with engine.connect() as conn:
        for i, name in enumerate(MANAGERS, start=1):
            action = conn.execute(
                select(col(Action.id), col(Action.version), col(Action.title)).where(
                    col(Action.ref) == str(i)
                )
            ).one()
            notes = conn.execute(
                select(col(ProgressNote.text)).where(col(ProgressNote.action_id) == action.id)
            ).scalars()
            user = name.split()[0].lower()
            assert sorted(notes) == sorted(f"{user} note {n}" for n in range(NOTES))
            assert action.version == UPDATES + 1
            assert action.title.startswith(name)
        shared = conn.execute(
            select(col(Action.id), col(Action.version)).where(col(Action.ref) == SHARED)
        ).one()
        assert shared.version == len(MANAGERS) + 1
    assert _title_events(engine) - events_before == len(MANAGERS)
    verified = plan_run("db", "verify")  # every writer appended to the one chain
    assert (verified.exit_code, verified.stdout.startswith("ok  audit trail: ")) == (0, True)


@pytest.mark.slow
def test_two_scripts_with_the_same_version_one_wins(plan_run: Invoke, db_url: str) -> None:
    """`--if-version` guards read-modify-write: of two racing scripts exactly one applies."""
    _setup(plan_run)
    racing = [
        procs.start(db_url, "action", "update", "1", "--title", f"Racer {n}", "--if-version", "1")
        for n in range(2)
    ]
    results = procs.finish(racing)
    codes = sorted(done.code for done in results)
    assert codes == [0, 1], [(d.code, d.stderr) for d in results]
    loser = next(d for d in results if d.code == 1)
    assert "changed since you read it" in loser.stderr
    assert loser.stderr.startswith("Error: ")
    assert "database is locked" not in loser.stderr.lower()
    shown = plan_run("action", "show", "1", "--format", "json")
    assert '"version": 2' in shown.stdout


def test_stale_if_version_is_refused_and_changes_nothing(plan_run: Invoke) -> None:
    _setup(plan_run)
    assert plan_run("action", "update", "1", "--title", "First").exit_code == 0
    stale = plan_run("action", "update", "1", "--title", "Second", "--if-version", "1")
    assert stale.exit_code == 1
    assert "changed since you read it" in stale.stderr
    assert stale.stderr.count("\n") == 1
    fresh = plan_run("action", "update", "1", "--title", "Third", "--if-version", "2")
    assert fresh.exit_code == 0, fresh.output
    shown = plan_run("action", "show", "1", "--format", "json")
    assert '"title": "Third"' in shown.stdout
    assert '"version": 3' in shown.stdout
