"""check: exit codes, --quiet, the DailyCount row (today only, rerun-safe), every plan, the lock."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from improveplan.store.engine import to_url
from tests.conftest import Invoke, sql
from tests.mailserver import Collector, env_for, free_port

TODAY = {"IMPROVEPLAN_TODAY": "2024-03-01"}


def ok(run: Invoke, *args: str) -> None:
    result = run(*args, env=TODAY)
    assert result.exit_code == 0, result.output


def add_actions(run: Invoke) -> None:
    ok(run, "action", "add", "Audit referrals", "--owner", "Tom Okafor", "--due", "2024-02-20")
    ok(run, "action", "add", "Train staff", "--owner", "Priya Natarajan", "--due", "2024-03-10")
    ok(run, "action", "add", "Review policy", "--owner", "Tom Okafor", "--due", "2024-06-30")


def test_quiet_prints_nothing_when_clear(plan_run: Invoke) -> None:
    result = plan_run("check", "--quiet", env=TODAY)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    add_actions(plan_run)
    result = plan_run("check", "--quiet", "--as-of", "2024-02-01", env=TODAY)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_overdue_exits_3_with_summary_even_when_quiet(plan_run: Invoke) -> None:
    add_actions(plan_run)
    result = plan_run("check", "--quiet", env=TODAY)
    assert result.exit_code == 3
    assert "1 action is overdue as of 2024-03-01." in result.stdout
    assert "│ Peterborough │" in result.stdout
    result = plan_run("check", "--format", "json", env=TODAY)
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["overdue"] == 1
    assert data["plans"] == [
        {
            "plan": "Peterborough",
            "blue": 0,
            "green": 1,
            "amber": 1,
            "red": 1,
            "total": 3,
            "overdue": 1,
            "due_soon": 1,
            "milestones_at_risk": 0,
        }
    ]


def test_daily_count_written_and_rerun_safe(plan_run: Invoke, db_url: str) -> None:
    add_actions(plan_run)
    query = "SELECT day, blue, green, amber, red, total, overdue FROM daily_count ORDER BY day"
    assert plan_run("check", env=TODAY).exit_code == 3
    assert plan_run("check", env=TODAY).exit_code == 3
    rows = sql(db_url, query)
    assert [tuple(str(v) for v in r) for r in rows] == [
        ("2024-03-01", "0", "1", "1", "1", "3", "1")
    ]
    ok(plan_run, "action", "done", "1")
    assert plan_run("check", env=TODAY).exit_code == 0  # same day: the row is updated
    assert plan_run("check", env={"IMPROVEPLAN_TODAY": "2024-03-02"}).exit_code == 0
    rows = sql(db_url, query)
    assert [tuple(str(v) for v in r) for r in rows] == [
        ("2024-03-01", "0", "2", "1", "0", "3", "0"),
        ("2024-03-02", "0", "2", "1", "0", "3", "0"),
    ]


COUNTS = "SELECT day, total, overdue FROM daily_count ORDER BY day"


def test_counts_are_recorded_only_for_today(plan_run: Invoke, db_url: str) -> None:
    add_actions(plan_run)
    for as_of in ("2024-02-01", "2024-03-02"):
        result = plan_run("check", "--as-of", as_of, env=TODAY)
        assert result.stderr == f"Counts not recorded: --as-of {as_of} is not today (2024-03-01)\n"
        assert "Check as of" in result.stdout
    assert sql(db_url, COUNTS) == []
    quiet = plan_run("check", "--quiet", "--as-of", "2024-02-01", env=TODAY)
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")  # quiet is quiet
    data = json.loads(
        plan_run("check", "--as-of", "2024-02-01", "--format", "json", env=TODAY).stdout
    )
    assert data["counts_recorded"] is False and data["not_reached"] is None
    result = plan_run("check", "--as-of", "2024-03-01", env=TODAY)  # today, spelled out
    assert (result.exit_code, result.stderr) == (3, "")
    assert [tuple(str(v) for v in r) for r in sql(db_url, COUNTS)] == [("2024-03-01", "3", "1")]


def test_a_failed_run_records_no_counts(
    plan_run: Invoke, db_url: str, smtp: tuple[Collector, int]
) -> None:
    handler, port = smtp
    add_actions(plan_run)
    down = plan_run("check", "--notify", env=env_for(free_port()))
    assert down.exit_code == 1
    first, error = down.stderr.splitlines()
    assert first == "Counts not recorded: the run failed; a rerun today records them"
    assert error.startswith("Error: cannot send mail through 127.0.0.1:")
    assert down.stdout == ""
    sql(db_url, "UPDATE person SET email = 'tom@example.org\r\nBcc: x@evil.example'"
                " WHERE name = 'Tom Okafor'")  # fmt: skip
    partly = plan_run("check", "--notify", env=env_for(port))
    assert partly.exit_code == 1
    assert partly.stderr.splitlines()[-2:] == [
        "Counts not recorded: the run failed; a rerun today records them",
        "Error: 1 of 2 messages could not be sent — see the warnings above; everyone else was "
        "reminded",
    ]
    assert sql(db_url, COUNTS) == []
    sql(db_url, "UPDATE person SET email = 'tom@example.org' WHERE name = 'Tom Okafor'")
    again = plan_run("check", "--notify", env=env_for(port))
    assert (again.exit_code, again.stderr) == (3, "")
    assert [tuple(str(v) for v in r) for r in sql(db_url, COUNTS)] == [("2024-03-01", "3", "1")]
    assert len(handler.envelopes) == 2


def test_every_plan_without_plan_option(plan_run: Invoke, db_url: str) -> None:
    add_actions(plan_run)
    ok(plan_run, "plan", "add", "Fenland", "--authority", "Fenland District Council")
    result = plan_run("check", "--format", "json", env=TODAY)
    assert result.exit_code == 3
    assert [p["plan"] for p in json.loads(result.stdout)["plans"]] == ["Fenland", "Peterborough"]
    result = plan_run("--plan", "Fenland", "check", env=TODAY)
    assert result.exit_code == 0
    assert "Nothing overdue as of 2024-03-01." in result.stdout
    assert len(sql(db_url, "SELECT * FROM daily_count")) == 2


def test_errors_exit_1_and_usage_2(run: Invoke) -> None:
    result = run("check", env=TODAY)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no plan in the database")
    assert run("check", "--as-of", "nope").exit_code == 2


def _start_check(db: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "improveplan", "--db", db, "check", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
def test_two_checks_at_once_both_end_cleanly(plan_run: Invoke, db_url: str, backend: str) -> None:
    add_actions(plan_run)
    env = {**os.environ, **TODAY}
    first, second = _start_check(db_url, env), _start_check(db_url, env)
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    for process, (stdout, stderr) in zip((first, second), outputs, strict=True):
        assert process.returncode == 3, stderr
        assert stderr == ""
        assert json.loads(stdout)["overdue"] == 1
    assert len(sql(db_url, "SELECT * FROM daily_count")) == 1
    if backend == "sqlite":
        lock = Path(db_url + ".check.lock")
        assert stat.S_IMODE(lock.stat().st_mode) == 0o600


def test_lock_waits_for_the_holder(db_url: str, backend: str) -> None:
    import threading
    import time

    from improveplan.store.engine import make_engine
    from improveplan.store.locks import check_lock

    engine = make_engine(to_url(db_url))
    order: list[str] = []

    def second() -> None:
        with check_lock(engine, timeout=30):
            order.append("second")

    with check_lock(engine, timeout=5):
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.6)
        order.append("first done")
    thread.join(timeout=30)
    assert order == ["first done", "second"]
    with check_lock(engine, timeout=5):
        from improveplan.errors import ImproveplanError

        busy = pytest.raises(ImproveplanError, match="another improveplan check")
        with busy, check_lock(engine, timeout=0.3):
            pass  # pragma: no cover
    engine.dispose()
