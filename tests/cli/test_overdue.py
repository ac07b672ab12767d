"""overdue: the JSON of docs/design.md §3 key by key, the tables, filters and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import Invoke

TODAY = {"IMPROVEPLAN_TODAY": "2024-03-01"}
ACTION_KEYS = [
    "ref", "title", "owner", "due", "original_due", "status", "rag", "rag_computed",
    "days_overdue", "recommendations", "theme", "milestone", "version", "updated_at",
]  # fmt: skip


def ok(run: Invoke, *args: str) -> str:
    result = run(*args, env=TODAY)
    assert result.exit_code == 0, result.output
    return result.stdout


def seed(run: Invoke) -> None:
    """Received 2024-01-30: plan due 2024-05-10, published locally 2024-03-12."""
    ok(run, "inspection", "add", "--type", "standard", "--start", "2023-12-04",
       "--end", "2023-12-15", "--received", "2024-01-30")  # fmt: skip
    ok(run, "timeline")
    ok(run, "theme", "add", "Front door", "--lead", "Priya Natarajan")
    for title, owner, due, extra in (
        ("Audit referrals", "Tom Okafor", "2024-02-20", ["--milestone", "Action plan due"]),
        ("Recruit managers", "Priya Natarajan", "2024-01-31", ["--theme", "Front door"]),
        ("Train staff", "Tom Okafor", "2024-03-10", []),
        ("Review policy", "Tom Okafor", "2024-04-30", []),
        ("Closed one", "Tom Okafor", "2024-01-01", []),
    ):
        ok(run, "action", "add", title, "--owner", owner, "--due", due, *extra)
    ok(run, "action", "done", "5")


def report(run: Invoke, *extra: str) -> dict[str, Any]:
    data = json.loads(ok(run, "overdue", "--format", "json", *extra))
    assert isinstance(data, dict)
    return data


def test_json_key_by_key(plan_run: Invoke) -> None:
    seed(plan_run)
    data = report(plan_run)
    assert list(data) == ["as_of", "plan", "overdue", "due_soon", "milestones_at_risk"]
    assert data["as_of"] == "2024-03-01"
    assert data["plan"] == "Peterborough"
    # Most overdue first; the completed action is not overdue.
    assert [(a["ref"], a["days_overdue"]) for a in data["overdue"]] == [("2", 30), ("1", 10)]
    first = data["overdue"][0]
    assert list(first) == ACTION_KEYS
    assert {k: v for k, v in first.items() if k != "updated_at"} == {
        "ref": "2",
        "title": "Recruit managers",
        "owner": "Priya Natarajan",
        "due": "2024-01-31",
        "original_due": "2024-01-31",
        "status": "not_started",
        "rag": "red",
        "rag_computed": "red",
        "days_overdue": 30,
        "recommendations": [],
        "theme": "Front door",
        "milestone": None,
        "version": 1,
    }
    assert data["overdue"][1]["milestone"] == "Action plan due"
    assert [(a["ref"], a["days_overdue"], a["rag"]) for a in data["due_soon"]] == [
        ("3", 0, "amber")
    ]
    # Off-track work counts against its linked milestone, else the next deadline after its
    # due date; 4 (green, due 2024-04-30, before the plan is due) puts nothing at risk.
    assert data["milestones_at_risk"] == [
        {"name": "Report published locally", "date": "2024-03-12", "open_actions": ["2", "3"]},
        {"name": "Action plan due", "date": "2024-05-10", "open_actions": ["1"]},
    ]


def test_owner_and_within_filters(plan_run: Invoke) -> None:
    seed(plan_run)
    data = report(plan_run, "--owner", "tom okafor", "--within", "60")
    assert [a["ref"] for a in data["overdue"]] == ["1"]
    assert [a["ref"] for a in data["due_soon"]] == ["3", "4"]
    assert [m["open_actions"] for m in data["milestones_at_risk"]] == [["3"], ["1"]]
    assert report(plan_run, "--within", "0")["due_soon"] == []


def test_exit_codes(plan_run: Invoke) -> None:
    assert plan_run("overdue", "--fail-on-overdue", env=TODAY).exit_code == 0
    seed(plan_run)
    result = plan_run("overdue", "--fail-on-overdue", "--format", "json", env=TODAY)
    assert result.exit_code == 3
    assert json.loads(result.stdout)["overdue"]  # the output is printed first
    assert plan_run("overdue", env=TODAY).exit_code == 0
    assert plan_run("overdue", "--as-of", "2024-01-01", "--fail-on-overdue").exit_code == 0
    bad = plan_run("overdue", "--as-of", "someday", env=TODAY)
    assert bad.exit_code == 2
    unknown = plan_run("overdue", "--owner", "Tom Okafr", env=TODAY)
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith(
        'Error: no person named "Tom Okafr" — Did you mean "Tom Okafor"?'
    )


def test_clear_day_is_one_line(plan_run: Invoke) -> None:
    assert ok(plan_run, "overdue") == "Nothing overdue as of 2024-03-01.\n"


def test_tables(plan_run: Invoke) -> None:
    seed(plan_run)
    text = ok(plan_run, "overdue")
    assert "Overdue as of 2024-03-01" in text
    assert "│ 2   │ Recruit managers │ Priya Natarajan │ 2024-01-31 │           30 │" in text
    assert "Due soon" in text
    assert "Milestones at risk" in text
    assert "│ 2024-05-10 │ Action plan due" in text
    csv = ok(plan_run, "overdue", "--format", "csv").splitlines()
    assert csv[0] == "section,ref,title,owner,due,days_overdue,status,rag"
    assert csv[1] == "overdue,2,Recruit managers,Priya Natarajan,2024-01-31,30,not_started,red"


def bulk(run: Invoke, tmp_path: Path, rows: list[tuple[str, str, str]]) -> None:
    """Import many actions at once: (title, owner, due) rows as a CSV tracker."""
    path = tmp_path / "bulk.csv"
    lines = ["Action,Owner,Due"] + [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ok(run, "import", str(path))


def test_summary_table_counts_in_sql_what_json_lists(plan_run: Invoke, tmp_path: Path) -> None:
    """The table shows 50 rows and 8 refs per milestone; the rest is counted in SQL and
    must agree with the full JSON lists."""
    seed(plan_run)
    late = [(f"Late {n}", "Tom Okafor", f"2024-02-{n % 28 + 1:02d}") for n in range(70)]
    soon = [(f"Soon {n}", "Tom Okafor", f"2024-03-{n % 14 + 2:02d}") for n in range(55)]
    later = [(f"Later {n}", "Tom Okafor", f"2024-04-{n % 28 + 1:02d}") for n in range(12)]
    bulk(plan_run, tmp_path, late + soon + later)
    data = report(plan_run)
    assert (len(data["overdue"]), len(data["due_soon"])) == (72, 56)
    result = plan_run("overdue", env={**TODAY, "COLUMNS": "200"})
    assert result.exit_code == 0
    assert result.stderr == (
        "… and 22 more — use --format csv or json for every row.\n"
        "… and 6 more — use --format csv or json for every row.\n"
    )
    shown = [line.split("│")[1].strip() for line in result.stdout.splitlines() if "│" in line]
    overdue_refs = [a["ref"] for a in data["overdue"]]
    assert shown[:50] == overdue_refs[:50]
    assert shown[50:100] == [a["ref"] for a in data["due_soon"][:50]]
    assert any(len(m["open_actions"]) > 8 for m in data["milestones_at_risk"])
    assert_milestone_rows(data["milestones_at_risk"], result.stdout)
    for owner in ("Tom Okafor", "Priya Natarajan"):
        mine = report(plan_run, "--owner", owner)["milestones_at_risk"]
        table = plan_run("overdue", "--owner", owner, env={**TODAY, "COLUMNS": "200"})
        assert_milestone_rows(mine, table.stdout)


def assert_milestone_rows(at_risk: list[dict[str, Any]], text: str) -> None:
    """Each milestone's table row shows the JSON's count and its first 8 refs."""
    assert at_risk
    for milestone in at_risk:
        refs = milestone["open_actions"]
        more = f" +{len(refs) - 8} more" if len(refs) > 8 else ""
        row = f"│ {len(refs):>4} │ {', '.join(refs[:8])}{more} "
        lines = [line for line in text.splitlines() if f"│ {milestone['name']} " in line]
        assert len(lines) == 1 and row in lines[0], text
