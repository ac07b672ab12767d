"""Reading the timeline never writes (a read-only database, `--as-of 9999-12-31`), and a
milestone is at risk only through off-track work — the same in overdue, check and report."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_hostile_database import _improveplan, _without_override
from tests.conftest import (
    PG_ENV,
    PG_SKIP,
    Invoke,
    create_pg_database,
    drop_pg_database,
    make_invoker,
    sql,
)

TODAY = {"IMPROVEPLAN_TODAY": "2024-03-01"}
READS = (
    ("timeline", "--format", "json", "--as-of", "9999-12-31", "--all"),
    ("milestone", "list", "--format", "csv"),
    ("overdue", "--format", "json"),
    ("report", "--format", "md"),
    ("status", "--format", "json"),
)


def ok(run: Invoke, *args: str) -> Any:
    result = run(*args, env=TODAY)
    assert result.exit_code == 0, result.output
    return result


def seed(run: Invoke) -> None:
    """An inadequate inspection received 2024-01-30 and a notice with six-weekly boards;
    the notice is stored (it is a write), the visits and boards after it are derived."""
    ok(run, "inspection", "add", "--type", "standard", "--start", "2023-12-04",
       "--end", "2023-12-15", "--received", "2024-01-30",
       "--grade", "overall_effectiveness=inadequate")  # fmt: skip
    ok(run, "notice", "set", "--issued", "2023-08-31", "--board-every-weeks", "6",
       "--first-board", "2023-09-15")  # fmt: skip


def counts(url: str) -> list[tuple[Any, ...]]:
    return sql(url, "SELECT (SELECT count(*) FROM milestone), (SELECT count(*) FROM audit_event)")


def test_reads_store_nothing_and_the_horizon_is_bounded(plan_run: Invoke, db_url: str) -> None:
    seed(plan_run)
    before = counts(db_url)
    for args in READS:
        ok(plan_run, *args)
    assert counts(db_url) == before
    far = json.loads(ok(plan_run, *READS[0]).stdout)
    boards = [r for r in far if r["kind"] == "board"]
    # Each series stops ten years after it starts: 2023-09-15 to 2033-09-15, six-weekly.
    assert (len(boards), boards[-1]["date"]) == (87, "2033-08-05")
    assert {r["status"] for r in boards} == {"held"}
    assert {r["status"] for r in far if r["kind"] == "monitoring_visit"} == {"expected"}


def test_milestone_list_and_timeline_on_a_read_only_sqlite_file(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "improveplan.db"
    shutil.copyfile(sqlite_template, path)
    run = make_invoker(str(path))
    ok(run, "plan", "add", "Peterborough", "--authority", "Peterborough City Council")
    seed(run)
    before = counts(str(path))
    path.chmod(0o400)
    me = _without_override()
    for args in READS:
        done = _improveplan(me, path, *args)
        assert done.returncode == 0, done.stderr
        assert "Error" not in done.stderr
    listed = _improveplan(me, path, "milestone", "list", "--format", "json")
    assert json.loads(listed.stdout)[0]["name"] == "Improvement board 1"
    assert counts(str(path)) == before


@pytest.mark.postgres
def test_timeline_on_a_read_only_postgres_database() -> None:
    if os.environ.get(PG_ENV) is None:
        pytest.skip(PG_SKIP)
    url = create_pg_database()
    try:
        run = make_invoker(url)
        ok(run, "init")
        ok(run, "plan", "add", "Peterborough", "--authority", "Peterborough City Council")
        seed(run)
        name = url.rsplit("/", 1)[1]
        sql(url, f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        for args in READS:
            ok(run, *args)
        rows = json.loads(ok(run, "timeline", "--format", "json").stdout)
        assert rows[0]["name"] == "Improvement board 3"
    finally:
        drop_pg_database(url)


def at_risk_seed(run: Invoke) -> None:
    seed(run)
    ok(run, "person", "add", "Ann Lee")
    for title, due, linked in (
        ("Green, linked, in time", "2024-04-01", "Improvement board 6"),
        ("Green, linked, due after it", "2024-04-30", "Improvement board 6"),
        ("Red, unlinked", "2024-02-01", None),
        ("Amber, unlinked", "2024-03-10", None),
        ("Green, unlinked", "2024-04-20", None),
        ("Amber, linked to today's board", "2024-03-01", "Improvement board 5"),
    ):
        extra = ["--milestone", linked] if linked else []
        ok(run, "action", "add", title, "--owner", "Ann Lee", "--due", due, *extra)


AT_RISK = [
    {"name": "Improvement board 5", "date": "2024-03-01", "open_actions": ["6"]},
    {"name": "Report published locally", "date": "2024-03-12", "open_actions": ["3", "4"]},
    {"name": "Improvement board 6", "date": "2024-04-12", "open_actions": ["2"]},
]


def test_at_risk_only_through_off_track_work(plan_run: Invoke) -> None:
    at_risk_seed(plan_run)
    data = json.loads(ok(plan_run, "overdue", "--format", "json").stdout)
    assert data["milestones_at_risk"] == AT_RISK
    checked = plan_run("check", "--format", "json", env=TODAY)
    assert checked.exit_code == 3  # something is overdue
    assert json.loads(checked.stdout)["plans"][0]["milestones_at_risk"] == 3
    # Work done moves off the list; a green action never put anything at risk.
    ok(plan_run, "action", "done", "2")
    data = json.loads(ok(plan_run, "overdue", "--format", "json").stdout)
    assert [m["name"] for m in data["milestones_at_risk"]] == [m["name"] for m in AT_RISK[:2]]


def test_the_summary_table_names_the_same_milestones(plan_run: Invoke) -> None:
    at_risk_seed(plan_run)
    table = ok(plan_run, "overdue").stdout
    for m in AT_RISK:
        assert m["name"] in table
    assert "Improvement board 7" not in table
    assert "Action plan due" not in table  # 5 is green and due well before it


def test_the_board_report_shows_past_boards_held(plan_run: Invoke) -> None:
    seed(plan_run)
    report = ok(plan_run, "report", "--format", "md", "--as-of", "2024-06-01").stdout
    assert "| 2024-05-24 | Improvement board 7 | held |" in report
    assert "| 2024-05-10 | Action plan due | overdue |" in report
    assert "| Improvement board 1 |" not in report  # an old meeting held: not listed
