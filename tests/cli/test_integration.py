"""Commands working together: the timeline follows its sources, refs are forgiving."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Invoke

TODAY = {"IMPROVEPLAN_TODAY": "2024-03-01"}


def ok(run: Invoke, *args: str) -> str:
    result = run(*args, env=TODAY)
    assert result.exit_code == 0, result.output
    return result.stdout


def inspection(run: Invoke, received: str | None = None) -> None:
    extra = ["--received", received] if received else []
    ok(
        run, "inspection", "add", "--type", "standard", "--start", "2023-11-27",
        "--end", "2023-12-08", "--grade", "overall_effectiveness=inadequate", *extra,
    )  # fmt: skip


def next_milestone(run: Invoke) -> Any:
    return json.loads(ok(run, "status", "--format", "json"))["next_milestone"]


def test_action_can_name_a_default_milestone_before_any_timeline_command(
    plan_run: Invoke,
) -> None:
    inspection(plan_run, "2024-01-30")
    ok(plan_run, "action", "add", "Write the plan", "--owner", "Priya Natarajan",
       "--due", "2024-05-01", "--milestone", "Action plan due")  # fmt: skip
    action = json.loads(ok(plan_run, "action", "list", "--format", "json"))[0]
    assert action["milestone"] == "Action plan due"


def test_status_follows_a_received_date_set_later(plan_run: Invoke) -> None:
    inspection(plan_run)
    assert next_milestone(plan_run) is None
    ok(plan_run, "inspection", "update", "1", "--received", "2024-01-30")
    first = next_milestone(plan_run)
    assert first["name"] == "Report published locally"
    assert first["date"] == "2024-03-12"
    ok(plan_run, "inspection", "update", "1", "--received", "2024-02-06")
    assert next_milestone(plan_run)["date"] == "2024-03-19"


def test_recommendation_refs_are_forgiving_in_actions(plan_run: Invoke) -> None:
    ok(plan_run, "rec", "add", "R3", "The consistency in quality of social work assessments.")
    ok(plan_run, "action", "add", "Audit assessments", "--owner", "Tom Okafor",
       "--due", "2024-06-28", "--rec", "3")  # fmt: skip
    listed = json.loads(ok(plan_run, "action", "list", "--rec", "r3", "--format", "json"))
    assert [a["recommendations"] for a in listed] == [["R3"]]
    unknown = plan_run("action", "add", "X", "--owner", "Tom Okafor", "--due", "2024-06-28",
                       "--rec", "R4", env=TODAY)  # fmt: skip
    assert unknown.exit_code == 1
    assert unknown.stderr == (
        'Error: no recommendation R4 in plan "Peterborough" — see improveplan rec list\n'
    )
