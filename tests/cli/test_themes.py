"""theme add, list, update and remove: leads, counts (cancelled excluded), errors, audit."""

from __future__ import annotations

import json

from tests.cli.test_actions import add, add_rec, audit_count
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


def test_update_renames_and_changes_the_lead(plan_run: Invoke, db_url: str) -> None:
    plan_run("theme", "add", "Care leavers", "--lead", "Tom Okafor")
    add(plan_run, "Audit", "--due", "2025-04-01", "--theme", "care  LEAVERS")
    result = plan_run(
        "theme", "update", "CARE leavers", "--name", "Leaving care", "--lead", "priya natarajan",
        user="Sam Lead",
    )  # fmt: skip
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        "Theme Leaving care: name Care leavers → Leaving care; lead Tom Okafor → Priya Natarajan.\n"
    )
    assert sql(
        db_url,
        "SELECT actor, field, old_value, new_value FROM audit_event "
        "WHERE entity = 'theme' AND actor = 'Sam Lead' ORDER BY id",
    ) == [
        ("Sam Lead", "name", "Care leavers", "Leaving care"),
        ("Sam Lead", "lead", "Tom Okafor", "Priya Natarajan"),
    ]
    listed = json.loads(
        plan_run("theme", "list", "--format", "json", "--as-of", "2025-03-01").stdout
    )
    assert listed == [
        {"name": "Leaving care", "lead": "Priya Natarajan", "actions": 1, "open": 1, "overdue": 0}
    ]
    cleared = plan_run("theme", "update", "leaving care", "--lead", "NONE")
    assert cleared.stderr == "Theme Leaving care: lead Priya Natarajan → —.\n"
    same = plan_run("theme", "update", "Leaving care", "--name", "leaving  care")
    assert same.stderr == "Theme leaving care: name Leaving care → leaving care.\n"


def test_update_refusals_change_nothing(plan_run: Invoke, db_url: str) -> None:
    plan_run("theme", "add", "Care leavers")
    plan_run("theme", "add", "Assessment")
    before = audit_count(db_url)
    dup = plan_run("theme", "update", "Assessment", "--name", "CARE   leavers")
    assert (dup.exit_code, dup.stderr) == (
        1,
        'Error: a theme named "Care leavers" already exists in plan "Peterborough" — '
        "see improveplan theme list\n",
    )
    nothing = plan_run("theme", "update", "Assessment")
    assert nothing.stderr == (
        'Error: nothing to change for theme "Assessment" — give --name or --lead\n'
    )
    unknown = plan_run("theme", "update", "Asessment", "--lead", "Tom Okafor")
    assert unknown.stderr == (
        'Error: no theme named "Asessment" — Did you mean "Assessment"? Or add it with '
        "improveplan theme add\n"
    )
    assert audit_count(db_url) == before


def test_remove_only_an_empty_theme(plan_run: Invoke, db_url: str) -> None:
    plan_run("theme", "add", "Care leavers", "--lead", "Tom Okafor")
    add(plan_run, "Audit", "--due", "2025-04-01", "--theme", "Care leavers")
    add(plan_run, "Train", "--due", "2025-04-01", "--theme", "Care leavers")
    add_rec(db_url, "R1")
    sql(db_url, "UPDATE recommendation SET theme_id = (SELECT id FROM theme)")
    before = audit_count(db_url)
    held = plan_run("theme", "remove", "care leavers")
    assert (held.exit_code, held.stderr) == (
        1,
        'Error: theme "Care leavers" holds 2 actions and 1 recommendation — move them to '
        "another theme first (action update REF --theme, rec update REF --theme)\n",
    )
    sql(db_url, "UPDATE action SET theme_id = NULL")
    rec_only = plan_run("theme", "remove", "Care leavers")
    assert rec_only.stderr == (
        'Error: theme "Care leavers" holds 1 recommendation — move them to another theme first '
        "(action update REF --theme, rec update REF --theme)\n"
    )
    assert audit_count(db_url) == before
    sql(db_url, "UPDATE recommendation SET theme_id = NULL")
    removed = plan_run("theme", "remove", "CARE LEAVERS", user="Sam Lead")
    assert (removed.exit_code, removed.stderr) == (0, 'Removed theme "Care leavers".\n')
    assert sql(db_url, "SELECT count(*) FROM theme") == [(0,)]
    assert sql(
        db_url,
        "SELECT field, old_value, new_value FROM audit_event WHERE actor = 'Sam Lead' ORDER BY id",
    ) == [("name", "Care leavers", None), ("lead", "Tom Okafor", None)]
    gone = plan_run("theme", "remove", "Care leavers")
    assert gone.stderr == (
        'Error: no theme named "Care leavers" — add it first with improveplan theme add NAME\n'
    )


def test_theme_names_fold_beyond_ascii(plan_run: Invoke) -> None:
    assert plan_run("theme", "add", "Évaluation", "--lead", "TOM okafor").exit_code == 0
    dup = plan_run("theme", "add", "ÉVALUATION")
    assert dup.exit_code == 1
    found = plan_run("theme", "update", "évaluation", "--lead", "none")
    assert found.stderr == "Theme Évaluation: lead Tom Okafor → —.\n"
