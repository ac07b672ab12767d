"""theme add and list: leads, counts of actions (cancelled excluded), errors, audit."""

from __future__ import annotations

import json

from tests.cli.test_actions import add, audit_count
from tests.conftest import Invoke, sql


def test_add_and_list_with_counts(plan_run: Invoke, db_url: str) -> None:
    added = plan_run("theme", "add", "Care leavers", "--lead", "tom okafor", user="Sam Lead")
    assert (added.exit_code, added.stderr) == (0, 'Added theme "Care leavers" (lead Tom Okafor).\n')
    assert plan_run("theme", "add", "Assessment").stderr == 'Added theme "Assessment".\n'
    assert sql(
        db_url, "SELECT actor, field, old_value, new_value FROM audit_event WHERE entity='theme'"
    ) == [
        ("Sam Lead", "name", None, "Care leavers"),
        ("Sam Lead", "lead", None, "Tom Okafor"),
        ("tester", "name", None, "Assessment"),
    ]
    for due in ("2025-03-01", "2025-04-30", "2025-03-02", "2025-03-03"):
        add(plan_run, f"Due {due}", "--due", due, "--theme", "Care leavers")
    assert plan_run("action", "done", "3").exit_code == 0
    cancel = plan_run("action", "update", "4", "--status", "cancelled", "--reason", "Merged")
    assert cancel.exit_code == 0
    result = plan_run("theme", "list", "--format", "json", "--as-of", "2025-03-31")
    assert json.loads(result.stdout) == [
        {"name": "Assessment", "lead": None, "actions": 0, "open": 0, "overdue": 0},
        {"name": "Care leavers", "lead": "Tom Okafor", "actions": 3, "open": 2, "overdue": 1},
    ]
    table = plan_run("theme", "list", "--as-of", "2025-03-31")
    assert "Care leavers" in table.stdout
    assert "Tom Okafor" in table.stdout
    csv_out = plan_run("theme", "list", "--format", "csv", "--as-of", "2025-03-31").stdout
    assert csv_out.splitlines() == [
        "name,lead,actions,open,overdue",
        "Assessment,,0,0,0",
        "Care leavers,Tom Okafor,3,2,1",
    ]


def test_duplicate_theme_is_a_conflict(plan_run: Invoke, db_url: str) -> None:
    plan_run("theme", "add", "Care leavers")
    before = audit_count(db_url)
    result = plan_run("theme", "add", "CARE LEAVERS")
    assert result.exit_code == 1
    assert result.stderr == (
        'Error: a theme named "Care leavers" already exists in plan "Peterborough" — '
        "see improveplan theme list\n"
    )
    assert audit_count(db_url) == before


def test_unknown_lead_suggests_the_closest(plan_run: Invoke, db_url: str) -> None:
    before = audit_count(db_url)
    result = plan_run("theme", "add", "Care leavers", "--lead", "Tom Okafr")
    assert result.exit_code == 1
    assert result.stderr == (
        'Error: no person named "Tom Okafr" — Did you mean "Tom Okafor"? '
        "Add them with improveplan person add\n"
    )
    assert audit_count(db_url) == before
    assert sql(db_url, "SELECT count(*) FROM theme") == [(0,)]


def test_empty_theme_list(plan_run: Invoke) -> None:
    result = plan_run("theme", "list")
    assert result.exit_code == 0
    assert result.stderr == (
        "No themes yet — add one with improveplan theme add NAME --lead PERSON.\n"
    )
    assert plan_run("theme", "list", "--format", "json").stdout == "[]\n"
