"""rec add, list and show: references, order, counts, linked actions, errors, audit."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text

from improveplan.store.engine import to_url
from tests.conftest import Invoke

AS_OF = {"IMPROVEPLAN_TODAY": "2024-06-01"}


def _audit(url: str) -> list[tuple[str, str, str | None]]:
    engine = create_engine(to_url(url))
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT entity, field, new_value FROM audit_event "
                "WHERE entity = 'recommendation' ORDER BY id"
            )
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_add_and_list_keep_natural_order(plan_run: Invoke) -> None:
    for ref in ("R10", "R2", "r1", "3"):
        result = plan_run("rec", "add", ref, f"Text of {ref}")
        assert result.exit_code == 0, result.output
    assert result.stderr == "Added recommendation R3.\n"
    data = json.loads(plan_run("rec", "list", "--format", "json").stdout)
    assert [d["ref"] for d in data] == ["R1", "R2", "R3", "R10"]
    assert data[0] == {
        "ref": "R1",
        "text": "Text of r1",
        "theme": None,
        "priority_action": False,
        "inspection": None,
        "actions": 0,
        "open_actions": 0,
    }


def test_text_whitespace_is_folded_and_audited(plan_run: Invoke, db_url: str) -> None:
    plan_run("rec", "add", "R1", "  Service   capacity,\n particularly  ", "--priority")
    data = json.loads(plan_run("rec", "show", "R1", "--format", "json", env=AS_OF).stdout)
    assert data["text"] == "Service capacity, particularly"
    assert data["priority_action"] is True
    assert ("recommendation", "ref", "R1") in _audit(db_url)
    assert ("recommendation", "priority_action", "true") in _audit(db_url)


def test_duplicate_reference_is_a_conflict(plan_run: Invoke) -> None:
    plan_run("rec", "add", "R1", "First")
    result = plan_run("rec", "add", "r1", "Second")
    assert result.exit_code == 1
    assert result.stderr == (
        'Error: recommendation R1 already exists in plan "Peterborough"'
        " — choose another reference (see improveplan rec list)\n"
    )


def test_unknown_reference(plan_run: Invoke) -> None:
    result = plan_run("rec", "show", "R9")
    assert result.exit_code == 1
    assert result.stderr == (
        'Error: no recommendation R9 in plan "Peterborough" — see improveplan rec list\n'
    )


def test_unknown_inspection_and_theme(plan_run: Invoke) -> None:
    bad_inspection = plan_run("rec", "add", "R1", "Text", "--inspection", "4")
    assert bad_inspection.exit_code == 1
    assert bad_inspection.stderr.startswith('Error: no inspection 4 in plan "Peterborough"')
    bad_theme = plan_run("rec", "add", "R1", "Text", "--theme", "Nowhere")
    assert bad_theme.exit_code == 1
    assert bad_theme.stderr.startswith('Error: no theme named "Nowhere"')
    assert json.loads(plan_run("rec", "list", "--format", "json").stdout) == []


def test_theme_and_counts(plan_run: Invoke) -> None:
    assert plan_run("theme", "add", "Care leavers", "--lead", "Tom Okafor").exit_code == 0
    plan_run("rec", "add", "R1", "Care leavers support", "--theme", "care leavers")
    plan_run("rec", "add", "R2", "Capacity")
    for title, recs in (("Pathway plans", ("R1",)), ("Recruit PAs", ("R1", "R2")),
                        ("Old idea", ("R1",))):  # fmt: skip
        args = [arg for ref in recs for arg in ("--rec", ref)]
        added = plan_run("action", "add", title, "--owner", "Tom Okafor", "--due", "2024-09-30",
                         *args, env=AS_OF)  # fmt: skip
        assert added.exit_code == 0, added.output
    assert plan_run("action", "done", "1", env=AS_OF).exit_code == 0
    cancelled = plan_run("action", "update", "3", "--status", "cancelled", "--reason",
                         "Merged into 2", env=AS_OF)  # fmt: skip
    assert cancelled.exit_code == 0, cancelled.output
    data = json.loads(plan_run("rec", "list", "--format", "json").stdout)
    counts = [(d["ref"], d["theme"], d["actions"], d["open_actions"]) for d in data]
    assert counts == [("R1", "Care leavers", 2, 1), ("R2", None, 1, 1)]
    csv_out = plan_run("rec", "list", "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "ref,text,theme,priority_action,actions,open_actions"
    assert csv_out[1] == "R1,Care leavers support,Care leavers,no,2,1"


def test_show_lists_linked_actions_with_rag(plan_run: Invoke) -> None:
    plan_run("rec", "add", "R1", "Care leavers support")
    plan_run("action", "add", "Pathway plans", "--owner", "Tom Okafor", "--due", "2024-05-01",
             "--rec", "R1", env=AS_OF)  # fmt: skip
    plan_run("action", "add", "Unrelated", "--owner", "Tom Okafor", "--due", "2024-12-01",
             env=AS_OF)  # fmt: skip
    shown = plan_run("rec", "show", "r1", "--format", "json", "--as-of", "2024-06-01")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert data["as_of"] == "2024-06-01"
    assert [(a["ref"], a["rag"], a["days_overdue"]) for a in data["actions"]] == [("1", "red", 31)]
    table = plan_run("rec", "show", "R1", "--as-of", "2024-06-01")
    assert "Care leavers support" in table.stdout
    assert "Pathway plans" in table.stdout
    assert "red" in table.stdout
    assert "Unrelated" not in table.stdout


def test_show_without_actions_says_how_to_add(plan_run: Invoke) -> None:
    plan_run("rec", "add", "R1", "Text")
    result = plan_run("rec", "show", "R1", env=AS_OF)
    assert result.exit_code == 0
    assert "No actions answer R1 yet" in result.stderr


def test_empty_list_points_at_import(plan_run: Invoke) -> None:
    result = plan_run("rec", "list")
    assert result.exit_code == 0
    assert "import-report" in result.stderr
